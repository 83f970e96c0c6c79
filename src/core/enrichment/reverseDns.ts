// Reverse DNS (PTR) names of an address from the local resolver, with a timeout: a slow or absent DNS
// server must not hold the panel. PTR data belongs to whoever controls the address: names are checked.
import { Resolver } from 'node:dns/promises';
import { classify } from '../ip/classify';

/** What the lookup needs of a resolver (node's `dns/promises` Resolver; a fake in tests). */
export interface ReverseResolver {
  reverse(ip: string): Promise<string[]>;
  cancel?(): void;
}

export class ReverseDnsError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'failed',
  ) {
    super(message);
    this.name = 'ReverseDnsError';
  }
}

export interface ReverseDnsOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Default: a new node Resolver on the system's DNS servers (one try, the same timeout). */
  resolver?: ReverseResolver;
}

// Classes without meaningful PTR records: asking would only wait for a timeout.
const NO_PTR = new Set(['unspecified', 'multicast', 'broadcast', 'documentation', 'benchmarking', 'reserved']);

/** Why no reverse lookup is made for this address, or undefined when one is. */
export function reverseDnsSkipReason(ip: string): string | undefined {
  try {
    const c = classify(ip).ipClass;
    return NO_PTR.has(c) ? `No reverse DNS for ${c} addresses.` : undefined;
  } catch {
    return 'Not an address.';
  }
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NOTFOUND', 'NODATA', 'ESERVFAIL', 'SERVFAIL']);

/** The PTR names of `ip` (hostname syntax only, at most 10); [] when there are none. */
export async function reverseDns(ip: string, options: ReverseDnsOptions = {}): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? 2500;
  const resolver = options.resolver ?? new Resolver({ timeout: timeoutMs, tries: 1 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReverseDnsError(`Reverse DNS did not answer within ${timeoutMs} ms.`, 'timeout')), timeoutMs);
    if (options.signal) {
      onAbort = () => reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('Aborted'));
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    const names = await Promise.race([resolver.reverse(ip), stop]);
    return [...new Set(names.filter((n) => typeof n === 'string' && HOSTNAME.test(n)))].slice(0, 10);
  } catch (e) {
    if (e instanceof ReverseDnsError || options.signal?.aborted) {
      resolver.cancel?.();
      throw e;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_FOUND.has(code)) return [];
    throw new ReverseDnsError(`Reverse DNS failed${typeof code === 'string' ? ` (${code})` : ''}.`, 'failed');
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}
