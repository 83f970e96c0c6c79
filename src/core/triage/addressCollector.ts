// Dedupes scanner matches by normalised address while streaming, keeping occurrences and line times in
// bounded memory: caps per address, and line times counted on a grid that coarsens when there are many.
import { isInternalClass, type IpClass } from '../ip/classify';
import type { MatchLocation } from '../ip/lineScanner';
import type { Occurrence } from '../../shared/triageModel';
import { DEFANGED_BIT, OCCURRENCE_INTS, TIME_CELL_FIELDS, type PartCollectOptions, type PartCollection } from './partCollector';
import { LineTimes } from './lineTimes';

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
 * An address as collected. Its kept occurrences are numbers until first read (`occurrences`): hundreds of thousands
 * of small objects, each with its ISO time text, cost more to keep alive during a scan than the scan itself. While the
 * scan runs they are appended to the collector's one log (see AddressCollector.settle): writing each address's own
 * array, scattered over thousands of them, cost a third of a triage extraction in cache misses and array growth.
 */
class Collected implements CollectedAddress {
  occurrenceCount = 0;
  occurrencesTruncated = false;
  readonly files: string[] = [];
  defanged = false;
  /** Kept occurrences moved out of the log, not yet made into objects: `settled` of them, PACKED_FIELDS numbers each. */
  packed: Float64Array | undefined;
  settled = 0;
  /** Kept occurrences in all (settled, and still in the collector's log). */
  count = 0;
  /** Scratch for AddressCollector.settle: this address's occurrences in the batch being moved. */
  incoming = 0;
  private made: Occurrence[] | undefined;

  constructor(
    readonly ip: string,
    readonly version: 4 | 6,
    readonly ipClass: string,
    readonly times: LineTimes,
    readonly timed: boolean,
    readonly owner: AddressCollector,
    /** This address's number in its collector's log. */
    readonly id: number,
  ) {}

  get kept(): number {
    return this.made ? this.made.length : this.count;
  }

  /** One more kept occurrence; `time` in epoch ms, NaN for none. */
  keep(file: number, line: number, column: number, start: number, end: number, port: number, defanged: boolean, time: number): void {
    if (this.made) {
      this.made.push(this.owner.occurrence(file, line, column, start, end, port, defanged, time));
      return;
    }
    this.owner.log(this.id, file, line, column, start, end, port, defanged, time);
    this.count++;
  }

  /** Room for `n` more occurrences in the packed array (made ones need none). */
  reserve(n: number): void {
    if (this.made) return;
    const need = (this.settled + n) * PACKED_FIELDS;
    if (this.packed && this.packed.length >= need) return;
    const grown = this.owner.packedRoom(this.packed ? Math.max(need, Math.min(2 * this.packed.length, this.owner.maxPacked)) : need);
    if (this.packed) grown.set(this.packed.subarray(0, this.settled * PACKED_FIELDS));
    this.packed = grown;
  }

  /** Room for `n` more packed occurrences, and the array to write them to (after `settled`); undefined once made into objects. */
  packedFor(n: number): Float64Array | undefined {
    if (this.made) return undefined;
    this.reserve(n);
    return this.packed;
  }

  /** Counts `n` occurrences written to the packed array after `settled` (by AddressCollector.mergePart). */
  settledMore(n: number): void {
    this.settled += n;
    this.count += n;
  }

  get occurrences(): Occurrence[] {
    if (!this.made) {
      this.owner.settle();
      const p = this.packed;
      const made: Occurrence[] = [];
      for (let i = 0; p && i < this.settled * PACKED_FIELDS; i += PACKED_FIELDS) {
        made.push(this.owner.occurrence(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6] === 1, p[i + 7]));
      }
      this.made = made;
      this.owner.layoutChanges++;
      this.packed = undefined;
      this.settled = 0;
    }
    return this.made;
  }

  /** One more kept occurrence, already made (a replayed extraction's). */
  keepMade(o: Occurrence): void {
    this.occurrences.push(o);
  }

  /**
   * Hands the kept occurrences to `into` as they are (`file` renumbers this collector's files as `into`'s), at most
   * `room` of them; false when some did not fit. Packed ones stay packed: no object is made on the way.
   */
  keepInto(into: Collected, room: number, file: (k: number) => number): boolean {
    if (this.made) {
      for (let k = 0; k < this.made.length; k++) {
        if (k >= room) return false;
        into.keepMade(this.made[k]);
      }
      return true;
    }
    this.owner.settle();
    const p = this.packed;
    for (let k = 0, i = 0; p && k < this.settled; k++, i += PACKED_FIELDS) {
      if (k >= room) return false;
      into.keep(file(p[i]), p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6] === 1, p[i + 7]);
    }
    return true;
  }
}

