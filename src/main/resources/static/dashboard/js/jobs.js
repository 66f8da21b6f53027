// Jobs of one space: filter, keyset paging, and rows kept current by the space stream.
import * as api from './api.js';
import { h, badge, bar, when, say, STATUSES } from './dom.js';
import { countsList } from './spaces.js';
import { spaceCharts } from './charts.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

/** "Kill/Retry every job of this filter": count, confirm with the count, then batches. */
async function bulk(spaceId, action, status, name, done) {
  const filter = { action, status: status || undefined, name: name || undefined };
  const preview = await api.postTo(`/dashboard/bulk/spaces/${spaceId}`, { ...filter, dryRun: true });
  const what = `${preview.capped ? 'at least ' : ''}${preview.count} job${preview.count === 1 ? '' : 's'}`;
  if (!preview.count) { say(`No job of this filter can be ${action === 'kill' ? 'killed' : 'retried'}.`); return; }
  if (!window.confirm(`${action === 'kill' ? 'Kill' : 'Retry'} ${what} of this filter?`)) { say('Cancelled'); return; }
  let changed = 0;
  for (let i = 0; i < 1000; i++) {
    const r = await api.postTo(`/dashboard/bulk/spaces/${spaceId}`, { ...filter, upTo: preview.upTo });
    changed += r.changed;
    say(`${action === 'kill' ? 'Killed' : 'Retried'} ${changed} of ${what}…`);
    if (r.done) break;
  }
  say(`${action === 'kill' ? 'Killed' : 'Retried'} ${changed} job${changed === 1 ? '' : 's'}`);
  done();
}

const PAGE = 25;

function progressCell(progress) {
  if (!progress || progress.percent === undefined || progress.percent === null) return h('span', { class: 'muted' }, '—');
  return h('div', {}, bar(progress.percent, `Progress ${progress.percent}%`, true),
    h('span', { class: 'muted' }, `${Math.round(progress.percent)}%`,
      progress.message ? ` · ${progress.message}` : ''));
}

function row(job) {
  return h('tr', { 'data-job': job.id, 'data-status': job.status },
    h('td', { class: 'mono' }, h('a', { href: `#/jobs/${job.id}` }, job.id)),
    h('td', {}, job.name),
    h('td', { class: 'status' }, badge(job.status)),
    h('td', { class: 'attempt' }, String(job.attemptNumber ?? 0)),
    h('td', { class: 'hide-narrow' }, when(job.createdAt)),
    h('td', { class: 'progress' }, progressCell(job.progress)));
}

