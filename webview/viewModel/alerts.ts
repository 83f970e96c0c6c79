// Pure sorting and filtering of the alerts table, and the alerts of each machine for the timeline.
import type { Alert } from '../../src/shared/protocol';

export type AlertSortKey =
  | 'severity'
  | 'status'
  | 'title'
  | 'category'
  | 'detectionSource'
  | 'machine'
  | 'firstActivity'
  | 'lastActivity'
  | 'incidentId';
export const ALERT_SORT_KEYS: readonly AlertSortKey[] = [
  'severity',
  'status',
  'title',
  'category',
  'detectionSource',
  'machine',
  'firstActivity',
  'lastActivity',
  'incidentId',
];
export type SortDir = 'asc' | 'desc';
export interface AlertSort {
  key: AlertSortKey;
  dir: SortDir;
}
export const DEFAULT_ALERT_SORT: AlertSort = { key: 'lastActivity', dir: 'desc' };

const SEVERITY_RANK: Record<string, number> = { high: 4, medium: 3, low: 2, informational: 1, unspecified: 0 };

export function severityRank(severity: string | undefined): number {
  return SEVERITY_RANK[(severity ?? '').toLowerCase()] ?? -1;
}

/** The machine an alert is about, by name when known. */
export function alertMachine(a: Alert): string {
  return a.computerDnsName ?? a.machineId ?? '';
}

export function alertFirstActivity(a: Alert): string | undefined {
  return a.firstEventTime ?? a.alertCreationTime;
}

export function alertLastActivity(a: Alert): string | undefined {
  return a.lastEventTime ?? a.lastUpdateTime ?? a.alertCreationTime;
}

type SortValue = string | number | undefined;

function sortValue(a: Alert, key: AlertSortKey): SortValue {
  switch (key) {
    case 'severity':
      return severityRank(a.severity);
    case 'status':
      return a.status.toLowerCase();
    case 'title':
      return a.title.toLowerCase();
    case 'category':
      return a.category?.toLowerCase();
    case 'detectionSource':
      return a.detectionSource?.toLowerCase();
    case 'machine':
      return alertMachine(a).toLowerCase() || undefined;
    case 'firstActivity':
      return timeOrUndefined(alertFirstActivity(a));
    case 'lastActivity':
      return timeOrUndefined(alertLastActivity(a));
    case 'incidentId':
      return a.incidentId;
  }
}

function timeOrUndefined(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function compare(x: SortValue, y: SortValue): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y));
}

/** A sorted copy; stable; missing values always last, whatever the direction. */
export function sortAlerts(alerts: readonly Alert[], sort: AlertSort): Alert[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = alerts.map((a, i) => ({ a, i, v: sortValue(a, sort.key) }));
  keyed.sort((p, q) => {
    const pm = p.v === undefined;
    const qm = q.v === undefined;
    if (pm || qm) return pm === qm ? p.i - q.i : pm ? 1 : -1;
    return sign * compare(p.v, q.v) || p.i - q.i;
  });
  return keyed.map((k) => k.a);
}

/** Next sort when a column header is clicked: same column flips, a new column starts descending. */
export function toggleSort(current: AlertSort, key: AlertSortKey): AlertSort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'title' || key === 'machine' || key === 'category' ? 'asc' : 'desc' };
}

export interface AlertFilter {
  text: string;
  /** Lower-case severity, or '' for all. */
  severity: string;
}

function alertSearchKey(a: Alert): string {
  return [a.title, a.severity, a.status, a.category, a.detectionSource, alertMachine(a), a.id, a.incidentId, a.assignedTo]
    .filter((v) => v !== undefined && v !== '')
    .join('\u0001')
    .toLowerCase();
}

export function filterAlerts(alerts: readonly Alert[], filter: AlertFilter): Alert[] {
  const terms = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const severity = filter.severity.toLowerCase();
  return alerts.filter((a) => {
    if (severity && a.severity.toLowerCase() !== severity) return false;
    if (terms.length === 0) return true;
    const key = alertSearchKey(a);
    return terms.every((t) => key.includes(t));
  });
}

export interface MachineAlerts {
  count: number;
  /** The highest severity among them (as sent). */
  topSeverity: string;
  alerts: Alert[];
}

/** Alerts grouped by machine id (alerts without a machine are left out). */
export function alertsByMachine(alerts: readonly Alert[]): Map<string, MachineAlerts> {
  const map = new Map<string, MachineAlerts>();
  for (const a of alerts) {
    if (!a.machineId) continue;
    const entry = map.get(a.machineId);
    if (!entry) map.set(a.machineId, { count: 1, topSeverity: a.severity, alerts: [a] });
    else {
      entry.count++;
      entry.alerts.push(a);
      if (severityRank(a.severity) > severityRank(entry.topSeverity)) entry.topSeverity = a.severity;
    }
  }
  return map;
}
