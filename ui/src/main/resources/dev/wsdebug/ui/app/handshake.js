// The Handshake tab: request and response exactly as exchanged (headers in order), the accept
// check, what was negotiated, each extension parameter explained, and for a refused or invalid
// upgrade the problems and the failure sentence.

import { el } from './dom.js';
import * as fmt from './format.js';
import { deflateText } from './detail.js';

export function renderHandshake(pane, detail) {
  const hs = detail && detail.handshake;
  const box = el('div', { class: 'hs', 'data-testid': 'handshake' });
  pane.append(box);
  if (!hs && detail && detail.http) {
    renderHttp(box, detail.http);
    return;
  }
  if (!hs) {
    box.append(el('div', { class: 'empty', text: detail && detail.kind === 'http' ? 'A plain HTTP exchange (no upgrade).' : 'No handshake was captured for this connection (it was joined mid-stream).' }));
    return;
  }
  if (hs.failure) box.append(el('div', { class: 'failure', 'data-testid': 'hs-failure', text: hs.failure }));
  if (hs.problems && hs.problems.length) {
    box.append(el('h3', { text: 'Problems' }), el('ul', { class: 'problems', 'data-testid': 'hs-problems' }, hs.problems.map((p) => el('li', { text: p }))));
  }
  const version = hs.transport === 'h2' ? 'HTTP/2' : 'HTTP/1.1';
  box.append(el('h3', { text: `Request  ${fmt.clock(hs.t)}` }));
  const req = hs.request || {};
  box.append(el('div', { class: 'line', 'data-testid': 'hs-request-line', text: `${req.method || 'GET'} ${req.target || ''} ${version}` }));
  box.append(headers(req.headers, 'hs-request-headers'));
  box.append(el('h3', { text: 'Response' }));
  if (hs.response) {
    const ok = hs.response.status === 101 || (hs.transport === 'h2' && hs.response.status === 200);
    box.append(el('div', { class: 'line ' + (ok ? 'ok' : 'bad'), 'data-testid': 'hs-status-line', text: `${version} ${hs.response.status} ${hs.response.reason || ''}` }));
    box.append(headers(hs.response.headers, 'hs-response-headers'));
  } else {
    box.append(el('div', { class: 'muted', 'data-testid': 'hs-status-line', text: 'No response.' }));
  }
  box.append(el('h3', { text: 'Checks and negotiation' }));
  const rows = [
    ['Upgraded', hs.upgraded ? 'yes' : 'no', hs.upgraded],
    ['Valid', hs.valid === undefined ? null : hs.valid ? 'yes' : 'no', hs.valid],
  ];
  if (hs.transport === 'h2') {
    rows.push(['HTTP/2 stream', hs.stream === undefined || hs.stream === null ? '—' : String(hs.stream)]);
    rows.push(['Accept check', 'none: an extended CONNECT (RFC 8441) has no key and no accept']);
  } else if (hs.accept) {
    rows.push(['Sec-WebSocket-Accept expected', hs.accept.expected ?? '—']);
    rows.push(['Sec-WebSocket-Accept actual', hs.accept.actual ?? '—']);
    if (!hs.accept.actual && !hs.upgraded) rows.push(['Accept check', 'not made: the server did not switch protocols']);
    else rows.push(['Accept check', hs.accept.valid ? 'valid' : 'INVALID', !!hs.accept.valid]);
  }
  rows.push(['Subprotocol', hs.subprotocol || 'none']);
  rows.push(['Extensions', hs.extensions || 'none']);
  if (detail.deflate) {
    rows.push(['Client → server', deflateText(detail.deflate.c2s) || '—']);
    rows.push(['Server → client', deflateText(detail.deflate.s2c) || '—']);
  }
  const t = el('table', { class: 'kv', 'data-testid': 'hs-checks' });
  for (const [k, v, good] of rows) {
    if (v === null) continue;
    t.append(el('tr', {}, el('th', { text: k }), el('td', { class: good === true ? 'ok' : good === false ? 'bad' : '', text: v })));
  }
  box.append(t);
  const ex = hs.extensionsExplained || [];
  if (ex.length) {
    box.append(el('h3', { text: 'Extension parameters' }));
    const et = el('table', { class: 'kv', 'data-testid': 'hs-extensions' });
    for (const e of ex) {
      et.append(el('tr', {},
        el('th', { text: `${e.extension}${e.param ? '; ' + e.param : ''}${e.value !== null && e.value !== undefined && e.value !== '' ? '=' + e.value : ''}` }),
        el('td', { class: 'prose', text: e.meaning || '' })));
    }
    box.append(et);
  }
}

/** A plain HTTP exchange (the `http` event of JSON Lines): request and response with their headers. */
function renderHttp(box, h) {
  box.append(el('h3', { text: `Request  ${fmt.clock(h.t)}` }));
  box.append(el('div', { class: 'line', 'data-testid': 'hs-request-line', text: `${h.method || ''} ${h.url || ''}` }));
  box.append(headers(h.request && h.request.headers, 'hs-request-headers'));
  if (h.request && h.request.bodyLength) box.append(el('div', { class: 'muted', text: `body ${fmt.bytes(h.request.bodyLength)}` }));
  box.append(el('h3', { text: `Response${h.durationMs !== undefined ? '  after ' + fmt.duration(h.durationMs) : ''}` }));
  box.append(el('div', { class: 'line ' + (h.status >= 400 ? 'bad' : 'ok'), 'data-testid': 'hs-status-line', text: `${h.status ?? ''} ${h.reason || ''}` }));
  box.append(headers(h.response && h.response.headers, 'hs-response-headers'));
  if (h.response && h.response.bodyLength) box.append(el('div', { class: 'muted', text: `body ${fmt.bytes(h.response.bodyLength)}` }));
}

function headers(list, id) {
  const t = el('table', { class: 'kv headers', 'data-testid': id });
  for (const [k, v] of list || []) t.append(el('tr', {}, el('td', { text: k }), el('td', { text: v })));
  if (!list || list.length === 0) t.append(el('tr', {}, el('td', { class: 'muted', text: '(no headers)' })));
  return t;
}
