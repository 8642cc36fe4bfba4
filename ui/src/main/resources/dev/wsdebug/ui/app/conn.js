// The selected connection: its close card, the tabs (Messages, Handshake, Timeline, Inject)
// and its export links. The detail is re-read on live updates of this connection.

import { $, $$, clear, el } from './dom.js';
import * as fmt from './format.js';
import { getJson, enc, withToken } from './api.js';
import { state, on, connRow } from './state.js';
import { guard } from './status.js';
import { renderHandshake } from './handshake.js';
import { renderTimeline, disposeTimeline } from './timeline.js';
import { renderInject } from './inject.js';
import { jumpTo, jumpToTime } from './messages.js';

let tab = 'messages';
let token = 0;
let autoTab = false; // the tab was switched for a row without messages, not by the user

export function initConn() {
  $$('#conn-tabs button[data-tab]').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
  on('conn', () => load());
  on('conn-tab', (t) => showTab(t));
  on('resend', (item) => {
    showTab('inject');
    renderInject($('#pane-inject'), connRow(), item);
  });
  window.addEventListener('resize', () => {
    if (tab === 'timeline') drawTimeline();
  });
}

/** Re-reads the selected connection's detail (selection change, live update). */
export async function load(quiet = false) {
  const my = ++token;
  const conn = state.conn;
  $('#conn-empty').hidden = !!conn;
  $('#conn-view').hidden = !conn;
  if (!conn) return;
  updateLinks();
  const row = connRow();
  $('#conn-tabs button[data-tab=inject]').hidden = !(row && row.injectable);
  if (!quiet) {
    state.connDetail = row ? { ...row } : null;
    renderCard();
    // A refused upgrade has no messages: what went wrong is in the handshake.
    // A plain HTTP exchange has none either: its request and response show there too.
    const noMessages = row && (row.result === 'failed' || row.kind === 'http');
    if (noMessages && tab === 'messages') {
      showTab('handshake');
      autoTab = true;
    } else if (!noMessages && autoTab && tab === 'handshake') {
      // Back to the messages when the handshake tab was only chosen for the previous row.
      showTab('messages');
    }
  }
  const d = await guard(getJson(`/api/captures/${enc(state.cid)}/connections/${enc(conn)}`));
  if (my !== token || !d) return;
  // The row's fields (its number among them) under the detail's.
  state.connDetail = { ...(connRow(conn) || {}), ...d };
  $('#conn-tabs button[data-tab=inject]').hidden = !d.injectable;
  if (tab === 'inject' && !d.injectable) tab = 'messages';
  renderCard();
  if (!quiet || tab === 'handshake') renderTab();
}

function updateLinks() {
  const base = `/api/captures/${enc(state.cid)}/export`;
  for (const f of ['har', 'pcapng', 'jsonl']) {
    $('#conn-export-' + f).href = withToken(`${base}?format=${f}&conn=${enc(state.conn)}`);
  }
}

function renderCard() {
  const d = state.connDetail;
  const card = $('#close-card');
  clear(card);
  if (!d) return;
  card.className = 'close-card ' + (d.result || '');
  const head = `#${d.n ?? d.conn}  ${d.method || ''} ${d.url || ''}  ${d.status ?? ''}  ${d.protocol || ''}${d.subprotocol ? '  ' + d.subprotocol : ''}  ${fmt.duration(d.durationMs)}`;
  card.append(el('div', { class: 'head', text: head }));
  let sentence = d.closeCard;
  if (!sentence) {
    if (d.result === 'open') sentence = 'The connection is open.';
    else if (d.close) sentence = `Closed with ${d.close.code} ${d.close.name || ''}${d.close.reason ? ` "${d.close.reason}"` : ''}.`;
    else sentence = '';
  }
  card.append(el('div', { 'data-testid': 'close-sentence', text: sentence }));
  for (const e of d.errors || []) {
    card.append(el('div', { class: 'bad', 'data-testid': 'conn-error', text: `${e.kind}: ${e.message}` }));
  }
  for (const f of d.findings || []) card.append(findingCard(f));
}

/** One finding of the analysis: rule and sentence, evidence rows that jump to their frames, cause and fix. */
function findingCard(f) {
  const box = el('div', { class: 'finding sev-' + f.severity, 'data-testid': 'finding', dataset: { rule: f.rule } },
    el('div', { class: 'f-head' }, el('span', { class: 'f-sev', text: f.severity }), ' ',
      el('span', { class: 'f-rule', text: f.rule }), ' ', el('span', { text: f.summary })));
  for (const e of f.evidence || []) {
    const jumps = e.seq !== null && e.seq !== undefined && (!e.conn || e.conn === state.conn);
    box.append(el('div', { class: 'f-ev' },
      jumps ? el('button', { class: 'link', 'data-testid': 'finding-evidence', text: `#${e.seq}`,
        title: 'Show this frame in the messages', onclick: () => { showTab('messages'); jumpTo(e.seq); } })
        : el('span', { class: 'muted', text: e.conn && e.conn !== state.conn ? `conn ${e.conn}` : '·' }),
      ' ', el('span', { text: e.what })));
  }
  if (f.cause) box.append(el('div', { class: 'f-line' }, el('span', { class: 'muted', text: 'cause ' }), f.cause));
  if (f.fix) box.append(el('div', { class: 'f-line' }, el('span', { class: 'muted', text: 'fix ' }), f.fix));
  return box;
}

function showTab(name) {
  autoTab = false;
  const b = $(`#conn-tabs button[data-tab=${name}]`);
  if (!b || b.hidden) name = 'messages';
  tab = name;
  $$('#conn-tabs button[data-tab]').forEach((x) => x.classList.toggle('on', x.dataset.tab === tab));
  for (const t of ['messages', 'handshake', 'timeline', 'inject']) $('#pane-' + t).hidden = t !== tab;
  renderTab();
  if (tab === 'messages') $('#msg-list').focus({ preventScroll: true });
}

function renderTab() {
  if (tab !== 'timeline') disposeTimeline();
  if (tab === 'handshake') {
    const p = clear($('#pane-handshake'));
    renderHandshake(p, state.connDetail);
  } else if (tab === 'timeline') {
    drawTimeline();
  } else if (tab === 'inject') {
    renderInject(clear($('#pane-inject')), connRow() || state.connDetail, null);
  }
}

function drawTimeline() {
  const conn = state.conn;
  if (!conn) return;
  const row = connRow();
  if (row && row.kind === 'http') {
    clear($('#timeline-charts')).append(el('div', { class: 'empty', text: 'A plain HTTP exchange has no timeline.' }));
    return;
  }
  guard(renderTimeline($('#timeline-charts'), $('#timeline-legend'), state.cid, conn, (to) => {
    showTab('messages');
    if (to.t !== undefined) jumpToTime(to.t);
    else jumpTo(to.seq);
  }));
}

/** Live: the timeline of an open connection is redrawn when shown. */
export function liveConn() {
  load(true);
  if (tab === 'timeline') drawTimeline();
}