export async function jobsView({ me, view, crumbs, params, spaceName }, spaceId) {
  if (!me.admin && me.spaceId !== spaceId) {
    throw Object.assign(new Error('This key cannot access that space.'), { status: 403 });
  }
  const title = await spaceName(spaceId);
  crumbs([{ text: 'Spaces', href: '#/' }, { text: title }]);
  const status = params.get('status') || '';
  const name = params.get('name') || '';
  // the search box's name prefix (the API's namePrefix); the Name field stays an exact filter
  const prefix = name ? '' : (params.get('prefix') || '');
  const cursors = [null];
  let next = null;
  const jobs = new Map();

  const tbody = h('tbody', {});
  const countsHolder = h('div', {}, countsList(null, 'Jobs per status in this space'));
  const pageInfo = h('span', { class: 'muted' });
  const prevBtn = h('button', { type: 'button', class: 'secondary', disabled: true,
    onclick: () => { cursors.pop(); load(); } }, 'Previous page');
  const nextBtn = h('button', { type: 'button', class: 'secondary', disabled: true,
    onclick: () => { cursors.push(next); load(); } }, 'Next page');
  const statusSel = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)));
  const nameIn = h('input', { id: 'filter-name', name: 'name', type: 'search', value: name,
    placeholder: 'exact job name', spellcheck: 'false' });
  const form = h('form', { class: 'inline', role: 'search', 'aria-label': 'Filter jobs',
    onsubmit: (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      if (statusSel.value) q.set('status', statusSel.value);
      if (nameIn.value.trim()) q.set('name', nameIn.value.trim());
      else if (prefix) q.set('prefix', prefix);
      const target = `#/spaces/${spaceId}${q.toString() ? '?' + q : ''}`;
      if (location.hash === target) load(); else location.hash = target;
    } },
  h('div', {}, h('label', { for: 'filter-status' }, 'Status'), statusSel),
  h('div', {}, h('label', { for: 'filter-name' }, 'Name'), nameIn),
  h('button', { type: 'submit' }, 'Apply'));

  const findIn = h('input', { id: 'find', name: 'find', type: 'search', spellcheck: 'false',
    value: prefix, placeholder: 'job id or start of a name' });
  const find = h('form', { class: 'search', role: 'search', 'aria-label': 'Find a job',
    onsubmit: (e) => {
      e.preventDefault();
      const text = findIn.value.trim();
      if (ULID.test(text)) { location.hash = `#/jobs/${text.toUpperCase()}`; return; }
      const q = new URLSearchParams();
      if (statusSel.value) q.set('status', statusSel.value);
      if (text) q.set('prefix', text.slice(0, 255));
      const target = `#/spaces/${spaceId}${q.toString() ? '?' + q : ''}`;
      if (location.hash === target) load().catch((err) => say(err.message)); else location.hash = target;
    } },
  h('div', {}, h('label', { for: 'find' }, 'Find a job'), findIn), h('button', { type: 'submit', id: 'find-go' }, 'Find'));
  const canCreate = me.admin || (me.scopes || []).includes('jobs:create');
  const reload = () => load().catch((e) => say(e.message));
  const bulkBar = h('div', { class: 'toolbar', id: 'bulk' },
    me.canKill ? h('button', { type: 'button', class: 'danger', id: 'bulk-kill',
      onclick: () => bulk(spaceId, 'kill', status, name, reload).catch((e) => say(e.message)) },
    'Kill every job of this filter') : null,
    canCreate ? h('button', { type: 'button', class: 'secondary', id: 'bulk-retry',
      onclick: () => bulk(spaceId, 'retry', status, name, reload).catch((e) => say(e.message)) },
    'Retry every dead or killed job of this filter') : null);
  const charts = spaceCharts(spaceId, params.get('range') || '1h');

  view.replaceChildren(
    h('h1', {}, title, ' ', h('small', { class: 'id' }, spaceId)),
    h('section', { class: 'card', 'aria-label': 'Counts' }, countsHolder),
    charts.node,
    h('section', { class: 'card' }, find, form,
      prefix ? h('p', { class: 'muted', id: 'prefix-note' }, `Names starting with “${prefix}”`) : null,
      (status || name) && !prefix ? bulkBar : null),
    h('div', { class: 'table-wrap' }, h('table', { id: 'jobs' },
      h('caption', { class: 'muted' }, 'Newest first; updates live'),
      h('thead', {}, h('tr', {}, ['ID', 'Name', 'Status', 'Attempt', 'Created', 'Progress'].map(
        (c, i) => h('th', { scope: 'col', class: i === 4 ? 'hide-narrow' : null }, c)))), tbody)),
    h('div', { class: 'toolbar' }, prevBtn, nextBtn, pageInfo));

  async function load() {
    const cursor = cursors[cursors.length - 1];
    const { data, headers } = await api.get(`spaces/${spaceId}/jobs`,
      { status, name, namePrefix: prefix, limit: PAGE, cursor });
    next = headers.get('Next-Cursor');
    jobs.clear();
    tbody.replaceChildren(...data.map((j) => { jobs.set(j.id, j); return row(j); }));
    if (!data.length) tbody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No jobs.')));
    prevBtn.disabled = cursors.length < 2;
    nextBtn.disabled = !next;
    pageInfo.textContent = `Page ${cursors.length}`;
  }

  function apply(frame) {
    charts.onFrame(frame);
    if (frame.counts) countsHolder.replaceChildren(countsList(frame.counts, 'Jobs per status in this space'));
    if (frame.type === 'connected') {
      // the first connection precedes the first load; a later one that missed events refetches
      if (connected && frame.missed) load().catch((e) => say(e.message));
      if (!connected) { connected = true; onConnected(); }
      return;
    }
    if (!frame.jobId) return;
    const known = jobs.get(frame.jobId);
    if (known) {
      if (frame.status) known.status = frame.status;
      if (frame.type === 'progress' && frame.data) known.progress = frame.data;
      if (frame.type === 'retried' && frame.data && frame.data.nextAttemptNumber !== undefined) {
        known.attemptNumber = frame.data.nextAttemptNumber;
      }
      const tr = tbody.querySelector(`tr[data-job="${frame.jobId}"]`);
      if (tr) tr.replaceWith(row(known));
    } else if (frame.type === 'created' && cursors.length === 1
        && (!status || status === frame.status) && (!name || name === frame.jobName)
        && (!prefix || (frame.jobName || '').startsWith(prefix))) {
      const job = { id: frame.jobId, name: frame.jobName, status: frame.status, attemptNumber: 0,
        createdAt: frame.timestamp, progress: null };
      jobs.set(job.id, job);
      const empty = tbody.querySelector('td[colspan]');
      if (empty) empty.parentElement.remove();
      tbody.prepend(row(job));
      say(`New job ${job.name}`);
    }
  }

  // Subscribe first, then load: whatever happens after the page's query arrives as a frame.
  let connected = false;
  let onConnected;
  const ready = new Promise((resolve) => { onConnected = resolve; setTimeout(resolve, 3000); });
  const s = api.stream(`spaces/${spaceId}`, apply, { space: true });
  try {
    await ready;
    await load();
  } catch (e) {
    s.close();
    charts.close();
    throw e;
  }
  return () => { s.close(); charts.close(); };
}
