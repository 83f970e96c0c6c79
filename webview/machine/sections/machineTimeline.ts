// Timeline: the machine's most recent network events (time, action, local and remote address and port, process and
// its command line, account, file), virtualised for 10,000 rows, with the IP timeline's search box and index. A remote
// address opens its investigation.
import { textField } from '../../components/toolkit';
import type { SectionView } from '../../context';
import { fill, h } from '../../dom';
import { SectionFrame, emptyView, loadingView, problemView } from '../../sections/frame';
import { VirtualList } from '../../sections/virtualList';
import { LOOKBACK_LABELS, formatCount, formatTime, visibleText } from '../../viewModel/format';
import { sectionView } from '../../viewModel/sectionStatus';
import { TimelineSearch } from '../../sections/timelineSearch';
import { onIpLinks } from '../ipLinks';
import type { MachineContext } from '../machineContext';

const ROW_HEIGHT = 24;
const COLUMNS = ['Time (UTC)', 'Action', 'Local', 'Remote', 'Process', 'Command line', 'Account', 'File'];

function endpoint(ip: string | undefined, port: number | undefined): string {
  if (!ip) return port !== undefined ? `:${port}` : '';
  const addr = ip.includes(':') && port !== undefined ? `[${ip}]` : ip;
  return port !== undefined ? `${addr}:${port}` : addr;
}

export class MachineTimelineSection implements SectionView {
  private readonly frame = new SectionFrame('timeline', 'Timeline');
  private readonly list: VirtualList;
  private readonly countLine = h('p', { class: 'summary', id: 'machine-timeline-count', attrs: { 'aria-live': 'polite' } });
  private readonly truncated = h('p', { class: 'note' });
  private readonly content: HTMLElement;
  private readonly search = new TimelineSearch();
  private restoredScroll = false;

  constructor(private readonly ctx: MachineContext) {
    const search = textField({
      placeholder: 'Filter by address, process, port, action, date…',
      label: 'Filter the timeline',
      id: 'machine-timeline-filter',
      value: ctx.ui.timelineFilter,
      onInput: (v) => {
        ctx.ui.timelineFilter = v;
        this.scheduleFilter();
      },
    });
    this.frame.toolbar.append(search.element);
    this.list = new VirtualList({
      rowHeight: ROW_HEIGHT,
      label: 'Network events of this machine',
      createRow: () => this.createRow(),
      renderRow: (row, i) => this.renderRow(row, i),
      onScroll: (top) => {
        ctx.ui.timelineScrollTop = top;
        ctx.saveState();
      },
    });
    onIpLinks(this.list.element, (ip) => ctx.investigate(ip));
    const head = h('div', { class: 'mt-row tl-head', role: 'row' }, ...COLUMNS.map((c) => h('span', { role: 'columnheader' }, c)));
    this.content = h('div', { class: 'events-view' }, this.countLine, this.truncated, head, this.list.element);
  }

  get element(): HTMLElement {
    return this.frame.element;
  }

  renderedRows(): number {
    return this.list.renderedRows();
  }

  render(): void {
    const m = this.ctx.model;
    const view = sectionView(m.sources.timeline);
    this.frame.setStatus(view.status);
    this.frame.setCount(m.data.timeline?.length);
    switch (view.status) {
      case 'loading':
        return fill(this.frame.body, loadingView('Loading the timeline…'));
      case 'error':
        return fill(this.frame.body, problemView(view.problems, () => this.ctx.retry('timeline')));
      case 'skipped':
        return fill(this.frame.body, emptyView(view.reason));
      case 'empty':
        return fill(this.frame.body, emptyView(`No network events on this machine (${LOOKBACK_LABELS[m.identity?.lookback ?? '7d'].toLowerCase()}).`));
    }
    if (this.content.parentElement !== this.frame.body) fill(this.frame.body, this.content);
    const events = m.data.timeline ?? [];
    this.search.setEvents(events, m.versions.timeline);
    fill(this.truncated, m.data.timelineTruncated ? `Showing the newest ${formatCount(events.length)} events; older events exist (narrow the period or use Advanced Hunting).` : undefined);
    this.applyFilter();
    if (!this.restoredScroll && this.ctx.ui.timelineScrollTop > 0) {
      this.restoredScroll = true;
      this.list.scrollTop = this.ctx.ui.timelineScrollTop;
    }
  }

  private scheduleFilter(): void {
    this.search.schedule(() => {
      this.applyFilter();
      this.ctx.saveState();
      document.dispatchEvent(new CustomEvent('ipinv:machine-timeline-filtered'));
    });
  }

  private applyFilter(): void {
    if (!this.search.ready) return;
    const { rows, changed } = this.search.filter(this.ctx.ui.timelineFilter);
    const total = this.search.events.length;
    fill(this.countLine, rows.length === total ? `${formatCount(total)} events` : `${formatCount(rows.length)} of ${formatCount(total)} events`);
    if (changed) this.list.scrollTop = 0;
    this.list.setCount(rows.length);
  }

  private createRow(): HTMLElement {
    const row = h('div', { class: 'mt-row', role: 'row' });
    for (let i = 0; i < COLUMNS.length; i++) row.appendChild(h('span', { role: 'cell' }));
    return row;
  }

  private renderRow(row: HTMLElement, visibleIndex: number): void {
    const rows = this.search.rows;
    if (!rows) return;
    const e = this.search.events[rows[visibleIndex]];
    if (!e) return;
    const cells = row.children as HTMLCollectionOf<HTMLElement>;
    row.classList.toggle('odd', visibleIndex % 2 === 1);
    setCell(cells[0], formatTime(e.timestamp));
    setCell(cells[1], visibleText(e.actionType));
    setCell(cells[2], endpoint(e.localIp, e.localPort));
    const remote = endpoint(e.remoteIp, e.remotePort);
    setCell(cells[3], e.remoteUrl ? `${remote} ${visibleText(e.remoteUrl)}` : remote);
    // The remote address is a link (kept on the cell, which is recycled: class and data follow the event).
    cells[3].classList.toggle('ip-link', e.remoteIp !== undefined);
    if (e.remoteIp) {
      cells[3].dataset.ip = e.remoteIp;
      cells[3].tabIndex = 0;
    } else {
      delete cells[3].dataset.ip;
      cells[3].removeAttribute('tabindex');
    }
    setCell(cells[4], e.process ? visibleText(e.process) : '');
    setCell(cells[5], e.commandLine ? visibleText(e.commandLine) : '');
    setCell(cells[6], e.account ? visibleText(e.account) : '');
    setCell(cells[7], e.folder ? visibleText(e.folder) : '');
  }
}

function setCell(cell: HTMLElement, text: string, title?: string): void {
  if (cell.textContent !== text) cell.textContent = text;
  const t = title ?? text;
  if (t) cell.setAttribute('title', t.length > 1000 ? `${t.slice(0, 999)}…` : t);
  else cell.removeAttribute('title');
}
