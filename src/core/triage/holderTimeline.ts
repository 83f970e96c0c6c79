// Which machine held an internal address at each of its line times. DeviceNetworkInfo answers one batched query with
// a row per address, machine and hour over the whole span of the times; every line-time cell is then matched to those
// rows here, so each occurrence gets its answer and nothing is sampled. Pure: plain data in, plain data out.
import type { InternalLookup } from '../hunting/huntingQueries';
import type { HolderCoverage, HolderMachine, HoldersAtTime } from '../../shared/triageModel';
import type { TimeCell } from './addressCollector';
import type { HolderRow } from './triageRows';

export const HOUR_MS = 3_600_000;
/** findbyip's window, and so what "held at a time" means: a report within 15 minutes either side. */
export const HOLDER_WINDOW_MS = 15 * 60_000;
/** Runs of the holder timeline kept per address; a longer timeline is cut (and says so). */
export const MAX_HOLDER_RUNS = 500;
/**
 * Longest gap between two reports of the address by the same machine across which it is taken to have held it all
 * along (no other machine reported it in between, and the queries covered the whole gap). Machines need not report
 * their network configuration every 15 minutes; a day and a bit covers a daily report.
 */
export const MAX_INFERRED_GAP_MS = 26 * HOUR_MS;

export function hourOf(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

/** The hours a cell's times touch. */
function hoursOf(cell: TimeCell): number[] {
  const hours: number[] = [];
  for (let h = hourOf(cell.first); h <= cell.last; h += HOUR_MS) hours.push(h);
  return hours;
}

/**
 * The lookups that make the batched holder query cover every cell: for each hour with line times, its earliest and
 * latest time. The planner batches lookups in time order and each batch's window spans its lookups ±15 minutes, so
 * every time of an hour lies inside the window of the batch that holds that hour.
 */
export function lookupsForCells(ip: string, cells: readonly TimeCell[]): Map<number, InternalLookup[]> {
  const span = new Map<number, { min: number; max: number }>();
  for (const c of cells) {
    for (const h of hoursOf(c)) {
      const lo = Math.max(c.first, h);
      const hi = Math.min(c.last, h + HOUR_MS - 60_000);
      const s = span.get(h);
      if (!s) span.set(h, { min: lo, max: hi });
      else {
        s.min = Math.min(s.min, lo);
        s.max = Math.max(s.max, hi);
      }
    }
  }
  const byHour = new Map<number, InternalLookup[]>();
  for (const [h, s] of [...span].sort((a, b) => a[0] - b[0])) {
    byHour.set(h, s.min === s.max ? [{ ip, at: new Date(s.min) }] : [{ ip, at: new Date(s.min) }, { ip, at: new Date(s.max) }]);
  }
  return byHour;
}

/** The rows that matter for the times of one hour (reports within 15 minutes of it): what the cache keeps per hour. */
export function rowsForHour(rows: readonly HolderRow[], hour: number): HolderRow[] {
  return rows.filter((r) => r.to >= hour - HOLDER_WINDOW_MS && r.from <= hour + HOUR_MS + HOLDER_WINDOW_MS);
}

/** A findbyip answer: the machines that held the address within ±15 minutes of `at`. */
export interface PointAnswer {
  at: number;
  machines: HolderMachine[];
}

export interface HolderAnswers {
  /** Holder rows from the batched queries (or the cache), for this address. */
  rows: readonly HolderRow[];
  /** The time windows the answered queries covered for this address (to know a gap between reports was looked at). */
  windows?: readonly (readonly [number, number])[];
  /** Hours the batched queries answered. */
  answeredHours: ReadonlySet<number>;
  /** findbyip answers, where hunting failed. */
  points: readonly PointAnswer[];
}

export interface HolderTimeline {
  /** Consecutive answered cells with the same holders, oldest first. */
  runs: HoldersAtTime[];
  /** Each machine that held the address at some line time, with the occurrences it accounts for. */
  holders: HolderMachine[];
  answeredOccurrences: number;
  heldOccurrences: number;
  /** Of the held ones, those held by inference: between two reports by the same machine, not within 15 minutes of one. */
  inferredOccurrences: number;
  /** True when the timeline had more than MAX_HOLDER_RUNS runs and was cut. */
  cut: boolean;
}

/** True when [from, to] lies inside the union of the windows. */
function covered(windows: readonly (readonly [number, number])[], from: number, to: number): boolean {
  let reach = from;
  for (const [a, b] of [...windows].sort((x, y) => x[0] - y[0])) {
    if (a > reach) break;
    reach = Math.max(reach, b);
    if (reach >= to) return true;
  }
  return reach >= to;
}

/**
 * Spans between two consecutive reports of the address by the same machine that no other machine's report falls
 * into, no longer than MAX_INFERRED_GAP_MS, inside what the queries covered: the machine held the address throughout.
 */
export function inferredSpans(rows: readonly HolderRow[], windows: readonly (readonly [number, number])[]): { machine: HolderMachine; from: number; to: number }[] {
  const sorted = [...rows].sort((a, b) => a.from - b.from);
  const spans: { machine: HolderMachine; from: number; to: number }[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i];
    const b = sorted[i + 1];
    if (a.machine.id !== b.machine.id || b.from <= a.to) continue;
    if (b.from - a.to > MAX_INFERRED_GAP_MS || !covered(windows, a.to, b.from)) continue;
    spans.push({ machine: a.machine, from: a.to, to: b.from });
  }
  return spans;
}

