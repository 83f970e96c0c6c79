// Runs triages for the extension the way the CLI does (TriageService.triageAll with streamed events), one at a time,
// under a cancellable progress notification; keeps the latest results for the table, the decorations and the tree,
// which it tells about changes in throttled batches; and keeps one results cache per tenant for the session.
import * as vscode from 'vscode';
import type { TriageCache } from '../../core/triage/triageCache';
import type { TriageInput } from '../../core/triage/extractAddresses';
import type { Logger } from '../../platform/logger';
import type { Settings } from '../../platform/settings';
import type { TriageEvent, TriageProgress, TriageReport } from '../../shared/triageModel';
import type { DefenderSession } from '../session/defenderSession';
import type { IndicatorService } from '../indicators/indicatorService';
import { count, progressMessage, progressPercent } from './tableRows';
import { TriageResults, type TriageRunInput } from './triageResults';

/** A triage ready to run: what it reads and what the surfaces call it. */
export interface PreparedTriage extends Omit<TriageRunInput, 'demo'> {
  inputs: TriageInput[];
}

export interface TriageChange {
  kind: 'reset' | 'update' | 'finish';
  results: TriageResults | undefined;
  /** Addresses whose entries changed since the last change event (all of them on reset and finish). */
  changed: ReadonlySet<string>;
}

export interface ControllerDeps {
  logger: Logger;
  session: DefenderSession;
  /** Occurrences kept per address (the count is exact). */
  maxOccurrencesPerAddress?: number;
  /** The indicator column: one list query per triage when the identity may read indicators. */
  indicators?: IndicatorService;
}

/** How often the surfaces hear about streamed entries, and the notification about progress. */
const FLUSH_MS = 150;
const PROGRESS_MS = 250;

/** The tenant a cache belongs to: results of one tenant are never reused for another. */
export function triageScope(s: Pick<Settings, 'mode' | 'tenantId' | 'cloud' | 'region'>): string {
  if (s.mode === 'demo') return 'demo@simulator';
  return `${s.mode}:${s.tenantId || 'environment'}@${s.cloud}${s.region ? `-${s.region}` : ''}`;
}

export class TriageController implements vscode.Disposable {
  private results: TriageResults | undefined;
  private nextId = 1;
  private readonly caches = new Map<string, TriageCache>();
  private readonly changeEmitter = new vscode.EventEmitter<TriageChange>();
  private readonly progressEmitter = new vscode.EventEmitter<TriageProgress>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private pending = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private scope: string;
  /** Throttled: the table, the decorations and the tree re-render from it. */
  readonly onDidChange = this.changeEmitter.event;
  /** Every streamed step, unthrottled (diagnostics and the integration suite). */
  readonly onDidProgress = this.progressEmitter.event;

  constructor(private readonly deps: ControllerDeps) {
    this.scope = triageScope(deps.session.settings);
    this.subscriptions.push(
      deps.session.onDidChange((reason) => {
        // Clear Cache and Sign Out drop the cached triage answers too.
        if (reason === 'cache' || reason === 'signOut') this.caches.clear();
        const scope = triageScope(deps.session.settings);
        if (scope !== this.scope) {
          // Another tenant: what is shown came from the previous one.
          this.scope = scope;
          this.clear();
        }
      }),
    );
  }

  get current(): TriageResults | undefined {
    return this.results;
  }

  get running(): boolean {
    return this.results?.running === true;
  }

  /** The latest finished report (a cancelled run has one too). */
  get report(): TriageReport | undefined {
    return this.results?.report;
  }

