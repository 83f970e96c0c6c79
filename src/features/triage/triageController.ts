// Runs triages for the extension the way the CLI does (TriageService.triageAll with streamed events), one at a time,
// under a cancellable progress notification; keeps the latest results for the table, the decorations and the tree,
// which it tells about changes in throttled batches; keeps one results cache per tenant; and, with a storage, keeps
// the latest triage of each tenant across sessions: it comes back after a reload, and a re-run reads only the files
// that changed (by modification time and size) and asks only for what is new or past the cache's TTL.
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { TriageCache } from '../../core/triage/triageCache';
import type { TriageInput } from '../../core/triage/extractAddresses';
import type { SourceExtraction } from '../../core/triage/sourceExtraction';
import type { SavedInput } from '../../core/triage/triageSnapshot';
import type { TriageStorage } from './triageStorage';
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
  /** Keeps the latest triage and the results cache of each tenant across sessions. */
  storage?: TriageStorage;
}

/** A file's extraction, reused while the file keeps its modification time and size. */
interface KnownExtraction {
  mtimeMs: number;
  size: number;
  key: string;
  extraction: SourceExtraction;
}

/** Extractions kept in memory for reuse, counted in addresses (the oldest go first). */
const MAX_KNOWN_ADDRESSES = 200_000;

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
  private readonly known = new Map<string, KnownExtraction>();
  /** Throttled: the table, the decorations and the tree re-render from it. */
  readonly onDidChange = this.changeEmitter.event;
  /** Every streamed step, unthrottled (diagnostics and the integration suite). */
  readonly onDidProgress = this.progressEmitter.event;

  constructor(private readonly deps: ControllerDeps) {
    this.scope = triageScope(deps.session.settings);
    this.subscriptions.push(
      deps.session.onDidChange((reason) => {
        // Clear Cache and Sign Out drop the cached triage answers too, the saved ones with them.
        // The files' extractions go too: after Clear Cache a triage starts from scratch.
        if (reason === 'cache' || reason === 'signOut') {
          this.forgetMemory();
          void deps.storage?.dropCaches();
        }
        const scope = triageScope(deps.session.settings);
        if (scope !== this.scope) {
          // Another tenant: what is shown came from the previous one; that tenant's own latest triage comes back.
          this.scope = scope;
          this.clear();
          void this.restoreSaved();
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
      // The tenant's cache as saved (answers within their TTL), so a re-run after a reload asks only for what is stale.
      cache = this.deps.storage ? await this.deps.storage.loadCache(scope) : new TriageCache();
      this.caches.set(scope, cache);
    }
    // Without Ti.ReadWrite the list would be refused: the column then stays empty instead of costing a 403.
    const readsIndicators = this.deps.indicators ? (await this.deps.indicators.capability()).enabled : false;
    const prepared = await this.prepareInputs(p.inputs, this.extractionKey(settings.logTimeZone));
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
    this.deps.logger.info(
      `Triage ${results.id}: ${p.source} (${p.inputs.length} inputs, look-back ${p.lookback}${prepared.reused > 0 ? `; ${prepared.reused} unchanged files not read again` : ''})`,
    );

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
          const final = await service.triageAll({ inputs: prepared.inputs, lookback: p.lookback, signal: results.abort.signal }, (e) => {
            if (this.results !== results) return;
            this.onEvent(results, e);
            report(e.progress, e.type === 'extracted');
          });
          results.finish(final);
          const c = final.counts;
          this.deps.logger.info(
            `Triage ${results.id}: ${final.cancelled ? 'cancelled' : 'done'}: ${c.addresses} addresses (${c.occurrences} occurrences, ${count(c.bytes)} bytes), ${c.byVerdict.alerts} with alerts; ${final.calls.hunting} hunting queries, ${final.calls.findbyip} findbyip calls, ${final.calls.cacheHits} from cache.`,
          );
          if (this.results === results && this.deps.storage) {
            void this.deps.storage.save(
              { scope, savedAt: new Date().toISOString(), source: results.source, demo: results.demo, notes: [...results.notes], documents: results.documents(), report: final, inputs: prepared.saved },
              cache,
            );
          }
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

  /** What the extraction of a file depends on besides its content: reused only while these are the same. */
  private extractionKey(zone: string): string {
    return JSON.stringify([zone, this.deps.maxOccurrencesPerAddress ?? 100]);
  }

  /**
   * Files that have not changed since an earlier extraction (same modification time and size) are replayed instead of
   * read; the others are read and captured for next time. Says what each file was when it was read.
   */
  private async prepareInputs(inputs: readonly TriageInput[], key: string): Promise<{ inputs: TriageInput[]; saved: SavedInput[]; reused: number }> {
    const out: TriageInput[] = [];
    const saved: SavedInput[] = [];
    let reused = 0;
    for (const input of inputs) {
      if (input.kind !== 'file') {
        out.push(input);
        continue;
      }
      const st = await stat(input.path).catch(() => undefined);
      if (!st?.isFile()) {
        out.push(input); // the extraction reports it
        continue;
      }
      const name = input.name ?? input.path;
      const entry: SavedInput = { path: input.path, name, mtimeMs: st.mtimeMs, size: st.size, key };
      saved.push(entry);
      const k = this.known.get(input.path);
      if (k && k.mtimeMs === st.mtimeMs && k.size === st.size && k.key === key) {
        entry.extraction = k.extraction;
        out.push({ kind: 'extracted', name, extraction: k.extraction });
        reused++;
        continue;
      }
      out.push({
        ...input,
        capture: (extraction) => {
          entry.extraction = extraction;
          this.remember(input.path, { mtimeMs: st.mtimeMs, size: st.size, key, extraction });
        },
      });
    }
    return { inputs: out, saved, reused };
  }

  private remember(path: string, k: KnownExtraction): void {
    this.known.delete(path);
    this.known.set(path, k);
    let total = 0;
    for (const v of this.known.values()) total += v.extraction.addresses.length;
    for (const [p, v] of this.known) {
      if (total <= MAX_KNOWN_ADDRESSES || p === path) break;
      this.known.delete(p);
      total -= v.extraction.addresses.length;
    }
  }

  /**
   * Shows the current tenant's latest saved triage (after a reload, or on switching back to a tenant): the table, the
   * decorations and the tree come back as they were, with no request. Skipped when a triage started meanwhile.
   */
  async restoreSaved(): Promise<boolean> {
    const storage = this.deps.storage;
    if (!storage?.enabled || this.results) return false;
    const scope = this.scope;
    const saved = await storage.load(scope);
    if (!saved || this.results || scope !== this.scope) return false;
    const notes: string[] = [];
    for (const i of saved.inputs) {
      if (i.extraction && i.key) this.remember(i.path, { mtimeMs: i.mtimeMs, size: i.size, key: i.key, extraction: i.extraction });
      const st = await stat(i.path).catch(() => undefined);
      if (!st) notes.push(vscode.l10n.t('{0} is no longer there.', i.name));
      else if (st.mtimeMs !== i.mtimeMs || st.size !== i.size) notes.push(vscode.l10n.t('{0} changed since this triage: run it again to update.', i.name));
    }
    if (this.results || scope !== this.scope) return false;
    const results = TriageResults.restored(this.nextId++, saved, notes);
    this.results = results;
    this.emit('reset', results);
    this.deps.logger.info(`Triage ${results.id}: ${saved.source} restored from ${saved.savedAt} (${saved.report.entries.length} addresses), without a request.`);
    return true;
  }

  /** Drops the results caches and known extractions held in memory (they are read from storage again when needed). */
  forgetMemory(): void {
    this.caches.clear();
    this.known.clear();
  }

  /** Forgets the current tenant's saved triage (Clear Triage Results). */
  forgetSaved(): Promise<void> {
    return this.deps.storage?.remove(this.scope) ?? Promise.resolve();
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
