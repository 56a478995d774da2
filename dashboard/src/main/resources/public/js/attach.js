// "Attach to a local JVM" on the home page: lists this machine's JVMs (via the agent's own CLI on the server)
// and loads the agent into one with a click. Shown only when the dashboard allows it (loopback, or --ui-attach on).
import { el, api } from './core.js';

export function mountAttach(container) {
  const list = el('div', { id: 'local-jvms' });
  const msg = el('p', { id: 'attach-message', role: 'status', 'aria-live': 'polite' });
  const find = el('button', { id: 'find-local-jvms', onclick: () => refresh() }, 'Find local JVMs');
  const card = el('section', { class: 'card', id: 'attach' }, el('h2', {}, 'Attach to a local JVM'));
  container.replaceChildren(card);

  api('/api/attach').then(status => {
    if (!status.enabled) {
      card.append(el('p', { class: 'muted' }, status.reason));
      return;
    }
    card.append(el('p', { class: 'muted' }, 'JVMs run by the same user on this machine. The agent (',
      el('code', {}, status.agentJar), ') is loaded into the one you pick and reports here.'), find, msg, list);
  }).catch(e => card.append(el('p', { class: 'error' }, e.message)));

  async function refresh() {
    find.disabled = true;
    find.textContent = 'Looking…';
    try {
      render(await api('/api/local-jvms'));
    } catch (e) {
      setMessage(e.message, true);
    } finally {
      find.disabled = false;
      find.textContent = 'Find local JVMs';
    }
  }

  function render(jvms) {
    if (jvms.length === 0) {
      list.replaceChildren(el('p', { class: 'muted' }, 'No other JVM of this user is running.'));
      return;
    }
    list.replaceChildren(el('table', {},
      el('thead', {}, el('tr', {}, ['PID', 'Main class', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, jvms.map(j => el('tr', { 'data-pid': j.pid },
        el('td', { class: 'num' }, j.pid),
        el('td', { class: 'mono' }, j.mainClass || '(unknown)'),
        el('td', {}, j.attached
          ? el('a', { href: '#/jvm/' + encodeURIComponent(j.jvmId) + '/overview' }, 'attached – open')
          : el('button', { class: 'primary attach-button', onclick: (e) => attach(j, e.target) }, 'Attach')))))));
  }

  async function attach(j, button) {
    button.disabled = true;
    button.textContent = 'Attaching…';
    try {
      const r = await api('/api/local-jvms/' + encodeURIComponent(j.pid) + '/attach', { method: 'POST', body: {} });
      setMessage(r.message, false);
      button.textContent = 'Attached';
    } catch (e) {
      setMessage(e.message, true);
      button.disabled = false;
      button.textContent = 'Attach';
    }
  }

  function setMessage(text, error) {
    msg.className = error ? 'error' : 'muted';
    msg.textContent = text;
  }
}
