// Dedupes scanner matches by normalised address while streaming, keeping occurrences and line times in
// bounded memory: caps per address, and line times counted on a grid that coarsens when there are many.
import { isInternalClass, type IpClass } from '../ip/classify';
import type { MatchLocation } from '../ip/lineScanner';
import type { Occurrence } from '../../shared/triageModel';
import {
  OccurrenceBlocks, readOccurrence, type OccurrenceBlock, type PartCollectOptions, type PartCollection, type StoredOccurrence,
} from './partCollector';
import { LineTimes, TIME_CELL_FIELDS } from './lineTimes';
import { runAll } from '../../shared/generators';

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

// The grid is part of what a collected address is: its users name it with the collector.
export { LineTimes, type TimeCell } from './lineTimes';

/**
 * Kept occurrences of one file in OccurrenceBlocks' form: the blocks a scan worker sent for a part of the file (kept as
 * they came), or this collector's own (addAt). Lines and starts count from the bases.
 */
interface Store {
  blocks: OccurrenceBlock[];
  file: number;
  charBase: number;
  lineBase: number;
}

/**
 * Numbers per span of an address's kept occurrences: the store, the number + 1 of the last occurrence in it, how many
 * occurrences its links reach back from there (`chain`), and how many of them, the first ones, are kept (`take`).
 */
const SPAN_FIELDS = 4;
/** The largest value an occurrence's whole numbers hold, relative to its store's bases. */
const MAX_STORED = 0x7fff_ffff;
/** The line times of every address that keeps none (not internal): empty, and frozen so that nothing adds to it. */
const NO_TIMES = new LineTimes(1);
Object.freeze(NO_TIMES);
/** Addresses, kept occurrences and line-time cells mergeSteps handles between yields. */
const MERGE_STEPS_WORK = 2048;

/** Addresses and line-time cells mergePart handles between yields (a millisecond or two). */
const MERGE_SLICE = 4096;

/**
 * An address as collected. Its kept occurrences are numbers until first read (`occurrences`): hundreds of thousands
 * of small objects, each with its ISO time text, cost more to keep alive during a scan than the scan itself. They stay
 * where they were written, in the blocks of a store, and the address holds spans of them: a worker's part is merged
 * without copying its occurrences (writing each address's own array, scattered over thousands of them, cost more
 * than the workers' scan in cache misses and fresh memory).
 */
class Collected implements CollectedAddress {
  occurrenceCount = 0;
  occurrencesTruncated = false;
  defanged = false;
  /**
   * Where the kept occurrences are, in order: SPAN_FIELDS numbers per span (until they are made into objects). Made
   * with its first span, at its size: tens of thousands of addresses, each array copied by the garbage collector.
   */
  spans: number[] | undefined;
  /** Kept occurrences in the spans. */
  count = 0;
  private made: Occurrence[] | undefined;

  constructor(
    readonly ip: string,
    readonly version: 4 | 6,
    readonly ipClass: string,
    readonly times: LineTimes,
    readonly timed: boolean,
    readonly owner: AddressCollector,
    /** Made with the first file, at its size (see `spans`). */
    readonly files: string[],
  ) {}

  get kept(): number {
    return this.made ? this.made.length : this.count;
  }

  /** One more kept occurrence; `time` in epoch ms, NaN for none. */
  keep(file: number, line: number, column: number, start: number, end: number, port: number, defanged: boolean, time: number): void {
    if (!this.made && this.owner.keepOwn(this, file, line, column, start, end, port, defanged, time)) {
      this.count++;
      return;
    }
    // Made into objects already, or with numbers too large for a store: kept as an object.
    this.occurrences.push(this.owner.occurrence(file, line, column, start, end, port, defanged, time));
  }

  /** Keeps the first `take` of the `chain` occurrences that store `store`'s links reach back from `last`. */
  adopt(store: number, last: number, chain: number, take: number): void {
    if (this.made) {
      this.owner.readSpan(store, last, chain, take, this.made);
      return;
    }
    if (this.spans) this.spans.push(store, last, chain, take);
    else this.spans = [store, last, chain, take];
    this.count += take;
  }

  get occurrences(): Occurrence[] {
    if (!this.made) {
      const made: Occurrence[] = [];
      const s = this.spans ?? [];
      for (let i = 0; i < s.length; i += SPAN_FIELDS) this.owner.readSpan(s[i], s[i + 1], s[i + 2], s[i + 3], made);
      this.made = made;
      this.spans = undefined;
      this.count = 0;
    }
    return this.made;
  }

