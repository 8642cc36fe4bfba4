// What is selected, shared by the panes, and a tiny event bus between them.

export const state = {
  captures: [], // from /api/captures
  cid: null, // selected capture id
  conns: [], // connection rows of the selected capture
  conn: null, // selected connection id
  connDetail: null, // /connections/{conn} of the selected one
  seq: null, // selected item seq
};

const listeners = new Map();

export function on(event, f) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(f);
}

export function emit(event, arg) {
  for (const f of listeners.get(event) || []) {
    try {
      f(arg);
    } catch (e) {
      console.error(e);
    }
  }
}

export function connRow(id = state.conn) {
  return state.conns.find((c) => c.conn === id) || null;
}

export function capture(id = state.cid) {
  return state.captures.find((c) => c.id === id) || null;
}
