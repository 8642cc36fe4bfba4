// The connections grid: one row per WebSocket connection or HTTP exchange, filtered and sorted
// in the page (the API returns at most 20,000 rows), shown through the virtual list.

import { el, $, $$, clear, debounce } from './dom.js';
import * as fmt from './format.js';
import { VirtualList } from './virtual-list.js';
import { state, emit, on } from './state.js';

const COLUMNS = [
  { key: 'n', title: '#', num: true, value: (c) => c.n },
  { key: 't', title: 'Start', value: (c) => c.t, text: (c) => fmt.clock(c.t), tip: (c) => fmt.dateTime(c.t) },
  { key: 'method', title: 'Method', value: (c) => c.method || '' },
  { key: 'url', title: 'URL', value: (c) => c.url || '' },
  { key: 'status', title: 'Status', num: true, value: (c) => c.status ?? -1, text: (c) => (c.status ?? '') + '' },
  { key: 'protocol', title: 'Proto', value: (c) => c.protocol || '' },
  { key: 'subprotocol', title: 'Subprotocol', value: (c) => c.subprotocol || '' },
  // the application protocol the decoders read the connection as (socket.io, stomp, json…)
  { key: 'app', title: 'App', value: (c) => c.app || '', tip: appTip },
  { key: 'compression', title: 'Compression', value: (c) => c.compression || '' },
  { key: 'messages', title: 'Msgs ↑ / ↓', value: (c) => msgs(c) },
  { key: 'bytesUp', title: 'Bytes ↑', num: true, value: (c) => c.sent?.bytes ?? 0, text: (c) => fmt.bytes(c.sent?.bytes) },
  { key: 'bytesDown', title: 'Bytes ↓', num: true, value: (c) => c.received?.bytes ?? 0, text: (c) => fmt.bytes(c.received?.bytes) },
  { key: 'duration', title: 'Duration', num: true, value: (c) => c.durationMs ?? -1, text: (c) => fmt.duration(c.durationMs) },
  { key: 'close', title: 'Close', value: (c) => c.close?.code ?? -1, text: (c) => closeText(c) },
  { key: 'result', title: 'Result', value: (c) => c.result || '' },
];

const STATUS = COLUMNS.findIndex((col) => col.key === 'status');
const RESULT = COLUMNS.findIndex((col) => col.key === 'result');

function msgs(c) {
  return (c.sent?.messages ?? 0) + (c.received?.messages ?? 0);
}

function appTip(c) {
  if (!c.app) return c.subprotocol ? `subprotocol ${c.subprotocol}` : '';
  return c.subprotocol ? `${c.app} (subprotocol ${c.subprotocol})` : c.app;
}

function closeText(c) {
  if (!c.close) return '';
  return `${c.close.code} ${c.close.name || ''}`.trim();
}

const view = {
  kind: 'all',
  text: '',
  failed: false,
  sort: 'n',
  desc: false,
  rows: [], // filtered and sorted
};
let list;

export function initGrid() {
  const head = $('#grid-head');
  for (const col of COLUMNS) {
    head.append(el('span', {
      class: col.num ? 'num' : '',
      dataset: { col: col.key },
      'data-testid': 'col-' + col.key,
      text: col.title,
      title: 'Sort by ' + col.title,
      onclick: () => sortBy(col.key),
    }));
  }
  list = new VirtualList($('#grid-body'), { rowHeight: 22, renderRow });
  $$('#grid-kind button').forEach((b) =>
    b.addEventListener('click', () => {
      view.kind = b.dataset.kind;
      $$('#grid-kind button').forEach((x) => x.classList.toggle('on', x === b));
      apply();
    }),
  );
  $('#grid-filter').addEventListener('input', debounce((e) => {
    view.text = e.target.value.trim().toLowerCase();
    apply();
  }, 120));
  $('#grid-failed').addEventListener('change', (e) => {
    view.failed = e.target.checked;
    apply();
  });
  $('#grid-body').addEventListener('keydown', onKey);
  $('#grid-body').addEventListener('scroll', () => {
    head.parentElement.scrollLeft = $('#grid-body').scrollLeft;
  }, { passive: true });
  $('#grid-body').tabIndex = 0;
  on('conns', apply);
  on('conn', () => list.refresh());
  markSorted();
}

function sortBy(key) {
  if (view.sort === key) view.desc = !view.desc;
  else {
    view.sort = key;
    view.desc = false;
  }
  markSorted();
  apply();
}

function markSorted() {
  $$('#grid-head span').forEach((s) => {
    s.classList.toggle('sorted', s.dataset.col === view.sort);
    s.classList.toggle('desc', s.dataset.col === view.sort && view.desc);
  });
}