  /** The first `n` kept occurrences, made for the caller only: the others stay numbers (see `occurrences`). */
  first(n: number): Occurrence[] {
    if (this.made) return this.made.slice(0, n);
    const out: Occurrence[] = [];
    const s = this.spans ?? [];
    for (let i = 0; i < s.length && out.length < n; i += SPAN_FIELDS) {
      this.owner.readSpan(s[i], s[i + 1], s[i + 2], Math.min(s[i + 3], n - out.length), out);
    }
    return out;
  }

  /** One more kept occurrence, already made (a replayed extraction's). */
  keepMade(o: Occurrence): void {
    this.occurrences.push(o);
  }

  /**
   * Hands the kept occurrences to `into` as they are (`file` renumbers this collector's files as `into`'s), at most
   * `room` of them; false when some did not fit. Stored ones go as numbers: no object is made on the way.
   */
  keepInto(into: Collected, room: number, file: (k: number) => number): boolean {
    if (this.made) {
      for (let k = 0; k < this.made.length; k++) {
        if (k >= room) return false;
        into.keepMade(this.made[k]);
      }
      return true;
    }
    let left = room;
    const s = this.spans ?? [];
    for (let i = 0; i < s.length; i += SPAN_FIELDS) {
      const take = s[i + 3];
      this.owner.visitSpan(s[i], s[i + 1], s[i + 2], Math.min(take, left), (f, o) => {
        into.keep(file(f), o.line, o.column, o.start, o.end, o.port, o.defanged, o.time);
      });
      if (take > left) return false;
      left -= take;
    }
    return true;
  }
}

export class AddressCollector {
  readonly addresses = new Map<string, CollectedAddress>();
  occurrences = 0;
  private readonly maxOcc: number;
  private readonly maxTimes: number;
  private readonly maxFiles: number;
  /** The names occurrences refer to, by index. */
  private readonly fileNames: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  private lastMs = NaN;
  private lastIso = '';
  /** Where kept occurrences are: the parts workers sent, and this collector's own blocks (one store per file in turn). */
  private readonly stores: Store[] = [];
  /** The blocks addAt's occurrences go to (made on first use), and the store they go to now: its number, file and bases. */
  private own: OccurrenceBlocks | undefined;
  private ownStore = -1;
  private ownFile = -1;
  private ownChar = 0;
  private ownLine = 0;
  /** visitSpan's scratch: the occurrence numbers of a span, oldest first, and the record each is read into. */
  private chainScratch = new Int32Array(256);
  private readonly stored: StoredOccurrence = { link: 0, line: 0, column: 0, start: 0, end: 0, port: 0, defanged: false, time: 0 };

  constructor(readonly options: CollectorOptions = {}) {
    this.maxOcc = options.maxOccurrencesPerAddress ?? 200;
    this.maxTimes = options.maxTimesPerAddress ?? 4096;
    this.maxFiles = options.maxFilesPerAddress ?? 100;
    if (!(this.maxOcc >= 0) || !(this.maxTimes >= 1) || !(this.maxFiles >= 1)) throw new RangeError('Collector caps must be positive.');
  }

  /** What a part collector in a scan worker needs to keep what this one would (see partCollector.ts). */
  get partOptions(): PartCollectOptions {
    return { maxOccurrences: this.maxOcc, maxTimes: this.maxTimes };
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
    let a = this.addresses.get(m.value) as Collected | undefined;
    if (!a) {
      a = this.newAddress(m.value, m.version, m.ipClass, [file]);
      this.addresses.set(m.value, a);
    }
    a.occurrenceCount++;
    if (m.defanged) a.defanged = true;
    let time: Date | undefined;
    if (a.timed) {
      time = at.time();
      if (time) a.times.addMs(time.getTime());
    }
    if (a.files[a.files.length - 1] !== file && !a.files.includes(file) && a.files.length < this.maxFiles) a.files.push(file);
    if (a.kept < this.maxOcc) {
      if (!a.timed) time = at.time();
      a.keep(this.fileNumber(file), at.line, at.column, m.start, m.end, m.port ?? -1, m.defanged, time ? time.getTime() : NaN);
    } else {
      a.occurrencesTruncated = true;
    }
  }

