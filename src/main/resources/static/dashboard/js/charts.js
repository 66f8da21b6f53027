// A space's charts from GET /spaces/:id/stats (uPlot, served from the jar): throughput, backlog
// and wait time. The current step is kept live from the space stream between refetches.
import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
import * as api from './api.js';
import { h, say } from './dom.js';

export const RANGES = [
  { key: '1h', label: '1 hour', hours: 1, step: '1m', stepSeconds: 60 },
  { key: '6h', label: '6 hours', hours: 6, step: '5m', stepSeconds: 300 },
  { key: '24h', label: '24 hours', hours: 24, step: '5m', stepSeconds: 300 },
  { key: '7d', label: '7 days', hours: 168, step: '1h', stepSeconds: 3600 },
];

const CHARTS = [
  { id: 'chart-throughput', title: 'Throughput per step', series: [
    ['created', 'Created', '#0b5cad'], ['completed', 'Completed', '#1b6e2a'], ['dead', 'Dead', '#a4161a']] },
  { id: 'chart-backlog', title: 'Backlog (scheduled + pending)', series: [['backlog', 'Backlog', '#8a5a00']] },
  { id: 'chart-wait', title: 'Wait time, ms (available → delivered)', series: [
    ['waitP50Ms', 'p50', '#0b5cad'], ['waitP95Ms', 'p95', '#6b3fa0']] },
];

function columns(points, fields) {
  return [points.map((p) => Date.parse(p.at) / 1000), ...fields.map((f) => points.map((p) => p[f]))];
}

/** Fetches a space's series; `range` is one of RANGES. */
export async function fetchStats(spaceId, range) {
  const to = new Date();
  const from = new Date(to.getTime() - range.hours * 3600 * 1000);
  return (await api.get(`spaces/${spaceId}/stats`,
    { from: from.toISOString(), to: to.toISOString(), step: range.step })).data;
}

/** The charts card of a space page; returns {node, onFrame, close}. */
export function spaceCharts(spaceId, initial = '1h') {
  let range = RANGES.find((r) => r.key === initial) || RANGES[0];
  let points = [];
  let plots = [];
  let timer = null;
  const holder = h('div', { class: 'charts' });
  const summary = h('p', { class: 'muted', id: 'chart-summary', 'aria-live': 'polite' });
  const select = h('select', { id: 'chart-range', 'aria-label': 'Chart range',
    onchange: () => { range = RANGES.find((r) => r.key === select.value); load(); } },
  RANGES.map((r) => h('option', { value: r.key, selected: r === range }, r.label)));
  const node = h('section', { class: 'card', 'aria-label': 'Charts', id: 'charts' },
    h('div', { class: 'toolbar' }, h('h2', {}, 'Over time'),
      h('div', {}, h('label', { for: 'chart-range' }, 'Range'), select)),
    summary, holder);

  function draw() {
    plots.forEach((p) => p.destroy());
    // the box's width once attached; before that, the window's (a phone is narrower than 600 px)
    const width = Math.max(240, Math.min(holder.clientWidth || window.innerWidth - 80, 1100));
    plots = CHARTS.map((c) => {
      const box = h('figure', { id: c.id, class: 'chart', 'data-points': String(points.length) },
        h('figcaption', {}, c.title));
      holder.append(box);
      return new uPlot({ width, height: 170, legend: { live: false },
        scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        series: [{}, ...c.series.map(([, label, stroke]) => ({ label, stroke, width: 2 }))] },
      columns(points, c.series.map(([f]) => f)), box);
    });
    const sum = (f) => points.reduce((a, p) => a + p[f], 0);
    summary.textContent = `Last ${range.label}: ${sum('created')} created, ${sum('completed')} completed, `
      + `${sum('dead')} dead; backlog ${points.length ? points[points.length - 1].backlog : 0}.`;
    summary.dataset.created = String(sum('created'));
    summary.dataset.completed = String(sum('completed'));
  }

  function redraw() {
    holder.replaceChildren();
    draw();
  }

  async function load() {
    clearTimeout(timer);
    try {
      points = (await fetchStats(spaceId, range)).points;
      redraw();
    } catch (e) { say(e.message); }
    // the server's roll-up closes steps; refetch once a step (at most every minute)
    timer = setTimeout(load, Math.min(range.stepSeconds, 60) * 1000);
  }

  let live = null;
  function bump(field, by = 1) {
    const last = points[points.length - 1];
    if (!last) return;
    last[field] = Math.max(0, (last[field] || 0) + by);
    if (!live) live = setTimeout(() => { live = null; redraw(); }, 1000);
  }

  function onFrame(f) {
    if (f.counts && points.length) {
      bump('backlog', (f.counts.scheduled || 0) + (f.counts.pending || 0) - points[points.length - 1].backlog);
    }
    if (f.type === 'created' || f.type === 'scheduled') bump('created');
    else if (f.type === 'completed') bump('completed');
    else if (f.type === 'dead') bump('dead');
  }

  let resized = null;
  const onResize = () => { clearTimeout(resized); resized = setTimeout(redraw, 200); };
  window.addEventListener('resize', onResize);
  load();
  return { node, onFrame, close() {
    clearTimeout(timer); clearTimeout(live); clearTimeout(resized);
    window.removeEventListener('resize', onResize);
    plots.forEach((p) => p.destroy());
  } };
}

/** A small throughput line (completed per minute, last hour) for the spaces page. */
export async function sparkline(spaceId, box) {
  const points = (await fetchStats(spaceId, RANGES[0])).points;
  box.replaceChildren();
  box.dataset.points = String(points.length);
  box.dataset.created = String(points.reduce((a, p) => a + p.created, 0));
  box.setAttribute('aria-label', `Jobs created in the last hour: ${box.dataset.created}`);
  return new uPlot({ width: 260, height: 50, legend: { show: false }, cursor: { show: false },
    axes: [{ show: false }, { show: false }],
    scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    series: [{}, { stroke: '#0b5cad', width: 1.5 }, { stroke: '#1b6e2a', width: 1.5 }] },
  columns(points, ['created', 'completed']), box);
}
