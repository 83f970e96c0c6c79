// The Defender for Endpoint API client (undici): validated inputs, per-family rate budgets, bounded
// retries, timeouts and cancellation, a scoped response cache with in-flight sharing, and typed errors.
import { createHash, randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { redact } from '../../shared/redact';
import { abortReason, systemClock, type Clock } from './clock';
import {
  AuthError,
  BadRequestError,
  CancelledError,
  DefenderError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  type ApiErrorDetails,
} from './errors';
import type {
  Alert,
  CallOptions,
  DefenderApi,
  Fetched,
  HuntingPreference,
  HuntingResult,
  Indicator,
  IndicatorApi,
  IndicatorImportResult,
  IndicatorList,
  IndicatorQuery,
  IndicatorSubmission,
  IpStats,
  LogonUser,
  Machine,
  MachineApi,
  MachineNameMatch,
  WriteOptions,
  WriteResult,
} from '../../shared/defenderModel';
import {
  collection,
  field,
  isObject,
  nextLink,
  parseAlerts,
  parseHuntingResult,
  parseImportResults,
  parseIndicator,
  parseIndicators,
  parseIpStats,
  parseLogonUsers,
  parseMachine,
  parseMachines,
} from './parse';
import { permissionLabel, permissionMessage, type DefenderOperation } from './permissions';
import { RateBudgets, type BudgetLimits, type Family } from './rateBudget';
import { InFlightRequests, ResponseCache, type CacheOptions } from './responseCache';
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryPolicy, type RetryOptions, type RetryPolicy } from './retry';
import * as validate from './validate';

export type TokenResource = 'defender' | 'graph';

/** The auth layer's token getter (it caches tokens); `forceRefresh` after a 401. */
export type GetToken = (resource: TokenResource, signal: AbortSignal, options?: { forceRefresh?: boolean }) => Promise<string>;

export interface ClientLogger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DefenderClientOptions {
  /** Defender API base, e.g. https://api.security.microsoft.com (see clouds.ts). */
  apiBaseUrl: string;
  /** Microsoft Graph base, e.g. https://graph.microsoft.com. */
  graphBaseUrl: string;
  getToken: GetToken;
  /** 'auto' (default): Graph first, legacy advancedqueries/run when Graph is refused or unreachable. */
  hunting?: HuntingPreference;
  timeouts?: { entityMs?: number; huntingMs?: number };
  retry?: RetryOptions;
  cache?: CacheOptions;
  /** One cache shared by several clients (e.g. one per tenant); `cache` is then ignored. */
  sharedCache?: ResponseCache<unknown>;
  /** Tenant and cloud (e.g. `${tenantId}@commercial`): part of every cache key. */
  cacheScope: string;
  logger?: ClientLogger;
  dispatcher?: Dispatcher;
  clock?: Clock;
  /** Per-family window limits (defaults: the documented API limits). */
  budgets?: Partial<BudgetLimits>;
  /** Budgets shared by several clients of the same tenant (e.g. across a rebuild after a settings change); `budgets` is then ignored. */
  rateBudgets?: RateBudgets;
  /** List paging: `$top` page size where the client pages itself, and the most pages followed. */
  paging?: { pageSize?: number; maxPages?: number };
  userAgent?: string;
}

export interface ClientStats {
  /** HTTP requests sent, per family (every attempt counts). */
  requests: Record<Family, number>;
  cacheHits: number;
  /** Calls that joined an identical request already in flight. */
  inFlightJoins: number;
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Calls waiting for rate budget right now. */
  waitingForBudget: number;
  /** Hunting calls answered by the legacy API after Graph refused or failed. */
  huntingFallbacks: number;
}

export const DEFAULT_ENTITY_TIMEOUT_MS = 8_000;
/** The hunting API allows 200 s per query; most answer in seconds, so the default gives up earlier. */
export const DEFAULT_HUNTING_TIMEOUT_MS = 120_000;
/** After Graph hunting is refused (401/403/404), 'auto' goes straight to the legacy API for this long. */
const GRAPH_REFUSAL_MEMORY_MS = 10 * 60_000;
const MAX_ENTITY_BYTES = 32 * 1024 * 1024;
/** The API caps a hunting result at 124 MB. */
const MAX_HUNTING_BYTES = 130 * 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;
/** The indicators list allows `$top` up to 10,000: the tenant's 15,000 cap fits in two pages. */
const INDICATOR_PAGE = 10_000;
/** An import of 500 indicators takes longer than an entity read: at least this long before it times out. */
const MIN_IMPORT_TIMEOUT_MS = 30_000;
const MAX_IMPORT_BATCH = 500;

interface RunContext {
  signal: AbortSignal;
  deadline: () => number;
}

