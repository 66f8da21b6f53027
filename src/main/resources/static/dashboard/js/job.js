// One job: fields, payload/result, progress with sub-progress, events, callbacks, kill, and a
// logs tab with live tail. The job shows its latest events (a bounded count); earlier ones load on
// demand. A stream frame fetches only the events after the last one shown; the job itself is
// re-read (debounced) only when its status changes.
import * as api from './api.js';
import { h, badge, bar, when, pretty, say } from './dom.js';

const TERMINAL = ['completed', 'dead', 'killed'];
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

function progressBlock(p) {
  if (!p) return h('p', { class: 'muted' }, 'No progress reported.');
  const subs = Object.entries(p.subProgress || {});
  return h('div', { id: 'progress' },
    bar(p.percent, `Overall progress ${p.percent}%`),
    h('p', {}, `${Math.round(p.percent ?? 0)}%`, p.message ? ` — ${p.message}` : '',
      h('span', { class: 'muted' }, ` (updated ${when(p.updatedAt)})`)),
    subs.length ? h('ul', { class: 'subs', 'aria-label': 'Sub-progress' }, subs.map(([name, s]) =>
      h('li', {}, h('span', {}, `${name}: ${Math.round(s.percent ?? 0)}%`, s.message ? ` — ${s.message}` : ''),
        bar(s.percent, `${name} ${s.percent}%`, true)))) : null);
}

function fields(job) {
  const rows = [['ID', job.id], ['Name', job.name], ['Space', job.spaceId],
    ['Status', badge(job.status)], ['Attempt', `${job.attemptNumber} of ${job.maxRetries + 1}`],
    ['Timeout', `${job.timeoutSeconds}s`], ['Created', when(job.createdAt)],
    ['Scheduled for', when(job.scheduledFor)], ['Delivered', when(job.deliveredAt)],
    ['Started', when(job.startedAt)], ['Completed', when(job.completedAt)],
    ['Callback URL', job.callbackUrl || '—'], ['Last error', job.lastError || '—'],
    ['Retried from', job.retriedFrom ? h('a', { href: `#/jobs/${job.retriedFrom}` }, job.retriedFrom) : '—']];
  return h('dl', { class: 'fields' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function eventItem(e) {
  return h('li', { 'data-type': e.type, 'data-id': e.id },
    h('strong', {}, e.type), h('span', { class: 'muted' }, ` · ${when(e.createdAt)} · attempt ${e.attemptNumber}`),
    e.data !== null && e.data !== undefined ? h('div', { class: 'mono' }, JSON.stringify(e.data)) : null);
}

// The events card: the latest events the job came with, newer ones appended as they happen, and
// (when the job left some out) a button that pages the earlier ones in, oldest first.
function timeline(jobId, job, truncated) {
  const list = h('ol', { class: 'timeline', id: 'events' }, (job.events || []).map(eventItem));
  const empty = h('p', { class: 'muted', hidden: list.children.length > 0 }, 'No events.');
  let last = job.events && job.events.length ? job.events[job.events.length - 1].id : 0;
  const first = job.events && job.events.length ? job.events[0].id : null;
  const earlier = h('button', { type: 'button', class: 'secondary', id: 'events-earlier', hidden: !truncated,
    onclick: async () => {
      earlier.disabled = true;
      try {
        const older = [];
        let cursor = 0;
        for (let page = 0; page < 50; page++) {
          const { data } = await api.get(`jobs/${jobId}/events`, { cursor, limit: 200 });
          const before = data.events.filter((e) => first === null || e.id < first);
          older.push(...before);
          if (data.nextCursor === null || before.length < data.events.length) break;
          cursor = data.nextCursor;
        }
        list.prepend(...older.map(eventItem));
        earlier.hidden = true;
      } catch (e) { say(`Events: ${e.message}`); earlier.disabled = false; }
    } }, 'Show earlier events');
  let busy = false; let again = false;
  async function fetchNew(onEvent) {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        for (let page = 0; page < 20; page++) {
          const { data } = await api.get(`jobs/${jobId}/events`, { cursor: last, limit: 200 });
          for (const e of data.events) { list.append(eventItem(e)); last = e.id; onEvent(e); }
          empty.hidden = list.children.length > 0;
          if (data.nextCursor === null) break;
        }
      } while (again);
    } catch (e) { say(`Events: ${e.message}`); } finally { busy = false; }
  }
  return { node: h('div', {}, earlier, list, empty), fetchNew };
}

async function callbacks(jobId) {
  let list;
  try { list = (await api.get(`jobs/${jobId}/callbacks`)).data; } catch (e) {
    return h('p', { class: 'muted' }, `Callback attempts unavailable (${e.message}).`);
  }
  if (!list.length) return h('p', { class: 'muted' }, 'No callback attempts.');
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Attempt', 'URL', 'Status', 'Error', 'Will retry', 'At'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((c) => h('tr', {}, h('td', {}, String(c.retryAttempt)), h('td', { class: 'mono' }, c.url),
      h('td', {}, c.statusCode ?? '—'), h('td', {}, c.error ?? '—'), h('td', {}, c.willRetry ? 'yes' : 'no'),
      h('td', {}, when(c.createdAt)))))));
}

