// The connection flags every API command shares (--demo, --cloud, --region, --api-url, --graph-url,
// --hunting, --timeout) and opening the client they describe: the in-process simulated tenant for
// --demo, otherwise the cloud's endpoints with credentials from the environment.
import type { CliIo } from './io';
import { ExitCode, UsageError } from './io';
import { AuthError } from '../core/defender/errors';
import { CLOUD_NAMES, REGIONS, isCloudName, isRegion, resolveCloud, type CloudName, type Region } from '../core/defender/clouds';
import type { HuntingPreference } from '../shared/defenderModel';
import type { DefenderClient } from '../core/defender/defenderClient';
import type { InvestigationService } from '../core/investigation/investigationService';
import type { TokenProvider } from '../core/auth/tokenProvider';

export interface ConnectionFlags {
  demo: boolean;
  cloud: CloudName;
  region?: Region;
  apiUrl?: string;
  graphUrl?: string;
  hunting: HuntingPreference;
  /** Per-call timeout in ms (every call, entity and hunting); the client's defaults when absent. */
  timeoutMs?: number;
}

export interface Connection {
  api: DefenderClient;
  service: InvestigationService;
  close(): Promise<void>;
  /** One line for humans: which tenant, cloud and endpoint, and how the CLI signed in. */
  describe: string;
  /** Tenant + cloud + endpoint: the cache scope, so results of two tenants never mix. */
  scope: string;
}

export const CONNECTION_HELP = `Connection:
  --demo                 use the built-in simulated tenant (no credentials, nothing leaves this machine)
  --cloud NAME           ${CLOUD_NAMES.join(' | ')} (default commercial)
  --region NAME          commercial geo host: ${REGIONS.join(' | ')}
  --api-url URL          Defender API base URL (overrides the cloud's)
  --graph-url URL        Microsoft Graph base URL (overrides the cloud's)
  --hunting MODE         auto | graph | defender (default auto: Graph, then the legacy API)
  --timeout DURATION     per-request timeout, e.g. 5s, 500ms, 2m
Credentials (environment): DEFENDER_ACCESS_TOKEN (+ GRAPH_ACCESS_TOKEN), or AZURE_TENANT_ID +
  AZURE_CLIENT_ID + AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH).
`;

const HUNTING: readonly HuntingPreference[] = ['auto', 'graph', 'defender'];
const VALUE_FLAGS = new Set(['--cloud', '--region', '--api-url', '--graph-url', '--hunting', '--timeout']);

/** `5s`, `500ms`, `2m`, or a bare number of seconds; 100 ms to 10 minutes. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} must be a duration such as 5s, 500ms or 2m, not '${text.slice(0, 40)}'.`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (!(ms >= 100 && ms <= 600_000)) throw new UsageError(`${flag} must be between 100ms and 10m.`);
  return Math.round(ms);
}

/** An http(s) base URL; plain http only for loopback (a local simulator), since a token is sent to it. */
export function parseBaseUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} is not a valid URL: '${text.slice(0, 80)}'.`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`${flag} must be an https:// URL (plain http only for 127.0.0.1 or localhost).`);
  }
  if (url.username || url.password || url.search || url.hash) throw new UsageError(`${flag} must be a plain base URL (no credentials, query or fragment).`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Takes the connection flags out of `args`; everything else is returned in order in `rest`. */
export function parseConnectionFlags(args: readonly string[]): { flags: ConnectionFlags; rest: string[] } {
  const flags: ConnectionFlags = { demo: false, cloud: 'commercial', hunting: 'auto' };
  const rest: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--demo') {
      if (eq > 0) throw new UsageError('--demo takes no value.');
      flags.demo = true;
      continue;
    }
    if (!VALUE_FLAGS.has(name)) {
      rest.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`${name} needs a value.`);
      i++;
    }
    if (seen.has(name)) throw new UsageError(`${name} was given twice.`);
    seen.add(name);
    switch (name) {
      case '--cloud':
        if (!isCloudName(value)) throw new UsageError(`--cloud must be one of ${CLOUD_NAMES.join(', ')}, not '${value.slice(0, 40)}'.`);
        flags.cloud = value;
        break;
      case '--region':
        if (!isRegion(value)) throw new UsageError(`--region must be one of ${REGIONS.join(', ')}, not '${value.slice(0, 40)}'.`);
        flags.region = value;
        break;
      case '--api-url':
        flags.apiUrl = parseBaseUrl(value, '--api-url');
        break;
      case '--graph-url':
        flags.graphUrl = parseBaseUrl(value, '--graph-url');
        break;
      case '--hunting':
        if (!(HUNTING as readonly string[]).includes(value)) throw new UsageError(`--hunting must be one of ${HUNTING.join(', ')}, not '${value.slice(0, 40)}'.`);
        flags.hunting = value as HuntingPreference;
        break;
      case '--timeout':
        flags.timeoutMs = parseDuration(value);
        break;
    }
  }
  if (flags.region && flags.cloud !== 'commercial') throw new UsageError(`--region applies to the commercial cloud only, not to '${flags.cloud}'.`);
  if (flags.demo && (flags.apiUrl || flags.graphUrl || seen.has('--cloud') || flags.region)) {
    throw new UsageError('--demo runs its own simulated tenant: drop --cloud, --region, --api-url and --graph-url.');
  }
  return { flags, rest };
}

