// The line times triage keeps per internal address: every one counted, on a per-minute grid that coarsens when an
// address has more distinct minutes than the cap (the holder timeline matches each cell to who held the address).

/** Occurrences whose line times fall in one cell of the grid: minute precision until the grid coarsens. */
export interface TimeCell {
  /** Epoch ms of the earliest and latest minute seen in the cell. */
  first: number;
  last: number;
  /** Occurrences with a time in the cell. */
  count: number;
}

/**
 * Groups the `m` cells in f, l, c (sorted by first minute) by cell of `width`, then of doubled widths until they fit in
 * `cap`, in place; returns the width, and leaves the number of cells in `coarsened`. Cells of one width never straddle a
 * wider one, so each grouping is one pass.
 */
function coarsen(f: Float64Array, l: Float64Array, c: Float64Array, m: number, width: number, cap: number): number {
  for (;;) {
    let g = -1;
    let key = NaN;
    for (let i = 0; i < m; i++) {
      const k = Math.floor(f[i] / width);
      if (k === key) {
        if (l[i] > l[g]) l[g] = l[i];
        c[g] += c[i];
      } else {
        key = k;
        g++;
        f[g] = f[i];
        l[g] = l[i];
        c[g] = c[i];
      }
    }
    m = g + 1;
    if (m <= cap) break;
    width *= 2;
  }
  coarsened = m;
  return width;
}
let coarsened = 0;

/** writeMinuteCells' scratch: the cells being grouped (grown to the largest set of times written so far). */
let scratchFirst = new Float64Array(1024);
let scratchLast = new Float64Array(1024);
let scratchCount = new Float64Array(1024);

/**
 * The cells a new LineTimes(cap) fed the times in times[from, to) (epoch ms, sorted by minute) would hold, written as
 * writeCells writes them (`tag, first, last, count` from `at`; room for 4 * (to - from) numbers): for a scan worker's
 * part, whose addresses then need no grid of their own. Returns where the next goes.
 */
export function writeMinuteCells(times: Float64Array, from: number, to: number, cap: number, out: Float64Array, at: number, tag: number): number {
  if (scratchFirst.length < to - from) {
    const n = Math.max(to - from, 2 * scratchFirst.length);
    scratchFirst = new Float64Array(n);
    scratchLast = new Float64Array(n);
    scratchCount = new Float64Array(n);
  }
  const f = scratchFirst;
  const l = scratchLast;
  const c = scratchCount;
  let m = 0;
  for (let i = from; i < to; i++) {
    const t = times[i];
    if (!Number.isFinite(t)) continue;
    const minute = Math.floor(t / 60_000) * 60_000;
    if (m > 0 && f[m - 1] === minute) c[m - 1]++;
    else {
      f[m] = l[m] = minute;
      c[m++] = 1;
    }
  }
  coarsen(f, l, c, m, 60_000, cap);
  m = coarsened;
  let j = at;
  for (let k = 0; k < m; k++) {
    out[j++] = tag;
    out[j++] = f[k];
    out[j++] = l[k];
    out[j++] = c[k];
  }
  return j;
}

/** What addCell takes: a cell of minutes with at least one time in it (others are ignored). */
function validCell(first: number, last: number, count: number): boolean {
  return Number.isFinite(first) && Number.isFinite(last) && last >= first && count >= 1;
}

/**
 * Every line time of an address, counted per minute, in at most `cap` cells. When full, the grid doubles (2, 4, 8...
 * minutes) and neighbouring cells merge, counts kept, so every occurrence is still accounted for and the cells still
 * span the whole log: the holder lookups answer for each occurrence, not for a sample of them.
 *
 * The result does not depend on the order times arrive in, nor on whether they arrive one by one or as cells of another
 * grid with the same cap fed a subset of them (a scan worker's part, a replayed file): the grid ends at the narrowest
 * width that holds every distinct minute in `cap` cells, and a cell's first, last and count are a min, a max and a sum.
 *
 * That is what lets the scan's hot path be cheap: a time is only pushed onto a list, and the list is folded into the
 * cells (sorted, then grouped in one pass over typed arrays) when it is read or when the list reaches twice the cap.
 * A cell per minute kept as a Map entry and an object cost a microsecond per time on large logs (cache misses across
 * thousands of addresses' maps, and the garbage collector tracing every cell).
 */
