// Matches as flat typed arrays plus a table of strings: how a scan worker sends its matches to the main thread.
// A structured clone of match objects costs more than scanning them; typed arrays are transferred, not copied.
import type { IpClass } from './classify';
import type { IpMatch } from './ipMatch';
import type { MatchLocation, MatchSink } from './lineScanner';

const IP_CLASSES: readonly IpClass[] = [
  'public', 'private', 'shared', 'loopback', 'link-local', 'unique-local', 'multicast', 'documentation', 'benchmarking',
  'reserved', 'unspecified', 'broadcast',
];
const CLASS_INDEX = new Map(IP_CLASSES.map((c, k) => [c, k]));

/** Int32 fields per match: line, column, value (string index), zone (string index or -1), port, prefix (-1: none), flags, class. */
const INTS = 8;
/** Float64 fields per match: start, end (UTF-16 offsets, may pass 2^31), time (epoch ms, NaN: none). */
const NUMS = 3;
const V6 = 1;
const DEFANGED = 2;
const LEADING_ZEROS = 4;

/** A batch of matches of one part of a file, offsets and lines relative to the part's start. */
export interface RecordBatch {
  n: number;
  ints: Int32Array;
  nums: Float64Array;
  /** Strings first used in this batch, appended in order to the part's table. */
  strings: string[];
  /** Bytes of the part read when the batch was cut. */
  bytes: number;
}

/** Builds record batches (worker side). String indexes are per part: the reader keeps the table. */
export class RecordWriter {
  /** Matches added in all batches. */
  total = 0;
  private n = 0;
  private ints = new Int32Array(INTS * 1024);
  private nums = new Float64Array(NUMS * 1024);
  private strings: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly withTime: boolean) {}

  readonly add: MatchSink = (m: IpMatch, at: MatchLocation): void => {
    if (this.n * INTS === this.ints.length) this.grow();
    const i = this.n * INTS;
    const ints = this.ints;
    const value = this.stringIndex(m.value);
    ints[i] = at.line;
    ints[i + 1] = at.column;
    ints[i + 2] = value;
    ints[i + 3] = m.zone === undefined ? -1 : this.stringIndex(m.zone);
    ints[i + 4] = m.port ?? -1;
    ints[i + 5] = m.prefix ?? -1;
    ints[i + 6] = (m.version === 6 ? V6 : 0) | (m.defanged ? DEFANGED : 0) | (m.leadingZeros ? LEADING_ZEROS : 0);
    ints[i + 7] = CLASS_INDEX.get(m.ipClass) ?? 0;
    const j = this.n * NUMS;
    this.nums[j] = m.start;
    this.nums[j + 1] = m.end;
    this.nums[j + 2] = this.withTime ? (at.time()?.getTime() ?? NaN) : NaN;
    this.n++;
    this.total++;
  };

  /** The batch so far (undefined when empty); the writer starts a new one. */
  take(bytes: number): RecordBatch | undefined {
    if (this.n === 0) return undefined;
    const batch: RecordBatch = { n: this.n, ints: this.ints.slice(0, this.n * INTS), nums: this.nums.slice(0, this.n * NUMS), strings: this.strings, bytes };
    this.n = 0;
    this.strings = [];
    return batch;
  }

  private stringIndex(s: string): number {
    let k = this.index.get(s);
    if (k === undefined) {
      k = this.index.size;
      this.index.set(s, k);
      this.strings.push(s);
    }
    return k;
  }

  private grow(): void {
    const ints = new Int32Array(this.ints.length * 2);
    ints.set(this.ints);
    this.ints = ints;
    const nums = new Float64Array(this.nums.length * 2);
    nums.set(this.nums);
    this.nums = nums;
  }
}

/**
 * Replays record batches of one part into a sink (main side), offsets and lines shifted to the whole file. The
 * match and location handed to the sink are reused for every record, as the sink contract allows.
 */
export class RecordReader implements MatchLocation {
  line = 0;
  column = 0;
  private timeMs = NaN;
  /** The Date last made, for the next match of the same line (the sequential scan shares one per line too). */
  private date: Date | undefined;
  private readonly table: string[] = [];
  private readonly m: IpMatch = {
    value: '', version: 4, start: 0, end: 0, defanged: false, leadingZeros: false, ipClass: 'public',
    port: undefined, prefix: undefined, zone: undefined,
  };

  time(): Date | undefined {
    if (Number.isNaN(this.timeMs)) return undefined;
    if (this.date === undefined || this.date.getTime() !== this.timeMs) this.date = new Date(this.timeMs);
    return this.date;
  }

  /** `charBase` and `lineBreaksBefore`: UTF-16 units and line breaks of the file before the part. */
  read(batch: RecordBatch, charBase: number, lineBreaksBefore: number, sink: MatchSink): void {
    for (const s of batch.strings) this.table.push(s);
    const { ints, nums } = batch;
    const m = this.m;
    for (let r = 0; r < batch.n; r++) {
      const i = r * INTS;
      const j = r * NUMS;
      const flags = ints[i + 6];
      m.value = this.table[ints[i + 2]];
      m.version = (flags & V6) !== 0 ? 6 : 4;
      m.start = nums[j] + charBase;
      m.end = nums[j + 1] + charBase;
      m.defanged = (flags & DEFANGED) !== 0;
      m.leadingZeros = (flags & LEADING_ZEROS) !== 0;
      m.ipClass = IP_CLASSES[ints[i + 7]];
      m.zone = ints[i + 3] < 0 ? undefined : this.table[ints[i + 3]];
      m.port = ints[i + 4] < 0 ? undefined : ints[i + 4];
      m.prefix = ints[i + 5] < 0 ? undefined : ints[i + 5];
      this.line = ints[i] + lineBreaksBefore;
      this.column = ints[i + 1];
      this.timeMs = nums[j + 2];
      sink(m, this);
    }
  }
}
