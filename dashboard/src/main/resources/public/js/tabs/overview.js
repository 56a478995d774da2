// Overview tab: threads by state, CPU, context switches, heap and GC of the selected window.
import { el, registerTab, fmt } from '../core.js';
import { timeChart, rate } from '../charts.js';

registerTab({
  id: 'overview', title: 'Overview', order: 0,
  mount(container, page) {
    const charts = [
      timeChart('Threads by state', [
        { label: 'RUNNABLE', value: b => b.vitals?.threads?.RUNNABLE },
        { label: 'BLOCKED', value: b => b.vitals?.threads?.BLOCKED, color: '#d55e00' },
        { label: 'WAITING', value: b => b.vitals?.threads?.WAITING },
        { label: 'TIMED_WAITING', value: b => b.vitals?.threads?.TIMED_WAITING },
      ], { stacked: true }),
      timeChart('CPU (process)', [{ label: 'CPU', value: b => b.vitals?.cpu?.processCpuLoad * 100 }], { yFormat: v => v.toFixed(0) + '%' }),
      timeChart('Context switches / s', [
        { label: 'voluntary', value: b => b.vitals?.contextSwitches?.voluntaryPerSec },
        { label: 'involuntary', value: b => b.vitals?.contextSwitches?.involuntaryPerSec },
      ]),
      timeChart('Heap', [
        { label: 'used', value: b => b.vitals?.heap?.usedBytes },
        { label: 'committed', value: b => b.vitals?.heap?.committedBytes },
      ], { yFormat: fmt.bytes }),
      timeChart('GC time (ms per s)', [{ label: 'GC', value: rate(b => b.vitals?.gc?.timeMs) }]),
    ];
    const agentInfo = el('div', { class: 'card muted', id: 'agent-health' });
    const topLocks = el('div', { class: 'card', id: 'top-locks' });
    const topPools = el('div', { class: 'card', id: 'top-pools' });
    container.replaceChildren(el('div', { class: 'grid' }, topLocks, topPools),
      el('div', { class: 'grid' }, charts.map(c => c.node)), agentInfo);
    // The three worst locks and pools of the window, each one click from its own tab.
    const refreshTops = async () => {
      try {
        const locks = (await page.api('/locks?' + page.windowQuery())).locks || [];
        topLocks.replaceChildren(el('h2', {}, 'Top contended locks'), locks.length === 0
          ? el('p', { class: 'muted' }, 'No contended lock in this window.')
          : el('ol', {}, locks.slice(0, 3).map(l => el('li', {},
            el('a', { href: '#', class: 'top-lock', onclick: (e) => { e.preventDefault(); page.navigate('locks', l.id); } }, l.name),
            ' ', el('span', { class: 'muted' }, fmt.ms(l.totalWaitMs) + ' waited, p99 ' + fmt.ms(l.p99WaitMs))))));
      } catch (e) { topLocks.replaceChildren(el('p', { class: 'muted' }, 'locks: ' + e.message)); }
      try {
        const pools = (await page.api('/pools?' + page.windowQuery())).pools || [];
        topPools.replaceChildren(el('h2', {}, 'Busiest pools'), pools.length === 0
          ? el('p', { class: 'muted' }, 'No pool seen yet.')
          : el('ol', {}, pools.slice(0, 3).map(p => el('li', {},
            el('a', { href: '#', class: 'top-pool', onclick: (e) => { e.preventDefault(); page.navigate('pools', p.id); } }, p.name),
            ' ', p.saturated ? el('span', { class: 'badge warn' }, 'saturated') : '',
            ' ', el('span', { class: 'muted' }, (p.active ?? '–') + '/' + (p.max ?? '–') + ' busy, queue ' + (p.queueDepth ?? '–'))))));
      } catch (e) { topPools.replaceChildren(el('p', { class: 'muted' }, 'pools: ' + e.message)); }
    };
    refreshTops();
    page.on('jvm', () => { if (!page.paused) refreshTops(); });
    page.on('window', refreshTops);
    const update = () => {
      const samples = page.windowSamples();
      charts.forEach(c => c.set(samples));
      const a = samples.at(-1)?.body?.agent;
      agentInfo.textContent = a ? `Agent: ${a.droppedMessages} messages dropped, ${a.suppressedErrors} suppressed errors` : '';
    };
    page.on('sample', update);
    page.on('window', update);
    return { unmount() { charts.forEach(c => c.destroy()); } };
  },
});
