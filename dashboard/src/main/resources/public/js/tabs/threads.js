// Threads tab: take thread dumps, browse captures (grouped by stack, filtered, searched), the wait-for graph,
// the deadlock banner with its cycle drawn, and the comparison of two captures. Thread names, frames and lock
// names come from the target JVM: they are only ever inserted as text (el() / textContent), never as HTML.
// A brushed window (page.range) narrows both lists to it (?from=&to=); the live windows (10 s, 1 min, 10 min) do
// not: captures are few and each one was asked for, so hiding one a minute old would only lose it.
import { el, fmt, registerTab, table } from '../core.js';

const STATES = ['RUNNABLE', 'BLOCKED', 'WAITING', 'TIMED_WAITING', 'NEW', 'TERMINATED'];
const MAX_ROWS = 500;      // flat thread list: beyond this, filter to narrow
const MAX_GROUPS = 200;    // grouped view
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const lockName = (l) => (l ? l.className + '@' + l.identityHash : '–');
const shortClass = (c) => (c || '').replace(/^.*\./, '');
const frameNode = (f, cls = 'frame') => el('div', { class: cls + ' mono', title: f }, fmt.frame(f));

registerTab({
  id: 'threads', title: 'Threads', order: 30,
  mount(container, page) {
    const state = { captures: [], total: 0, showAll: false, current: null, view: 'groups', stateFilter: '', nameFilter: '', frameSearch: '', text: null };
    const banner = el('div', { id: 'deadlock-banner' });
    const status = el('span', { id: 'dump-status', class: 'muted', role: 'status', 'aria-live': 'polite' });
    const syncBox = el('input', { type: 'checkbox', id: 'locked-synchronizers' });
    const takeBtn = el('button', { class: 'primary', id: 'take-dump', onclick: () => takeDump() }, 'Take thread dump');
    const capturesBox = el('div', { id: 'captures', class: 'card' });
    const compareBox = el('div', { id: 'compare', class: 'card' });
    const viewBox = el('div', { id: 'capture-view' });
    container.replaceChildren(
      banner,
      el('div', { class: 'toolbar' }, takeBtn,
        el('label', { title: 'Also lists the java.util.concurrent locks each thread holds. Scans the whole heap at a safepoint: can pause a big-heap JVM for a long time.' },
          syncBox, ' include locked synchronizers (heap scan)'), status),
      el('p', { class: 'muted small' }, 'Deadlocks through read locks, Semaphores or CountDownLatches are not detected: they have no owner thread, so the JVM cannot see a cycle through them.'),
      capturesBox, compareBox, viewBox);

    // ---- deadlocks ------------------------------------------------------------------------------------
    let deadlockKey = '';
    async function refreshDeadlocks() {
      let list, later;
      try {
        const all = await page.api('/deadlocks');
        // in a brushed window: those detected by its end (a deadlock never resolves, so it holds during the window)
        list = page.range ? await page.api('/deadlocks?' + page.windowQuery()) : all;
        later = all.length - list.length;
      } catch (e) { return; }
      const key = list.map(d => d.id).join(',') + '+' + later;
      if (key === deadlockKey) return;
      deadlockKey = key;
      banner.replaceChildren(...list.slice(-5).reverse().map(deadlockCard),
        later ? el('p', { id: 'later-deadlocks', class: 'banner warn' }, later + ' deadlock' + (later > 1 ? 's' : '') + ' detected after the selected window: ',
          el('button', { class: 'link', onclick: () => page.setRange(null) }, 'back to live')) : '');
      refreshCaptures();
    }

    function deadlockCard(d) {
      const threads = d.cycles.reduce((n, c) => n + c.threads.length, 0);
      return el('div', { class: 'card deadlock' },
        el('div', { class: 'banner crit', role: 'alert' },
          'Deadlock detected at ' + fmt.time(d.detectedAt) + ': ' + threads + ' threads in ' + d.cycles.length + ' cycle' + (d.cycles.length > 1 ? 's' : ''), ' ',
          d.captureId ? el('a', { class: 'dump-link', href: '#', onclick: (e) => { e.preventDefault(); openCapture(d.captureId); } }, 'open the dump captured at detection') : null),
        d.cycles.map(cycleView));
    }

    function cycleView(c) {
      const n = c.threads.length;
      const w = 520, h = n <= 2 ? 200 : 300, r = n <= 2 ? 60 : 100, cx = w / 2, cy = h / 2;
      const pos = c.threads.map((t, i) => {
        const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
        return [cx + (n === 2 ? 1.6 : 1) * r * Math.cos(a + (n === 2 ? Math.PI / 2 : 0)), cy + r * Math.sin(a + (n === 2 ? Math.PI / 2 : 0))];
      });
      const g = svg('svg', { class: 'cycle-graph', viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'aria-label': 'deadlock cycle' },
        svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
          svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))));
      c.threads.forEach((t, i) => {
        const [x1, y1] = pos[i], [x2, y2] = pos[(i + 1) % n];
        const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy) || 1, ux = dx / len, uy = dy / len;
        const bend = n === 2 ? (i === 0 ? -18 : 18) : 0;
        const sx = x1 + ux * 46 - uy * bend, sy = y1 + uy * 24 + ux * bend, ex = x2 - ux * 46 - uy * bend, ey = y2 - uy * 24 + ux * bend;
        g.append(svg('line', { x1: sx, y1: sy, x2: ex, y2: ey, class: 'edge', 'marker-end': 'url(#arrow)' }));
        g.append(svg('text', { x: (sx + ex) / 2 - uy * 12, y: (sy + ey) / 2 + ux * 12, class: 'edge-label', 'text-anchor': 'middle' },
          'waits for ' + shortClass(t.waitingFor?.className) + '@' + (t.waitingFor?.identityHash || '?')));
      });
      c.threads.forEach((t, i) => {
        const [x, y] = pos[i];
        g.append(svg('g', { class: 'node' }, svg('rect', { x: x - 46, y: y - 16, width: 92, height: 32, rx: 6 }),
          svg('text', { x, y: y + 4, 'text-anchor': 'middle', class: 'node-label' }, t.name.length > 14 ? t.name.slice(0, 13) + '…' : t.name),
          svg('title', {}, t.name)));
      });
      const rows = c.threads.map(t => el('tr', { class: 'cycle-thread' },
        el('td', { class: 'mono' }, t.name),
        el('td', {}, el('div', { class: 'mono' }, lockName(t.holds)), t.holdsTakenAt ? el('div', { class: 'muted small', title: t.holdsTakenAt }, 'taken in ' + fmt.frame(t.holdsTakenAt)) : el('div', { class: 'muted small' }, t.holds?.kind === 'synchronizer' ? 'j.u.c. lock: the JVM does not record where it was taken' : '')),
        el('td', {}, el('div', { class: 'mono' }, lockName(t.waitingFor)), el('div', { class: 'muted small' }, 'owned by ' + (t.waitingForOwnerName || '?'))),
        el('td', {}, t.waitingAt ? frameNode(t.waitingAt) : '–')));
      return el('div', { class: 'cycle' }, g,
        el('table', { class: 'cycle-table' }, el('thead', {}, el('tr', {}, ['Thread', 'Holds', 'Waits for', 'Waiting at'].map(h => el('th', {}, h)))), el('tbody', {}, rows)));
    }

    // ---- captures --------------------------------------------------------------------------------------
    async function refreshCaptures() {
      try {
        const all = await page.api('/threaddumps');
        state.total = all.length;
        state.captures = page.range && !state.showAll ? await page.api('/threaddumps?' + page.windowQuery()) : all;
      } catch (e) { capturesBox.replaceChildren(el('p', { class: 'error' }, e.message)); return; }
      renderCaptures();
    }

    function showAll(all) { state.showAll = all; refreshCaptures(); }

    function windowNote() {
      if (!page.range) return null;
      return el('p', { id: 'captures-window', class: 'muted small' }, state.showAll
        ? ['all ' + state.total + ' captures (the page\'s window is ' + page.windowLabel() + ') · ', el('button', { id: 'captures-in-window', class: 'link', onclick: () => showAll(false) }, 'only the selected window')]
        : ['captures in the selected window: ' + state.captures.length + ' of ' + state.total + ' · ', el('button', { id: 'captures-show-all', class: 'link', onclick: () => showAll(true) }, 'show all')]);
    }

    function renderCaptures() {
      const rows = state.captures;
      const empty = page.range && !state.showAll ? 'No capture in the selected window.' : 'No capture yet: take a thread dump.';
      capturesBox.replaceChildren(el('h2', {}, 'Captures'), windowNote(), table([
        { key: 'ts', title: 'Taken', render: c => fmt.time(c.ts), sort: c => c.ts },
        { key: 'trigger', title: 'Trigger', render: c => c.trigger === 'deadlock' ? el('span', { class: 'badge crit' }, 'deadlock') : c.trigger },
        { key: 'threadCount', title: 'Threads', num: true },
        { key: 'states', title: 'States', render: c => STATES.filter(s => c.states[s]).map(s => s + ' ' + c.states[s]).join(' · '), sort: c => c.states.BLOCKED || 0 },
        { key: 'virtualThreadCount', title: 'Virtual', num: true },
        { key: 'dl', title: 'Download', render: c => el('span', {},
          el('a', { href: '/api/threaddumps/' + encodeURIComponent(c.id) + '?format=text&download=true', download: '', onclick: e => e.stopPropagation() }, 'text'), ' · ',
          el('a', { href: '/api/threaddumps/' + encodeURIComponent(c.id) + '?download=true', download: '', onclick: e => e.stopPropagation() }, 'json')), sort: c => c.id },
      ], rows, { onRowClick: c => openCapture(c.id), rowKey: c => c.id, selectedKey: state.current?.id, initialSort: { key: 'ts', desc: true }, emptyText: empty }));
      renderCompareForm();
    }

    async function takeDump() {
      takeBtn.disabled = true;
      status.textContent = 'taking a thread dump…';
      try {
        const c = await page.api('/threaddump', { method: 'POST', body: { lockedSynchronizers: syncBox.checked } });
        status.textContent = 'dump ' + c.id + ' taken: ' + c.threadCount + ' threads'
          + (page.range && !state.showAll && c.ts > page.range.to ? ' (after the selected window: listed under "show all")' : '');
        await refreshCaptures();
        await openCapture(c.id);
      } catch (e) {
        status.textContent = 'thread dump failed: ' + e.message;
      } finally {
        takeBtn.disabled = false;
      }
    }

    async function openCapture(id) {
      viewBox.replaceChildren(el('p', { class: 'muted' }, 'loading ' + id + '…'));
      try {
        state.current = await fetch('/api/threaddumps/' + encodeURIComponent(id), { credentials: 'same-origin' }).then(r => r.ok ? r.json() : Promise.reject(new Error('capture ' + id + ' is gone')));
      } catch (e) { viewBox.replaceChildren(el('p', { class: 'error' }, e.message)); return; }
      state.text = null;
      const [path, query = ''] = location.hash.split('?');
      const q = new URLSearchParams(query);
      q.set('sel', id);
      history.replaceState(null, '', path + '?' + q);
      renderCaptures();
      renderCapture();
    }

    // ---- one capture ----------------------------------------------------------------------------------
    function filtered() {
      const name = state.nameFilter.toLowerCase(), search = state.frameSearch.toLowerCase();
      return state.current.threads.filter(t => (!state.stateFilter || t.state === state.stateFilter)
        && (!name || t.name.toLowerCase().includes(name))
        && (!search || t.frames.some(f => f.toLowerCase().includes(search)) || (t.waitingOn && lockName(t.waitingOn).toLowerCase().includes(search))));
    }

    function renderCapture() {
      const c = state.current;
      const stateSel = el('select', { id: 'state-filter', 'aria-label': 'state', onchange: e => { state.stateFilter = e.target.value; renderBody(); } },
        el('option', { value: '' }, 'all states'), STATES.map(s => el('option', { value: s, selected: s === state.stateFilter }, s)));
      const nameIn = el('input', { id: 'name-filter', type: 'search', placeholder: 'thread name', 'aria-label': 'filter by thread name', value: state.nameFilter,
        oninput: e => { state.nameFilter = e.target.value; renderBody(); } });
      const searchIn = el('input', { id: 'frame-search', type: 'search', placeholder: 'search in frames', 'aria-label': 'search in frames', value: state.frameSearch,
        oninput: e => { state.frameSearch = e.target.value; renderBody(); } });
      const views = [['groups', 'Grouped by stack'], ['list', 'Threads'], ['graph', 'Wait-for graph'], ['text', 'jstack text']];
      const viewBar = el('div', { class: 'toolbar', role: 'group', 'aria-label': 'view' }, views.map(([v, label]) =>
        el('button', { 'data-view': v, 'aria-pressed': String(v === state.view), onclick: () => { state.view = v; renderCapture(); } }, label)));
      const body = el('div', { id: 'capture-body' });
      viewBox.replaceChildren(el('div', { class: 'card' },
        el('h2', {}, 'Capture ' + c.id + ' · ' + new Date(c.ts).toLocaleString() + ' · ' + c.threadCount + ' threads' + (c.trigger === 'deadlock' ? ' · taken at deadlock detection' : '')),
        el('div', { class: 'muted small' }, 'dump took ' + fmt.ms(c.dumpMs) + (c.lockedSynchronizers ? ' · with locked synchronizers' : '') + ' · CPU% over the last ' + fmt.ms(c.cpuWindowMs)),
        viewBar, el('div', { class: 'toolbar' }, stateSel, nameIn, searchIn), body, virtualView(c)));
      renderBody();
    }

    function renderBody() {
      const body = document.getElementById('capture-body');
      if (!body || !state.current) return;
      const threads = filtered();
      if (state.view === 'groups') body.replaceChildren(groupsView(threads));
      else if (state.view === 'list') body.replaceChildren(listView(threads));
      else if (state.view === 'graph') body.replaceChildren(graphView(threads));
      else textView(body);
    }

    function groupsView(threads) {
      const groups = new Map();
      for (const t of threads) {
        const key = t.state + '\n' + t.frames.join('\n');
        let g = groups.get(key);
        if (!g) groups.set(key, g = { state: t.state, frames: t.frames, threads: [] });
        g.threads.push(t);
      }
      const sorted = [...groups.values()].sort((a, b) => b.threads.length - a.threads.length);
      return el('div', { class: 'groups' },
        el('div', { class: 'muted small' }, threads.length + ' threads in ' + sorted.length + ' groups of identical stacks'),
        sorted.slice(0, MAX_GROUPS).map(g => {
          const stack = el('div', { class: 'stack', hidden: true }, g.frames.map(f => frameNode(f)));
          const names = g.threads.slice(0, 30).map(t => t.name);
          return el('div', { class: 'group card' },
            el('div', { class: 'group-head clickable', tabindex: 0, role: 'button', onclick: () => { stack.hidden = !stack.hidden; },
              onkeydown: e => { if (e.key === 'Enter') stack.hidden = !stack.hidden; } },
              el('span', { class: 'group-count badge' }, g.threads.length + ' × '), el('span', { class: 'badge state-' + g.state }, g.state), ' ',
              g.frames.length ? frameNode(g.frames[0], 'frame top-frame') : el('span', { class: 'muted' }, '(no Java frames)')),
            el('div', { class: 'group-names mono small' }, names.join(', ') + (g.threads.length > 30 ? ' … and ' + (g.threads.length - 30) + ' more' : '')),
            stack);
        }),
        sorted.length > MAX_GROUPS ? el('p', { class: 'muted' }, (sorted.length - MAX_GROUPS) + ' more groups: filter to narrow') : null);
    }

    function listView(threads) {
      const rows = threads.slice(0, MAX_ROWS);
      return el('div', {},
        threads.length > MAX_ROWS ? el('p', { class: 'muted' }, 'showing ' + MAX_ROWS + ' of ' + threads.length + ' threads: filter to narrow') : null,
        table([
          { key: 'name', title: 'Name', render: t => el('span', { class: 'mono thread-name' }, t.name) },
          { key: 'state', title: 'State', render: t => el('span', { class: 'badge state-' + t.state }, t.state) },
          { key: 'recentCpuPercent', title: 'CPU %', num: true, render: t => t.recentCpuPercent >= 0 ? t.recentCpuPercent.toFixed(1) : '–' },
          { key: 'cpuTimeNs', title: 'CPU time', num: true, render: t => t.cpuTimeNs >= 0 ? fmt.ms(t.cpuTimeNs / 1e6) : '–' },
          { key: 'waitingOn', title: 'Waiting on', render: t => t.waitingOn ? el('span', { class: 'mono' }, lockName(t.waitingOn)) : '', sort: t => lockName(t.waitingOn) },
          { key: 'lockOwnerName', title: 'Owner', render: t => t.lockOwnerName || '' },
          { key: 'top', title: 'Top frame', render: t => t.frames.length ? frameNode(t.frames[0]) : '', sort: t => t.frames[0] || '' },
          { key: 'monitors', title: 'Holds', render: t => [...t.lockedMonitors.map(m => m.className + '@' + m.identityHash), ...(t.lockedSynchronizers || []).map(lockName)].join(', '), sort: t => t.lockedMonitors.length },
        ], rows, { initialSort: { key: 'recentCpuPercent', desc: true }, emptyText: 'no thread matches' }));
    }

    /** Who blocks whom: each owner with the threads waiting for its locks, nested; longest chains first. */
    function graphView(threads) {
      const all = new Map(state.current.threads.map(t => [t.id, t]));
      const shown = new Set(threads.map(t => t.id));
      const waiters = new Map();
      for (const t of state.current.threads) {
        if (t.lockOwnerId === undefined || !all.has(t.lockOwnerId)) continue;
        if (!waiters.has(t.lockOwnerId)) waiters.set(t.lockOwnerId, []);
        waiters.get(t.lockOwnerId).push(t);
      }
      const deadlocked = new Set(state.current.deadlockedThreadIds || []);
      const depth = new Map();
      const depthOf = (id, seen = new Set()) => {
        if (depth.has(id)) return depth.get(id);
        if (seen.has(id)) return 0;
        seen.add(id);
        const d = 1 + Math.max(0, ...(waiters.get(id) || []).map(w => depthOf(w.id, seen)));
        depth.set(id, d);
        return d;
      };
      // roots: owners that wait for nobody in this dump; threads of a cycle are shown from their lowest id
      const roots = [...waiters.keys()].map(id => all.get(id)).filter(t => t.lockOwnerId === undefined || !all.has(t.lockOwnerId) || deadlocked.has(t.id));
      const cycleSeen = new Set();
      const visibleRoots = roots.filter(r => {
        if (!deadlocked.has(r.id)) return true;
        if (cycleSeen.has(r.id)) return false;
        let x = r; // mark its whole cycle as seen so a cycle appears once
        while (x && !cycleSeen.has(x.id)) { cycleSeen.add(x.id); x = all.get(x.lockOwnerId); }
        return true;
      }).filter(r => subtreeShown(r.id, new Set()));
      function subtreeShown(id, seen) {
        if (shown.has(id)) return true;
        if (seen.has(id)) return false;
        seen.add(id);
        return (waiters.get(id) || []).some(w => subtreeShown(w.id, seen));
      }
      visibleRoots.sort((a, b) => depthOf(b.id) - depthOf(a.id) || (waiters.get(b.id) || []).length - (waiters.get(a.id) || []).length);
      const node = (t, seen) => {
        const ws = (waiters.get(t.id) || []).filter(w => subtreeShown(w.id, new Set()));
        const cyc = seen.has(t.id);
        seen.add(t.id);
        const kids = cyc ? [] : ws.map(w => node(w, new Set(seen)));
        const head = el('div', { class: 'wf-head' + (deadlocked.has(t.id) ? ' wf-deadlocked' : '') },
          el('span', { class: 'mono thread-name' }, t.name), ' ', el('span', { class: 'badge state-' + t.state }, t.state),
          t.waitingOn && t.lockOwnerName ? el('span', { class: 'muted small' }, ' waits for ' + lockName(t.waitingOn) + ' held by ' + t.lockOwnerName) : null,
          cyc ? el('span', { class: 'badge crit' }, 'cycle') : null,
          ws.length ? el('span', { class: 'muted small' }, ' · blocks ' + ws.length) : null,
          t.frames.length ? frameNode(t.frames[0]) : null);
        if (!kids.length) return el('li', { class: 'wf-node' }, head);
        const list = el('ul', { class: 'wf-children' }, kids);
        return el('li', { class: 'wf-node' }, el('button', { class: 'wf-toggle', 'aria-expanded': 'true', onclick: e => {
          list.hidden = !list.hidden; e.target.setAttribute('aria-expanded', String(!list.hidden)); e.target.textContent = list.hidden ? '▸' : '▾'; } }, '▾'), head, list);
      };
      if (!visibleRoots.length) return el('p', { class: 'muted', id: 'wait-for-empty' }, 'No thread waits for a lock another thread holds.');
      return el('div', { class: 'wait-for' },
        el('div', { class: 'muted small' }, visibleRoots.length + ' chains, longest first (depth ' + depthOf(visibleRoots[0].id) + ')'),
        el('ul', { class: 'wf-roots' }, visibleRoots.slice(0, 200).map(r => node(r, new Set()))));
    }

    async function textView(body) {
      if (!state.current.hasText) { body.replaceChildren(el('p', { class: 'muted' }, 'this capture has no text dump')); return; }
      body.replaceChildren(el('p', { class: 'muted' }, 'loading…'));
      if (state.text === null) {
        const id = state.current.id;
        const res = await fetch('/api/threaddumps/' + encodeURIComponent(id) + '?format=text', { credentials: 'same-origin' });
        state.text = res.ok ? await res.text() : '';
      }
      body.replaceChildren(el('pre', { class: 'jstack' }, state.text));
    }

    function virtualView(c) {
      const v = c.virtualThreads;
      if (!v || !v.supported) return el('p', { class: 'muted small' }, 'Virtual threads: ' + (v?.reason || 'not available'));
      return el('div', { class: 'virtual' }, el('h2', {}, 'Virtual threads: ' + v.count + ' in ' + v.groupCount + ' stacks'),
        table([
          { key: 'count', title: 'Count', num: true },
          { key: 'states', title: 'States', render: g => Object.entries(g.states).map(([s, n]) => s + ' ' + n).join(' · '), sort: g => g.count },
          { key: 'top', title: 'Top frame', render: g => g.frames.length ? frameNode(g.frames[0]) : '–', sort: g => g.frames[0] || '' },
          { key: 'names', title: 'Names', render: g => el('span', { class: 'mono small' }, g.names.join(', ')), sort: g => g.names[0] || '' },
        ], v.groups, { initialSort: { key: 'count', desc: true }, emptyText: 'no virtual threads' }));
    }

    // ---- compare two captures -------------------------------------------------------------------------
    function renderCompareForm() {
      if (state.captures.length < 2) {
        compareBox.replaceChildren(el('p', { class: 'muted' }, state.total >= 2 ? 'Fewer than two captures in the selected window: show all to compare others.' : 'Take two dumps to compare them.'));
        return;
      }
      const opt = (c, sel) => el('option', { value: c.id, selected: sel }, c.id + ' · ' + fmt.time(c.ts) + ' · ' + c.trigger);
      const a = el('select', { id: 'compare-a', 'aria-label': 'earlier capture' }, state.captures.map((c, i) => opt(c, i === 1)));
      const b = el('select', { id: 'compare-b', 'aria-label': 'later capture' }, state.captures.map((c, i) => opt(c, i === 0)));
      const out = el('div', { id: 'compare-result' });
      compareBox.replaceChildren(el('h2', {}, 'Compare two captures'),
        el('div', { class: 'toolbar' }, a, ' with ', b, el('button', { id: 'compare-go', onclick: async () => {
          out.replaceChildren(el('p', { class: 'muted' }, 'comparing…'));
          try {
            const r = await fetch('/api/threaddumps/' + encodeURIComponent(a.value) + '/compare/' + encodeURIComponent(b.value), { credentials: 'same-origin' });
            const d = await r.json();
            if (!r.ok) throw new Error(d.error);
            out.replaceChildren(el('p', {}, d.stuckCount + ' of ' + d.commonThreads + ' threads stuck in the same frames across both (' + fmt.ms(d.elapsedMs) + ' apart); ' + d.onlyInA + ' gone, ' + d.onlyInB + ' new'),
              table([
                { key: 'name', title: 'Thread', render: t => el('span', { class: 'mono thread-name' }, t.name) },
                { key: 'state', title: 'State', render: t => el('span', { class: 'badge state-' + t.state }, t.state) },
                { key: 'frame', title: 'Stuck at', render: t => frameNode(t.frame) },
                { key: 'waitingOn', title: 'Waiting on', render: t => t.waitingOn ? lockName(t.waitingOn) : '', sort: t => lockName(t.waitingOn) },
              ], d.stuck.slice(0, MAX_ROWS), { emptyText: 'no thread is stuck in the same frames' }));
          } catch (e) { out.replaceChildren(el('p', { class: 'error' }, e.message)); }
        } }, 'Compare')), out);
    }

    // ---- life cycle -----------------------------------------------------------------------------------
    refreshCaptures().then(() => { if (page.selection) openCapture(page.selection); });
    refreshDeadlocks();
    page.on('window', () => { state.showAll = false; deadlockKey = ''; refreshCaptures(); refreshDeadlocks(); });
    const timer = setInterval(refreshDeadlocks, 1000);
    return { unmount() { clearInterval(timer); } };
  },
});
