// The triage table: a header with what ran and what it found, a filter and verdict chips, and a virtualised, sortable
// grid of every address. Rows stream in from the host; a row opens the investigation panel or shows the address in its
// file. Everything from the host is set as text.
import { badge } from '../components/badge';
import { button, registerComponents, textField, type TextFieldHandle } from '../components/toolkit';
import { TRIAGE_VERDICTS, type TriageVerdict } from '../../src/shared/triageModel';
import { VERDICT_LABELS as MARK_LABELS } from '../../src/shared/annotation';
import { sanitizeTriageViewState, type TriageHostMessage, type TriageRequest, type TriageRow, type TriageSummary } from '../../src/shared/triageProtocol';
import { el, setText } from './element';
import { rowWindow, scrollToShow, TriageTableModel, type SortKey } from './tableModel';
import type { TriageChannel } from './triageChannel';

const ROW_HEIGHT = 26;

const VERDICT_LABELS: Record<TriageVerdict, string> = {
  alerts: 'With alerts',
  seen: 'Seen',
  'not-seen': 'Not seen',
  internal: 'Internal',
  skipped: 'Skipped',
  unknown: 'Not answered',
  pending: 'Pending',
};

interface Column {
  key: SortKey | 'select' | 'detail' | 'actions';
  title: string;
  /** What a screen reader hears for the header when it differs from the title. */
  label?: string;
}

const COLUMNS: readonly Column[] = [
  { key: 'select', title: '', label: 'Select' },
  { key: 'ip', title: 'Address' },
  { key: 'ipClass', title: 'Class' },
  { key: 'verdict', title: 'Verdict' },
  { key: 'mark', title: 'Your verdict', label: 'Your verdict (kept with the investigation history)' },
  { key: 'indicator', title: 'Indicator', label: 'Indicator (the tenant\u2019s block, warn, audit or allow)' },
  { key: 'machines', title: 'Machines', label: 'Machines (prevalence, or holders of an internal address)' },
  { key: 'alerts', title: 'Alerts' },
  { key: 'firstSeen', title: 'First seen' },
  { key: 'lastSeen', title: 'Last seen' },
  { key: 'occurrences', title: 'Occurrences' },
  { key: 'detail', title: 'Detail' },
  { key: 'actions', title: 'Actions' },
];

/** Cell index of each column. */
const COL = Object.fromEntries(COLUMNS.map((c, i) => [c.key, i])) as Record<Column['key'], number>;

/** The chip's class of an indicator action (legacy actions read as their current one). */
function indicatorClass(action: string): string {
  if (action === 'Block' || action === 'AlertAndBlock' || action === 'BlockAndRemediate') return 'block';
  if (action === 'Allowed') return 'allow';
  if (action === 'Warn') return 'warn';
  return 'audit';
}

const nf = new Intl.NumberFormat('en-US');
const num = (n: number | undefined): string => (n === undefined ? '' : nf.format(n));