function matches(c) {
  if (view.kind === 'ws' && c.kind !== 'ws') return false;
  if (view.kind === 'http' && c.kind !== 'http') return false;
  if (view.failed && !(c.result === 'failed' || c.result === 'abnormal' || (c.kind === 'http' && c.status >= 400))) return false;
  if (!view.text) return true;
  const hay = [c.n, c.url, c.method, c.status, c.protocol, c.subprotocol, c.app, c.compression, c.result,
    c.close?.code, c.close?.name, c.close?.reason, c.client, c.server].join(' ').toLowerCase();
  return hay.includes(view.text);
}

function apply() {
  const col = COLUMNS.find((c) => c.key === view.sort) || COLUMNS[0];
  const rows = state.conns.filter(matches);
  rows.sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    const r = x < y ? -1 : x > y ? 1 : a.n - b.n;
    return view.desc ? -r : r;
  });
  view.rows = rows;
  fitHeight(rows.length);
  list.setCount(rows.length);
  list.refresh();
  const total = state.conns.length;
  const noun = (n) => (n === 1 ? 'row' : 'rows');
  $('#grid-count').textContent = rows.length === total ? `${fmt.count(total)} ${noun(total)}` : `${fmt.count(rows.length)} of ${fmt.count(total)} ${noun(total)}`;
}

/** A few connections need no third of the screen: the grid takes what its rows need, until dragged. */
function fitHeight(n) {
  const section = $('#grid-section');
  if (section.dataset.userSized) return;
  const chrome = 56; // toolbar and head
  const want = chrome + Math.max(3, n) * 22 + 18;
  section.style.height = Math.round(Math.min(window.innerHeight * 0.36, want)) + 'px';
}

function renderRow(r, i) {
  const c = view.rows[i];
  if (!c) return;
  r.className = 'vl-row grid-row' + (c.conn === state.conn ? ' sel' : '');
  r.dataset.conn = c.conn;
  r.dataset.testid = 'conn-row';
  if (!r.cells) {
    r.cells = COLUMNS.map((col) => {
      const s = el('span', { class: col.num ? 'num' : '', dataset: { col: col.key } });
      r.append(s);
      return s;
    });
    r.addEventListener('click', (e) => {
      select(r.dataset.conn, e.target.closest('.badge') ? 'messages' : null);
    });
  }
  COLUMNS.forEach((col, k) => {
    const cell = r.cells[k];
    if (col.key === 'messages') {
      clear(cell);
      if (c.kind === 'ws') {
        cell.append(el('span', { class: 'badge', 'data-testid': 'msg-badge', text: `${fmt.compact(c.sent?.messages ?? 0)} ↑ / ${fmt.compact(c.received?.messages ?? 0)} ↓`, title: `${fmt.count(c.sent?.messages ?? 0)} sent, ${fmt.count(c.received?.messages ?? 0)} received: open the messages` }));
      }
      return;
    }
    const text = col.text ? col.text(c) : String(col.value(c) ?? '');
    cell.textContent = text;
    cell.title = col.tip ? col.tip(c) : col.key === 'close' && c.close?.reason ? `${text} "${c.close.reason}"` : text;
  });
  r.cells[STATUS].className = 'num' + (c.status && c.status !== 101 && c.status >= 300 ? ' st-bad' : '');
  const res = r.cells[RESULT];
  res.className = 'res-' + (c.result || '');
  // the analysis' worst finding: a badge drawn by the stylesheet, so the cell's text stays the result
  if (c.finding && c.finding.count) {
    res.dataset.finding = c.finding.worst;
    res.title = `${c.result || ''}: ${c.finding.count} finding${c.finding.count > 1 ? 's' : ''} (worst: ${c.finding.worst})`;
  } else {
    delete res.dataset.finding;
  }
}

export function select(conn, tab) {
  if (conn === state.conn && !tab) return;
  const changed = conn !== state.conn;
  state.conn = conn;
  if (changed) emit('conn', conn);
  if (tab) emit('conn-tab', tab);
}

/** Scrolls the grid to a connection's row (search hits). */
export function reveal(conn) {
  const i = view.rows.findIndex((c) => c.conn === conn);
  if (i >= 0) list.scrollToIndex(i, 'center');
}

function onKey(e) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  e.preventDefault();
  let i = view.rows.findIndex((c) => c.conn === state.conn);
  i = e.key === 'ArrowDown' ? Math.min(view.rows.length - 1, i + 1) : Math.max(0, i - 1);
  if (view.rows[i]) {
    select(view.rows[i].conn);
    list.scrollToIndex(i);
  }
}
