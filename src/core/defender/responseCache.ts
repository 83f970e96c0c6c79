// Response cache (bounded LRU with TTL; keys carry the tenant/cloud scope) and in-flight sharing:
// identical concurrent requests wait on one HTTP exchange, each caller keeping its own signal and timeout.
import type { Clock } from './clock';

export interface CacheOptions {
  /** How long a result stays fresh, in ms. Default 5 minutes; 0 disables caching. */
  ttlMs?: number;
  /** Most entries kept; the least recently used is dropped first. Default 500. */
  maxEntries?: number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

export class ResponseCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  readonly ttlMs: number;
  readonly maxEntries: number;

  constructor(
    options: CacheOptions,
    private readonly clock: Clock,
  ) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.maxEntries = options.maxEntries ?? 500;
    if (!(this.ttlMs >= 0)) throw new RangeError('cache.ttlMs must be >= 0.');
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 0) throw new RangeError('cache.maxEntries must be an integer >= 0.');
  }

  get size(): number {
    return this.entries.size;
  }

  /** A fresh entry (and marks it most recently used), or undefined. */
  get(key: string): Entry<V> | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (this.clock.now() - e.storedAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  set(key: string, value: V, storedAt: number): void {
    if (this.ttlMs === 0 || this.maxEntries === 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops the entries whose key matches (e.g. every cached indicator list after a write). */
  deleteWhere(match: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (match(key)) this.entries.delete(key);
  }
}

export interface Participant {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Error for this caller when its own timeout passes. */
  timeoutError: () => Error;
  /** Error for this caller when its own signal aborts. */
  cancelError: () => Error;
}

interface Run<V> {
  promise: Promise<V>;
  controller: AbortController;
  deadlines: Map<symbol, number>;
  settled: boolean;
}

/**
 * One shared run per key. The run's signal aborts only when every caller has left (cancelled or timed
 * out), and its deadline is the latest deadline among the callers still waiting.
 */
export class InFlightRequests<V> {
  private readonly runs = new Map<string, Run<V>>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.runs.size;
  }

  join(
    key: string,
    start: (signal: AbortSignal, deadline: () => number) => Promise<V>,
    participant: Participant,
  ): { joined: boolean; promise: Promise<V> } {
    const existing = this.runs.get(key);
    const me = Symbol('participant');
    // A run every caller has already abandoned is aborting: start afresh rather than inherit its cancellation.
    if (existing !== undefined && !existing.controller.signal.aborted) {
      existing.deadlines.set(me, this.clock.now() + participant.timeoutMs);
      return { joined: true, promise: this.participate(existing, me, participant) };
    }
    const run: Run<V> = { promise: Promise.resolve() as Promise<V>, controller: new AbortController(), deadlines: new Map(), settled: false };
    run.deadlines.set(me, this.clock.now() + participant.timeoutMs);
    this.runs.set(key, run);
    const deadline = (): number => Math.max(...run.deadlines.values(), this.clock.now());
    run.promise = start(run.controller.signal, deadline).finally(() => {
      run.settled = true;
      if (this.runs.get(key) === run) this.runs.delete(key);
    });
    // Nobody may be listening any more when an abandoned run finally fails.
    run.promise.catch(() => undefined);
    return { joined: false, promise: this.participate(run, me, participant) };
  }

  private participate(run: Run<V>, me: symbol, p: Participant): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      let done = false;
      const timer = new AbortController();
      const finish = (): void => {
        done = true;
        timer.abort();
        p.signal?.removeEventListener('abort', onAbort);
        run.deadlines.delete(me);
      };
      const leave = (error: Error): void => {
        if (done) return;
        finish();
        if (run.deadlines.size === 0 && !run.settled) run.controller.abort(error);
        reject(error);
      };
      const onAbort = (): void => leave(p.cancelError());
      if (p.signal?.aborted === true) {
        onAbort();
        return;
      }
      p.signal?.addEventListener('abort', onAbort, { once: true });
      this.clock.sleep(p.timeoutMs, timer.signal).then(
        () => leave(p.timeoutError()),
        () => undefined,
      );
      run.promise.then(
        (v) => {
          if (done) return;
          finish();
          resolve(v);
        },
        (e: unknown) => {
          if (done) return;
          finish();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}
