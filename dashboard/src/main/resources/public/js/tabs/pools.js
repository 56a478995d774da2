// Pools tab: every thread pool of the JVM ranked by saturation, with sparklines, and a detail panel per pool
// (deep link: page.selection is the pool id). Names, prefixes and call sites come from the target JVM: text only.
import { el, registerTab, fmt, table } from '../core.js';
import { timeChart } from '../charts.js';

const SVG = 'http://www.w3.org/2000/svg';

/** A tiny line chart of values (nulls skipped) as inline SVG, built with DOM calls only. */
function sparkline(values, { max, width = 90, height = 22, color = '#0072b2', label } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('role', 'img');
  if (label) svg.setAttribute('aria-label', label);
  const vs = values.filter(v => v !== null && v !== undefined);
  const top = Math.max(max ?? 0, ...vs, 1e-9);
  const n = values.length;
  if (n > 1) {
    const pts = [];
    values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      pts.push((i * (width - 2) / (n - 1) + 1).toFixed(1) + ',' + (height - 1 - (v / top) * (height - 2)).toFixed(1));
    });
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', pts.join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', color);
    line.setAttribute('stroke-width', '1.5');
    svg.append(line);
  }
  return svg;
}

function kindLabel(p) {
  if (p.role) return p.role;
  return { ThreadPoolExecutor: p.scheduled ? 'scheduled' : 'executor', ForkJoinPool: 'fork-join',
    TomcatThreadPoolExecutor: 'Tomcat', JettyQueuedThreadPool: 'Jetty' }[p.kind] || p.kind;
}

function stateCell(p) {
  if (p.saturated) return el('span', { class: 'badge crit pool-saturated', title: p.reason }, 'SATURATED');
  if (p.busy) return el('span', { class: 'badge warn' }, 'busy');
  return el('span', { class: 'badge ok' }, 'ok');
}

function nameCell(p) {
  return el('span', {},
    el('span', { class: 'pool-name', title: (p.threadPrefix || '') + (p.callSite ? '\ncreated at ' + p.callSite : '') }, p.name),
    p.jdkInternal ? el('span', { class: 'badge off', title: 'created by the JDK' }, 'JDK') : null,
    p.callSite || p.submitSite ? el('div', { class: 'muted mono', title: p.callSite || p.submitSite },
      (p.callSite ? '' : 'first task from ') + fmt.frame(p.callSite || p.submitSite)) : null);
}

