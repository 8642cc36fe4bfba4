// Rows of a connection's messages pane, fetched in pages of the API.
//
// Without a text filter the API says how many rows the (direction, kind, ping) filtered list has
// (`total`) and can leave out the first N of them (`skip`), so the list is laid out by index from
// the first answer on: page k holds rows k*PAGE.., and any page is one request, wherever it is.
// A page asks from the nearest page boundary already known before it (`after` = the last seq of
// a full page, `skip` the whole pages between), so reading on in order costs the database no
// skipping at all. Dense mode goes further for unfiltered rows whose seqs have no holes (no
// fragmented messages, checked with one probe of the last row): index = seq - first seq, so
// `after` is computed and nothing is ever skipped.
//
// A text filter has no total: its rows are found by scanning, page k+1 starting at page k's
// `next`, so reaching a far row the first time means walking the pages before it.
//
// Rows are kept only for the most recently used pages, so a million-row connection costs a
// bounded amount of memory; boundaries and first seqs of pages (a few numbers each) are kept.

const PAGE = 1000; // the API's maximum limit: fewest requests per row
const KEEP_PAGES = 40; // rows kept: 40,000 at most

function pageSize() {
  // A smaller page for tests (to have many pages of a test capture); never above the API's limit.
  const n = Number(sessionStorage.getItem('wsdebug-page-size'));
  return Number.isInteger(n) && n >= 10 && n <= PAGE ? n : PAGE;
}

export class ItemPager {
  /**
   * @param fetchPage (after, limit, skip) => Promise<{items, next, total, scanned}>; `after` null
   *        means from the start, `skip` 0 leaves nothing out
   * @param opts.textFiltered true when `total` does not describe the rows (q given)
   * @param opts.onChange called when rows or the count changed
   * @param opts.denseCandidate true when no filter hides rows, so dense mode may apply
   * @param opts.onDenseBroken called when rows turn out not to be dense after all (live growth
   *        with a fragmented message): the owner replaces the pager by one without dense mode
   */
  constructor(fetchPage, opts = {}) {
    this.fetchPage = fetchPage;
    this.size = pageSize();
    this.textFiltered = !!opts.textFiltered;
    this.onChange = opts.onChange || (() => {});
    this.pages = [this.newPage(null)];
    this.total = null;
    this.indexed = false; // laid out by index (no text filter, total known)
    this.inflight = new Map(); // page index -> promise
    this.clock = 0;
    this.dead = false;
    this.scanned = 0;
    this.denseCandidate = !!opts.denseCandidate && !this.textFiltered;
    this.onDenseBroken = opts.onDenseBroken || (() => {});
    this.dense = false;
    this.firstSeq = null;
  }

  newPage(after) {
    // after/next: the walk of a text filter; boundary: the last seq of a full page (indexed)
    return { after, rows: null, count: null, next: undefined, used: 0, firstSeq: null, lastSeq: null, boundary: null, stale: false };
  }

  /**
   * After the first page: probes whether the rows are dense; if so every page's `after` is
   * computed from here on.
   */
  async probeDense() {
    const p0 = this.pages[0];
    if (!this.denseCandidate || !this.indexed || this.dense || !p0.rows || !p0.rows.length || this.total === null) return false;
    const first = p0.rows[0].seq;
    // Within the first page already: dense only if its seqs run without holes.
    if (p0.rows.some((r, j) => r.seq !== first + j)) return false;
    if (this.total > p0.rows.length) {
      const lastSeq = first + this.total - 1;
      const res = await this.fetchPage(String(lastSeq - 1), 2, 0);
      if (this.dead) return false;
      if (!(res.items.length === 1 && res.items[0].seq === lastSeq && res.next === null)) return false;
    }
    this.firstSeq = first;
    this.dense = true;
    this.onChange();
    return true;
  }

  /** Indexed: pages for `total` rows; rows already read stay, a page that grew is re-read. */
  layout(total) {
    const n = Math.max(1, Math.ceil(total / this.size));
    if (this.pages.length > n) this.pages.length = n;
    while (this.pages.length < n) this.pages.push(this.newPage(null));
    for (let k = 0; k < n; k++) {
      const p = this.pages[k];
      const count = Math.max(0, Math.min(this.size, total - k * this.size));
      if (p.count !== count) {
        if (p.rows && p.rows.length !== count) p.stale = true;
        p.count = count;
      }
    }
    this.total = total;
    this.indexed = true;
  }

  /** Stops callbacks (the pager was replaced, e.g. filters changed). */
  dispose() {
    this.dead = true;
  }

  /** Number of rows the list should show. */
  get length() {
    if (this.indexed) return this.total;
    let known = 0;
    for (const p of this.pages) if (p.count !== null) known += p.count;
    const last = this.pages[this.pages.length - 1];
    const more = last.count === null || last.next !== null;
    // Text filter (or nothing read yet): one extra "loading" row makes scrolling to the end load more.
    return known + (more ? 1 : 0);
  }

  /** Rows whose position is known (pages discovered so far). */
  get discovered() {
    if (this.indexed) return this.total;
    let known = 0;
    for (const p of this.pages) if (p.count !== null) known += p.count;
    return known;
  }

  get complete() {
    if (this.indexed) return true;
    const last = this.pages[this.pages.length - 1];
    return last.count !== null && last.next === null;
  }