  /** Runs a triage (cancelling one that is running); resolves with its report, partial when cancelled. */
  async run(p: PreparedTriage): Promise<TriageReport> {
    this.cancel();
    const session = this.deps.session;
    // Fails here, before anything is shown, when the connection cannot be built (not signed in...).
    const client = await session.getClient();
    const settings = session.settings;
    const scope = triageScope(settings);
    const [{ TriageService }, { TriageCache }] = await Promise.all([import('../../core/triage/triageService'), import('../../core/triage/triageCache')]);
    let cache = this.caches.get(scope);
    if (!cache) {
      cache = new TriageCache();
      this.caches.set(scope, cache);
    }
    // Without Ti.ReadWrite the list would be refused: the column then stays empty instead of costing a 403.
    const readsIndicators = this.deps.indicators ? (await this.deps.indicators.capability()).enabled : false;
    const service = new TriageService(client, {
      scope,
      cache,
      ...(readsIndicators ? { indicators: client } : {}),
      collector: { maxOccurrencesPerAddress: this.deps.maxOccurrencesPerAddress ?? 100 },
      lineTime: { assumeZone: settings.logTimeZone },
    });
    const results = new TriageResults(this.nextId++, { source: p.source, lookback: p.lookback, documents: p.documents, notes: p.notes ?? [], demo: session.isDemo });
    this.results = results;
    this.emit('reset', results);
    this.deps.logger.info(`Triage ${results.id}: ${p.source} (${p.inputs.length} inputs, look-back ${p.lookback})`);

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Triage: {0}', p.source.length > 80 ? `${p.source.slice(0, 79)}…` : p.source), cancellable: true },
      async (progress, token) => {
        const onCancel = token.onCancellationRequested(() => results.abort.abort());
        let reported = 0;
        let lastReport = 0;
        const report = (pr: TriageProgress, force: boolean): void => {
          const now = Date.now();
          if (!force && now - lastReport < PROGRESS_MS) return;
          lastReport = now;
          const percent = progressPercent(pr);
          progress.report({ message: progressMessage(pr, (m, ...a) => vscode.l10n.t(m, ...a), vscode.env.language), increment: Math.max(0, percent - reported) });
          reported = Math.max(reported, percent);
        };
        try {
          const final = await service.triageAll({ inputs: p.inputs, lookback: p.lookback, signal: results.abort.signal }, (e) => {
            if (this.results !== results) return;
            this.onEvent(results, e);
            report(e.progress, e.type === 'extracted');
          });
          results.finish(final);
          const c = final.counts;
          this.deps.logger.info(
            `Triage ${results.id}: ${final.cancelled ? 'cancelled' : 'done'}: ${c.addresses} addresses (${c.occurrences} occurrences, ${count(c.bytes)} bytes), ${c.byVerdict.alerts} with alerts; ${final.calls.hunting} hunting queries, ${final.calls.findbyip} findbyip calls, ${final.calls.cacheHits} from cache.`,
          );
          return final;
        } catch (error) {
          results.fail(vscode.l10n.t('The triage stopped: {0}', error instanceof Error ? error.message : String(error)));
          throw error;
        } finally {
          onCancel.dispose();
          if (this.results === results) this.emit('finish', results);
        }
      },
    );
  }

  /** Entries changed outside a run (e.g. an indicator was written): the surfaces re-render them. */
  touch(ips: Iterable<string>): void {
    const r = this.results;
    if (!r) return;
    for (const ip of ips) if (r.entries.has(ip)) this.pending.add(ip);
    if (this.pending.size > 0 && !this.flushTimer) this.flushTimer = setTimeout(() => this.emit('update', r), FLUSH_MS);
  }

  /** Cancels the running triage; what arrived is kept. True when one was running. */
  cancel(): boolean {
    const r = this.results;
    if (!r?.running) return false;
    r.abort.abort();
    return true;
  }

  /** Drops the results (the table empties, decorations and the tree group go); the cache stays. */
  clear(): void {
    this.cancel();
    if (!this.results) return;
    this.results = undefined;
    this.emit('reset', undefined);
  }

  private onEvent(results: TriageResults, e: TriageEvent): void {
    results.progress = e.progress;
    if (e.type === 'extracted' || e.type === 'entries') {
      results.upsert(e.entries);
      for (const x of e.entries) this.pending.add(x.ip);
    }
    this.progressEmitter.fire(e.progress);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.emit('update', results), FLUSH_MS);
  }

  private emit(kind: TriageChange['kind'], results: TriageResults | undefined): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const changed = kind === 'update' ? this.pending : new Set(results?.entries.keys() ?? []);
    this.pending = new Set();
    if (kind === 'update' && results !== this.results) return;
    this.changeEmitter.fire({ kind, results, changed });
  }

  dispose(): void {
    this.cancel();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const s of this.subscriptions) s.dispose();
    this.changeEmitter.dispose();
    this.progressEmitter.dispose();
  }
}
