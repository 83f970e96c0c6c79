// The triage table's view model: rows merged by address as the host streams them, sorted by any column, narrowed by
// a text filter and verdict chips, and the virtual-scroll window. Pure (no DOM), so it is unit-tested in Node.
import { severityRank, TRIAGE_VERDICTS, type TriageVerdict } from '../../src/shared/triageModel';
import type { AnalystVerdict } from '../../src/shared/annotation';
import type { TriageHostMessage, TriageRow, TriageSummary, TriageViewState } from '../../src/shared/triageProtocol';

export type SortKey = 'ip' | 'ipClass' | 'verdict' | 'mark' | 'indicator' | 'machines' | 'alerts' | 'firstSeen' | 'lastSeen' | 'occurrences';
export const SORT_KEYS: readonly SortKey[] = ['ip', 'ipClass', 'verdict', 'mark', 'indicator', 'machines', 'alerts', 'firstSeen', 'lastSeen', 'occurrences'];

/** Indicator actions in the order a sort puts them: the strongest first. */
const INDICATOR_ORDER: Record<string, number> = { Block: 0, AlertAndBlock: 0, BlockAndRemediate: 0, Warn: 1, Audit: 2, Alert: 2, Allowed: 3 };

/** The analyst's verdicts, most severe first (unmarked rows go last whatever the direction). */
const MARK_ORDER: Record<AnalystVerdict, number> = { malicious: 0, suspicious: 1, unknown: 2, 'false-positive': 3, benign: 4 };
export type SortDir = 'asc' | 'desc';
export interface SortSpec {
  key: SortKey;
  dir: SortDir;
}

/** Most important first, as the report orders them. */
const VERDICT_ORDER: Record<TriageVerdict, number> = { alerts: 0, seen: 1, internal: 2, pending: 3, 'not-seen': 4, unknown: 5, skipped: 6 };

/** The direction a column sorts in on its first click: counts and times biggest/newest first, text A to Z. */
export function defaultDir(key: SortKey): SortDir {
  return key === 'machines' || key === 'alerts' || key === 'occurrences' || key === 'firstSeen' || key === 'lastSeen' ? 'desc' : 'asc';
}

