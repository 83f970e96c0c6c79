// The simulated Defender tenant: one loopback HTTP(S) server that speaks the Defender API (/api/...), the
// Graph hunting route (/v1.0/security/runHuntingQuery) and the sign-in endpoints, with the real error
// bodies, permissions, rate limits and the 30-day rules, over a deterministic story. Faults on request.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector, type FaultKind, type FaultRule, type RequestFamily } from './faults';
import { huntingContext } from './huntingTables';
import { handleIdentityRequest } from './identity';
import { IndicatorError, IndicatorStore, type IndicatorCaller } from './indicatorStore';
import { kqlToString, runKql, type KqlTable } from './kqlEngine';
import { KqlError, type KqlType } from './kqlParser';
import { logonUsersOf } from './logonUsers';
import { ODataFilterError, parseMachineFilter } from './machineFilter';
import { normaliseIp } from './normaliseIp';
import { RateLimiter, type RateFamily, type RateFamilyStats, type RateLimitOptions } from './rateLimiter';
import { DEMO_DEFAULT_SEED, buildDemoStory, toApiTime, type DemoStory, type StoryAlert, type StoryMachine, type StoryScale } from './story';
import { AUDIENCE_URIS, SIM_TENANT_ID, verifySimulatorToken, type SimAudience, type TokenCheck } from './tokens';

export type { FaultKind, FaultRule, RequestFamily } from './faults';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Hunting and findbyip see only the last 30 days. */
const DATA_WINDOW_MS = 30 * DAY;
const MAX_HUNTING_ROWS = 100_000;
const MAX_PAGE = 10_000;
const MAX_BODY_BYTES = 1_000_000;
/** An import of 500 indicators with long descriptions is larger than any other body. */
const MAX_IMPORT_BODY_BYTES = 4_000_000;

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only 127.0.0.1 is accepted: the simulator never listens beyond loopback. */
  host?: string;
  /** Serve HTTPS with this PEM key and certificate instead of HTTP. */
  tls?: { key: string; cert: string };
  /** The clock of the story and of the 30-day rules (ms since the epoch). Default Date.now. */
  now?: () => number;
  seed?: number;
  /** More data for benchmarks (e.g. `{ c2Events: 10_000 }`). */
  scale?: StoryScale;
  /** Limits per family and a time scale; `clock` (real ms, default performance.now) is for tests of the limiter. */
  rateLimits?: RateLimitOptions & { clock?: () => number };
  faults?: FaultRule[];
  /** Active indicators the tenant takes (default 15,000, the documented limit). */
  indicatorCap?: number;
}

/** GET this path for the request log (JSON `{ requests: RequestRecord[] }`). */
export const SIMULATOR_REQUESTS_PATH = '/_simulator/requests';

export interface RequestRecord {
  requestId: string;
  method: string;
  /** Path and query as received. */
  path: string;
  family: RequestFamily;
  /** HTTP status sent; 0 while unanswered, and for reset or hung connections. */
  status: number;
  /** Simulator clock (`now()`) when the request arrived. */
  time: number;
  /** Real milliseconds since the simulator started, when the request arrived (the rate limiter's time line). */
  elapsedMs: number;
  /** Audience of a valid token, once checked. */
  audience?: SimAudience;
  tenantId?: string;
  fault?: FaultKind;
}

export interface SimulatorHandle {
  /** Base URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  apiBaseUrl: string;
  graphBaseUrl: string;
  /** `${url}/${tenantId}`: the sign-in authority. */
  authorityUrl: string;
  tenantId: string;
  /** The deterministic data behind every answer (read-only: simulators started for the same second share it). */
  story: DemoStory;
  close(): Promise<void>;
  requests(): RequestRecord[];
  resetRequests(): void;
  setFaults(rules: FaultRule[]): void;
  /** How many requests each current fault rule has affected. */
  faultHits(): number[];
  /** Peak calls per sliding window and throttled counts, per family. */
  rateLimitStats(): Record<RateFamily, RateFamilyStats>;
  /** Active indicators the tenant holds now (the story's seed plus what this session wrote). */
  indicatorCount(): number;
}

