// A list that keeps only the visible rows in the DOM: fixed row height, a sizer for the
// scrollbar, and a small pool of absolutely positioned row elements that are re-filled on
// scroll. Browsers cap an element's height (about 33 million px in Chromium), so beyond
// MAX_PX the scroll position is mapped proportionally onto the row range.

const MAX_PX = 15_000_000;

export class VirtualList {
  /**
   * @param viewport an element with overflow:auto (its height comes from CSS)
   * @param opts.rowHeight px, fixed
   * @param opts.renderRow (rowEl, index) fills a pooled row element for row `index`
   * @param opts.onRange (first, last) called after each render with the visible range
   * @param opts.rowTag element name of a row (default div)
   */
  constructor(viewport, opts) {
    this.viewport = viewport;
    this.rowHeight = opts.rowHeight;
    this.renderRow = opts.renderRow;
    this.onRange = opts.onRange || (() => {});
    this.rowTag = opts.rowTag || 'div';
    this.count = 0;
    this.sizer = document.createElement('div');
    this.sizer.className = 'vl-sizer';
    this.layer = document.createElement('div');
    this.layer.className = 'vl-layer';
    viewport.classList.add('vl-viewport');
    viewport.append(this.sizer, this.layer);
    this.pool = [];
    this.frame = 0;
    viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  setCount(n) {
    if (n === this.count) return;
    this.count = n;
    this.sizer.style.height = Math.min(n * this.rowHeight, MAX_PX) + 'px';
    this.schedule();
  }

  /** Re-fills the visible rows (data arrived, selection changed). */
  refresh() {
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Maps scrollTop to the virtual pixel offset of the top of the viewport. */
  virtualTop() {
    const vh = this.viewport.clientHeight;
    const full = this.count * this.rowHeight;
    const real = Math.min(full, MAX_PX);
    if (full <= MAX_PX || real <= vh) return this.viewport.scrollTop;
    return (this.viewport.scrollTop * (full - vh)) / (real - vh);
  }

  visibleRange() {
    const vh = this.viewport.clientHeight;
    const top = this.virtualTop();
    const first = Math.max(0, Math.floor(top / this.rowHeight));
    const last = Math.min(this.count - 1, Math.floor((top + vh - 1) / this.rowHeight));
    return [first, last];
  }

  render() {
    const [first, last] = this.visibleRange();
    const n = last >= first ? last - first + 1 : 0;
    while (this.pool.length < n) {
      const r = document.createElement(this.rowTag);
      r.className = 'vl-row';
      r.style.height = this.rowHeight + 'px';
      this.layer.append(r);
      this.pool.push(r);
    }
    const shift = this.viewport.scrollTop - this.virtualTop();
    for (let k = 0; k < this.pool.length; k++) {
      const r = this.pool[k];
      if (k >= n) {
        r.hidden = true;
        continue;
      }
      const i = first + k;
      r.hidden = false;
      r.style.transform = `translateY(${i * this.rowHeight + shift}px)`;
      this.renderRow(r, i);
    }
    this.onRange(first, last);
  }

  /** Scrolls so that row i is visible ('nearest') or in the middle ('center'). */
  scrollToIndex(i, align = 'nearest') {
    if (i < 0 || i >= this.count) return;
    const vh = this.viewport.clientHeight;
    const rh = this.rowHeight;
    const top = this.virtualTop();
    let target = top;
    if (align === 'center') target = i * rh - vh / 2 + rh / 2;
    else if (align === 'end') target = (i + 1) * rh - vh;
    else if (i * rh < top) target = i * rh;
    else if ((i + 1) * rh > top + vh) target = (i + 1) * rh - vh;
    const full = this.count * rh;
    const real = Math.min(full, MAX_PX);
    target = Math.max(0, Math.min(target, full - vh));
    this.viewport.scrollTop = full <= MAX_PX || real <= vh ? target : (target * (real - vh)) / (full - vh);
    this.schedule();
  }

  atEnd() {
    const v = this.viewport;
    return v.scrollTop + v.clientHeight >= v.scrollHeight - this.rowHeight;
  }
}
