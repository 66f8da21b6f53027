// Spaces overview: every space the key may see, with live counts per status from its stream.
import * as api from './api.js';
import { h, STATUSES } from './dom.js';
import { sparkline } from './charts.js';

const MAX_LIVE = 24;

export function countsList(counts, label) {
  return h('dl', { class: 'counts', 'aria-label': label },
    STATUSES.map((s) => h('div', { 'data-count': s }, h('dt', {}, s),
      h('dd', { class: `s-${s}` }, counts && counts[s] !== undefined ? counts[s] : '…'))));
}

export async function spacesView({ me, view, crumbs }) {
  crumbs([{ text: 'Spaces' }]);
  let spaces;
  if (me.admin) spaces = (await api.get('spaces')).data;
  else spaces = [{ id: me.spaceId, name: me.spaceName }];
  const streams = [];
  const sparklines = [];
  // a sparkline is fetched and drawn when its card first scrolls into view
  const observer = new IntersectionObserver((entries) => entries.forEach((e) => {
    if (!e.isIntersecting) return;
    observer.unobserve(e.target);
    sparklines.push(sparkline(e.target.dataset.spaceId, e.target).catch(() => e.target.remove()));
  }));
  const cards = spaces.map((space, i) => {
    const title = space.name ? `${space.name}` : `Space ${space.id}`;
    const holder = h('div', {}, countsList(null, `Jobs per status in ${title}`));
    const spark = me.admin ? h('div', { class: 'spark', role: 'img', 'data-space-id': space.id,
      'aria-label': 'Jobs created per minute in the last hour' }) : null;
    const card = h('section', { class: 'card', 'data-space': space.id, 'aria-label': title },
      h('h2', {}, h('a', { href: `#/spaces/${space.id}` }, title)),
      h('p', { class: 'mono muted' }, space.id), spark, holder);
    if (spark) observer.observe(spark);
    if (i < MAX_LIVE) {
      streams.push(api.stream(`spaces/${space.id}`, (f) => {
        if (f.counts) holder.replaceChildren(countsList(f.counts, `Jobs per status in ${title}`));
      }, { space: true }));
    } else {
      holder.replaceChildren(h('p', { class: 'muted' }, 'Open the space to see its counts.'));
    }
    return card;
  });
  view.replaceChildren(h('h1', {}, 'Spaces'),
    spaces.length ? h('div', { class: 'grid' }, cards) : h('p', {}, 'No spaces yet.'));
  return () => {
    streams.forEach((s) => s.close());
    observer.disconnect();
    sparklines.forEach((p) => p.then((u) => u && u.destroy && u.destroy()));
  };
}
