// Triage extraction of one part of a file, in a scan worker: what AddressCollector would keep, so that
// AddressCollector.mergePart, fed the parts in file order, ends exactly where one collector fed the whole file
// would. Line times: a part counts them on its own grid (the collector's cap) and sends the cells with their counts;
// the file's grid has seen at least what this one has, so it is at least as coarse and each cell sent fits in one of
// its cells (LineTimes.addCell). Everything travels in a few flat arrays (a structured clone of one object per
// address, or one buffer per address, costs more than the scan).
import { isInternalClass } from '../ip/classify';
import type { IpMatch } from '../ip/ipMatch';
import type { MatchKeys, MatchLocation } from '../ip/lineScanner';
import { KEY_INTS, keyClass, keyValue } from '../ip/scanner';
import { LineTimes, TIME_CELL_FIELDS, writeMinuteCells } from './lineTimes';
import { runAll } from '../../shared/generators';

export interface PartCollectOptions {
  maxOccurrences: number;
  maxTimes: number;
  /** Line times held before they go to their addresses' grids (default, and at most, PENDING_TIMES; tests use fewer). */
  pendingTimes?: number;
}

/** The largest part collected in one go: its part-relative offsets, lines and columns fit 32 bits. */
export const MAX_COLLECT_PART_BYTES = 1 << 30;

/**
 * Whole numbers per kept occurrence: link, line, column, start, length, and port + 1 (0: none) with the defanged flag
 * in bit 17. The link is the number + 1 of the address's previous kept occurrence in the same blocks (0: none), so that
 * the blocks can be kept as they are and each address's occurrences read back by following its links from the last
 * (AddressCollector keeps the blocks a worker sent instead of copying them). The line's time goes beside them, in
 * `times` (epoch ms, NaN: none). Part-relative values fit 32 bits: a collected part is at most MAX_COLLECT_PART_BYTES.
 */
export const OCCURRENCE_INTS = 6;
/** Occurrences per block (8,192: 256 KiB); occurrence number `g` is at offset `g & BLOCK_MASK` of block `g >>> BLOCK_SHIFT`. */
export const BLOCK_SHIFT = 13;
export const BLOCK_OCCURRENCES = 1 << BLOCK_SHIFT;
export const BLOCK_MASK = BLOCK_OCCURRENCES - 1;
/** The defanged flag's bit in an occurrence's last whole number. */
export const DEFANGED_BIT = 1 << 17;

/** Kept occurrences of a part, in text order: OCCURRENCE_INTS numbers and one time each. */
export interface OccurrenceBlock {
  ints: Int32Array;
  times: Float64Array;
}

export interface PartCollection {
  matches: number;
  /** The part's addresses, in the order they first appear; the other arrays are indexed like this one. */
  ips: string[];
  versions: Uint8Array;
  /** Each address's class, as its place in `classNames` (one string per class, not one per address). */
  classOf: Uint8Array;
  classNames: string[];
  counts: Float64Array;
  defanged: Uint8Array;
  /** The part's line-time cells, TIME_CELL_FIELDS (lineTimes.ts) numbers each (internal addresses only), each address's oldest first. */
  times: Float64Array;
  /**
   * The first occurrences of each address in the part (at most maxOccurrences each), in text order, in blocks of
   * BLOCK_OCCURRENCES (the last one may be shorter); offsets and lines relative to the part.
   */
  occurrences: OccurrenceBlock[];
  /** Per address: its occurrences kept in `occurrences`, and the number + 1 of the last of them (0: none). */
  kept: Int32Array;
  lastKept: Int32Array;
}

class Grow {
  data = new Float64Array(4096);
  length = 0;

  ensure(n: number): Float64Array {
    while (this.length + n > this.data.length) this.grow();
    return this.data;
  }

  result(): Float64Array {
    return this.data.slice(0, this.length);
  }

