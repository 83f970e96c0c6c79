// Dedupes scanner matches by normalised address while streaming, keeping occurrences and line times in
// bounded memory: caps per address, and line times counted on a grid that coarsens when there are many.
import { isInternalClass, type IpClass } from '../ip/classify';
import type { Occurrence } from '../../shared/triageModel';

/** What the collector needs from a scanner match (the file scanner's `FileMatch` satisfies it). */
export interface LocatedMatch {
  value: string;
  version: 4 | 6;
  start: number;
  end: number;
  line: number;
  column: number;
  time?: Date;
  port?: number;
  defanged: boolean;
  ipClass: string;
}

export interface CollectedAddress {
  ip: string;
  version: 4 | 6;
  ipClass: string;
  occurrenceCount: number;
  occurrences: Occurrence[];
  occurrencesTruncated: boolean;
  files: string[];
  defanged: boolean;
  /** Every line time, counted per minute (cells widen when there are many); internal addresses only. */
  times: LineTimes;
  /** True for internal classes: only they keep line times. */
  timed: boolean;
}

export interface CollectorOptions {
  /** Occurrences kept per address (the count is always exact). Default 200. */
  maxOccurrencesPerAddress?: number;
  /** Distinct line-time cells kept per address (minutes until it is reached, then wider cells). Default 4,096. */
  maxTimesPerAddress?: number;
  /** Files listed per address. Default 100. */
  maxFilesPerAddress?: number;
}

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
 */
export class LineTimes {
  private cellMs = 60_000;
  private cells = new Map<number, TimeCell>();
  /** Times seen in total (every occurrence with a valid time). */
  seen = 0;

  constructor(private readonly cap: number) {}

  add(time: Date): void {
    const t = time.getTime();
    if (!Number.isFinite(t)) return;
    const minute = Math.floor(t / 60_000) * 60_000;
    this.addCell(minute, minute, 1);
  }

  /** Adds `count` times between the minutes `first` and `last` (a cell of another grid: see `merge`). */
  addCell(first: number, last: number, count: number): void {
    if (!Number.isFinite(first) || !Number.isFinite(last) || last < first || !(count >= 1)) return;
    // A cell wider than ours: coarsen until it fits in one of ours.
    while (Math.floor(first / this.cellMs) !== Math.floor(last / this.cellMs)) this.coarsen();
    this.seen += count;
    const key = Math.floor(first / this.cellMs);
    const cell = this.cells.get(key);
    if (cell) {
      cell.count += count;
      if (first < cell.first) cell.first = first;
      if (last > cell.last) cell.last = last;
      return;
    }
    this.cells.set(key, { first, last, count });
    while (this.cells.size > this.cap) this.coarsen();
  }

  private coarsen(): void {
    this.cellMs *= 2;
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
    return [...this.cells.values()].sort((a, b) => a.first - b.first);
  }

  /** The first minute of each cell, oldest first. */
  values(): Date[] {
    return this.list().map((c) => new Date(c.first));
  }

  get size(): number {
    return this.cells.size;
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

export class AddressCollector {
  readonly addresses = new Map<string, CollectedAddress>();
  occurrences = 0;
  private readonly maxOcc: number;
  private readonly maxTimes: number;
  private readonly maxFiles: number;

  constructor(readonly options: CollectorOptions = {}) {
    this.maxOcc = options.maxOccurrencesPerAddress ?? 200;
    this.maxTimes = options.maxTimesPerAddress ?? 4096;
    this.maxFiles = options.maxFilesPerAddress ?? 100;
    if (!(this.maxOcc >= 0) || !(this.maxTimes >= 1) || !(this.maxFiles >= 1)) throw new RangeError('Collector caps must be positive.');
  }

  add(file: string, m: LocatedMatch): void {
    this.occurrences++;
    let a = this.addresses.get(m.value);
    if (!a) {
      a = {
        ip: m.value,
        version: m.version,
        ipClass: m.ipClass,
        occurrenceCount: 0,
        occurrences: [],
        occurrencesTruncated: false,
        files: [],
        defanged: false,
        times: new LineTimes(this.maxTimes),
        timed: isInternalClass(m.ipClass as IpClass),
      };
      this.addresses.set(m.value, a);
    }
    a.occurrenceCount++;
    if (m.defanged) a.defanged = true;
    if (a.timed && m.time) a.times.add(m.time);
    if (a.files[a.files.length - 1] !== file && !a.files.includes(file) && a.files.length < this.maxFiles) a.files.push(file);
    if (a.occurrences.length < this.maxOcc) {
      const o: Occurrence = { file, line: m.line, column: m.column, start: m.start, end: m.end };
      if (m.time && Number.isFinite(m.time.getTime())) o.time = m.time.toISOString();
      if (m.port !== undefined) o.port = m.port;
      if (m.defanged) o.defanged = true;
      a.occurrences.push(o);
    } else {
      a.occurrencesTruncated = true;
    }
  }

  /**
   * Adds what was collected from one source on its own (another collector, or an earlier run's extraction of an
   * unchanged file): counts add up, occurrences and files fill up to this collector's caps in order, line times merge.
   * The result is what `add` would have built from the same matches.
   */
  merge(addresses: Iterable<CollectedAddress>, options: { countOccurrences?: boolean } = {}): void {
    for (const b of addresses) {
      if (options.countOccurrences !== false) this.occurrences += b.occurrenceCount;
      let a = this.addresses.get(b.ip);
      if (!a) {
        a = { ip: b.ip, version: b.version, ipClass: b.ipClass, occurrenceCount: 0, occurrences: [], occurrencesTruncated: false, files: [], defanged: false, times: new LineTimes(this.maxTimes), timed: b.timed };
        this.addresses.set(b.ip, a);
      }
      a.occurrenceCount += b.occurrenceCount;
      if (b.defanged) a.defanged = true;
      for (const f of b.files) if (!a.files.includes(f) && a.files.length < this.maxFiles) a.files.push(f);
      for (const o of b.occurrences) {
        if (a.occurrences.length < this.maxOcc) a.occurrences.push(o);
        else a.occurrencesTruncated = true;
      }
      if (b.occurrencesTruncated) a.occurrencesTruncated = true;
      if (a.timed) a.times.merge(b.times);
    }
  }
}