interface RouteMatch {
  name:
    | 'findbyip'
    | 'ipStats'
    | 'ipAlerts'
    | 'machines'
    | 'machine'
    | 'machineAlerts'
    | 'advancedQuery'
    | 'graphHunting'
    | 'indicators'
    | 'indicatorSubmit'
    | 'indicatorImport'
    | 'indicatorDelete'
    | 'machineLogonUsers';
  method: 'GET' | 'POST' | 'DELETE';
  audience: SimAudience;
  permission: string;
  delegated: string;
  family: RateFamily;
  params: string[];
  /** Other permissions that also grant the route (Ti.ReadWrite next to Ti.ReadWrite.All), and how the 403 names them. */
  alsoAccepts?: string[];
  permissionText?: string;
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RequestRecord;
  url: URL;
  segments: string[];
  now: number;
  token?: Extract<TokenCheck, { ok: true }>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TYPE_NAMES: Record<KqlType, string> = {
  string: 'String', int: 'Int32', long: 'Int64', real: 'Double', bool: 'Boolean', datetime: 'DateTime', timespan: 'TimeSpan', dynamic: 'Object',
};

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function familyOf(segments: string[]): RequestFamily {
  const [first = '', second = '', third = ''] = segments;
  if (first.toLowerCase() === 'api') {
    const rest = segments.slice(second.toLowerCase() === 'v1.0' ? 2 : 1);
    return rest[0]?.toLowerCase() === 'advancedqueries' ? 'hunting' : 'entity';
  }
  if ((first === 'v1.0' || first === 'beta') && second.toLowerCase() === 'security') return 'hunting';
  // /{tenant}/oauth2/v2.0/*, /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/(instance|v2.0/keys)
  if (first && (second === 'oauth2' || (second === 'v2.0' && third === '.well-known') || second === 'discovery')) return 'identity';
  return 'other';
}

/** The indicators routes: one collection for GET and POST, the import route, DELETE by id. */
function matchIndicatorRoute(rest: string[], method: string): RouteMatch | undefined {
  if ((rest[0] ?? '').toLowerCase() !== 'indicators') return undefined;
  const ti = { audience: 'defender' as const, permission: 'Ti.ReadWrite.All', delegated: 'Ti.ReadWrite', alsoAccepts: ['Ti.ReadWrite'], permissionText: 'Ti.ReadWrite or Ti.ReadWrite.All' };
  if (rest.length === 1) {
    return method === 'POST' ? { ...ti, name: 'indicatorSubmit', method: 'POST', family: 'indicator', params: [] } : { ...ti, name: 'indicators', method: 'GET', family: 'indicator', params: [] };
  }
  if (rest.length === 2 && (rest[1] ?? '').toLowerCase() === 'import') return { ...ti, name: 'indicatorImport', method: 'POST', family: 'indicatorImport', params: [] };
  if (rest.length === 2) return { ...ti, name: 'indicatorDelete', method: 'DELETE', family: 'indicator', params: [rest[1] ?? ''] };
  return undefined;
}

function matchRoute(segments: string[], method = 'GET'): RouteMatch | undefined {
  const [first = '', second = '', third = ''] = segments;
  const defender = (name: RouteMatch['name'], permission: string, delegated: string, params: string[] = [], method: RouteMatch['method'] = 'GET'): RouteMatch => ({
    name, method, audience: 'defender', permission, delegated, family: name === 'advancedQuery' ? 'hunting' : 'entity', params,
  });
  if ((first === 'v1.0' || first === 'beta') && second.toLowerCase() === 'security' && third.toLowerCase() === 'runhuntingquery' && segments.length === 3) {
    return { name: 'graphHunting', method: 'POST', audience: 'graph', permission: 'ThreatHunting.Read.All', delegated: 'ThreatHunting.Read.All', family: 'hunting', params: [] };
  }
  if (first.toLowerCase() !== 'api') return undefined;
  const rest = segments.slice(second.toLowerCase() === 'v1.0' ? 2 : 1);
  const indicatorRoute = matchIndicatorRoute(rest, method);
  if (indicatorRoute) return indicatorRoute;
  const [a = '', b = '', c = ''] = rest;
  const al = a.toLowerCase();
  if (al === 'advancedqueries' && b.toLowerCase() === 'run' && rest.length === 2) return defender('advancedQuery', 'AdvancedQuery.Read.All', 'AdvancedQuery.Read', [], 'POST');
  if (al === 'ips' && rest.length === 3 && c.toLowerCase() === 'stats') return defender('ipStats', 'Ip.Read.All', 'Ip.Read.All', [b]);
  if (al === 'ips' && rest.length === 3 && c.toLowerCase() === 'alerts') return defender('ipAlerts', 'Alert.Read.All', 'Alert.Read', [b]);
  if (al === 'machines') {
    if (rest.length === 1) return defender('machines', 'Machine.Read.All', 'Machine.Read');
    const findbyip = /^findbyip\((.*)\)$/i.exec(b);
    if (rest.length === 2 && findbyip) return defender('findbyip', 'Machine.Read.All', 'Machine.Read', [findbyip[1] ?? '']);
    if (rest.length === 2) return defender('machine', 'Machine.Read.All', 'Machine.Read', [b]);
    if (rest.length === 3 && c.toLowerCase() === 'alerts') return defender('machineAlerts', 'Alert.Read.All', 'Alert.Read', [b]);
    if (rest.length === 3 && c.toLowerCase() === 'logonusers') return defender('machineLogonUsers', 'User.Read.All', 'User.Read.All', [b]);
  }
  return undefined;
}

const AUTH_MESSAGES: Record<'missing' | 'malformed' | 'signature' | 'expired', string> = {
  missing: 'Authorization header is missing or is not a Bearer token.',
  malformed: 'The access token is malformed.',
  signature: 'The access token signature is invalid.',
  expired: 'The access token has expired. Request a new token and try again.',
};

let lastStory: { key: string; story: DemoStory } | undefined;

/** The story is pure and read-only, so consecutive starts for the same second, seed and scale share it. */
function storyFor(now: number, seed: number, scale: StoryScale | undefined): DemoStory {
  const key = JSON.stringify([Math.floor(now / 1000), seed, scale ?? null]);
  if (lastStory?.key !== key) lastStory = { key, story: buildDemoStory({ now, seed, ...(scale ? { scale } : {}) }) };
  return lastStory.story;
}

/** Starts the simulated tenant on loopback; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`The simulator listens on 127.0.0.1 only, not '${host}'.`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Invalid port ${port}`);
  const now = options.now ?? Date.now;
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  // Options are validated (these throw RangeError) before the story is built.
  const limiter = new RateLimiter(options.rateLimits ?? {}, options.rateLimits?.clock ?? (() => performance.now()));
  const faults = new FaultInjector(options.faults ?? [], seed);
  const story = storyFor(now(), seed, options.scale);
  // The story is shared and read-only; the indicators this session is given are its own.
  const indicators = new IndicatorStore(story, now, options.indicatorCap);
  const startedAt = performance.now();
  let records: RequestRecord[] = [];
  let closed = false;
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let baseUrl = '';

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = { timer: setTimeout(() => (sleepers.delete(entry), resolve()), ms), resolve };
      sleepers.add(entry);
    });

  const sendJson = (ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (ex.res.headersSent || ex.res.destroyed) return;
    const text = JSON.stringify(body);
    ex.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    ex.res.end(text);
  };

  const sendError = (ex: Exchange, status: number, code: string, message: string, headers: Record<string, string> = {}): void => {
    const error: Record<string, unknown> = { code, message, target: ex.record.requestId };
    // Graph adds its own innerError; the Defender API does not.
    if (ex.segments[0] === 'v1.0' || ex.segments[0] === 'beta') error.innerError = { date: new Date(ex.now).toISOString(), 'request-id': ex.record.requestId, 'client-request-id': ex.record.requestId };
    sendJson(ex, status, { error }, headers);
  };

  const readBody = (req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          reject(new HttpError(400, 'InvalidRequestBody', `The request body is larger than ${maxBytes} bytes.`));
          req.resume();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const applyFault = (ex: Exchange, fault: FaultRule): void => {
    ex.record.fault = fault.kind;
    switch (fault.kind) {
      case 'error': {
        const status = fault.status ?? 503;
        const code = status === 500 ? 'InternalServerError' : status === 503 ? 'ServiceUnavailable' : status === 504 ? 'GatewayTimeout' : 'BadGateway';
        sendError(ex, status, code, status === 500 ? '' : 'The service is temporarily unavailable (injected fault).');
        return;
      }
      case 'reset': {
        const socket = ex.req.socket as Socket & { resetAndDestroy?: () => void };
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      case 'malformed': {
        const text = '{"@odata.context":"$metadata#Machines","value":[{"id":"4f1c9e2a7b3d';
        ex.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(text.length) });
        ex.res.end(text);
        return;
      }
      case 'hang':
        hanging.add(ex.res);
        ex.res.on('close', () => hanging.delete(ex.res));
        return;
      case 'throttle': {
        const seconds = fault.retryAfterSeconds ?? 1;
        sendError(ex, 429, 'TooManyRequests', `Rate limit is exceeded. Try again in ${seconds} seconds. (injected fault)`, retryAfterHeaders(seconds * 1000));
        return;
      }
      case 'latency':
        return;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    // Concatenated, not resolved: a path such as //host/x must stay a path.
    const url = new URL(`http://127.0.0.1${rawUrl.startsWith('/') ? '' : '/'}${rawUrl}`);
    const segments = url.pathname.split('/').slice(1).map(safeDecode);
    if (segments[segments.length - 1] === '') segments.pop();
    // Diagnostics for the suites that drive the extension from outside its process (the e2e workbench): what this
    // tenant was asked, so a test can prove that something was shown without a request. Not a Defender route; not logged.
    if (req.method === 'GET' && url.pathname === SIMULATOR_REQUESTS_PATH) {
      const text = JSON.stringify({ requests: records });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
      return;
    }
    const family = familyOf(segments);
    const record: RequestRecord = { requestId, method: req.method ?? 'GET', path: rawUrl, family, status: 0, time: now(), elapsedMs: performance.now() - startedAt };
    records.push(record);
    if (records.length > 200_000) records = records.slice(-100_000);
    res.setHeader('request-id', requestId);
    res.on('finish', () => (record.status = res.statusCode));
    const ex: Exchange = { req, res, record, url, segments, now: record.time };

    const decision = faults.decide({ method: record.method, path: `/${segments.join('/')}${url.search ? safeDecode(url.search) : ''}`, family });
    if (decision.delayMs > 0) {
      await sleep(decision.delayMs);
      if (closed) return;
    }
    if (decision.fault) {
      applyFault(ex, decision.fault);
      return;
    }
    if (family === 'identity') {
      const handled = await handleIdentityRequest(req, res, { issuerBaseUrl: baseUrl, now });
      if (!handled) sendError(ex, 404, 'NotFound', 'No such sign-in endpoint.');
      return;
    }
    const route = matchRoute(segments, record.method);
    if (!route) {
      sendError(ex, 404, 'NotFound', `The simulated tenant has no route ${record.method} ${url.pathname.slice(0, 200)}.`);
      return;
    }
    if (record.method !== route.method) {
      sendError(ex, 405, 'MethodNotAllowed', `${route.name} accepts ${route.method} only.`, { allow: route.method });
      return;
    }
    ex.now = now();
    const check = verifySimulatorToken(req.headers.authorization, route.audience, ex.now);
    if (!check.ok) {
      const message = check.reason === 'audience'
        ? `The access token has the wrong audience: this API accepts tokens for ${AUDIENCE_URIS[route.audience]} only (got a token for another resource).`
        : AUTH_MESSAGES[check.reason];
      sendError(ex, 401, 'Unauthorized', message, { 'www-authenticate': `Bearer error="invalid_token", error_description="${check.reason}"` });
      return;
    }
    record.audience = route.audience;
    record.tenantId = check.tenantId;
    ex.token = check;
    const readWrite = route.permission.replace('.Read.', '.ReadWrite.');
    if (!check.permissions.has(route.permission) && !check.permissions.has(readWrite) && !(route.alsoAccepts ?? []).some((p) => check.permissions.has(p))) {
      const names = route.permissionText ?? (route.permission === route.delegated ? route.permission : `${route.permission} (application) or ${route.delegated} (delegated)`);
      sendError(ex, 403, 'Forbidden', `Missing permission: this operation needs ${names}.`);
      return;
    }
    const rate = limiter.take(route.family, check.tenantId);
    if (!rate.ok) {
      const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
      const what = route.family === 'hunting' ? 'advanced hunting' : route.family === 'indicatorImport' ? 'the indicators import API' : 'this API';
      sendError(ex, 429, 'TooManyRequests', `Rate limit is exceeded: ${what} allows ${rate.limit} calls per ${rate.window} per tenant. Try again in ${seconds} seconds.`, retryAfterHeaders(rate.retryAfterMs));
      return;
    }
    try {
      await dispatch(ex, route);
    } catch (e) {
      if (e instanceof HttpError) sendError(ex, e.status, e.code, e.message, e.headers);
      else if (e instanceof IndicatorError) sendError(ex, e.status, e.code, e.message);
      else sendError(ex, 500, 'InternalServerError', '');
    }
  };

  const caller = (ex: Exchange): IndicatorCaller => {
    const t = ex.token;
    // A user sees every indicator; an app with only Ti.ReadWrite sees the ones it created.
    return { subject: t?.subject ?? 'unknown', kind: t?.kind ?? 'app', seesAll: t?.kind === 'delegated' || t?.permissions.has('Ti.ReadWrite.All') === true };
  };

  const jsonBody = async (ex: Exchange, maxBytes?: number): Promise<unknown> => {
    const text = await readBody(ex.req, maxBytes);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, 'InvalidRequestBody', 'The request body is not valid JSON.');
    }
  };

  const dispatch = async (ex: Exchange, route: RouteMatch): Promise<void> => {
    const base = `${baseUrl}/api`;
    switch (route.name) {
      case 'indicators':
        sendJson(ex, 200, indicators.list(ex.url, caller(ex), baseUrl));
        return;
      case 'indicatorSubmit':
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#Indicators/$entity`, ...indicators.submit(await jsonBody(ex), caller(ex)) });
        return;
      case 'indicatorImport':
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#Collection(microsoft.windowsDefenderATP.api.ImportIndicatorResult)`, ...indicators.importBatch(await jsonBody(ex, MAX_IMPORT_BODY_BYTES), caller(ex)) });
        return;
      case 'indicatorDelete': {
        const id = route.params[0] ?? '';
        if (!indicators.remove(id, caller(ex))) throw new HttpError(404, 'ResourceNotFound', `Indicator ${id.slice(0, 100)} was not found`);
        if (!ex.res.headersSent) {
          ex.res.writeHead(204);
          ex.res.end();
        }
        return;
      }
      case 'findbyip': {
        const machines = findByIp(story, route.params[0] ?? '', ex.now);
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#Machines`, value: machines.map(machineJson) });
        return;
      }
      case 'ipStats': {
        const ip = requireIp(route.params[0] ?? '');
        const hours = lookBackHours(ex.url);
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#microsoft.windowsDefenderATP.api.InOrgIPStats`, ...ipStats(story, ip, hours, ex.now) });
        return;
      }
      case 'ipAlerts': {
        const ip = requireIp(route.params[0] ?? '');
        const alerts = (story.alertsByIp.get(ip) ?? []).filter((a) => a.created <= ex.now);
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#Alerts`, value: alerts.map(alertJson) });
        return;
      }
      case 'machine': {
        const m = findMachine(story, route.params[0] ?? '');
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#Machines/$entity`, ...machineJson(m) });
        return;
      }
      case 'machineAlerts': {
        const m = findMachine(story, route.params[0] ?? '');
        const alerts = story.alerts.filter((a) => a.machineId === m.id && a.created <= ex.now);
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#Alerts`, value: alerts.map(alertJson) });
        return;
      }
      case 'machines':
        sendJson(ex, 200, listMachines(story, ex.url, baseUrl));
        return;
      case 'machineLogonUsers': {
        const m = findMachine(story, route.params[0] ?? '');
        sendJson(ex, 200, { '@odata.context': `${base}/$metadata#Users`, value: logonUsersOf(story, m) });
        return;
      }
      case 'advancedQuery':
      case 'graphHunting': {
        const graph = route.name === 'graphHunting';
        const body = await readBody(ex.req);
        const { query, timespan } = parseHuntingBody(body, graph);
        const window = huntingWindow(ex.now, timespan);
        let table: KqlTable;
        try {
          table = runKql(query, huntingContext(story, ex.now, window));
        } catch (e) {
          if (e instanceof KqlError) throw new HttpError(400, 'BadRequest', e.message);
          throw e;
        }
        const rows = table.rows.slice(0, MAX_HUNTING_ROWS).map((row) => serialiseRow(row, table, graph));
        if (graph) {
          sendJson(ex, 200, {
            '@odata.context': `${baseUrl}/v1.0/$metadata#microsoft.graph.security.huntingQueryResults`,
            schema: table.columns.map((c) => ({ name: c.name, type: TYPE_NAMES[c.type] })),
            results: rows,
          });
        } else {
          sendJson(ex, 200, { Schema: table.columns.map((c) => ({ Name: c.name, Type: TYPE_NAMES[c.type] })), Results: rows });
        }
        return;
      }
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"error":{"code":"InternalServerError","message":"","target":""}}');
      }
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A TLS handshake failure (e.g. a client that does not trust the test CA) must not crash the process.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  baseUrl = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;

  return {
    url: baseUrl,
    apiBaseUrl: baseUrl,
    graphBaseUrl: baseUrl,
    authorityUrl: `${baseUrl}/${SIM_TENANT_ID}`,
    tenantId: SIM_TENANT_ID,
    story,
    requests: () => records.slice(),
    resetRequests: () => {
      records = [];
    },
    setFaults: (rules) => faults.set(rules),
    faultHits: () => faults.hits(),
    rateLimitStats: () => limiter.stats(),
    indicatorCount: () => indicators.size,
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      for (const s of sleepers) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleepers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** Retry-After in whole seconds (at least 1), plus the exact milliseconds for scaled test clocks. */
function retryAfterHeaders(ms: number): Record<string, string> {
  const exact = String(Math.max(1, Math.ceil(ms)));
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': exact, 'x-ms-retry-after-ms': exact };
}

function requireIp(text: string): string {
  const ip = normaliseIp(text);
  if (!ip) throw new HttpError(400, 'InvalidIpAddress', `IP address ${text.slice(0, 100)} is invalid`);
  return ip;
}

function lookBackHours(url: URL): number {
  let raw: string | undefined;
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === 'lookbackhours') raw = v;
  if (raw === undefined) return 720;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 720) {
    throw new HttpError(400, 'InvalidInput', `lookBackHours must be a whole number of hours from 1 to 720 (30 days), not '${raw.slice(0, 40)}'.`);
  }
  return Number(raw);
}