  private grow(): void {
    const next = new Float64Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
}

/**
 * Kept occurrences in blocks that are filled and never copied: memory this machine's kernel hands out is paid for on
 * first touch (about 2.5 ms per MB measured here), so an array that doubles and a copy at the end cost more than the
 * scan, and each occurrence takes 32 bytes, not 64. The blocks travel to the main thread as they are (transferred),
 * and AddressCollector keeps its own occurrences in the same form.
 */
export class OccurrenceBlocks {
  /** Every block, the one being filled last. */
  readonly list: OccurrenceBlock[] = [];
  ints!: Int32Array;
  times!: Float64Array;
  /** Occurrences in the current block. */
  length = 0;
  /** Occurrences in the full blocks. */
  before = 0;

  constructor() {
    this.open();
  }

  /**
   * Appends an occurrence (OCCURRENCE_INTS' layout; `port` -1 for none, `time` epoch ms or NaN) and returns its number
   * + 1, what a later occurrence of the same address links to. The one writer of the layout (readOccurrence reads it).
   */
  add(link: number, line: number, column: number, start: number, length: number, port: number, defanged: boolean, time: number): number {
    if (this.length === BLOCK_OCCURRENCES) {
      this.before += BLOCK_OCCURRENCES;
      this.open();
    }
    const n = this.length++;
    const d = this.ints;
    const j = n * OCCURRENCE_INTS;
    d[j] = link;
    d[j + 1] = line;
    d[j + 2] = column;
    d[j + 3] = start;
    d[j + 4] = length;
    d[j + 5] = port + 1 + (defanged ? DEFANGED_BIT : 0);
    this.times[n] = time;
    return this.before + n + 1;
  }

  /** The blocks to send: the last one cut to what it holds. */
  result(): OccurrenceBlock[] {
    const n = this.length;
    const full = this.list.slice(0, -1);
    return n > 0 ? [...full, { ints: this.ints.subarray(0, n * OCCURRENCE_INTS), times: this.times.subarray(0, n) }] : full;
  }

  private open(): void {
    this.ints = new Int32Array(BLOCK_OCCURRENCES * OCCURRENCE_INTS);
    this.times = new Float64Array(BLOCK_OCCURRENCES);
    this.length = 0;
    this.list.push({ ints: this.ints, times: this.times });
  }
}

/**
 * Numbers per address in PartCollector's state: occurrences, occurrences kept, defanged (0/1), timed (0/1), and the
 * number + 1 of its last kept occurrence (0: none).
 */
const STATE_INTS = 5;
/**
 * Line times held before they are handed to their addresses' grids: 1,048,576 (12 MiB; pages are touched as they fill).
 * A part whose times all fit (a 25 MB log of one line time per address has about 300,000) makes no grid at all: its
 * cells are written from the sorted times at the end (writeMinuteCells), where a grid per address cost a tenth of the
 * part's scan in objects, arrays and folds.
 */
const PENDING_TIMES = 1 << 20;

interface PendingScratch {
  ids: Int32Array;
  ms: Float64Array;
  grouped: Float64Array;
}

/**
 * The pending times and handOverTimes' scratch, one set per thread, made on first use and then reused by every part
 * (fresh memory costs its first touch, most of a millisecond per MB here). A collector that finds it in use (another
 * collection of this thread still running) makes a small set of its own.
 */
let sharedScratch: PendingScratch | undefined;
let sharedScratchBusy = false;

function newScratch(size: number): PendingScratch {
  return { ids: new Int32Array(size), ms: new Float64Array(size), grouped: new Float64Array(size) };
}

/** Line times or cells resultSteps handles between yields (a few ms). */
const RESULT_SLICE = 16_384;

/** Whole numbers per slot of PartCollector's address table: the key's KEY_INTS, then the address's index + 1 (0: empty). */
const SLOT_INTS = KEY_INTS + 1;

export class PartCollector {
  /**
   * The part's addresses by key, open addressing in one typed array: a lookup reads one slot where a Map of strings
   * reads a bucket, an entry and the key's characters (three cache misses among tens of thousands of addresses), and
   * no value string is made for an address seen before.
   */
  private slots = new Int32Array(4096 * SLOT_INTS);
  private mask = 4095;
  private readonly ips: string[] = [];
  private readonly versions: number[] = [];
  private readonly classOf: number[] = [];
  private readonly classNames: string[] = [];
  /**
   * Each address's counters side by side (STATE_INTS each): one cache line per match, where an array per counter and
   * an object per grid cost a miss each (thousands of addresses, visited in no order).
   */
  private state = new Int32Array(1024 * STATE_INTS);
  /** Line-time grids of the timed addresses, made when their first times are handed over. */
  private readonly grids: (LineTimes | undefined)[] = [];
  /** Line times not yet handed to their grids, in arrival order: address and epoch ms (in sharedScratch, or its own). */
  private readonly pendingIds: Int32Array;
  private readonly pendingMs: Float64Array;
  private pending = 0;
  private readonly pendingCap: number;
  /** handOverTimes' scratch: the pending times grouped by address, and where each address's group ends. */
  private readonly grouped: Float64Array;
  private ends = new Int32Array(1024);
  private readonly occurrences = new OccurrenceBlocks();
  private matches = 0;

