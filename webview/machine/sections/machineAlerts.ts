// Alerts on this machine: a sortable, filterable grid (the investigation panel's grid and alert sorting); a title opens
// the alert in the portal; each evidence IP opens its investigation.
import type { Alert } from '../../../src/shared/machineProtocol';
import { dataGrid, type GridRow } from '../../components/grid';
import type { SectionView } from '../../context';
import { fill, h } from '../../dom';
import { alertColumns, alertToolbar, shownAlerts } from '../../sections/alertTable';
import { SectionFrame, emptyView, loadingView, problemView } from '../../sections/frame';
import { alertFirstActivity, alertLastActivity, type AlertSortKey } from '../../viewModel/alerts';
import { clip, formatTime, severityClass, visibleText } from '../../viewModel/format';
import { sectionView } from '../../viewModel/sectionStatus';
import { ipLink, onIpLinks } from '../ipLinks';
import type { MachineContext } from '../machineContext';

const COLUMNS: { key?: AlertSortKey; title: string; width: string }[] = [
  { key: 'severity', title: 'Severity', width: '90px' },
  { key: 'status', title: 'Status', width: '90px' },
  { key: 'title', title: 'Title', width: 'minmax(180px, 3fr)' },
  { key: 'category', title: 'Category', width: 'minmax(90px, 1fr)' },
  { key: 'detectionSource', title: 'Detection source', width: 'minmax(90px, 1fr)' },
  { key: 'firstActivity', title: 'First activity', width: '170px' },
  { key: 'lastActivity', title: 'Last activity', width: '170px' },
  { key: 'incidentId', title: 'Incident', width: '80px' },
  { title: 'Evidence IPs', width: 'minmax(120px, 1.4fr)' },
];

/** The distinct evidence addresses of an alert (untrusted text: shown as text, sent back only if the host knows it). */
export function evidenceIps(a: Alert): string[] {
  return [...new Set(a.evidence.map((e) => e.ipAddress).filter((ip): ip is string => ip !== undefined && ip !== ''))];
}

export class MachineAlertsSection implements SectionView {
  private readonly frame = new SectionFrame('alerts', 'Alerts on this machine');
  private readonly grid = dataGrid('Alerts on this machine');
  private readonly summary = h('p', { class: 'summary', id: 'alerts-summary' });
  private readonly content = h('div', { class: 'alerts-content' });

  constructor(private readonly ctx: MachineContext) {
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
        return fill(this.frame.body, emptyView('No alerts on this machine.'));
    }
    fill(this.frame.body, this.content);
    this.renderGrid();
  }

  private renderGrid(): void {
    const all = this.ctx.model.data.alerts;
    if (!all) return;
    const { shown, summary } = shownAlerts(all, this.ctx.ui);
    fill(this.summary, summary);
    this.grid.render(
      alertColumns(COLUMNS, this.ctx.ui, () => this.ctx.saveState(), () => this.renderGrid()),
      shown.map((a) => this.row(a)),
    );
  }

  private row(a: Alert): GridRow {
    const text = (s: string | undefined, max = 200) => {
      const v = s === undefined || s === '' ? '—' : visibleText(s);
      return { text: clip(v, max), title: v };
    };
    const ips = evidenceIps(a);
    const links = h('span', { class: 'ip-list' });
    ips.slice(0, 6).forEach((ip, i) => {
      if (i > 0) links.append(', ');
      links.append(ipLink(ip));
    });
    onIpLinks(links, (ip) => this.ctx.investigate(ip));
    if (ips.length > 6) links.append(` (+${ips.length - 6})`);
    return {
      key: a.id,
      cells: [
        { text: a.severity || '—', className: `sev sev-${severityClass(a.severity)}` },
        text(a.status),
        { ...text(a.title), onClick: () => this.ctx.request({ type: 'openPortal', target: 'alert', id: a.id }) },
        text(a.category),
        text(a.detectionSource),
        { text: formatTime(alertFirstActivity(a)) },
        { text: formatTime(alertLastActivity(a)) },
        { text: a.incidentId !== undefined ? String(a.incidentId) : '—' },
        ips.length > 0 ? { text: '', extra: links, title: ips.join(', ') } : { text: '—' },
      ],
    };
  }
}
