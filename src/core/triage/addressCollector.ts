// Dedupes scanner matches by normalised address while streaming, keeping occurrences and line times in
// bounded memory: caps per address, and line times thinned to an ever coarser grid when there are many.
import { isInternalClass, type IpClass } from '../ip/classify';
import type { MatchLocation } from '../ip/lineScanner';
import type { Occurrence } from '../../shared/triageModel';
import { OCCURRENCE_FIELDS, type PartCollectOptions, type PartCollection } from './partCollector';
import { TimeSampler } from './timeSampler';

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

export { TimeSampler };

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

  /** What a part collector in a scan worker needs to keep what this one would (see partCollector.ts). */
  get partOptions(): PartCollectOptions {
    return { maxOccurrences: this.maxOcc, maxTimes: this.maxTimes };
  }

  /**
   * Adds what a scan worker collected from one part of `file`, the parts in file order (`charBase`, `lineBreaksBefore`:
   * the text of the file before the part): the state one addAt per match would have left. A generator: it yields
   * every few thousand occurrences it builds, so that a caller can let its event loop run in between.
   */
  *mergePart(file: string, part: PartCollection, charBase: number, lineBreaksBefore: number): Generator<void, void, undefined> {
    this.occurrences += part.matches;
    let built = 0;
    for (const p of part.addresses) {
      let a = this.addresses.get(p.ip);
      if (!a) {
        a = this.newAddress(p.ip, p.version, p.ipClass);
        this.addresses.set(p.ip, a);
      }
      a.occurrenceCount += p.count;
      if (p.defanged) a.defanged = true;
      if (a.timed) {
        for (const t of p.times) a.times.add(new Date(t));
        a.times.seen += p.timesSeen - p.times.length;
      }
      if (!a.files.includes(file) && a.files.length < this.maxFiles) a.files.push(file);
      const free = Math.max(0, this.maxOcc - a.occurrences.length);
      const kept = p.occurrences.length / OCCURRENCE_FIELDS;
      const take = Math.min(free, kept);
      const o = p.occurrences;
      for (let k = 0; k < take; k++) {
        const i = k * OCCURRENCE_FIELDS;
        const occ: Occurrence = { file, line: o[i] + lineBreaksBefore, column: o[i + 1], start: o[i + 2] + charBase, end: o[i + 3] + charBase };
        if (!Number.isNaN(o[i + 6])) occ.time = this.isoOf(o[i + 6]);
        if (o[i + 4] >= 0) occ.port = o[i + 4];
        if (o[i + 5] === 1) occ.defanged = true;
        a.occurrences.push(occ);
        if (++built % 4096 === 0) yield;
      }
      if (p.count > free) a.occurrencesTruncated = true;
    }
  }

  private newAddress(ip: string, version: 4 | 6, ipClass: string): CollectedAddress {
    return {
      ip,
      version,
      ipClass,
      occurrenceCount: 0,
      occurrences: [],
      occurrencesTruncated: false,
      files: [],
      defanged: false,
      times: new TimeSampler(this.maxTimes),
      timed: isInternalClass(ipClass as IpClass),
    };
  }

  private isoOf(ms: number): string {
    if (ms !== this.lastMs) {
      this.lastTime = undefined;
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /** The ISO text of the last time made, for the next occurrence on the same line (lines share their Date). */
  private lastTime: Date | undefined;
  private lastMs = NaN;
  private lastIso = '';

  private iso(time: Date): string {
    const ms = time.getTime();
    if (time !== this.lastTime || ms !== this.lastMs) {
      this.lastTime = time;
      this.lastMs = ms;
      this.lastIso = time.toISOString();
    }
    return this.lastIso;
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
      a = this.newAddress(m.value, m.version, m.ipClass);
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
      if (time && Number.isFinite(time.getTime())) o.time = this.iso(time);
      if (m.port !== undefined) o.port = m.port;
      if (m.defanged) o.defanged = true;
      a.occurrences.push(o);
    } else {
      a.occurrencesTruncated = true;
    }
  }
}
