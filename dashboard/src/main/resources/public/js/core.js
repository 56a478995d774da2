// Shared building blocks of the dashboard's pages. Everything that came from a target JVM is inserted as
// text (textContent), never as HTML: thread, class and lock names are attacker-controlled.

/** Creates an element: el('td', {class: 'num', title: full}, 'text', childNode, ...). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Fetches JSON from the API; throws an Error carrying the server's message on a non-2xx answer. */
export async function api(path, options = {}) {
  const init = { credentials: 'same-origin', ...options, headers: { ...(options.headers || {}) } };
  if (init.body !== undefined && typeof init.body !== 'string') {
    init.body = JSON.stringify(init.body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, init);
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new Error((data && data.error) || (typeof data === 'string' && data) || res.statusText);
    err.status = res.status;
    err.data = data;
    throw err;
  }
  return data;
}

export const fmt = {
  ms(v) {
    if (v === null || v === undefined || isNaN(v)) return '–';
    if (v >= 10000) return (v / 1000).toFixed(1) + ' s';
    if (v >= 100) return Math.round(v) + ' ms';
    if (v >= 1) return v.toFixed(1) + ' ms';
    return v.toFixed(2) + ' ms';
  },
  num(v, digits = 0) {
    if (v === null || v === undefined || isNaN(v)) return '–';
    return Number(v).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  },
  pct(v) { return v === null || v === undefined || v < 0 || isNaN(v) ? '–' : (v * 100).toFixed(1) + ' %'; },
  bytes(v) {
    if (v === null || v === undefined || v < 0) return '–';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return v.toFixed(i ? 1 : 0) + ' ' + u[i];
  },
  age(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  },
  time(ts) { return ts ? new Date(ts).toLocaleTimeString() : '–'; },
  /** Shortens a frame like a.b.c.Class.method(File.java:12) to Class.method:12; the full one goes in title. */
  frame(f) {
    const m = /([\w$]+)\.([\w$<>]+)\((?:[\w$.]+:(\d+))?/.exec(f || '');
    return m ? m[1] + '.' + m[2] + (m[3] ? ':' + m[3] : '') : (f || '');
  },
};

// ---- tabs of a JVM's page -------------------------------------------------------------------------------

const tabs = [];

/**
 * Registers a tab of the JVM page: {id, title, order, mount(container, page) -> {update?(), unmount?()}}.
 * `page` is the shared state of the open JVM page (see jvmPage in app.js): page.jvm, page.windowMs,
 * page.paused, page.selection (from the URL), page.navigate(tab, selection), page.on(event, fn).
 */
export function registerTab(tab) {
  tabs.push(tab);
  tabs.sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
}

export function allTabs() { return tabs; }

/** Builds a sortable table: columns [{key, title, num, render(row) -> node|string, sort(row) -> value}]. */
export function table(columns, rows, { onRowClick, selectedKey, rowKey, emptyText = 'nothing yet', initialSort } = {}) {
  let sortKey = initialSort ? initialSort.key : null;
  let sortDesc = initialSort ? initialSort.desc !== false : true;
  const wrap = el('div');
  function render() {
    const sorted = [...rows];
    const col = columns.find(c => c.key === sortKey);
    if (col) {
      const val = col.sort || (r => r[col.key]);
      sorted.sort((a, b) => {
        const x = val(a), y = val(b);
        const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return sortDesc ? -cmp : cmp;
      });
    }
    const head = el('tr', {}, columns.map(c => el('th', {
      class: (c.num ? 'num ' : '') + 'sortable', scope: 'col', tabindex: 0,
      'aria-sort': c.key === sortKey ? (sortDesc ? 'descending' : 'ascending') : 'none',
      onclick: () => { if (sortKey === c.key) sortDesc = !sortDesc; else { sortKey = c.key; sortDesc = true; } render(); },
    }, c.title)));
    const body = sorted.length === 0
      ? [el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, emptyText))]
      : sorted.map(r => {
        const key = rowKey ? rowKey(r) : undefined;
        return el('tr', {
          class: (onRowClick ? 'clickable' : '') + (key !== undefined && key === selectedKey ? ' selected' : ''),
          tabindex: onRowClick ? 0 : undefined,
          onclick: onRowClick ? () => onRowClick(r) : undefined,
          onkeydown: onRowClick ? (e) => { if (e.key === 'Enter') onRowClick(r); } : undefined,
        }, columns.map(c => el('td', { class: c.num ? 'num' : '' }, c.render ? c.render(r) : (r[c.key] ?? '–'))));
      });
    wrap.replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, body)));
  }
  render();
  return wrap;
}
