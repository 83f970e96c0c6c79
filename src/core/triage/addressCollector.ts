// Dedupes scanner matches by normalised address while streaming, keeping occurrences and line times in
// bounded memory: caps per address, and line times thinned to an ever coarser grid when there are many.
import { isInternalClass, type IpClass } from '../ip/classify';
import type { MatchLocation } from '../ip/lineScanner';
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
  /** Distinct line times; kept for internal addresses only (the holder lookups need them). */
  times: TimeSampler;
  /** True for internal classes: only they keep line times. */
  timed: boolean;
}

export interface CollectorOptions {
  /** Occurrences kept per address (the count is always exact). Default 200. */
  maxOccurrencesPerAddress?: number;
  /** Distinct line times kept per address. Default 24. */
  maxTimesPerAddress?: number;
  /** Files listed per address. Default 100. */
  maxFilesPerAddress?: number;
}

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

  add(time: Date): void {
    const t = time.getTime();
    if (!Number.isFinite(t)) return;
    this.seen++;
    const minute = Math.floor(t / 60_000) * 60_000;
    const cell = Math.floor(minute / this.cellMs);
    const cells = (this.cells ??= new Map());
    if (cells.has(cell)) return;
    cells.set(cell, minute);
    while (this.cells.size > this.cap) this.coarsen();
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

export class AddressCollector {
  readonly addresses = new Map<string, CollectedAddress>();
  occurrences = 0;
  private readonly maxOcc: number;
  private readonly maxTimes: number;
  private readonly maxFiles: number;

  constructor(options: CollectorOptions = {}) {
    this.maxOcc = options.maxOccurrencesPerAddress ?? 200;
    this.maxTimes = options.maxTimesPerAddress ?? 24;
    this.maxFiles = options.maxFilesPerAddress ?? 100;
    if (!(this.maxOcc >= 0) || !(this.maxTimes >= 1) || !(this.maxFiles >= 1)) throw new RangeError('Collector caps must be positive.');
  }

  add(file: string, m: LocatedMatch): void {
    this.addAt(file, m, { line: m.line, column: m.column, time: () => m.time });
  }

  /**
   * add() for the scanner's match and location as a sink receives them (nothing of either is kept): the
   * line's time is read only when it is kept, for a timed address or an occurrence within the cap.
   */
  addAt(file: string, m: Pick<LocatedMatch, 'value' | 'version' | 'start' | 'end' | 'port' | 'defanged' | 'ipClass'>, at: MatchLocation): void {
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
        times: new TimeSampler(this.maxTimes),
        timed: isInternalClass(m.ipClass as IpClass),
      };
      this.addresses.set(m.value, a);
    }
    a.occurrenceCount++;
    if (m.defanged) a.defanged = true;
    let time: Date | undefined;
    if (a.timed) {
      time = at.time();
      if (time) a.times.add(time);
    }
    if (a.files[a.files.length - 1] !== file && !a.files.includes(file) && a.files.length < this.maxFiles) a.files.push(file);
    if (a.occurrences.length < this.maxOcc) {
      if (!a.timed) time = at.time();
      const o: Occurrence = { file, line: at.line, column: at.column, start: m.start, end: m.end };
      if (time && Number.isFinite(time.getTime())) o.time = time.toISOString();
      if (m.port !== undefined) o.port = m.port;
      if (m.defanged) o.defanged = true;
      a.occurrences.push(o);
    } else {
      a.occurrencesTruncated = true;
    }
  }
}
