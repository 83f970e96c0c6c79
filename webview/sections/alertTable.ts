// What the alerts tables of the IP panel and the machine panel share: the filter box and severity choice, the
// sortable header cells, and the alerts shown (filtered and sorted as the UI state says) with their summary line.
import type { Alert } from '../../src/shared/protocol';
import type { GridColumn } from '../components/grid';
import { dropdown, textField } from '../components/toolkit';
import { filterAlerts, sortAlerts, toggleSort, type AlertSort, type AlertSortKey } from '../viewModel/alerts';

/** The part of a panel's UI state an alerts table reads and writes. */
export interface AlertTableUi {
  alertSort: AlertSort;
  alertFilter: string;
  alertSeverity: string;
}

export const SEVERITY_CHOICES = [
  { value: '', label: 'All severities' },
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' },
  { value: 'informational', label: 'Informational' },
] as const;

/** The filter box and the severity dropdown; `changed` runs after the state was updated and saved. */
export function alertToolbar(ui: AlertTableUi, save: () => void, changed: () => void): HTMLElement[] {
  const filter = textField({
    placeholder: 'Filter alerts',
    label: 'Filter alerts',
    id: 'alerts-filter',
    value: ui.alertFilter,
    onInput: (v) => {
      ui.alertFilter = v;
      save();
      changed();
    },
  });
  type Sev = (typeof SEVERITY_CHOICES)[number]['value'];
  const severity = dropdown<Sev>({
    choices: SEVERITY_CHOICES,
    selected: SEVERITY_CHOICES.find((s) => s.value === ui.alertSeverity)?.value ?? '',
    label: 'Severity',
    id: 'alerts-severity',
    onChange: (v) => {
      ui.alertSeverity = v;
      save();
      changed();
    },
  });
  return [filter.element, severity.element];
}

/** Header cells: a column with a sort key sorts by it (a click toggles), the others are plain. */
export function alertColumns(columns: readonly { key?: AlertSortKey; title: string; width: string }[], ui: AlertTableUi, save: () => void, changed: () => void): GridColumn[] {
  return columns.map((c) => {
    const key = c.key;
    if (!key) return { title: c.title, width: c.width };
    return {
      title: c.title,
      width: c.width,
      ...(ui.alertSort.key === key ? { sort: ui.alertSort.dir === 'asc' ? ('ascending' as const) : ('descending' as const) } : {}),
      onHeaderClick: () => {
        ui.alertSort = toggleSort(ui.alertSort, key);
        save();
        changed();
      },
    };
  });
}

/** The alerts to show, and `12 alerts` or `3 of 12 alerts`. */
export function shownAlerts(all: readonly Alert[], ui: AlertTableUi): { shown: Alert[]; summary: string } {
  const shown = sortAlerts(filterAlerts(all, { text: ui.alertFilter, severity: ui.alertSeverity }), ui.alertSort);
  return { shown, summary: shown.length === all.length ? `${all.length} alerts` : `${shown.length} of ${all.length} alerts` };
}
