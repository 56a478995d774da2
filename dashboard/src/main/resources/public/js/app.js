// The dashboard's shell: hash routing, the JVM list (home) and each JVM's page with its tabs.
import { el, api, fmt, allTabs } from './core.js';
import { mountFindings } from './findings.js';
import { onBrush, onMoment, showMoment } from './charts.js';
import { momentPicker } from './moment.js';
import { jvmControls } from './controls.js';
import { importForm } from './imports.js';
import { archiveOpener, stateBadge } from './archives.js';
import { mountAttach } from './attach.js';
import './tabs/overview.js';
import './tabs/threads.js';
import './tabs/pools.js';
import './tabs/locks.js';
import './tabs/profiles.js';
import './tabs/waits.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const connBadge = document.getElementById('conn');
let teardown = () => {};

const WINDOWS = [['10s', 10_000], ['1m', 60_000], ['10m', 600_000]];

function parseRoute() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query) };
}

async function route() {
  teardown();
  teardown = () => {};
  const { parts, params } = parseRoute();
  try {
    const session = await api('/api/session');
    if (session.tokenRequired && !session.authorised) return loginPage();
  } catch (e) { /* shown by the page below */ }
  if (parts[0] === 'jvm' && parts[1]) return jvmPage(parts[1], parts[2] || 'overview', params);
  return homePage();
}

function setConn(state, text) {
  connBadge.className = 'conn ' + state;
  connBadge.textContent = text;
}

/** Subscribes to a server-sent event stream; reconnects by itself (EventSource does) and shows the state. */
function stream(url, handlers) {
  const es = new EventSource(url);
  es.onopen = () => setConn('live', 'live');
  es.onerror = () => setConn('lost', 'connection lost – retrying');
  for (const [event, fn] of Object.entries(handlers)) {
    es.addEventListener(event, (e) => fn(JSON.parse(e.data)));
  }
  return () => es.close();
}

// ---- login (only when the dashboard was started with a token) ---------------------------------------

function loginPage() {
  crumbs.replaceChildren();
  const input = el('input', { type: 'password', id: 'token', autocomplete: 'current-password', 'aria-label': 'token' });
  const msg = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'card' },
    el('h1', {}, 'Token required'),
    el('p', {}, 'This dashboard was started with a token. Enter it once; the browser keeps a session cookie.'),
    input, ' ', el('button', { class: 'primary', type: 'submit' }, 'Sign in'), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('/api/login', { method: 'POST', body: { token: input.value } });
      route();
    } catch (err) { msg.textContent = err.message; }
  });
  main.replaceChildren(form);
}

// ---- home: the JVM list ------------------------------------------------------------------------------

function trouble(j) {
  // Sorted by trouble first: open critical findings, then blocked threads, then connected.
  const s = j.sample?.vitals?.threads || {};
  return (j.deadlocked ? 100000 : 0) + (j.findings?.critical || 0) * 1000 + (j.findings?.open || 0) * 100 + (s.BLOCKED || 0) + (j.connected ? 1 : 0);
}