  /**
   * Adds what a scan worker collected from one part of `file`, the parts in file order (`charBase`, `lineBreaksBefore`:
   * the text of the file before the part): the state one addAt per match would have left. Its work is in the part's
   * addresses and line-time cells, not its occurrences (kept where they came). A generator: it yields every
   * MERGE_SLICE of them, so that a caller can let its event loop run in between.
   */
  *mergePart(file: string, part: PartCollection, charBase: number, lineBreaksBefore: number): Generator<void, void, undefined> {
    this.occurrences += part.matches;
    const fileNumber = this.fileNumber(file);
    // The part's occurrences stay in the blocks it came in: each address takes a span of them.
    const store = this.stores.push({ blocks: part.occurrences, file: fileNumber, charBase, lineBase: lineBreaksBefore }) - 1;
    // The part's addresses, in the order they first appear in it (so new ones are added in file order).
    const here: Collected[] = new Array<Collected>(part.ips.length);
    let work = 0;
    for (let k = 0; k < part.ips.length; k++) {
      const ip = part.ips[k];
      let a = this.addresses.get(ip) as Collected | undefined;
      if (!a) {
        a = this.newAddress(ip, part.versions[k] === 6 ? 6 : 4, part.classNames[part.classOf[k]], [file]);
        this.addresses.set(ip, a);
      }
      here[k] = a;
      const free = Math.max(0, this.maxOcc - a.kept);
      a.occurrenceCount += part.counts[k];
      if (part.defanged[k] === 1) a.defanged = true;
      if (!a.files.includes(file) && a.files.length < this.maxFiles) a.files.push(file);
      if (part.counts[k] > free) a.occurrencesTruncated = true;
      // The part kept each address's first occurrences in it, as many as a collector keeps: the first `free` are ours.
      const take = Math.min(part.kept[k], free);
      if (take > 0) a.adopt(store, part.lastKept[k], part.kept[k], take);
      if (++work >= MERGE_SLICE) {
        work = 0;
        yield;
      }
    }
    // Line times as the part's grids counted them, (address, first, last, count) per cell: cells of a grid with our
    // cap fed a subset of the times merge into exactly what adding each time would have made (see LineTimes).
    // Each address's cells come together, oldest first: a grid that has none yet takes them as they are.
    const t = part.times;
    for (let i = 0; i < t.length; ) {
      let j = i + TIME_CELL_FIELDS;
      while (j < t.length && t[j] === t[i]) j += TIME_CELL_FIELDS;
      const a = here[t[i]];
      if (a.timed) a.times.addCellsOf(t, i, j);
      work += (j - i) / TIME_CELL_FIELDS;
      i = j;
      if (work >= MERGE_SLICE) {
        work = 0;
        yield;
      }
    }
  }

  /** A kept occurrence as the model has it (Collected makes them on first read). */
  occurrence(file: number, line: number, column: number, start: number, end: number, port: number, defanged: boolean, time: number): Occurrence {
    const o: Occurrence = { file: this.fileNames[file], line, column, start, end };
    if (Number.isFinite(time)) o.time = this.iso(time);
    if (port >= 0) o.port = port;
    if (defanged) o.defanged = true;
    return o;
  }

  /**
   * Adds what was collected from one source on its own (another collector, or an earlier run's extraction of an
   * unchanged file): counts add up, occurrences and files fill up to this collector's caps in order, line times merge.
   * The result is what `add` would have built from the same matches.
   */
  merge(addresses: Iterable<CollectedAddress>, options: { countOccurrences?: boolean } = {}): void {
    runAll(this.mergeSteps(addresses, options));
  }

  /** merge() that yields every few thousand occurrences it keeps, so that a caller can let its event loop run in between. */
  *mergeSteps(addresses: Iterable<CollectedAddress>, options: { countOccurrences?: boolean } = {}): Generator<void, void, undefined> {
    let work = 0;
    let fromOwner: AddressCollector | undefined;
    let renumber: number[] = [];
    const file = (k: number): number => (renumber[k] ??= this.fileNumber((fromOwner as AddressCollector).fileName(k)));
    for (const b of addresses) {
      if (options.countOccurrences !== false) this.occurrences += b.occurrenceCount;
      let a = this.addresses.get(b.ip) as Collected | undefined;
      if (!a) {
        a = this.newAddress(b.ip, b.version, b.ipClass, [], b.timed);
        this.addresses.set(b.ip, a);
      }
      a.occurrenceCount += b.occurrenceCount;
      if (b.defanged) a.defanged = true;
      for (const f of b.files) if (!a.files.includes(f) && a.files.length < this.maxFiles) a.files.push(f);
      const keptBefore = a.kept;
      const room = Math.max(0, this.maxOcc - keptBefore);
      let fitted: boolean;
      if (b instanceof Collected) {
        if (b.owner !== fromOwner) {
          fromOwner = b.owner;
          renumber = [];
        }
        fitted = b.keepInto(a, room, file);
      } else {
        const occ = b.occurrences;
        for (let k = 0; k < Math.min(room, occ.length); k++) a.keepMade(occ[k]);
        fitted = occ.length <= room;
      }
      if (!fitted || b.occurrencesTruncated) a.occurrencesTruncated = true;
      if (a.timed) a.times.merge(b.times);
      work += 1 + (a.kept - keptBefore) + b.times.size;
      // About 2 ms of work between turns (8,192 units held an editor's thread for 8-16 ms when a whole file's
      // collection was merged into the run's).
      if (work >= MERGE_STEPS_WORK) {
        work = 0;
        yield;
      }
    }
  }

