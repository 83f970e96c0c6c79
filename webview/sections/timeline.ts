// Most recent observed machines with IP: the events timeline (virtual scrolling, filter as you type,
// each machine's alerts) and the observed machines; a machine click reveals it and shows its card.
import { badge } from '../components/badge';
import { dataGrid, type GridRow } from '../components/grid';
import { tabs, textField } from '../components/toolkit';
import type { PanelContext, SectionView } from '../context';
import { fill, h } from '../dom';
import { alertsByMachine, type MachineAlerts } from '../viewModel/alerts';
import { clip, formatCount, formatPorts, formatTime, severityClass, visibleText } from '../viewModel/format';
import { sectionView, stillLoading } from '../viewModel/sectionStatus';
import { distinctMachines } from '../viewModel/timeline';
import { SectionFrame, emptyView, loadingView, problemView } from './frame';
import { MachineCard } from './machineCard';
import { NOT_OBSERVED } from './organization';
import { TimelineSearch } from './timelineSearch';
import { VirtualList } from './virtualList';

export const ROW_HEIGHT = 24;
const COLUMNS = ['Time (UTC)', 'Machine', 'Alerts', 'Action', 'Local port', 'Remote', 'Process', 'File'];

export class TimelineSection implements SectionView {
  private readonly frame = new SectionFrame('timeline', 'Most recent observed machines with IP');
  private readonly list: VirtualList;
  private readonly countLine = h('p', { class: 'summary', id: 'timeline-count', attrs: { 'aria-live': 'polite' } });
  private readonly truncated = h('p', { class: 'note' });
  private readonly machinesGrid = dataGrid('Observed machines');
  private readonly eventsView: HTMLElement;
  private readonly machinesView = h('div', { class: 'machines-view' });
  private readonly tabs: ReturnType<typeof tabs>;
  private readonly content: HTMLElement;
  private readonly partial = h('div', { class: 'partial-slot' });
  readonly card: MachineCard;
  private readonly search = new TimelineSearch();
  private machineAlerts = new Map<string, MachineAlerts>();
  private alertsVersion = -1;
  private restoredScroll = false;

