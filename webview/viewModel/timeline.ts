// Pure timeline search: one lower-case search key per event, computed once when the data arrives, so
// filtering 10,000 events as the user types is a scan of plain strings.
import type { TimelineEvent } from '../../src/shared/investigation';
import { formatTime } from './format';

export interface TimelineIndex<T = TimelineEvent> {
  events: readonly T[];
  keys: readonly string[];
  /** Indexes of all events (the unfiltered view), shared to avoid re-allocating it. */
  all: Uint32Array;
}

/** The text a search matches in one event: time (ISO and as shown), machine, action, ports, process, file... */
export function eventSearchKey(e: TimelineEvent): string {
  const parts: (string | number | undefined)[] = [
    e.timestamp,
    formatTime(e.timestamp),
    e.deviceName,
    e.deviceId,
    e.actionType,
    e.localIp,
    e.localPort,
    e.remoteIp,
    e.remotePort,
    e.remoteUrl,
    e.protocol,
    e.process,
    e.folder,
    e.commandLine,
    e.account,
  ];
  let key = '';
  for (const p of parts) if (p !== undefined && p !== '') key += `${p}\u0001`;
  return key.toLowerCase();
}

/** 0, 1, …, n-1: the rows of an unfiltered view. */
export function allRows(n: number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  return all;
}

export function buildTimelineIndex(events: readonly TimelineEvent[], all: Uint32Array = allRows(events.length)): TimelineIndex {
  return buildSearchIndex(events, eventSearchKey, all);
}

/** The same search over any rows (the machine view's remote addresses): `keyOf` gives each row's lower-case key. */
export function buildSearchIndex<T>(items: readonly T[], keyOf: (item: T) => string, all: Uint32Array = allRows(items.length)): TimelineIndex<T> {
  const keys = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) keys[i] = keyOf(items[i]);
  return { events: items, keys, all };
}

export function searchTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

export interface FilterResult {
  query: string;
  /** Indexes into the index's events, in their order. */
  rows: Uint32Array;
}

/**
 * Events whose key contains every term of the query. When the query only extends the previous one
 * (the user typed more), only the previous matches are scanned.
 */
export function filterTimeline<T>(index: TimelineIndex<T>, query: string, previous?: FilterResult): FilterResult {
  const terms = searchTerms(query);
  if (terms.length === 0) return { query, rows: index.all };
  const narrowing =
    previous !== undefined && previous.query.trim() !== '' && query.toLowerCase().startsWith(previous.query.toLowerCase());
  const candidates = narrowing ? previous.rows : index.all;
  const out = new Uint32Array(candidates.length);
  let n = 0;
  const keys = index.keys;
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c];
    const key = keys[i];
    let ok = true;
    for (let t = 0; t < terms.length; t++) {
      if (!key.includes(terms[t])) {
        ok = false;
        break;
      }
    }
    if (ok) out[n++] = i;
  }
  return { query, rows: out.slice(0, n) };
}

/** Distinct machines among the given rows (for the "N events on M machines" line). */
export function distinctMachines(events: readonly TimelineEvent[], rows: Uint32Array): number {
  const seen = new Set<string>();
  for (let c = 0; c < rows.length; c++) seen.add(events[rows[c]].deviceId);
  return seen.size;
}
