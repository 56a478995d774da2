// Time-series charts on uPlot (from its WebJar, loaded as the global `uPlot`).
import { el } from './core.js';

const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#f0e442'];

// Where a range dragged across any chart goes (the open JVM page sets it): fn(fromMs, toMs), or null.
let brushHandler = null;
export function onBrush(fn) { brushHandler = fn; }

// Where a plain click on any chart goes: fn(atMs), or null; and the moment every chart marks (epoch ms or null).
let momentHandler = null;
let momentOf = () => null;
const plots = new Set();
export function onMoment(fn, current = () => null) {
  momentHandler = fn;
  momentOf = current;
  showMoment();
}
/** Redraws every chart's moment marker (after the moment changed). */
export function showMoment() {
  plots.forEach(p => { if (p.root.isConnected) p.redraw(false); else plots.delete(p); }); // a tab's charts are gone
}

/**
 * A live line chart. series: [{label, value(body, sample, prevSample) -> number, color?}]. Feed it with set(samples) where
 * samples are [{ts, body}] oldest first. Returns {node, set, destroy}.
 */
export function timeChart(title, series, { height = 160, stacked = false, yFormat } = {}) {
  const node = el('div', { class: 'card chart' }, el('div', { class: 'muted' }, title));
  const host = el('div');
  node.append(host);
  let plot = null;
  const opts = {
    width: 400, height,
    scales: { x: { time: true } },
    series: [{}, ...series.map((s, i) => ({
      label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 1.5,
      fill: stacked ? (s.color || PALETTE[i % PALETTE.length]) + '55' : undefined,
      value: yFormat ? (u, v) => (v === null ? '–' : yFormat(v)) : undefined,
    }))],
    axes: [{}, { size: 80, values: yFormat ? (u, vals) => vals.map(v => yFormat(v)) : undefined }],
    legend: { live: true },
    // Drag across the chart to select a time range: it becomes the page's window (every view follows).
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      setSelect: [u => {
        if (u.select.width < 2 || !brushHandler) return;
        const from = u.posToVal(u.select.left, 'x') * 1000;
        const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        if (to > from) brushHandler(from, to);
      }],
      // A click that did not move (a drag brushes a range instead) picks the moment under the cursor.
      ready: [u => {
        let downX = null;
        u.over.addEventListener('mousedown', e => { downX = e.clientX; });
        u.over.addEventListener('click', e => {
          if (downX === null || Math.abs(e.clientX - downX) > 2 || !momentHandler) return;
          const at = u.posToVal(e.clientX - u.over.getBoundingClientRect().left, 'x') * 1000;
          if (at > 0) momentHandler(at);
        });
      }],
      draw: [u => {
        const at = momentOf();
        if (!at) return;
        const x = u.valToPos(at / 1000, 'x', true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        const c = u.ctx;
        c.save();
        c.strokeStyle = '#222';
        c.lineWidth = 2;
        c.setLineDash([6, 4]);
        c.beginPath();
        c.moveTo(x, u.bbox.top);
        c.lineTo(x, u.bbox.top + u.bbox.height);
        c.stroke();
        c.restore();
      }],
    },
  };
  function data(samples) {
    const xs = samples.map(s => s.ts / 1000);
    const ys = series.map(s => samples.map((x, i) => { const v = s.value(x.body, x, i > 0 ? samples[i - 1] : null); return v === undefined || Number.isNaN(v) ? null : v; }));
    if (stacked) {
      for (let i = 1; i < ys.length; i++) ys[i] = ys[i].map((v, j) => (v ?? 0) + (ys[i - 1][j] ?? 0));
    }
    return [xs, ...ys];
  }
  return {
    node,
    set(samples) {
      const d = data(samples);
      if (!plot) {
        opts.width = Math.max(300, (node.clientWidth || 420) - 24);
        plot = new uPlot(opts, d, host);
        plots.add(plot);
      } else {
        plot.setData(d);
      }
    },
    destroy() { if (plot) { plots.delete(plot); plot.destroy(); } },
  };
}

/** Series value: per-second rate of a cumulative counter between consecutive samples (null for the first). */
export function rate(get) {
  return (body, sample, prev) => {
    if (!prev || sample.ts <= prev.ts) return null;
    const v = get(body), p = get(prev.body);
    return v === undefined || p === undefined ? null : Math.max(0, (v - p) / ((sample.ts - prev.ts) / 1000));
  };
}
