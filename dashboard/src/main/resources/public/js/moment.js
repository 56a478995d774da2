// A moment of the JVM page: picked with a plain click on any chart (a drag brushes a window instead) or typed
// as a time of day. The URL carries it (at=), the charts mark it, and one click saves a JFR snapshot of the
// always-on recording around it (POST …/snapshots {at, seconds}), listed with the others in the Profiles tab.
import { el, fmt } from './core.js';

const pad = (n) => String(n).padStart(2, '0');

/** "HH:MM:SS" of a local time, what an input type=time with step=1 shows. */
function timeOfDay(ms) {
  const d = new Date(ms);
  return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

/** The latest moment at that local time of day that is not after now (the recording only holds the past). */
function fromTimeOfDay(value, now) {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const d = new Date(now);
  d.setHours(Number(m[1]), Number(m[2]), Number(m[3] || 0), 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1);
  return d.getTime();
}

/** The page's moment picker: {node, render()}; render() after page.moment changed. */
export function momentPicker(page) {
  const time = el('input', { id: 'moment-time', type: 'time', step: 1, 'aria-label': 'moment (time of day)',
    title: 'or click a chart' });
  const seconds = el('input', { id: 'moment-seconds', type: 'number', min: 1, max: 3600, value: 30, class: 'narrow',
    'aria-label': 'seconds before and after the moment' });
  const save = el('button', { id: 'save-moment-snapshot', type: 'button', onclick: saveSnapshot }, 'Save JFR snapshot');
  const clear = el('button', { id: 'clear-moment', class: 'link', title: 'forget the moment',
    onclick: () => page.setMoment(null) }, '✕');
  const result = el('span', { id: 'moment-snapshot', role: 'status' });
  const node = el('span', { id: 'moment-box', class: 'toolbar' },
    el('span', { class: 'muted' }, 'Moment (click a chart):'), time, '±', seconds, 's', save, clear, result);
  time.addEventListener('change', () => page.setMoment(fromTimeOfDay(time.value, page.now())));
  seconds.addEventListener('input', () => render());

  async function saveSnapshot() {
    if (!page.moment) return;
    const at = page.moment;
    save.disabled = true;
    result.textContent = 'saving…';
    try {
      const s = await page.api('/snapshots', { method: 'POST', body: { at, seconds: 2 * Number(seconds.value) } });
      result.replaceChildren(
        el('a', { href: s.links.jfr, download: '', class: 'snapshot-download', 'data-snapshot-id': s.id },
          'download .jfr (' + fmt.bytes(s.sizeBytes) + ')'), ' · ',
        el('a', { href: page.link('profiles', null), id: 'moment-snapshot-list' }, 'all snapshots'));
      page.emit('snapshots');
    } catch (err) {
      result.textContent = 'snapshot failed: ' + err.message;
    } finally {
      render();
    }
  }

  let shownMoment = page.moment;
  function render() {
    if (page.moment !== shownMoment) { shownMoment = page.moment; result.replaceChildren(); } // another moment's result
    if (document.activeElement !== time) time.value = page.moment ? timeOfDay(page.moment) : '';
    time.title = page.moment ? new Date(page.moment).toISOString() : 'or click a chart';
    save.disabled = !page.moment;
    const half = 1000 * Number(seconds.value);
    save.title = page.moment ? 'the always-on recording from ' + fmt.time(page.moment - half)
      + ' to ' + fmt.time(page.moment + half) : 'click a chart (or type a time) first';
    clear.hidden = !page.moment;
  }
  render();
  return { node, render };
}