export class LineTimes {
  private cellMs = 60_000;
  /** The cells folded so far, oldest first: `n` of them in the first `n` places of each array. */
  private first: Float64Array | undefined;
  private last: Float64Array | undefined;
  private counts: Float64Array | undefined;
  private n = 0;
  /**
   * Minutes (epoch ms) added one by one and not folded yet; made on first use (a triage has an empty grid for every
   * public address, and tens of thousands of arrays are work for the garbage collector).
   */
  private pending: number[] | undefined;
  /** Cells added (addCell) and not folded yet: first, last, count each (made on first use). */
  private pendingCells: number[] | undefined;
  /** Times seen in total (every occurrence with a valid time). */
  seen = 0;

  /** Pending times (or cells) that make a fold: twice the cap, so a fold's work is paid for by the adds before it. */
  private readonly foldAt: number;

  constructor(private readonly cap: number) {
    this.foldAt = 2 * cap + 64;
  }

  add(time: Date): void {
    this.addMs(time.getTime());
  }

  /** add() for a time in epoch milliseconds (the scan's hot path: a push, folded later). */
  addMs(t: number): void {
    if (!Number.isFinite(t)) return;
    this.seen++;
    if ((this.pending ??= []).push(Math.floor(t / 60_000) * 60_000) >= this.foldAt) this.fold();
  }

  /** Adds `count` times between the minutes `first` and `last` (a cell of another grid: see `merge`). */
  addCell(first: number, last: number, count: number): void {
    if (!validCell(first, last, count)) return;
    this.seen += count;
    if ((this.pendingCells ??= []).push(first, last, count) >= 3 * this.foldAt) this.fold();
  }

  /**
   * addCell() for each cell in data[from, to), given as `tag, first, last, count` (PartCollection.times): the cells of
   * another grid, oldest first. When they are sorted and nothing is pending, they are merged with the grid's own cells
   * at once (what folding them would make, without queueing them: a scan worker's part brings tens of thousands).
   */
  addCellsOf(data: Float64Array, from: number, to: number): void {
    const m = (to - from) / 4;
    if (this.pending === undefined && this.pendingCells === undefined && m > 0) {
      // Valid cells sorted by first minute (otherwise addCell and the fold decide), and the narrowest width that fits each.
      let width = 60_000;
      let ok = true;
      let seen = 0;
      for (let i = from, before = -Infinity; i < to && ok; i += 4) {
        const first = data[i + 1];
        const last = data[i + 2];
        const count = data[i + 3];
        if (!validCell(first, last, count) || !(first >= before)) ok = false;
        else while (Math.floor(first / width) !== Math.floor(last / width)) width *= 2;
        before = first;
        seen += count;
      }
      if (ok) {
        // Two sorted lists of cells, ours (none, for a new grid) and theirs: merged by first minute, then grouped as
        // fold groups them (the second part of a file brings cells for addresses the first had: tens of thousands).
        const n = this.n;
        const total = n + m;
        const f = new Float64Array(total);
        const l = new Float64Array(total);
        const c = new Float64Array(total);
        const of = this.first as Float64Array;
        const ol = this.last as Float64Array;
        const oc = this.counts as Float64Array;
        for (let g = 0, i = 0, j = from; g < total; g++) {
          if (j >= to || (i < n && of[i] <= data[j + 1])) {
            f[g] = of[i];
            l[g] = ol[i];
            c[g] = oc[i++];
          } else {
            f[g] = data[j + 1];
            l[g] = data[j + 2];
            c[g] = data[j + 3];
            j += 4;
          }
        }
        const w = coarsen(f, l, c, total, Math.max(width, this.cellMs), this.cap);
        const kept = coarsened;
        this.first = kept < total ? f.slice(0, kept) : f;
        this.last = kept < total ? l.slice(0, kept) : l;
        this.counts = kept < total ? c.slice(0, kept) : c;
        this.n = kept;
        this.cellMs = w;
        this.seen += seen;
        return;
      }
    }
    for (let i = from; i < to; i += 4) this.addCell(data[i + 1], data[i + 2], data[i + 3]);
  }

