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
 * Numbers per line-time cell wherever cells are stored: a tag (the address's index, in a part's message; unused in a
 * grid), the first and last minute (epoch ms), and the count. One layout for a grid and for PartCollection.times, so
 * that a grid can take a part's cells as they are.
 */
export const TIME_CELL_FIELDS = 4;
const CELL = TIME_CELL_FIELDS;

/**
 * Groups the `m` cells of `cells` from `at` (sorted by first minute) by cell of `width`, then of doubled widths until
 * they fit in `cap`, in place (tags are left as they are); returns the width, and leaves the number of cells in
 * `coarsened`. Cells of one width never straddle a wider one, so each grouping is one pass.
 */
function coarsen(cells: Float64Array, at: number, m: number, width: number, cap: number): number {
  for (;;) {
    let g = at - CELL;
    let key = NaN;
    for (let i = at, end = at + m * CELL; i < end; i += CELL) {
      const k = Math.floor(cells[i + 1] / width);
      if (k === key) {
        if (cells[i + 2] > cells[g + 2]) cells[g + 2] = cells[i + 2];
        cells[g + 3] += cells[i + 3];
      } else {
        key = k;
        g += CELL;
        cells[g + 1] = cells[i + 1];
        cells[g + 2] = cells[i + 2];
        cells[g + 3] = cells[i + 3];
      }
    }
    m = (g - at) / CELL + 1;
    if (m <= cap) break;
    width *= 2;
  }
  coarsened = m;
  return width;
}
let coarsened = 0;

/**
 * The cells a new LineTimes(cap) fed the times in times[from, to) (epoch ms, sorted by minute) would hold, written as
 * writeCells writes them (`tag, first, last, count` from `at`; room for 4 * (to - from) numbers): for a scan worker's
 * part, whose addresses then need no grid of their own. Returns where the next goes.
 */
export function writeMinuteCells(times: Float64Array, from: number, to: number, cap: number, out: Float64Array, at: number, tag: number): number {
  let j = at;
  for (let i = from; i < to; i++) {
    const t = times[i];
    if (!Number.isFinite(t)) continue;
    const minute = Math.floor(t / 60_000) * 60_000;
    if (j > at && out[j - CELL + 1] === minute) out[j - CELL + 3]++;
    else {
      out[j] = tag;
      out[j + 1] = out[j + 2] = minute;
      out[j + 3] = 1;
      j += CELL;
    }
  }
  coarsen(out, at, (j - at) / CELL, 60_000, cap);
  return at + coarsened * CELL;
}

