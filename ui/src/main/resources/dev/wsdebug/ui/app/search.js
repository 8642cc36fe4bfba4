// The search box: full-text search over every connection of the capture; a hit selects its
// connection and then its item.

import { el, $, clear, debounce } from './dom.js';
import * as fmt from './format.js';
import { getJson, query, enc } from './api.js';
import { state } from './state.js';
import { select, reveal } from './grid.js';
import { showSeq } from './messages.js';

let hits = [];
let cursor = -1;
let token = 0;

export function initSearch() {
  const box = $('#search-box');
  const results = $('#search-results');
  box.addEventListener('input', debounce(() => run(box.value.trim()), 300));
  box.addEventListener('focus', () => {
    if (box.value.trim() && results.childElementCount) results.hidden = false;
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      results.hidden = true;
      box.blur();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!hits.length) return;
      cursor = (cursor + (e.key === 'ArrowDown' ? 1 : -1) + hits.length) % hits.length;
      mark();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (cursor < 0 && hits.length) cursor = 0;
      if (hits[cursor]) open(hits[cursor]);
      else run(box.value.trim());
    }
  });
  document.addEventListener('mousedown', (e) => {
    if (!e.target.closest('#search')) results.hidden = true;
  });
}

async function run(q) {
  const results = $('#search-results');
  const my = ++token;
  if (!q || !state.cid) {
    results.hidden = true;
    clear(results);
    hits = [];
    return;
  }
  let res;
  try {
    res = await getJson(`/api/captures/${enc(state.cid)}/search` + query({ q, limit: 200 }));
  } catch (e) {
    if (my !== token) return;
    clear(results).append(el('div', { class: 'search-note', 'data-testid': 'search-error', text: e.message }));
    results.hidden = false;
    hits = [];
    return;
  }
  if (my !== token) return;
  hits = res.hits || [];
  cursor = -1;
  clear(results);
  results.append(el('div', { class: 'search-note', text: hits.length ? `${hits.length}${res.more ? '+' : ''} ${hits.length === 1 && !res.more ? 'hit' : 'hits'} for ${JSON.stringify(q)}` : `No text message matches ${JSON.stringify(q)}.` }));
  hits.forEach((h, i) => {
    const row = state.conns.find((c) => c.conn === h.conn);
    results.append(el('div', {
      class: 'search-hit',
      'data-testid': 'search-hit',
      dataset: { conn: h.conn, seq: h.seq },
      onmousedown: (e) => {
        e.preventDefault();
        cursor = i;
        open(h);
      },
    },
    el('span', { text: '#' + (row ? row.n : h.conn) }),
    el('span', { class: 'dir-' + h.dir, text: h.dir === 'c2s' ? '↑' : '↓' }),
    el('span', { text: fmt.clock(h.t) }),
    el('span', { text: h.preview || '' })));
  });
  results.hidden = false;
}

function mark() {
  [...$('#search-results').querySelectorAll('.search-hit')].forEach((r, i) => r.classList.toggle('on', i === cursor));
}

function open(h) {
  $('#search-results').hidden = true;
  const same = state.conn === h.conn;
  if (!same) showSeq(h.seq, false);
  select(h.conn, 'messages');
  if (same) showSeq(h.seq, true);
  reveal(h.conn);
  mark();
}
