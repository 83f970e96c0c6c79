// Alerts related to this IP: a sortable, filterable grid; clicking a title opens the alert in the portal
// and selects its machine; clicking a row selects the machine.
import type { Alert } from '../../src/shared/protocol';
import { dataGrid, type GridRow } from '../components/grid';
import type { PanelContext, SectionView } from '../context';
import { fill, h } from '../dom';
import { alertFirstActivity, alertLastActivity, alertMachine, type AlertSortKey } from '../viewModel/alerts';
import { clip, formatTime, severityClass, visibleText } from '../viewModel/format';
import { sectionView } from '../viewModel/sectionStatus';
import { alertColumns, alertToolbar, shownAlerts } from './alertTable';
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

export class AlertsSection implements SectionView {
  private readonly frame = new SectionFrame('alerts', 'Alerts related to this IP');
  private readonly grid = dataGrid('Alerts related to this IP');
  private readonly summary = h('p', { class: 'summary' });
  private readonly content = h('div', { class: 'alerts-content' });

  constructor(private readonly ctx: PanelContext) {
    this.frame.toolbar.append(...alertToolbar(ctx.ui, () => ctx.saveState(), () => this.renderGrid()));
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
    const { shown, summary } = shownAlerts(all, ui);
    fill(this.summary, summary);
    const columns = alertColumns(COLUMNS, ui, () => this.ctx.saveState(), () => this.renderGrid());
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
