// The line times triage keeps per internal address, thinned evenly over the log when there are many.

/**
 * Distinct times at minute precision, at most `cap` of them. When full, the grid doubles (2, 4, 8...
 * minutes) and one time per cell is kept, so the sample still spans the whole log, not just its start.
 */
export class TimeSampler {
  private cellMs = 60_000;
  /** Made on the first add: most addresses of a large log never get a time. */
  private cells: Map<number, number> | undefined;
  /** Times seen in total, including those the grid merged. */
  seen = 0;

  constructor(private readonly cap: number) {}

  /** Adds a time; true when it took a cell of its own (false: not a time, or its cell was taken). */
  add(time: Date): boolean {
    return this.addMs(time.getTime());
  }

  /** add() for a time in epoch milliseconds. */
  addMs(t: number): boolean {
    if (!Number.isFinite(t)) return false;
    this.seen++;
    const minute = Math.floor(t / 60_000) * 60_000;
    const cell = Math.floor(minute / this.cellMs);
    const cells = (this.cells ??= new Map());
    if (cells.has(cell)) return false;
    cells.set(cell, minute);
    while (this.cells.size > this.cap) this.coarsen();
    return true;
  }

  private coarsen(): void {
    this.cellMs *= 2;
    const next = new Map<number, number>();
    for (const minute of [...(this.cells?.values() ?? [])].sort((a, b) => a - b)) {
      const cell = Math.floor(minute / this.cellMs);
      if (!next.has(cell)) next.set(cell, minute);
    }
    this.cells = next;
  }

  /** The kept times, oldest first. */
  values(): Date[] {
    return [...(this.cells?.values() ?? [])].sort((a, b) => a - b).map((t) => new Date(t));
  }

  get size(): number {
    return this.cells?.size ?? 0;
  }

  /** True when some distinct times were merged away. */
  get thinned(): boolean {
    return this.cellMs > 60_000;
  }
}
