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
 * Every line time of an address, counted per minute, in at most `cap` cells. When full, the grid doubles (2, 4, 8...
 * minutes) and neighbouring cells merge, counts kept, so every occurrence is still accounted for and the cells still
 * span the whole log: the holder lookups answer for each occurrence, not for a sample of them.
 *
 * The result does not depend on the order times arrive in, nor on whether they arrive one by one or as cells of another
 * grid with the same cap fed a subset of them (a scan worker's part, a replayed file): the grid ends at the narrowest
 * width that holds every distinct minute in `cap` cells, and a cell's first, last and count are a min, a max and a sum.
 */
export class LineTimes {
  private cellMs = 60_000;
  /** Made on the first time: most addresses of a large log never get one. */
  private cells: Map<number, TimeCell> | undefined;
  /** Times seen in total (every occurrence with a valid time). */
  seen = 0;

  constructor(private readonly cap: number) {}

  add(time: Date): void {
    this.addMs(time.getTime());
  }

  /** add() for a time in epoch milliseconds (the scan's hot path: no Date, no cell-width check). */
  addMs(t: number): void {
    if (!Number.isFinite(t)) return;
    const minute = Math.floor(t / 60_000) * 60_000;
    this.seen++;
    const key = Math.floor(minute / this.cellMs);
    const cells = (this.cells ??= new Map<number, TimeCell>());
    const cell = cells.get(key);
    if (cell) {
      cell.count++;
      if (minute < cell.first) cell.first = minute;
      else if (minute > cell.last) cell.last = minute;
      return;
    }
    cells.set(key, { first: minute, last: minute, count: 1 });
    while (this.cells.size > this.cap) this.coarsen();
  }

  /** Adds `count` times between the minutes `first` and `last` (a cell of another grid: see `merge`). */
  addCell(first: number, last: number, count: number): void {
    if (!Number.isFinite(first) || !Number.isFinite(last) || last < first || !(count >= 1)) return;
    // A cell wider than ours: coarsen until it fits in one of ours.
    while (Math.floor(first / this.cellMs) !== Math.floor(last / this.cellMs)) this.coarsen();
    this.seen += count;
    const key = Math.floor(first / this.cellMs);
    const cells = (this.cells ??= new Map<number, TimeCell>());
    const cell = cells.get(key);
    if (cell) {
      cell.count += count;
      if (first < cell.first) cell.first = first;
      if (last > cell.last) cell.last = last;
      return;
    }
    cells.set(key, { first, last, count });
    while (this.cells.size > this.cap) this.coarsen();
  }

  private coarsen(): void {
    this.cellMs *= 2;
    if (!this.cells) return;
    const next = new Map<number, TimeCell>();
    for (const c of this.cells.values()) {
      const key = Math.floor(c.first / this.cellMs);
      const into = next.get(key);
      if (!into) next.set(key, { ...c });
      else {
        into.count += c.count;
        into.first = Math.min(into.first, c.first);
        into.last = Math.max(into.last, c.last);
      }
    }
    this.cells = next;
  }

  /** The cells, oldest first. */
  list(): TimeCell[] {
    return this.cells ? [...this.cells.values()].sort((a, b) => a.first - b.first) : [];
  }

  /** The first minute of each cell, oldest first. */
  values(): Date[] {
    return this.list().map((c) => new Date(c.first));
  }

  get size(): number {
    return this.cells?.size ?? 0;
  }

  /** Width of a cell in minutes: 1 until distinct minutes outgrew the cap. */
  get granularityMinutes(): number {
    return this.cellMs / 60_000;
  }

  /** True when distinct minutes were merged into wider cells. */
  get thinned(): boolean {
    return this.cellMs > 60_000;
  }

  /** Adds every time another grid counted (exact: cell counts are kept, so `seen` and coverage add up). */
  merge(other: LineTimes): void {
    for (const c of other.list()) this.addCell(c.first, c.last, c.count);
  }
}
