// Locks tab: the contended locks of the selected window ranked by total wait, a timeline of the heaviest ones,
// and a detail panel per lock (figures, timeline, wait histogram, waiter and owner call trees). Everything
// that came from the target JVM (lock, class, thread names, frames) is inserted as text.
import { el, registerTab, fmt, table } from '../core.js';
import { timeChart } from '../charts.js';

const FOLLOW = 5; // locks drawn in the overview timeline

/** Wait ms per second of one lock between consecutive samples (cumulative totalWaitNs), null when absent. */
function waitRate(lockId) {
  return (body, sample, prev) => {
    if (!prev || sample.ts <= prev.ts) return null;
    const now = (body.locks?.locks || []).find(l => l.id === lockId);
    if (!now) return null;
    const before = (prev.body.locks?.locks || []).find(l => l.id === lockId);
    const dt = (sample.ts - prev.ts) / 1000;
    return Math.max(0, (now.totalWaitNs - (before ? before.totalWaitNs : 0)) / 1e6 / dt);
  };
}

/** Merges stacks (frames innermost first, each {frames, count}) into a call tree rooted at the outermost frame. */
function callTree(stacks) {
  const root = { frame: null, count: 0, children: new Map() };
  for (const s of stacks || []) {
    root.count += s.count;
    let node = root;
    for (const f of [...s.frames].reverse()) {
      if (!node.children.has(f)) node.children.set(f, { frame: f, count: 0, children: new Map() });
      node = node.children.get(f);
      node.count += s.count;
    }
  }
  return root;
}

function renderTree(root, emptyText) {
  if (!root.count) return el('p', { class: 'muted' }, emptyText);
  const render = (node, depth) => {
    const kids = [...node.children.values()].sort((a, b) => b.count - a.count);
    const label = el('span', { class: 'mono', title: node.frame },
      fmt.frame(node.frame), ' ', el('span', { class: 'muted' }, fmt.pct(node.count / root.count)));
    if (!kids.length) return el('li', {}, label);
    // A chain of single children stays on one level, so a deep stack does not march off to the right.
    if (kids.length === 1 && depth > 0) return [el('li', {}, label), render(kids[0], depth)].flat(Infinity);
    return el('li', {}, el('details', { open: depth < 6 }, el('summary', {}, label),
      el('ul', { class: 'calltree' }, kids.map(k => render(k, depth + 1)).flat(Infinity))));
  };
  return el('ul', { class: 'calltree' }, [...root.children.values()].sort((a, b) => b.count - a.count).map(k => render(k, 0)).flat(Infinity));
}

function histogram(buckets) {
  if (!buckets || !buckets.length) return el('p', { class: 'muted' }, 'no waits in this window');
  const max = Math.max(...buckets.map(b => b.count));
  return el('div', { class: 'lock-hist', role: 'img', 'aria-label': 'wait time histogram' }, buckets.map(b => {
    const bar = el('span', { class: 'lock-hist-bar' });
    bar.style.width = Math.max(1, (100 * b.count) / max) + '%';
    return el('div', { class: 'lock-hist-row' },
      el('span', { class: 'lock-hist-label mono' }, '≤ ' + fmt.ms(b.upToMs)), bar,
      el('span', { class: 'lock-hist-count num' }, fmt.num(b.count)));
  }));
}

function ownerCell(l) {
  if (l.owner) return el('span', { class: 'mono', title: 'thread id ' + l.owner.threadId }, l.owner.thread);
  return el('span', { class: 'muted', title: l.ownerNote || '' }, l.ownerModel === 'none' ? 'no owner' : '–');
}

