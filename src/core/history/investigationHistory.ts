// The investigation history in memory: what was investigated in each tenant and what the analyst made of it. It
// records investigations, verdicts and notes, the Machines view's list, answers searches, and says when something
// changed; `snapshot()` is the bounded, versioned value to persist. Pure (no vscode): the extension wraps it around
// workspaceState, the unit tests drive it with a clock.
import { MAX_NOTE_CHARS, VERDICT_LABELS, type AnalystVerdict, type Annotation } from '../../shared/annotation';
import { redact } from '../../shared/redact';
import type { Investigation } from '../../shared/investigation';
import type { RdapSummary } from '../../shared/protocol';
import {
  HISTORY_LIMITS,
  boundHistory,
  emptyHistory,
  keepInvestigation,
  mergeKept,
  type HistoryEntry,
  type HistoryLimits,
  type HistoryState,
  type KeptInvestigation,
  type ScopeHistory,
  type TenantInfo,
} from './historyModel';

export interface HistoryChange {
  scope: string;
  /** The address that changed; undefined when the whole tenant's history did (clear, load). */
  ip?: string;
  /** A verdict or note changed (surfaces that show annotations repaint). */
  annotation?: boolean;
}

export interface AnnotationChange {
  /** A verdict to set, or null to remove it; undefined leaves it. */
  verdict?: AnalystVerdict | null;
  /** A note to set (empty or null removes it); undefined leaves it. */
  note?: string | null;
}

/** A note as it is stored: trimmed, bounded, and with anything token-shaped redacted (a note is never a secret store). */
export function cleanNote(text: string): string {
  return redact(text.trim()).slice(0, MAX_NOTE_CHARS);
}

export class InvestigationHistory {
  private state: HistoryState;
  private readonly listeners = new Set<(c: HistoryChange) => void>();