/**
 * Opens the client the flags describe. Demo: starts the simulated tenant in-process on loopback with
 * demo tokens. Otherwise: the cloud's endpoints and the credentials in `io.env` (AuthError when absent).
 * Heavy modules (the simulator, msal) load here, on first use.
 */
export async function openConnection(flags: ConnectionFlags, io: CliIo): Promise<Connection> {
  const { DefenderClient } = await import('../core/defender/defenderClient');
  const { InvestigationService } = await import('../core/investigation/investigationService');
  const { createTokenProvider } = await import('../core/auth/createTokenProvider');
  const timeouts = flags.timeoutMs !== undefined ? { entityMs: flags.timeoutMs, huntingMs: flags.timeoutMs } : undefined;
  const client = (apiBaseUrl: string, graphBaseUrl: string, provider: TokenProvider, cacheScope: string) =>
    new DefenderClient({
      apiBaseUrl,
      graphBaseUrl,
      getToken: (resource, signal, options) => provider.getToken(resource, signal, options),
      hunting: flags.hunting,
      ...(timeouts ? { timeouts } : {}),
      cacheScope,
    });

  if (flags.demo) {
    const { startSimulator } = await import('../simulator/simulator');
    const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
    try {
      const provider = createTokenProvider({ mode: 'demo' });
      const scope = `demo:${sim.tenantId}`;
      const api = client(sim.apiBaseUrl, sim.graphBaseUrl, provider, scope);
      return {
        api,
        service: new InvestigationService(api),
        close: () => sim.close(),
        describe: `simulated demo tenant ${sim.tenantId} at ${sim.url}`,
        scope,
      };
    } catch (e) {
      await sim.close();
      throw e;
    }
  }

  let endpoints;
  try {
    endpoints = resolveCloud(flags.cloud, flags.region);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { fromEnvironment } = await import('../core/auth/authConfig');
  const config = fromEnvironment(io.env, endpoints);
  const provider = createTokenProvider(config);
  const apiBaseUrl = flags.apiUrl ?? endpoints.apiBaseUrl;
  const graphBaseUrl = flags.graphUrl ?? endpoints.graphBaseUrl;
  const who = provider.describe();
  const tenant = who.tenantId ?? 'token-tenant';
  const scope = `${tenant}@${flags.cloud}${flags.region ? `.${flags.region}` : ''}|${apiBaseUrl}|${graphBaseUrl}`;
  const api = client(apiBaseUrl, graphBaseUrl, provider, scope);
  return {
    api,
    service: new InvestigationService(api),
    close: () => Promise.resolve(),
    describe: `${who.tenantId ? `tenant ${who.tenantId}` : 'the token\u2019s tenant'} (${flags.cloud}${flags.region ? `, ${flags.region}` : ''}) at ${apiBaseUrl}, signed in with ${who.mode === 'environment' ? 'tokens from the environment' : `app ${who.account ?? ''}`.trim()}`,
    scope,
  };
}

/**
 * Opens the connection for a command; a failed sign-in is said on stderr as `ipinv <command>: …` and becomes exit 3
 * (the number is returned instead of a connection).
 */
export async function connectOrExit(
  command: string,
  flags: ConnectionFlags,
  io: CliIo,
  open: (flags: ConnectionFlags, io: CliIo) => Promise<Connection> = openConnection,
): Promise<Connection | number> {
  try {
    return await open(flags, io);
  } catch (e) {
    if (e instanceof AuthError) {
      io.stderr.write(`ipinv ${command}: ${e.message}\n`);
      return ExitCode.auth;
    }
    throw e;
  }
}

/** The signal a command stops on: the one given (tests), else Ctrl-C in a real terminal. `dispose` stops listening. */
export function interruptSignal(io: CliIo, given?: AbortSignal): { signal?: AbortSignal; dispose(): void } {
  if (given || io.stderr !== process.stderr) return { ...(given ? { signal: given } : {}), dispose: () => undefined };
  const ac = new AbortController();
  const onInt = (): void => ac.abort();
  process.once('SIGINT', onInt);
  return { signal: ac.signal, dispose: () => process.removeListener('SIGINT', onInt) };
}
