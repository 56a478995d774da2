// Production controls in a JVM page's header: the agent's feature switches, the overhead governor's state and
// "Detach agent" (with a confirmation). Values from the target JVM are inserted as text.
import { el } from './core.js';

const SWITCHES = [
  ['locks', 'Lock instrumentation', 'j.u.c. lock slow paths (off: JFR park events while JFR is on)'],
  ['pools', 'Pools', 'ThreadPoolExecutor instrumentation'],
  ['jfr', 'JFR', 'contended monitors and virtual-thread pinning through JFR streams'],
  ['deadlocks', 'Deadlock watch', 'periodic deadlock check'],
];

/** The controls element of a JVM page; call update() whenever page.jvm changed. */
export function jvmControls(page) {
  const status = el('span', { class: 'muted', role: 'status', id: 'controls-status' });
  const pending = new Set();
  const boxes = {};
  const toggles = SWITCHES.map(([name, label, title]) => {
    const box = el('input', { type: 'checkbox', id: 'switch-' + name, 'data-switch': name,
      onchange: async () => {
        pending.add(name);
        box.disabled = true;
        status.textContent = 'switching ' + label.toLowerCase() + (box.checked ? ' on…' : ' off…');
        try {
          await page.api('/features', { method: 'POST', body: { [name]: box.checked } });
          status.textContent = label + (box.checked ? ' on' : ' off');
        } catch (e) {
          status.textContent = 'switch failed: ' + e.message;
          box.checked = !box.checked;
        } finally {
          pending.delete(name);
          box.disabled = !page.jvm.connected;
        }
      } });
    boxes[name] = box;
    return el('label', { title }, box, label);
  });
  const governor = el('span', { id: 'governor', class: 'badge', hidden: true });
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
  const root = el('div', { class: 'toolbar controls', id: 'jvm-controls', role: 'group', 'aria-label': 'agent controls' },
    el('span', { class: 'muted' }, 'Agent:'), toggles, governor, detachButton, status);
  return {
    node: root,
    update() {
      const j = page.jvm;
      const agent = j.sample?.agent || {};
      for (const [name] of SWITCHES) {
        const known = agent.switches && typeof agent.switches[name] === 'boolean';
        if (!pending.has(name)) {
          boxes[name].checked = known ? agent.switches[name] : false;
          boxes[name].disabled = !j.connected || !known;
        }
      }
      const g = agent.governor;
      governor.hidden = !(j.connected && g && g.level > 0);
      if (g && g.level > 0) {
        governor.className = 'badge warn';
        governor.textContent = 'overhead governor: ' + g.detail;
        governor.title = g.ratePerSec + ' lock waits/s over a budget of ' + g.budgetPerSec + '/s since '
          + new Date(g.since).toLocaleTimeString();
      }
      detachButton.disabled = !j.connected;
      if (j.detached) status.textContent = 'agent detached at ' + new Date(j.detachedAt).toLocaleTimeString();
    },
  };
}
