// Production controls in a JVM page's header: detach the agent (with a confirmation). Values from the
// target JVM are inserted as text.
import { el } from './core.js';

/** The controls element of a JVM page; call update() whenever page.jvm changed. */
export function jvmControls(page) {
  const status = el('span', { class: 'muted', role: 'status', id: 'controls-status' });
  const detachButton = el('button', { id: 'detach', class: 'danger', title: 'Remove the agent from this JVM',
    onclick: async () => {
      if (!window.confirm('Detach the lockscope agent from ' + page.jvm.name + ' (pid ' + page.jvm.pid + ')?\n'
        + 'Instrumented classes are restored and the agent stops; attach again to bring it back.')) return;
      detachButton.disabled = true;
      status.textContent = 'detaching…';
      try {
        await page.api('/detach', { method: 'POST', body: {} });
        status.textContent = 'detach requested';
      } catch (e) {
        status.textContent = 'detach failed: ' + e.message;
        detachButton.disabled = false;
      }
    } }, 'Detach agent');
  const root = el('div', { class: 'toolbar controls', id: 'jvm-controls' }, detachButton, status);
  return {
    node: root,
    update() {
      const j = page.jvm;
      detachButton.disabled = !j.connected;
      if (j.detached) status.textContent = 'agent detached at ' + new Date(j.detachedAt).toLocaleTimeString();
    },
  };
}
