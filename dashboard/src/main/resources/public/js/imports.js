// "Import files" on the JVM list: thread dumps (jstack, jcmd Thread.print) and JFR recordings are uploaded to
// POST /api/imports and become a read-only JVM. Problems the server reports (file, line or record) are listed
// as text.
import { el, api } from './core.js';

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function importForm() {
  const input = el('input', { type: 'file', multiple: true, id: 'import-files', 'aria-label': 'thread dumps or JFR recordings' });
  const status = el('div', { id: 'import-status', role: 'status', 'aria-live': 'polite' });
  const button = el('button', { type: 'button', id: 'import-button', onclick: async () => {
    if (!input.files.length) { status.replaceChildren(el('p', { class: 'error' }, 'Choose one or more files first.')); return; }
    button.disabled = true;
    status.replaceChildren(el('p', { class: 'muted' }, 'Reading ' + input.files.length + ' file(s)…'));
    try {
      const files = [];
      for (const f of input.files) files.push({ name: f.name, data: base64(await f.arrayBuffer()) });
      const r = await api('/api/imports', { method: 'POST', body: { files } });
      status.replaceChildren(
        el('p', {}, 'Imported as ', el('a', { href: '#/jvm/' + encodeURIComponent(r.id) + '/overview', id: 'import-open' }, r.name), '.'),
        problems(r.problems));
    } catch (e) {
      status.replaceChildren(el('p', { class: 'error' }, e.message), problems(e.data?.problems));
    } finally {
      button.disabled = false;
    }
  } }, 'Import');
  return el('details', { class: 'card import-form' },
    el('summary', {}, 'Import thread dumps or JFR recordings'),
    el('p', { class: 'muted' }, 'jstack or jcmd Thread.print text (several dumps of one JVM are compared in time order), and .jfr recordings from -XX:StartFlightRecording or JMC. The files are uploaded to this dashboard and analysed like a JVM, read-only.'),
    input, ' ', button, status);
}

function problems(list) {
  if (!list || !list.length) return '';
  return el('div', { class: 'import-problems' }, el('p', {}, 'What could not be read:'),
    el('ul', {}, list.map(p => el('li', { class: 'mono' }, p))));
}