  private newAddress(ip: string, version: 4 | 6, ipClass: string, files: string[], timed = isInternalClass(ipClass as IpClass)): Collected {
    // Only internal addresses keep line times: the others share one empty grid, frozen, so that nothing can add to it.
    return new Collected(ip, version, ipClass, timed ? new LineTimes(this.maxTimes) : NO_TIMES, timed, this, files);
  }

  /**
   * Writes a kept occurrence of `a` to this collector's own store (a new one for a new file, or when the numbers no
   * longer fit its bases) and adds it to `a`'s spans; false when its numbers cannot be stored (`a` makes it an object).
   */
  keepOwn(a: Collected, file: number, line: number, column: number, start: number, end: number, port: number, defanged: boolean, time: number): boolean {
    if (!(column >= 0 && column <= MAX_STORED && end - start >= 0 && end - start <= MAX_STORED)) return false;
    // One set of blocks for all of this collector's own stores (a store is a file and its bases: a workspace triage
    // has thousands of small files, and a block per file would be a quarter of a megabyte each).
    const o = (this.own ??= new OccurrenceBlocks());
    let rs = start - this.ownChar;
    let rl = line - this.ownLine;
    if (this.ownStore < 0 || file !== this.ownFile || !(rs >= 0 && rs <= MAX_STORED && rl >= 0 && rl <= MAX_STORED)) {
      this.ownFile = file;
      this.ownChar = start;
      this.ownLine = line;
      this.ownStore = this.stores.push({ blocks: o.list, file, charBase: start, lineBase: line }) - 1;
      rs = 0;
      rl = 0;
    }
    // The address's last span goes on when it is in this store; otherwise a new span starts (its chain with it).
    const spans = a.spans;
    const last = spans ? spans.length - SPAN_FIELDS : -1;
    const goesOn = spans !== undefined && spans[last] === this.ownStore;
    const number = o.add(goesOn ? spans[last + 1] : 0, rl, column, rs, end - start, port, defanged, time);
    if (goesOn) {
      spans[last + 1] = number;
      spans[last + 2]++;
      spans[last + 3]++;
    } else if (spans) {
      spans.push(this.ownStore, number, 1, 1);
    } else {
      a.spans = [this.ownStore, number, 1, 1];
    }
    return true;
  }

  /** The occurrence numbers of a span (Collected.spans), oldest first, in chainScratch[0, chain). */
  private spanChain(store: Store, last: number, chain: number): Int32Array {
    if (this.chainScratch.length < chain) this.chainScratch = new Int32Array(Math.max(chain, 2 * this.chainScratch.length));
    const out = this.chainScratch;
    let g = last - 1;
    for (let c = chain - 1; c >= 0; c--) {
      out[c] = g;
      g = readOccurrence(store.blocks, g, 0, 0, this.stored).link - 1;
    }
    return out;
  }

  /** Passes the first `count` kept occurrences of a span, in order, with their file number, to `visit` (the record is reused). */
  visitSpan(storeNumber: number, last: number, chain: number, count: number, visit: (file: number, o: StoredOccurrence) => void): void {
    const store = this.stores[storeNumber];
    const numbers = this.spanChain(store, last, chain);
    for (let c = 0; c < count; c++) visit(store.file, readOccurrence(store.blocks, numbers[c], store.lineBase, store.charBase, this.stored));
  }

  /** Makes the kept occurrences of a span into objects, appended to `into`. */
  readSpan(storeNumber: number, last: number, chain: number, take: number, into: Occurrence[]): void {
    this.visitSpan(storeNumber, last, chain, take, (f, o) => into.push(this.occurrence(f, o.line, o.column, o.start, o.end, o.port, o.defanged, o.time)));
  }

  /**
   * The first `n` kept occurrences of an address, without making the rest into objects (a stored extraction keeps
   * STORED_OCCURRENCES of the 200 a collector keeps: sourceExtraction.ts).
   */
  firstOccurrences(a: CollectedAddress, n: number): Occurrence[] {
    return a instanceof Collected && a.owner === this ? a.first(n) : a.occurrences.slice(0, n);
  }

  /** The name of this collector's file number `k` (what its stored occurrences refer to). */
  fileName(k: number): string {
    return this.fileNames[k];
  }

  private fileNumber(file: string): number {
    let k = this.fileIndex.get(file);
    if (k === undefined) {
      k = this.fileNames.length;
      this.fileNames.push(file);
      this.fileIndex.set(file, k);
    }
    return k;
  }

  /** The ISO text of a time (the last one remembered: the occurrences of one line share it). */
  private iso(ms: number): string {
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }
}
