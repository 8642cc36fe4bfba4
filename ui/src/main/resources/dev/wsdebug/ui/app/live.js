// The live feed: server-sent events say what changed; the page re-reads what it shows, at
// most four times a second, never reloading.

import { $, throttle } from './dom.js';
import { withToken } from './api.js';
import { state } from './state.js';

const MIN_MS = 250;

/**
 * @param handlers.captures () => re-read the capture list
 * @param handlers.connections () => re-read the grid
 * @param handlers.items () => the selected connection changed
 */
export function startLive(handlers) {
  let dirty = { captures: false, connections: false, items: false };
  const known = new Map(); // capture id -> connections count last seen
  const flush = throttle(() => {
    const d = dirty;
    dirty = { captures: false, connections: false, items: false };
    if (d.captures) handlers.captures();
    if (d.connections) handlers.connections();
    if (d.items) handlers.items();
  }, MIN_MS);
  const es = new EventSource(withToken('/api/live'));
  const dot = $('#live-state');
  es.addEventListener('open', () => {
    dot.className = 'live-state on';
    dot.title = 'Live feed connected';
  });
  es.addEventListener('error', () => {
    // EventSource reconnects by itself; say so rather than failing silently.
    dot.className = 'live-state off';
    dot.title = 'Live feed disconnected; reconnecting…';
  });
  es.addEventListener('update', (e) => {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch (_) {
      return;
    }
    for (const c of msg.captures || []) {
      if (!state.captures.some((x) => x.id === c.id) || known.get(c.id) !== c.connections) dirty.captures = true;
      known.set(c.id, c.connections);
      if (c.id !== state.cid) continue;
      const items = c.items || {};
      // Any change in this capture may change a row (counts, result), so the grid re-reads.
      dirty.connections = true;
      if (state.conn && Object.prototype.hasOwnProperty.call(items, state.conn)) dirty.items = true;
    }
    flush();
  });
  return es;
}
