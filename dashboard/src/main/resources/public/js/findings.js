// The findings strip at the top of a JVM's page: what is wrong, in words, with its evidence and a fix.
import { el, fmt } from './core.js';

/** Renders the JVM's findings into `container` and keeps them current while the page is open. */
export function mountFindings(container, page) {
  let showClosed = false;
  // Snapshot state per finding ('saving…', an error, or the saved snapshot): kept across the strip's refreshes.
  const snapshots = new Map();
  async function refresh() {
    let list;
    try {
      list = await page.api('/findings');
    } catch (e) {
      container.replaceChildren(el('p', { class: 'error' }, 'findings unavailable: ' + e.message));
      return;
    }
    const open = list.filter(f => f.state === 'open');
    const closed = list.filter(f => f.state !== 'open');
    const toggle = closed.length
      ? el('button', { class: 'link', onclick: () => { showClosed = !showClosed; refresh(); } },
        showClosed ? 'hide resolved' : `show ${closed.length} resolved`)
      : null;
    container.replaceChildren(
      open.length === 0 ? el('div', { class: 'finding none' }, 'No open findings.', ' ', toggle || '')
        : el('div', {}, open.map(card), toggle || ''),
      showClosed ? el('div', { class: 'closed-findings' }, closed.map(card)) : '');
  }
  function card(f) {
    // A plain "flame graph" link (the Profiles tab) gives way to the flame graphs of the finding's own window.
    const links = (f.evidence?.links || []).filter(l => !(f.timeTravel && l.tab === 'profiles' && !l.selection)).map(l => el('button', {
      class: 'evidence-link', onclick: () => page.navigate(l.tab, l.selection),
    }, l.label));
    links.push(...timeTravel(f));
    return el('article', { class: 'finding ' + f.severity + (f.state === 'open' ? '' : ' closed'), 'data-kind': f.kind },
      el('header', {},
        el('span', { class: 'badge ' + (f.severity === 'critical' ? 'crit' : 'warn') }, f.severity),
        ' ', el('strong', { class: 'finding-title' }, f.title), ' ',
        el('span', { class: 'muted' }, f.state === 'open'
          ? 'since ' + fmt.time(f.startedAt) + ' (' + fmt.age(f.durationMs) + ')'
          : fmt.time(f.startedAt) + ' – ' + fmt.time(f.endedAt) + ', resolved')),
      el('p', { class: 'finding-explanation' }, f.explanation),
      el('p', { class: 'finding-fix' }, el('strong', {}, 'Fix: '), f.fix),
      links.length ? el('div', { class: 'toolbar' }, links) : '');
  }
  /**
   * The finding's own time window, read back from the always-on recording: cpu and lock flame graphs of it,
   * the thread dump taken when it opened, and a JFR snapshot of it to download.
   */
  function timeTravel(f) {
    const t = f.timeTravel;
    if (!t) return [];
    const range = { from: t.fromMs, to: t.toMs };
    const out = [
      el('button', { class: 'time-travel-link', 'data-event': 'cpu', title: fmt.time(t.fromMs) + ' – ' + fmt.time(t.toMs),
        onclick: () => page.navigate('profiles', 'recording:cpu', range) }, 'CPU flame graph of its window'),
      el('button', { class: 'time-travel-link', 'data-event': 'lock', title: fmt.time(t.fromMs) + ' – ' + fmt.time(t.toMs),
        onclick: () => page.navigate('profiles', 'recording:lock', range) }, 'Lock flame graph of its window'),
    ];
    if (t.threadDump) {
      out.push(el('button', { class: 'time-travel-link thread-dump-link', onclick: () => page.navigate('threads', t.threadDump) },
        'Thread dump when it opened'));
    }
    const state = snapshots.get(f.id);
    out.push(el('button', { class: 'time-travel-link snapshot-button', disabled: state === 'saving…', onclick: async () => {
      snapshots.set(f.id, 'saving…');
      refresh();
      try {
        snapshots.set(f.id, await page.api('/snapshots', { method: 'POST', body: { from: t.fromMs, to: t.toMs, finding: f.id } }));
      } catch (err) { snapshots.set(f.id, 'snapshot failed: ' + err.message); }
      refresh();
    } }, 'Save JFR snapshot'), el('span', { class: 'snapshot-result' }, typeof state === 'object'
      ? el('a', { href: state.links.jfr, download: '', class: 'snapshot-download' }, 'download .jfr (' + fmt.bytes(state.sizeBytes) + ')')
      : state || ''));
    return out;
  }
  refresh();
  page.on('jvm', () => { if (!page.paused) refresh(); });
}
