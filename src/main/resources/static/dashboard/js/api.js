// The dashboard's calls: its own session endpoints and the cookie-authenticated gateway to the
// API (/dashboard/api/... and /dashboard/realtime/...). No API key is ever handled here.
let csrf = null;

export class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function check(res) {
  if (res.ok) return res;
  let message = `HTTP ${res.status}`;
  try { message = (await res.json()).error || message; } catch (e) { /* not JSON */ }
  if (res.status === 401) window.dispatchEvent(new CustomEvent('spool:signed-out'));
  throw new HttpError(res.status, message);
}

export async function session() {
  const res = await fetch('/dashboard/session', { credentials: 'same-origin' });
  if (res.status === 401) return null;
  await check(res);
  const s = await res.json();
  csrf = s.csrfToken;
  return s;
}

export async function signOut() {
  await fetch('/dashboard/session/sign-out', { method: 'POST', credentials: 'same-origin',
    headers: { 'X-CSRF-Token': csrf || '' } });
  csrf = null;
}

export async function get(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  const res = await check(await fetch(`/dashboard/api/${path}${qs ? '?' + qs : ''}`,
    { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
  return { data: await res.json(), headers: res.headers };
}

export async function post(path, body) {
  return postTo(`/dashboard/api/${path}`, body);
}

/** A state-changing dashboard call: JSON body, the session's CSRF token. */
export async function postTo(url, body) {
  const res = await check(await fetch(url, { method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf || '' },
    body: JSON.stringify(body) }));
  return res.json();
}

/**
 * A WebSocket that reconnects with backoff. Space streams resume with since/streamInstanceId;
 * the caller sees connected.missed when they could not be continued.
 */
export function stream(path, onFrame, { space = false } = {}) {
  let ws = null; let closed = false; let delay = 500; let seq = null; let instance = null;
  let opened = false;
  function open() {
    const q = new URLSearchParams();
    if (space && instance) { q.set('since', seq); q.set('streamInstanceId', instance); }
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const qs = q.toString();
    ws = new WebSocket(`${proto}://${location.host}/dashboard/realtime/${path}${qs ? '?' + qs : ''}`);
    opened = false;
    ws.onopen = () => { delay = 500; opened = true; };
    ws.onmessage = (m) => {
      let frame; try { frame = JSON.parse(m.data); } catch (e) { return; }
      if (frame.type === 'connected') { instance = frame.streamInstanceId; seq = frame.seq; }
      else if (typeof frame.seq === 'number') seq = frame.seq;
      onFrame(frame);
    };
    ws.onclose = async (e) => {
      if (closed || e.code === 1000 && !space) return;
      // a refused upgrade (browsers hide its status): stop for good if the session has ended
      if (!opened && (await fetch('/dashboard/session', { credentials: 'same-origin' })).status === 401) {
        closed = true;
        window.dispatchEvent(new CustomEvent('spool:signed-out'));
        return;
      }
      setTimeout(() => { if (!closed) open(); }, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  open();
  return { close() { closed = true; if (ws) ws.close(1000); } };
}
