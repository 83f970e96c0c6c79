// Per-tenant sliding-window rate limits of the simulated tenant (entity APIs and hunting are separate
// families), with a time scale so tests can make a minute last milliseconds. It also records the peak
// number of calls seen in any window, so tests can prove a client never went over the documented limits.

export type RateFamily = 'entity' | 'hunting' | 'indicator' | 'indicatorImport';

export interface RateLimitOptions {
  entityPerMinute?: number;
  entityPerHour?: number;
  huntingPerMinute?: number;
  huntingPerHour?: number;
  /** Indicators list, submit and delete (documented: 100/min, 1,500/h). */
  indicatorPerMinute?: number;
  indicatorPerHour?: number;
  /** The indicators import route (documented: 30/min; no hourly limit is documented). */
  importPerMinute?: number;
  /** Multiplies the window lengths: 0.001 makes a minute last 60 ms (Retry-After scales too). Default 1. */
  timeScale?: number;
}

export type RateDecision =
  | { ok: true }
  | { ok: false; retryAfterMs: number; limit: number; window: 'minute' | 'hour' };

export interface RateFamilyStats {
  /** Most calls (accepted or not) seen within any sliding minute, for any one tenant. */
  peakPerMinute: number;
  /** Most calls (accepted or not) seen within any sliding hour, for any one tenant. */
  peakPerHour: number;
  /** Most accepted calls within any sliding minute (never above the limit). */
  peakAcceptedPerMinute: number;
  /** Most accepted calls within any sliding hour (never above the limit). */
  peakAcceptedPerHour: number;
  accepted: number;
  throttled: number;
}

/** The documented limits: entity APIs 100/min and 1,500/h; hunting 45/min and 1,500/h (per tenant). */
export const DOCUMENTED_LIMITS = { entityPerMinute: 100, entityPerHour: 1500, huntingPerMinute: 45, huntingPerHour: 1500, indicatorPerMinute: 100, indicatorPerHour: 1500, importPerMinute: 30 } as const;

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** An append-only list of times, oldest first, trimmed from the front. */
class TimeLog {
  private times: number[] = [];
  private head = 0;

  push(t: number): void {
    this.times.push(t);
  }

  /** Drops entries at or before `t`. */
  trim(t: number): void {
    while (this.head < this.times.length && (this.times[this.head]) <= t) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first entry later than `t`. */
  private firstAfter(t: number): number {
    let lo = this.head;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid]) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  countAfter(t: number): number {
    return this.times.length - this.firstAfter(t);
  }

  /** The k-th (0-based) entry later than `t`. */
  nthAfter(t: number, k: number): number {
    return this.times[this.firstAfter(t) + k];
  }
}

interface Bucket {
  accepted: TimeLog;
  attempts: TimeLog;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly totals: Record<RateFamily, RateFamilyStats> = { entity: emptyStats(), hunting: emptyStats(), indicator: emptyStats(), indicatorImport: emptyStats() };
  private readonly minuteMs: number;
  private readonly hourMs: number;
  private readonly limits: Record<RateFamily, { minute: number; hour: number }>;

  constructor(
    options: RateLimitOptions = {},
    private readonly clock: () => number = () => performance.now(),
  ) {
    const scale = options.timeScale ?? 1;
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`timeScale must be a positive number, not ${scale}`);
    this.minuteMs = MINUTE * scale;
    this.hourMs = HOUR * scale;
    this.limits = {
      entity: { minute: positive(options.entityPerMinute, DOCUMENTED_LIMITS.entityPerMinute), hour: positive(options.entityPerHour, DOCUMENTED_LIMITS.entityPerHour) },
      hunting: { minute: positive(options.huntingPerMinute, DOCUMENTED_LIMITS.huntingPerMinute), hour: positive(options.huntingPerHour, DOCUMENTED_LIMITS.huntingPerHour) },
      indicator: { minute: positive(options.indicatorPerMinute, DOCUMENTED_LIMITS.indicatorPerMinute), hour: positive(options.indicatorPerHour, DOCUMENTED_LIMITS.indicatorPerHour) },
      // Only the minute limit is documented: the hour allows sixty full minutes.
      indicatorImport: { minute: positive(options.importPerMinute, DOCUMENTED_LIMITS.importPerMinute), hour: 60 * positive(options.importPerMinute, DOCUMENTED_LIMITS.importPerMinute) },
    };
  }

  /** Real milliseconds one window lasts (after the time scale). */
  windowMs(window: 'minute' | 'hour'): number {
    return window === 'minute' ? this.minuteMs : this.hourMs;
  }

  /** Counts a call of `family` by `tenant` and says whether it is within the limits. */
  take(family: RateFamily, tenant: string): RateDecision {
    const now = this.clock();
    const key = `${family}\u0000${tenant}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { accepted: new TimeLog(), attempts: new TimeLog() };
      this.buckets.set(key, bucket);
    }
    const minuteStart = now - this.minuteMs;
    const hourStart = now - this.hourMs;
    bucket.accepted.trim(hourStart);
    bucket.attempts.trim(hourStart);
    bucket.attempts.push(now);
    const stats = this.totals[family];
    stats.peakPerMinute = Math.max(stats.peakPerMinute, bucket.attempts.countAfter(minuteStart));
    stats.peakPerHour = Math.max(stats.peakPerHour, bucket.attempts.countAfter(hourStart));

    const limits = this.limits[family];
    const inMinute = bucket.accepted.countAfter(minuteStart);
    const inHour = bucket.accepted.countAfter(hourStart);
    let refusal: RateDecision | undefined;
    if (inHour >= limits.hour) {
      // The call becomes possible when enough of the oldest calls have left the window.
      const retryAfterMs = bucket.accepted.nthAfter(hourStart, inHour - limits.hour) + this.hourMs - now;
      refusal = { ok: false, retryAfterMs, limit: limits.hour, window: 'hour' };
    }
    if (inMinute >= limits.minute) {
      const retryAfterMs = bucket.accepted.nthAfter(minuteStart, inMinute - limits.minute) + this.minuteMs - now;
      if (!refusal || (refusal.ok === false && retryAfterMs > refusal.retryAfterMs)) refusal = { ok: false, retryAfterMs, limit: limits.minute, window: 'minute' };
    }
    if (refusal) {
      stats.throttled++;
      return refusal;
    }
    bucket.accepted.push(now);
    stats.accepted++;
    stats.peakAcceptedPerMinute = Math.max(stats.peakAcceptedPerMinute, inMinute + 1);
    stats.peakAcceptedPerHour = Math.max(stats.peakAcceptedPerHour, inHour + 1);
    return { ok: true };
  }

  stats(): Record<RateFamily, RateFamilyStats> {
    return { entity: { ...this.totals.entity }, hunting: { ...this.totals.hunting }, indicator: { ...this.totals.indicator }, indicatorImport: { ...this.totals.indicatorImport } };
  }

  reset(): void {
    this.buckets.clear();
    for (const f of Object.keys(this.totals) as RateFamily[]) this.totals[f] = emptyStats();
  }
}

function emptyStats(): RateFamilyStats {
  return { peakPerMinute: 0, peakPerHour: 0, peakAcceptedPerMinute: 0, peakAcceptedPerHour: 0, accepted: 0, throttled: 0 };
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`A rate limit must be a positive whole number, not ${value}`);
  return value;
}