  /** Page index and offset within it for row i, or null when i lies past the pages discovered. */
  locate(i) {
    if (this.indexed) {
      if (i < 0 || i >= this.total) return null;
      const k = Math.floor(i / this.size);
      return { page: k, offset: i - k * this.size };
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
    if (this.indexed) return k * this.size;
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

  ready(k) {
    const p = this.pages[k];
    return !!p && !!p.rows && !p.stale;
  }

  /** Loads whatever is needed for rows first..last (walking pages only with a text filter). */
  async ensure(first, last) {
    for (;;) {
      if (this.dead) return;
      if (this.indexed) {
        if (this.total === 0) return;
        const a = Math.max(0, Math.min(first, this.total - 1));
        const z = Math.max(a, Math.min(last, this.total - 1));
        const want = [];
        for (let k = Math.floor(a / this.size); k <= Math.floor(z / this.size); k++) if (!this.ready(k)) want.push(k);
        await Promise.all(want.map((k) => this.load(k)));
        return;
      }
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
      if (this.indexed) continue; // the first page told the total: the rest is by index
      if (want.some((k) => this.pages[k] && this.pages[k].count === null)) return; // failed
      if (ll && !ll.unknown) return;
    }
  }

  /** Where page k starts, as `after` and `skip` of a request. */
  request(k) {
    if (!this.indexed || k === 0) return { after: this.pages[k].after, skip: 0 };
    if (this.dense) return { after: String(this.firstSeq + k * this.size - 1), skip: 0 };
    for (let j = k - 1; j >= 0; j--) {
      const b = this.pages[j].boundary;
      if (b !== null) return { after: String(b), skip: (k - 1 - j) * this.size };
    }
    return { after: null, skip: k * this.size };
  }

  load(k) {
    if (this.inflight.has(k)) return this.inflight.get(k);
    const { after, skip } = this.request(k);
    const promise = this.fetchPage(after, this.size, skip)
      .then((res) => {
        if (this.dead) return;
        this.accept(k, res);
      })
      .finally(() => this.inflight.delete(k));
    this.inflight.set(k, promise);
    return promise;
  }

  accept(k, res) {
    if (!this.indexed && !this.textFiltered && k === 0 && typeof res.total === 'number') {
      // The first answer: from here on the rows are laid out by index.
      this.layout(res.total);
    }
    if (this.indexed) {
      this.acceptIndexed(k, res);
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

  acceptIndexed(k, res) {
    if (k >= this.pages.length) return; // laid out again meanwhile
    if (this.dense) {
      const base = this.firstSeq + k * this.size;
      // The rows must be exactly the seqs this page stands for, else the seqs have holes now.
      if (res.items.some((r, j) => r.seq !== base + j) || (typeof res.total === 'number' && res.total < this.total)) {
        this.dense = false;
        this.onDenseBroken();
        return;
      }
    }
    const p = this.pages[k];
    p.rows = res.items;
    p.stale = false;
    p.used = ++this.clock;
    if (res.items.length) {
      p.firstSeq = res.items[0].seq;
      p.lastSeq = res.items[res.items.length - 1].seq;
      if (res.items.length >= this.size) p.boundary = res.items[this.size - 1].seq;
    }
    if (typeof res.total === 'number' && res.total !== this.total) this.layout(res.total);
    // Rows only ever arrive at the end; a page that came back short of its count (the store
    // changed under it) is taken as it is rather than asked for again and again.
    if (this.pages[k] === p && p.count !== null && p.rows.length !== p.count) p.stale = false;
    this.evict();
    this.onChange();
  }

  evict() {
    const loaded = this.pages.filter((p) => p.rows);
    if (loaded.length <= KEEP_PAGES) return;
    loaded.sort((a, b) => a.used - b.used);
    for (let j = 0; j < loaded.length - KEEP_PAGES; j++) loaded[j].rows = null;
  }

  /** Indexed: the seq of page k's first row (one small request the first time). */
  async firstSeqOf(k) {
    const p = this.pages[k];
    if (p.firstSeq !== null) return p.firstSeq;
    const { after, skip } = this.request(k);
    const res = await this.fetchPage(after, 1, skip);
    if (res.items.length) p.firstSeq = res.items[0].seq;
    return p.firstSeq;
  }

  /** Index of the first row with seq >= `seq`, loading pages as needed; -1 when none. */
  async seekSeq(seq) {
    if (!this.indexed && !this.textFiltered && !this.pages[0].rows) {
      // The first answer says whether the rows are laid out by index.
      await this.load(0);
      if (this.dead) return -1;
    }
    if (this.indexed) {
      if (this.dense) {
        const i = Math.max(0, seq - this.firstSeq);
        if (i >= this.total) return -1;
        await this.ensure(i, i);
        return i;
      }
      if (!this.total) return -1;
      // The last page whose first row is at or before seq: a binary search over first rows.
      let lo = 0;
      let hi = this.pages.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        const f = await this.firstSeqOf(mid);
        if (this.dead) return -1;
        if (f !== null && f <= seq) lo = mid;
        else hi = mid - 1;
      }
      const start = lo * this.size;
      await this.ensure(start, start);
      const p = this.pages[lo];
      if (this.dead || !p || !p.rows) return -1;
      const off = p.rows.findIndex((r) => r.seq >= seq);
      if (off >= 0) return start + off;
      // All of page lo lies before seq: the next page's first row, if there is one.
      return start + this.size < this.total ? start + this.size : -1;
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
    for (let k = 0; k < this.pages.length; k++) {
      const p = this.pages[k];
      if (!this.indexed && p.count === null) return -1;
      if (p.rows && p.rows.length && seq >= p.rows[0].seq && seq <= p.rows[p.rows.length - 1].seq) {
        const off = p.rows.findIndex((r) => r.seq === seq);
        return off < 0 ? -1 : this.pageStart(k) + off;
      }
    }
    return -1;
  }

  /** Live: re-reads the last page, so rows that arrived since show up (and the total grows). */
  async refreshTail() {
    const k = this.pages.length - 1;
    if (this.inflight.has(k)) return this.inflight.get(k);
    // Reloading the last page keeps earlier page starts (and thus indices) stable.
    return this.load(k);
  }
}
