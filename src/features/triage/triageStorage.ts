// Where a triage is kept between sessions: per tenant, the latest finished triage as one versioned JSON file and the
// triage's results cache as another, both under the workspace's storage folder (`context.storageUri`), with a small
// index in workspaceState. Not in workspaceState itself: that is one SQLite row VS Code reads at every window start,
// and a 200 MB log's triage (about 1,200 addresses with their occurrences) is megabytes. Files are written to a
// temporary name and renamed (a crash never leaves half a file), bounded (see triageSnapshot), and read only after
// activation.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { TriageCache, type TriageCacheOptions } from '../../core/triage/triageCache';
import { decodeSavedTriage, encodeSavedTriage, type SavedTriage } from '../../core/triage/triageSnapshot';
import type { Logger } from '../../platform/logger';
import type { StateStore } from '../../platform/workspaceState';

export const TRIAGE_INDEX_KEY = 'ipInvestigator.triage.index';
const INDEX_VERSION = 1;
/** Tenants whose latest triage is kept; the least recently saved goes (with its files) beyond this. */
const MAX_SCOPES = 4;

interface IndexEntry {
  file: string;
  cacheFile: string;
  savedAt: string;
  source: string;
  addresses: number;
  bytes: number;
}

interface TriageIndex {
  version: typeof INDEX_VERSION;
  scopes: Record<string, IndexEntry>;
}

const FILE = /^triage-[0-9a-f]{16}(?:-cache)?\.json$/;

function readIndex(x: unknown): TriageIndex {
  const out: TriageIndex = { version: INDEX_VERSION, scopes: {} };
  if (typeof x !== 'object' || x === null || (x as { version?: unknown }).version !== INDEX_VERSION) return out;
  const scopes = (x as { scopes?: unknown }).scopes;
  if (typeof scopes !== 'object' || scopes === null) return out;
  for (const [scope, e] of Object.entries(scopes as Record<string, unknown>)) {
    if (typeof e !== 'object' || e === null) continue;
    const v = e as Record<string, unknown>;
    // Only our own file names: the index never points outside the storage folder.
    if (typeof v.file !== 'string' || !FILE.test(v.file) || typeof v.cacheFile !== 'string' || !FILE.test(v.cacheFile)) continue;
    if (typeof v.savedAt !== 'string' || typeof v.source !== 'string' || typeof v.addresses !== 'number' || typeof v.bytes !== 'number') continue;
    out.scopes[scope] = { file: v.file, cacheFile: v.cacheFile, savedAt: v.savedAt, source: v.source, addresses: v.addresses, bytes: v.bytes };
  }
  return out;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
}

export class TriageStorage {
  private readonly dir: string | undefined;
  /** Saves run one after another (a quick re-run must not interleave two writes of one file). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { storageUri: vscode.Uri | undefined; state: StateStore; logger: Logger },
  ) {
    // No folder open (no storageUri), or a storage that is not on disk: nothing is kept, and the log says so once.
    this.dir = deps.storageUri?.scheme === 'file' ? deps.storageUri.fsPath : undefined;
    if (!this.dir) deps.logger.info('Triage: results are not kept across sessions in this window (no workspace storage folder).');
  }

  get enabled(): boolean {
    return this.dir !== undefined;
  }

  private names(scope: string): { file: string; cacheFile: string } {
    const h = createHash('sha1').update(scope).digest('hex').slice(0, 16);
    return { file: `triage-${h}.json`, cacheFile: `triage-${h}-cache.json` };
  }

  private index(): TriageIndex {
    return readIndex(this.deps.state.get(TRIAGE_INDEX_KEY));
  }

  /** The latest triage saved for the tenant; undefined when there is none or it does not read back. */
  async load(scope: string): Promise<SavedTriage | undefined> {
    if (!this.dir) return undefined;
    const entry = this.index().scopes[scope];
    if (!entry) return undefined;
    let text: string;
    try {
      text = await readFile(join(this.dir, entry.file), 'utf8');
    } catch {
      this.deps.logger.warn(`Triage: the saved results of ${scope} are gone; forgetting them.`);
      await this.remove(scope);
      return undefined;
    }
    const read = decodeSavedTriage(text, scope);
    if (!read.triage) {
      this.deps.logger.warn(`Triage: the saved results of ${scope} were not read back (${read.refused ?? 'unknown'}); forgetting them.`);
      await this.remove(scope);
      return undefined;
    }
    if (read.dropped > 0) this.deps.logger.warn(`Triage: ${read.dropped} saved values of ${scope} did not validate and were left out.`);
    return read.triage;
  }