registerTab({
  id: 'locks', title: 'Locks', order: 10,
  mount(container, page) {
    let ranking = null;
    let selected = page.selection || null;
    let detail = null;
    let lastFetch = 0;
    let inFlight = false;

    const coverage = el('div', { class: 'card muted', id: 'locks-coverage' });
    const rankingBox = el('div', { class: 'card', id: 'locks-ranking' });
    let overviewIds = '';
    let overviewChart = null;
    const chartBox = el('div', { id: 'locks-timeline' });
    const detailBox = el('div', { id: 'lock-detail' });
    const signalBox = el('div', { class: 'card', id: 'locks-signals' });
    const blockedBox = el('div', { class: 'card', id: 'locks-blocked' });
    container.replaceChildren(coverage, rankingBox, chartBox, detailBox, blockedBox, signalBox);

    function select(id) {
      selected = id;
      page.selection = id;
      const q = new URLSearchParams(location.hash.split('?')[1] || '');
      if (id) q.set('sel', id); else q.delete('sel');
      history.replaceState(null, '', '#/jvm/' + encodeURIComponent(page.id) + '/locks?' + q);
      renderRanking();
      fetchDetail();
    }

    function renderCoverage() {
      const c = ranking?.coverage;
      if (!c) { coverage.textContent = 'No lock data from this JVM yet (is the locks feature running?).'; return; }
      const inst = c.instrumentation || {};
      const parts = [
        inst.enabled ? `j.u.c. instrumentation on (${inst.instrumentedClasses} classes, ${inst.transformErrors} errors)` : 'j.u.c. instrumentation off',
        c.jfrMonitors ? `synchronized via JFR ≥ ${c.monitorEnterThresholdMs} ms` : 'synchronized not recorded',
        c.jfrParkFallback ? `park fallback ≥ ${c.parkThresholdMs} ms` : null,
        `long-wait events ≥ ${c.longWaitThresholdMs} ms`,
        `dropped: ${c.droppedWaits} waits, ${c.droppedLocks} locks, ${c.droppedEvents} events`,
        `suppressed errors: ${c.suppressedErrors}`,
      ].filter(Boolean);
      coverage.textContent = 'Coverage: ' + parts.join(' · ');
    }

    function renderRanking() {
      const rows = ranking?.locks || [];
      rankingBox.replaceChildren(
        el('h2', {}, 'Contended locks, ' + page.windowLabel()),
        table([
          { key: 'name', title: 'Lock', render: l => el('span', { class: 'lock-name', title: l.id }, l.name) },
          { key: 'kind', title: 'Kind' },
          { key: 'waits', title: 'Waits', num: true, render: l => fmt.num(l.waits) },
          { key: 'waitsPerSec', title: 'Waits/s', num: true, render: l => fmt.num(l.waitsPerSec, 1) },
          { key: 'totalWaitMs', title: 'Total wait', num: true, render: l => fmt.ms(l.totalWaitMs) },
          { key: 'p50WaitMs', title: 'p50', num: true, render: l => fmt.ms(l.p50WaitMs) },
          { key: 'p99WaitMs', title: 'p99', num: true, render: l => fmt.ms(l.p99WaitMs) },
          { key: 'maxWaitMs', title: 'Max', num: true, render: l => fmt.ms(l.maxWaitMs) },
          { key: 'maxWaiters', title: 'Max waiters', num: true },
          { key: 'owner', title: 'Owner now', sort: l => l.owner?.thread || '', render: ownerCell },
          { key: 'holdTimeMeanMs', title: 'Hold (est.)', num: true, render: l => fmt.ms(l.holdTimeMeanMs) },
          { key: 'utilisation', title: 'Busy (est.)', num: true, render: l => fmt.pct(l.utilisation) },
        ], rows, {
          rowKey: l => l.id, selectedKey: selected, onRowClick: l => select(l.id === selected ? null : l.id),
          emptyText: 'No lock made a thread wait in this window.',
          initialSort: { key: 'totalWaitMs', desc: true },
        }));
    }

    function renderOverviewChart() {
      const top = (ranking?.locks || []).slice(0, FOLLOW);
      const ids = top.map(l => l.id).join('|');
      if (ids !== overviewIds) {
        if (overviewChart) overviewChart.destroy();
        overviewIds = ids;
        overviewChart = top.length ? timeChart('Wait time of the top locks (ms waited per second)',
          top.map(l => ({ label: l.name.length > 40 ? l.name.slice(0, 39) + '…' : l.name, value: waitRate(l.id) }))) : null;
        chartBox.replaceChildren(...(overviewChart ? [overviewChart.node] : []));
      }
      if (overviewChart) overviewChart.set(page.windowSamples());
    }

    function renderBlocked() {
      const b = ranking?.blockedNow || [];
      blockedBox.replaceChildren(el('h2', {}, 'Threads waiting for a lock right now'),
        table([
          { key: 'thread', title: 'Thread', render: r => el('span', { class: 'mono' }, r.thread) },
          { key: 'state', title: 'State' },
          { key: 'lockClass', title: 'Lock', render: r => el('span', { class: 'mono' }, r.lockClass + '@' + Number(r.identityHash).toString(16)) },
          { key: 'owner', title: 'Owner', render: r => el('span', { class: 'mono' }, r.owner ?? 'no owner') },
          { key: 'ageMs', title: 'Waiting for', num: true, render: r => fmt.ms(r.ageMs) },
          { key: 'callSite', title: 'At', render: r => el('span', { class: 'mono' }, r.callSite ?? '') },
        ], b, { emptyText: 'No thread is waiting for a lock.', initialSort: { key: 'ageMs', desc: true } }));
    }

    function renderSignals() {
      const s = ranking?.signalWaits || [];
      signalBox.replaceChildren(el('h2', {}, 'Waits for a signal (not lock contention)'),
        el('p', { class: 'muted' }, 'Condition re-acquires, latches and Object.wait: threads waiting to be told, kept apart from lock waits.'),
        table([
          { key: 'kind', title: 'Kind' },
          { key: 'class', title: 'Class', render: r => el('span', { class: 'mono' }, r.class) },
          { key: 'waits', title: 'Waits', num: true, render: r => fmt.num(r.waits) },
          { key: 'totalWaitMs', title: 'Total wait', num: true, render: r => fmt.ms(r.totalWaitMs) },
        ], s, { emptyText: 'none in this window', initialSort: { key: 'totalWaitMs', desc: true } }));
    }

    let detailChart = null;
    function renderDetail() {
      if (detailChart) { detailChart.destroy(); detailChart = null; }
      if (!selected) { detailBox.replaceChildren(); return; }
      if (!detail) { detailBox.replaceChildren(el('div', { class: 'card muted' }, 'Loading lock…')); return; }
      const d = detail;
      detailChart = timeChart('Timeline: waits per second and ms waited per second', [
        { label: 'waits/s', value: (b, s) => s.waitsPerSec },
        { label: 'wait ms/s', value: (b, s) => s.waitMsPerSec },
        { label: 'waiters now', value: (b, s) => s.waitersNow },
      ]);
      const owner = d.owner
        ? [el('span', { class: 'mono' }, d.owner.thread), ' (thread id ' + d.owner.threadId + ')']
        : [el('span', { class: 'muted' }, d.ownerNote || 'no owner')];
      detailBox.replaceChildren(el('div', { class: 'card lock-detail' },
        el('h2', {}, el('span', { class: 'lock-name' }, d.name)),
        el('dl', { class: 'kv' },
          el('dt', {}, 'Class'), el('dd', { class: 'mono' }, d.class),
          el('dt', {}, 'Identity'), el('dd', { class: 'mono' }, d.identityHash != null ? '@' + Number(d.identityHash).toString(16) : d.id),
          el('dt', {}, 'Kind / source'), el('dd', {}, d.kind + ' · ' + d.source),
          el('dt', {}, 'Taken at'), el('dd', { class: 'mono' }, d.callSite ?? '–'),
          el('dt', {}, 'Waits'), el('dd', {}, `${fmt.num(d.waits)} (${fmt.num(d.waitsPerSec, 1)}/s), total ${fmt.ms(d.totalWaitMs)}`),
          el('dt', {}, 'Wait p50 / p90 / p99 / max'), el('dd', {}, [d.p50WaitMs, d.p90WaitMs, d.p99WaitMs, d.maxWaitMs].map(fmt.ms).join(' / ')),
          el('dt', {}, 'Max waiters'), el('dd', {}, String(d.maxWaiters)),
          el('dt', {}, 'Owner now'), el('dd', {}, owner),
          el('dt', {}, 'Hold time (est.)'), el('dd', {}, `mean ${fmt.ms(d.holdTimeMeanMs)}, max ${fmt.ms(d.holdTimeMaxMs)} from ${fmt.num(d.holdTimeSamples)} hand-offs; busy ${fmt.pct(d.utilisation)} of the window`)),
        el('div', { class: 'grid' },
          el('div', {}, detailChart.node),
          el('div', { class: 'card' }, el('div', { class: 'muted' }, 'Wait histogram'), histogram(d.histogram))),
        el('div', { class: 'grid' },
          el('div', { class: 'card', id: 'lock-waiters' }, el('h2', {}, 'Waiter call tree'), renderTree(callTree(d.waiterStacks), 'no waiter stacks captured')),
          el('div', { class: 'card', id: 'lock-owners' }, el('h2', {}, 'Owner call tree'), renderTree(callTree(d.ownerStacks),
            d.ownerModel === 'none' ? 'no owner: ' + d.kind + ' has no owning thread' : 'no owner seen while threads waited'))),
      ));
      detailChart.set(d.timeline.map(t => ({ ts: t.ts, body: {}, ...t })));
    }

    async function fetchDetail() {
      if (!selected) { detail = null; renderDetail(); return; }
      try {
        detail = await page.api('/locks/detail?' + page.windowQuery() + '&lock=' + encodeURIComponent(selected));
      } catch (e) {
        detail = null;
        detailBox.replaceChildren(el('div', { class: 'card error' }, 'Lock ' + selected + ': ' + e.message));
        return;
      }
      renderDetail();
    }

    async function refresh(force) {
      if (inFlight || (!force && (page.paused || Date.now() - lastFetch < 1500))) return;
      inFlight = true;
      lastFetch = Date.now();
      try {
        ranking = await page.api('/locks?' + page.windowQuery());
        renderCoverage();
        renderRanking();
        renderOverviewChart();
        renderBlocked();
        renderSignals();
        if (selected) await fetchDetail();
      } catch (e) {
        rankingBox.replaceChildren(el('p', { class: 'error' }, e.message));
      } finally {
        inFlight = false;
      }
    }

    page.on('sample', () => refresh(false));
    page.on('window', () => refresh(true));
    refresh(true);
    return { unmount() { if (overviewChart) overviewChart.destroy(); if (detailChart) detailChart.destroy(); } };
  },
});
