// Detail tabs of the selected item: Info, Text, JSON, Decoded, Hex, Raw (wire bytes), Frames; copy
// buttons. The full item is fetched once per selection; Raw is fetched when its tab opens.

import { el, $, $$, clear } from './dom.js';
import * as fmt from './format.js';
import { getJson, getBytes, enc } from './api.js';
import { hexdump } from './hexdump.js';
import { jsonTree, parseJson } from './json-tree.js';
import { state, on, emit, connRow } from './state.js';
import { guard, toast } from './status.js';
import { decodedPane } from './decoded.js';

let tab = 'info';
let item = null; // the full item
let bytes = null; // decoded payload
let raw = null; // wire bytes, once fetched
let json; // parsed JSON of the text, or undefined
let token = 0; // drops answers to selections that are no longer current

export function initDetail() {
  $$('#detail-tabs button[data-tab]').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
  $$('#detail-tabs button[data-copy]').forEach((b) => b.addEventListener('click', () => copy(b.dataset.copy)));
  $('#resend').addEventListener('click', () => {
    if (item) emit('resend', item);
  });
  on('item', (row) => load(row.seq));
  on('conn', () => {
    token++;
    item = null;
    render();
  });
}

function itemPath(seq) {
  return `/api/captures/${enc(state.cid)}/connections/${enc(state.conn)}/items/${seq}`;
}

async function load(seq) {
  const my = ++token;
  const it = await guard(getJson(itemPath(seq)));
  if (my !== token || !it) return;
  item = it;
  bytes = fmt.base64ToBytes(it.base64);
  raw = null;
  json = it.text !== null && it.text !== undefined ? parseJson(it.text) : undefined;
  render();
}

function showTab(name) {
  tab = name;
  render();
}

function render() {
  const body = $('#detail-body');
  clear(body);
  $$('#detail-tabs button[data-tab]').forEach((b) => b.classList.toggle('on', b.dataset.tab === tab));
  const row = connRow();
  $('#resend').hidden = !(item && row && row.injectable && item.kind === 'message');
  if (!item) {
    body.append(el('div', { class: 'empty', text: state.conn ? 'Select a message.' : 'Select a connection, then a message.' }));
    return;
  }
  $('#detail-tabs button[data-tab=json]').disabled = json === undefined;
  $('#detail-tabs button[data-tab=text]').disabled = item.text === null || item.text === undefined;
  $('#detail-tabs button[data-tab=decoded]').disabled = !item.decoded;
  body.dataset.seq = item.seq;
  const pane = el('div', { 'data-testid': 'detail-' + tab });
  body.append(pane);
  if (tab === 'info') info(pane);
  else if (tab === 'text') text(pane);
  else if (tab === 'json') jsonPane(pane);
  else if (tab === 'decoded') decodedPane(pane, item);
  else if (tab === 'hex') pane.append(hexdump(bytes));
  else if (tab === 'raw') rawPane(pane);
  else if (tab === 'frames') frames(pane);
}

const yesNo = (b) => (b ? 'yes' : 'no');

function kv(rows) {
  const t = el('table', { class: 'kv' });
  for (const [k, v, id] of rows) {
    if (v === undefined) continue;
    const td = el('td', { 'data-testid': id ? 'info-' + id : null });
    if (v instanceof Node) td.append(v);
    else td.textContent = v === null ? '—' : String(v);
    t.append(el('tr', {}, el('th', { text: k }), td));
  }
  return t;
}

