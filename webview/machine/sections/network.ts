// Network activity: every remote address the machine talked to in the period, from one hunting query, classified,
// split public/internal, rarest first (the address this machine alone talked to on top). A virtual list (thousands of
// addresses cost the DOM of thirty), the IP timeline's search, sortable columns; an address opens its investigation
// in one click, and "Triage these addresses" runs the bulk triage on what is shown.
import { MAX_TRIAGE_ADDRESSES, type RemoteAddress } from '../../../src/shared/machineProtocol';
import { button, textField } from '../../components/toolkit';
import type { SectionView } from '../../context';
import { fill, h } from '../../dom';
import { SectionFrame, emptyView, loadingView, noteView, problemView } from '../../sections/frame';
import { VirtualList } from '../../sections/virtualList';
import { LOOKBACK_LABELS, formatCount, formatPorts, formatTime, visibleText } from '../../viewModel/format';
import { sectionView } from '../../viewModel/sectionStatus';
import { onIpLinks } from '../ipLinks';
import type { MachineContext } from '../machineContext';
import { NETWORK_TABS, NetworkView, seenByText, splitCounts, toggleNetworkSort, type NetworkSortKey, type NetworkTab } from '../networkModel';

export const NETWORK_ROW_HEIGHT = 24;

const COLUMNS: { title: string; sort?: NetworkSortKey }[] = [
  { title: 'Address', sort: 'ip' },
  { title: 'Class' },
  { title: 'Seen by', sort: 'rarity' },
  { title: 'Connections', sort: 'connections' },
  { title: 'First seen', sort: 'firstSeen' },
  { title: 'Last seen', sort: 'lastSeen' },
  { title: 'Ports' },
  { title: 'Processes' },
  { title: 'Host' },
];

const TAB_LABELS: Record<NetworkTab, string> = { all: 'All', public: 'Public', internal: 'Internal' };

export class NetworkSection implements SectionView {
  private readonly frame = new SectionFrame('network', 'Network activity');
  private readonly list: VirtualList;
  private readonly summary = h('p', { class: 'summary', id: 'network-summary', attrs: { 'aria-live': 'polite' } });
  private readonly notes = h('div', { class: 'network-notes' });
  private readonly tabs = h('div', { class: 'chips', id: 'network-tabs', role: 'group', attrs: { 'aria-label': 'Which addresses' } });
  private readonly tabButtons = new Map<NetworkTab, HTMLButtonElement>();
  private readonly head = h('div', { class: 'na-row na-head', role: 'row' });
  private readonly content: HTMLElement;
  private readonly view = new NetworkView();
  private version = -1;
  private rows: Uint32Array = new Uint32Array(0);
  private pendingFilter = 0;
  private restoredScroll = false;

  constructor(private readonly ctx: MachineContext) {
    const search = textField({
      placeholder: 'Filter by address, process, port, host…',
      label: 'Filter the remote addresses',
      id: 'network-filter',
      value: ctx.ui.networkFilter,
      onInput: (v) => {
        ctx.ui.networkFilter = v;
        this.scheduleFilter();
      },
    });
    this.frame.toolbar.append(
      search.element,
      button('Triage these addresses', { id: 'network-triage', title: 'Run the bulk triage on the addresses shown', onClick: () => this.triage() }),
      button('Export CSV…', { id: 'network-export', onClick: () => ctx.request({ type: 'export', format: 'csv' }) }),
    );
    this.list = new VirtualList({
      rowHeight: NETWORK_ROW_HEIGHT,
      label: 'Remote addresses this machine talked to',
      createRow: () => this.createRow(),
      renderRow: (row, i) => this.renderRow(row, i),
      onScroll: (top) => {
        ctx.ui.networkScrollTop = top;
        ctx.saveState();
      },
    });
    onIpLinks(this.list.element, (ip) => ctx.investigate(ip));
    for (const t of NETWORK_TABS) {
      const b = h('button', { class: 'chip', id: `network-tab-${t}`, attrs: { type: 'button' } }, TAB_LABELS[t]);
      b.addEventListener('click', () => {
        ctx.ui.networkTab = t;
        ctx.saveState();
        this.apply(true);
      });
      this.tabButtons.set(t, b);
      this.tabs.append(b);
    }
    this.content = h('div', { class: 'network-content' }, h('div', { class: 'network-bar' }, this.tabs, this.summary), this.notes, this.head, this.list.element);
  }

  get element(): HTMLElement {
    return this.frame.element;
  }

  /** Address rows in the DOM right now (the benchmark and tests check virtualisation with it). */
  renderedRows(): number {
    return this.list.renderedRows();
  }

  render(): void {
    const m = this.ctx.model;
    const status = sectionView(m.sources.network);
    this.frame.setStatus(status.status);
    this.frame.setCount(m.data.network?.remotes.length);
    switch (status.status) {
      case 'loading':
        return fill(this.frame.body, loadingView('Asking Defender for the addresses this machine talked to…'));
      case 'error':
        return fill(this.frame.body, problemView(status.problems, () => this.ctx.retry('network')));
      case 'skipped':
        return fill(this.frame.body, emptyView(status.reason));
      case 'empty':
        return fill(this.frame.body, emptyView(`No network activity on this machine (${LOOKBACK_LABELS[m.identity?.lookback ?? '7d'].toLowerCase()}).`));
    }
    const activity = m.data.network;
    if (!activity) return;
    // The content stays attached (re-attaching would lose the list's scroll position).
    if (this.content.parentElement !== this.frame.body) fill(this.frame.body, this.content);
    if (this.version !== m.versions.network) {
      this.version = m.versions.network;
      this.view.setRemotes(activity.remotes);
    }
    const notes: HTMLElement[] = [];
    if (activity.truncated) notes.push(noteView(`Showing the ${formatCount(activity.remotes.length)} rarest addresses; more exist (narrow the period or use Advanced Hunting).`));
    if (activity.dropped > 0) notes.push(noteView(`${formatCount(activity.dropped)} rows without a readable address were left out.`));
    fill(this.notes, ...notes);
    this.renderHead();
    this.apply();
    if (!this.restoredScroll && this.ctx.ui.networkScrollTop > 0) {
      this.restoredScroll = true;
      this.list.scrollTop = this.ctx.ui.networkScrollTop;
    }
  }