function homePage() {
  document.body.classList.remove('read-only');
  crumbs.replaceChildren(el('span', {}, 'JVMs'));
  const body = el('div', { id: 'jvm-list' });
  const attachPanel = el('div');
  main.replaceChildren(el('h1', {}, 'JVMs'), body, attachPanel, archiveOpener(), importForm());
  mountAttach(attachPanel);
  const render = (jvms) => {
    if (jvms.length === 0) {
      body.replaceChildren(el('div', { class: 'card muted' },
        'No JVM connected yet. Start one with -javaagent:lockscope-agent.jar, or attach with ',
        el('code', {}, 'java -jar lockscope-agent.jar attach <pid>'), '.'));
      return;
    }
    jvms.sort((a, b) => trouble(b) - trouble(a));
    const rows = jvms.map(j => {
      const v = j.sample?.vitals || {};
      const t = v.threads || {};
      return el('tr', { class: 'clickable jvm-row', 'data-jvm-id': j.id, tabindex: 0,
        onclick: () => { location.hash = '#/jvm/' + encodeURIComponent(j.id) + '/overview'; },
        onkeydown: (e) => { if (e.key === 'Enter') location.hash = '#/jvm/' + encodeURIComponent(j.id) + '/overview'; } },
        el('td', {}, el('span', { class: 'jvm-name' }, j.name), el('div', { class: 'muted mono' }, j.mainClass)),
        el('td', { class: 'num' }, j.pid),
        el('td', {}, j.host),
        el('td', {}, j.jvmVersion),
        el('td', {}, j.connected ? fmt.age(Date.now() - j.startTime) : '–'),
        el('td', {}, stateBadge(j)),
        el('td', { class: 'num' }, t.RUNNABLE ?? '–'),
        el('td', { class: 'num' }, t.BLOCKED ? el('span', { class: 'badge warn' }, t.BLOCKED) : (t.BLOCKED ?? '–')),
        el('td', { class: 'num' }, (t.WAITING ?? 0) + (t.TIMED_WAITING ?? 0)),
        el('td', { class: 'num' }, fmt.pct(v.cpu?.processCpuLoad)),
        el('td', { class: 'num' }, fmt.bytes(v.heap?.usedBytes)),
        el('td', { class: 'badges' }, j.deadlocked ? el('span', { class: 'badge crit deadlock-badge', title: j.deadlockedThreads + ' threads deadlocked' }, 'DEADLOCK') : null, findingBadges(j)));
    });
    body.replaceChildren(el('table', {},
      el('thead', {}, el('tr', {}, ['Name', 'PID', 'Host', 'JVM', 'Uptime', 'State', 'Runnable', 'Blocked', 'Waiting', 'CPU', 'Heap', 'Findings']
        .map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
  };
  api('/api/jvms').then(render).catch(e => body.replaceChildren(el('p', { class: 'error' }, e.message)));
  teardown = stream('/api/stream', { jvms: render });
}

function findingBadges(j) {
  const f = j.findings;
  if (!f || !f.open) return [];
  return [el('span', { class: 'badge ' + (f.critical ? 'crit' : 'warn'), title: (f.kinds || []).join(', ') },
    f.open + ' finding' + (f.open > 1 ? 's' : ''))];
}

// ---- a JVM's page -----------------------------------------------------------------------------------

async function jvmPage(id, tabId, params) {
  const listeners = {};
  const from = Number(params.get('from')), to = Number(params.get('to'));
  const page = {
    id, jvm: null, samples: [], paused: false, newWhilePaused: 0,
    windowMs: WINDOWS.find(w => w[0] === params.get('w'))?.[1] || 60_000,
    // A window brushed on a chart (epoch ms): when set, every view shows it instead of the last windowMs.
    range: from > 0 && to > from ? { from, to } : null,
    // A moment picked with a click on a chart (epoch ms), for a JFR snapshot around it; the URL carries it (at=).
    moment: Number(params.get('at')) > 0 ? Number(params.get('at')) : null,
    selection: params.get('sel'),
    tab: tabId,
    on(evt, fn) { (listeners[evt] ||= []).push(fn); },
    emit(evt, arg) { (listeners[evt] || []).forEach(fn => { try { fn(arg); } catch (e) { console.error(e); } }); },
    /** The window's bounds (epoch ms): the brushed range, or the last windowMs up to now. */
    bounds() { return page.range || { from: page.now() - page.windowMs, to: page.now() }; },
    /** Samples inside the selected window, oldest first. */
    /** "Now" for windows: an archive's data ended with its last sample. */
    now() { return page.jvm?.archive ? page.jvm.sampleTs : Date.now(); },
    windowSamples() { const b = page.bounds(); return page.samples.filter(s => s.ts >= b.from && s.ts <= b.to); },
    /** The query every windowed API takes: ?window=60s, or ?from=&to= for a brushed window. */
    windowQuery() { return page.range ? `from=${page.range.from}&to=${page.range.to}` : 'window=' + Math.round(page.windowMs / 1000) + 's'; },
    /** "last 1 min" or "12:01:02 – 12:01:40". */
    windowLabel() { return page.range ? fmt.time(page.range.from) + ' – ' + fmt.time(page.range.to) : 'last ' + fmt.age(page.windowMs); },
    /** The URL of a view of this page, carrying the window (deep links). */
    link(tab, selection, range = page.range) {
      const q = new URLSearchParams();
      q.set('w', WINDOWS.find(w => w[1] === page.windowMs)?.[0] || '1m');
      if (range) { q.set('from', String(range.from)); q.set('to', String(range.to)); }
      if (page.moment) q.set('at', String(page.moment));
      if (selection) q.set('sel', selection);
      return '#/jvm/' + encodeURIComponent(id) + '/' + tab + '?' + q;
    },
    navigate(tab, selection, range) { location.hash = page.link(tab, selection, range === undefined ? page.range : range); },
    /** Sets (or clears, with null) the brushed window: every view follows; the URL carries it. */
    setRange(range) {
      page.range = range;
      history.replaceState(null, '', page.link(page.tab, page.selection));
      renderWindow();
      page.emit('window', page.windowMs);
    },
    /** Sets (or clears, with null) the moment: the charts mark it, the URL carries it. */
    setMoment(at) {
      page.moment = at ? Math.round(at) : null;
      history.replaceState(null, '', page.link(page.tab, page.selection));
      moment.render();
      showMoment();
      page.emit('moment', page.moment);
    },
    api(path, options) { return api('/api/jvms/' + encodeURIComponent(id) + path, options); },
  };
  let renderWindow = () => {};
  let moment = { render() {} };
  try {
    page.jvm = await api('/api/jvms/' + encodeURIComponent(id));
    document.body.classList.toggle('read-only', !!page.jvm.archive); // an archive: nothing to ask of it
    page.samples = await page.api('/samples?window=10m');
  } catch (e) {
    main.replaceChildren(el('p', { class: 'error' }, e.message), el('a', { href: '#/' }, 'back to the JVM list'));
    return;
  }
  crumbs.replaceChildren(el('a', { href: '#/' }, 'JVMs'), ' / ', el('span', {}, page.jvm.name));
  const header = el('div', { class: 'card', id: 'jvm-header' });
  const controls = jvmControls(page);
  const renderHeader = () => {
    const j = page.jvm;
    controls.update();
    header.replaceChildren(
      el('h1', {}, el('span', { class: 'jvm-name' }, j.name), ' ',
        stateBadge(j, 'jvm-state')),
      el('dl', { class: 'kv' },
        el('dt', {}, 'PID / host'), el('dd', {}, j.pid + ' on ' + j.host),
        el('dt', {}, 'JVM'), el('dd', {}, j.jvmVendor + ' ' + j.jvmVersion),
        el('dt', {}, 'Main'), el('dd', { class: 'mono' }, j.mainClass),
        el('dt', {}, 'Agent'), el('dd', {}, j.agentVersion + ' · engines: ' + (j.features || []).join(', ')),
        el('dt', {}, 'Started'), el('dd', {}, new Date(j.startTime).toLocaleString())),
      controls.node);
  };
  renderHeader();

  const rangeBox = el('span', { id: 'range-box' });
  const arrivals = el('span', { id: 'paused-arrivals', class: 'muted', role: 'status' });
  // The newest sample the views show: frozen while paused, while new ones keep arriving (counted in arrivals).
  const dataUntil = el('span', { id: 'data-until', class: 'muted' });
  const showDataUntil = () => { const last = page.samples.at(-1); dataUntil.textContent = last ? 'data until ' + fmt.time(last.ts) : ''; };
  const windowSel = el('div', { class: 'toolbar', role: 'group', 'aria-label': 'time window' },
    el('span', { class: 'muted' }, 'Window:'),
    WINDOWS.map(([label, ms]) => el('button', { 'data-window': label, 'aria-pressed': String(ms === page.windowMs),
      onclick: () => {
        page.windowMs = ms;
        page.setRange(null);
      } }, label)),
    rangeBox,
    el('button', { id: 'pause', 'aria-pressed': 'false', onclick: (e) => {
      page.paused = !page.paused;
      page.newWhilePaused = 0;
      e.target.setAttribute('aria-pressed', String(page.paused));
      e.target.textContent = page.paused ? 'Resume' : 'Pause';
      setConn(page.paused ? '' : 'live', page.paused ? 'paused' : 'live');
      renderWindow();
      if (!page.paused) { showDataUntil(); page.emit('sample'); }
    } }, 'Pause'),
    dataUntil, arrivals);
  moment = momentPicker(page);
  renderWindow = () => {
    windowSel.querySelectorAll('[data-window]').forEach(b =>
      b.setAttribute('aria-pressed', String(!page.range && WINDOWS.find(w => w[0] === b.dataset.window)[1] === page.windowMs)));
    rangeBox.replaceChildren(...(page.range ? [el('span', { id: 'window-range', class: 'badge' }, page.windowLabel()), ' ',
      el('button', { id: 'clear-range', class: 'link', title: 'back to the live window', onclick: () => page.setRange(null) }, '✕ live')]
      : [el('span', { class: 'muted' }, 'or drag across a chart')]));
    arrivals.textContent = page.paused ? `paused: ${page.newWhilePaused} new sample${page.newWhilePaused === 1 ? '' : 's'} not shown` : '';
  };
  renderWindow();
  // A range dragged on any chart becomes the page's window; a plain click on one picks the moment.
  onBrush((fromMs, toMs) => page.setRange({ from: Math.round(fromMs), to: Math.round(toMs) }));
  onMoment((at) => page.setMoment(at), () => page.moment);

  // Tabs keep the window (and a brushed range) when switching.
  const tabBar = el('nav', { class: 'tabs', role: 'tablist' }, allTabs().map(t => el('a', {
    href: '#/jvm/' + encodeURIComponent(id) + '/' + t.id, role: 'tab', 'data-tab': t.id,
    onclick: (e) => { e.preventDefault(); page.navigate(t.id, null); },
    class: t.id === tabId ? 'active' : '', 'aria-selected': String(t.id === tabId) }, t.title)));
  const content = el('div', { id: 'tab-content' });
  const findings = el('div', { id: 'findings-strip' });
  main.replaceChildren(header, findings, windowSel, moment.node, tabBar, content);

  const tab = allTabs().find(t => t.id === tabId) || allTabs()[0];
  const mounted = tab.mount(content, page) || {};
  showDataUntil();
  page.emit('sample');

  const stopStream = stream('/api/jvms/' + encodeURIComponent(id) + '/stream', {
    sample: (s) => {
      page.samples.push(s);
      const cutoff = Date.now() - 600_000;
      while (page.samples.length && page.samples[0].ts < cutoff) page.samples.shift();
      if (page.paused) { page.newWhilePaused++; renderWindow(); } else { showDataUntil(); page.emit('sample'); }
    },
  });
  const refresh = setInterval(async () => {
    try {
      page.jvm = await api('/api/jvms/' + encodeURIComponent(id));
      renderHeader();
      page.emit('jvm');
    } catch (e) { /* the stream badge shows connectivity */ }
  }, 2000);
  page.findingsStrip = findings;
  mountFindings(findings, page);
  teardown = () => { stopStream(); clearInterval(refresh); onBrush(null); onMoment(null); if (mounted.unmount) mounted.unmount(); };
}

window.addEventListener('hashchange', route);
route();
