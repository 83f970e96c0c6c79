// The panel's UI state kept with the webview's setState (period lives in the identity): sort, filters,
// scroll, selection. Read back defensively: a restored state is data from a previous session.
import { ALERT_SORT_KEYS, DEFAULT_ALERT_SORT, type AlertSort } from './alerts';

export type TimelineTab = 'events' | 'machines';

export interface UiState {
  alertSort: AlertSort;
  alertFilter: string;
  alertSeverity: string;
  timelineFilter: string;
  timelineScrollTop: number;
  timelineTab: TimelineTab;
  selectedMachineId?: string;
  /** The text of the "machines at a time" input, when edited. */
  atInput?: string;
}

export const DEFAULT_UI_STATE: UiState = {
  alertSort: DEFAULT_ALERT_SORT,
  alertFilter: '',
  alertSeverity: '',
  timelineFilter: '',
  timelineScrollTop: 0,
  timelineTab: 'events',
};

const SEVERITIES = ['', 'high', 'medium', 'low', 'informational'];

const shortString = (x: unknown, max: number): string | undefined => (typeof x === 'string' && x.length <= max ? x : undefined);

export function sanitizeUiState(x: unknown): UiState {
  const o = typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {};
  const sort = typeof o.alertSort === 'object' && o.alertSort !== null ? (o.alertSort as Record<string, unknown>) : {};
  const key = ALERT_SORT_KEYS.find((k) => k === sort.key);
  const dir = sort.dir === 'asc' || sort.dir === 'desc' ? sort.dir : undefined;
  const scroll = typeof o.timelineScrollTop === 'number' && Number.isFinite(o.timelineScrollTop) && o.timelineScrollTop >= 0 ? o.timelineScrollTop : 0;
  const severity = shortString(o.alertSeverity, 20);
  const state: UiState = {
    alertSort: key && dir ? { key, dir } : DEFAULT_ALERT_SORT,
    alertFilter: shortString(o.alertFilter, 200) ?? '',
    alertSeverity: severity !== undefined && SEVERITIES.includes(severity) ? severity : '',
    timelineFilter: shortString(o.timelineFilter, 200) ?? '',
    timelineScrollTop: scroll,
    timelineTab: o.timelineTab === 'machines' ? 'machines' : 'events',
  };
  const selected = shortString(o.selectedMachineId, 200);
  if (selected) state.selectedMachineId = selected;
  const atInput = shortString(o.atInput, 200);
  if (atInput !== undefined) state.atInput = atInput;
  return state;
}
