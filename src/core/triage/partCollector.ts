// Triage extraction of one part of a file, in a scan worker: what AddressCollector would keep, so that
// AddressCollector.mergePart, fed the parts in file order, ends exactly where one collector fed the whole file
// would. Line times: a part counts them on its own grid (the collector's cap) and sends the cells with their counts;
// the file's grid has seen at least what this one has, so it is at least as coarse and each cell sent fits in one of
// its cells (LineTimes.addCell). Everything travels in a few flat arrays (a structured clone of one object per
// address, or one buffer per address, costs more than the scan).
import { isInternalClass } from '../ip/classify';
import type { IpMatch } from '../ip/ipMatch';
import type { MatchLocation } from '../ip/lineScanner';
import { LineTimes } from './lineTimes';

export interface PartCollectOptions {
  maxOccurrences: number;
  maxTimes: number;
}

/** Numbers per line-time cell: address (index), first and last minute (epoch ms), occurrences in it. */
export const TIME_CELL_FIELDS = 4;

/**
 * Whole numbers per kept occurrence: address (index), line, column, start, length, and port + 1 (0: none) with the
 * defanged flag in bit 17. The line's time goes beside them, in `times` (epoch ms, NaN: none). Part-relative values
 * fit 32 bits: a collected part is at most MAX_COLLECT_PART_BYTES (parallelScan.ts).
 */
export const OCCURRENCE_INTS = 6;
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
  classes: string[];
  counts: Float64Array;
  defanged: Uint8Array;
  /** The part's line-time cells, TIME_CELL_FIELDS numbers each (internal addresses only), each address's oldest first. */
  times: Float64Array;
  /**
   * The first occurrences of each address in the part (at most maxOccurrences each), in text order, in blocks;
   * offsets and lines relative to the part.
   */
  occurrences: OccurrenceBlock[];
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

/** Occurrences per block (8,192: 256 KiB). */
const BLOCK_OCCURRENCES = 8192;

/**
 * Kept occurrences in blocks that are filled and never copied: memory this machine's kernel hands out is paid for on
 * first touch (about 2.5 ms per MB measured here), so an array that doubles and a copy at the end cost more than the
 * scan, and each occurrence takes 32 bytes, not 64. The blocks travel to the main thread as they are (transferred).
 */
class Blocks {
  private readonly full: OccurrenceBlock[] = [];
  ints = new Int32Array(BLOCK_OCCURRENCES * OCCURRENCE_INTS);
  times = new Float64Array(BLOCK_OCCURRENCES);
  /** Occurrences in the current block. */
  length = 0;

  /** Makes room for one more occurrence at `length` (a new block when this one is full). */
  room(): void {
    if (this.length < BLOCK_OCCURRENCES) return;
    this.full.push({ ints: this.ints, times: this.times });
    this.ints = new Int32Array(BLOCK_OCCURRENCES * OCCURRENCE_INTS);
    this.times = new Float64Array(BLOCK_OCCURRENCES);
    this.length = 0;
  }

  result(): OccurrenceBlock[] {
    const n = this.length;
    return n > 0 ? [...this.full, { ints: this.ints.subarray(0, n * OCCURRENCE_INTS), times: this.times.subarray(0, n) }] : this.full;
  }
}

export class PartCollector {
  private readonly index = new Map<string, number>();
  private readonly ips: string[] = [];
  private readonly versions: number[] = [];
  private readonly classes: string[] = [];
  private readonly counts: number[] = [];
  private readonly defanged: number[] = [];
  private readonly kept: number[] = [];
  private readonly grids: (LineTimes | undefined)[] = [];
  private readonly occurrences = new Blocks();
  private matches = 0;

  constructor(private readonly options: PartCollectOptions) {}

  /** The scan's sink: the same reads of the match and its line time as AddressCollector.addAt. */
  readonly add = (m: IpMatch, at: MatchLocation): void => {
    this.matches++;
    let k = this.index.get(m.value);
    if (k === undefined) {
      k = this.ips.length;
      this.index.set(m.value, k);
      this.ips.push(m.value);
      this.versions.push(m.version);
      this.classes.push(m.ipClass);
      this.counts.push(0);
      this.defanged.push(0);
      this.kept.push(0);
      this.grids.push(isInternalClass(m.ipClass) ? new LineTimes(this.options.maxTimes) : undefined);
    }
    this.counts[k]++;
    if (m.defanged) this.defanged[k] = 1;
    const grid = this.grids[k];
    let time: Date | undefined;
    if (grid) {
      time = at.time();
      if (time) grid.addMs(time.getTime());
    }
    if (this.kept[k] < this.options.maxOccurrences) {
      if (!grid) time = at.time();
      const o = this.occurrences;
      o.room();
      const n = o.length++;
      o.times[n] = time ? time.getTime() : NaN;
      const d = o.ints;
      let i = n * OCCURRENCE_INTS;
      d[i++] = k;
      d[i++] = at.line;
      d[i++] = at.column;
      d[i++] = m.start;
      d[i++] = m.end - m.start;
      d[i] = (m.port ?? -1) + 1 + (m.defanged ? DEFANGED_BIT : 0);
      this.kept[k]++;
    }
  };

  result(): PartCollection {
    const times = new Grow();
    for (let k = 0; k < this.grids.length; k++) {
      const cells = this.grids[k]?.list();
      if (!cells?.length) continue;
      const d = times.ensure(cells.length * TIME_CELL_FIELDS);
      let i = times.length;
      for (const c of cells) {
        d[i++] = k;
        d[i++] = c.first;
        d[i++] = c.last;
        d[i++] = c.count;
      }
      times.length = i;
    }
    return {
      matches: this.matches,
      ips: this.ips,
      versions: Uint8Array.from(this.versions),
      classes: this.classes,
      counts: Float64Array.from(this.counts),
      defanged: Uint8Array.from(this.defanged),
      times: times.result(),
      occurrences: this.occurrences.result(),
    };
  }
}

/** The typed arrays of a collection, to transfer rather than copy. */
export function collectionBuffers(c: PartCollection): ArrayBuffer[] {
  const views = [c.versions, c.counts, c.defanged, c.times, ...c.occurrences.flatMap((b) => [b.ints, b.times])];
  return views.map((a) => a.buffer as ArrayBuffer);
}
