// Drag handles between the grid and the panes below, and between the list and the detail.

import { $ } from './dom.js';

export function initSplitters() {
  drag($('#split-h'), (dy, start) => {
    $('#grid-section').style.height = Math.max(90, start.h + dy) + 'px';
    $('#grid-section').dataset.userSized = 'true';
  }, () => ({ h: $('#grid-section').getBoundingClientRect().height }), 'y');
  drag($('#split-v'), (dx, start) => {
    const w = Math.max(260, start.w - dx);
    $('#detail-pane').style.flex = `0 0 ${w}px`;
  }, () => ({ w: $('#detail-pane').getBoundingClientRect().width }), 'x');
}

function drag(handle, move, measure, axis) {
  handle.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    const start = measure();
    const origin = axis === 'y' ? e.clientY : e.clientX;
    const onMove = (ev) => move((axis === 'y' ? ev.clientY : ev.clientX) - origin, start);
    const onUp = () => {
      handle.removeEventListener('pointermove', onMove);
      handle.removeEventListener('pointerup', onUp);
    };
    handle.addEventListener('pointermove', onMove);
    handle.addEventListener('pointerup', onUp);
  });
}
