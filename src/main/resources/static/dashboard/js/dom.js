// Building DOM nodes: all user data goes in as text nodes, never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const STATUSES = ['scheduled', 'pending', 'delivered', 'running', 'completed', 'dead', 'killed'];

export function badge(status) {
  return h('span', { class: `badge s-${status}`, 'data-status': status }, status);
}

export function bar(percent, label, small = false) {
  const p = Math.max(0, Math.min(100, Number(percent) || 0));
  const fill = h('span', {});
  fill.style.width = `${p}%`; // CSSOM, not a style attribute: the CSP allows no inline styles
  return h('div', { class: small ? 'bar small' : 'bar', role: 'progressbar', 'aria-valuemin': 0,
    'aria-valuemax': 100, 'aria-valuenow': p, 'aria-label': label }, fill);
}

export function when(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  return isNaN(d) ? String(ts) : d.toLocaleString();
}

export function pretty(value) {
  return h('pre', { class: 'mono', tabindex: 0 }, JSON.stringify(value, null, 2) ?? 'null');
}

export function say(text) {
  document.getElementById('status-line').textContent = text;
}
