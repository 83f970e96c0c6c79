// Tolerant parsing of the batched triage queries' rows (summary, alerts, holders). Rows are untrusted:
// wrong types are dropped, lists may arrive as arrays or JSON text, addresses are re-normalised.
import type { HuntingRow } from '../../shared/defenderModel';
import { highestSeverity, type AlertSummary, type HolderMachine, type Sightings } from '../../shared/triageModel';
import { ALERT_SEVERITIES } from '../hunting/huntingQueries';
import { rowList as list, rowNumber as num, rowText } from '../hunting/huntingRow';

const MAX_TEXT = 1024;

const str = (row: HuntingRow, key: string): string | undefined => rowText(row, key, MAX_TEXT);

function strings(xs: unknown[], max: number): string[] {
  return xs
    .filter((x): x is string => typeof x === 'string' && x !== '')
    .slice(0, max)
    .map((s) => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s));
}

function ports(xs: unknown[]): number[] {
  return xs
    .map((x) => (typeof x === 'string' && x.trim() !== '' ? Number(x) : x))
    .filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 65535)
    .slice(0, 10);
}

function iso(row: HuntingRow, key: string): string | undefined {
  const s = str(row, key);
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The address column of a row, normalised like the scanner's values, or undefined. */
export function rowAddress(row: HuntingRow, key: string, normalise: (s: string) => string | undefined): string | undefined {
  const s = str(row, key);
  return s === undefined ? undefined : normalise(s.trim());
}

export function parseSummaryRow(row: HuntingRow): Sightings {
  const s: Sightings = {
    machines: Math.max(0, Math.trunc(num(row, 'Machines') ?? 0)),
    events: Math.max(0, Math.trunc(num(row, 'Events') ?? 0)),
    ports: ports(list(row, 'Ports')),
    processes: strings(list(row, 'Processes'), 10),
    deviceNames: strings(list(row, 'DeviceNames'), 5),
  };
  const first = iso(row, 'FirstSeen');
  const last = iso(row, 'LastSeen');
  if (first) s.firstSeen = first;
  if (last) s.lastSeen = last;
  return s;
}

export function parseAlertsRow(row: HuntingRow): AlertSummary {
  const severities = strings(list(row, 'Severities'), 5);
  const a: AlertSummary = {
    count: Math.max(0, Math.trunc(num(row, 'Alerts') ?? 0)),
    titles: strings(list(row, 'Titles'), 5),
    severities,
  };
  const top = highestSeverity(severities);
  if (top) a.highestSeverity = top;
  const bySeverity: Record<string, number> = {};
  for (const s of ALERT_SEVERITIES) {
    const n = num(row, s);
    if (n !== undefined && n > 0) bySeverity[s] = Math.trunc(n);
  }
  if (Object.keys(bySeverity).length > 0) a.bySeverity = bySeverity;
  const last = iso(row, 'LastAlert');
  if (last) a.lastAlert = last;
  return a;
}

export interface HolderRow {
  ip: string;
  machine: HolderMachine;
  /** Epoch ms of the first and last report in this row's hour. */
  from: number;
  to: number;
}

export function parseHolderRow(row: HuntingRow, normalise: (s: string) => string | undefined): HolderRow | undefined {
  const ip = rowAddress(row, 'Ip', normalise);
  const id = str(row, 'DeviceId');
  const first = iso(row, 'FirstSeen');
  const last = iso(row, 'LastSeen') ?? first;
  if (!ip || !id || !first || !last) return undefined;
  return {
    ip,
    machine: { id, name: str(row, 'DeviceName') ?? id },
    from: Date.parse(first),
    to: Date.parse(last),
  };
}

// Guards for values read back from the (file) cache, which is outside the process's control.
function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isNumArr = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';

export function isSightings(v: unknown): v is Sightings {
  return (
    isObj(v) &&
    typeof v.machines === 'number' &&
    typeof v.events === 'number' &&
    isNumArr(v.ports) &&
    isStrArr(v.processes) &&
    isStrArr(v.deviceNames) &&
    optStr(v.firstSeen) &&
    optStr(v.lastSeen)
  );
}

function isCountMap(v: unknown): v is Record<string, number> {
  return isObj(v) && Object.values(v).every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0);
}

export function isAlertSummary(v: unknown): v is AlertSummary {
  return isObj(v) && typeof v.count === 'number' && isStrArr(v.titles) && isStrArr(v.severities) && (v.bySeverity === undefined || isCountMap(v.bySeverity)) && optStr(v.highestSeverity) && optStr(v.lastAlert);
}

export function isHolderList(v: unknown): v is HolderMachine[] {
  return Array.isArray(v) && v.every((m) => isObj(m) && typeof m.id === 'string' && typeof m.name === 'string' && optStr(m.firstSeen) && optStr(m.lastSeen));
}

/** Holder rows as the cache keeps them (per address and hour). */
export function isHolderRows(v: unknown): v is HolderRow[] {
  return (
    Array.isArray(v) &&
    v.every((r) => isObj(r) && typeof r.ip === 'string' && typeof r.from === 'number' && typeof r.to === 'number' && isHolderList([r.machine]))
  );
}

/** Sightings of an address as a peer and as an own address, as the cache keeps them. */
export interface SightingsPair {
  remote: Sightings | null;
  local: Sightings | null;
}

export function isSightingsPair(v: unknown): v is SightingsPair {
  return isObj(v) && (v.remote === null || isSightings(v.remote)) && (v.local === null || isSightings(v.local));
}

/** Which side of a summary row it is: "local" when Defender recorded the address as the machine's own (LocalIP). */
export function summarySide(row: HuntingRow): 'remote' | 'local' {
  return str(row, 'Side') === 'local' ? 'local' : 'remote';
}