/** Whether no two of the cells in data[from, to) (CELL numbers each, sorted) fall in one cell of `width`. */
function distinctCells(data: Float64Array, from: number, to: number, width: number): boolean {
  for (let i = from + CELL; i < to; i += CELL) if (Math.floor(data[i + 1] / width) === Math.floor(data[i - CELL + 1] / width)) return false;
  return true;
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
  /**
   * The cells folded so far, oldest first: `n` of them from `at`, CELL numbers each. Never written once set: it may be a
   * part's message, taken as it is (addCellsOf), and every change makes a new array.
   */
  private cells: Float64Array | undefined;
  private at = 0;
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
   * `data` must not change afterwards: a new grid may keep it as it is.
   */
  addCellsOf(data: Float64Array, from: number, to: number): void {
    const m = (to - from) / CELL;
    if (this.pending === undefined && this.pendingCells === undefined && m > 0) {
      // Valid cells sorted by first minute (otherwise addCell and the fold decide), and the narrowest width that fits each.
      let width = 60_000;
      let ok = true;
      let seen = 0;
      for (let i = from, before = -Infinity; i < to && ok; i += CELL) {
        const first = data[i + 1];
        const last = data[i + 2];
        const count = data[i + 3];
        if (!validCell(first, last, count) || !(first >= before)) ok = false;
        else while (Math.floor(first / width) !== Math.floor(last / width)) width *= 2;
        before = first;
        seen += count;
      }
      if (ok) {
        width = Math.max(width, this.cellMs);
        if (this.n === 0 && m <= this.cap && distinctCells(data, from, to, width)) {
          // A new grid given cells that coarsening would leave as they are (a part's grid, of the same cap): they are
          // taken as they are, a view of the part's message, where a copy cost an array per address (tens of thousands).
          this.cells = data;
          this.at = from;
          this.n = m;
        } else {
          // Two sorted lists of cells, ours and theirs, merged by first minute, then grouped as fold groups them (the
          // second part of a file brings cells for addresses the first had: tens of thousands).
          const total = this.n + m;
          const out = new Float64Array(total * CELL);
          const own = this.cells as Float64Array;
          for (let g = 0, i = this.at, iEnd = this.at + this.n * CELL, j = from; g < total * CELL; g += CELL) {
            if (j >= to || (i < iEnd && own[i + 1] <= data[j + 1])) {
              out[g + 1] = own[i + 1];
              out[g + 2] = own[i + 2];
              out[g + 3] = own[i + 3];
              i += CELL;
            } else {
              out[g + 1] = data[j + 1];
              out[g + 2] = data[j + 2];
              out[g + 3] = data[j + 3];
              j += CELL;
            }
          }
          width = coarsen(out, 0, total, width, this.cap);
          this.cells = out;
          this.at = 0;
          this.n = coarsened;
        }
        this.cellMs = width;
        this.seen += seen;
        return;
      }
    }
    for (let i = from; i < to; i += CELL) this.addCell(data[i + 1], data[i + 2], data[i + 3]);
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
    const out = new Float64Array(total * CELL);
    const own = this.cells;
    const iEnd = this.at + this.n * CELL;
    let g = 0;
    for (let i = this.at, j = 0, k = 0; i < iEnd || j < sortedMinutes.length || k < order.length; g += CELL) {
      const a = i < iEnd ? (own as Float64Array)[i + 1] : Infinity;
      const b = j < sortedMinutes.length ? sortedMinutes[j] : Infinity;
      const d = k < order.length ? added[order[k]] : Infinity;
      if (a <= b && a <= d) {
        out[g + 1] = a;
        out[g + 2] = (own as Float64Array)[i + 2];
        out[g + 3] = (own as Float64Array)[i + 3];
        i += CELL;
      } else if (b <= d) {
        out[g + 1] = out[g + 2] = b;
        out[g + 3] = 1;
        j++;
      } else {
        const p = order[k++];
        out[g + 1] = added[p];
        out[g + 2] = added[p + 1];
        out[g + 3] = added[p + 2];
      }
    }
    this.cellMs = coarsen(out, 0, g / CELL, width, this.cap);
    this.cells = out;
    this.at = 0;
    this.n = coarsened;
  }

  /** The cells, oldest first. */
  list(): TimeCell[] {
    this.fold();
    const out: TimeCell[] = [];
    const c = this.cells as Float64Array;
    for (let i = this.at, end = this.at + this.n * CELL; i < end; i += CELL) out.push({ first: c[i + 1], last: c[i + 2], count: c[i + 3] });
    return out;
  }

  /**
   * Writes the cells, oldest first, as `tag, first, last, count` each from `at` on (a scan worker's flat message: no
   * object per cell); `out` must have room for 4 * size numbers. Returns where the next goes.
   */
  writeCells(out: Float64Array, at: number, tag: number): number {
    this.fold();
    const c = this.cells as Float64Array;
    let o = at;
    for (let i = this.at, end = this.at + this.n * CELL; i < end; i += CELL) {
      out[o] = tag;
      out[o + 1] = c[i + 1];
      out[o + 2] = c[i + 2];
      out[o + 3] = c[i + 3];
      o += CELL;
    }
    return o;
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
    other.fold();
    // Its cells as they are (sorted, and never written once set: both grids may hold the one array).
    if (other.n > 0) this.addCellsOf(other.cells as Float64Array, other.at, other.at + other.n * CELL);
  }
}
