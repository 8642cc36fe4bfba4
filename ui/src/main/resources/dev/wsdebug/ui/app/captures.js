// Captures: the selector, opening files (picker or drop), switching, and re-reading the
// connections of the selected capture.

import { el, $, clear } from './dom.js';
import { getJson, postJson, enc, withToken } from './api.js';
import { state, emit, capture } from './state.js';
import { guard, toast } from './status.js';

export function initCaptures() {
  $('#capture-select').addEventListener('change', (e) => switchTo(e.target.value));
  $('#open-file').addEventListener('click', () => $('#file-input').click());
  $('#file-input').addEventListener('change', (e) => {
    const f = e.target.files && e.target.files[0];
    if (f) upload(f);
    e.target.value = '';
  });
  // Drag and drop anywhere on the page; the overlay shows while a file is over it.
  let depth = 0;
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth++;
    $('#drop-overlay').hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) $('#drop-overlay').hidden = true;
  });
  document.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    $('#drop-overlay').hidden = true;
    for (const f of e.dataTransfer.files) upload(f);
  });
}

async function upload(file) {
  toast(`Opening ${file.name} (${(file.size / 1048576).toFixed(1)} MiB)…`, 'info');
  const entry = await guard(postJson('/api/captures', file, { 'X-File-Name': file.name, 'Content-Type': 'application/octet-stream' }));
  if (!entry) return;
  await loadCaptures();
  await switchTo(entry.id);
  if (entry.notice) toast(entry.notice, 'info');
}

/** Re-reads the list of captures and fills the selector (keeps the selection). */
export async function loadCaptures() {
  const res = await guard(getJson('/api/captures'));
  if (!res) return;
  state.captures = res.captures || [];
  const sel = $('#capture-select');
  clear(sel);
  for (const c of state.captures) {
    sel.append(el('option', { value: c.id, text: `${c.name} (${c.kind}${c.live ? ', live' : ''}, ${c.connections} conn.)` }));
  }
  if (state.cid) sel.value = state.cid;
  showNotice();
}

function showNotice() {
  const c = capture();
  const n = $('#capture-notice');
  n.hidden = !(c && c.notice);
  n.textContent = c && c.notice ? c.notice : '';
  n.title = n.textContent;
}

export async function switchTo(cid) {
  if (!cid) return;
  state.cid = cid;
  state.conns = [];
  $('#capture-select').value = cid;
  showNotice();
  for (const f of ['har', 'pcapng', 'jsonl']) $('#export-' + f).href = withToken(`/api/captures/${enc(cid)}/export?format=${f}`);
  state.conn = null;
  emit('conn', null);
  emit('conns');
  await loadConnections();
  // Open the first WebSocket connection so the page never starts empty.
  if (!state.conn) {
    const first = state.conns.find((c) => c.kind === 'ws') || state.conns[0];
    if (first) {
      state.conn = first.conn;
      emit('conn', first.conn);
    }
  }
}

export async function loadConnections() {
  const cid = state.cid;
  if (!cid) return;
  const res = await guard(getJson(`/api/captures/${enc(cid)}/connections`));
  if (!res || cid !== state.cid) return;
  state.conns = res.connections || [];
  if (res.truncated) toast(`Showing the first ${state.conns.length} connections of ${res.total}.`, 'info');
  emit('conns');
  // the server analyses a complete capture on a thread of its own: its badges come a moment later;
  // the App column of a capture of many connections likewise
  if (res.findingsPending || res.appsPending) setTimeout(() => { if (cid === state.cid) loadConnections(); }, 1000);
}
