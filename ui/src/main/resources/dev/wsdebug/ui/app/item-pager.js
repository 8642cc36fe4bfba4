// Rows of a connection's messages pane, fetched in pages through the API's cursor (`after`).
// Pages are discovered in order (page k+1 starts at page k's `next`); their cursors and row
// counts are kept forever (a few numbers each), their rows only for the most recently used
// pages, so a million-row connection costs a bounded amount of memory and any page once seen
// is one request away. The API has no offset, so reaching row i the first time means walking
// the pages before it, except in dense mode: unfiltered rows of a connection whose every seq is a
// row (no fragmented messages, checked with one probe of the last row) have index = seq - first
// seq, so any page is one request with `after` computed.

const PAGE = 1000; // the API's maximum limit: fewest requests per row
const KEEP_PAGES = 40; // rows kept: 40,000

export class ItemPager {
  /**
   * @param fetchPage (after, limit) => Promise<{items, next, total, scanned}>
   * @param opts.textFiltered true when `total` does not describe the rows (q given)
   * @param opts.onChange called when rows or the count changed
   * @param opts.denseCandidate true when no filter hides rows, so dense mode may apply
   * @param opts.onDenseBroken called when rows turn out not to be dense after all (live growth
   *        with a fragmented message): the owner replaces the pager by one without dense mode
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
    this.denseCandidate = !!opts.denseCandidate && !this.textFiltered;
    this.onDenseBroken = opts.onDenseBroken || (() => {});
    this.dense = false;
    this.firstSeq = null;
  }

  /**
   * After the first page: probes whether the rows are dense; if so every page's cursor and
   * count are known from here on.
   */
  async probeDense() {
    const p0 = this.pages[0];
    if (!this.denseCandidate || this.dense || !p0.rows || !p0.count || this.total === null) return false;
    const first = p0.rows[0].seq;
    // Within the first page already: dense only if its seqs run without holes.
    if (p0.rows.some((r, j) => r.seq !== first + j)) return false;
    if (p0.next !== null) {
      const lastSeq = first + this.total - 1;
      const res = await this.fetchPage(String(lastSeq - 1), 2);
      if (this.dead) return false;
      if (!(res.items.length === 1 && res.items[0].seq === lastSeq && res.next === null)) return false;
    }
    this.firstSeq = first;
    this.dense = true;
    this.layoutDense(this.total);
    this.onChange();
    return true;
  }

  /** Dense mode: pages for `total` rows, keeping the rows already fetched of full pages. */
  layoutDense(total) {
    const n = Math.max(1, Math.ceil(total / PAGE));
    const old = this.pages;
    this.pages = [];
    for (let k = 0; k < n; k++) {
      const count = Math.min(PAGE, total - k * PAGE);
      const keep = old[k] && old[k].rows && old[k].count === count && this.dense && old[k].dense ? old[k] : null;
      this.pages.push({
        after: k === 0 ? null : String(this.firstSeq + k * PAGE - 1),
        rows: keep ? keep.rows : k === 0 && old[0].rows && old[0].count === count ? old[0].rows : null,
        count,
        next: k < n - 1 ? String(this.firstSeq + (k + 1) * PAGE - 1) : null,
        used: keep ? keep.used : 0,
        firstSeq: this.firstSeq + k * PAGE,
        lastSeq: this.firstSeq + k * PAGE + count - 1,
        dense: true,
      });
    }
    this.total = total;
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
    if (this.dense) return this.total;
    let known = 0;
    for (const p of this.pages) if (p.count !== null) known += p.count;
    return known;
  }

  get complete() {
    if (this.dense) return true;
    const last = this.pages[this.pages.length - 1];
    return last.count !== null && last.next === null;
  }

  /** Page index and offset within it for row i, or null when i lies past the pages discovered. */
  locate(i) {
    if (this.dense) {
      const k = Math.floor(i / PAGE);
      return k < this.pages.length && i >= 0 ? { page: k, offset: i - k * PAGE } : null;
    }
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
    if (this.dense) return k * PAGE;
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
    if (this.dense) {
      this.acceptDense(k, res);
      return;
    }
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

  acceptDense(k, res) {
    const p = this.pages[k];
    const base = this.firstSeq + k * PAGE;
    // The rows must be exactly the seqs this page stands for, else the seqs have holes now.
    if (res.items.some((r, j) => r.seq !== base + j) || (typeof res.total === 'number' && res.total < this.total)) {
      this.dense = false;
      this.onDenseBroken();
      return;
    }
    if (typeof res.total === 'number' && res.total > this.total) {
      p.rows = res.items;
      this.layoutDense(res.total);
      this.pages[k].rows = res.items.length === this.pages[k].count ? res.items : null;
    } else {
      p.rows = res.items.length === p.count ? res.items : null;
    }
    this.pages[k].used = ++this.clock;
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
    if (this.dense) {
      const i = Math.max(0, seq - this.firstSeq);
      if (i >= this.total) return -1;
      await this.ensure(i, i);
      return i;
    }
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
    if (this.dense) {
      const i = seq - this.firstSeq;
      return i >= 0 && i < this.total ? i : -1;
    }
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
