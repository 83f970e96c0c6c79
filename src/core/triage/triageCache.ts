// Results cache of the triage, so a re-run only asks Defender about what is new. Keys carry the tenant
// scope and the look-back; in memory (bounded, TTL), optionally persisted as one JSON file for the CLI.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Lookback } from '../../shared/investigation';

export interface TriageCacheOptions {
  /** How long a result is reused; default 4 hours (Defender's data moves, a re-run a day later should ask again). */
  ttlMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
  now?: () => number;
}

interface Stored {
  /** The cached value (plain JSON). */
  v: unknown;
  /** Epoch ms it was fetched from Defender. */
  t: number;
}

const FILE_FORMAT = 'ipinv-triage-cache';
const FILE_VERSION = 1;

/** 'sightings': `{ remote, local }` (the summary as a peer and as an own address); 'alerts': the alert summary. */
export type CachePart = 'sightings' | 'alerts';

export function addressPartKey(scope: string, lookback: Lookback, part: CachePart, ip: string): string {
  return `${scope}\u0000${lookback}\u0000${part}\u0000${ip}`;
}

/** Holder rows do not depend on the look-back: the hour they answer for is part of the key instead. */
export function holderHourKey(scope: string, ip: string, hour: number): string {
  return `${scope}\u0000holder-hours\u0000${ip}\u0000${new Date(hour).toISOString()}`;
}

export class TriageCache {
  private readonly entries = new Map<string, Stored>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private dirty = false;

  constructor(options: TriageCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 4 * 3_600_000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** True when entries were added since the last load or save. */
  get changed(): boolean {
    return this.dirty;
  }

  get(key: string): { value: unknown; cachedAt: string } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.t > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return { value: e.v, cachedAt: new Date(e.t).toISOString() };
  }

  set(key: string, value: unknown, fetchedAt = this.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { v: value, t: fetchedAt });
    this.dirty = true;
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.dirty = true;
  }

  /**
   * Loads a cache file written by `save`. A missing, unreadable or foreign file gives an empty cache:
   * the cache is an optimisation, never a reason to fail a triage.
   */
  static async load(file: string, options: TriageCacheOptions = {}): Promise<TriageCache> {
    const cache = new TriageCache(options);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return cache;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!isRecord(parsed) || parsed.format !== FILE_FORMAT || parsed.version !== FILE_VERSION || !isRecord(parsed.entries)) return cache;
      const now = cache.now();
      for (const [key, value] of Object.entries(parsed.entries)) {
        if (!isRecord(value) || typeof value.t !== 'number' || !Number.isFinite(value.t) || !('v' in value)) continue;
        if (now - value.t > cache.ttlMs) continue;
        cache.entries.set(key, { v: value.v, t: value.t });
      }
    } catch {
      return new TriageCache(options);
    }
    cache.dirty = false;
    return cache;
  }

  /** Writes the live entries atomically (temporary file, then rename). */
  async save(file: string): Promise<void> {
    const now = this.now();
    const entries: Record<string, Stored> = {};
    for (const [k, e] of this.entries) if (now - e.t <= this.ttlMs) entries[k] = e;
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, entries }), { mode: 0o600 });
    await rename(tmp, file);
    this.dirty = false;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
