// Alerts related to this IP: a sortable, filterable grid; clicking a title opens the alert in the portal
// and selects its machine; clicking a row selects the machine.
import type { Alert } from '../../src/shared/protocol';
import { dataGrid, type GridColumn, type GridRow } from '../components/grid';
import { dropdown, textField } from '../components/toolkit';
import type { PanelContext, SectionView } from '../context';
import { fill, h } from '../dom';
import {
  alertFirstActivity,
  alertLastActivity,
  alertMachine,
  filterAlerts,
  sortAlerts,
  toggleSort,
  type AlertSortKey,
} from '../viewModel/alerts';
import { clip, formatTime, severityClass, visibleText } from '../viewModel/format';
import { sectionView } from '../viewModel/sectionStatus';
import { SectionFrame, emptyView, loadingView, problemView } from './frame';

const COLUMNS: { key: AlertSortKey; title: string; width: string }[] = [
  { key: 'severity', title: 'Severity', width: '90px' },
  { key: 'status', title: 'Status', width: '90px' },
  { key: 'title', title: 'Title', width: 'minmax(180px, 3fr)' },
  { key: 'category', title: 'Category', width: 'minmax(90px, 1fr)' },
  { key: 'detectionSource', title: 'Detection source', width: 'minmax(90px, 1fr)' },
  { key: 'machine', title: 'Machine', width: 'minmax(120px, 2fr)' },
  { key: 'firstActivity', title: 'First activity', width: '170px' },
  { key: 'lastActivity', title: 'Last activity', width: '170px' },
  { key: 'incidentId', title: 'Incident', width: '80px' },
];

const SEVERITIES = [
  { value: '', label: 'All severities' },
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' },
  { value: 'informational', label: 'Informational' },
] as const;

export class AlertsSection implements SectionView {
  private readonly frame = new SectionFrame('alerts', 'Alerts related to this IP');
  private readonly grid = dataGrid('Alerts related to this IP');
  private readonly summary = h('p', { class: 'summary' });
  private readonly content = h('div', { class: 'alerts-content' });

  constructor(private readonly ctx: PanelContext) {
    const filter = textField({
      placeholder: 'Filter alerts',
      label: 'Filter alerts',
      id: 'alerts-filter',
      value: ctx.ui.alertFilter,
      onInput: (v) => {
        ctx.ui.alertFilter = v;
        ctx.saveState();
        this.renderGrid();
      },
    });
    type Sev = (typeof SEVERITIES)[number]['value'];
    const severity = dropdown<Sev>({
      choices: SEVERITIES,
      selected: SEVERITIES.find((s) => s.value === ctx.ui.alertSeverity)?.value ?? '',
      label: 'Severity',
      id: 'alerts-severity',
      onChange: (v) => {
        ctx.ui.alertSeverity = v;
        ctx.saveState();
        this.renderGrid();
      },
    });
    this.frame.toolbar.append(filter.element, severity.element);
    this.content.append(this.summary, this.grid.element);
  }

  get element(): HTMLElement {
    return this.frame.element;
  }

  render(): void {
    const m = this.ctx.model;
    const view = sectionView(m.sources.alerts);
    this.frame.setStatus(view.status);
    this.frame.setCount(m.data.alerts?.length);
    switch (view.status) {
      case 'loading':
        return fill(this.frame.body, loadingView('Loading alerts…'));
      case 'error':
        return fill(this.frame.body, problemView(view.problems, () => this.ctx.retry('alerts')));
      case 'skipped':
        return fill(this.frame.body, emptyView(view.reason));
      case 'empty':
        return fill(this.frame.body, emptyView('No alerts related to this address.'));
      default:
        fill(this.frame.body, this.content);
        this.renderGrid();
    }
  }

  private renderGrid(): void {
    const all = this.ctx.model.data.alerts;
    if (!all) return;
    const ui = this.ctx.ui;
    const shown = sortAlerts(filterAlerts(all, { text: ui.alertFilter, severity: ui.alertSeverity }), ui.alertSort);
    fill(this.summary, shown.length === all.length ? `${all.length} alerts` : `${shown.length} of ${all.length} alerts`);
    const columns: GridColumn[] = COLUMNS.map((c) => ({
      title: c.title,
      width: c.width,
      ...(ui.alertSort.key === c.key ? { sort: ui.alertSort.dir === 'asc' ? ('ascending' as const) : ('descending' as const) } : {}),
      onHeaderClick: () => {
        ui.alertSort = toggleSort(ui.alertSort, c.key);
        this.ctx.saveState();
        this.renderGrid();
      },
    }));
    const selected = ui.selectedMachineId;
    this.grid.render(columns, shown.map((a) => this.row(a, selected)));
  }

  private row(a: Alert, selected: string | undefined): GridRow {
    const machine = alertMachine(a);
    const text = (s: string | undefined, max = 200) => {
      const v = s === undefined || s === '' ? '—' : visibleText(s);
      return { text: clip(v, max), title: v };
    };
    const machineId = a.machineId;
    return {
      key: a.id,
      selected: machineId !== undefined && machineId === selected,
      ...(machineId ? { onClick: () => this.ctx.selectMachine(machineId, false) } : {}),
      cells: [
        { text: a.severity || '—', className: `sev sev-${severityClass(a.severity)}` },
        text(a.status),
        {
          ...text(a.title),
          className: 'link',
          onClick: (e: Event) => {
            e.stopPropagation();
            if (machineId) this.ctx.selectMachine(machineId, false);
            void this.ctx.channel.request({ type: 'openPortal', target: 'alert', id: a.id }).then((r) => {
              if (!r.ok) this.ctx.notify(r.error, true);
            });
          },
        },
        text(a.category),
        text(a.detectionSource),
        machineId
          ? {
              ...text(machine),
              title: `Open the machine view of ${visibleText(machine || machineId)}`,
              onClick: (e: Event) => {
                e.stopPropagation();
                this.ctx.openMachine(machineId);
              },
            }
          : text(machine),
        { text: formatTime(alertFirstActivity(a)) },
        { text: formatTime(alertLastActivity(a)) },
        { text: a.incidentId !== undefined ? String(a.incidentId) : '—' },
      ],
    };
  }
}
