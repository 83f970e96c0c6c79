// What the extraction found in one source (a file), kept so that a later triage of the same, unchanged file reuses it
// instead of reading the file again. Compact: occurrences are tuples, line times cells of epoch milliseconds, the file's name is
// given when it is replayed (a workspace folder may be named differently next time). Pure (no vscode).
import { parseAddress } from '../ip/parseAddress';
import { type AddressCollector, LineTimes, type CollectedAddress, type CollectorOptions } from './addressCollector';
import type { Occurrence } from '../../shared/triageModel';

/**
 * `[line, column, start, end, time | null, port | null, defanged 0/1]`; the time is kept as the ISO text it is used as
 * (a saved triage holds tens of thousands: converting each from a number costs more than the bytes it saves).
 */
export type OccurrenceTuple = [number, number, number, number, string | null, number | null, 0 | 1];

/** The ISO instants the scanner writes (`toISOString()`), checked without building a Date. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

export type TimeCellTuple = [number, number, number];

export interface ExtractedAddress {
  ip: string;
  version: 4 | 6;
  ipClass: string;
  count: number;
  occ: OccurrenceTuple[];
  truncated: boolean;
  defanged: boolean;
  timed: boolean;
  /** Line times as the collector counted them: `[first minute, last minute, occurrences]` per cell (epoch ms). */
  times: TimeCellTuple[];
}

export interface SourceExtraction {
  bytes: number;
  matches: number;
  addresses: ExtractedAddress[];
}

/** Occurrences kept per address and file when an extraction is stored (the count stays exact). */
export const STORED_OCCURRENCES = 25;

export function encodeOccurrence(o: Occurrence): OccurrenceTuple {
  return [o.line, o.column, o.start, o.end, o.time !== undefined && ISO_INSTANT.test(o.time) ? o.time : null, o.port ?? null, o.defanged ? 1 : 0];
}

export function decodeOccurrence(t: OccurrenceTuple, file: string): Occurrence {
  const o: Occurrence = { file, line: t[0], column: t[1], start: t[2], end: t[3] };
  if (t[4] !== null) o.time = t[4];
  if (t[5] !== null) o.port = t[5];
  if (t[6] === 1) o.defanged = true;
  return o;
}

/**
 * Work toExtractionSteps does between yields: an address counts for its kept occurrences, whose chain is walked to find
 * the first ones (up to 200), and its line-time cells. A few ms a step: a 200 MiB log's 1,200 addresses took 70 ms at once.
 */
const EXTRACTION_STEP_WORK = 8192;

/**
 * What one source's own collector gathered, in a form to store (occurrences capped at `maxOccurrences`), in steps: the
 * extension keeps every file it triages, and its thread must stay free.
 */
export function* toExtractionSteps(collector: AddressCollector, bytes: number, maxOccurrences = STORED_OCCURRENCES): Generator<void, SourceExtraction, undefined> {
  const addresses: ExtractedAddress[] = [];
  const kept = collector.partOptions.maxOccurrences;
  let work = 0;
  for (const a of collector.addresses.values()) {
    // One more than is kept tells whether some were left out; the rest are not made into objects.
    const first = collector.firstOccurrences(a, maxOccurrences + 1);
    const times = a.times.list();
    addresses.push({
      ip: a.ip,
      version: a.version,
      ipClass: a.ipClass,
      count: a.occurrenceCount,
      occ: first.slice(0, maxOccurrences).map(encodeOccurrence),
      truncated: a.occurrencesTruncated || first.length > maxOccurrences,
      defanged: a.defanged,
      timed: a.timed,
      times: times.map((c): TimeCellTuple => [c.first, c.last, c.count]),
    });
    work += 16 + Math.min(a.occurrenceCount, kept) + times.length;
    if (work >= EXTRACTION_STEP_WORK) {
      work = 0;
      yield;
    }
  }
  return { bytes, matches: collector.occurrences, addresses };
}

/** The stored extraction as collected addresses of the source named `file`, ready to merge into a run's collector. */
export function fromExtraction(e: SourceExtraction, file: string, options: CollectorOptions = {}): CollectedAddress[] {
  return e.addresses.map((a) => {
    const times = new LineTimes(Math.max(1, options.maxTimesPerAddress ?? 4096));
    for (const [first, last, count] of a.times) times.addCell(first, last, count);
    return {
      ip: a.ip,
      version: a.version,
      ipClass: a.ipClass,
      occurrenceCount: a.count,
      occurrences: a.occ.map((t) => decodeOccurrence(t, file)),
      occurrencesTruncated: a.truncated,
      files: [file],
      defanged: a.defanged,
      times,
      timed: a.timed,
    };
  });
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) < 8.64e15;
const isTimeCell = (x: unknown): x is TimeCellTuple => Array.isArray(x) && x.length === 3 && isTime(x[0]) && isTime(x[1]) && x[0] <= x[1] && isCount(x[2]) && x[2] >= 1;

export function isOccurrenceTuple(x: unknown): x is OccurrenceTuple {
  return (
    Array.isArray(x) &&
    x.length === 7 &&
    isCount(x[0]) &&
    isCount(x[1]) &&
    isCount(x[2]) &&
    isCount(x[3]) &&
    (x[2]) <= (x[3]) &&
    (x[4] === null || (typeof x[4] === 'string' && ISO_INSTANT.test(x[4]))) &&
    (x[5] === null || (isCount(x[5]) && (x[5]) <= 65535)) &&
    (x[6] === 0 || x[6] === 1)
  );
}

/** A stored extraction read back; an address that does not validate is dropped, and the whole when it is not one. */
export function parseExtraction(x: unknown): SourceExtraction | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return undefined;
  const o = x as Record<string, unknown>;
  if (!isCount(o.bytes) || !isCount(o.matches) || !Array.isArray(o.addresses)) return undefined;
  const addresses: ExtractedAddress[] = [];
  for (const raw of o.addresses) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const a = raw as Record<string, unknown>;
    const parsed = typeof a.ip === 'string' ? parseAddress(a.ip) : undefined;
    // A stored address must be exactly what the scanner would produce: otherwise the file is read again.
    if (!parsed?.ok || parsed.match.value !== a.ip) return undefined;
    if ((a.version !== 4 && a.version !== 6) || typeof a.ipClass !== 'string' || !isCount(a.count)) return undefined;
    if (!Array.isArray(a.occ) || !a.occ.every(isOccurrenceTuple) || !Array.isArray(a.times) || !a.times.every(isTimeCell)) return undefined;
    if (typeof a.truncated !== 'boolean' || typeof a.defanged !== 'boolean' || typeof a.timed !== 'boolean') return undefined;
    addresses.push({ ip: a.ip, version: a.version, ipClass: a.ipClass, count: a.count, occ: a.occ, truncated: a.truncated, defanged: a.defanged, timed: a.timed, times: a.times });
  }
  return { bytes: o.bytes, matches: o.matches, addresses };
}
