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
    container.replaceChildren(el('div', { class: 'grid' }, charts.map(c => c.node)), agentInfo);
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
