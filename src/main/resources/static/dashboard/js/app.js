// Entry point: who am I, then a hash router over three views. Each view returns a cleanup
// function that closes its streams and timers when the user navigates away.
import * as api from './api.js';
import { h, say } from './dom.js';
import { spacesView } from './spaces.js';
import { jobsView } from './jobs.js';
import { jobView } from './job.js';

const SIGN_IN_ERRORS = {
  invalid: 'That API key is unknown or revoked.',
  scope: 'That key has neither the admin nor the jobs:read scope.',
  origin: 'The sign-in came from another site and was refused.',
};

let me = null;
let cleanup = null;
const names = new Map();

/** A space's name (admin keys ask the admin API; a space-bound session knows its own). */
async function spaceName(id) {
  if (!me.admin) return me.spaceId === id && me.spaceName ? me.spaceName : `Space ${id}`;
  if (!names.has(id)) {
    try { names.set(id, (await api.get(`spaces/${id}`)).data.name); } catch (e) { return `Space ${id}`; }
  }
  return names.get(id);
}

function showSignIn(reason) {
  document.getElementById('who').hidden = true;
  document.getElementById('view').replaceChildren();
  document.getElementById('crumbs').replaceChildren();
  const err = document.getElementById('sign-in-error');
  err.hidden = !reason; err.textContent = reason || '';
  document.getElementById('sign-in').hidden = false;
  document.getElementById('key').focus();
}

function crumbs(items) {
  const nav = document.getElementById('crumbs');
  nav.replaceChildren(...items.flatMap((it, i) => [i ? ' / ' : '',
    it.href ? h('a', { href: it.href }, it.text) : h('span', { 'aria-current': 'page' }, it.text)]));
}

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  if (!me) return;
  const view = document.getElementById('view');
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  let m;
  const ctx = { me, view, crumbs, params, spaceName };
  try {
    if ((m = path.match(/^\/spaces\/([0-9A-Za-z]+)$/))) cleanup = await jobsView(ctx, m[1]);
    else if ((m = path.match(/^\/jobs\/([0-9A-Za-z]+)$/))) cleanup = await jobView(ctx, m[1]);
    else cleanup = await spacesView(ctx);
  } catch (e) {
    if (e.status === 401) return;
    view.replaceChildren(h('section', { class: 'card' }, h('h1', {}, 'Cannot show this page'),
      h('p', { class: 'error', role: 'alert' }, e.message)));
  }
}

async function start() {
  const reason = SIGN_IN_ERRORS[new URLSearchParams(location.search).get('signin')];
  if (reason) history.replaceState(null, '', '/dashboard/' + location.hash);
  me = await api.session();
  if (!me) { showSignIn(reason); return; }
  document.getElementById('sign-in').hidden = true;
  document.getElementById('who').hidden = false;
  document.getElementById('who-text').textContent =
    me.admin ? 'admin key' : `key bound to space ${me.spaceName || me.spaceId}`;
  window.addEventListener('hashchange', route);
  await route();
}

window.addEventListener('spool:signed-out', () => { me = null; if (cleanup) cleanup(); cleanup = null; showSignIn('Your session ended; sign in again.'); });
document.getElementById('sign-out').addEventListener('click', async () => {
  await api.signOut();
  me = null; if (cleanup) cleanup(); cleanup = null;
  say('Signed out');
  showSignIn(null);
});

start().catch((e) => say(`Could not start: ${e.message}`));