interface Held {
  m: HolderMachine;
  first: number;
  last: number;
}

/** Matches every cell to the answers: which machines reported the address within ±15 minutes of its times. */
export function matchHolders(cells: readonly TimeCell[], answers: HolderAnswers): HolderTimeline {
  const runs: HoldersAtTime[] = [];
  const holders = new Map<string, Held & { occurrences: number }>();
  let answeredOccurrences = 0;
  let heldOccurrences = 0;
  let inferredOccurrences = 0;
  let cut = false;
  const spans = inferredSpans(answers.rows, answers.windows ?? []);
  let previousKey: string | undefined;
  for (const cell of cells) {
    const from = cell.first - HOLDER_WINDOW_MS;
    const to = cell.last + HOLDER_WINDOW_MS;
    const viaHunting = hoursOf(cell).every((h) => answers.answeredHours.has(h));
    const points = answers.points.filter((p) => p.at >= cell.first - HOLDER_WINDOW_MS && p.at <= cell.last + HOLDER_WINDOW_MS);
    if (!viaHunting && points.length === 0) {
      previousKey = undefined;
      continue;
    }
    answeredOccurrences += cell.count;
    const found = new Map<string, Held>();
    const note = (m: HolderMachine, first: number, last: number) => {
      const seen = found.get(m.id);
      if (!seen) found.set(m.id, { m, first, last });
      else {
        seen.first = Math.min(seen.first, first);
        seen.last = Math.max(seen.last, last);
      }
    };
    if (viaHunting) for (const r of answers.rows) if (r.to >= from && r.from <= to) note(r.machine, r.from, r.to);
    for (const p of points) for (const m of p.machines) note(m, p.at, p.at);
    // No report within 15 minutes: a machine that reported it before and after, and nobody else in between, held it.
    let inferred = false;
    if (found.size === 0 && viaHunting) {
      for (const sp of spans) {
        if (sp.from <= cell.first && sp.to >= cell.last) {
          note(sp.machine, sp.from, sp.to);
          inferred = true;
        }
      }
    }
    if (found.size > 0) heldOccurrences += cell.count;
    if (inferred) inferredOccurrences += cell.count;
    for (const h of found.values()) {
      const all = holders.get(h.m.id);
      if (!all) holders.set(h.m.id, { ...h, occurrences: cell.count });
      else {
        all.first = Math.min(all.first, h.first);
        all.last = Math.max(all.last, h.last);
        all.occurrences += cell.count;
      }
    }
    const via = viaHunting ? 'hunting' : 'findbyip';
    const key = `${via}\u0000${inferred ? 'i' : 'r'}\u0000${[...found.keys()].sort().join('\u0000')}`;
    const last = runs[runs.length - 1];
    if (key === previousKey && last) {
      last.until = new Date(cell.last).toISOString();
      last.times = (last.times ?? 1) + 1;
      last.occurrences = (last.occurrences ?? 0) + cell.count;
      for (const h of found.values()) {
        const m = last.machines.find((x) => x.id === h.m.id);
        if (m) {
          if (h.first < Date.parse(m.firstSeen ?? '')) m.firstSeen = new Date(h.first).toISOString();
          if (h.last > Date.parse(m.lastSeen ?? '')) m.lastSeen = new Date(h.last).toISOString();
        }
      }
      continue;
    }
    previousKey = key;
    if (runs.length >= MAX_HOLDER_RUNS) {
      cut = true;
      continue;
    }
    runs.push({
      at: new Date(cell.first).toISOString(),
      ...(cell.last !== cell.first ? { until: new Date(cell.last).toISOString() } : {}),
      times: 1,
      occurrences: cell.count,
      machines: [...found.values()].sort((a, b) => b.last - a.last).map(machineOf),
      via,
      ...(inferred ? { inferred: true } : {}),
    });
  }
  return {
    runs,
    holders: [...holders.values()].sort((a, b) => b.occurrences - a.occurrences || b.last - a.last).map((h) => ({ ...machineOf(h), occurrences: h.occurrences })),
    answeredOccurrences,
    heldOccurrences,
    inferredOccurrences,
    cut,
  };
}

