// Time tab: where each thread group's wall time went in the selected window (stacked bars by state), the waits
// that are not locks ranked like the Locks view, and the time the JVM stopped everyone. Everything that came
// from the target JVM (thread, class and frame names) is inserted as text.
import { el, registerTab, fmt, table } from '../core.js';

/** States in drawing order, with the colour-blind-safe palette of the other tabs. */
const STATES = [
  ['cpu', 'running', '#009e73'],
  ['io', 'I/O', '#56b4e9'],
  ['monitor', 'monitor', '#d55e00'],
  ['lock', 'j.u.c. lock', '#e69f00'],
  ['parked', 'parked (future, queue, pool…)', '#cc79a7'],
  ['sleep', 'sleeping', '#0072b2'],
  ['idle', 'idle (waiting for work)', '#d0d4da'],
];
const STATE_LABEL = Object.fromEntries(STATES.map(([k, l]) => [k, l]));

function bar(g) {
  const wall = g.wallMs || 1;
  const segments = STATES.filter(([k]) => g.ms[k] > 0).map(([k, label, color]) => {
    const s = el('span', { class: 'time-seg', 'data-state': k, title: `${label}: ${fmt.ms(g.ms[k])} (${fmt.pct(g.ms[k] / wall)})` });
    s.style.width = (100 * g.ms[k] / wall) + '%';
    s.style.background = color;
    return s;
  });
  return el('div', { class: 'time-bar', role: 'img', 'aria-label': STATES.filter(([k]) => g.ms[k] > 0)
    .map(([k, label]) => `${label} ${fmt.pct(g.ms[k] / wall)}`).join(', ') }, segments);
}