  /** Saves the tenant's latest triage (replacing the one before) and its results cache. */
  save(triage: SavedTriage, cache?: TriageCache): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.dir) return;
      const started = performance.now();
      const { file, cacheFile } = this.names(triage.scope);
      await mkdir(this.dir, { recursive: true });
      const encoded = encodeSavedTriage(triage);
      await writeAtomic(join(this.dir, file), encoded.text);
      if (cache?.changed) await cache.save(join(this.dir, cacheFile));
      const index = this.index();
      index.scopes[triage.scope] = { file, cacheFile, savedAt: triage.savedAt, source: triage.source.slice(0, 200), addresses: triage.report.entries.length, bytes: encoded.text.length };
      const stale = Object.entries(index.scopes)
        .sort(([, a], [, b]) => b.savedAt.localeCompare(a.savedAt))
        .slice(MAX_SCOPES);
      for (const [scope, e] of stale) {
        delete index.scopes[scope];
        await this.removeFiles(e);
      }
      await this.deps.state.update(TRIAGE_INDEX_KEY, index);
      const notes = [encoded.droppedEntries > 0 ? `${encoded.droppedEntries} least important entries left out` : '', encoded.droppedExtractions ? 'extractions left out (files are read again next time)' : ''].filter(Boolean);
      this.deps.logger.info(
        `Triage: saved ${triage.report.entries.length} addresses of ${triage.scope} (${(encoded.text.length / 1024).toFixed(0)} KiB) in ${(performance.now() - started).toFixed(0)} ms${notes.length > 0 ? `: ${notes.join('; ')}` : ''}.`,
      );
    };
    this.queue = this.queue.then(run).catch((e: unknown) => this.deps.logger.warn(`Triage: the results could not be saved: ${e instanceof Error ? e.message : String(e)}`));
    return this.queue;
  }

  /** The tenant's results cache as saved (entries past their TTL are dropped when read); an empty one otherwise. */
  async loadCache(scope: string, options: TriageCacheOptions = {}): Promise<TriageCache> {
    if (!this.dir) return new TriageCache(options);
    await this.queue;
    return TriageCache.load(join(this.dir, this.names(scope).cacheFile), options);
  }

  /** Forgets the tenant's saved triage (Clear Triage Results); its results cache stays (Clear Cache drops it). */
  remove(scope: string, options: { cache?: boolean } = {}): Promise<void> {
    const run = async (): Promise<void> => {
      const index = this.index();
      const entry = index.scopes[scope] ?? { ...this.names(scope), savedAt: '', source: '', addresses: 0, bytes: 0 };
      delete index.scopes[scope];
      await this.deps.state.update(TRIAGE_INDEX_KEY, index);
      if (!this.dir) return;
      await rm(join(this.dir, entry.file), { force: true });
      if (options.cache) await rm(join(this.dir, entry.cacheFile), { force: true });
    };
    this.queue = this.queue.then(run).catch((e: unknown) => this.deps.logger.warn(`Triage: the saved results could not be removed: ${e instanceof Error ? e.message : String(e)}`));
    return this.queue;
  }

  /** Drops every saved results cache (Clear Cache, Sign Out): cached answers are never kept past them. */
  dropCaches(): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.dir) return;
      // Every cache file in the folder, whether its triage is still indexed or was cleared.
      const names = await readdir(this.dir).catch(() => [] as string[]);
      for (const name of names) if (/^triage-[0-9a-f]{16}-cache\.json$/.test(name)) await rm(join(this.dir, name), { force: true });
    };
    this.queue = this.queue.then(run).catch((e: unknown) => this.deps.logger.warn(`Triage: the saved caches could not be removed: ${e instanceof Error ? e.message : String(e)}`));
    return this.queue;
  }

  private async removeFiles(e: IndexEntry): Promise<void> {
    if (!this.dir) return;
    await rm(join(this.dir, e.file), { force: true });
    await rm(join(this.dir, e.cacheFile), { force: true });
  }

  /** Waits for pending writes (deactivation, tests). */
  flush(): Promise<void> {
    return this.queue;
  }
}