/** Numbers per packed occurrence: file (index), line, column, start, end, port (-1: none), defanged (0/1), time (ms, NaN: none). */
const PACKED_FIELDS = 8;
/** Writes an occurrence's PACKED_FIELDS numbers at `i`; returns where the next goes. */
function putPacked(d: Float64Array, i: number, file: number, line: number, column: number, start: number, end: number, port: number, defanged: boolean, time: number): number {
  d[i] = file;
  d[i + 1] = line;
  d[i + 2] = column;
  d[i + 3] = start;
  d[i + 4] = end;
  d[i + 5] = port;
  d[i + 6] = defanged ? 1 : 0;
  d[i + 7] = time;
  return i + PACKED_FIELDS;
}

/** Numbers per slab of packed occurrences (1 MiB: 16,384 occurrences). */
const PACKED_SLAB = 1 << 17;

/** Numbers per occurrence in the collector's log: the address's id, then the PACKED_FIELDS of the occurrence. */
const LOG_FIELDS = PACKED_FIELDS + 1;
/** Occurrences logged before they are moved to their addresses: a few milliseconds' work each time, and a log small enough to stay in cache. */
const LOG_BATCH = 16_384;

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
  /** Every address, by id. */
  private readonly byId: Collected[] = [];
  /** Occurrences kept since the last settle(), in arrival order, LOG_FIELDS numbers each. */
  private logData = new Float64Array(LOG_FIELDS * 1024);
  private logLength = 0;
  /**
   * Counts what moves addresses' packed arrays under a merge that yielded (occurrences made into objects, logged ones
   * settled): the merge finds its arrays again when it changed.
   */
  layoutChanges = 0;
  /** Where packedRoom cuts addresses' arrays from, and how much of it is handed out. */
  private slab = new Float64Array(0);
  private slabUsed = 0;

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
      a = this.newAddress(m.value, m.version, m.ipClass);
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
   * the text of the file before the part): the state one addAt per match would have left. A generator: it yields
   * every few thousand occurrences it keeps, so that a caller can let its event loop run in between.
   */
  *mergePart(file: string, part: PartCollection, charBase: number, lineBreaksBefore: number): Generator<void, void, undefined> {
    this.occurrences += part.matches;
    const fileNumber = this.fileNumber(file);
    // The part's addresses, in the order they first appear in it (so new ones are added in file order).
    const here: Collected[] = [];
    const freeBefore: number[] = [];
    for (let k = 0; k < part.ips.length; k++) {
      const ip = part.ips[k];
      let a = this.addresses.get(ip) as Collected | undefined;
      if (!a) {
        a = this.newAddress(ip, part.versions[k] === 6 ? 6 : 4, part.classes[k]);
        this.addresses.set(ip, a);
      }
      here.push(a);
      freeBefore.push(Math.max(0, this.maxOcc - a.kept));
      a.occurrenceCount += part.counts[k];
      if (part.defanged[k] === 1) a.defanged = true;
      if (!a.files.includes(file) && a.files.length < this.maxFiles) a.files.push(file);
      if (part.counts[k] > freeBefore[k]) a.occurrencesTruncated = true;
    }
    // Line times as the part's grids counted them, (address, first, last, count) per cell: cells of a grid with our
    // cap fed a subset of the times merge into exactly what adding each time would have made (see LineTimes).
    const t = part.times;
    for (let i = 0; i < t.length; i += TIME_CELL_FIELDS) {
      const a = here[t[i]];
      if (a.timed) a.times.addCell(t[i + 1], t[i + 2], t[i + 3]);
    }
    // The kept occurrences go straight to their addresses' packed arrays (no trip through the log): what the log
    // holds goes first, then each address's room is counted and its array grown once for the whole part.
    this.settle();
    const n = here.length;
    // Each address keeps its first occurrences of the part, up to its room: counted in one pass over the records.
    const planned = new Int32Array(n);
    for (const { ints: o, times } of part.occurrences) {
      for (let r = 0, i = 0; r < times.length; r++, i += OCCURRENCE_INTS) {
        const k = o[i];
        if (planned[k] < freeBefore[k]) planned[k]++;
      }
    }
    // They are written straight into each address's packed array, grown once for the part, at `base` on: the loop
    // below touches the records and these arrays only (no object per occurrence). An address whose occurrences were
    // already made into objects (dest undefined) keeps them one by one.
    const dest: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(n);
    const base = new Int32Array(n);
    const written = new Int32Array(n);
    /** What each address's settled count says of its writes: it is brought up to `written` before every yield. */
    const committed = new Int32Array(n);
    const dirty: number[] = [];
    const aim = (): void => {
      for (let k = 0; k < n; k++) {
        if (planned[k] === 0) continue;
        const p = here[k].packedFor(planned[k] - written[k]);
        dest[k] = p;
        base[k] = here[k].settled * PACKED_FIELDS - written[k] * PACKED_FIELDS;
        committed[k] = written[k];
      }
    };
    const commit = (): void => {
      for (const k of dirty) here[k].settledMore(written[k] - committed[k]);
      for (const k of dirty) committed[k] = written[k];
      dirty.length = 0;
    };
    aim();
    let layout = this.layoutChanges;
    let kept = 0;
    try {
      for (const { ints: o, times } of part.occurrences) {
        for (let r = 0, i = 0; r < times.length; r++, i += OCCURRENCE_INTS) {
          const k = o[i];
          const w = written[k];
          if (w === planned[k]) continue;
          written[k] = w + 1;
          const start = o[i + 3] + charBase;
          const last = o[i + 5];
          const port = (last & (DEFANGED_BIT - 1)) - 1;
          const defanged = (last & DEFANGED_BIT) !== 0;
          const d = dest[k];
          if (d === undefined) {
            here[k].keep(fileNumber, o[i + 1] + lineBreaksBefore, o[i + 2], start, start + o[i + 4], port, defanged, times[r]);
            committed[k] = w + 1;
          } else {
            if (w === committed[k]) dirty.push(k);
            putPacked(d, base[k] + w * PACKED_FIELDS, fileNumber, o[i + 1] + lineBreaksBefore, o[i + 2], start, start + o[i + 4], port, defanged, times[r]);
          }
          if (++kept % 8192 === 0) {
            commit();
            yield;
            // Occurrences read or added in between moved some arrays: each address's is found again.
            if (this.layoutChanges !== layout) {
              layout = this.layoutChanges;
              aim();
            }
          }
        }
      }
    } finally {
      commit();
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
    const steps = this.mergeSteps(addresses, options);
    while (!steps.next().done);
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
        a = this.newAddress(b.ip, b.version, b.ipClass, b.timed);
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
      if (work >= 8192) {
        work = 0;
        yield;
      }
    }
  }

  private newAddress(ip: string, version: 4 | 6, ipClass: string, timed = isInternalClass(ipClass as IpClass)): Collected {
    const a = new Collected(ip, version, ipClass, new LineTimes(this.maxTimes), timed, this, this.byId.length);
    this.byId.push(a);
    return a;
  }

  /** Appends a kept occurrence of address `id` to the log (Collected.keep). */
  log(id: number, file: number, line: number, column: number, start: number, end: number, port: number, defanged: boolean, time: number): void {
    let d = this.logData;
    let i = this.logLength;
    if (i + LOG_FIELDS > d.length) {
      const grown = new Float64Array(2 * d.length);
      grown.set(d);
      this.logData = d = grown;
    }
    d[i] = id;
    i = putPacked(d, i + 1, file, line, column, start, end, port, defanged, time);
    this.logLength = i;
    if (i >= LOG_FIELDS * LOG_BATCH) this.settle();
  }

  /**
   * Moves the logged occurrences to their addresses' packed arrays, in order (each array grows at most once per batch).
   * Called before any kept occurrence is read, and by the log itself every LOG_BATCH occurrences.
   */
  settle(): void {
    const d = this.logData;
    const n = this.logLength;
    if (n === 0) return;
    // The addresses in this batch and how many each gets (work in the batch's size, not in the number of addresses).
    const touched: Collected[] = [];
    for (let i = 0; i < n; i += LOG_FIELDS) {
      const a = this.byId[d[i]];
      if (a.incoming++ === 0) touched.push(a);
    }
    for (const a of touched) {
      a.reserve(a.incoming);
      a.incoming = 0;
    }
    for (let i = 0; i < n; i += LOG_FIELDS) {
      const a = this.byId[d[i]];
      const p = a.packed as Float64Array;
      let j = a.settled++ * PACKED_FIELDS;
      for (let k = i + 1; k < i + LOG_FIELDS; k++) p[j++] = d[k];
    }
    this.logLength = 0;
    this.layoutChanges++;
  }

  /** The most numbers an address's packed array needs (its occurrence cap). */
  get maxPacked(): number {
    return this.maxOcc * PACKED_FIELDS;
  }

  /**
   * A zeroed array of `n` numbers for an address's packed occurrences, cut from a large shared one: tens of thousands of
   * addresses each with an array of its own cost an allocation and a buffer for the garbage collector to track each
   * (more than the merge itself). A region left behind when an array grows stays unused until its slab is dropped.
   */
  packedRoom(n: number): Float64Array {
    if (n > PACKED_SLAB / 4) return new Float64Array(n);
    if (this.slabUsed + n > this.slab.length) {
      this.slab = new Float64Array(PACKED_SLAB);
      this.slabUsed = 0;
    }
    const room = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    return room;
  }

  /** The name of this collector's file number `k` (what its packed occurrences refer to). */
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