interface RequestSpec {
  operation: DefenderOperation;
  /** For messages: "IP statistics". */
  label: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  body?: unknown;
  /**
   * False for a write that may not be sent twice blindly: after a network failure or a 5xx its outcome is unknown,
   * so it is not retried (the caller reconciles). 429 and 401 are still retried: those requests were refused unread.
   */
  idempotent?: boolean;
  /** Sent as `client-request-id`, so a write can be traced even when no answer arrives. */
  clientRequestId?: string;
  resource: TokenResource;
  family: Family;
  maxBytes: number;
  /** 404 means "nothing found": return it instead of throwing. */
  notFoundIsEmpty?: boolean;
}

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

class BodyTooLarge extends Error {}

const LABELS: Record<DefenderOperation, string> = {
  findMachinesByIp: 'machines by internal IP',
  getIpStats: 'IP statistics',
  getIpAlerts: 'IP alerts',
  getMachine: 'machine',
  findMachinesByLastIp: 'machines by last IP',
  getMachineAlerts: 'machine alerts',
  huntGraph: 'hunting query (Microsoft Graph)',
  huntDefender: 'hunting query',
  findMachinesByName: 'machines by name',
  getMachineLogonUsers: 'logged-on users',
  listIndicators: 'indicators',
  submitIndicator: 'indicator submission',
  importIndicators: 'indicator import',
  deleteIndicator: 'indicator removal',
};

function checkBaseUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError(`${name} is not a valid URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`${name} must be an https:// URL.`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new RangeError(`${name} must be a plain base URL (no query, fragment or credentials).`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

function baseString(url: URL): string {
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
}

function checkTimeout(ms: number, name: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) throw new RangeError(`${name} must be a positive number of milliseconds.`);
  return ms;
}