  /** Folds the pending times and cells into the grid: the same cells as adding them one at a time would have made. */
  private fold(): void {
    const minutes = this.pending ?? [];
    const added = this.pendingCells ?? [];
    // Nothing pending: nothing is written either (an empty grid may be frozen, shared by addresses that keep no times).
    if (minutes.length === 0 && added.length === 0) return;
    this.pending = undefined;
    this.pendingCells = undefined;
    // A cell wider than ours: the grid widens until it fits in one of ours (aligned widths nest, so once is enough).
    let width = this.cellMs;
    for (let i = 0; i < added.length; i += 3) while (Math.floor(added[i] / width) !== Math.floor(added[i + 1] / width)) width *= 2;
    // Three sorted streams (the cells, the minutes, the added cells), merged by first minute into one list.
    const sortedMinutes = Float64Array.from(minutes).sort();
    const order = Array.from({ length: added.length / 3 }, (_, k) => 3 * k).sort((a, b) => added[a] - added[b]);
    const total = this.n + sortedMinutes.length + order.length;
    let f = new Float64Array(total);
    let l = new Float64Array(total);
    let c = new Float64Array(total);
    let m = 0;
    const of = this.first;
    const ol = this.last;
    const oc = this.counts;
    for (let i = 0, j = 0, k = 0; i < this.n || j < sortedMinutes.length || k < order.length; m++) {
      const a = i < this.n ? (of as Float64Array)[i] : Infinity;
      const b = j < sortedMinutes.length ? sortedMinutes[j] : Infinity;
      const d = k < order.length ? added[order[k]] : Infinity;
      if (a <= b && a <= d) {
        f[m] = a;
        l[m] = (ol as Float64Array)[i];
        c[m] = (oc as Float64Array)[i++];
      } else if (b <= d) {
        f[m] = l[m] = b;
        c[m] = 1;
        j++;
      } else {
        const p = order[k++];
        f[m] = added[p];
        l[m] = added[p + 1];
        c[m] = added[p + 2];
      }
    }
    width = coarsen(f, l, c, m, width, this.cap);
    m = coarsened;
    if (m < f.length) {
      f = f.slice(0, m);
      l = l.slice(0, m);
      c = c.slice(0, m);
    }
    this.first = f;
    this.last = l;
    this.counts = c;
    this.n = m;
    this.cellMs = width;
  }

  /** The cells, oldest first. */
  list(): TimeCell[] {
    this.fold();
    const out: TimeCell[] = [];
    for (let i = 0; i < this.n; i++) out.push({ first: (this.first as Float64Array)[i], last: (this.last as Float64Array)[i], count: (this.counts as Float64Array)[i] });
    return out;
  }

  /**
   * Writes the cells, oldest first, as `tag, first, last, count` each from `at` on (a scan worker's flat message: no
   * object per cell); `out` must have room for 4 * size numbers. Returns where the next goes.
   */
  writeCells(out: Float64Array, at: number, tag: number): number {
    this.fold();
    const f = this.first as Float64Array;
    const l = this.last as Float64Array;
    const c = this.counts as Float64Array;
    let i = at;
    for (let k = 0; k < this.n; k++) {
      out[i++] = tag;
      out[i++] = f[k];
      out[i++] = l[k];
      out[i++] = c[k];
    }
    return i;
  }

  /** The first minute of each cell, oldest first. */
  values(): Date[] {
    return this.list().map((c) => new Date(c.first));
  }

  get size(): number {
    this.fold();
    return this.n;
  }

  /** Times and cells added and not folded yet (what the next read folds: a measure of its work). */
  get unfolded(): number {
    return (this.pending?.length ?? 0) + (this.pendingCells?.length ?? 0) / 3;
  }

  /** Width of a cell in minutes: 1 until distinct minutes outgrew the cap. */
  get granularityMinutes(): number {
    this.fold();
    return this.cellMs / 60_000;
  }

  /** True when distinct minutes were merged into wider cells. */
  get thinned(): boolean {
    return this.granularityMinutes > 1;
  }

  /** Adds every time another grid counted (exact: cell counts are kept, so `seen` and coverage add up). */
  merge(other: LineTimes): void {
    for (const c of other.list()) this.addCell(c.first, c.last, c.count);
  }
}