  /** This collector holds the thread's shared scratch (until result() or release()). */
  private holdsShared = false;

  constructor(private readonly options: PartCollectOptions) {
    let scratch: PendingScratch;
    if (sharedScratchBusy) scratch = newScratch(1 << 15);
    else {
      scratch = sharedScratch ??= newScratch(PENDING_TIMES);
      sharedScratchBusy = this.holdsShared = true;
    }
    this.pendingIds = scratch.ids;
    this.pendingMs = scratch.ms;
    this.grouped = scratch.grouped;
    this.pendingCap = Math.max(1, Math.min(scratch.ids.length, options.pendingTimes ?? PENDING_TIMES));
  }

  /** Gives the thread's scratch back (result() does; a collection that stopped early must). */
  release(): void {
    if (this.holdsShared) sharedScratchBusy = false;
    this.holdsShared = false;
  }

  /**
   * A sink for a keyed scan (a LineScanner with `keyed`, which is `source`): the same reads of the match and its line
   * time as AddressCollector.addAt, its lines and offsets moved by `lineBase` and `charBase`.
   */
  sink(source: MatchKeys, lineBase = 0, charBase = 0): (m: IpMatch, at: MatchLocation) => void {
    return (m, at) => this.addKeyed(source.keys, source.keyAt, m.defanged, m.port ?? -1, m.start + charBase, m.end - m.start, at.line + lineBase, at.column, source);
  }

  /**
   * Adds a match by its key (keys[keyAt ...], KEY_INTS numbers: scanner.ts); `port` -1 for none; `time` gives the
   * epoch ms of the match's line (NaN: none), asked at most once per match and only when the match needs it.
   */
  addKeyed(
    keys: Int32Array, keyAt: number, defanged: boolean, port: number, start: number, length: number, line: number, column: number,
    time: { timeMs(): number },
  ): void {
    this.matches++;
    const k = this.indexOf(keys, keyAt);
    const s = this.state;
    const i = k * STATE_INTS;
    s[i]++;
    if (defanged) s[i + 2] = 1;
    let ms = NaN;
    let asked = false;
    if (s[i + 3] === 1) {
      ms = time.timeMs();
      asked = true;
      if (ms === ms) {
        const n = this.pending;
        this.pendingIds[n] = k;
        this.pendingMs[n] = ms;
        if ((this.pending = n + 1) === this.pendingCap) this.handOverTimes();
      }
    }
    if (s[i + 1] < this.options.maxOccurrences) {
      if (!asked) ms = time.timeMs();
      s[i + 4] = this.occurrences.add(s[i + 4], line, column, start, length, port, defanged, ms);
      s[i + 1]++;
    }
  }

  /** The index of the address keyed at keys[at], added when new. */
  private indexOf(keys: Int32Array, at: number): number {
    const w0 = keys[at];
    const w1 = keys[at + 1];
    const w2 = keys[at + 2];
    const w3 = keys[at + 3];
    const w4 = keys[at + 4];
    const slots = this.slots;
    const mask = this.mask;
    for (let h = hashKey(w0, w1, w2, w3, w4) & mask; ; h = (h + 1) & mask) {
      const i = h * SLOT_INTS;
      const held = slots[i + KEY_INTS];
      if (held === 0) return this.newAddress(keys, at, i);
      if (slots[i] === w0 && slots[i + 1] === w1 && slots[i + 2] === w2 && slots[i + 3] === w3 && slots[i + 4] === w4) return held - 1;
    }
  }

