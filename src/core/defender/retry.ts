// Retry policy: which failures are worth another attempt, bounded exponential back-off with full
// jitter, and reading the server's Retry-After (seconds, HTTP date, or the Azure `retry-after-ms`).

export interface RetryOptions {
  /** Further attempts after the first; 0 disables retries. Default 3. */
  maxRetries?: number;
  /** First back-off ceiling in ms; doubles per attempt. Default 500. */
  baseDelayMs?: number;
  /** Largest back-off in ms. Default 8,000. */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1) for the jitter (injectable for tests). */
  random?: () => number;
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/** Retry-After values above this are clamped: a wait of hours is reported, not slept through. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const maxRetries = options.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) throw new RangeError('retry.maxRetries must be an integer 0..10.');
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 8_000;
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs)) throw new RangeError('retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs.');
  return { maxRetries, baseDelayMs, maxDelayMs, random: options.random ?? Math.random };
}

/** Full jitter: a random delay in [0, min(max, base * 2^attempt)). `attempt` counts from 0. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  const r = policy.random();
  return Math.floor(ceiling * (r >= 0 && r < 1 ? r : 0.5));
}

/** Status codes worth retrying: 429 and every 5xx except 501 (not implemented will not change). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

type HeaderValue = string | string[] | undefined;

function first(h: HeaderValue): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/**
 * Milliseconds to wait from the response headers, or undefined when none is given.
 * `retry-after-ms` / `x-ms-retry-after-ms` (Azure) win over `Retry-After` (seconds or HTTP date).
 */
export function parseRetryAfter(headers: Record<string, HeaderValue>, now: number): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = first(headers[name])?.trim();
    if (v !== undefined && /^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(Number(v)));
  }
  const v = first(headers['retry-after'])?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(Number(v) * 1000));
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - now));
}
