// The investigation history of this workspace in the extension: read from workspaceState on first use (after
// activation, never during it), written back bounded (at once for what the analyst typed, coalesced for what
// investigations stream), fed by the Machines view's store, and scoped to the tenant the session talks to: switching
// tenant swaps the Machines view to that tenant's addresses and keeps every other tenant's history.
import * as vscode from 'vscode';
import { HISTORY_FRESH_MS, historyTenant, isFresh, migrateHistory, type HistoryEntry, type KeptInvestigation, type TenantInfo } from '../../core/history/historyModel';
import { InvestigationHistory, type AnnotationChange, type HistoryChange } from '../../core/history/investigationHistory';
import type { Logger } from '../../platform/logger';
import type { StateStore } from '../../platform/workspaceState';
import type { Annotation } from '../../shared/annotation';
import type { Investigation, Lookback } from '../../shared/investigation';
import type { RdapSummary } from '../../shared/protocol';
import type { DefenderSession } from '../session/defenderSession';
import type { MachinesStore, StoreChange } from '../tree/machinesStore';

export const HISTORY_KEY = 'ipInvestigator.history';
/** Investigations stream section by section: their writes are coalesced. */
const SAVE_DELAY_MS = 400;

export interface HistoryServiceDeps {
  logger: Logger;
  session: DefenderSession;
  store: MachinesStore;
  state: StateStore;
  now?: () => number;
}

/** How a tenant is named to the analyst. */
export function tenantLabel(t: TenantInfo): string {
  if (t.mode === 'demo') return vscode.l10n.t('Demo tenant (simulated data)');
  const where = `${t.cloud}${t.region ? `-${t.region}` : ''}`;
  return t.tenantId ? vscode.l10n.t('{0} ({1} cloud)', t.tenantId, where) : vscode.l10n.t('the tenant of the environment tokens ({0} cloud)', where);
}