function info(pane) {
  const it = item;
  const row = connRow();
  const f0 = (it.frameList && it.frameList[0]) || {};
  const fl = it.frameList || [];
  const headerBytes = fl.reduce((s, f) => s + (f.headerLength || 0), 0);
  const rows = [
    ['Type', `${it.type} (opcode 0x${(it.opcode ?? 0).toString(16)})${it.kind === 'frame' ? ', control frame' : ''}`, 'type'],
    ['Direction', it.dir === 'c2s' ? '↑ client → server' : '↓ server → client', 'dir'],
    ['Seq', it.seq, 'seq'],
    ['Time', `${fmt.clock(it.t)}  (${row ? fmt.offset(it.t - row.t) : ''} from the connection's start)`, 'time'],
    ['FIN / fragments', it.frames > 1 ? `fragmented: ${it.frames} frames (FIN on the last)` : `FIN ${yesNo(f0.fin ?? true)}, not fragmented`, 'fin'],
    ['Frames', it.frames, 'frames'],
    ['RSV bits', `RSV1 ${+!!f0.rsv1}  RSV2 ${+!!f0.rsv2}  RSV3 ${+!!f0.rsv3}`, 'rsv'],
    ['Masked', f0.masked ? `yes, key ${f0.maskKey}${fl.length > 1 ? ' (first frame; each frame has its own key)' : ''}` : 'no', 'masked'],
    ['Length encoding', f0.lengthEncoding !== undefined ? `${lengthEncoding(f0.lengthEncoding)}; header ${f0.headerLength} B${fl.length > 1 ? `, ${headerBytes} B over ${fl.length} frames` : ''}` : null, 'lenenc'],
    ['On the wire', `${fmt.count(it.wireLength)} B payload${headerBytes ? ` + ${headerBytes} B headers` : ''}`, 'wire'],
    ['Decoded', `${fmt.count(it.length)} B${it.truncated ? ' (truncated: stored up to the capture\'s payload cap)' : ''}`, 'decoded'],
    ['Compressed', it.compressed ? `yes (permessage-deflate${it.deflate ? `: ${deflateText(it.deflate)}` : ''})` : 'no', 'compressed'],
    ['UTF-8', it.utf8 ?? (it.type === 'text' ? 'unknown' : 'n/a (not text)'), 'utf8'],
  ];
  if (it.missing) rows.push(['Missing', `${fmt.count(it.missing)} B not captured`, 'missing']);
  if (it.sha256) rows.push(['SHA-256', it.sha256, 'sha256']);
  if (it.close) {
    const c = it.close;
    const code = el('span', {}, `${c.code ?? '(none)'} ${c.name || ''}`);
    if (c.neverOnWire) code.append(el('span', { class: 'tag bad', text: 'never on the wire' }));
    rows.push(['Close code', code, 'close-code']);
    rows.push(['Reason', c.reason ? JSON.stringify(c.reason) : '(none)', 'close-reason']);
    rows.push(['Meaning', c.meaning || null, 'close-meaning']);
  }
  pane.append(kv(rows));
  // A message's own violations plus those of its frames (the server may report a broken rule
  // on the frame only, e.g. a reserved bit), each once.
  const seen = new Set();
  const viol = [...(it.violations || []), ...fl.flatMap((f) => (f.violations || []).map((v) => ({ ...v, frame: f.seq })))]
    .filter((v) => {
      const k = `${v.rule}|${v.offset}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  pane.append(el('h3', { text: `Violations (${viol.length})` }));
  if (viol.length === 0) pane.append(el('div', { class: 'muted', text: 'None: this item follows RFC 6455 as far as wsdebug checks.' }));
  else pane.append(violations(viol));
}

export function violations(list) {
  return el('ul', { class: 'viol-list', 'data-testid': 'violations' },
    list.map((v) => el('li', {},
      el('b', { text: v.rule }), ' ',
      el('span', { text: `(${v.rfc || 'RFC 6455'}${v.offset !== null && v.offset !== undefined ? `, byte ${v.offset}` : ''}${v.frame !== undefined ? `, frame ${v.frame}` : ''})${v.detail ? ': ' + v.detail : ''}` }))));
}

function lengthEncoding(n) {
  if (n === 7) return '7-bit length';
  if (n === 16) return '16-bit extended length (126)';
  if (n === 64) return '64-bit extended length (127)';
  return String(n);
}

export function deflateText(d) {
  if (!d) return '';
  return `${d.noContextTakeover ? 'no context takeover' : 'context takeover'}, ${d.maxWindowBits ?? 15}-bit window`;
}

function text(pane) {
  if (item.text === null || item.text === undefined) {
    pane.append(el('div', { class: 'muted', text: `A ${item.type} payload has no text; see Hex.` }));
    return;
  }
  if (item.truncated) pane.append(el('div', { class: 'note', text: 'Truncated at the capture\'s payload cap.' }));
  pane.append(el('pre', { class: 'pre', 'data-testid': 'text-body', text: item.text }));
}

function jsonPane(pane) {
  if (json === undefined) {
    pane.append(el('div', { class: 'muted', text: 'The text is not a JSON object or array.' }));
    return;
  }
  pane.append(jsonTree(json));
}

function rawPane(pane) {
  if (!item.raw) {
    pane.append(el('div', { class: 'muted', text: 'This capture did not store the wire bytes of this item.' }));
    return;
  }
  pane.append(el('div', { class: 'note', text: 'The exact bytes on the wire: frame headers included, payload masked as sent (client frames) and compressed when it was.' }));
  if (raw) {
    pane.append(hexdump(raw));
    return;
  }
  const box = el('div', { class: 'muted', text: 'Loading…' });
  pane.append(box);
  const my = token;
  guard(getBytes(itemPath(item.seq) + '/raw').then((b) => {
    if (my !== token) return;
    raw = b;
    if (tab === 'raw') render();
  }));
}

function frames(pane) {
  const fl = item.frameList || [];
  const row = connRow();
  // Fields down, one column per frame: most items have 1–3 frames, and names read better.
  const fields = [
    ['seq', (f) => f.seq],
    ['time', (f) => (row ? fmt.offset(f.t - row.t) : fmt.clock(f.t))],
    ['FIN', (f) => +!!f.fin],
    ['RSV1', (f) => +!!f.rsv1],
    ['RSV2', (f) => +!!f.rsv2],
    ['RSV3', (f) => +!!f.rsv3],
    ['opcode', (f) => '0x' + (f.opcode ?? 0).toString(16)],
    ['type', (f) => f.type],
    ['masked', (f) => yesNo(f.masked)],
    ['mask key', (f) => f.maskKey || ''],
    ['header length', (f) => f.headerLength],
    ['length encoding', (f) => f.lengthEncoding],
    ['payload length', (f) => fmt.count(f.payloadLength)],
    ['offset', (f) => f.offset ?? ''],
    ['close', (f) => (f.closeCode !== null && f.closeCode !== undefined ? `${f.closeCode}${f.closeReason ? ' ' + JSON.stringify(f.closeReason) : ''}` : '')],
    ['violations', (f) => (f.violations || []).map((v) => v.rule).join(', ')],
    ['packets', (f) => (f.packets ? f.packets.join(', ') : '')],
  ];
  const t = el('table', { class: 'frames', 'data-testid': 'frames-table' });
  t.append(el('tr', {}, el('th', { text: 'frame' }), fl.map((f, i) => el('th', { text: String(i + 1) }))));
  for (const [name, get] of fields) {
    t.append(el('tr', { dataset: { field: name } }, el('th', { text: name }), fl.map((f) => {
      const v = get(f);
      return el('td', { text: v === undefined || v === null ? '' : String(v) });
    })));
  }
  pane.append(t);
  for (const f of fl) {
    if (f.payloadHex) {
      pane.append(el('h3', { text: `Frame ${f.seq} payload` }), el('pre', { class: 'pre', text: f.payloadHex }));
    }
    if (f.violations && f.violations.length) {
      pane.append(el('h3', { text: `Frame ${f.seq} violations` }), violations(f.violations));
    }
  }
}

async function copy(kind) {
  if (!item) return;
  let s;
  if (kind === 'text') s = item.text ?? new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  else if (kind === 'hex') s = fmt.bytesToHex(bytes);
  else s = item.base64 || '';
  try {
    await navigator.clipboard.writeText(s);
    toast(`Copied ${fmt.bytes(s.length)} as ${kind}.`, 'info');
  } catch (_) {
    // No clipboard (plain http in some browsers, or denied): a selected textarea instead.
    const body = $('#detail-body');
    const ta = el('textarea', { class: 'copy-area', 'data-testid': 'copy-area', readOnly: true });
    ta.value = s;
    body.prepend(el('div', { class: 'note', text: `Press Ctrl+C to copy the ${kind}:` }), ta);
    ta.focus();
    ta.select();
  }
}