/** `2026-11-20 10:03 UTC`. */
function shortTime(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Row element ids for aria-activedescendant: derived from the address, which holds only [0-9a-f:.]. */
const rowId = (ip: string): string => `row-${ip.replace(/[:.]/g, '-')}`;

interface RowParts {
  row: HTMLElement;
  cells: HTMLElement[];
  select: HTMLInputElement;
  indicator: HTMLElement;
  verdict: HTMLElement;
  mark: HTMLElement;
  alerts: HTMLElement;
  open: HTMLButtonElement;
  reveal: HTMLButtonElement;
  machines: HTMLButtonElement;
  markButton: HTMLButtonElement;
  ip: string;
}

export class TriageApp {
  private readonly model: TriageTableModel;
  private readonly root: HTMLElement;
  private readonly title = el('h1', { id: 'triage-source' });
  private readonly counts = el('p', { class: 'counts', id: 'triage-counts' });
  private readonly calls = el('p', { class: 'calls', id: 'triage-calls' });
  private readonly stateLine = el('p', { class: 'state', id: 'triage-state', attrs: { 'aria-live': 'polite' } });
  private readonly notes = el('ul', { class: 'notes', id: 'triage-notes' });
  private readonly demo = el('p', { class: 'demo-banner', id: 'triage-demo', attrs: { hidden: '' } }, 'Demo tenant: simulated data');
  private readonly chips = el('div', { class: 'chips', id: 'triage-chips', attrs: { role: 'group', 'aria-label': 'Show verdicts' } });
  private readonly status = el('p', { class: 'status', id: 'triage-status', attrs: { role: 'status' } });
  private readonly shown = el('span', { class: 'shown', id: 'triage-shown' });
  private readonly cancel: HTMLElement;
  private readonly addIndicators: HTMLElement;
  private readonly removeIndicators: HTMLElement;
  private readonly filter: TextFieldHandle;
  private readonly grid = el('div', { class: 't-grid', id: 'triage-grid', attrs: { role: 'grid', 'aria-label': 'Triaged addresses', tabindex: '0' } });
  private readonly head = el('div', { class: 't-row t-head', attrs: { role: 'row', 'aria-rowindex': '1' } });
  private readonly spacer = el('div', { class: 't-spacer' });
  private readonly body = el('div', { class: 't-body', attrs: { role: 'rowgroup' } });
  private readonly empty = el('p', { class: 'empty', id: 'triage-empty' });
  private readonly pool: RowParts[] = [];
  /** Height of the grid (the scroll container, header included), known from a ResizeObserver. */
  private viewportHeight = 400;
  private scrollTop = 0;
  private frame = 0;
  private headDirty = true;
  private active: string | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly channel: TriageChannel,
    mount: HTMLElement,
  ) {
    registerComponents();
    this.model = new TriageTableModel((v) => VERDICT_LABELS[v], sanitizeTriageViewState(channel.getState()));
    this.filter = textField({
      placeholder: 'Filter: address, class, verdict, alert, file…',
      label: 'Filter addresses',
      id: 'triage-filter',
      value: this.model.filter,
      onInput: (v) => {
        this.model.setFilter(v);
        this.scrollTo(0);
        this.invalidate();
        this.save();
      },
    });
    this.cancel = button('Cancel', { id: 'triage-cancel', title: 'Stop the triage; what arrived is kept', onClick: () => this.request({ type: 'cancel' }) });
    const exportButton = button('Export…', { id: 'triage-export', title: 'CSV, JSON, a Markdown report or a STIX bundle', onClick: () => this.request({ type: 'export' }) });
    this.addIndicators = button('Add indicators…', {
      id: 'triage-add-indicators',
      title: 'Block, warn, audit, alert or allow the selected addresses (a form, then one confirmation)',
      onClick: () => {
        const s = this.model.selection();
        if (s.ips.length > 0) this.request({ type: 'addIndicators', ips: s.ips });
      },
    });
    this.removeIndicators = button('Remove indicators…', {
      id: 'triage-remove-indicators',
      title: 'Remove the indicators of the selected addresses (after a confirmation)',
      onClick: () => {
        const s = this.model.selection();
        if (s.withIndicator.length > 0) this.request({ type: 'removeIndicators', ips: s.withIndicator });
      },
    });
    this.spacer.append(this.body);
    // The grid scrolls both ways (its scroll bars stay at its edges); the header row is sticky.
    this.grid.append(this.head, this.spacer);
    this.root = el(
      'main',
      { class: 'triage', id: 'triage', attrs: { 'data-ready': 'false' } },
      el('header', { class: 'summary' }, this.title, this.demo, this.counts, this.calls, this.stateLine, this.notes),
      el('div', { class: 'toolbar' }, this.filter.element, this.chips, el('span', { class: 'spacer-flex' }), this.shown, this.addIndicators, this.removeIndicators, this.cancel, exportButton),
      this.status,
      this.grid,
      this.empty,
      el('p', { class: 'hint' }, 'Enter or double-click: investigate the address · Shift+Enter: show it in its file · Space: select it · arrows, Page Up/Down, Home/End: move'),
    );
    mount.replaceChildren(this.root);
    this.wire();
    channel.onMessage((m) => this.onMessage(m));
  }

  start(): void {
    setText(this.stateLine, 'Waiting for the triage…');
    this.channel.ready();
  }

  private wire(): void {
    this.grid.addEventListener('scroll', () => {
      if (this.grid.scrollTop === this.scrollTop) return; // horizontal scrolling
      this.scrollTop = this.grid.scrollTop;
      this.invalidate();
    });
    new ResizeObserver((entries) => {
      const h = entries[entries.length - 1]?.contentRect.height ?? 0;
      if (h > 0 && h !== this.viewportHeight) {
        this.viewportHeight = h;
        this.invalidate();
      }
    }).observe(this.grid);
    this.grid.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.t-row');
      if (row?.dataset.ip) this.setActive(row.dataset.ip, false);
    });
    this.body.addEventListener('dblclick', (e) => {
      const target = e.target as Element;
      if (target.closest('button') || target.closest('input')) return;
      const row = target.closest<HTMLElement>('.t-row');
      if (row?.dataset.ip) this.request({ type: 'open', ip: row.dataset.ip });
    });
  }

  private onMessage(msg: TriageHostMessage): void {
    const change = this.model.apply(msg);
    if (change === 'none') return;
    if (change === 'reset') {
      this.active = undefined;
      this.scrollTo(0);
      this.root.dataset.ready = 'true';
    }
    this.invalidate();
  }

  private request(r: TriageRequest): void {
    void this.channel.request(r).then((res) => {
      if (!res.ok) this.notify(res.error, true);
      else if (res.message) this.notify(res.message, false);
    });
  }

  private notify(text: string, isError: boolean): void {
    setText(this.status, text);
    this.status.classList.toggle('error', isError);
    clearTimeout(this.statusTimer);
    this.statusTimer = setTimeout(() => setText(this.status, ''), isError ? 12_000 : 5_000);
  }

  private save(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.channel.setState(this.model.state());
    }, 150);
  }

  private invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const s = this.model.summary;
    if (s) this.renderSummary(s);
    this.renderChips();
    if (this.headDirty) this.renderHead();
    const rows = this.model.view();
    this.renderRows(rows);
    this.renderSelection(rows);
    const total = this.model.size;
    setText(this.shown, rows.length === total ? `${num(total)} addresses` : `${num(rows.length)} of ${num(total)} addresses`);
    this.grid.setAttribute('aria-rowcount', String(rows.length + 1));
    this.root.dataset.total = String(total);
    this.root.dataset.shown = String(rows.length);
    this.root.dataset.state = s?.state ?? 'idle';
    this.root.dataset.restored = s?.restoredFrom ? 'true' : 'false';
    this.empty.hidden = rows.length > 0;
    setText(
      this.empty,
      total === 0 ? (s?.state === 'running' ? 'Looking for addresses…' : 'No addresses were found.') : 'No address matches the filter and the chosen verdicts.',
    );
    document.dispatchEvent(new CustomEvent('ipinv:triage-rendered'));
  }

  private renderSummary(s: TriageSummary): void {
    setText(this.title, s.source ? `Triage: ${s.source}` : 'Triage');
    this.demo.hidden = !s.demo;
    const v = s.byVerdict;
    setText(
      this.counts,
      `${num(s.addresses)} addresses in ${num(s.occurrences)} occurrences: ${num(v.alerts)} with alerts, ${num(v.seen)} seen, ${num(v['not-seen'])} not seen, ${num(v.internal)} internal, ${num(v.skipped)} skipped${v.unknown ? `, ${num(v.unknown)} not answered` : ''} · look-back ${s.lookback}`,
    );
    setText(this.calls, `${num(s.calls.hunting)} hunting queries · ${num(s.calls.findbyip)} findbyip calls · ${num(s.calls.cacheHits)} addresses from the cache`);
    let state: string;
    if (s.state === 'running') {
      state =
        s.phase === 'extracting'
          ? `Scanning: ${(s.bytesScanned / 1048576).toFixed(1)} MB, ${num(s.occurrences)} matches…`
          : `Querying: ${num(s.batchesDone)}/${num(s.batchesTotal)} batches, ${num(s.resolved)}/${num(s.addresses)} addresses…`;
    } else if (s.restoredFrom) {
      state = `From an earlier session: this triage ${s.state === 'cancelled' ? 'was cancelled' : 'finished'} at ${shortTime(s.restoredFrom)}. Run it again to update: only changed files are read, and only what is new or stale is asked.`;
    } else if (s.state === 'cancelled') state = 'Cancelled: partial results. Addresses not looked up are listed as not answered.';
    else if (s.state === 'done') state = `Done${s.finishedAt ? ` at ${shortTime(s.finishedAt)}` : ''}.`;
    else state = 'No triage yet: run "Triage All IPs in File" from the command palette or the editor menu.';
    setText(this.stateLine, state);
    this.stateLine.className = `state ${s.state}`;
    this.notes.replaceChildren(...s.notes.map((n) => el('li', {}, n)));
    this.cancel.hidden = s.state !== 'running';
  }

  private renderChips(): void {
    const counts = this.model.counts();
    const chips: HTMLElement[] = [];
    const all = el('button', { class: 'chip', id: 'chip-all', attrs: { type: 'button', 'aria-pressed': String(this.model.verdicts.size === 0) } }, 'All');
    all.addEventListener('click', () => {
      this.model.clearVerdicts();
      this.scrollTo(0);
      this.invalidate();
      this.save();
    });
    chips.push(all);
    const withIndicator = this.model.indicatorCount();
    if (withIndicator > 0 || this.model.withIndicator) {
      const chip = el(
        'button',
        { class: 'chip indicator-filter', id: 'chip-indicator', attrs: { type: 'button', 'aria-pressed': String(this.model.withIndicator), title: 'Only addresses the tenant has an indicator for' } },
        'With indicator ',
        badge(num(withIndicator)),
      );
      chip.addEventListener('click', () => {
        this.model.toggleWithIndicator();
        this.scrollTo(0);
        this.invalidate();
        this.save();
      });
      chips.push(chip);
    }
    for (const v of TRIAGE_VERDICTS) {
      if (counts[v] === 0 && !this.model.verdicts.has(v)) continue;
      const chip = el(
        'button',
        { class: `chip verdict-${v}`, id: `chip-${v}`, attrs: { type: 'button', 'aria-pressed': String(this.model.verdicts.has(v)), 'data-verdict': v } },
        `${VERDICT_LABELS[v]} `,
        badge(num(counts[v])),
      );
      chip.addEventListener('click', () => {
        this.model.toggleVerdict(v);
        this.scrollTo(0);
        this.invalidate();
        this.save();
      });
      chips.push(chip);
    }
    // Keep keyboard focus on the chip the user just pressed.
    const focused = (document.activeElement as HTMLElement | null)?.id;
    this.chips.replaceChildren(...chips);
    if (focused?.startsWith('chip-')) document.getElementById(focused)?.focus();
  }

  private renderHead(): void {
    this.headDirty = false;
    const cells = COLUMNS.map((c, i) => {
      const cell = el('div', { class: `t-cell col-${c.key}`, attrs: { role: 'columnheader', 'aria-colindex': String(i + 1) } });
      if (c.key === 'select') {
        const all = el<'input'>('input', { id: 'select-all', attrs: { type: 'checkbox', 'aria-label': 'Select every address shown', title: 'Select every address shown' } });
        all.addEventListener('change', () => {
          this.model.toggleAllShown();
          this.invalidate();
        });
        cell.append(all);
        return cell;
      }
      if (c.key === 'detail' || c.key === 'actions') {
        cell.textContent = c.title;
        return cell;
      }
      const key = c.key;
      const sorted = this.model.sort.key === key;
      if (sorted) cell.setAttribute('aria-sort', this.model.sort.dir === 'asc' ? 'ascending' : 'descending');
      const b = el('button', { class: 'sort', id: `sort-${key}`, attrs: { type: 'button', title: `Sort by ${c.label ?? c.title}` } }, c.title, sorted ? (this.model.sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
      if (c.label) b.setAttribute('aria-label', c.label);
      b.addEventListener('click', () => {
        this.model.sortBy(key);
        this.headDirty = true;
        this.invalidate();
        this.save();
        // The header was rebuilt: keep the focus on the same column.
        requestAnimationFrame(() => document.getElementById(`sort-${key}`)?.focus());
      });
      cell.append(b);
      return cell;
    });
    this.head.replaceChildren(...cells);
  }

  private newRow(): RowParts {
    const cells = COLUMNS.map((c, i) => el('div', { class: `t-cell col-${c.key}`, attrs: { role: 'gridcell', 'aria-colindex': String(i + 1) } }));
    const select = el<'input'>('input', { class: 'row-select', attrs: { type: 'checkbox', tabindex: '-1' } });
    cells[COL.select].append(select);
    const verdict = el('span', { class: 'verdict' });
    cells[COL.verdict].append(verdict);
    const mark = el('span', { class: 'mark' });
    cells[COL.mark].append(mark);
    const indicator = el('span', { class: 'indicator' });
    cells[COL.indicator].append(indicator);
    const alerts = el('span', { class: 'alerts' });
    cells[COL.alerts].append(alerts);
    const open = el('button', { class: 'row-action open', attrs: { type: 'button', tabindex: '-1' } }, 'Investigate');
    const reveal = el('button', { class: 'row-action reveal', attrs: { type: 'button', tabindex: '-1' } }, 'Show in file');
    const machines = el('button', { class: 'row-action machines', attrs: { type: 'button', tabindex: '-1' } }, 'Machines');
    const markButton = el('button', { class: 'row-action mark-action', attrs: { type: 'button', tabindex: '-1' } }, 'Mark…');
    cells[COL.actions].append(open, reveal, machines, markButton);
    const row = el('div', { class: 't-row', attrs: { role: 'row' } }, ...cells);
    const parts: RowParts = { row, cells, select, indicator, verdict, mark, alerts, open, reveal, machines, markButton, ip: '' };
    select.addEventListener('click', (e) => e.stopPropagation());
    select.addEventListener('change', () => {
      this.model.toggleSelected(parts.ip);
      this.invalidate();
    });
    machines.addEventListener('click', (e) => {
      e.stopPropagation();
      this.setActive(parts.ip, false);
      this.request({ type: 'machines', ip: parts.ip });
    });
    markButton.addEventListener('click', (e) => {
      e.stopPropagation();
      this.setActive(parts.ip, false);
      this.request({ type: 'mark', ip: parts.ip });
    });
    open.addEventListener('click', (e) => {
      e.stopPropagation();
      this.setActive(parts.ip, false);
      this.request({ type: 'open', ip: parts.ip });
    });
    reveal.addEventListener('click', (e) => {
      e.stopPropagation();
      this.setActive(parts.ip, false);
      this.request({ type: 'reveal', ip: parts.ip });
    });
    return parts;
  }

  private fillRow(p: RowParts, r: TriageRow, index: number): void {
    p.ip = r.ip;
    p.row.id = rowId(r.ip);
    p.row.dataset.ip = r.ip;
    p.row.dataset.verdict = r.verdict;
    p.row.setAttribute('aria-rowindex', String(index + 2));
    const active = r.ip === this.active;
    p.row.classList.toggle('active', active);
    p.row.setAttribute('aria-selected', String(active));
    const cell = (k: Column['key']): HTMLElement => p.cells[COL[k]];
    const [ip, cls, machines, first, last, occ, detail] = [cell('ip'), cell('ipClass'), cell('machines'), cell('firstSeen'), cell('lastSeen'), cell('occurrences'), cell('detail')];
    const selected = this.model.selected.has(r.ip);
    p.select.checked = selected;
    p.select.setAttribute('aria-label', `Select ${r.ip}`);
    p.row.classList.toggle('selected', selected);
    setText(p.indicator, r.indicator ?? '');
    p.indicator.className = r.indicator ? `indicator chip-indicator ${indicatorClass(r.indicator)}` : 'indicator';
    cell('indicator').title = r.indicator ? `${r.indicator}: ${r.indicatorTitle ?? ''}${r.indicatorExpires ? ` (expires ${shortTime(r.indicatorExpires)})` : ' (no expiry)'}` : '';
    setText(ip, r.ip);
    setText(cls, r.ipClass);
    setText(p.verdict, VERDICT_LABELS[r.verdict]);
    p.verdict.className = `verdict verdict-${r.verdict}`;
    // The analyst's verdict as a chip; the note (and the date) in the title.
    setText(p.mark, r.mark ? MARK_LABELS[r.mark] : r.markText ? 'Note' : '');
    p.mark.className = r.mark ? `mark mark-${r.mark}` : r.markText ? 'mark mark-note' : 'mark';
    cell('mark').title = r.markText ?? '';
    p.row.dataset.mark = r.mark ?? '';
    p.markButton.setAttribute('aria-label', `Set your verdict on ${r.ip}`);
    setText(machines, num(r.machines));
    const top = r.severities[0];
    setText(p.alerts, r.alertCount ? (r.bySeverity ? `${num(r.alertCount)}: ${r.bySeverity}` : `${num(r.alertCount)}${top ? ` · ${top}` : ''}`) : '');
    p.alerts.className = top ? `alerts severity-${top.toLowerCase().replace(/[^a-z]/g, '')}` : 'alerts';
    cell('alerts').title = r.severities.length > 0 ? `Severities: ${r.severities.join(', ')}` : '';
    setText(first, shortTime(r.firstSeen));
    first.title = r.firstSeen ?? '';
    setText(last, shortTime(r.lastSeen));
    last.title = r.lastSeen ?? '';
    setText(occ, `${num(r.occurrences)}${r.files > 1 ? ` in ${num(r.files)} files` : ''}`);
    occ.title = r.where ? `First: ${r.where}` : '';
    setText(detail, r.detail ?? '');
    detail.title = r.detail ?? '';
    p.open.setAttribute('aria-label', `Investigate ${r.ip}`);
    p.reveal.setAttribute('aria-label', `Show ${r.ip} in its file`);
    p.reveal.disabled = !r.where;
    p.machines.setAttribute('aria-label', `Open the machine view of a machine seen with ${r.ip}`);
    p.machines.disabled = !(r.machines !== undefined && r.machines > 0);
  }

  private renderRows(rows: readonly TriageRow[]): void {
    const w = rowWindow(this.scrollTop, this.rowsHeight(), ROW_HEIGHT, rows.length);
    // Sizes and offsets through the CSSOM: allowed by the CSP, unlike style attributes.
    this.spacer.style.height = `${w.totalHeight}px`;
    this.body.style.transform = `translateY(${w.offset}px)`;
    const needed = w.end - w.first;
    while (this.pool.length < needed) this.pool.push(this.newRow());
    for (let k = 0; k < needed; k++) {
      const p = this.pool[k];
      this.fillRow(p, rows[w.first + k], w.first + k);
      if (this.body.children[k] !== p.row) this.body.insertBefore(p.row, this.body.children[k] ?? null);
    }
    while (this.body.children.length > needed) this.body.lastChild?.remove();
    if (this.active && rows.some((r) => r.ip === this.active)) this.grid.setAttribute('aria-activedescendant', rowId(this.active));
    else this.grid.removeAttribute('aria-activedescendant');
  }

  /** The selection's buttons and the header checkbox follow the selected rows. */
  private renderSelection(shown: readonly TriageRow[]): void {
    const s = this.model.selection();
    setText(this.addIndicators, s.ips.length > 0 ? `Add indicators (${num(s.ips.length)})…` : 'Add indicators…');
    setText(this.removeIndicators, s.withIndicator.length > 0 ? `Remove indicators (${num(s.withIndicator.length)})…` : 'Remove indicators…');
    const toggle = (b: HTMLElement, off: boolean, why: string): void => {
      if (off) {
        b.setAttribute('disabled', '');
        b.setAttribute('title', why);
      } else b.removeAttribute('disabled');
    };
    toggle(this.addIndicators, s.ips.length === 0, 'Select rows first (the boxes on the left, or Space)');
    toggle(this.removeIndicators, s.withIndicator.length === 0, 'None of the selected rows has an indicator');
    this.root.dataset.selected = String(s.ips.length);
    const all = document.getElementById('select-all') as HTMLInputElement | null;
    if (all) {
      const n = shown.filter((r) => this.model.selected.has(r.ip)).length;
      all.checked = shown.length > 0 && n === shown.length;
      all.indeterminate = n > 0 && n < shown.length;
    }
  }

  /** The height rows can use: the grid's, less the sticky header row. */
  private rowsHeight(): number {
    return Math.max(ROW_HEIGHT, this.viewportHeight - ROW_HEIGHT);
  }

  private scrollTo(top: number): void {
    this.scrollTop = Math.max(0, top);
    this.grid.scrollTop = this.scrollTop;
  }

  private setActive(ip: string | undefined, reveal: boolean): void {
    this.active = ip;
    if (reveal && ip) {
      const index = this.model.view().findIndex((r) => r.ip === ip);
      if (index >= 0) {
        // The spacer must be tall enough before the browser honours the position.
        this.renderRows(this.model.view());
        this.scrollTo(scrollToShow(index, ROW_HEIGHT, this.rowsHeight(), this.scrollTop));
      }
    }
    this.invalidate();
  }

  private onKey(e: KeyboardEvent): void {
    if ((e.target as Element).closest('.t-head')) return; // header buttons handle their own keys
    const rows = this.model.view();
    if (rows.length === 0) return;
    const index = this.active ? rows.findIndex((r) => r.ip === this.active) : -1;
    const page = Math.max(1, Math.floor(this.rowsHeight() / ROW_HEIGHT) - 1);
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(rows.length - 1, index + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, index < 0 ? 0 : index - 1);
        break;
      case 'PageDown':
        next = Math.min(rows.length - 1, Math.max(0, index) + page);
        break;
      case 'PageUp':
        next = Math.max(0, index - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = rows.length - 1;
        break;
      case ' ':
        if (index >= 0) {
          e.preventDefault();
          this.model.toggleSelected(rows[index].ip);
          this.invalidate();
        }
        return;
      case 'Enter':
        if (index >= 0) {
          e.preventDefault();
          this.request({ type: e.shiftKey ? 'reveal' : 'open', ip: rows[index].ip });
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    this.setActive(rows[next].ip, true);
  }
}
