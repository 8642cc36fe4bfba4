// The New connection panel: connect from wsdebug's own client (recorded in the `client`
// capture), then a composer for text, JSON (checked here before sending), binary, ping and
// close, with saved messages in localStorage and live counters from the grid row.

import { el, $, clear } from './dom.js';
import * as fmt from './format.js';
import { postJson, enc } from './api.js';
import { state, on } from './state.js';
import { guard, toast } from './status.js';
import { loadCaptures, loadConnections, switchTo } from './captures.js';
import { select } from './grid.js';

const SAVED_KEY = 'wsdebug-saved-messages';
let session = null; // {capture, conn}
let counters = null;

export function initSession() {
  const dlg = $('#session-dialog');
  $('#new-conn').addEventListener('click', () => {
    if (!dlg.open) dlg.show();
  });
  $('#session-cancel').addEventListener('click', () => dlg.close());
  $('#session-form').addEventListener('submit', (e) => {
    e.preventDefault();
    connect(new FormData(e.target));
  });
  on('conns', updateCounters);
}

function parseHeaders(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`The header line ${JSON.stringify(line)} has no "Name: value".`);
    out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return out;
}

async function connect(form) {
  let headers;
  try {
    headers = parseHeaders(form.get('headers') || '');
  } catch (e) {
    toast(e.message);
    return;
  }
  const body = {
    url: String(form.get('url') || '').trim(),
    headers,
    subprotocols: String(form.get('subprotocols') || '').split(',').map((s) => s.trim()).filter(Boolean),
    compress: form.get('compress') === 'on',
  };
  const res = await guard(postJson('/api/sessions', body));
  if (!res) return;
  session = { capture: String(res.capture), conn: String(res.conn) };
  await loadCaptures();
  if (state.cid !== session.capture) await switchTo(session.capture);
  // The row appears once the client has started the handshake: wait a little for it rather
  // than select a connection the capture does not show yet.
  for (let i = 0; i < 30 && !state.conns.some((c) => c.conn === session.conn); i++) {
    await new Promise((r) => setTimeout(r, 100));
    await loadConnections();
  }
  select(session.conn, 'messages');
  renderComposer();
}

function renderComposer() {
  const box = clear($('#composer'));
  box.hidden = false;
  counters = el('div', { class: 'counters', 'data-testid': 'session-counters' });
  const type = el('select', { 'data-testid': 'compose-type' }, ['text', 'json', 'binary', 'ping', 'close'].map((t) => el('option', { value: t, text: t })));
  const encoding = el('select', { 'data-testid': 'compose-encoding' }, ['hex', 'base64'].map((t) => el('option', { value: t, text: t })));
  const data = el('textarea', { 'data-testid': 'compose-data', spellcheck: false, rows: 3 });
  const code = el('input', { 'data-testid': 'compose-code', value: '1000', size: 6 });
  const reason = el('input', { 'data-testid': 'compose-reason', placeholder: 'reason' });
  const err = el('div', { class: 'error-line', 'data-testid': 'compose-error' });
  const send = el('button', { class: 'primary', 'data-testid': 'compose-send', text: 'Send' });
  const save = el('button', { text: 'Save', title: 'Keep this message in the list below' });
  const saved = el('div', { class: 'saved', 'data-testid': 'saved-messages' });
  const encRow = el('span', {}, ' encoding ', encoding);
  const closeRow = el('span', {}, ' code ', code, ' reason ', reason);
  const sync = () => {
    encRow.hidden = type.value !== 'binary';
    closeRow.hidden = type.value !== 'close';
    data.disabled = type.value === 'close';
    err.textContent = '';
    if (type.value === 'json' && data.value.trim()) {
      try {
        JSON.parse(data.value);
      } catch (e) {
        err.textContent = 'Not JSON: ' + e.message;
      }
    }
  };
  type.addEventListener('change', sync);
  data.addEventListener('input', sync);
  send.addEventListener('click', () => {
    const msg = { type: type.value, data: data.value };
    if (msg.type === 'json') {
      try {
        JSON.parse(data.value);
      } catch (e) {
        err.textContent = 'Not JSON: ' + e.message;
        return;
      }
    }
    if (msg.type === 'binary') {
      msg.encoding = encoding.value;
      if (encoding.value === 'hex' && fmt.hexToBytes(data.value) === null) {
        err.textContent = 'Not hex: use pairs of 0-9 a-f (spaces allowed).';
        return;
      }
    } else if (msg.type === 'close') {
      msg.code = Number(code.value);
      msg.reason = reason.value;
      delete msg.data;
    } else {
      msg.encoding = 'text';
    }
    guard(postJson(`/api/sessions/${enc(session.capture)}/${enc(session.conn)}/send`, msg).then(() => {
      err.textContent = '';
    }));
  });
  save.addEventListener('click', () => {
    const list = loadSaved();
    list.unshift({ type: type.value, data: data.value, encoding: encoding.value });
    localStorage.setItem(SAVED_KEY, JSON.stringify(list.slice(0, 50)));
    fillSaved();
  });
  const fillSaved = () => {
    clear(saved);
    const list = loadSaved();
    if (!list.length) saved.append(el('div', { class: 'muted', text: 'No saved messages.' }));
    list.forEach((m, i) => saved.append(el('div', {},
      el('b', { text: m.type }),
      el('span', { text: m.data, title: 'Put into the composer', onclick: () => {
        type.value = m.type;
        data.value = m.data;
        if (m.encoding) encoding.value = m.encoding;
        sync();
      } }),
      el('button', { text: '×', title: 'Forget', onclick: () => {
        const l = loadSaved();
        l.splice(i, 1);
        localStorage.setItem(SAVED_KEY, JSON.stringify(l));
        fillSaved();
      } }))));
  };
  box.append(
    el('h2', { text: `Connection ${session.conn}` }),
    counters,
    el('div', {}, 'Type ', type, encRow, closeRow),
    data, err,
    el('div', { class: 'buttons' }, save, send),
    el('h3', { text: 'Saved messages' }), saved,
  );
  data.style.width = '100%';
  sync();
  fillSaved();
  updateCounters();
}

function loadSaved() {
  try {
    return JSON.parse(localStorage.getItem(SAVED_KEY) || '[]');
  } catch (_) {
    return [];
  }
}

function updateCounters() {
  if (!session || !counters || state.cid !== session.capture) return;
  const r = state.conns.find((c) => c.conn === session.conn);
  if (!r) {
    counters.textContent = 'connecting…';
    return;
  }
  const since = r.result === 'open' ? `connected since ${fmt.clock(r.t)}` : `${r.result}${r.close ? ` (${r.close.code} ${r.close.name})` : ''}`;
  counters.textContent = `↑ ${fmt.count(r.sent?.messages)} msg ${fmt.bytes(r.sent?.bytes)}   ↓ ${fmt.count(r.received?.messages)} msg ${fmt.bytes(r.received?.bytes)}   ${since}`;
}
