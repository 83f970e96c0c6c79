// Splits triage work into hunting batches sized from the engine's documented limits (rows, result size,
// query length), so 1,000 addresses cost a handful of queries instead of thousands of entity calls.
import type { InternalLookup } from '../hunting/huntingQueries';

export interface TriageLimits {
  /** Addresses in one `in (...)` list. */
  maxAddressesPerBatch: number;
  /** Rows one hunting query may return (the API's cap is 100,000; a full result means "maybe truncated"). */
  maxRows: number;
  /** Result size to aim under (the API fails above 124 MB); estimated from the worst-case row size. */
  maxResultBytes: number;
  /** Length of the `in (...)` list text, to keep the request body small. */
  maxListChars: number;
  /** Holder rows to expect at most per batch: distinct addresses x hours spanned (one holder an hour). */
  holderRowBudget: number;
}

/** The API's hard caps (defender-api.md §4): 100,000 rows, 124 MB per result. */
export const HUNTING_MAX_ROWS = 100_000;
export const HUNTING_MAX_RESULT_BYTES = 124 * 1024 * 1024;

export const DEFAULT_TRIAGE_LIMITS: TriageLimits = {
  maxAddressesPerBatch: 500,
  maxRows: HUNTING_MAX_ROWS,
  // Far below the cap: a big result is slow to transfer and parse, and CPU quota is per tenant.
  maxResultBytes: 16 * 1024 * 1024,
  maxListChars: 32_000,
  holderRowBudget: 50_000,
};

/**
 * Worst-case bytes of one summary row: 10 ports, 10 process names and 5 device names of up to 260
 * characters each, JSON-quoted, plus the scalar columns.
 */
export const SUMMARY_ROW_BYTES = 10 * 8 + 10 * 264 + 5 * 264 + 400;
/** Worst case of one alerts row: 5 titles of up to 512 characters, 5 severities, scalars. */
export const ALERTS_ROW_BYTES = 5 * 516 + 5 * 20 + 300;
/** One holder row: address, device id and name, three timestamps. */
export const HOLDER_ROW_BYTES = 50 + 44 + 264 + 3 * 32 + 100;

const HOUR = 3_600_000;
const HOLDER_WINDOW_MS = 15 * 60_000;

export function resolveLimits(overrides: Partial<TriageLimits> = {}): TriageLimits {
  const l = { ...DEFAULT_TRIAGE_LIMITS, ...overrides };
  for (const [k, v] of Object.entries(l)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Triage limit ${k} must be a positive integer, not ${String(v)}.`);
  }
  if (l.maxRows > HUNTING_MAX_ROWS) throw new RangeError(`Triage limit maxRows cannot exceed the API's ${HUNTING_MAX_ROWS}.`);
  return l;
}

/** `"1.2.3.4", ` in the `in (...)` list. */
function listChars(ip: string): number {
  return ip.length + 4;
}

/** Most addresses an address batch may hold for rows of `rowBytes` (each address gives at most one row). */
export function addressBatchCapacity(limits: TriageLimits, rowBytes: number): number {
  return Math.max(1, Math.min(limits.maxAddressesPerBatch, limits.maxRows - 1, Math.floor(limits.maxResultBytes / rowBytes)));
}

/**
 * Batches for the per-address summary and alerts queries: each returns at most one row per address, so
 * the row cap never binds below 100,000 addresses; the list length and the result size do.
 */
export function planAddressBatches(ips: readonly string[], limits: TriageLimits, rowBytes = SUMMARY_ROW_BYTES, listsPerQuery = 1): string[][] {
  const capacity = addressBatchCapacity(limits, rowBytes);
  // A query that names its list more than once (the summary: peers and own addresses) gets a shorter list.
  const maxListChars = Math.max(1, Math.floor(limits.maxListChars / listsPerQuery));
  const batches: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const ip of ips) {
    const c = listChars(ip);
    if (current.length > 0 && (current.length >= capacity || chars + c > maxListChars)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(ip);
    chars += c;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Rows a holder query may return: one per address, machine and hour within the window it spans. */
export function estimateHolderRows(distinctIps: number, fromMs: number, toMs: number, marginMs = 0): number {
  const hours = Math.floor((toMs + HOLDER_WINDOW_MS + marginMs) / HOUR) - Math.floor((fromMs - HOLDER_WINDOW_MS - marginMs) / HOUR) + 1;
  return distinctIps * hours;
}

/**
 * Batches for the internal holder lookups. The query spans the batch's earliest to latest time and
 * returns a row per address and hour, so lookups are sorted by time and grouped while
 * (distinct addresses) x (hours spanned) stays within the row budget.
 */
export function planHolderBatches(lookups: readonly InternalLookup[], limits: TriageLimits, marginMs = 0): InternalLookup[][] {
  const sorted = [...lookups].sort((a, b) => a.at.getTime() - b.at.getTime());
  const rowBudget = Math.min(limits.holderRowBudget, limits.maxRows - 1, Math.floor(limits.maxResultBytes / HOLDER_ROW_BYTES));
  const batches: InternalLookup[][] = [];
  let current: InternalLookup[] = [];
  let ips = new Set<string>();
  let chars = 0;
  let from = 0;
  for (const l of sorted) {
    const t = l.at.getTime();
    const isNew = !ips.has(l.ip);
    if (current.length > 0) {
      const n = ips.size + (isNew ? 1 : 0);
      const fits =
        n <= limits.maxAddressesPerBatch &&
        chars + (isNew ? listChars(l.ip) : 0) <= limits.maxListChars &&
        estimateHolderRows(n, from, t, marginMs) <= rowBudget;
      if (!fits) {
        batches.push(current);
        current = [];
        ips = new Set();
        chars = 0;
      }
    }
    if (current.length === 0) from = t;
    if (!ips.has(l.ip)) {
      ips.add(l.ip);
      chars += listChars(l.ip);
    }
    current.push(l);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Halves a batch that failed for its size (never called with fewer than two items). */
export function splitBatch<T>(batch: readonly T[]): [T[], T[]] {
  const mid = Math.ceil(batch.length / 2);
  return [batch.slice(0, mid), batch.slice(mid)];
}

/** Splits holder lookups by time so each half spans a shorter window (fewer rows per address). */
export function splitHolderBatch(batch: readonly InternalLookup[]): [InternalLookup[], InternalLookup[]] {
  const sorted = [...batch].sort((a, b) => a.at.getTime() - b.at.getTime());
  const first = sorted[0].at.getTime();
  const last = sorted[sorted.length - 1].at.getTime();
  // All at one time: halve by address instead.
  if (first === last) {
    const ips = [...new Set(sorted.map((l) => l.ip))];
    if (ips.length < 2) return splitBatch(sorted);
    const left = new Set(ips.slice(0, Math.ceil(ips.length / 2)));
    return [sorted.filter((l) => left.has(l.ip)), sorted.filter((l) => !left.has(l.ip))];
  }
  return splitBatch(sorted);
}
