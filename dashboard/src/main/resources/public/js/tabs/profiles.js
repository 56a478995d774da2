// Profiles tab: start a cpu / wall / lock / alloc profile, watch its countdown, list the captures, read one
// as an interactive flame graph (async-profiler's viewer in a sandboxed iframe: zoom on click, reset with 0,
// search with the matched percentage, tooltips with samples and percent, frame types coloured) and compare
// two captures of the same kind. Everything from the target JVM is inserted as text.
import { el, api, fmt, registerTab } from '../core.js';

const EVENTS = [
  ['cpu', 'CPU'],
  ['wall', 'Wall clock'],
  ['lock', 'Lock contention'],
  ['alloc', 'Allocation'],
];

registerTab({
  id: 'profiles', title: 'Profiles', order: 40,
  mount(container, page) {
    let captures = [];
    let selected = page.selection && !page.selection.startsWith('recording:') ? page.selection : null;
    let shown = null; // what the viewer currently shows, so refreshes don't reload the iframe
    let compareWith = null;
    let timer = null;
    let disposed = false;

    // ---- the form ------------------------------------------------------------------------------------
    const event = el('select', { id: 'profile-event', 'aria-label': 'event' },
      EVENTS.map(([v, label]) => el('option', { value: v }, label)));
    const duration = el('input', { id: 'profile-duration', type: 'number', min: 1, max: 3600, value: 30,
      class: 'narrow', 'aria-label': 'duration in seconds' });
    const threads = el('input', { id: 'profile-threads', type: 'text', placeholder: 'all threads',
      'aria-label': 'only threads whose name contains' });
    const byThread = el('input', { id: 'profile-by-thread', type: 'checkbox' });
    const threshold = el('input', { id: 'profile-threshold', type: 'number', min: 0, max: 60000, value: 1,
      class: 'narrow', 'aria-label': 'lock threshold in ms' });
    const thresholdLabel = el('label', { class: 'hidden', id: 'profile-threshold-label' }, 'threshold ', threshold, ' ms');
    event.addEventListener('change', () => thresholdLabel.classList.toggle('hidden', event.value !== 'lock'));
    const startBtn = el('button', { id: 'profile-start', class: 'primary', type: 'submit' }, 'Start profile');
    const formMsg = el('span', { class: 'error', role: 'alert', id: 'profile-error' });
    const form = el('form', { class: 'card toolbar', id: 'profile-form' },
      el('label', {}, 'Event ', event),
      el('label', {}, 'Duration ', duration, ' s'),
      el('label', {}, 'Threads containing ', threads),
      el('label', {}, byThread, ' one graph per thread'),
      thresholdLabel, startBtn, formMsg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formMsg.textContent = '';
      const body = { event: event.value, duration: Number(duration.value) };
      if (threads.value.trim()) body.threads = threads.value.trim();
      if (byThread.checked) body.byThread = true;
      if (event.value === 'lock') body.threshold = Number(threshold.value);
      try {
        const c = await page.api('/profiles', { method: 'POST', body });
        selected = c.id;
        recorded = null;
        compareWith = null;
        await refresh();
      } catch (err) { formMsg.textContent = err.message; }
    });

    // ---- running profile, list, viewer ---------------------------------------------------------------
    const running = el('div', { id: 'profile-running', class: 'card hidden', role: 'status', 'aria-live': 'polite' });
    const list = el('div', { id: 'profile-list', class: 'card' });
    const viewer = el('div', { id: 'profile-viewer' });

    // ---- the always-on recording: flame graphs of the page's window, JFR snapshots -------------------
    // Selection "recording:cpu" / "recording:lock" shows the recorded flame graph of the page's window.
    let recorded = page.selection && page.selection.startsWith('recording:') ? page.selection.slice('recording:'.length) : null;
    const recordedTitle = el('h2');
    const snapMsg = el('span', { id: 'snapshot-message', role: 'status' });
    const snapList = el('div', { id: 'snapshot-list' });
    const recordedCard = el('div', { id: 'recording-card', class: 'card' }, recordedTitle,
      el('p', { class: 'muted' }, 'From the always-on recording: nobody needs to have started a profile. ',
        'Drag across a chart to choose another window.'),
      el('div', { class: 'toolbar' },
        el('button', { id: 'recorded-cpu', type: 'button', onclick: () => showRecorded('cpu') }, 'CPU flame graph of the window'),
        el('button', { id: 'recorded-lock', type: 'button', onclick: () => showRecorded('lock') }, 'Lock flame graph of the window'),
        el('button', { id: 'save-snapshot', type: 'button', onclick: saveSnapshot }, 'Save JFR snapshot of the window'),
        snapMsg),
      snapList);
    container.replaceChildren(recordedCard, form, running, list, viewer);

    function showRecorded(event) {
      recorded = event;
      page.selection = 'recording:' + event;
      history.replaceState(null, '', page.link('profiles', page.selection));
      renderRecordedViewer();
    }

    let recordedShown = null;
    async function renderRecordedViewer() {
      recordedTitle.textContent = 'Recorded window: ' + page.windowLabel();
      if (!recorded) return;
      const b = page.bounds();
      const key = recorded + '|' + (page.range ? b.from + '-' + b.to : 'live:' + page.windowMs);
      if (key === recordedShown) return;
      recordedShown = key;
      shown = null;
      viewer.replaceChildren(el('div', { class: 'card muted' }, 'reading the recording…'));
      let g;
      try {
        g = await page.api(`/recording/flamegraph?event=${recorded}&from=${Math.round(b.from)}&to=${Math.round(b.to)}`);
      } catch (err) {
        viewer.replaceChildren(el('div', { class: 'card error', id: 'recorded-error' }, err.message));
        return;
      }
      if (!g.samples) {
        viewer.replaceChildren(el('div', { class: 'card muted', id: 'recorded-empty' },
          `The recording has no ${recorded} samples in ${page.windowLabel()}` + (recorded === 'lock' ? ' (no lock wait above its threshold).' : '.')));
        return;
      }
      const frame = el('iframe', { id: 'recorded-flamegraph', class: 'flamegraph', title: recorded + ' flame graph of the window',
        sandbox: 'allow-scripts allow-modals', 'data-event': recorded, 'data-from': g.fromMs, 'data-to': g.toMs });
      const load = () => { if (frame.isConnected && frame.getBoundingClientRect().width > 0) frame.src = g.links.html; else requestAnimationFrame(load); };
      requestAnimationFrame(load);
      viewer.replaceChildren(el('div', { class: 'card' }, el('div', { class: 'toolbar' },
        el('strong', {}, (recorded === 'cpu' ? 'CPU' : 'Lock') + ' flame graph, ' + fmt.time(g.fromMs) + ' – ' + fmt.time(g.toMs)),
        el('span', { class: 'muted', id: 'recorded-samples' }, fmt.num(g.samples) + ' samples from the always-on recording'),
        el('a', { href: g.links.html + '&download=1', download: '' }, 'HTML'), ' · ',
        el('a', { href: g.links.collapsed, download: '' }, 'collapsed')), frame));
    }

    async function saveSnapshot() {
      const b = page.bounds();
      snapMsg.textContent = 'saving…';
      try {
        await page.api('/snapshots', { method: 'POST', body: { from: Math.round(b.from), to: Math.round(b.to) } });
        snapMsg.textContent = '';
      } catch (err) { snapMsg.textContent = 'snapshot failed: ' + err.message; }
      refreshSnapshots();
    }

    async function refreshSnapshots() {
      let snaps;
      try { snaps = await page.api('/snapshots'); } catch (e) { return; }
      snapList.replaceChildren(snaps.length === 0 ? '' : el('table', {},
        el('thead', {}, el('tr', {}, ['Saved', 'Window', 'For finding', 'Size', ''].map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, snaps.map(x => el('tr', { 'data-snapshot-id': x.id },
          el('td', {}, fmt.time(x.createdAt)),
          el('td', {}, fmt.time(x.fromMs) + ' – ' + fmt.time(x.toMs), x.exact ? '' : el('span', { class: 'muted',
            title: 'JDK 17/18: whole JFR chunks overlapping the window (JFR writes data in chunks)' }, ' (whole chunks)')),
          el('td', {}, x.findingId || '–'),
          el('td', { class: 'num' }, fmt.bytes(x.sizeBytes)),
          el('td', {}, el('a', { href: x.links.jfr, download: '', class: 'snapshot-download' }, 'download .jfr')))))));
    }
    renderRecordedViewer();
    refreshSnapshots();
    page.on('window', () => { recordedShown = null; renderRecordedViewer(); });
    page.on('snapshots', refreshSnapshots); // one saved around a moment (moment.js)

    // Built once and updated in place (four times a second), so the Stop button is never replaced under the cursor.
    const runLabel = el('span');
    const countdownText = el('strong', { id: 'profile-countdown' });
    const bar = el('div', { class: 'progress-bar' });
    const runNote = el('div', { class: 'muted' });
    let runningId = null;
    const stopBtn = el('button', { type: 'button', id: 'profile-stop', onclick: async () => {
      if (!runningId) return;
      try { await api('/api/profiles/' + encodeURIComponent(runningId) + '/stop', { method: 'POST', body: {} }); }
      catch (err) { formMsg.textContent = err.message; }
    } }, 'Stop now');
    running.replaceChildren(runLabel, countdownText, ' ', stopBtn, el('div', { class: 'progress' }, bar), runNote);

    function renderRunning() {
      const r = captures.find(c => c.status === 'running');
      running.classList.toggle('hidden', !r);
      startBtn.disabled = !!r;
      runningId = r ? r.id : null;
      if (!r) return;
      const elapsed = Date.now() - (r.startedAt || r.requestedAt);
      const left = r.durationMs > 0 ? Math.max(0, r.durationMs - elapsed) : null;
      runLabel.textContent = `Profiling ${r.event} with ${r.engine || '…'}: `;
      countdownText.textContent = left === null ? fmt.age(elapsed) + ' so far'
        : left > 0 ? Math.ceil(left / 1000) + ' s left' : 'collecting the result…';
      bar.style.width = r.durationMs > 0 ? Math.min(100, 100 * elapsed / r.durationMs).toFixed(1) + '%' : '100%';
      runNote.textContent = r.engineNote || '';
    }

    function renderList() {
      if (captures.length === 0) {
        list.replaceChildren(el('span', { class: 'muted' }, 'No profile of this JVM yet.'));
        return;
      }
      const rows = captures.map(c => el('tr', {
        class: 'clickable' + (c.id === selected ? ' selected' : ''), tabindex: 0, 'data-profile-id': c.id,
        onclick: () => select(c.id), onkeydown: (e) => { if (e.key === 'Enter') select(c.id); } },
      el('td', {}, fmt.time(c.startedAt || c.requestedAt)),
      el('td', {}, c.event),
      el('td', {}, c.engine || '–', c.engineNote ? el('span', { class: 'muted', title: c.engineNote }, ' ⓘ') : null),
      el('td', { class: 'num' }, c.durationMs > 0 ? fmt.age(c.durationMs) : 'until stopped'),
      el('td', {}, c.threads || 'all'),
      el('td', { class: 'num' }, c.status === 'done' ? fmt.num(c.samples) : '–'),
      el('td', { class: 'profile-status' }, c.status === 'failed'
        ? el('span', { class: 'badge crit', title: c.reason || '' }, 'failed')
        : el('span', { class: 'badge' + (c.status === 'done' ? ' ok' : ' warn') }, c.status),
        c.status === 'failed' ? el('div', { class: 'muted' }, c.reason || '') : null),
      el('td', {}, c.status === 'done' ? downloads(c) : '–')));
      list.replaceChildren(el('table', {},
        el('thead', {}, el('tr', {}, ['Started', 'Event', 'Engine', 'Duration', 'Threads', 'Samples', 'Status', 'Download']
          .map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows)));
    }

    function downloads(c) {
      const link = (href, text) => el('a', { href, download: '', onclick: (e) => e.stopPropagation() }, text);
      return [link(c.links.html + '?download=1', 'HTML'), ' · ', link(c.links.collapsed, 'collapsed'), ' · ',
        link(c.links.jfr, 'JFR')];
    }

    function select(id) {
      selected = id;
      compareWith = null;
      page.navigate('profiles', id);
    }

    async function renderViewer() {
      if (recorded) return; // the viewer shows the recorded window's flame graph
      const c = captures.find(x => x.id === selected) || null;
      const key = c ? c.id + '|' + c.status + '|' + (compareWith || '') : '';
      if (key === shown) return;
      shown = key;
      if (!c) { viewer.replaceChildren(); return; }
      if (c.status !== 'done') {
        viewer.replaceChildren(el('div', { class: 'card muted' },
          c.status === 'running' ? 'The flame graph appears here when the profile is done.'
            : 'This profile failed: ' + (c.reason || 'no reason given')));
        return;
      }
      if (!c.samples) {
        viewer.replaceChildren(el('div', { class: 'card muted', id: 'profile-empty' },
          `No ${c.event} samples were recorded` + (c.threads ? ` in threads containing "${c.threads}"` : '')
          + (c.event === 'lock' ? ' (no lock was contended longer than the threshold)' : '') + '.'));
        return;
      }
      let others = [];
      try { others = (await api('/api/profiles')).filter(o => o.id !== c.id && o.status === 'done' && o.event === c.event); }
      catch (e) { /* comparing is optional */ }
      const compare = el('select', { id: 'profile-compare', 'aria-label': 'compare with' },
        el('option', { value: '' }, 'compare with…'),
        others.map(o => el('option', { value: o.id, selected: o.id === compareWith },
          `${o.jvmName} · ${fmt.time(o.startedAt)} · ${fmt.num(o.samples)} samples (${o.engine})`)));
      compare.addEventListener('change', () => { compareWith = compare.value || null; renderViewer(); });
      const src = compareWith
        ? '/api/profiles/' + encodeURIComponent(compareWith) + '/diff/' + encodeURIComponent(c.id) + '/html'
        : c.links.html;
      // No allow-same-origin: the viewer runs in an opaque origin and cannot touch the dashboard.
      // allow-modals: its search button asks for the pattern with prompt().
      const frame = el('iframe', { id: 'flamegraph', class: 'flamegraph', title: 'flame graph',
        sandbox: 'allow-scripts allow-modals' });
      // The viewer sizes its canvas once, from its width at load: give it the URL only once it is laid out.
      const load = () => { if (frame.isConnected && frame.getBoundingClientRect().width > 0) frame.src = src; else requestAnimationFrame(load); };
      requestAnimationFrame(load);
      const head = el('div', { class: 'toolbar' },
        el('strong', {}, compareWith ? 'Differential flame graph' : 'Flame graph'),
        el('span', { class: 'muted' }, compareWith
          ? 'widths: this capture; orange grew, blue shrank since the one compared with (share of all samples)'
          : 'click a frame to zoom, 0 to reset, Ctrl+F or the magnifier to search'),
        compare);
      const parts = [head, frame];
      if (compareWith) {
        const summary = el('div', { id: 'profile-diff', class: 'card' }, 'loading the comparison…');
        parts.push(summary);
        api('/api/profiles/' + encodeURIComponent(compareWith) + '/diff/' + encodeURIComponent(c.id))
          .then(d => summary.replaceChildren(diffTable('Grew', d.grew), diffTable('Shrank', d.shrank)))
          .catch(err => summary.replaceChildren(el('span', { class: 'error' }, err.message)));
      }
      viewer.replaceChildren(el('div', { class: 'card' }, parts));
    }

    function diffTable(title, rows) {
      return el('div', { class: 'diff-part' }, el('h2', {}, title + ' (self samples, % of all)'),
        el('table', {}, el('thead', {}, el('tr', {}, ['Frame', 'before', 'after', 'change']
          .map((h, i) => el('th', { scope: 'col', class: i ? 'num' : '' }, h)))),
        el('tbody', {}, rows.length === 0 ? el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'nothing'))
          : rows.map(r => el('tr', {},
            el('td', { class: 'mono frame-name', title: r.frame }, r.frame),
            el('td', { class: 'num' }, r.aSelfPct.toFixed(2)),
            el('td', { class: 'num' }, r.bSelfPct.toFixed(2)),
            el('td', { class: 'num' }, (r.deltaPct > 0 ? '+' : '') + r.deltaPct.toFixed(2)))))));
    }

    async function refresh() {
      try {
        captures = await page.api('/profiles');
      } catch (e) {
        list.replaceChildren(el('span', { class: 'error' }, e.message));
        return;
      }
      if (!selected && !recorded && captures.length) selected = captures[0].id;
      renderRunning();
      renderList();
      renderViewer();
    }

    async function tick() {
      if (disposed) return;
      await refresh();
      timer = setTimeout(tick, captures.some(c => c.status === 'running') ? 1000 : 5000);
    }

    refresh().then(() => { if (!disposed) timer = setTimeout(tick, 1000); });
    const countdown = setInterval(renderRunning, 250);
    return { unmount() { disposed = true; clearTimeout(timer); clearInterval(countdown); } };
  },
});
