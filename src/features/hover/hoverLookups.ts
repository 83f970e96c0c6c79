// The hover's lookups: one shared investigation per (address, look-back, time), awaited within a short budget and
// kept for the next hover. A hover that is cancelled (the mouse moved away) stops waiting, but its lookup goes on, so
// moving back shows the answer without a new request. Pure: no vscode import.
import type { Investigation, InvestigationUpdate, Lookback, SectionName } from '../../shared/investigation';

export interface LookupRequest {
  ip: string;
  lookback: Lookback;
  /** ISO instant from the log line, only when the time matters (internal address within the findbyip window). */
  at?: string;
}

/** Runs one investigation; the updates stream in, the signal aborts it. */
export type StartLookup = (request: LookupRequest, signal: AbortSignal) => AsyncGenerator<InvestigationUpdate, Investigation>;

export interface LookupSnapshot {
  investigation?: Investigation;
  /** Sections asked for and not yet answered. */
  pending: SectionName[];
  done: boolean;
  /** The whole lookup failed before any section (no service, not signed in, invalid input). */
  error?: unknown;
}

export interface HoverLookupsOptions {
  /** How long a finished lookup is reused. */
  ttlMs: number;
  /** How long a lookup that failed as a whole is reused (a network blip should not stick). */
  errorTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
  /** Resolves after `ms`; replaceable in tests. */
  delay?: (ms: number) => Promise<void>;
}

interface Entry {
  key: string;
  controller: AbortController;
  waiters: number;
  /** Dropped by clear() or eviction: a hover still waiting for it asks again. */
  dropped: boolean;
  /** Resolves when the entry is dropped, without waiting for its run to wind down. */
  whenDropped: Promise<void>;
  markDropped: () => void;
  investigation?: Investigation;
  pending: Set<SectionName>;
  done: boolean;
  error?: unknown;
  finishedAt?: number;
  settled: Promise<void>;
}

export function lookupKey(r: LookupRequest): string {
  return `${r.ip}|${r.lookback}|${r.at ?? ''}`;
}

const defaultDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export class HoverLookups {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly delay: (ms: number) => Promise<void>;
  private readonly maxEntries: number;

  constructor(
    private readonly start: StartLookup,
    private readonly options: HoverLookupsOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.delay = options.delay ?? defaultDelay;
    this.maxEntries = options.maxEntries ?? 100;
  }

  /** Number of lookups kept (running or finished). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The lookup's state once it finishes, or after `budgetMs`, or when `signal` fires, whichever is first.
   * A cancelled hover only stops waiting: the lookup runs on for the next hover. A lookup dropped while the hover
   * waits (the session changed, the cache was cleared) is asked again within what is left of the budget, so the hover
   * never shows a cancellation it did not ask for.
   */
  async lookup(request: LookupRequest, budgetMs: number, signal?: AbortSignal): Promise<LookupSnapshot> {
    let entry = this.entryFor(request);
    if (entry.done || signal?.aborted) return snapshot(entry);
    let budgetOver = false;
    const budget = this.delay(budgetMs).then(() => {
      budgetOver = true;
    });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      for (;;) {
        entry.waiters++;
        try {
          await Promise.race([entry.settled, entry.whenDropped, budget, aborted]);
        } finally {
          entry.waiters--;
        }
        if (entry.dropped && !signal?.aborted) {
          // Out of budget: the new lookup still starts, for the next hover, and this one says it is running.
          entry = this.entryFor(request);
          if (!budgetOver && !entry.done) continue;
        }
        return snapshot(entry);
      }
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The state kept for a request, without starting anything. */
  peek(request: LookupRequest): LookupSnapshot | undefined {
    const e = this.entries.get(lookupKey(request));
    return e && !this.expired(e) ? snapshot(e) : undefined;
  }

  /** Forgets everything and aborts running lookups (sign-in, sign-out, cache cleared, settings changed). */
  clear(): void {
    for (const e of this.entries.values()) this.drop(e);
    this.entries.clear();
  }

  private drop(e: Entry): void {
    e.dropped = true;
    e.markDropped();
    if (!e.done) e.controller.abort();
  }

  private expired(e: Entry): boolean {
    if (!e.done || e.finishedAt === undefined) return false;
    const ttl = e.error !== undefined ? (this.options.errorTtlMs ?? 10_000) : this.options.ttlMs;
    return this.now() - e.finishedAt > ttl;
  }

  private entryFor(request: LookupRequest): Entry {
    const key = lookupKey(request);
    const existing = this.entries.get(key);
    if (existing && !this.expired(existing)) {
      // Most recently used last, so the oldest is evicted first.
      this.entries.delete(key);
      this.entries.set(key, existing);
      return existing;
    }
    if (existing) this.entries.delete(key);
    let markDropped = () => {};
    const whenDropped = new Promise<void>((resolve) => (markDropped = resolve));
    const entry: Entry = { key, controller: new AbortController(), waiters: 0, dropped: false, whenDropped, markDropped, pending: new Set(), done: false, settled: Promise.resolve() };
    entry.settled = this.run(entry, request);
    this.entries.set(key, entry);
    this.evict();
    return entry;
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (e.waiters > 0) continue;
      this.drop(e);
      this.entries.delete(key);
    }
  }

  private async run(entry: Entry, request: LookupRequest): Promise<void> {
    try {
      const it = this.start(request, entry.controller.signal);
      for (;;) {
        const step = await it.next();
        if (step.done) {
          entry.investigation = step.value;
          break;
        }
        const u = step.value;
        if (u.state === 'loading') entry.pending.add(u.section);
        else {
          entry.pending.delete(u.section);
          entry.investigation = u.investigation;
        }
      }
    } catch (error) {
      entry.error = error;
    } finally {
      entry.pending.clear();
      entry.done = true;
      entry.finishedAt = this.now();
    }
  }
}

function snapshot(e: Entry): LookupSnapshot {
  return {
    ...(e.investigation ? { investigation: structuredClone(e.investigation) } : {}),
    pending: [...e.pending],
    done: e.done,
    ...(e.error !== undefined ? { error: e.error } : {}),
  };
}
