// Triage extraction of one part of a file, in a scan worker: what AddressCollector would keep, address by address in
// the order they first appear, so that AddressCollector.mergePart, fed the parts in file order, ends exactly where
// one collector fed the whole file would. Line times: a part sends the times its own sampler did not drop on
// arrival. A time dropped here is dropped by the file's sampler too: that sampler has seen at least what this one
// has, so its grid is at least as coarse, and the time that filled the cell here is among those sent.
import { isInternalClass } from '../ip/classify';
import type { IpMatch } from '../ip/ipMatch';
import type { MatchLocation } from '../ip/lineScanner';
import { TimeSampler } from './timeSampler';

export interface PartCollectOptions {
  maxOccurrences: number;
  maxTimes: number;
}

/** Numbers per kept occurrence in PartAddress.occurrences: line, column, start, end, port (-1: none), defanged (0/1), time (epoch ms, NaN: none). */
export const OCCURRENCE_FIELDS = 7;

export interface PartAddress {
  ip: string;
  version: 4 | 6;
  ipClass: string;
  count: number;
  defanged: boolean;
  /** The first occurrences in the part (at most maxOccurrences), offsets and lines relative to the part. */
  occurrences: Float64Array;
  /** Line times seen (internal addresses only), and those the part's sampler kept on arrival, in order. */
  timesSeen: number;
  times: Float64Array;
}

export interface PartCollection {
  matches: number;
  addresses: PartAddress[];
}

interface Building {
  ip: string;
  version: 4 | 6;
  ipClass: string;
  count: number;
  defanged: boolean;
  occurrences: number[];
  kept: number;
  sampler: TimeSampler | undefined;
  times: number[];
}

export class PartCollector {
  private readonly addresses = new Map<string, Building>();
  private matches = 0;

  constructor(private readonly options: PartCollectOptions) {}

  /** The scan's sink: the same reads of the match and its line time as AddressCollector.addAt. */
  readonly add = (m: IpMatch, at: MatchLocation): void => {
    this.matches++;
    let a = this.addresses.get(m.value);
    if (!a) {
      const timed = isInternalClass(m.ipClass);
      a = { ip: m.value, version: m.version, ipClass: m.ipClass, count: 0, defanged: false, occurrences: [], kept: 0, sampler: timed ? new TimeSampler(this.options.maxTimes) : undefined, times: [] };
      this.addresses.set(m.value, a);
    }
    a.count++;
    if (m.defanged) a.defanged = true;
    let time: Date | undefined;
    if (a.sampler) {
      time = at.time();
      if (time && a.sampler.add(time)) a.times.push(time.getTime());
    }
    if (a.kept < this.options.maxOccurrences) {
      if (!a.sampler) time = at.time();
      const t = time ? time.getTime() : NaN;
      a.occurrences.push(at.line, at.column, m.start, m.end, m.port ?? -1, m.defanged ? 1 : 0, Number.isFinite(t) ? t : NaN);
      a.kept++;
    }
  };

  result(): PartCollection {
    const addresses: PartAddress[] = [];
    for (const a of this.addresses.values()) {
      addresses.push({
        ip: a.ip,
        version: a.version,
        ipClass: a.ipClass,
        count: a.count,
        defanged: a.defanged,
        occurrences: Float64Array.from(a.occurrences),
        timesSeen: a.sampler?.seen ?? 0,
        times: Float64Array.from(a.times),
      });
    }
    return { matches: this.matches, addresses };
  }
}

/** The typed arrays of a collection, to transfer rather than copy. */
export function collectionBuffers(c: PartCollection): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of c.addresses) {
    if (a.occurrences.byteLength > 0) out.push(a.occurrences.buffer as ArrayBuffer);
    if (a.times.byteLength > 0) out.push(a.times.buffer as ArrayBuffer);
  }
  return out;
}