function killForm(job, me, reload) {
  if (!me.canKill || TERMINAL.includes(job.status)) return null;
  const reason = h('input', { id: 'kill-reason', name: 'reason', type: 'text', maxlength: 1000,
    value: 'Killed from the dashboard' });
  return h('form', { class: 'inline card', id: 'kill-form', 'aria-label': 'Kill this job',
    onsubmit: async (e) => {
      e.preventDefault();
      if (!window.confirm(`Kill job ${job.id}?`)) return;
      try { await api.post(`jobs/${job.id}/kill`, { reason: reason.value }); say('Job killed'); reload(); }
      catch (err) { say(`Kill failed: ${err.message}`); }
    } },
  h('div', {}, h('label', { for: 'kill-reason' }, 'Reason'), reason),
  h('button', { type: 'submit', class: 'danger', id: 'kill' }, 'Kill job'));
}

function retryForm(job, me) {
  const canCreate = me.admin || (me.scopes || []).includes('jobs:create');
  if (!canCreate || !['dead', 'killed'].includes(job.status)) return null;
  return h('div', { class: 'toolbar card' },
    h('button', { type: 'button', id: 'retry', onclick: async (e) => {
      e.target.disabled = true;
      try {
        const r = await api.post(`jobs/${job.id}/retry`, {});
        say('Job retried as a new job');
        location.hash = `#/jobs/${r.id}`;
      } catch (err) { say(err.message); e.target.disabled = false; }
    } }, 'Retry as a new job'));
}

function logsPanel(jobId) {
  let after = 0; let timer = null; let busy = false;
  const out = h('div', { class: 'logs', id: 'log-lines', role: 'log', 'aria-label': 'Log lines', tabindex: 0 });
  const level = h('select', { id: 'log-level' }, LEVELS.map((l) => h('option', { value: l }, l)));
  const q = h('input', { id: 'log-q', type: 'search', spellcheck: 'false' });
  const tail = h('input', { id: 'log-tail', type: 'checkbox', checked: true });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => fetchPage() }, 'Load more');
  async function fetchPage() {
    if (busy) return; busy = true;
    try {
      const { data } = await api.get(`jobs/${jobId}/logs`, { after, limit: 500,
        level: level.value === 'trace' ? '' : level.value, q: q.value });
      for (const l of data.logs) {
        out.append(h('div', { class: `l-${l.level}`, 'data-seq': l.seq },
          `${when(l.timestamp)} ${l.level.toUpperCase().padEnd(5)} ${l.message}`,
          l.data !== null && l.data !== undefined ? ` ${JSON.stringify(l.data)}` : ''));
        after = l.seq;
      }
      more.hidden = data.nextCursor === null;
      if (tail.checked && data.logs.length) out.scrollTop = out.scrollHeight;
    } catch (e) { say(`Logs: ${e.message}`); } finally { busy = false; }
  }
  function restart() { after = 0; out.replaceChildren(); fetchPage(); }
  const form = h('form', { class: 'inline', role: 'search', 'aria-label': 'Filter logs',
    onsubmit: (e) => { e.preventDefault(); restart(); } },
  h('div', {}, h('label', { for: 'log-level' }, 'Minimum level'), level),
  h('div', {}, h('label', { for: 'log-q' }, 'Search'), q),
  h('button', { type: 'submit' }, 'Filter'),
  h('div', {}, h('label', { for: 'log-tail' }, 'Live tail'), tail));
  level.addEventListener('change', restart);
  return {
    node: h('div', {}, form, out, more),
    start() { if (!timer) { restart(); timer = setInterval(() => { if (tail.checked) fetchPage(); }, 1500); } },
    stop() { clearInterval(timer); timer = null; },
  };
}

