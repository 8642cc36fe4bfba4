// Entry point: wires the panes together, loads the captures, starts the live feed.

import { $ } from './dom.js';
import { initStatus } from './status.js';
import { state } from './state.js';
import { initGrid } from './grid.js';
import { initMessages, liveUpdate } from './messages.js';
import { initDetail } from './detail.js';
import { initConn, liveConn } from './conn.js';
import { initSearch } from './search.js';
import { initSession } from './session.js';
import { initCaptures, loadCaptures, loadConnections, switchTo } from './captures.js';
import { startLive } from './live.js';
import { initSplitters } from './splitters.js';

async function main() {
  initStatus($('#status-area'));
  initGrid();
  initMessages();
  initDetail();
  initConn();
  initSearch();
  initSession();
  initCaptures();
  initSplitters();
  await loadCaptures();
  if (state.captures.length) await switchTo(state.captures[0].id);
  startLive({
    captures: loadCaptures,
    connections: loadConnections,
    items: () => {
      liveUpdate();
      liveConn();
    },
  });
  // "/" jumps to the search box, as in most developer tools (not while typing elsewhere).
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest('input, textarea, select, [contenteditable]')) return;
    e.preventDefault();
    $('#search-box').focus();
  });
  document.body.dataset.ready = 'true';
}

main();
