// The findings strip at the top of a JVM's page: what is wrong, in words, with its evidence and a fix.
import { el, fmt } from './core.js';

/** Renders the JVM's findings into `container` and keeps them current while the page is open. */
export function mountFindings(container, page) {
  let showClosed = false;
  async function refresh() {
    let list;
    try {
      list = await page.api('/findings');
    } catch (e) {
      container.replaceChildren(el('p', { class: 'error' }, 'findings unavailable: ' + e.message));
      return;
    }
    const open = list.filter(f => f.state === 'open');
    const closed = list.filter(f => f.state !== 'open');
    const toggle = closed.length
      ? el('button', { class: 'link', onclick: () => { showClosed = !showClosed; refresh(); } },
        showClosed ? 'hide resolved' : `show ${closed.length} resolved`)
      : null;
    container.replaceChildren(
      open.length === 0 ? el('div', { class: 'finding none' }, 'No open findings.', ' ', toggle || '')
        : el('div', {}, open.map(card), toggle || ''),
      showClosed ? el('div', { class: 'closed-findings' }, closed.map(card)) : '');
  }
  function card(f) {
    const links = (f.evidence?.links || []).map(l => el('button', {
      class: 'evidence-link', onclick: () => page.navigate(l.tab, l.selection),
    }, l.label));
    return el('article', { class: 'finding ' + f.severity + (f.state === 'open' ? '' : ' closed'), 'data-kind': f.kind },
      el('header', {},
        el('span', { class: 'badge ' + (f.severity === 'critical' ? 'crit' : 'warn') }, f.severity),
        ' ', el('strong', { class: 'finding-title' }, f.title), ' ',
        el('span', { class: 'muted' }, f.state === 'open'
          ? 'since ' + fmt.time(f.startedAt) + ' (' + fmt.age(f.durationMs) + ')'
          : fmt.time(f.startedAt) + ' – ' + fmt.time(f.endedAt) + ', resolved')),
      el('p', { class: 'finding-explanation' }, f.explanation),
      el('p', { class: 'finding-fix' }, el('strong', {}, 'Fix: '), f.fix),
      links.length ? el('div', { class: 'toolbar' }, links) : '');
  }
  refresh();
  page.on('jvm', refresh);
}