registerTab({
  id: 'pools', title: 'Pools', order: 20,
  mount(container, page) {
    const summary = el('div', { class: 'muted', id: 'pools-summary' });
    const list = el('div', { id: 'pools-table' });
    const detail = el('div', { id: 'pool-detail' });
    container.replaceChildren(summary, list, detail);
    let charts = [];
    let chartsFor = null;
    let inFlight = false;
    let last = null;

    const columns = [
      { key: 'saturation', title: 'State', render: stateCell, sort: p => p.saturation },
      { key: 'name', title: 'Pool', render: nameCell },
      { key: 'kind', title: 'Kind', render: kindLabel },
      { key: 'active', title: 'Active / max', num: true, sort: p => (p.max > 0 ? p.active / p.max : 0),
        render: p => el('span', {}, sparkline(p.series.active, { max: p.max, label: 'active threads' }), ' ',
          (p.active ?? '–') + ' / ' + (p.max ?? '–')) },
      { key: 'queueDepth', title: 'Queue', num: true,
        render: p => el('span', {}, sparkline(p.series.queueDepth, { color: '#e69f00', label: 'queue depth' }), ' ',
          fmt.num(p.queueDepth) + (p.queueRemaining !== undefined ? ' (' + fmt.num(p.queueRemaining) + ' free)' : '')) },
      { key: 'p99WaitMs', title: 'Wait p99', num: true,
        render: p => el('span', {}, sparkline(p.series.p99WaitMs, { color: '#cc79a7', label: 'wait p99' }), ' ',
          p.samplesWait ? fmt.ms(p.p99WaitMs) : '–') },
      { key: 'rejectedPerSec', title: 'Rejected / s', num: true,
        render: p => el('span', {}, sparkline(p.series.rejectedPerSec, { color: '#d55e00', label: 'rejections per second' }), ' ',
          fmt.num(p.rejectedPerSec, 1)) },
      { key: 'completedPerSec', title: 'Done / s', num: true, render: p => fmt.num(p.completedPerSec, 1) },
      { key: 'oldestQueuedAgeMs', title: 'Oldest queued', num: true, render: p => fmt.ms(p.oldestQueuedAgeMs) },
    ];

    function renderDetail(p) {
      if (!p) {
        detail.replaceChildren();
        charts.forEach(c => c.destroy());
        charts = [];
        chartsFor = null;
        return;
      }
      const rb = p.rejectedBy || {};
      const kv = (k, v) => [el('dt', {}, k), el('dd', {}, v ?? '–')];
      if (chartsFor !== p.id) {
        charts.forEach(c => c.destroy());
        charts = [
          timeChart('Active vs max threads', [{ label: 'active', value: b => b.active }, { label: 'max', value: b => b.max, color: '#999999' }]),
          timeChart('Queue depth', [{ label: 'queued', value: b => b.queueDepth, color: '#e69f00' }]),
          timeChart('Wait p99 (ms)', [{ label: 'p99 wait', value: b => b.p99WaitMs, color: '#cc79a7' }], { yFormat: v => fmt.ms(v) }),
          timeChart('Rejections / s', [{ label: 'rejected', value: b => b.rejectedPerSec, color: '#d55e00' }]),
        ];
        chartsFor = p.id;
      }
      detail.replaceChildren(el('div', { class: 'card', id: 'pool-detail-card' },
        el('h2', {}, 'Pool ', el('span', { class: 'pool-name' }, p.name), ' ', stateCell(p)),
        p.saturated ? el('div', { class: 'banner crit', id: 'pool-reason' }, 'Saturated: ' + p.reason) : null,
        el('dl', { class: 'kv' },
          kv('Thread prefix', el('span', { class: 'mono' }, p.threadPrefix ?? '–')),
          kv('Class', el('span', { class: 'mono' }, p.className)),
          kv('Created at', el('span', { class: 'mono' }, p.callSite ?? (p.submitSite ? 'before the agent; first task from ' + p.submitSite : 'unknown'))),
          kv('Core / max / current / largest', [p.core, p.max, p.size, p.largest].map(v => v ?? '–').join(' / ')),
          p.parallelism !== undefined ? kv('Parallelism / running / steals', [p.parallelism, p.running, p.steals].join(' / ')) : null,
          p.queuedSubmissions !== undefined ? kv('Queued submissions / tasks', p.queuedSubmissions + ' / ' + p.queuedTasks) : null,
          kv('Queue', (p.queueType ?? '–') + ', depth ' + fmt.num(p.queueDepth) + (p.queueRemaining !== undefined ? ', ' + fmt.num(p.queueRemaining) + ' free' : ', unbounded')),
          kv('Rejection policy', p.policy),
          kv('Submitted / completed / rejected', [p.submitted, p.completed, p.rejected].map(v => fmt.num(v)).join(' / ')),
          kv('Rejected by policy', `abort ${rb.abort ?? 0}, caller-runs ${rb.callerRuns ?? 0}, discard ${rb.discard ?? 0}, discard-oldest ${rb.discardOldest ?? 0}, other ${rb.other ?? 0}`),
          kv('Rates in window', `${fmt.num(p.submittedPerSec, 1)} submitted/s, ${fmt.num(p.completedPerSec, 1)} done/s, ${fmt.num(p.rejectedPerSec, 1)} rejected/s`),
          kv('Queue wait', p.samplesWait ? `p50 ${fmt.ms(p.p50WaitMs)} · p99 ${fmt.ms(p.p99WaitMs)} · max ${fmt.ms(p.maxWaitMs)} (${p.samplesWait} sampled)` : '–'),
          kv('Run time', p.samplesRun ? `p50 ${fmt.ms(p.p50RunMs)} · p99 ${fmt.ms(p.p99RunMs)} · max ${fmt.ms(p.maxRunMs)} (${p.samplesRun} sampled)` : '–'),
          p.scheduled ? kv('Lateness', p.samplesLateness ? `p50 ${fmt.ms(p.p50LatenessMs)} · p99 ${fmt.ms(p.p99LatenessMs)} · max ${fmt.ms(p.maxLatenessMs)}` : '–') : null,
          kv('Oldest queued task', fmt.ms(p.oldestQueuedAgeMs))),
        el('div', { class: 'grid' }, charts.map(c => c.node)),
        el('button', { onclick: () => page.navigate('pools', null) }, 'Close')));
      const s = p.series;
      const rows = s.ts.map((ts, i) => ({ ts, body: { active: s.active[i], max: s.max[i], queueDepth: s.queueDepth[i],
        p99WaitMs: s.p99WaitMs[i], rejectedPerSec: s.rejectedPerSec[i] } }));
      charts.forEach(c => c.set(rows));
    }

    function render(view) {
      last = view;
      const pools = view.pools || [];
      const saturated = pools.filter(p => p.saturated).length;
      summary.replaceChildren(
        el('span', {}, `${pools.length} pools, `),
        saturated ? el('span', { class: 'badge crit' }, saturated + ' saturated') : el('span', {}, 'none saturated'),
        view.available && !view.instrumented ? el('span', { class: 'badge warn' }, 'timings unavailable: instrumentation off') : null);
      list.replaceChildren(table(columns, pools, {
        rowKey: p => p.id, selectedKey: page.selection, emptyText: view.available ? 'no pools' : 'no pool data from this agent',
        onRowClick: p => page.navigate('pools', p.id), initialSort: { key: 'saturation', desc: true },
      }));
      renderDetail(pools.find(p => p.id === page.selection));
    }

    async function refresh(force) {
      if (inFlight || (page.paused && force !== true)) return;
      inFlight = true;
      try {
        render(await page.api('/pools?' + page.windowQuery()));
      } catch (e) {
        summary.replaceChildren(el('span', { class: 'error' }, e.message));
      } finally {
        inFlight = false;
      }
    }
    page.on('sample', () => refresh(false));
    page.on('window', () => refresh(true));
    return { unmount() { charts.forEach(c => c.destroy()); } };
  },
});
