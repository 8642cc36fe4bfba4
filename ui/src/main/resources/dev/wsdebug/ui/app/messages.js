// The messages pane of the selected connection: filters, the virtual list over an ItemPager,
// selection (click, ↑/↓), relative times, follow tail and pause for live connections.

import { $, $$, debounce } from './dom.js';
import * as fmt from './format.js';
import { getJson, query, enc } from './api.js';
import { VirtualList } from './virtual-list.js';
import { ItemPager } from './item-pager.js';
import { state, emit, on, connRow } from './state.js';
import { guard, toast } from './status.js';

const ROW = 22;
const filters = { dir: '', show: 'all', pings: true, q: '', re: false };
let relative = false;
let follow = false;
let paused = false;
let pager = null;
let list;
let selIndex = -1;
let pending = null; // seq to select once the pager is ready (search hits, timeline clicks)
let denseBroken = false; // this connection's rows turned out not dense: walk its pages

export function initMessages() {
  list = new VirtualList($('#msg-list'), { rowHeight: ROW, renderRow, onRange });
  segmented('#msg-dir', 'dir', (v) => (filters.dir = v));
  segmented('#msg-show', 'show', (v) => (filters.show = v));
  $('#msg-nopings').addEventListener('change', (e) => {
    filters.pings = !e.target.checked;
    reload(true);
  });
  $('#msg-q').addEventListener('input', debounce((e) => {
    filters.q = e.target.value;
    reload(true);
  }, 250));
  $('#msg-re').addEventListener('change', (e) => {
    filters.re = e.target.checked;
    if (filters.q) reload(true);
  });
  $('#msg-rel').addEventListener('change', (e) => {
    relative = e.target.checked;
    list.refresh();
  });
  $('#msg-follow').addEventListener('change', (e) => {
    follow = e.target.checked;
    if (follow) toTail();
  });
  $('#msg-pause').addEventListener('click', () => {
    paused = !paused;
    $('#msg-pause').textContent = paused ? 'Resume' : 'Pause';
    $('#msg-pause').classList.toggle('primary', paused);
    if (!paused) liveUpdate();
  });
  $('#msg-list').addEventListener('keydown', onKey);
  $('#msg-list').addEventListener('click', (e) => {
    const r = e.target.closest('.vl-row');
    if (r && r.dataset.index) selectIndex(Number(r.dataset.index));
    $('#msg-list').focus();
  });
  // Leaving the user wherever they scrolled to is the point of follow being a choice.
  $('#msg-list').addEventListener('wheel', (e) => {
    if (follow && e.deltaY < 0) setFollow(false);
  }, { passive: true });
  on('conn', () => {
    state.seq = null;
    selIndex = -1;
    denseBroken = false;
    reload();
  });
}

function segmented(sel, key, set) {
  $$(sel + ' button').forEach((b) =>
    b.addEventListener('click', () => {
      set(b.dataset[key]);
      $$(sel + ' button').forEach((x) => x.classList.toggle('on', x === b));
      reload(true);
    }),
  );
}

function setFollow(v) {
  follow = v;
  $('#msg-follow').checked = v;
}

/** Resets the filters (a jump to a seq the current filters may hide). */
export function resetFilters() {
  Object.assign(filters, { dir: '', show: 'all', pings: true, q: '', re: false });
  $$('#msg-dir button').forEach((b) => b.classList.toggle('on', b.dataset.dir === ''));
  $$('#msg-show button').forEach((b) => b.classList.toggle('on', b.dataset.show === 'all'));
  $('#msg-nopings').checked = false;
  $('#msg-q').value = '';
  $('#msg-re').checked = false;
}

function itemsPath() {
  return `/api/captures/${enc(state.cid)}/connections/${enc(state.conn)}/items`;
}

/** The pane's filters as query parameters of the items API. */
function filterParams(f) {
  return {
    dir: f.dir,
    show: f.show === 'all' ? undefined : f.show,
    pings: f.pings ? undefined : 0,
    q: f.q,
    re: f.q && f.re ? 1 : undefined,
  };
}

/**
 * A new pager for the current filters. `keep` (a filter changed): the selected row stays
 * selected if the filters show it, else the next one they show is, in view; not with a text
 * filter, whose rows are found by scanning (its matches start at the top).
 */
function reload(keep = false) {
  const place = keep && !filters.q && !follow && state.seq !== null ? state.seq : null;
  if (pager) pager.dispose();
  pager = null;
  selIndex = -1;
  list.setCount(0);
  $('#msg-foot').textContent = '';
  if (!state.cid || !state.conn) return;
  const row = connRow();
  if (row && row.kind === 'http') {
    $('#msg-foot').textContent = 'A plain HTTP exchange: no WebSocket messages.';
    return;
  }
  const f = { ...filters };
  const base = itemsPath();
  const p = new ItemPager(
    (after, limit, skip) => getJson(base + query({ after: after ?? undefined, skip: skip || undefined, limit, ...filterParams(f) })),
    {
      textFiltered: !!f.q,
      onChange: () => onPagerChange(p),
      denseCandidate: !denseBroken && !f.dir && f.show === 'all' && f.pings && !f.q,
      onDenseBroken: () => {
        if (p !== pager) return;
        denseBroken = true;
        const seq = state.seq;
        reload();
        // Following the tail matters more than where the selection was.
        if (seq !== null && !follow) pending = seq;
      },
    },
  );
  pager = p;
  guard(p.ensure(0, 60).then(() => p.probeDense()).then(() => {
    if (pager !== p) return;
    if (pending !== null) {
      const seq = pending;
      pending = null;
      return jumpTo(seq);
    }
    if (place !== null) return keepPlace(p, place);
    if (follow) return toTail();
    if (state.seq === null && p.length > 0) selectIndex(0, false);
  }));
}

