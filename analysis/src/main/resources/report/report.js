'use strict';
// Renders the report from its JSON block. Every value that came from the JVM goes in with textContent.
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const $ = (id) => document.getElementById(id);
  const time = (ms) => ms ? new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC') : '';
  const fmt = (v, d = 1) => v === null || v === undefined || v === '' ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(d)) : String(v);
  const empty = (text) => el('p', { class: 'empty', text });

  /** A sortable table: columns are {label, value(row), num}. */
  function table(columns, rows, onRow) {
    const tbody = el('tbody');
    let sortCol = -1, asc = true;
    function render() {
      tbody.replaceChildren();
      const list = rows.slice();
      if (sortCol >= 0) {
        const c = columns[sortCol];
        list.sort((a, b) => { const x = c.value(a), y = c.value(b); return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1); });
      }
      for (const r of list) {
        const tr = el('tr');
        for (const c of columns) tr.append(el('td', { class: c.num ? 'num' : (c.mono ? 'mono' : null), text: fmt(c.value(r)) }));
        tbody.append(tr);
        if (onRow) onRow(r, tr, tbody, columns.length);
      }
    }
    const head = el('tr');
    columns.forEach((c, i) => {
      const th = el('th', { class: c.num ? 'num' : null, text: c.label, tabindex: '0' });
      const sort = () => { asc = sortCol === i ? !asc : !c.num; sortCol = i; render(); };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') sort(); });
      head.append(th);
    });
    render();
    return el('table', {}, el('thead', {}, head), tbody);
  }

  // ---- header and notes ----
  const jvm = data.jvm || {};
  $('identity').append(el('div', { text: [jvm.name, jvm.pid ? 'pid ' + jvm.pid : null, jvm.jvmVersion, jvm.host].filter(Boolean).join(' · ') }),
    el('div', { class: 'muted', text: 'Data from ' + time(data.span.fromMs) + ' to ' + time(data.span.toMs) + ' · report written ' + time(data.generatedAt) }));
  if (data.notes.length) {
    $('notes').hidden = false;
    for (const n of data.notes) $('notes-list').append(el('li', { text: n }));
  }

  // ---- findings ----
  const anchors = { locks: '#locks', pools: '#pools', threads: '#threads', profiles: '#flame' };
  function evidence(ev) {
    const box = el('div');
    const dl = el('table');
    for (const [k, v] of Object.entries(ev || {})) {
      if (v === null || typeof v === 'object') continue;
      const when = /At$/.test(k) && typeof v === 'number' && v > 1e12; // epoch milliseconds
      dl.append(el('tr', {}, el('td', { class: 'label', text: k }), el('td', { class: 'mono', text: when ? time(v) : fmt(v, 3) })));
    }
    box.append(el('div', { class: 'label', text: 'Evidence' }), dl);
    if (ev && ev.cycle && ev.cycle.threads) {
      box.append(table([
        { label: 'thread', value: (t) => t.name },
        { label: 'holds', value: (t) => t.holds ? t.holds.className + ' ' + t.holds.identityHash : '' },
        { label: 'taken at', value: (t) => t.holdsTakenAt || '', mono: true },
        { label: 'waits for', value: (t) => t.waitingFor ? t.waitingFor.className + ' ' + t.waitingFor.identityHash : '' },
        { label: 'waiting at', value: (t) => t.waitingAt || '', mono: true },
      ], ev.cycle.threads));
    }
    if (ev && ev.herds) {
      box.append(table([
        { label: 'pile-up starts', value: (h) => time(h.startMs) },
        { label: 'threads', value: (h) => h.threads, num: true },
        { label: 'longest wait ms', value: (h) => h.maxWaitMs, num: true },
      ], ev.herds));
    }
    const links = el('div');
    for (const l of (ev && ev.links) || []) {
      const href = l.tab === 'threads' && l.selection ? '#capture-' + l.selection : anchors[l.tab];
      if (href) links.append(el('a', { href, text: l.label }), ' ');
    }
    box.append(links);
    return box;
  }
  if (!data.findings.length) $('findings-list').append(empty('No findings: none of the detectors saw a problem in this data.'));
  for (const f of data.findings) {
    $('findings-list').append(el('article', { class: 'finding ' + f.severity, 'data-kind': f.kind },
      el('h3', {}, el('span', { class: 'sev', text: f.severity }), el('span', { class: 'finding-title', text: f.title })),
      el('div', { class: 'muted', text: f.kind + ' · ' + f.state + ' · from ' + time(f.startedAt) + (f.endedAt ? ' to ' + time(f.endedAt) : '') }),
      el('p', { class: 'explanation', text: f.explanation }),
      el('p', {}, el('span', { class: 'label', text: 'Fix: ' }), el('span', { class: 'fix', text: f.fix })),
      el('details', {}, el('summary', { text: 'Evidence' }), evidence(f.evidence))));
  }

  // ---- locks ----
  const locks = (data.locks && data.locks.locks) || [];
  if (!locks.length) $('locks-body').append(empty('No contended lock in this data.'));
  else {
    $('locks-body').append(table([
      { label: 'lock', value: (l) => l.name },
      { label: 'kind', value: (l) => l.kind },
      { label: 'waits', value: (l) => l.waits, num: true },
      { label: 'total wait ms', value: (l) => l.totalWaitMs, num: true },
      { label: 'p50 ms', value: (l) => l.p50WaitMs, num: true },
      { label: 'p99 ms', value: (l) => l.p99WaitMs, num: true },
      { label: 'max ms', value: (l) => l.maxWaitMs, num: true },
      { label: 'max waiters', value: (l) => l.maxWaiters, num: true },
      { label: 'utilisation', value: (l) => l.utilisation, num: true },
    ], locks, (l, tr, tbody, span) => {
      const stacks = (l.waiterStacks || []).slice(0, 3);
      if (!stacks.length) return;
      const d = el('details', {}, el('summary', { text: 'Where threads wait (' + stacks.length + ' stacks)' }));
      for (const s of stacks) d.append(el('pre', { text: (s.frames || []).join('\n') }));
      tbody.append(el('tr', {}, el('td', { colspan: String(span) }, d)));
    }));
  }

  // ---- pools ----
  const pools = (data.pools && data.pools.pools) || [];
  if (!pools.length) $('pools-body').append(empty('No thread pool in this data.'));
  else {
    $('pools-body').append(table([
      { label: 'pool', value: (p) => p.name },
      { label: 'kind', value: (p) => p.kind },
      { label: 'active', value: (p) => p.active, num: true },
      { label: 'max', value: (p) => p.max, num: true },
      { label: 'queued', value: (p) => p.queueDepth, num: true },
      { label: 'completed/s', value: (p) => p.completedPerSec, num: true },
      { label: 'rejected/s', value: (p) => p.rejectedPerSec, num: true },
      { label: 'saturated', value: (p) => p.saturated ? 'yes: ' + (p.reason || '') : 'no' },
    ], pools));
  }

  // ---- threads ----
  function groups(capture) {
    const byStack = new Map();
    for (const t of capture.threads || []) {
      const key = t.state + '\n' + (t.frames || []).join('\n');
      if (!byStack.has(key)) byStack.set(key, { state: t.state, frames: t.frames || [], names: [] });
      byStack.get(key).names.push(t.name);
    }
    return [...byStack.values()].sort((a, b) => b.names.length - a.names.length);
  }
  function waitForGraph(capture) {
    const threads = capture.threads || [];
    const byId = new Map(threads.map((t) => [t.id, t]));
    const dead = new Set(capture.deadlockedThreadIds || []);
    const edges = threads.filter((t) => t.lockOwnerId !== undefined && byId.has(t.lockOwnerId)).slice(0, 80);
    if (!edges.length) return el('p', { class: 'empty', text: 'No thread waits for a lock another thread holds.' });
    const ids = [...new Set(edges.flatMap((t) => [t.id, t.lockOwnerId]))].slice(0, 40);
    const size = Math.max(320, ids.length * 26), r = size / 2 - 90, c = size / 2;
    const pos = new Map(ids.map((id, i) => [id, [c + r * Math.cos(2 * Math.PI * i / ids.length), c + r * Math.sin(2 * Math.PI * i / ids.length)]]));
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'waitfor'); svg.setAttribute('width', String(size)); svg.setAttribute('height', String(size));
    svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', 'wait-for graph');
    const defs = document.createElementNS(ns, 'defs');
    const marker = document.createElementNS(ns, 'marker');
    for (const [k, v] of Object.entries({ id: 'arrow-' + capture.id, viewBox: '0 0 10 10', refX: '18', refY: '5', markerWidth: '8', markerHeight: '8', orient: 'auto' })) marker.setAttribute(k, v);
    const tip = document.createElementNS(ns, 'path'); tip.setAttribute('d', 'M0,0 L10,5 L0,10 z'); tip.setAttribute('fill', '#555');
    marker.append(tip); defs.append(marker); svg.append(defs);
    for (const t of edges) {
      if (!pos.has(t.id) || !pos.has(t.lockOwnerId)) continue;
      const [x1, y1] = pos.get(t.id), [x2, y2] = pos.get(t.lockOwnerId);
      const line = document.createElementNS(ns, 'line');
      for (const [k, v] of Object.entries({ x1, y1, x2, y2 })) line.setAttribute(k, String(v));
      line.setAttribute('stroke', dead.has(t.id) && dead.has(t.lockOwnerId) ? '#b2182b' : '#888');
      line.setAttribute('stroke-width', dead.has(t.id) ? '2.5' : '1.2');
      line.setAttribute('marker-end', 'url(#arrow-' + capture.id + ')');
      const title = document.createElementNS(ns, 'title');
      title.textContent = t.name + ' waits for ' + (t.waitingOn ? t.waitingOn.className + ' ' + t.waitingOn.identityHash : 'a lock') + ' held by ' + t.lockOwnerName;
      line.append(title); svg.append(line);
    }
    for (const id of ids) {
      const [x, y] = pos.get(id), t = byId.get(id);
      const dot = document.createElementNS(ns, 'circle');
      dot.setAttribute('cx', String(x)); dot.setAttribute('cy', String(y)); dot.setAttribute('r', '7');
      dot.setAttribute('fill', dead.has(id) ? '#b2182b' : t.state === 'BLOCKED' ? '#e08214' : '#2166ac');
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('x', String(x + (x >= c ? 10 : -10))); label.setAttribute('y', String(y + 4));
      label.setAttribute('text-anchor', x >= c ? 'start' : 'end');
      label.textContent = t.name;
      svg.append(dot, label);
    }
    return el('div', {}, svg, el('p', { class: 'muted', text: 'Arrows point from a waiting thread to the thread holding the lock it waits for; red: deadlocked.' }));
  }
  const captures = data.captures || [];
  if (!captures.length) $('threads-body').append(empty('No thread dump in this data.'));
  if (data.stuck && data.stuck.stuckCount !== undefined) {
    const s = data.stuck;
    const box = el('div', { id: 'stuck' }, el('h3', { text: 'Stuck across dumps: ' + s.stuckCount + ' threads in the same frame and state in the first and last dump (' + fmt(s.elapsedMs / 1000) + ' s apart)' }));
    if (s.stuck.length) {
      box.append(table([
        { label: 'thread', value: (t) => t.name },
        { label: 'state', value: (t) => t.state },
        { label: 'frame', value: (t) => t.frame, mono: true },
      ], s.stuck));
    }
    $('threads-body').append(box);
  }
  for (const cap of captures) {
    const states = {};
    for (const t of cap.threads || []) states[t.state] = (states[t.state] || 0) + 1;
    const box = el('div', { class: 'capture', id: 'capture-' + cap.id });
    box.append(el('h3', { text: 'Dump ' + cap.id + ' · ' + time(cap.ts) + ' · ' + cap.trigger + (cap.file ? ' · ' + cap.file : '') }),
      el('div', { class: 'muted', text: Object.entries(states).map(([k, v]) => v + ' ' + k).join(', ') + ((cap.deadlockedThreadIds || []).length ? ' · ' + cap.deadlockedThreadIds.length + ' deadlocked' : '') }));
    const grouped = el('details', { open: '' }, el('summary', { text: 'Threads grouped by stack' }));
    for (const g of groups(cap).slice(0, 60)) {
      const d = el('details', {}, el('summary', {}, el('span', { text: g.names.length + ' × ' }), el('span', { class: 'state-' + g.state, text: g.state }),
        el('span', { class: 'mono', text: ' ' + (g.frames[0] || '(no Java frames)') })));
      d.append(el('div', { class: 'muted', text: g.names.slice(0, 50).join(', ') + (g.names.length > 50 ? ' …' : '') }), el('pre', { text: g.frames.join('\n') }));
      grouped.append(d);
    }
    box.append(grouped, el('details', {}, el('summary', { text: 'Wait-for graph' }), waitForGraph(cap)));
    if (cap.text) box.append(el('details', {}, el('summary', { text: 'Full text (jcmd Thread.print)' }), el('pre', { text: cap.text })));
    $('threads-body').append(box);
  }

  // ---- flame graphs ----
  const fgs = data.flameGraphs || [];
  if (!fgs.length) $('flame-body').append(empty('No profile in this data.'));
  for (const f of fgs) {
    const box = el('div', {}, el('h3', { text: f.title }));
    if (f.error) box.append(el('p', { class: 'empty', text: 'Could not draw: ' + f.error }));
    else {
      const frame = el('iframe', { class: 'flame', title: f.title, sandbox: 'allow-scripts' });
      frame.srcdoc = f.html; // its scripts are allowed by hash in this page's policy, which the frame inherits
      box.append(frame);
    }
    $('flame-body').append(box);
  }

  // ---- raw files ----
  if (!data.rawFiles.length) $('raw-list').append(el('li', { class: 'empty', text: 'This report was written on its own, without raw files.' }));
  for (const f of data.rawFiles) $('raw-list').append(el('li', {}, el('a', { href: encodeURI(f), text: f })));
})();
