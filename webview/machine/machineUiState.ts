// The machine panel's UI state kept with the webview's setState (the period lives in the identity): sorts, filters,
// the network split and scroll positions. Read back defensively: a restored state is data from a previous session.
import { ALERT_SORT_KEYS, DEFAULT_ALERT_SORT, type AlertSort } from '../viewModel/alerts';
import { DEFAULT_NETWORK_SORT, NETWORK_SORT_KEYS, NETWORK_TABS, type NetworkSort, type NetworkTab } from './networkModel';

export interface MachineUiState {
  alertSort: AlertSort;
  alertFilter: string;
  alertSeverity: string;
  networkTab: NetworkTab;
  networkFilter: string;
  networkSort: NetworkSort;
  networkScrollTop: number;
  timelineFilter: string;
  timelineScrollTop: number;
}

export const DEFAULT_MACHINE_UI: MachineUiState = {
  alertSort: DEFAULT_ALERT_SORT,
  alertFilter: '',
  alertSeverity: '',
  networkTab: 'all',
  networkFilter: '',
  networkSort: DEFAULT_NETWORK_SORT,
  networkScrollTop: 0,
  timelineFilter: '',
  timelineScrollTop: 0,
};

const SEVERITIES = ['', 'high', 'medium', 'low', 'informational'];
const text = (x: unknown, max: number): string | undefined => (typeof x === 'string' && x.length <= max ? x : undefined);
const scroll = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
const obj = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {});

export function sanitizeMachineUi(x: unknown): MachineUiState {
  const o = obj(x);
  const as = obj(o.alertSort);
  const ns = obj(o.networkSort);
  const alertKey = ALERT_SORT_KEYS.find((k) => k === as.key && k !== 'machine');
  const networkKey = NETWORK_SORT_KEYS.find((k) => k === ns.key);
  const dir = (d: unknown): 'asc' | 'desc' | undefined => (d === 'asc' || d === 'desc' ? d : undefined);
  const severity = text(o.alertSeverity, 20);
  const alertDir = dir(as.dir);
  const networkDir = dir(ns.dir);
  return {
    alertSort: alertKey && alertDir ? { key: alertKey, dir: alertDir } : DEFAULT_ALERT_SORT,
    alertFilter: text(o.alertFilter, 200) ?? '',
    alertSeverity: severity !== undefined && SEVERITIES.includes(severity) ? severity : '',
    networkTab: NETWORK_TABS.find((t) => t === o.networkTab) ?? 'all',
    networkFilter: text(o.networkFilter, 200) ?? '',
    networkSort: networkKey && networkDir ? { key: networkKey, dir: networkDir } : DEFAULT_NETWORK_SORT,
    networkScrollTop: scroll(o.networkScrollTop),
    timelineFilter: text(o.timelineFilter, 200) ?? '',
    timelineScrollTop: scroll(o.timelineScrollTop),
  };
}