  constructor(private readonly ctx: PanelContext) {
    const search = textField({
      placeholder: 'Filter by machine, file, process, date…',
      label: 'Filter the timeline',
      id: 'timeline-filter',
      value: ctx.ui.timelineFilter,
      onInput: (v) => {
        ctx.ui.timelineFilter = v;
        this.scheduleFilter();
      },
    });
    this.frame.toolbar.append(search.element);
    this.list = new VirtualList({
      rowHeight: ROW_HEIGHT,
      label: 'Network events with this address',
      createRow: () => this.createRow(),
      renderRow: (row, i) => this.renderRow(row, i),
      onScroll: (top) => {
        ctx.ui.timelineScrollTop = top;
        ctx.saveState();
      },
    });
    const activate = (e: Event) => {
      const target = e.target instanceof Element ? e.target.closest('[data-machine]') : null;
      const id = target instanceof HTMLElement ? target.dataset.machine : undefined;
      if (id) ctx.selectMachine(id, true);
    };
    this.list.element.addEventListener('click', activate);
    this.list.element.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        activate(e);
      }
    });
    const head = h('div', { class: 'tl-row tl-head', role: 'row' }, ...COLUMNS.map((c) => h('span', { role: 'columnheader' }, c)));
    this.eventsView = h('div', { class: 'events-view' }, this.countLine, this.truncated, head, this.list.element);
    this.tabs = tabs(
      [
        { id: 'events', label: 'Events', content: this.eventsView },
        { id: 'machines', label: 'Machines', content: this.machinesView },
      ],
      ctx.ui.timelineTab,
      (id) => {
        ctx.ui.timelineTab = id === 'machines' ? 'machines' : 'events';
        ctx.saveState();
        if (id === 'events') this.list.refresh();
      },
    );
    this.card = new MachineCard(ctx);
    this.content = h('div', { class: 'timeline-content' }, this.tabs.element, this.card.element);
  }

  get element(): HTMLElement {
    return this.frame.element;
  }

  /** Rows in the DOM right now (the benchmark and tests check virtualisation with it). */
  renderedRows(): number {
    return this.list.renderedRows();
  }

  render(): void {
    const m = this.ctx.model;
    const s = m.sources;
    const view = sectionView(s.timeline, [s.machines, s.machineDetails]);
    this.frame.setStatus(view.status);
    this.frame.setBusy(view.status !== 'loading' && stillLoading([s.machines, s.machineDetails]));
    this.frame.setCount(m.data.timeline?.length);
    switch (view.status) {
      case 'loading':
        return fill(this.frame.body, loadingView('Loading the timeline…'));
      case 'error':
        return fill(this.frame.body, problemView(view.problems, () => this.ctx.retry('timeline')));
      case 'skipped':
        return fill(this.frame.body, emptyView(view.reason));
      case 'empty':
        return fill(this.frame.body, emptyView(`${NOT_OBSERVED} in this period.`));
    }
    // The content stays attached (re-attaching would lose the list's scroll position).
    if (this.content.parentElement !== this.frame.body) fill(this.frame.body, this.partial, this.content);
    fill(this.partial, view.status === 'partial' ? problemView(view.problems, () => this.ctx.retry(s.machines.state === 'failed' ? 'machines' : 'machineDetails'), true) : undefined);
    const events = m.data.timeline ?? [];
    this.search.setEvents(events, m.versions.timeline);
    if (this.alertsVersion !== m.versions.alerts) {
      this.machineAlerts = alertsByMachine(m.data.alerts ?? []);
      this.alertsVersion = m.versions.alerts;
    }
    fill(this.truncated, m.data.timelineTruncated ? `Showing the newest ${formatCount(events.length)} events; older events exist (narrow the period or use Advanced Hunting).` : undefined);
    this.applyFilter();
    if (!this.restoredScroll && this.ctx.ui.timelineScrollTop > 0) {
      this.restoredScroll = true;
      this.list.scrollTop = this.ctx.ui.timelineScrollTop;
    }
    this.renderMachines();
    this.card.render();
  }

  /** Selection changed: re-mark rows and the card without recomputing anything else. */
  renderSelection(): void {
    this.list.refresh();
    this.renderMachines();
    this.card.render();
  }

  private scheduleFilter(): void {
    // Light debounce: one filter per animation frame, however fast the typing.
    this.search.schedule(() => {
      this.applyFilter();
      this.ctx.saveState();
      document.dispatchEvent(new CustomEvent('ipinv:timeline-filtered'));
    });
  }

  private applyFilter(): void {
    if (!this.search.ready) return;
    const { rows, changed } = this.search.filter(this.ctx.ui.timelineFilter);
    const total = this.search.events.length;
    const machines = distinctMachines(this.search.events, rows);
    fill(
      this.countLine,
      rows.length === total
        ? `${formatCount(total)} events on ${formatCount(machines)} machines`
        : `${formatCount(rows.length)} of ${formatCount(total)} events on ${formatCount(machines)} machines`,
    );
    if (changed) this.list.scrollTop = 0;
    this.list.setCount(rows.length);
  }

  private createRow(): HTMLElement {
    const row = h('div', { class: 'tl-row', role: 'row' });
    for (let i = 0; i < COLUMNS.length; i++) row.appendChild(h('span', { role: 'cell' }));
    const machine = row.children[1] as HTMLElement;
    machine.classList.add('machine-link');
    // Reachable from the keyboard; Enter or Space selects it (handled on the list).
    machine.tabIndex = 0;
    return row;
  }

  private renderRow(row: HTMLElement, visibleIndex: number): void {
    const rows = this.search.rows;
    if (!rows) return;
    const e = this.search.events[rows[visibleIndex]];
    const cells = row.children as HTMLCollectionOf<HTMLElement>;
    const selected = this.ctx.ui.selectedMachineId;
    row.classList.toggle('selected', e.deviceId === selected);
    row.classList.toggle('odd', visibleIndex % 2 === 1);
    setCell(cells[0], formatTime(e.timestamp));
    const name = visibleText(e.deviceName);
    setCell(cells[1], name);
    cells[1].dataset.machine = e.deviceId;
    const alerts = this.machineAlerts.get(e.deviceId);
    cells[2].className = alerts ? `alerts-badge sev-${severityClass(alerts.topSeverity)}` : '';
    setCell(cells[2], alerts ? `⚠ ${alerts.count}` : '', alerts ? alerts.alerts.map((a) => `${a.severity}: ${clip(visibleText(a.title), 120)}`).join('\n') : '');
    setCell(cells[3], visibleText(e.actionType));
    setCell(cells[4], e.localPort !== undefined ? String(e.localPort) : '');
    setCell(cells[5], remote(e.remoteIp, e.remotePort, e.remoteUrl));
    setCell(cells[6], e.process ? visibleText(e.process) : '', e.commandLine ? visibleText(e.commandLine) : undefined);
    setCell(cells[7], e.folder ? visibleText(e.folder) : '');
  }

  private renderMachines(): void {
    const m = this.ctx.model;
    const machines = m.data.machines;
    const state = m.sources.machines;
    if (state.state === 'failed') return fill(this.machinesView, problemView([state.problem], () => this.ctx.retry('machines')));
    if (!machines) return fill(this.machinesView, loadingView('Loading machines…'));
    if (machines.length === 0) return fill(this.machinesView, emptyView(NOT_OBSERVED));
    if (this.machinesGrid.element.parentElement !== this.machinesView) fill(this.machinesView, this.machinesGrid.element);
    const selected = this.ctx.ui.selectedMachineId;
    const rows: GridRow[] = machines.map((o) => {
      const details = m.data.machineDetails?.[o.id];
      const alerts = this.machineAlerts.get(o.id);
      const name = visibleText(details?.computerDnsName ?? o.name);
      return {
        key: o.id,
        selected: o.id === selected,
        onClick: () => this.ctx.selectMachine(o.id, true),
        cells: [
          {
            text: clip(name, 120),
            title: `Open the machine view of ${name}`,
            className: 'machine-link',
            onClick: (e: Event) => {
              e.stopPropagation();
              this.ctx.openMachine(o.id);
            },
          },
          { text: formatCount(o.events) },
          { text: formatTime(o.lastSeen) },
          { text: formatTime(o.firstSeen) },
          { text: formatPorts(o.remotePorts) },
          { text: clip(visibleText(o.processes.join(', ')), 120), title: visibleText(o.processes.join(', ')) },
          { text: details?.riskScore ?? '—' },
          alerts ? { text: '', extra: badge(`⚠ ${alerts.count}`, `sev-${severityClass(alerts.topSeverity)}`) } : { text: '' },
        ],
      };
    });
    this.machinesGrid.render(
      [
        { title: 'Machine', width: 'minmax(160px, 3fr)' },
        { title: 'Events', width: '70px' },
        { title: 'Last seen', width: '170px' },
        { title: 'First seen', width: '170px' },
        { title: 'Remote ports', width: 'minmax(80px, 1fr)' },
        { title: 'Processes', width: 'minmax(120px, 2fr)' },
        { title: 'Risk', width: '70px' },
        { title: 'Alerts', width: '70px' },
      ],
      rows,
    );
  }
}

function remote(ip: string | undefined, port: number | undefined, url: string | undefined): string {
  const addr = ip ? (ip.includes(':') && port !== undefined ? `[${ip}]` : ip) : '';
  const hostPort = port !== undefined ? `${addr}:${port}` : addr;
  return url ? `${hostPort} ${visibleText(url)}`.trim() : hostPort;
}

function setCell(cell: HTMLElement, text: string, title?: string): void {
  if (cell.textContent !== text) cell.textContent = text;
  const t = title ?? text;
  if (t) cell.setAttribute('title', t.length > 1000 ? `${t.slice(0, 999)}…` : t);
  else cell.removeAttribute('title');
}