/** Selects the row with this seq, or the first after it, or else the last row. */
async function keepPlace(p, seq) {
  let i = await p.seekSeq(seq);
  if (p !== pager) return;
  if (i < 0) i = p.length - 1;
  if (i < 0) return;
  list.scrollToIndex(i, 'center');
  selectIndex(i, false);
}

function onPagerChange(p) {
  if (p !== pager) return;
  list.setCount(p.length);
  list.refresh();
  // Keep the selection on the same item when rows are re-read.
  if (state.seq !== null) {
    const i = p.indexOfSeq(state.seq);
    if (i >= 0) selIndex = i;
  }
  const total = p.textFiltered ? null : p.total;
  let text = total !== null ? `${fmt.count(total)} rows` : `${fmt.count(p.length - (p.complete ? 0 : 1))} matching rows${p.complete ? '' : ' so far'}`;
  if (p.textFiltered) text += ` (scanned ${fmt.count(p.scanned)})`;
  if (selIndex >= 0) text = `row ${fmt.count(selIndex + 1)} of ` + text;
  // Reaching a far row the first time walks the pages before it: say how far it got.
  const [first] = list.visibleRange();
  if (!p.complete && first > p.discovered) text += ` · reading… ${fmt.count(p.discovered)} rows read`;
  $('#msg-foot').textContent = text;
}

function onRange(first, last) {
  if (!pager) return;
  const p = pager;
  // Fetch a little beyond what's visible either way, so scrolling rarely meets an empty row.
  guard(p.ensure(Math.max(0, first - 200), Math.min(last + 200, Math.max(p.length - 1, 0))));
}

function renderRow(r, i) {
  r.dataset.index = i;
  const it = pager ? pager.get(i) : undefined;
  if (!r.cells) {
    r.cells = [];
    for (let k = 0; k < 7; k++) {
      const s = document.createElement('span');
      if (k === 3 || k === 4) s.className = 'num';
      r.append(s);
      r.cells.push(s);
    }
  }
  const [cTime, cDir, cType, cWire, cLen, cProto, cPrev] = r.cells;
  if (!it) {
    r.className = 'vl-row msg-row loading';
    delete r.dataset.seq;
    cTime.textContent = '';
    cDir.textContent = '';
    cType.textContent = '';
    cWire.textContent = '';
    cLen.textContent = '';
    cProto.textContent = '';
    cPrev.textContent = 'loading…';
    return;
  }
  const control = it.kind === 'frame';
  r.className = 'vl-row msg-row' + (control ? ' ctl' : '') + (it.violations ? ' viol' : '') + (it.seq === state.seq ? ' sel' : '');
  r.dataset.seq = it.seq;
  r.dataset.testid = 'item-row';
  r.dataset.dir = it.dir;
  r.dataset.type = it.type;
  const row = connRow();
  cTime.textContent = relative && row ? fmt.offset(it.t - row.t) : fmt.clock(it.t);
  cDir.textContent = it.dir === 'c2s' ? '↑' : '↓';
  cDir.className = 'dir-' + it.dir;
  cDir.title = it.dir === 'c2s' ? 'client → server' : 'server → client';
  cType.textContent = it.type;
  if (it.frames > 1) cType.append(tag(`×${it.frames}`, '', `${it.frames} frames`));
  if (it.compressed) cType.append(tag('z', '', 'compressed (permessage-deflate)'));
  cWire.textContent = fmt.bytes(it.wireLength);
  cLen.textContent = fmt.bytes(it.length);
  const d = it.decoded;
  cProto.textContent = d ? d.protocol : '';
  cProto.className = 'proto' + (d && d.problem ? ' failed' : '');
  cProto.title = d ? (d.problem || `decoded as ${d.protocol}`) : '';
  // What the protocol says reads better than its bytes; the bytes stay when it did not parse,
  // and for plain JSON text, whose text is already the clearest line (its summary only lists keys).
  const summarised = d && d.summary && !d.problem && !(d.protocol === 'json' && it.type === 'text');
  let preview = summarised ? d.summary : it.preview ?? '';
  if (it.closeCode !== null && it.closeCode !== undefined && !preview.startsWith(String(it.closeCode))) {
    preview = `${it.closeCode} ${it.closeName || ''}  ${preview}`;
  }
  cPrev.textContent = preview;
  cPrev.title = preview.slice(0, 400);
  if (it.violations) cPrev.prepend(tag(`⚠ ${it.violations}`, 'bad', `${it.violations} protocol violation(s)`));
  if (it.injected) cPrev.prepend(tag('injected', 'inj', 'sent by wsdebug'));
  if (it.truncated) cPrev.append(tag('truncated', '', 'payload over the capture cap'));
  if (d && d.reply) cPrev.append(tag(`↩ #${d.reply.seq} ${fmt.duration(d.reply.latencyMs)}`, '', `answers #${d.reply.seq}${d.reply.name ? ' ' + d.reply.name : ''}`));
}