function ipStats(story: DemoStory, ip: string, hours: number, now: number): Record<string, unknown> {
  const from = now - hours * HOUR;
  const devices = new Set<unknown>();
  let first = Infinity;
  let last = -Infinity;
  for (const e of story.eventsByIp.get(ip) ?? []) {
    const t = e.Timestamp as number;
    if (t <= from || t > now) continue;
    devices.add(e.DeviceId);
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  return {
    ipAddress: ip,
    orgFirstSeen: devices.size ? toApiTime(first) : null,
    orgLastSeen: devices.size ? toApiTime(last) : null,
    // Both spellings, as live responses were seen to carry (MicrosoftDocs/microsoft-365-docs#5892).
    orgPrevalence: String(devices.size),
    organizationPrevalence: devices.size,
  };
}

/** Parses `ip='…',timestamp=…` and answers the machines that reported the address within ±15 minutes. */
function findByIp(story: DemoStory, args: string, now: number): StoryMachine[] {
  const params = new Map<string, string>();
  for (const part of args.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new HttpError(400, 'InvalidInput', `findbyip expects ip='…',timestamp=…; got '${args.slice(0, 100)}'.`);
    params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const rawIp = params.get('ip');
  const rawTime = params.get('timestamp');
  if (rawIp === undefined || rawTime === undefined) throw new HttpError(400, 'MissingRequiredParameter', "findbyip needs both ip='…' and timestamp=….");
  const ip = requireIp(rawIp.replace(/^'(.*)'$/, '$1'));
  const timeText = rawTime.replace(/^'(.*)'$/, '$1');
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/.test(timeText) ? Date.parse(timeText.replace(/(\.\d{3})\d+/, '$1')) : NaN;
  if (Number.isNaN(at)) throw new HttpError(400, 'InvalidInput', `The timestamp '${timeText.slice(0, 60)}' is not a valid ISO 8601 UTC time (e.g. 2025-03-10T14:05:00Z).`);
  if (at > now) throw new HttpError(400, 'InvalidInput', 'The timestamp is in the future: findbyip accepts times within the past 30 days only.');
  if (at < now - DATA_WINDOW_MS) throw new HttpError(400, 'InvalidInput', 'The timestamp is older than 30 days: findbyip accepts times within the past 30 days only.');
  const ids = new Set<string>();
  for (const row of story.networkInfoByIp.get(ip) ?? []) {
    const t = row.Timestamp as number;
    if (t >= at - 15 * MINUTE && t <= at + 15 * MINUTE && t <= now) ids.add(row.DeviceId as string);
  }
  return [...ids].map((id) => story.machineById.get(id)).filter((m): m is StoryMachine => m !== undefined);
}

function findMachine(story: DemoStory, key: string): StoryMachine {
  const m = story.machineById.get(key.toLowerCase()) ?? story.machineByName.get(key.toLowerCase());
  if (!m) throw new HttpError(404, 'ResourceNotFound', `Machine ${key.slice(0, 200)} was not found`);
  return m;
}

const SUPPORTED_OPTIONS = new Set(['$filter', '$top', '$skip', '$select']);

function listMachines(story: DemoStory, url: URL, baseUrl: string): Record<string, unknown> {
  for (const key of url.searchParams.keys()) {
    if (key.startsWith('$') && !SUPPORTED_OPTIONS.has(key)) throw new HttpError(400, 'ODataError', `The query option '${key.slice(0, 40)}' is not supported by the simulated tenant.`);
  }
  const filterText = url.searchParams.get('$filter');
  const topText = url.searchParams.get('$top');
  const skipText = url.searchParams.get('$skip');
  const top = topText === null ? MAX_PAGE : Number(topText);
  const skip = skipText === null ? 0 : Number(skipText);
  if (!/^\d+$/.test(topText ?? '0') || !Number.isInteger(top)) throw new HttpError(400, 'ODataError', `Invalid $top '${(topText ?? '').slice(0, 40)}': a whole number is expected.`);
  if (top > MAX_PAGE) throw new HttpError(400, 'ODataError', `The limit of '${MAX_PAGE}' for Top query has been exceeded. The value from the incoming request is '${top}'.`);
  if (!/^\d+$/.test(skipText ?? '0') || !Number.isInteger(skip)) throw new HttpError(400, 'ODataError', `Invalid $skip '${(skipText ?? '').slice(0, 40)}': a whole number is expected.`);
  let machines = story.machines;
  if (filterText !== null) {
    try {
      const predicate = parseMachineFilter(filterText);
      machines = machines.filter(predicate);
    } catch (e) {
      if (e instanceof ODataFilterError) throw new HttpError(400, 'ODataError', e.message);
      throw e;
    }
  }
  const page = machines.slice(skip, skip + top);
  const select = url.searchParams.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
  const value = page.map((m) => {
    const json = machineJson(m);
    return select ? Object.fromEntries(Object.entries(json).filter(([k]) => select.includes(k))) : json;
  });
  const body: Record<string, unknown> = { '@odata.context': `${baseUrl}/api/$metadata#Machines`, value };
  if (top > 0 && page.length === top) {
    const next = new URL(`${baseUrl}${url.pathname}`);
    for (const [k, v] of url.searchParams) if (k !== '$skip') next.searchParams.set(k, v);
    next.searchParams.set('$skip', String(skip + top));
    body['@odata.nextLink'] = next.toString();
  }
  return body;
}

function machineJson(m: StoryMachine): Record<string, unknown> {
  const wireless = m.kind === 'laptop' || m.kind === 'mac';
  const ipAddresses = [
    { ipAddress: m.lastIpAddress, macAddress: m.macAddress, type: wireless ? 'Wireless80211' : 'Ethernet', operationalStatus: 'Up' },
    { ipAddress: m.linkLocalIp, macAddress: m.macAddress, type: wireless ? 'Wireless80211' : 'Ethernet', operationalStatus: 'Up' },
  ];
  if (m.globalIpv6) ipAddresses.push({ ipAddress: m.globalIpv6, macAddress: m.macAddress, type: 'Ethernet', operationalStatus: 'Up' });
  return {
    id: m.id,
    computerDnsName: m.computerDnsName,
    firstSeen: toApiTime(m.firstSeen),
    lastSeen: toApiTime(m.lastSeen),
    osPlatform: m.osPlatform,
    version: m.version,
    osProcessor: m.osProcessor,
    osArchitecture: m.osArchitecture,
    osBuild: m.osBuild,
    lastIpAddress: m.lastIpAddress,
    lastExternalIpAddress: m.lastExternalIpAddress,
    healthStatus: m.healthStatus,
    onboardingStatus: m.onboardingStatus,
    rbacGroupId: m.rbacGroupId,
    rbacGroupName: m.rbacGroupName,
    riskScore: m.riskScore,
    exposureLevel: m.exposureLevel,
    deviceValue: m.deviceValue,
    isAadJoined: m.isAadJoined,
    aadDeviceId: m.aadDeviceId,
    defenderAvStatus: 'Updated',
    machineTags: m.machineTags,
    ipAddresses,
  };
}

function alertJson(a: StoryAlert): Record<string, unknown> {
  const time = (ms: number | null): string | null => (ms === null ? null : toApiTime(ms));
  return {
    id: a.id,
    incidentId: a.incidentId,
    investigationId: a.investigationId,
    assignedTo: a.assignedTo,
    severity: a.severity,
    status: a.status,
    classification: a.classification,
    determination: a.determination,
    investigationState: a.investigationState,
    detectionSource: a.detectionSource,
    detectorId: a.detectorId,
    category: a.category,
    threatFamilyName: null,
    threatName: null,
    title: a.title,
    description: a.description,
    alertCreationTime: time(a.created),
    firstEventTime: time(a.firstEvent),
    lastEventTime: time(a.lastEvent),
    lastUpdateTime: time(a.lastUpdate),
    resolvedTime: time(a.resolved),
    machineId: a.machineId,
    computerDnsName: a.computerDnsName,
    rbacGroupName: a.rbacGroupName,
    aadTenantId: SIM_TENANT_ID,
    mitreTechniques: a.mitreTechniques,
    relatedUser: a.relatedUser,
    comments: a.comments.map((c) => ({ comment: c.comment, createdBy: c.createdBy, createdTime: toApiTime(c.createdTime) })),
    evidence: a.evidence.map((e) => ({
      entityType: e.entityType,
      evidenceCreationTime: toApiTime(a.created),
      sha1: e.sha1 ?? null,
      sha256: null,
      fileName: e.fileName ?? null,
      filePath: e.filePath ?? null,
      processId: e.processId ?? null,
      processCommandLine: e.processCommandLine ?? null,
      processCreationTime: e.entityType === 'Process' ? toApiTime(a.firstEvent) : null,
      parentProcessId: null,
      parentProcessCreationTime: null,
      parentProcessFileName: null,
      parentProcessFilePath: null,
      ipAddress: e.ipAddress ?? null,
      url: e.url ?? null,
      registryKey: null,
      registryHive: null,
      registryValueType: null,
      registryValue: null,
      accountName: e.accountName ?? null,
      domainName: e.domainName ?? null,
      userSid: null,
      aadUserId: null,
      userPrincipalName: null,
      detectionStatus: e.entityType === 'Process' || e.entityType === 'File' ? 'Detected' : null,
    })),
  };
}

function parseHuntingBody(body: string, graph: boolean): { query: string; timespan?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'InvalidRequestBody', 'The request body is not valid JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'InvalidRequestBody', 'The request body must be a JSON object with a Query property.');
  const o = parsed as Record<string, unknown>;
  // The Defender API's body names are case-sensitive (Query, not query); Graph also accepts camelCase.
  const query = graph ? (o.Query ?? o.query) : o.Query;
  if (query === undefined) {
    const hint = !graph && 'query' in o ? " Body parameter names are case-sensitive: use 'Query'." : '';
    throw new HttpError(400, 'MissingRequiredParameter', `Required parameter 'Query' is missing.${hint}`);
  }
  if (typeof query !== 'string' || query.trim() === '') throw new HttpError(400, 'InvalidRequestBody', "'Query' must be a non-empty string.");
  if (query.length > 100_000) throw new HttpError(400, 'BadRequest', 'The query text is too long.');
  const timespan = graph ? (o.Timespan ?? o.timespan) : undefined;
  if (timespan !== undefined && timespan !== null && typeof timespan !== 'string') throw new HttpError(400, 'InvalidRequestBody', "'Timespan' must be an ISO 8601 string.");
  return typeof timespan === 'string' ? { query, timespan } : { query };
}

function isoDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m;
  return Number(w ?? 0) * 7 * DAY + Number(d ?? 0) * DAY + Number(h ?? 0) * HOUR + Number(min ?? 0) * MINUTE + Number(s ?? 0) * 1000;
}

function isoInstant(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(text)) return undefined;
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : /Z$|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The data window of a hunting request: the past 30 days, narrowed by a Graph Timespan if given. */
function huntingWindow(now: number, timespan: string | undefined): { from: number; to: number } {
  let from = now - DATA_WINDOW_MS;
  let to = now;
  if (timespan !== undefined && timespan.trim() !== '') {
    const bad = (): never => {
      throw new HttpError(400, 'BadRequest', `Timespan '${timespan.slice(0, 60)}' is not an ISO 8601 duration or interval (e.g. P7D, or start/end).`);
    };
    const parts = timespan.trim().split('/');
    if (parts.length === 1) {
      const d = isoDuration(parts[0]);
      const start = d === undefined ? isoInstant(parts[0]) : undefined;
      if (d !== undefined) from = now - d;
      else if (start !== undefined) from = start;
      else bad();
    } else if (parts.length === 2) {
      const [a = '', b = ''] = parts;
      const da = isoDuration(a);
      const db = isoDuration(b);
      const ia = isoInstant(a);
      const ib = isoInstant(b);
      if (ia !== undefined && ib !== undefined) [from, to] = [ia, ib];
      else if (ia !== undefined && db !== undefined) [from, to] = [ia, ia + db];
      else if (da !== undefined && ib !== undefined) [from, to] = [ib - da, ib];
      else bad();
    } else {
      bad();
    }
  }
  return { from: Math.max(from, now - DATA_WINDOW_MS), to: Math.min(to, now) };
}

function serialiseRow(row: Record<string, unknown>, table: KqlTable, graph: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of table.columns) {
    const v = row[c.name];
    if (v === null || v === undefined) out[c.name] = null;
    else if (c.type === 'datetime') out[c.name] = graph ? new Date(v as number).toISOString() : toApiTime(v as number);
    else if (c.type === 'timespan') out[c.name] = kqlToString(v, c.type);
    else out[c.name] = v;
  }
  return out;
}