/** Orders addresses numerically: IPv4 before IPv6, then by value (so 10.0.0.9 comes before 10.0.0.10). */
export function compareAddresses(a: string, b: string): number {
  const ka = addressKey(a);
  const kb = addressKey(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (ka[i] ?? -1) - (kb[i] ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function addressKey(ip: string): number[] {
  if (!ip.includes(':')) return [4, ...ip.split('.').map((p) => Number(p) || 0)];
  // Expand `::` so that groups line up.
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail !== undefined ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return [6, ...groups.map((g) => parseInt(g, 16) || 0)];
}

function byImportance(a: TriageRow, b: TriageRow): number {
  return (
    VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
    severityRank(b.severities[0]) - severityRank(a.severities[0]) ||
    (b.alertCount ?? 0) - (a.alertCount ?? 0) ||
    (b.machines ?? 0) - (a.machines ?? 0) ||
    b.occurrences - a.occurrences
  );
}

/** Missing values go last whatever the direction; ties fall back to importance, then the address. */
export function compareRows(a: TriageRow, b: TriageRow, sort: SortSpec): number {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const missingLast = (x: unknown, y: unknown): number | undefined => {
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return undefined;
  };
  let d = 0;
  switch (sort.key) {
    case 'ip':
      d = sign * compareAddresses(a.ip, b.ip);
      break;
    case 'ipClass':
      d = sign * a.ipClass.localeCompare(b.ipClass);
      break;
    case 'verdict':
      d = sign * byImportance(a, b);
      break;
    case 'mark':
      d = missingLast(a.mark, b.mark) ?? sign * (MARK_ORDER[a.mark!] - MARK_ORDER[b.mark!]);
      break;
    case 'machines':
      d = missingLast(a.machines, b.machines) ?? sign * ((a.machines ?? 0) - (b.machines ?? 0));
      break;
    case 'alerts': {
      const ma = missingLast(a.alertCount, b.alertCount);
      d = ma ?? sign * (severityRank(a.severities[0]) - severityRank(b.severities[0]) || (a.alertCount ?? 0) - (b.alertCount ?? 0));
      break;
    }
    case 'firstSeen':
    case 'lastSeen': {
      const x = a[sort.key];
      const y = b[sort.key];
      d = missingLast(x, y) ?? sign * (x! < y! ? -1 : x! > y! ? 1 : 0);
      break;
    }
    case 'occurrences':
      d = sign * (a.occurrences - b.occurrences);
      break;
    case 'indicator':
      d = missingLast(a.indicator, b.indicator) ?? sign * ((INDICATOR_ORDER[a.indicator!] ?? 4) - (INDICATOR_ORDER[b.indicator!] ?? 4) || (a.indicatorTitle ?? '').localeCompare(b.indicatorTitle ?? ''));
      break;
  }
  return d || byImportance(a, b) || compareAddresses(a.ip, b.ip);
}

/** True when the row matches every word of the filter (address, class, verdict, detail, place, severities). */
export function matchesFilter(row: TriageRow, words: readonly string[], verdictLabel: (v: TriageVerdict) => string): boolean {
  if (words.length === 0) return true;
  const hay = [row.ip, row.ipClass, row.verdict, verdictLabel(row.verdict), row.detail ?? '', row.where ?? '', ...row.severities, row.indicator ?? '', row.indicatorTitle ?? '', row.mark ?? '', row.markText ?? ''].join('\n').toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function filterWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 20);
}

export interface RowWindow {
  first: number;
  end: number;
  offset: number;
  totalHeight: number;
}

/** Rows to render for a scroll position (fixed row height), with `overscan` extra rows each side. */
export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 8): RowWindow {
  if (!(rowHeight > 0)) throw new RangeError('rowHeight must be positive');
  if (total <= 0) return { first: 0, end: 0, offset: 0, totalHeight: 0 };
  const totalHeight = total * rowHeight;
  const viewport = Math.max(0, viewportHeight);
  const top = Math.min(Math.max(0, Number.isFinite(scrollTop) ? scrollTop : 0), Math.max(0, totalHeight - viewport));
  const firstVisible = Math.floor(top / rowHeight);
  const lastVisible = Math.ceil((top + viewport) / rowHeight);
  const first = Math.max(0, firstVisible - overscan);
  const end = Math.min(total, Math.max(lastVisible, firstVisible + 1) + overscan);
  return { first, end, offset: first * rowHeight, totalHeight };
}

/** The scroll position that shows row `index`, moving as little as possible. */
export function scrollToShow(index: number, rowHeight: number, viewportHeight: number, scrollTop: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

export type ModelChange = 'none' | 'rows' | 'summary' | 'reset';

export class TriageTableModel {
  private readonly rows = new Map<string, TriageRow>();
  private cached: TriageRow[] | undefined;
  summary: TriageSummary | undefined;
  sort: SortSpec = { key: 'verdict', dir: 'asc' };
  filter = '';
  /** Verdicts shown; empty means all. */
  readonly verdicts = new Set<TriageVerdict>();
  /** Only rows whose address has an indicator. */
  withIndicator = false;
  /** Rows the user selected (for indicators), by address; kept across sorting and filtering. */
  readonly selected = new Set<string>();

  constructor(
    private readonly verdictLabel: (v: TriageVerdict) => string = (v) => v,
    state: TriageViewState = {},
  ) {
    if (state.sort && (SORT_KEYS as readonly string[]).includes(state.sort.key)) this.sort = { key: state.sort.key as SortKey, dir: state.sort.dir };
    if (state.filter) this.filter = state.filter;
    for (const v of state.verdicts ?? []) this.verdicts.add(v);
    if (state.withIndicator === true) this.withIndicator = true;
  }

  /** Applies a host message; says what changed. Rows of another run than the current one are ignored. */
  apply(msg: TriageHostMessage): ModelChange {
    switch (msg.kind) {
      case 'reset':
        this.rows.clear();
        this.selected.clear();
        this.summary = msg.summary;
        this.cached = undefined;
        return 'reset';
      case 'summary':
        if (this.summary && msg.summary.runId !== this.summary.runId) return 'none';
        this.summary = msg.summary;
        return 'summary';
      case 'rows':
        if (!this.summary || msg.runId !== this.summary.runId) return 'none';
        for (const r of msg.rows) this.rows.set(r.ip, r);
        if (msg.rows.length > 0) this.cached = undefined;
        return msg.rows.length > 0 ? 'rows' : 'none';
      default:
        return 'none';
    }
  }

  get size(): number {
    return this.rows.size;
  }

  row(ip: string): TriageRow | undefined {
    return this.rows.get(ip);
  }

  /** Counts of every row by verdict (for the chips), whatever the filter. */
  counts(): Record<TriageVerdict, number> {
    const c = Object.fromEntries(TRIAGE_VERDICTS.map((v) => [v, 0])) as Record<TriageVerdict, number>;
    for (const r of this.rows.values()) c[r.verdict]++;
    return c;
  }

  /** The rows to show, filtered and sorted (computed once per change). */
  view(): TriageRow[] {
    if (this.cached) return this.cached;
    const words = filterWords(this.filter);
    const out: TriageRow[] = [];
    for (const r of this.rows.values()) {
      if (this.verdicts.size > 0 && !this.verdicts.has(r.verdict)) continue;
      if (this.withIndicator && r.indicator === undefined) continue;
      if (!matchesFilter(r, words, this.verdictLabel)) continue;
      out.push(r);
    }
    const sort = this.sort;
    out.sort((a, b) => compareRows(a, b, sort));
    this.cached = out;
    return out;
  }

  /** A header click: the same column flips its direction; another starts in its natural one. */
  sortBy(key: SortKey): void {
    this.sort = this.sort.key === key ? { key, dir: this.sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: defaultDir(key) };
    this.cached = undefined;
  }

  setFilter(text: string): void {
    if (text === this.filter) return;
    this.filter = text;
    this.cached = undefined;
  }

  toggleVerdict(v: TriageVerdict): void {
    if (this.verdicts.has(v)) this.verdicts.delete(v);
    else this.verdicts.add(v);
    this.cached = undefined;
  }

  clearVerdicts(): void {
    this.verdicts.clear();
    this.withIndicator = false;
    this.cached = undefined;
  }

  toggleWithIndicator(): void {
    this.withIndicator = !this.withIndicator;
    this.cached = undefined;
  }

  /** Rows that have an indicator (for the chip), whatever the filter. */
  indicatorCount(): number {
    let n = 0;
    for (const r of this.rows.values()) if (r.indicator !== undefined) n++;
    return n;
  }

  toggleSelected(ip: string): void {
    if (this.selected.has(ip)) this.selected.delete(ip);
    else if (this.rows.has(ip)) this.selected.add(ip);
  }

  /** Selects every row shown, or clears them when they all are selected already. */
  toggleAllShown(): void {
    const shown = this.view();
    if (shown.length > 0 && shown.every((r) => this.selected.has(r.ip))) for (const r of shown) this.selected.delete(r.ip);
    else for (const r of shown) this.selected.add(r.ip);
  }

  /** Selected addresses that are rows (in the table's order), and those of them that have an indicator. */
  selection(): { ips: string[]; withIndicator: string[] } {
    const ips = this.view()
      .filter((r) => this.selected.has(r.ip))
      .map((r) => r.ip);
    // Selected rows hidden by the filter still count: the selection is what the user picked.
    const shown = new Set(ips);
    for (const ip of this.selected) if (!shown.has(ip) && this.rows.has(ip)) ips.push(ip);
    return { ips, withIndicator: ips.filter((ip) => this.rows.get(ip)?.indicator !== undefined) };
  }

  state(): TriageViewState {
    return { sort: { ...this.sort }, filter: this.filter, verdicts: [...this.verdicts], ...(this.withIndicator ? { withIndicator: true } : {}) };
  }
}