registerTab({
  id: 'waits', title: 'Time', order: 15,
  mount(container, page) {
    let view = null;
    let selected = page.selection || null;
    let lastFetch = 0;
    let inFlight = false;
    const stoppedBox = el('div', { class: 'card', id: 'time-jvm' });
    const groupsBox = el('div', { class: 'card', id: 'time-groups' });
    const waitsBox = el('div', { class: 'card', id: 'time-waits' });
    const detailBox = el('div', { id: 'time-wait-detail' });
    const coverage = el('div', { class: 'card muted', id: 'time-coverage' });
    container.replaceChildren(groupsBox, waitsBox, detailBox, stoppedBox, coverage);

    function select(id) {
      selected = id;
      page.selection = id;
      const q = new URLSearchParams(location.hash.split('?')[1] || '');
      if (id) q.set('sel', id); else q.delete('sel');
      history.replaceState(null, '', '#/jvm/' + encodeURIComponent(page.id) + '/waits?' + q);
      renderWaits();
      renderDetail();
    }

    function renderGroups() {
      const groups = view.groups || [];
      const legend = el('div', { class: 'time-legend' }, STATES.map(([k, label, color]) => {
        const sw = el('span', { class: 'time-swatch' });
        sw.style.background = color;
        return el('span', {}, sw, ' ', label);
      }));
      groupsBox.replaceChildren(el('h2', {}, 'Where the time went, ' + page.windowLabel()),
        el('p', { class: 'muted' }, 'Wall time of each group of threads (by pool or name pattern) by state, from thread sampling; CPU time is measured per thread.'),
        legend,
        table([
          { key: 'name', title: 'Threads', render: g => el('span', { class: 'mono time-group' }, g.name) },
          { key: 'threadsNow', title: 'Now', num: true },
          { key: 'bar', title: 'Wall time by state', sort: g => g.blockedShare, render: bar },
          { key: 'blockedShare', title: 'Held up', num: true, render: g => fmt.pct(g.blockedShare) },
          { key: 'cpuTimeMs', title: 'CPU time', num: true, render: g => fmt.ms(g.cpuTimeMs) },
        ], groups, { emptyText: 'No thread sampled in this window yet.', initialSort: { key: 'bar', desc: true } }));
    }

    function renderWaits() {
      const rows = (view.waits || []);
      waitsBox.replaceChildren(el('h2', {}, 'Waits that are not locks'),
        el('p', { class: 'muted' }, 'Where threads parked on futures, queues, conditions and resource pools, slept or waited for I/O; contended locks are in the Locks tab.'),
        table([
          { key: 'site', title: 'Where', render: w => el('span', { class: 'mono', title: w.site }, fmt.frame(w.site)) },
          { key: 'waitsOn', title: 'Waiting in', render: w => el('span', { class: 'mono', title: w.blocker || '' }, w.waitsOn || '–') },
          { key: 'state', title: 'Kind', render: w => STATE_LABEL[w.state] || w.state },
          { key: 'group', title: 'Threads', render: w => el('span', { class: 'mono' }, w.group) },
          { key: 'totalWaitMs', title: 'Total wait', num: true, render: w => fmt.ms(w.totalWaitMs) },
          { key: 'threadsWaitingMean', title: 'Waiting (mean)', num: true, render: w => fmt.num(w.threadsWaitingMean, 1) },
          { key: 'waitersMax', title: 'Max waiting', num: true },
          { key: 'holdersMax', title: 'Holders', num: true, render: w => (w.holdersMax ? String(w.holdersMax) : '–') },
          { key: 'ownerNow', title: 'Waits on', render: w => el('span', { class: 'mono' }, waitsOn(w)) },
        ], rows, { rowKey: w => w.id, selectedKey: selected, onRowClick: w => select(w.id === selected ? null : w.id),
          emptyText: 'No thread waited outside locks in this window.', initialSort: { key: 'totalWaitMs', desc: true } }));
    }

    /** Who the waiters wait on: a lock or monitor's owner, else the threads holding the pool's resources. */
    function waitsOn(w) {
      if (w.ownerNow) return w.ownerNow;
      const held = w.heldBy || [];
      return held.length ? held.slice(0, 3).join(', ') + (held.length > 3 ? ` +${held.length - 3}` : '') : '–';
    }

    function renderDetail() {
      const w = selected && (view?.waits || []).find(x => x.id === selected);
      if (!w) { detailBox.replaceChildren(); return; }
      detailBox.replaceChildren(el('div', { class: 'card', id: 'time-wait-stack' },
        el('h2', {}, el('span', { class: 'mono' }, fmt.frame(w.site))),
        el('dl', { class: 'kv' },
          el('dt', {}, 'Threads'), el('dd', { class: 'mono' }, w.group),
          el('dt', {}, 'Waiting in'), el('dd', { class: 'mono' }, w.waitsOn || '–'),
          el('dt', {}, 'Blocker'), el('dd', { class: 'mono' }, w.blocker || '–'),
          el('dt', {}, 'Total wait'), el('dd', {}, `${fmt.ms(w.totalWaitMs)}, ${fmt.num(w.threadsWaitingMean, 1)} threads on average, up to ${w.waitersMax}`),
          el('dt', {}, 'Holders (apparent pool size)'), el('dd', {}, w.holdersMax ? `${w.holdersMax} (mean ${fmt.num(w.holdersMean, 1)} while threads waited)` : '–'),
          el('dt', {}, 'Held by (last stack read)'), el('dd', { class: 'mono', id: 'time-wait-held-by' }, (w.heldBy || []).join(', ') || '–'),
          el('dt', {}, 'Measured by JFR'), el('dd', {}, w.parksPerSecond != null ? `${fmt.num(w.parksPerSecond, 1)} waits/s on ${w.blocker}, ${fmt.ms(w.parkMeanMs)} on average` : '–')),
        el('div', { class: 'muted' }, 'Stack of one waiting thread'),
        el('ol', { class: 'mono stack' }, (w.stack || []).map(f => el('li', { title: f }, f)))));
    }

    function renderStopped() {
      const j = view.jvm || {};
      const o = view.gcOverlap || {};
      stoppedBox.replaceChildren(el('h2', {}, 'Stopped by the JVM'),
        el('dl', { class: 'kv' },
          el('dt', {}, 'GC pauses'), el('dd', { id: 'time-gc' }, `${fmt.num(j.gcPauses)} pauses, ${fmt.ms(j.gcPauseMs)} (longest recent ${fmt.ms(j.longestRecentPauseMs)})`),
          el('dt', {}, 'Time to safepoint'), el('dd', {}, `${fmt.ms(j.timeToSafepointMs)} over ${fmt.num(j.safepoints)} safepoints`),
          el('dt', {}, 'Every thread stopped'), el('dd', {}, `${fmt.ms(j.stoppedMs)} (${fmt.pct(j.stoppedShare)} of the window)`),
          el('dt', {}, 'Lock waits during GC'), el('dd', { id: 'time-gc-overlap' }, `${fmt.ms(o.overlapMs)} of ${fmt.ms(o.lockWaitMs)} lock waiting (${fmt.pct(o.overlapShare)}) overlapped GC pauses`)));
    }

    function renderCoverage() {
      const c = view.coverage || {};
      coverage.textContent = `Sampling: every ~${c.intervalMs} ms (jittered), ${fmt.num(c.looks)} looks in the window, `
        + `sampler CPU ${fmt.ms(c.samplerCpuMsPerSec)}/s · JFR pauses ${c.jfr ? 'on' : 'off' + (c.jfrError ? ' (' + c.jfrError + ')' : '')}`
        + (c.omittedSites ? ` · ${c.omittedSites} wait sites over the cap` : '');
    }

    async function refresh(force) {
      if (inFlight || (!force && (page.paused || Date.now() - lastFetch < 1500))) return;
      inFlight = true;
      lastFetch = Date.now();
      try {
        view = await page.api('/waits?' + page.windowQuery());
        if (!view.available) {
          groupsBox.replaceChildren(el('p', { class: 'muted' }, 'No time breakdown from this JVM yet (is the waits feature running?).'));
          return;
        }
        renderGroups();
        renderWaits();
        renderDetail();
        renderStopped();
        renderCoverage();
      } catch (e) {
        groupsBox.replaceChildren(el('p', { class: 'error' }, e.message));
      } finally {
        inFlight = false;
      }
    }

    page.on('sample', () => refresh(false));
    page.on('window', () => refresh(true));
    refresh(true);
    return {};
  },
});