  private renderTabs(): void {
    const counts = splitCounts(this.view.all);
    for (const [t, b] of this.tabButtons) {
      fill(b, `${TAB_LABELS[t]} (${formatCount(counts[t])})`);
      b.setAttribute('aria-pressed', String(this.ctx.ui.networkTab === t));
    }
  }

  private renderHead(): void {
    const sort = this.ctx.ui.networkSort;
    fill(
      this.head,
      ...COLUMNS.map((c) => {
        if (!c.sort) return h('span', { role: 'columnheader' }, c.title);
        const key = c.sort;
        const sorted = sort.key === key;
        const b = h('button', { class: 'sort', id: `network-sort-${key}`, attrs: { type: 'button', title: `Sort by ${c.title.toLowerCase()}` } }, c.title, sorted ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
        b.addEventListener('click', () => {
          this.ctx.ui.networkSort = toggleNetworkSort(this.ctx.ui.networkSort, key);
          this.ctx.saveState();
          this.renderHead();
          this.apply(true);
          // The header was rebuilt: keep the focus on the same column.
          requestAnimationFrame(() => document.getElementById(`network-sort-${key}`)?.focus());
        });
        return h('span', { role: 'columnheader', attrs: sorted ? { 'aria-sort': sort.dir === 'asc' ? 'ascending' : 'descending' } : {} }, b);
      }),
    );
  }

  private scheduleFilter(): void {
    if (this.pendingFilter) return;
    this.pendingFilter = requestAnimationFrame(() => {
      this.pendingFilter = 0;
      this.apply(true);
      this.ctx.saveState();
      document.dispatchEvent(new CustomEvent('ipinv:network-filtered'));
    });
  }

  /** Recomputes the rows shown (tab, filter, sort) and repaints the list; `toTop` after the user changed them. */
  private apply(toTop = false): void {
    const ui = this.ctx.ui;
    this.renderTabs();
    this.rows = this.view.rows(ui.networkTab, ui.networkFilter, ui.networkSort);
    const all = this.view.all;
    const counts = splitCounts(all);
    const alone = all.reduce((n, r) => n + (r.orgPrevalence <= 1 ? 1 : 0), 0);
    const period = LOOKBACK_LABELS[this.ctx.model.identity?.lookback ?? '7d'].toLowerCase();
    const shown = this.rows.length === all.length ? '' : ` · showing ${formatCount(this.rows.length)}`;
    fill(
      this.summary,
      `${formatCount(all.length)} remote addresses (${formatCount(counts.public)} public, ${formatCount(counts.internal)} internal), ${formatCount(alone)} seen by this machine alone · ${period}${shown}`,
    );
    if (toTop) this.list.scrollTop = 0;
    this.list.setCount(this.rows.length);
  }

  private triage(): void {
    const ips: string[] = [];
    for (const i of this.rows) {
      if (ips.length >= MAX_TRIAGE_ADDRESSES) break;
      ips.push(this.view.all[i].ip);
    }
    if (ips.length === 0) return this.ctx.notify('No addresses to triage: clear the filter first.', true);
    this.ctx.request({ type: 'triage', ips });
  }

  private createRow(): HTMLElement {
    const row = h('div', { class: 'na-row', role: 'row' });
    for (let i = 0; i < COLUMNS.length; i++) row.appendChild(h('span', { role: 'cell' }));
    const address = row.children[0] as HTMLElement;
    address.classList.add('ip-link');
    // Reachable from the keyboard; Enter or Space investigates it (handled on the list).
    address.tabIndex = 0;
    address.setAttribute('role', 'link');
    return row;
  }

  private renderRow(row: HTMLElement, visibleIndex: number): void {
    const r: RemoteAddress | undefined = this.view.all[this.rows[visibleIndex]];
    if (!r) return;
    const cells = row.children as HTMLCollectionOf<HTMLElement>;
    row.classList.toggle('odd', visibleIndex % 2 === 1);
    row.classList.toggle('rare', r.orgPrevalence <= 1);
    row.dataset.ip = r.ip;
    setCell(cells[0], r.ip, `Investigate ${r.ip}`);
    cells[0].dataset.ip = r.ip;
    setCell(cells[1], r.internal ? `${r.ipClass} (internal)` : r.ipClass);
    setCell(cells[2], seenByText(r));
    setCell(cells[3], r.failed > 0 || r.inbound > 0 ? `${formatCount(r.connections)} (${[r.failed > 0 ? `${formatCount(r.failed)} failed` : '', r.inbound > 0 ? `${formatCount(r.inbound)} in` : ''].filter(Boolean).join(', ')})` : formatCount(r.connections));
    setCell(cells[4], formatTime(r.firstSeen));
    setCell(cells[5], formatTime(r.lastSeen));
    setCell(cells[6], formatPorts(r.ports));
    setCell(cells[7], visibleText(r.processes.join(', ')));
    setCell(cells[8], visibleText(r.urls.join(', ')));
  }
}

function setCell(cell: HTMLElement, text: string, title?: string): void {
  if (cell.textContent !== text) cell.textContent = text;
  const t = title ?? text;
  if (t) cell.setAttribute('title', t.length > 1000 ? `${t.slice(0, 999)}…` : t);
  else cell.removeAttribute('title');
}