export async function jobView({ me, view, crumbs, spaceName }, jobId) {
  const overview = h('div', { id: 'tab-overview', role: 'tabpanel', 'aria-labelledby': 'tab-o' });
  const logs = logsPanel(jobId);
  const logsPane = h('div', { id: 'tab-logs', role: 'tabpanel', 'aria-labelledby': 'tab-l', hidden: true }, logs.node);
  const tabO = h('button', { type: 'button', role: 'tab', id: 'tab-o', 'aria-selected': 'true', 'aria-controls': 'tab-overview' }, 'Overview');
  const tabL = h('button', { type: 'button', role: 'tab', id: 'tab-l', 'aria-selected': 'false', 'aria-controls': 'tab-logs', tabindex: -1 }, 'Logs');
  function select(logsTab) {
    tabO.setAttribute('aria-selected', String(!logsTab)); tabL.setAttribute('aria-selected', String(logsTab));
    tabO.tabIndex = logsTab ? -1 : 0; tabL.tabIndex = logsTab ? 0 : -1;
    overview.hidden = logsTab; logsPane.hidden = !logsTab;
    (logsTab ? tabL : tabO).focus();
    if (logsTab) logs.start(); else logs.stop();
  }
  tabO.addEventListener('click', () => select(false));
  tabL.addEventListener('click', () => select(true));
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Job sections',
    onkeydown: (e) => { if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') select(tabO.getAttribute('aria-selected') === 'true'); } },
  tabO, tabL);
  const title = h('h1', {}, 'Job');

  let pending = null; let status = null; let events = null; let progress = null;
  async function render() {
    const res = await api.get(`jobs/${jobId}`);
    const job = res.data;
    status = job.status;
    events = timeline(jobId, job, res.headers.get('Events-Truncated') === 'true');
    progress = h('div', {}, progressBlock(job.progress));
    crumbs([{ text: 'Spaces', href: '#/' }, { text: await spaceName(job.spaceId), href: `#/spaces/${job.spaceId}` }, { text: job.name }]);
    title.replaceChildren(`Job ${job.name} `, badge(job.status));
    overview.replaceChildren(
      killForm(job, me, () => schedule()),
      retryForm(job, me),
      h('section', { class: 'card', 'aria-label': 'Progress' }, h('h2', {}, 'Progress'), progress),
      h('section', { class: 'card', 'aria-label': 'Fields' }, h('h2', {}, 'Fields'), fields(job)),
      h('section', { class: 'card', 'aria-label': 'Payload' }, h('h2', {}, 'Payload'), pretty(job.payload)),
      h('section', { class: 'card', 'aria-label': 'Result' }, h('h2', {}, 'Result'), pretty(job.result)),
      h('section', { class: 'card', 'aria-label': 'Events' }, h('h2', {}, 'Events'), events.node),
      h('section', { class: 'card', 'aria-label': 'Callback attempts' }, h('h2', {}, 'Callback attempts'), await callbacks(jobId)));
  }
  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(() => render().catch((e) => say(e.message)), 250);
  }
  await render();
  view.replaceChildren(title, tablist, overview, logsPane);
  const s = api.stream(jobId, (f) => {
    if (f.type === 'init') return;
    if (f.status && f.status !== status) { schedule(); return; }
    events.fetchNew((e) => {
      if (e.type === 'progress' && e.data) progress.replaceChildren(progressBlock({ ...e.data, updatedAt: e.createdAt }));
    });
  });
  return () => { s.close(); logs.stop(); clearTimeout(pending); };
}
