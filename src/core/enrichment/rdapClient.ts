// RDAP (registration data) for PUBLIC addresses only: a hard guard refuses every internal or
// special-purpose address before any request, whatever the caller does; the setting can turn it off.
import { classify, isInternal } from '../ip/classify';
import { assertQueryIp } from '../hunting/huntingQueries';
import type { RdapSummary } from '../../shared/protocol';

/** The subset of `fetch` the client uses (injectable for tests and for a proxy-aware dispatcher). */
export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string>; redirect: 'follow' },
) => Promise<{ ok: boolean; status: number; url: string; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export type RdapEligibility = { ok: true; ip: string } | { ok: false; reason: string };

/**
 * Whether an address may be sent to RDAP: a normalised address (no port, prefix, zone or leading
 * zeros) whose class is plain public. Internal (private, shared, loopback, link-local, unique-local)
 * and special-purpose blocks (documentation, benchmarking, reserved, multicast...) are refused, also
 * when embedded in IPv6 (mapped, NAT64, 6to4, Teredo).
 */
export function rdapEligibility(ip: string): RdapEligibility {
  let normalised: string;
  try {
    normalised = assertQueryIp(ip);
  } catch {
    return { ok: false, reason: 'Registration data is looked up only for a normalised address.' };
  }
  let c: ReturnType<typeof classify>;
  try {
    c = classify(normalised);
  } catch {
    return { ok: false, reason: 'Registration data is looked up only for a valid address.' };
  }
  // classify() already gives an IPv6 wrapper (mapped, NAT64, 6to4, Teredo) the class of the IPv4 inside.
  if (isInternal(normalised) || c.ipClass !== 'public') {
    return { ok: false, reason: `No registration lookup for ${c.ipClass} addresses: they never leave this machine.` };
  }
  return { ok: true, ip: normalised };
}

export class RdapError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network' | 'rate-limit' | 'http' | 'invalid',
    readonly remedy?: string,
  ) {
    super(message);
    this.name = 'RdapError';
  }
}

export type RdapResult = { status: 'ok'; rdap: RdapSummary } | { status: 'refused' | 'disabled' | 'not-found'; reason: string };

export interface RdapClientOptions {
  /** The `ipInvestigator.enrichment.rdap` setting, read at each lookup. */
  enabled: () => boolean;
  fetch?: FetchLike;
  /** The RDAP bootstrap service; it redirects to the registry that holds the address. */
  baseUrl?: string;
  timeoutMs?: number;
  cacheTtlMs?: number;
  now?: () => number;
}

const MAX_BODY = 1_000_000;
const MAX_TEXT = 300;
const MAX_LIST = 20;

