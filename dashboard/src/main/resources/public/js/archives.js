// Incident archives (java -jar lockscope-agent.jar capture …) opened as read-only JVMs: the upload control on
// the JVM list, and the state badge that says a JVM is an archive. Values from the archive go in as text.
import { el, api } from './core.js';

/** "Open a capture archive" on the JVM list: uploads the chosen .zip and opens its JVM page. */
export function archiveOpener() {
  const status = el('span', { class: 'muted', role: 'status', id: 'archive-status' });
  const input = el('input', { type: 'file', accept: '.zip,application/zip', id: 'archive-file' });
  input.addEventListener('change', async () => {
    const file = input.files[0];
    if (!file) return;
    status.textContent = 'opening ' + file.name + '…';
    try {
      const r = await api('/api/archives', { method: 'POST', body: { name: file.name, data: await base64(file) } });
      status.textContent = '';
      location.hash = '#/jvm/' + encodeURIComponent(r.id) + '/overview';
    } catch (e) {
      status.textContent = 'could not open ' + file.name + ': ' + e.message;
    }
    input.value = '';
  });
  return el('div', { class: 'toolbar', id: 'archive-open' },
    el('label', { for: 'archive-file' }, 'Open a capture archive (read-only): '), input, status);
}

/** The connection badge of a JVM: archive, connected, detached or disconnected. */
export function stateBadge(j, id) {
  if (j.archive) return el('span', { class: 'badge archive', id, title: 'loaded from ' + j.archive + '; nothing can be asked of it' }, 'archive · read-only');
  if (j.imported) return el('span', { class: 'badge archive', id, title: 'imported from files; nothing can be asked of it' }, 'imported · read-only');
  if (j.connected) return el('span', { class: 'badge ok' }, 'connected');
  return el('span', { class: 'badge off', id }, j.detached ? 'detached' : 'disconnected');
}

function base64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).slice(String(r.result).indexOf(',') + 1));
    r.onerror = () => reject(r.error || new Error('the file could not be read'));
    r.readAsDataURL(file);
  });
}