function machineOf(h: Held): HolderMachine {
  return { id: h.m.id, name: h.m.name, firstSeen: new Date(h.first).toISOString(), lastSeen: new Date(h.last).toISOString() };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * The answer first, then how it was reached: "No machine reported it at any of its 892 line times." /
 * "No machine reported it at 292 of its 892 line times." Undefined when every looked-up time has a holder and
 * nothing was left out.
 */
export function holderReason(c: HolderCoverage, cut: boolean): string | undefined {
  const parts: string[] = [];
  const unheld = c.answeredOccurrences - c.heldOccurrences;
  if (c.answeredOccurrences > 0 && c.heldOccurrences === 0) {
    parts.push(c.answeredOccurrences === 1 ? 'No machine reported it at its line time.' : `No machine reported it at any of its ${plural(c.answeredOccurrences, 'line time')}.`);
  } else if (unheld > 0) {
    parts.push(`No machine reported it at ${unheld.toLocaleString('en-US')} of its ${plural(c.answeredOccurrences, 'line time')}.`);
  }
  const inferred = c.inferredOccurrences ?? 0;
  if (inferred > 0) {
    parts.push(
      `${plural(inferred, 'line time')} fall${inferred === 1 ? 's' : ''} between two reports by the same machine with no other machine in between: held by inference.`,
    );
  }
  const unanswered = c.askedOccurrences - c.answeredOccurrences;
  if (unanswered > 0) parts.push(`${plural(unanswered, 'line time')} could not be looked up (see the problems).`);
  const outside = c.timedOccurrences - c.askedOccurrences;
  if (outside > 0 && c.askedOccurrences > 0) parts.push(`${plural(outside, 'line time')} outside Defender's past 30 days ${outside === 1 ? 'was' : 'were'} not looked up.`);
  if (parts.length > 0 && c.granularityMinutes > 1) parts.push(`Times within ${c.granularityMinutes} minutes were looked up together.`);
  if (cut) parts.push(`The holder timeline is cut at ${MAX_HOLDER_RUNS} changes.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}