  /** Adds the address keyed at keys[at] in the empty slot at `slot` (its version and class read from the key). */
  private newAddress(keys: Int32Array, at: number, slot: number): number {
    const k = this.ips.length;
    const slots = this.slots;
    for (let w = 0; w < KEY_INTS; w++) slots[slot + w] = keys[at + w];
    this.slots[slot + KEY_INTS] = k + 1;
    // At most three quarters full: a lookup probes 2.5 slots on average (8.5 for a new address, which is rare), and a
    // Zeek part's 20,000 addresses fit 32,768 slots (768 KiB, most of a core's cache) where half full took 65,536 (a
    // paired comparison: the part 5-10% faster).
    if (4 * (k + 1) > 3 * this.mask) this.growSlots();
    this.ips.push(keyValue(keys, at));
    this.versions.push(keys[at + 4]);
    const ipClass = keyClass(keys, at);
    let c = this.classNames.indexOf(ipClass);
    if (c < 0) c = this.classNames.push(ipClass) - 1;
    this.classOf.push(c);
    this.grids.push(undefined);
    if ((k + 1) * STATE_INTS > this.state.length) {
      const grown = new Int32Array(2 * this.state.length);
      grown.set(this.state);
      this.state = grown;
    }
    this.state[k * STATE_INTS + 3] = isInternalClass(ipClass) ? 1 : 0;
    return k;
  }

  private growSlots(): void {
    const old = this.slots;
    const mask = 2 * this.mask + 1;
    const slots = new Int32Array((mask + 1) * SLOT_INTS);
    for (let i = 0; i < old.length; i += SLOT_INTS) {
      if (old[i + KEY_INTS] === 0) continue;
      let h = hashKey(old[i], old[i + 1], old[i + 2], old[i + 3], old[i + 4]) & mask;
      while (slots[h * SLOT_INTS + KEY_INTS] !== 0) h = (h + 1) & mask;
      for (let w = 0; w < SLOT_INTS; w++) slots[h * SLOT_INTS + w] = old[i + w]; // no subarray object per slot
    }
    this.slots = slots;
    this.mask = mask;
  }

  /**
   * Hands the pending line times to their addresses' grids, grouped by address (each grid visited once, its times in
   * arrival order).
   */
  private handOverTimes(): void {
    const ends = this.groupPending();
    if (!ends) return;
    for (let k = 0, from = 0; k < this.ips.length; from = ends[k++]) if (ends[k] > from) this.feedGrid(k, from, ends[k]);
  }

  /** Adds grouped[from, to), address k's times, to its grid (made when it has none). */
  private feedGrid(k: number, from: number, to: number): void {
    const grid = (this.grids[k] ??= new LineTimes(this.options.maxTimes));
    const sorted = this.grouped;
    for (let j = from; j < to; j++) grid.addMs(sorted[j]);
  }

  /**
   * Sorts the pending times by address into `grouped` (a counting sort) and empties the list; returns where each
   * address's group ends (undefined: nothing pending).
   */
  private groupPending(): Int32Array | undefined {
    const n = this.pending;
    if (n === 0) return undefined;
    this.pending = 0;
    const ids = this.pendingIds;
    const times = this.pendingMs;
    if (this.ends.length < this.ips.length + 1) this.ends = new Int32Array(2 * (this.ips.length + 1));
    const ends = this.ends;
    const groups = this.ips.length + 1;
    ends.fill(0, 0, groups);
    for (let j = 0; j < n; j++) ends[ids[j] + 1]++;
    for (let k = 1; k < groups; k++) ends[k] += ends[k - 1];
    const sorted = this.grouped;
    for (let j = 0; j < n; j++) sorted[ends[ids[j]]++] = times[j];
    return ends;
  }

  result(): PartCollection {
    return runAll(this.resultSteps());
  }