export class HistoryService implements vscode.Disposable {
  private model: InvestigationHistory | undefined;
  /** Read from a newer version of the extension: left alone until the analyst changes something. */
  private readOnly = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private current: TenantInfo;
  private readonly emitter = new vscode.EventEmitter<HistoryChange>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires for every change of the current tenant's history (annotation: true when a verdict or note changed). */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly deps: HistoryServiceDeps) {
    this.current = historyTenant(deps.session.settings);
    this.subscriptions.push(
      deps.store.onDidChange((c) => this.onStore(c)),
      deps.session.onDidChange(() => this.onSession()),
      { dispose: () => this.flush() },
    );
  }

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  get tenant(): TenantInfo {
    return this.current;
  }

  /** Reads the history if it was not read yet (scheduled right after activation; any first use reads it too). */
  ensureLoaded(): void {
    if (!this.model) this.load();
  }

  /** The history, read (and migrated) on first use. */
  get history(): InvestigationHistory {
    return this.model ?? this.load();
  }

  /**
   * Reads the stored history and puts the current tenant's Machines view back from what was kept (no request). Once
   * after activation (the view is empty then); `replaceTree` re-reads over what is shown (the integration suite's
   * stand-in for a reload).
   */
  load(options: { replaceTree?: boolean } = {}): InvestigationHistory {
    const started = performance.now();
    const read = migrateHistory(this.deps.state.get(HISTORY_KEY), this.current);
    this.readOnly = read.newer === true;
    if (this.model) this.model.replace(read.state);
    else {
      this.model = new InvestigationHistory(read.state, { now: () => this.now });
      this.model.onDidChange((c) => {
        if (c.scope === this.current.scope) this.emitter.fire(c);
      });
    }
    const h = this.model;
    const addresses = h.scopes().reduce((n, s) => n + h.entries(s).length, 0);
    const note = read.newer ? ' (written by a newer version of the extension: left as it is)' : read.dropped > 0 ? `; ${read.dropped} values did not validate and were left out` : '';
    this.deps.logger.info(`History: ${addresses} addresses in ${h.scopes().length} tenants (stored version ${String(read.from)})${note}, read in ${(performance.now() - started).toFixed(1)} ms.`);
    if (read.dropped > 0 && !read.newer) this.schedule();
    if (options.replaceTree || this.deps.store.entries().length === 0) this.restoreTree();
    this.emitter.fire({ scope: this.current.scope, annotation: true });
    return h;
  }

  /** The current tenant's Machines view, as kept. */
  private restoreTree(): void {
    const tree = this.history.tree(this.current.scope);
    this.deps.store.restore(
      tree.map((t) => ({ investigation: t.kept.investigation, fetchedAt: t.kept.fetchedAt })),
      { replace: true },
    );
    if (tree.length > 0) this.deps.logger.info(`History: ${tree.length} addresses back in the Machines view (${this.current.scope}), without a request.`);
  }

  /** Puts one address of the history back in the Machines view (on top), from what was kept. */
  restoreEntry(ip: string): KeptInvestigation | undefined {
    const kept = this.get(ip)?.kept;
    if (kept) this.deps.store.restore([{ investigation: kept.investigation, fetchedAt: kept.fetchedAt }]);
    return kept;
  }

  private onSession(): void {
    const next = historyTenant(this.deps.session.settings);
    if (next.scope === this.current.scope) {
      this.current = next;
      return;
    }
    this.deps.logger.info(`History: tenant ${next.scope}; the history of ${this.current.scope} is kept.`);
    this.current = next;
    if (this.model) this.restoreTree();
    this.emitter.fire({ scope: next.scope, annotation: true });
  }

  /** Investigations reach the store from every surface: each one that has data is recorded; the order is kept. */
  private onStore(c: StoreChange): void {
    if (!this.model) return;
    const h = this.model;
    if ((c.reason === 'data' || c.reason === 'end') && c.ip) {
      const e = this.deps.store.get(c.ip);
      if (e && !e.loading) h.record(this.current, e.investigation);
    }
    h.setTree(
      this.current,
      this.deps.store.entries().map((e) => e.ip),
    );
    this.schedule();
  }

  /** The panel's extras (registration data, reverse DNS, the timeline) for what it recorded through the store. */
  keepExtras(inv: Investigation, extras: { rdap?: RdapSummary; reverseDns?: string[] }): void {
    this.history.keepExtras(this.current, inv, extras);
    this.schedule();
  }

  entries(): readonly HistoryEntry[] {
    return this.history.entries(this.current.scope);
  }

  get(ip: string): HistoryEntry | undefined {
    return this.history.get(this.current.scope, ip);
  }

  annotation(ip: string): Annotation | undefined {
    // Cheap before the first read too: the hover asks on every hover.
    return this.history.annotation(this.current.scope, ip);
  }

  annotations(): Map<string, Annotation> {
    return this.history.annotations(this.current.scope);
  }

  /** What was kept for exactly this look-back and time, when it is fresh enough to show without asking again. */
  kept(request: { ip: string; lookback: Lookback; at?: string }, maxAgeMs = HISTORY_FRESH_MS): KeptInvestigation | undefined {
    const e = this.get(request.ip);
    const k = e?.kept;
    if (!k || k.investigation.lookback !== request.lookback || k.investigation.at !== request.at) return undefined;
    return isFresh(k, this.now, maxAgeMs) ? k : undefined;
  }

  /** Sets a verdict and/or a note; written at once (what the analyst typed must survive a reload a second later). */
  annotate(ip: string, change: AnnotationChange): HistoryEntry | undefined {
    const entry = this.history.annotate(this.current, ip, change);
    this.readOnly = false;
    this.flush();
    return entry;
  }

  remove(ip: string): boolean {
    const removed = this.history.remove(this.current.scope, ip);
    if (removed) {
      this.readOnly = false;
      this.flush();
    }
    return removed;
  }

  /** Forgets the current tenant's history (the other tenants' stay) and empties the Machines view with it. */
  clear(): number {
    const n = this.history.clear(this.current.scope);
    this.deps.store.clear();
    this.readOnly = false;
    this.flush();
    return n;
  }

  private schedule(): void {
    if (this.readOnly || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.write();
    }, SAVE_DELAY_MS);
  }

  /** Writes now (a pending coalesced write included). */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.model || this.readOnly) return;
    this.write();
  }

  private write(): void {
    if (!this.model) return;
    const value = this.model.snapshot();
    this.deps.state.update(HISTORY_KEY, value).then(undefined, (e: unknown) => this.deps.logger.warn(`History: could not be saved: ${e instanceof Error ? e.message : String(e)}`));
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.emitter.dispose();
  }
}