export class RdapClient {
  private readonly fetchFn: FetchLike;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; result: RdapResult }>();
  private readonly inflight = new Map<string, Promise<RdapResult>>();

  constructor(private readonly options: RdapClientOptions) {
    this.fetchFn = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.baseUrl = (options.baseUrl ?? 'https://rdap.org').replace(/\/+$/, '');
    if (!/^https?:\/\/[^/?#]+$/.test(this.baseUrl)) throw new RangeError('The RDAP base URL must be a plain http(s) origin.');
    this.timeoutMs = options.timeoutMs ?? 8000;
    this.ttl = options.cacheTtlMs ?? 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  /** Registration data of a public address; refuses (without any request) anything else. */
  async lookup(ip: string, signal?: AbortSignal): Promise<RdapResult> {
    if (!this.options.enabled()) return { status: 'disabled', reason: 'Registration lookups are turned off (setting ipInvestigator.enrichment.rdap).' };
    const eligible = rdapEligibility(ip);
    if (!eligible.ok) return { status: 'refused', reason: eligible.reason };
    const key = eligible.ip;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttl) return hit.result;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.fetchSummary(key, signal).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    const result = await p;
    this.cache.set(key, { at: this.now(), result });
    return result;
  }

  private async fetchSummary(ip: string, signal?: AbortSignal): Promise<RdapResult> {
    // The guard again, next to the only request: nothing but an eligible address reaches the URL.
    if (!rdapEligibility(ip).ok) throw new RangeError('Refusing an RDAP request for a non-public address.');
    // A ref'd timer (AbortSignal.timeout is unref'd and would let a lone lookup hang a CLI's exit).
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('timeout')), this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await this.fetchFn(`${this.baseUrl}/ip/${encodeURIComponent(ip)}`, {
        signal: combined,
        headers: { accept: 'application/rdap+json, application/json' },
        redirect: 'follow',
      });
    } catch (e) {
      clearTimeout(timer);
      if (signal?.aborted) throw e;
      if (timeout.signal.aborted) throw new RdapError(`The registration lookup timed out after ${this.timeoutMs} ms.`, 'timeout', 'Retry later.');
      throw new RdapError('The registration service could not be reached.', 'network', 'Check the network or proxy settings.');
    }
    try {
      return await this.readSummary(res);
    } catch (e) {
      if (timeout.signal.aborted && !(e instanceof RdapError)) throw new RdapError(`The registration lookup timed out after ${this.timeoutMs} ms.`, 'timeout', 'Retry later.');
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private async readSummary(res: Awaited<ReturnType<FetchLike>>): Promise<RdapResult> {
    const server = hostOf(res.url) ?? hostOf(this.baseUrl) ?? 'rdap';
    if (res.status === 404) return { status: 'not-found', reason: 'No registration data for this address.' };
    if (res.status === 429) throw new RdapError(`The registry ${server} limits lookups.`, 'rate-limit', 'Try again in a minute.');
    if (!res.ok) throw new RdapError(`The registry ${server} answered HTTP ${res.status}.`, 'http', 'Retry later.');
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > MAX_BODY) throw new RdapError('The registration answer is too large.', 'invalid');
    const text = await res.text();
    if (text.length > MAX_BODY) throw new RdapError('The registration answer is too large.', 'invalid');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RdapError(`The registry ${server} did not answer RDAP JSON.`, 'invalid');
    }
    return { status: 'ok', rdap: parseRdap(body, server) };
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const text = (x: unknown): string | undefined => (typeof x === 'string' && x.trim() !== '' ? x.trim().slice(0, MAX_TEXT) : undefined);
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** vCard properties of an entity (jCard, RFC 7095): `['vcard', [[name, params, type, value], ...]]`. */
function vcardValues(entity: Obj, property: string): string[] {
  const card = list(entity.vcardArray);
  const props = list(card[1]);
  const out: string[] = [];
  for (const p of props) {
    const row = list(p);
    if (row[0] === property) {
      const v = text(row[3]);
      if (v) out.push(v);
    }
  }
  return out;
}

/** Entities with their nested entities, depth-limited. */
function allEntities(x: unknown, depth = 0): Obj[] {
  if (depth > 3) return [];
  const out: Obj[] = [];
  for (const e of list(x)) {
    if (!isObj(e)) continue;
    out.push(e);
    out.push(...allEntities(e.entities, depth + 1));
  }
  return out;
}

const uniq = (xs: string[]): string[] => [...new Set(xs)].slice(0, MAX_LIST);

/** The fields the panel shows, from an RDAP IP network object (RFC 9083), tolerant of what is missing. */
export function parseRdap(body: unknown, server: string): RdapSummary {
  const o = isObj(body) ? body : {};
  const entities = allEntities(o.entities);
  const roles = (e: Obj) => list(e.roles).filter((r): r is string => typeof r === 'string');
  const organizations = uniq(
    entities.filter((e) => roles(e).some((r) => r === 'registrant' || r === 'administrative')).flatMap((e) => vcardValues(e, 'fn')),
  );
  const abuseEmails = uniq(entities.filter((e) => roles(e).includes('abuse')).flatMap((e) => vcardValues(e, 'email')));
  const cidrs = uniq(
    list(o.cidr0_cidrs).flatMap((c) => {
      if (!isObj(c)) return [];
      const prefix = text(c.v4prefix) ?? text(c.v6prefix);
      return prefix && typeof c.length === 'number' && Number.isInteger(c.length) ? [`${prefix}/${c.length}`] : [];
    }),
  );
  const events = list(o.events).filter(isObj);
  const eventDate = (action: string) => text(events.find((e) => e.eventAction === action)?.eventDate);
  const originAutnums = [
    ...new Set(list(o.arin_originas0_originautnums).filter((n): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 2 ** 32)),
  ].slice(0, MAX_LIST);
  const summary: RdapSummary = { server: server.slice(0, 100), cidrs, organizations, originAutnums, abuseEmails };
  const set = (key: 'handle' | 'name' | 'type' | 'country' | 'startAddress' | 'endAddress' | 'registered' | 'lastChanged', v: string | undefined) => {
    if (v !== undefined) summary[key] = v;
  };
  set('handle', text(o.handle));
  set('name', text(o.name));
  set('type', text(o.type));
  set('country', text(o.country));
  set('startAddress', text(o.startAddress));
  set('endAddress', text(o.endAddress));
  set('registered', eventDate('registration'));
  set('lastChanged', eventDate('last changed'));
  return summary;
}