  constructor(
    state: HistoryState = emptyHistory(),
    private readonly options: { now?: () => number; limits?: HistoryLimits } = {},
  ) {
    this.state = structuredClone(state);
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private iso(): string {
    return new Date(this.now).toISOString();
  }

  onDidChange(listener: (c: HistoryChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private fire(c: HistoryChange): void {
    for (const l of [...this.listeners]) l(c);
  }

  /** Replaces everything (a load); every tenant's listeners hear it. */
  replace(state: HistoryState): void {
    this.state = structuredClone(state);
    for (const scope of Object.keys(this.state.scopes)) this.fire({ scope, annotation: true });
  }

  /** The bounded value to persist; what is in memory is bounded with it (it holds what a reload would show). */
  snapshot(): HistoryState {
    const bounded = boundHistory(this.state, this.options.limits ?? HISTORY_LIMITS);
    this.state = structuredClone(bounded);
    return bounded;
  }

  scopes(): string[] {
    return Object.keys(this.state.scopes);
  }

  tenant(scope: string): TenantInfo | undefined {
    return this.state.scopes[scope]?.tenant;
  }

  private bucket(tenant: TenantInfo): ScopeHistory {
    let b = this.state.scopes[tenant.scope];
    if (!b) {
      b = { tenant, entries: [], tree: [], usedAt: this.iso() };
      this.state.scopes[tenant.scope] = b;
    } else {
      b.tenant = tenant;
      b.usedAt = this.iso();
    }
    return b;
  }

  /** Newest first. */
  entries(scope: string): readonly HistoryEntry[] {
    return this.state.scopes[scope]?.entries ?? [];
  }

  get(scope: string, ip: string): HistoryEntry | undefined {
    return this.state.scopes[scope]?.entries.find((e) => e.ip === ip);
  }

  annotation(scope: string, ip: string): Annotation | undefined {
    return this.get(scope, ip)?.annotation;
  }

  /** Every annotated address of a tenant (for exports). */
  annotations(scope: string): Map<string, Annotation> {
    const out = new Map<string, Annotation>();
    for (const e of this.entries(scope)) if (e.annotation) out.set(e.ip, e.annotation);
    return out;
  }

  private moveToTop(b: ScopeHistory, entry: HistoryEntry): void {
    b.entries = [entry, ...b.entries.filter((e) => e !== entry)];
  }

  /**
   * An investigation finished (or streamed more data): the entry moves to the top with the time, look-back and time
   * asked; what it showed is kept (merged section by section with what was kept for the same look-back and time).
   */
  record(tenant: TenantInfo, inv: Investigation, extras: { rdap?: RdapSummary; reverseDns?: string[] } = {}): HistoryEntry {
    const b = this.bucket(tenant);
    const ip = inv.address.ip;
    const now = this.iso();
    let entry = b.entries.find((e) => e.ip === ip);
    if (!entry) {
      entry = { ip, updatedAt: now };
      b.entries.unshift(entry);
    }
    const next = keepInvestigation(inv, extras, this.now, (this.options.limits ?? HISTORY_LIMITS).maxKeptBytes);
    const same = entry.lookback === inv.lookback && entry.at === inv.at;
    if (next) entry.kept = same && entry.kept ? mergeKept(entry.kept, next) : next;
    else if (!same) delete entry.kept;
    entry.lookback = inv.lookback;
    if (inv.at) entry.at = inv.at;
    else delete entry.at;
    entry.firstInvestigatedAt ??= now;
    entry.lastInvestigatedAt = now;
    entry.updatedAt = now;
    this.moveToTop(b, entry);
    this.fire({ scope: tenant.scope, ip });
    return entry;
  }

  /** The panel's extras for what was recorded (registration data, reverse DNS, the timeline the tree does not keep). */
  keepExtras(tenant: TenantInfo, inv: Investigation, extras: { rdap?: RdapSummary; reverseDns?: string[] }): void {
    const entry = this.get(tenant.scope, inv.address.ip);
    if (!entry || entry.lookback !== inv.lookback || entry.at !== inv.at) return;
    const next = keepInvestigation(inv, extras, this.now, (this.options.limits ?? HISTORY_LIMITS).maxKeptBytes);
    if (!next) return;
    entry.kept = entry.kept ? mergeKept(entry.kept, next) : next;
    this.fire({ scope: tenant.scope, ip: entry.ip });
  }

  /** Sets or removes a verdict and/or a note. An entry left with neither and never investigated goes away. */
  annotate(tenant: TenantInfo, ip: string, change: AnnotationChange): HistoryEntry | undefined {
    const b = this.bucket(tenant);
    const now = this.iso();
    let entry = b.entries.find((e) => e.ip === ip);
    if (!entry) {
      entry = { ip, updatedAt: now };
      b.entries.unshift(entry);
    }
    const a: Annotation = { ...(entry.annotation ?? {}) };
    if (change.verdict === null) {
      delete a.verdict;
      delete a.verdictAt;
    } else if (change.verdict !== undefined) {
      a.verdict = change.verdict;
      a.verdictAt = now;
    }
    if (change.note !== undefined) {
      const note = change.note === null ? '' : cleanNote(change.note);
      if (note === '') {
        delete a.note;
        delete a.noteAt;
      } else if (note !== a.note) {
        a.note = note;
        a.noteAt = now;
      }
    }
    if (a.verdict !== undefined || a.note !== undefined) entry.annotation = a;
    else delete entry.annotation;
    entry.updatedAt = now;
    this.moveToTop(b, entry);
    if (!entry.annotation && !entry.lastInvestigatedAt) {
      b.entries = b.entries.filter((e) => e !== entry);
      this.fire({ scope: tenant.scope, ip, annotation: true });
      return undefined;
    }
    this.fire({ scope: tenant.scope, ip, annotation: true });
    return entry;
  }

  remove(scope: string, ip: string): boolean {
    const b = this.state.scopes[scope];
    if (!b || !b.entries.some((e) => e.ip === ip)) return false;
    b.entries = b.entries.filter((e) => e.ip !== ip);
    b.tree = b.tree.filter((x) => x !== ip);
    this.fire({ scope, ip, annotation: true });
    return true;
  }

  /** Forgets one tenant's history (the others stay). Returns how many addresses it had. */
  clear(scope: string): number {
    const b = this.state.scopes[scope];
    if (!b) return 0;
    delete this.state.scopes[scope];
    this.fire({ scope, annotation: true });
    return b.entries.length;
  }

  /** The Machines view's addresses for a tenant, top first (only those with a kept investigation can come back). */
  setTree(tenant: TenantInfo, ips: readonly string[]): void {
    const b = this.state.scopes[tenant.scope];
    if (!b && ips.length === 0) return;
    const bucket = b ?? this.bucket(tenant);
    const next = ips.filter((ip) => bucket.entries.some((e) => e.ip === ip && e.kept));
    if (next.join('\n') === bucket.tree.join('\n')) return;
    bucket.tree = next;
    this.fire({ scope: tenant.scope });
  }

  tree(scope: string): { ip: string; kept: KeptInvestigation }[] {
    const b = this.state.scopes[scope];
    if (!b) return [];
    return b.tree.flatMap((ip) => {
      const e = b.entries.find((x) => x.ip === ip);
      return e?.kept ? [{ ip, kept: e.kept }] : [];
    });
  }

  /** Entries matching every word of `query` (address, verdict, note); all of them for an empty query. */
  search(scope: string, query: string): HistoryEntry[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return this.entries(scope).filter((e) => {
      if (words.length === 0) return true;
      const a = e.annotation;
      const hay = [e.ip, a?.verdict ?? '', a?.verdict ? VERDICT_LABELS[a.verdict] : '', a?.note ?? '', e.lookback ?? ''].join('\n').toLowerCase();
      return words.every((w) => hay.includes(w));
    });
  }
}
