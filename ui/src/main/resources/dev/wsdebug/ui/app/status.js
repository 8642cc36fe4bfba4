// The status area: API errors and notices as one sentence each, fading after a while.

import { el } from './dom.js';

let area;

export function initStatus(node) {
  area = node;
}

export function toast(message, kind = 'error') {
  if (!area) {
    console.error(message);
    return;
  }
  const t = el('div', { class: `toast toast-${kind}`, role: 'status', 'data-testid': 'toast', text: message });
  t.addEventListener('click', () => t.remove());
  area.append(t);
  // Errors stay longer: they usually explain why something the user did had no effect.
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 3500);
  while (area.children.length > 4) area.firstChild.remove();
}

/** Wraps an async action so any failure lands in the status area. */
export function guard(promise) {
  return Promise.resolve(promise).catch((e) => {
    toast(e && e.message ? e.message : String(e));
    return undefined;
  });
}
