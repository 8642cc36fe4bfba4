// Rows of a connection's messages pane, fetched in pages through the API's cursor (`after`).
// Pages are discovered in order (page k+1 starts at page k's `next`); their cursors and row
// counts are kept forever (a few numbers each), their rows only for the most recently used
// pages, so a million-row connection costs a bounded amount of memory and any page once seen
// is one request away. The API has no offset, so reaching row i the first time means walking
// the pages before it.

const PAGE = 1000; // the API's maximum limit: fewest requests per row
const KEEP_PAGES = 40; // rows kept: 40,000

export class ItemPager {
  /**
   * @param fetchPage (after, limit) => Promise<{items, next, total, scanned}>
   * @param opts.textFiltered true when `total` does not describe the rows (q given)
   * @param opts.onChange called when rows or the count changed
   */
  constructor(fetchPage, opts = {}) {
    this.fetchPage = fetchPage;
    this.textFiltered = !!opts.textFiltered;
    this.onChange = opts.onChange || (() => {});
    this.pages = [{ after: null, rows: null, count: null, next: undefined, used: 0, firstSeq: null, lastSeq: null }];
    this.total = null;
    this.inflight = new Map(); // page index -> promise
    this.clock = 0;
    this.dead = false;
    this.scanned = 0;
  }

  /** Stops callbacks (the pager was replaced, e.g. filters changed). */
  dispose() {
    this.dead = true;
  }

  /** Number of rows the list should show. */
  get length() {
    let known = 0;
    for (const p of this.pages) if (p.count !== null) known += p.count;
    const last = this.pages[this.pages.length - 1];
    const more = last.count === null || last.next !== null;
    if (!this.textFiltered && this.total !== null) return Math.max(this.total, known);
    // Text filter: no total; one extra "loading" row makes scrolling to the end load more.
    return known + (more ? 1 : 0);
  }

  /** Rows whose position is known (pages discovered so far). */
  get discovered() {
    let known = 0;
    for (const p of this.pages) if (p.count !== null) known += p.count;
    return known;
  }

  get complete() {
    const last = this.pages[this.pages.length - 1];
    return last.count !== null && last.next === null;
  }

  /** Page index and offset within it for row i, or null when i lies past the pages discovered. */
  locate(i) {
    let start = 0;
    for (let k = 0; k < this.pages.length; k++) {
      const p = this.pages[k];
      if (p.count === null) return { page: k, offset: i - start, unknown: true };
      if (i < start + p.count) return { page: k, offset: i - start };
      start += p.count;
    }
    return null;
  }

  pageStart(k) {
    let start = 0;
    for (let j = 0; j < k; j++) start += this.pages[j].count || 0;
    return start;
  }

  /** The row at i if its page is in memory (otherwise undefined; call ensure). */
  get(i) {
    const loc = this.locate(i);
    if (!loc || loc.unknown) return undefined;
    const p = this.pages[loc.page];
    if (!p.rows) return undefined;
    p.used = ++this.clock;
    return p.rows[loc.offset];
  }

  /** Loads whatever is needed for rows first..last (walking pages when they are new). */
  async ensure(first, last) {
    for (;;) {
      if (this.dead) return;
      const lf = this.locate(first);
      const ll = this.locate(last);
      const want = [];
      const lastPage = this.pages.length - 1;
      const from = lf ? lf.page : lastPage;
      const to = ll ? ll.page : lastPage;
      for (let k = from; k <= to; k++) if (!this.pages[k].rows) want.push(k);
      if (want.length === 0) {
        // Past the pages discovered: walk on, unless the end is reached.
        const tail = this.pages[lastPage];
        if (!ll && tail.next !== null && tail.count !== null) {
          this.pages.push(this.newPage(tail.next));
          continue;
        }
        return;
      }
      await Promise.all(want.map((k) => this.load(k)));
      if (want.some((k) => this.pages[k] && this.pages[k].count === null)) return; // failed
      if (ll && !ll.unknown) return;
    }
  }

  newPage(after) {
    return { after, rows: null, count: null, next: undefined, used: 0, firstSeq: null, lastSeq: null };
  }

  load(k) {
    if (this.inflight.has(k)) return this.inflight.get(k);
    const p = this.pages[k];
    const promise = this.fetchPage(p.after, PAGE)
      .then((res) => {
        if (this.dead) return;
        this.accept(k, res);
      })
      .finally(() => this.inflight.delete(k));
    this.inflight.set(k, promise);
    return promise;
  }

  accept(k, res) {
    const p = this.pages[k];
    p.rows = res.items;
    p.count = res.items.length;
    p.next = res.next === undefined ? null : res.next;
    p.used = ++this.clock;
    p.firstSeq = p.count ? res.items[0].seq : null;
    p.lastSeq = p.count ? res.items[p.count - 1].seq : null;
    if (typeof res.total === 'number') this.total = res.total;
    if (typeof res.scanned === 'number') this.scanned += res.scanned;
    if (k === this.pages.length - 1 && p.next !== null) this.pages.push(this.newPage(p.next));
    this.evict();
    this.onChange();
  }

  evict() {
    const loaded = this.pages.filter((p) => p.rows);
    if (loaded.length <= KEEP_PAGES) return;
    loaded.sort((a, b) => a.used - b.used);
    for (let j = 0; j < loaded.length - KEEP_PAGES; j++) loaded[j].rows = null;
  }

  /** Index of the first row with seq >= `seq`, loading pages as needed; -1 when none. */
  async seekSeq(seq) {
    const before = (p) => p.count !== null && (p.count === 0 || p.lastSeq < seq);
    for (let k = 0; k < this.pages.length; k++) {
      if (this.dead) return -1;
      let p = this.pages[k];
      if (!before(p) && !p.rows) {
        await this.load(k);
        p = this.pages[k];
        if (p.count === null) return -1;
      }
      if (before(p)) {
        if (p.next === null) return -1;
        continue; // loading page k pushed page k+1
      }
      return this.pageStart(k) + p.rows.findIndex((r) => r.seq >= seq);
    }
    return -1;
  }

  /** Index of a loaded row with this exact seq, or -1. */
  indexOfSeq(seq) {
    let start = 0;
    for (const p of this.pages) {
      if (p.count === null) return -1;
      if (p.rows && p.count && seq >= p.firstSeq && seq <= p.lastSeq) {
        const off = p.rows.findIndex((r) => r.seq === seq);
        return off < 0 ? -1 : start + off;
      }
      start += p.count;
    }
    return -1;
  }

  /** Live: re-reads the last page discovered, so rows that arrived since show up. */
  async refreshTail() {
    const k = this.pages.length - 1;
    if (this.inflight.has(k)) return this.inflight.get(k);
    // Reloading the last page keeps earlier page starts (and thus indices) stable.
    return this.load(k);
  }
}
