// Loads msal-node on first use (it is heavy) and builds the configuration the delegated and application providers share.
import type * as Msal from '@azure/msal-node';
import { redact } from '../../shared/redact';
import { authorityBaseUrl, type AuthCloud } from './authConfig';
import { DiagnosingNetworkClient } from './diagnosingNetworkClient';
import type { SignInErrorContext } from './signInErrors';
import type { AuthLogger } from './tokenProvider';

export type MsalModule = typeof Msal;

export interface MsalDeps {
  cachePlugin?: Msal.ICachePlugin;
  networkClient?: Msal.INetworkModule;
  logger?: AuthLogger;
}

let loading: Promise<MsalModule> | undefined;

export function loadMsal(): Promise<MsalModule> {
  loading ??= import('@azure/msal-node');
  return loading;
}

// msal knows these hosts; any other authority (a test tenant, a proxy) must be declared known or msal asks the internet.
const MICROSOFT_LOGIN_HOSTS = /^(?:login\.microsoftonline\.(?:com|us|de)|login-us\.microsoftonline\.com|login\.microsoft\.com|login\.windows\.net|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)$/i;

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface MsalSetup {
  msal: MsalModule;
  configuration: Msal.Configuration;
  network: DiagnosingNetworkClient;
  errorContext(): SignInErrorContext;
}

export async function setUpMsal(
  target: { cloud: AuthCloud; tenantId: string; clientId: string; requestTimeoutMs?: number },
  deps: MsalDeps,
  auth: Partial<Msal.NodeAuthOptions> = {},
): Promise<MsalSetup> {
  const msal = await loadMsal();
  const base = authorityBaseUrl(target.cloud.authorityHost);
  const host = new URL(base).host;
  let inner = deps.networkClient;
  if (!inner) {
    const { createUndiciNetworkClient } = await import('./undiciNetworkClient');
    inner = createUndiciNetworkClient({ timeoutMs: target.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS });
  }
  const network = new DiagnosingNetworkClient(inner, msal.AuthError);
  const logger = deps.logger;
  const configuration: Msal.Configuration = {
    auth: {
      clientId: target.clientId,
      authority: `${base}/${target.tenantId}`,
      ...(MICROSOFT_LOGIN_HOSTS.test(new URL(base).hostname) ? {} : { knownAuthorities: [host] }),
      ...auth,
    },
    ...(deps.cachePlugin ? { cache: { cachePlugin: deps.cachePlugin } } : {}),
    system: {
      networkClient: network,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: msal.LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (!logger) return;
          const text = redact(`msal: ${message}`);
          if (level === msal.LogLevel.Error) logger.warn(text);
          else logger.trace(text);
        },
      },
    },
  };
  return {
    msal,
    configuration,
    network,
    errorContext: () => ({ tenantId: target.tenantId, clientId: target.clientId, authorityHost: host, discoveryFailure: network.lastDiscoveryFailure }),
  };
}

/** Bound on one msal operation that may make a discovery request and a token request. */
export function operationTimeoutMs(requestTimeoutMs: number | undefined): number {
  return 2 * (requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) + 5_000;
}
