// Client-side rate budgets per operation family (sliding windows, e.g. 100/min + 1,500/h for the entity
// APIs) and the Retry-After pause after a 429. A request waits for budget instead of being sent over it.
import { abortReason, type Clock } from './clock';
import { RateLimitError } from './errors';

/** `indicator`: list, submit, delete (100/min, 1,500/h); `indicatorImport`: the import route (30/min). */
export type Family = 'entity' | 'hunting' | 'indicator' | 'indicatorImport';

export interface WindowLimit {
  windowMs: number;
  max: number;
}

export type BudgetLimits = Record<Family, WindowLimit[]>;

export const DEFAULT_BUDGETS: BudgetLimits = {
  entity: [
    { windowMs: 60_000, max: 100 },
    { windowMs: 3_600_000, max: 1_500 },
  ],
  hunting: [
    { windowMs: 60_000, max: 45 },
    { windowMs: 3_600_000, max: 1_500 },
  ],
  indicator: [
    { windowMs: 60_000, max: 100 },
    { windowMs: 3_600_000, max: 1_500 },
  ],
  // The import page documents a per-minute limit only.
  indicatorImport: [{ windowMs: 60_000, max: 30 }],
};

const FAMILY_NAMES: Record<Family, string> = { entity: 'Defender API', hunting: 'hunting', indicator: 'indicators', indicatorImport: 'indicator import' };

/** A granted send. `done()` once the response has arrived (or the attempt failed after sending). */
export interface BudgetSlot {
  done(): void;
  /** The request was never sent (e.g. no token): frees the slot without counting it. */
  cancel(): void;
}

/**
 * One family's sliding-window budget. A slot counts from the moment it is granted until its window
 * has passed after the response arrived: the server sees the request somewhere in between, so
 * counting by completion time keeps the server's own per-window count at or below the limit even
 * when responses are slow.
 */
export class RateBudget {
  private readonly completed: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly wakers = new Set<() => void>();
  private waitingCount = 0;
  private readonly longestWindow: number;

  constructor(
    readonly family: Family,
    private readonly limits: readonly WindowLimit[],
    private readonly clock: Clock,
  ) {
    for (const l of limits) {
      if (!(l.windowMs > 0) || !Number.isInteger(l.max) || l.max < 1) throw new RangeError(`Invalid ${family} budget window.`);
    }
    this.longestWindow = Math.max(0, ...limits.map((l) => l.windowMs));
  }

  /** Requests currently waiting for budget. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Remaining pause after a 429, in ms (0 when not paused). */
  pauseRemaining(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  /** After a 429: nothing of this family is sent before `until` (epoch ms). */
  pauseUntil(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /**
   * Waits until a request may be sent, then grants it. Throws the signal's reason on abort, and a
   * RateLimitError straight away when the known wait would outlast `deadline` (epoch ms), so the
   * caller learns when to try again instead of timing out.
   */
  async acquire(signal: AbortSignal, deadline: () => number, operation?: string): Promise<BudgetSlot> {
    for (;;) {
      if (signal.aborted) throw abortReason(signal);
      const now = this.clock.now();
      const wait = this.waitTime(now);
      if (wait === 0) return this.grant();
      // A known wait (or at least the 429 pause) beyond the deadline is reported now, not timed out later.
      const known = Number.isFinite(wait) ? wait : Math.max(0, this.pausedUntil - now);
      if (known > 0 && now + known > deadline()) {
        throw new RateLimitError(
          `The ${FAMILY_NAMES[this.family]} rate limit is used up; try again in ${Math.ceil(known / 1000)} s.`,
          known,
          { code: 'ClientRateBudget', operation },
        );
      }
      this.waitingCount++;
      try {
        await this.waitFor(wait, signal);
      } finally {
        this.waitingCount--;
      }
    }
  }

  private grant(): BudgetSlot {
    this.inFlight++;
    let settled = false;
    const settle = (count: boolean): void => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      if (count) this.insertCompleted(this.clock.now());
      for (const wake of [...this.wakers]) wake();
    };
    return { done: () => settle(true), cancel: () => settle(false) };
  }

  private insertCompleted(t: number): void {
    let i = this.completed.length;
    while (i > 0 && (this.completed[i - 1] ?? 0) > t) i--;
    this.completed.splice(i, 0, t);
  }

  /** 0 = send now; a number = known wait in ms; Infinity = blocked by requests still in flight. */
  private waitTime(now: number): number {
    while (this.completed.length > 0 && (this.completed[0] ?? 0) <= now - this.longestWindow) this.completed.shift();
    let wait = Math.max(0, this.pausedUntil - now);
    for (const { windowMs, max } of this.limits) {
      const from = now - windowMs;
      let firstInWindow = this.completed.length;
      for (let i = 0; i < this.completed.length; i++) {
        if ((this.completed[i] ?? 0) > from) {
          firstInWindow = i;
          break;
        }
      }
      const countedCompleted = this.completed.length - firstInWindow;
      const count = this.inFlight + countedCompleted;
      if (count < max) continue;
      // Need (count - max + 1) of the counted requests to leave the window; in-flight ones cannot.
      const mustExpire = count - max + 1;
      if (mustExpire > countedCompleted) return Infinity;
      const t = this.completed[firstInWindow + mustExpire - 1] ?? now;
      wait = Math.max(wait, t + windowMs - now);
    }
    return wait;
  }

  /** Sleeps for `ms` (or until a slot is released, whichever comes first). */
  private async waitFor(ms: number, signal: AbortSignal): Promise<void> {
    const local = new AbortController();
    const onAbort = (): void => local.abort(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    let wake: (() => void) | undefined;
    try {
      const released = new Promise<void>((resolve) => {
        wake = resolve;
        this.wakers.add(resolve);
      });
      const aborted = new Promise<never>((_, reject) => {
        if (local.signal.aborted) reject(abortReason(local.signal));
        local.signal.addEventListener('abort', () => reject(abortReason(local.signal)), { once: true });
      });
      const waits: Promise<void>[] = [released, aborted];
      if (Number.isFinite(ms)) waits.push(this.clock.sleep(ms, local.signal));
      await Promise.race(waits);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (wake) this.wakers.delete(wake);
      // Ends the sleep timer (if any); the rejections this causes are expected and ignored.
      if (!local.signal.aborted) local.abort();
    }
  }
}

/** The budgets of one client (one tenant). */
export class RateBudgets {
  private readonly byFamily: Record<Family, RateBudget>;

  constructor(clock: Clock, limits: Partial<BudgetLimits> = {}) {
    this.byFamily = {
      entity: new RateBudget('entity', limits.entity ?? DEFAULT_BUDGETS.entity, clock),
      hunting: new RateBudget('hunting', limits.hunting ?? DEFAULT_BUDGETS.hunting, clock),
      indicator: new RateBudget('indicator', limits.indicator ?? DEFAULT_BUDGETS.indicator, clock),
      indicatorImport: new RateBudget('indicatorImport', limits.indicatorImport ?? DEFAULT_BUDGETS.indicatorImport, clock),
    };
  }

  get(family: Family): RateBudget {
    return this.byFamily[family];
  }

  get waiting(): number {
    return Object.values(this.byFamily).reduce((n, b) => n + b.waiting, 0);
  }
}