function tag(text, cls, title) {
  const s = document.createElement('span');
  s.className = 'tag ' + cls;
  s.textContent = text;
  s.title = title;
  return s;
}

function selectIndex(i, focus = true) {
  if (!pager || i < 0 || i >= pager.length) return;
  const it = pager.get(i);
  selIndex = i;
  list.scrollToIndex(i);
  if (!it) {
    const p = pager;
    guard(p.ensure(i, i).then(() => p === pager && selectIndex(i, focus)));
    return;
  }
  if (state.seq !== it.seq) {
    state.seq = it.seq;
    emit('item', it);
  }
  list.refresh();
  onPagerChange(pager);
  if (focus && document.activeElement !== $('#msg-list')) $('#msg-list').focus({ preventScroll: true });
}

function onKey(e) {
  let d = 0;
  if (e.key === 'ArrowDown') d = 1;
  else if (e.key === 'ArrowUp') d = -1;
  else if (e.key === 'PageDown') d = Math.max(1, Math.floor($('#msg-list').clientHeight / ROW) - 1);
  else if (e.key === 'PageUp') d = -Math.max(1, Math.floor($('#msg-list').clientHeight / ROW) - 1);
  else if (e.key === 'Home') d = -Infinity;
  else if (e.key === 'End') d = Infinity;
  if (!d || !pager) return;
  e.preventDefault();
  const n = pager.length;
  let i = selIndex < 0 ? 0 : selIndex + d;
  i = Math.max(0, Math.min(n - 1, Number.isFinite(i) ? i : d > 0 ? n - 1 : 0));
  if (d > 0 && follow && i < n - 1) setFollow(false);
  selectIndex(i);
}

/** Selects the item with this seq (or the first after it the filters let through). */
export function jumpTo(seq) {
  if (!pager) {
    pending = seq;
    return Promise.resolve();
  }
  setFollow(false);
  const p = pager;
  $('#msg-foot').textContent = `finding #${seq}…`;
  return guard(p.seekSeq(seq).then((i) => {
    if (p !== pager) return;
    if (i < 0) {
      toast(`Item ${seq} is not among the rows the filters show.`, 'info');
      onPagerChange(p);
      return;
    }
    list.scrollToIndex(i, 'center');
    selectIndex(i);
  }));
}

/**
 * Selects the first row at or after time `t` (epoch seconds) that the filters show: the API
 * finds it (`at`), the pager finds its place.
 */
export async function jumpToTime(t) {
  const { cid, conn } = state;
  if (!cid || !conn) return;
  setFollow(false);
  // The API takes at most microseconds.
  const at = t.toFixed(6);
  $('#msg-list').dataset.at = at;
  $('#msg-foot').textContent = `finding the first row at or after ${fmt.clock(t)}…`;
  const f = { ...filters };
  let res = await guard(getJson(itemsPath() + query({ at, limit: 1, ...filterParams(f) })));
  // A text filter scans a bounded number of rows per request: go on a few times.
  for (let k = 0; res && !res.items.length && res.next && k < 20; k++) {
    res = await guard(getJson(itemsPath() + query({ after: res.next, limit: 1, ...filterParams(f) })));
  }
  if (!res || state.cid !== cid || state.conn !== conn) return;
  if (!res.items.length) {
    toast(`No row the filters show at or after ${fmt.clock(t)}.`, 'info');
    if (pager) onPagerChange(pager);
    return;
  }
  return jumpTo(res.items[0].seq);
}

/** Asks the pane to select this seq once the connection's rows are loaded. */
export function selectSeqWhenReady(seq) {
  pending = seq;
}

async function toTail() {
  if (!pager) return;
  const p = pager;
  const n = p.length;
  await guard(p.ensure(Math.max(0, n - 60), Math.max(0, n - 1)));
  if (p !== pager) return;
  list.scrollToIndex(p.length - 1, 'end');
}

/** Called (batched) by the live feed when the selected connection has new rows. */
export function liveUpdate() {
  if (paused || !pager) return;
  const p = pager;
  guard(p.refreshTail().then(() => {
    if (p !== pager) return;
    if (follow) {
      const i = p.length - 1;
      list.scrollToIndex(i, 'end');
      guard(p.ensure(Math.max(0, i - 60), i));
    }
  }));
}

export function currentItem() {
  return pager && selIndex >= 0 ? pager.get(selIndex) : null;
}

/**
 * Shows item `seq` of the selected connection with the filters reset (search hits): when the
 * connection was just selected its rows are loading and the pending seq is picked up there.
 */
export function showSeq(seq, sameConn) {
  resetFilters();
  pending = seq;
  if (sameConn) reload();
}