/** Service text for a message: one line, printable, bounded. The raw text stays in `serviceMessage`. */
function shortText(text: string | undefined, max = 200): string {
  if (text === undefined) return '';
  const one = Array.from(text, (ch) => (isInvisible(ch.codePointAt(0) ?? 0) ? ' ' : ch))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

/** Control characters and bidirectional overrides, which could disguise a message. */
function isInvisible(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

function headerString(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  return v !== undefined && v.length > 0 && v.length <= 200 ? v : undefined;
}

function describeCause(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const cause = (e as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? `: ${cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${e.message}${inner}`;
  }
  return String(e);
}

function serviceName(resource: TokenResource): string {
  return resource === 'graph' ? 'Microsoft Graph' : 'The Defender API';
}

export class DefenderClient implements DefenderApi, MachineApi, IndicatorApi {
  private readonly api: URL;
  private readonly graph: URL;
  private readonly apiBase: string;
  private readonly graphBase: string;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly budgets: RateBudgets;
  private readonly cache: ResponseCache<unknown>;
  private readonly inflight: InFlightRequests<{ data: unknown; storedAt: number }>;
  private readonly timeouts: Record<Family, number>;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly hunting: HuntingPreference;
  private graphRefusedUntil = 0;
  private readonly counters = {
    requests: { entity: 0, hunting: 0, indicator: 0, indicatorImport: 0 } as Record<Family, number>,
    cacheHits: 0,
    inFlightJoins: 0,
    retries: 0,
    rateLimited: 0,
    huntingFallbacks: 0,
  };

  constructor(private readonly options: DefenderClientOptions) {
    this.api = checkBaseUrl(options.apiBaseUrl, 'apiBaseUrl');
    this.graph = checkBaseUrl(options.graphBaseUrl, 'graphBaseUrl');
    this.apiBase = baseString(this.api);
    this.graphBase = baseString(this.graph);
    if (typeof options.getToken !== 'function') throw new TypeError('getToken must be a function.');
    if (typeof options.cacheScope !== 'string' || options.cacheScope === '') throw new RangeError('cacheScope must name the tenant and cloud.');
    this.hunting = options.hunting ?? 'auto';
    if (!['auto', 'graph', 'defender'].includes(this.hunting)) throw new RangeError("hunting must be 'auto', 'graph' or 'defender'.");
    this.clock = options.clock ?? systemClock;
    this.policy = retryPolicy(options.retry);
    this.budgets = options.rateBudgets ?? new RateBudgets(this.clock, options.budgets);
    this.cache = options.sharedCache ?? new ResponseCache(options.cache ?? {}, this.clock);
    this.inflight = new InFlightRequests(this.clock);
    const entityMs = checkTimeout(options.timeouts?.entityMs ?? DEFAULT_ENTITY_TIMEOUT_MS, 'timeouts.entityMs');
    this.timeouts = {
      entity: entityMs,
      hunting: checkTimeout(options.timeouts?.huntingMs ?? DEFAULT_HUNTING_TIMEOUT_MS, 'timeouts.huntingMs'),
      indicator: entityMs,
      indicatorImport: Math.max(entityMs, MIN_IMPORT_TIMEOUT_MS),
    };
    this.pageSize = options.paging?.pageSize ?? 1_000;
    this.maxPages = options.paging?.maxPages ?? 20;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 10_000) throw new RangeError('paging.pageSize must be 1..10000.');
    if (!Number.isInteger(this.maxPages) || this.maxPages < 1) throw new RangeError('paging.maxPages must be a positive integer.');
  }

  stats(): ClientStats {
    return {
      requests: { ...this.counters.requests },
      cacheHits: this.counters.cacheHits,
      inFlightJoins: this.counters.inFlightJoins,
      retries: this.counters.retries,
      rateLimited: this.counters.rateLimited,
      waitingForBudget: this.budgets.waiting,
      huntingFallbacks: this.counters.huntingFallbacks,
    };
  }

  clearCache(): void {
    this.cache.clear();
  }

  // ---- operations ----

  async getIpStats(ip: string, lookBackHours: number, options?: CallOptions): Promise<Fetched<IpStats>> {
    const op = 'getIpStats';
    const address = validate.normaliseIp(ip, op);
    const hours = validate.lookBackHours(lookBackHours, op);
    return this.call(op, 'entity', `${op}|${address}|${hours}`, options, async (ctx) => {
      const url = `${this.apiBase}/api/ips/${validate.pathSegment(address)}/stats?lookBackHours=${hours}`;
      const reply = await this.exchange(this.spec(op, 'GET', url, { notFoundIsEmpty: true }), ctx);
      if (reply.status === 404) return { ipAddress: address, organizationPrevalence: 0 };
      if (!isObject(reply.body)) throw this.shapeError(op);
      return parseIpStats(reply.body, address);
    });
  }

  async getIpAlerts(ip: string, options?: CallOptions): Promise<Fetched<Alert[]>> {
    const op = 'getIpAlerts';
    const address = validate.normaliseIp(ip, op);
    return this.call(op, 'entity', `${op}|${address}`, options, async (ctx) => {
      const url = `${this.apiBase}/api/ips/${validate.pathSegment(address)}/alerts`;
      return parseAlerts(await this.collect(op, url, ctx));
    });
  }

  async findMachinesByIp(ip: string, timestamp: Date, options?: CallOptions): Promise<Fetched<Machine[]>> {
    const op = 'findMachinesByIp';
    const address = validate.normaliseIp(ip, op);
    const at = validate.findByIpTimestamp(timestamp, this.clock.now(), op);
    return this.call(op, 'entity', `${op}|${address}|${at}`, options, async (ctx) => {
      const fn = `findbyip(ip=${validate.odataString(address)},timestamp=${at})`;
      const url = `${this.apiBase}/api/machines/${fn}`;
      return parseMachines(await this.collect(op, url, ctx));
    });
  }

  async getMachine(id: string, options?: CallOptions): Promise<Fetched<Machine | undefined>> {
    const op = 'getMachine';
    const machineId = validate.machineId(id, op);
    return this.call(op, 'entity', `${op}|${machineId.toLowerCase()}`, options, async (ctx) => {
      const url = `${this.apiBase}/api/machines/${validate.pathSegment(machineId)}`;
      const reply = await this.exchange(this.spec(op, 'GET', url, { notFoundIsEmpty: true }), ctx);
      if (reply.status === 404) return undefined;
      if (!isObject(reply.body)) throw this.shapeError(op);
      return parseMachine(reply.body);
    });
  }

  async findMachinesByLastIp(ip: string, options?: CallOptions): Promise<Fetched<Machine[]>> {
    const op = 'findMachinesByLastIp';
    const address = validate.normaliseIp(ip, op);
    return this.call(op, 'entity', `${op}|${address}`, options, async (ctx) => {
      const filter = encodeURIComponent(`lastIpAddress eq ${validate.odataString(address)}`);
      const page = (skip: number): string =>
        `${this.apiBase}/api/machines?$filter=${filter}&$top=${this.pageSize}${skip > 0 ? `&$skip=${skip}` : ''}`;
      return parseMachines(await this.collect(op, page(0), ctx, page));
    });
  }

  async getMachineAlerts(id: string, options?: CallOptions): Promise<Fetched<Alert[]>> {
    const op = 'getMachineAlerts';
    const machineId = validate.machineId(id, op);
    return this.call(op, 'entity', `${op}|${machineId.toLowerCase()}`, options, async (ctx) => {
      const url = `${this.apiBase}/api/machines/${validate.pathSegment(machineId)}/alerts`;
      return parseAlerts(await this.collect(op, url, ctx));
    });
  }

  async findMachinesByName(name: string, options?: CallOptions & { match?: MachineNameMatch; limit?: number }): Promise<Fetched<Machine[]>> {
    const op = 'findMachinesByName';
    const value = validate.machineName(name, op);
    const match = options?.match ?? 'exact';
    if (match !== 'exact' && match !== 'prefix') throw new BadRequestError("The name match must be 'exact' or 'prefix'.", { code: 'ClientValidation', operation: op });
    const limit = options?.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new BadRequestError('The name lookup limit must be 1 to 10000.', { code: 'ClientValidation', operation: op });
    return this.call(op, 'entity', `${op}|${match}|${value}|${limit}`, options, async (ctx) => {
      const literal = validate.odataString(value);
      const filter = encodeURIComponent(match === 'exact' ? `computerDnsName eq ${literal}` : `startswith(computerDnsName,${literal})`);
      // One page: a lookup by name wants the candidates, not every machine of a short prefix.
      const url = `${this.apiBase}/api/machines?$filter=${filter}&$top=${limit}`;
      const reply = await this.exchange(this.spec(op, 'GET', url, { notFoundIsEmpty: true }), ctx);
      if (reply.status === 404) return [];
      if (!isObject(reply.body) && !Array.isArray(reply.body)) throw this.shapeError(op);
      return parseMachines(reply.body).slice(0, limit);
    });
  }

  async getMachineLogonUsers(id: string, options?: CallOptions): Promise<Fetched<LogonUser[]>> {
    const op = 'getMachineLogonUsers';
    const machineId = validate.deviceId(id, op);
    return this.call(op, 'entity', `${op}|${machineId}`, options, async (ctx) => {
      const url = `${this.apiBase}/api/machines/${validate.pathSegment(machineId)}/logonusers`;
      return parseLogonUsers(await this.collect(op, url, ctx));
    });
  }

  async runHuntingQuery(query: string, options?: CallOptions & { timespan?: string }): Promise<Fetched<HuntingResult>> {
    const op = this.hunting === 'defender' ? 'huntDefender' : 'huntGraph';
    const text = validate.huntingQuery(query, op);
    const timespan = validate.huntingTimespan(options?.timespan, op);
    const digest = createHash('sha256').update(text).digest('hex');
    return this.call(op, 'hunting', `hunt|${this.hunting}|${timespan ?? ''}|${digest}`, options, (ctx) => this.hunt(text, timespan, ctx));
  }

  // ---- indicators ----

  async listIndicators(query: IndicatorQuery, options?: CallOptions): Promise<Fetched<IndicatorList>> {
    const op = 'listIndicators';
    const value = query.value !== undefined ? validate.normaliseIp(query.value, op) : undefined;
    const clauses: string[] = [];
    if (query.ipOnly === true || value !== undefined) clauses.push(`indicatorType eq 'IpAddress'`);
    if (value !== undefined) clauses.push(`indicatorValue eq ${validate.odataString(value)}`);
    const filter = clauses.join(' and ');
    return this.call(op, 'indicator', `${op}|${filter}`, options, async (ctx) => {
      const page = (skip: number): string =>
        `${this.apiBase}/api/indicators?${filter ? `$filter=${encodeURIComponent(filter)}&` : ''}$top=${INDICATOR_PAGE}${skip > 0 ? `&$skip=${skip}` : ''}`;
      const paging = { pageSize: INDICATOR_PAGE, truncated: false };
      const items = await this.collect(op, page(0), ctx, page, paging, 'indicator');
      return { indicators: parseIndicators(items), complete: !paging.truncated };
    });
  }

  async submitIndicator(submission: IndicatorSubmission, options?: WriteOptions): Promise<WriteResult<Indicator>> {
    const op = 'submitIndicator';
    const body = validate.indicatorSubmission(submission, this.clock.now(), op);
    return this.write(op, this.timeouts.entity, options, async (ctx, clientRequestId) => {
      // Not idempotent for the client: "submit or update" by value should make a resend harmless, but that is not
      // documented, so an unclear answer is reconciled by listing (core/indicators), never by sending blindly again.
      const spec = { ...this.spec(op, 'POST', `${this.apiBase}/api/indicators`, { body, family: 'indicator' }), idempotent: false, clientRequestId };
      const reply = await this.exchange(spec, ctx);
      return { data: parseIndicator(reply.body) ?? this.throwShape(op), status: reply.status, requestId: reply.requestId };
    });
  }

  async importIndicators(submissions: readonly IndicatorSubmission[], options?: WriteOptions): Promise<WriteResult<IndicatorImportResult[]>> {
    const op = 'importIndicators';
    if (!Array.isArray(submissions) || submissions.length === 0) throw new BadRequestError('Nothing to import.', { code: 'ClientValidation', operation: op });
    if (submissions.length > MAX_IMPORT_BATCH) {
      throw new BadRequestError(`At most ${MAX_IMPORT_BATCH} indicators per import call (got ${submissions.length}).`, { code: 'ClientValidation', operation: op });
    }
    const now = this.clock.now();
    const Indicators = submissions.map((s) => validate.indicatorSubmission(s, now, op));
    return this.write(op, this.timeouts.indicatorImport, options, async (ctx, clientRequestId) => {
      const spec = {
        ...this.spec(op, 'POST', `${this.apiBase}/api/indicators/import`, { body: { Indicators }, family: 'indicatorImport' }),
        idempotent: false,
        clientRequestId,
      };
      const reply = await this.exchange(spec, ctx);
      if (!isObject(reply.body) && !Array.isArray(reply.body)) this.throwShape(op);
      return { data: parseImportResults(reply.body), status: reply.status, requestId: reply.requestId };
    });
  }

  async deleteIndicator(id: string, options?: WriteOptions): Promise<WriteResult<{ found: boolean }>> {
    const op = 'deleteIndicator';
    const indicatorId = validate.indicatorId(id, op);
    return this.write(op, this.timeouts.entity, options, async (ctx, clientRequestId) => {
      // Deleting by id is idempotent: a second DELETE of the same id changes nothing (it answers 404).
      const spec = {
        ...this.spec(op, 'DELETE', `${this.apiBase}/api/indicators/${validate.pathSegment(indicatorId)}`, { family: 'indicator', notFoundIsEmpty: true }),
        idempotent: true,
        clientRequestId,
      };
      const reply = await this.exchange(spec, ctx);
      return { data: { found: reply.status !== 404 }, status: reply.status, requestId: reply.requestId };
    });
  }

  /**
   * One write: never cached or shared with another caller, its own timeout and signal, a fresh client request id,
   * and afterwards every cached indicator list of this tenant is dropped (it may no longer hold).
   */
  private async write<T>(
    operation: DefenderOperation,
    defaultTimeoutMs: number,
    options: WriteOptions | undefined,
    send: (ctx: RunContext, clientRequestId: string) => Promise<{ data: T; status: number; requestId?: string }>,
  ): Promise<WriteResult<T>> {
    const label = LABELS[operation];
    const timeoutMs = checkTimeout(options?.timeoutMs ?? defaultTimeoutMs, 'timeoutMs');
    if (options?.signal?.aborted === true) throw new CancelledError('Cancelled.', { operation });
    const clientRequestId = randomUUID();
    const controller = new AbortController();
    const deadline = this.clock.now() + timeoutMs;
    const onAbort = (): void => controller.abort(new CancelledError('Cancelled.', { operation }));
    options?.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = new AbortController();
    const timedOut = this.clock.sleep(timeoutMs, timer.signal).then(
      () => {
        const e = new TimeoutError(`No answer for the ${label} within ${Math.round(timeoutMs / 100) / 10} s; it may or may not have been applied.`, { operation });
        controller.abort(e);
        throw e;
      },
      () => new Promise<never>(() => undefined),
    );
    try {
      const result = await Promise.race([send({ signal: controller.signal, deadline: () => deadline }, clientRequestId), timedOut]);
      return { ...result, clientRequestId, ...(result.requestId ? { requestId: result.requestId } : {}) };
    } catch (e) {
      if (controller.signal.aborted) {
        const reason: unknown = controller.signal.reason;
        if (reason instanceof DefenderError) throw reason;
      }
      throw e;
    } finally {
      timer.abort();
      options?.signal?.removeEventListener('abort', onAbort);
      // Whatever the outcome (even unknown), a cached list may be stale now.
      this.cache.deleteWhere((key) => key.startsWith(`${this.options.cacheScope}\u0000listIndicators|`));
      this.log('info', `${label}: client-request-id ${clientRequestId}`);
    }
  }

  // ---- hunting: Graph first, legacy fallback ----

  private async hunt(query: string, timespan: string | undefined, ctx: RunContext): Promise<HuntingResult> {
    if (this.hunting === 'defender') return this.huntLegacy(query, ctx);
    if (this.hunting === 'graph') return this.huntGraph(query, timespan, ctx);
    if (this.clock.now() < this.graphRefusedUntil) return this.huntLegacy(query, ctx);
    let graphError: unknown;
    try {
      return await this.huntGraph(query, timespan, ctx);
    } catch (e) {
      const fallback = e instanceof AuthError || e instanceof PermissionError || e instanceof NotFoundError || e instanceof NetworkError;
      if (!fallback || ctx.signal.aborted) throw e;
      graphError = e;
      if (!(e instanceof NetworkError)) this.graphRefusedUntil = this.clock.now() + GRAPH_REFUSAL_MEMORY_MS;
      this.counters.huntingFallbacks++;
      this.log('info', `Graph hunting unavailable (${(e as DefenderError).message}); using the legacy advanced hunting API.`);
    }
    try {
      return await this.huntLegacy(query, ctx);
    } catch (e) {
      if (e instanceof PermissionError && graphError instanceof PermissionError) {
        const both = `${permissionLabel('huntGraph')} on Microsoft Graph, or ${permissionLabel('huntDefender')} on WindowsDefenderATP`;
        throw new PermissionError(`Missing permission to run hunting queries: grant ${both} (admin consent), then sign in again.`, both, {
          status: e.status,
          code: e.code,
          serviceMessage: e.serviceMessage,
          requestId: e.requestId,
          operation: 'runHuntingQuery',
        });
      }
      throw e;
    }
  }

  private async huntGraph(query: string, timespan: string | undefined, ctx: RunContext): Promise<HuntingResult> {
    const op = 'huntGraph';
    const body: Record<string, string> = { Query: query };
    if (timespan !== undefined) body.Timespan = timespan;
    const url = `${this.graphBase}/v1.0/security/runHuntingQuery`;
    const reply = await this.exchange(this.spec(op, 'POST', url, { body, resource: 'graph', family: 'hunting' }), ctx);
    return parseHuntingResult(reply.body, 'graph') ?? this.throwShape(op);
  }

  private async huntLegacy(query: string, ctx: RunContext): Promise<HuntingResult> {
    const op = 'huntDefender';
    const url = `${this.apiBase}/api/advancedqueries/run`;
    const reply = await this.exchange(this.spec(op, 'POST', url, { body: { Query: query }, family: 'hunting' }), ctx);
    return parseHuntingResult(reply.body, 'defender') ?? this.throwShape(op);
  }

  // ---- cache, in-flight sharing, timeouts ----

  private async call<T>(
    operation: DefenderOperation,
    family: Family,
    key: string,
    options: CallOptions | undefined,
    fetch: (ctx: RunContext) => Promise<T>,
  ): Promise<Fetched<T>> {
    const label = LABELS[operation];
    const timeoutMs = checkTimeout(options?.timeoutMs ?? this.timeouts[family], 'timeoutMs');
    const cancelError = (): Error => new CancelledError('Cancelled.', { operation });
    if (options?.signal?.aborted === true) throw cancelError();
    const fullKey = `${this.options.cacheScope}\u0000${key}`;
    if (options?.noCache !== true) {
      const hit = this.cache.get(fullKey);
      if (hit !== undefined) {
        this.counters.cacheHits++;
        return { data: structuredClone(hit.value) as T, cachedAt: new Date(hit.storedAt).toISOString(), fromCache: true };
      }
    }
    const { joined, promise } = this.inflight.join(
      fullKey,
      async (signal, deadline) => {
        const data = await fetch({ signal, deadline });
        const storedAt = this.clock.now();
        this.cache.set(fullKey, data, storedAt);
        return { data, storedAt };
      },
      {
        signal: options?.signal,
        timeoutMs,
        cancelError,
        timeoutError: () =>
          new TimeoutError(`No answer for ${label} within ${Math.round(timeoutMs / 100) / 10} s; try again later or raise the timeout.`, {
            operation,
          }),
      },
    );
    if (joined) this.counters.inFlightJoins++;
    const result = await promise;
    return { data: structuredClone(result.data) as T, cachedAt: new Date(result.storedAt).toISOString(), fromCache: false };
  }

  // ---- paging ----

  /**
   * All items of an OData collection: follows `@odata.nextLink` (same origin only), else pages with
   * `$skip` when `pageUrl` is given and a page came back full. 404 on the first page is "nothing found".
   */
  private async collect(
    op: DefenderOperation,
    firstUrl: string,
    ctx: RunContext,
    pageUrl?: (skip: number) => string,
    paging?: { pageSize: number; truncated: boolean },
    family: Family = 'entity',
  ): Promise<unknown[]> {
    const items: unknown[] = [];
    let url = firstUrl;
    const pageSize = paging?.pageSize ?? this.pageSize;
    for (let page = 1; ; page++) {
      const reply = await this.exchange(this.spec(op, 'GET', url, { notFoundIsEmpty: true, family }), ctx);
      if (reply.status === 404) break;
      if (!isObject(reply.body) && !Array.isArray(reply.body)) throw this.shapeError(op);
      const values = collection(reply.body);
      items.push(...values);
      const next = nextLink(reply.body);
      let nextUrl: string | undefined;
      if (next !== undefined) {
        nextUrl = this.sameOriginLink(next, url, op);
      } else if (pageUrl !== undefined && values.length >= pageSize) {
        nextUrl = pageUrl(items.length);
      }
      if (nextUrl === undefined) break;
      if (page >= this.maxPages) {
        if (paging) paging.truncated = true;
        this.log('warn', `${LABELS[op]}: stopped after ${page} pages (${items.length} items); the rest was not fetched.`);
        break;
      }
      url = nextUrl;
    }
    return items;
  }

  /** A next-page link is followed only on the API's own origin: the token must never go elsewhere. */
  private sameOriginLink(link: string, current: string, op: DefenderOperation): string {
    let url: URL;
    try {
      url = new URL(link, current);
    } catch {
      throw new NetworkError('The service sent an invalid next-page link.', { operation: op });
    }
    const base = new URL(current);
    if (url.origin !== base.origin) {
      throw new NetworkError(
        `The service sent a next-page link to another host (${url.host}); it was not followed, so the token was not sent there.`,
        { operation: op },
      );
    }
    return url.href;
  }

  // ---- one logical request: budget, token, HTTP, retries ----

  private spec(
    operation: DefenderOperation,
    method: RequestSpec['method'],
    url: string,
    extra: Partial<Pick<RequestSpec, 'body' | 'resource' | 'family' | 'notFoundIsEmpty'>> = {},
  ): RequestSpec {
    const family = extra.family ?? 'entity';
    return {
      operation,
      label: LABELS[operation],
      method,
      url,
      resource: extra.resource ?? 'defender',
      family,
      maxBytes: family === 'hunting' ? MAX_HUNTING_BYTES : MAX_ENTITY_BYTES,
      ...(extra.body !== undefined ? { body: extra.body } : {}),
      ...(extra.notFoundIsEmpty === true ? { notFoundIsEmpty: true } : {}),
    };
  }

  private async exchange(spec: RequestSpec, ctx: RunContext): Promise<{ status: number; body: unknown; requestId?: string }> {
    const budget = this.budgets.get(spec.family);
    let retries = 0;
    let refreshed = false;
    let forceRefresh = false;
    for (;;) {
      const outcome = await this.attempt(spec, ctx, forceRefresh);
      forceRefresh = false;
      const now = this.clock.now();
      if (outcome.kind === 'network') {
        const delay = backoffDelay(this.policy, retries);
        if (spec.idempotent !== false && retries < this.policy.maxRetries && now + delay < ctx.deadline()) {
          retries++;
          this.counters.retries++;
          this.log('warn', `${spec.method} ${spec.url} failed (${describeCause(outcome.error)}); retry ${retries} in ${delay} ms.`);
          await this.clock.sleep(delay, ctx.signal);
          continue;
        }
        throw new NetworkError(`Could not reach ${serviceName(spec.resource).replace(/^The /, 'the ')} (${shortText(describeCause(outcome.error), 160)}).`, {
          operation: spec.operation,
        }, { cause: outcome.error });
      }
      const reply = outcome.reply;
      const requestId = headerString(reply.headers['request-id']) ?? headerString(reply.headers['x-ms-request-id']);
      const id = requestId !== undefined ? { requestId } : {};
      // 204 No Content (a removal) has no body to parse.
      if (reply.status === 204) return { status: 204, body: undefined, ...id };
      if (reply.status >= 200 && reply.status < 300) return { status: reply.status, body: this.json(reply, spec), ...id };
      if (reply.status === 404 && spec.notFoundIsEmpty === true) return { status: 404, body: undefined, ...id };
      if (reply.status === 401 && !refreshed) {
        // One fresh token and one more try: the cached token may have expired early.
        refreshed = true;
        forceRefresh = true;
        this.log('info', `${spec.label}: token refused (401); getting a fresh token and trying once more.`);
        continue;
      }
      if (isRetryableStatus(reply.status)) {
        const hinted = parseRetryAfter(reply.headers, now);
        let delay: number;
        if (reply.status === 429) {
          this.counters.rateLimited++;
          delay = hinted ?? Math.max(1_000, backoffDelay(this.policy, retries));
          // The whole family waits: retrying sooner only earns more 429s.
          budget.pauseUntil(now + delay);
        } else {
          delay = hinted ?? backoffDelay(this.policy, retries);
        }
        // A 5xx may come after the write was applied: only an idempotent request is sent again.
        const mayRetry = reply.status === 429 || spec.idempotent !== false;
        if (mayRetry && retries < this.policy.maxRetries && now + delay < ctx.deadline()) {
          retries++;
          this.counters.retries++;
          this.log('warn', `${spec.method} ${spec.url} -> ${reply.status}; retry ${retries} in ${delay} ms.`);
          // After a 429 the budget's pause does the waiting (for every request of the family).
          if (reply.status !== 429) await this.clock.sleep(delay, ctx.signal);
          continue;
        }
        throw this.httpError(reply, spec, delay);
      }
      throw this.httpError(reply, spec, 0);
    }
  }

  private async attempt(
    spec: RequestSpec,
    ctx: RunContext,
    forceRefresh: boolean,
  ): Promise<{ kind: 'reply'; reply: HttpReply } | { kind: 'network'; error: unknown }> {
    const slot = await this.budgets.get(spec.family).acquire(ctx.signal, ctx.deadline, spec.operation);
    let token: string;
    try {
      token = await this.token(spec, ctx.signal, forceRefresh);
    } catch (e) {
      slot.cancel();
      throw e;
    }
    this.counters.requests[spec.family]++;
    const started = this.clock.now();
    let status = 0;
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'user-agent': this.options.userAgent ?? 'defender-ip-investigator',
      };
      if (spec.clientRequestId !== undefined) headers['client-request-id'] = spec.clientRequestId;
      let body: string | undefined;
      if (spec.body !== undefined) {
        headers['content-type'] = 'application/json; charset=utf-8';
        body = JSON.stringify(spec.body);
      }
      const res = await request(spec.url, {
        method: spec.method,
        headers,
        body,
        signal: ctx.signal,
        dispatcher: this.options.dispatcher,
        // Our own deadline governs; undici's 300 s defaults would cut a long hunting timeout short.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      status = res.statusCode;
      const ok = status >= 200 && status < 300;
      const text = await readText(res.body, ok ? spec.maxBytes : MAX_ERROR_BYTES, !ok);
      return { kind: 'reply', reply: { status, headers: res.headers, text } };
    } catch (e) {
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      if (e instanceof BodyTooLarge) {
        throw new NetworkError(`The response for ${spec.label} is larger than ${Math.round(spec.maxBytes / 1048576)} MB; narrow the query.`, {
          operation: spec.operation,
          status,
        });
      }
      return { kind: 'network', error: e };
    } finally {
      slot.done();
      this.log('trace', `${spec.method} ${spec.url} -> ${status === 0 ? 'no response' : status} (${Math.round(this.clock.now() - started)} ms)`);
    }
  }

  private async token(spec: RequestSpec, signal: AbortSignal, forceRefresh: boolean): Promise<string> {
    let token: unknown;
    try {
      token = await this.options.getToken(spec.resource, signal, forceRefresh ? { forceRefresh: true } : undefined);
    } catch (e) {
      if (signal.aborted) throw abortReason(signal);
      if (e instanceof DefenderError) throw e;
      const why = e instanceof Error ? redact(shortText(e.message, 160)) : 'unknown error';
      throw new AuthError(`Could not get a token for ${serviceName(spec.resource).replace(/^The /, 'the ')} (${why}). Sign in again.`, {
        operation: spec.operation,
      });
    }
    if (typeof token !== 'string' || token.trim() === '') {
      throw new AuthError(`No token for ${serviceName(spec.resource).replace(/^The /, 'the ')}: sign in first.`, { operation: spec.operation });
    }
    return token;
  }

  private json(reply: HttpReply, spec: RequestSpec): unknown {
    try {
      return JSON.parse(reply.text) as unknown;
    } catch {
      throw new NetworkError(`${serviceName(spec.resource)} returned a response that is not valid JSON (${spec.label}); a proxy may be in the way.`, {
        operation: spec.operation,
        status: reply.status,
      });
    }
  }

  private shapeError(op: DefenderOperation): NetworkError {
    return new NetworkError(`The response for ${LABELS[op]} has an unexpected shape.`, { operation: op });
  }

  private throwShape(op: DefenderOperation): never {
    throw this.shapeError(op);
  }

  /** Maps a final HTTP failure to the typed error, keeping the body's code, message and request id. */
  private httpError(reply: HttpReply, spec: RequestSpec, retryAfterMs: number): DefenderError {
    let code: string | undefined;
    let serviceMessage: string | undefined;
    let requestId: string | undefined;
    try {
      const parsed: unknown = JSON.parse(reply.text);
      const err = isObject(parsed) ? field(parsed, 'error') : undefined;
      if (isObject(err)) {
        const c = field(err, 'code');
        const m = field(err, 'message');
        const t = field(err, 'target');
        const inner = field(err, 'innerError');
        if (typeof c === 'string') code = c;
        // Services have echoed request headers back in error text: redact before keeping it.
        if (typeof m === 'string') serviceMessage = redact(m);
        if (typeof t === 'string' && t !== '') requestId = t;
        else if (isObject(inner) && typeof field(inner, 'request-id') === 'string') requestId = field(inner, 'request-id') as string;
      }
    } catch {
      // Not JSON (a proxy page, an empty body): the status alone decides.
    }
    requestId ??= headerString(reply.headers['request-id']) ?? headerString(reply.headers['x-ms-request-id']);
    const details: ApiErrorDetails = { status: reply.status, code, serviceMessage, requestId, operation: spec.operation };
    const service = serviceName(spec.resource);
    const said = shortText(serviceMessage);
    switch (true) {
      case reply.status === 400:
        if (code === 'InvalidIpAddress') return new BadRequestError(`${service} says the address is not valid (InvalidIpAddress).`, details);
        return new BadRequestError(`${service} rejected the request for ${spec.label}${code !== undefined ? ` (${code})` : ''}${said !== '' ? `: ${said}` : '.'}`, details);
      case reply.status === 401:
        return new AuthError(`${service} refused the token: it has expired or was issued for another audience. Sign in again.`, details);
      case reply.status === 403:
        return new PermissionError(permissionMessage(spec.operation, code), permissionLabel(spec.operation), details);
      case reply.status === 404:
        return new NotFoundError(`${service} found nothing for ${spec.label} (404).`, details);
      case reply.status === 429:
        return new RateLimitError(
          `${service} rate limit reached for ${spec.label}; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`,
          retryAfterMs,
          details,
        );
      case reply.status >= 500:
        return new ServerError(`${service} failed (HTTP ${reply.status}) for ${spec.label}; try again later.`, details);
      case reply.status >= 400:
        return new BadRequestError(`${service} rejected the request for ${spec.label} (HTTP ${reply.status})${said !== '' ? `: ${said}` : '.'}`, details);
      default:
        return new NetworkError(`${service} answered with an unexpected HTTP ${reply.status} for ${spec.label}.`, details);
    }
  }

  private log(level: keyof ClientLogger, message: string): void {
    const logger = this.options.logger;
    if (logger === undefined) return;
    try {
      logger[level](redact(message));
    } catch {
      // A failing logger must not fail the call.
    }
  }
}

/** Reads a body up to `maxBytes`; past that it either truncates (error bodies) or throws BodyTooLarge. */
async function readText(body: Dispatcher.ResponseData['body'], maxBytes: number, truncate: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      if (!truncate) throw new BodyTooLarge();
      chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)));
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