  /**
   * result() in steps of a few thousand line-time cells (a collection in an editor's thread yields between them: an
   * internal address can have thousands of cells).
   */
  *resultSteps(): Generator<void, PartCollection, undefined> {
    const times = new Grow();
    let work = 0;
    // The pending times: an address without a grid gets its cells written from them, one with a grid takes them.
    const ends = this.groupPending();
    if (ends) {
      const sorted = this.grouped;
      for (let k = 0, from = 0; k < this.ips.length; from = ends[k++]) {
        if (ends[k] === from) continue;
        if (this.grids[k] === undefined) {
          sorted.subarray(from, ends[k]).sort();
          times.length = writeMinuteCells(sorted, from, ends[k], this.options.maxTimes, times.ensure((ends[k] - from) * TIME_CELL_FIELDS), times.length, k);
        } else {
          this.feedGrid(k, from, ends[k]);
        }
        if ((work += ends[k] - from) >= RESULT_SLICE) {
          work = 0;
          yield;
        }
      }
    }
    // The thread's scratch is free once the pending times are handed over.
    this.release();
    for (let k = 0; k < this.grids.length; k++) {
      const grid = this.grids[k];
      if (grid === undefined) continue;
      const folded = grid.unfolded;
      const cells = grid.size;
      if (cells === 0) continue;
      times.length = grid.writeCells(times.ensure(cells * TIME_CELL_FIELDS), times.length, k);
      if ((work += folded + cells) >= RESULT_SLICE) {
        work = 0;
        yield;
      }
    }
    const n = this.ips.length;
    const counts = new Float64Array(n);
    const defanged = new Uint8Array(n);
    const kept = new Int32Array(n);
    const lastKept = new Int32Array(n);
    for (let k = 0, i = 0; k < n; k++, i += STATE_INTS) {
      counts[k] = this.state[i];
      kept[k] = this.state[i + 1];
      defanged[k] = this.state[i + 2];
      lastKept[k] = this.state[i + 4];
    }
    return {
      matches: this.matches,
      ips: this.ips,
      versions: Uint8Array.from(this.versions),
      classOf: Uint8Array.from(this.classOf),
      classNames: this.classNames,
      counts,
      defanged,
      times: times.result(),
      occurrences: this.occurrences.result(),
      kept,
      lastKept,
    };
  }
}

/** A 32-bit hash of a key's words (multiply and shift mixing: neighbouring addresses spread over the table). */
function hashKey(w0: number, w1: number, w2: number, w3: number, w4: number): number {
  let h = Math.imul(w0 ^ w4, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ w3, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** An occurrence as OccurrenceBlocks.add wrote it, its line and start counted from the bases. */
export interface StoredOccurrence {
  link: number;
  line: number;
  column: number;
  start: number;
  end: number;
  port: number;
  defanged: boolean;
  time: number;
}

/** Reads occurrence number `g` of `blocks` into `out` (a record the caller reuses). */
export function readOccurrence(blocks: OccurrenceBlock[], g: number, lineBase: number, charBase: number, out: StoredOccurrence): StoredOccurrence {
  const b = blocks[g >>> BLOCK_SHIFT];
  const off = g & BLOCK_MASK;
  const d = b.ints;
  const j = off * OCCURRENCE_INTS;
  const bits = d[j + 5];
  out.link = d[j];
  out.line = d[j + 1] + lineBase;
  out.column = d[j + 2];
  out.start = d[j + 3] + charBase;
  out.end = out.start + d[j + 4];
  out.port = (bits & (DEFANGED_BIT - 1)) - 1;
  out.defanged = (bits & DEFANGED_BIT) !== 0;
  out.time = b.times[off];
  return out;
}

/** The typed arrays of a collection, to transfer rather than copy. */
export function collectionBuffers(c: PartCollection): ArrayBuffer[] {
  const views = [c.versions, c.classOf, c.counts, c.defanged, c.times, c.kept, c.lastKept, ...c.occurrences.flatMap((b) => [b.ints, b.times])];
  return views.map((a) => a.buffer as ArrayBuffer);
}
