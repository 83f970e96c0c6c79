// What each sign-in mode needs (a discriminated union by `mode`), its validation, and the CLI's reading of the environment.
import { AuthError } from '../defender/errors';
import type { TokenResource } from './tokenProvider';

/** Sign-in endpoints of one cloud; `resolveCloud()` in clouds.ts produces these values. */
export interface AuthCloud {
  /** Sign-in host or URL: login.microsoftonline.com, login.microsoftonline.us, or a test authority such as https://127.0.0.1:4443. */
  authorityHost: string;
  /** e.g. https://api.securitycenter.microsoft.com/.default */
  defenderScope: string;
  /** e.g. https://graph.microsoft.com/.default */
  graphScope: string;
}

export const COMMERCIAL_AUTH_CLOUD: AuthCloud = {
  authorityHost: 'login.microsoftonline.com',
  defenderScope: 'https://api.securitycenter.microsoft.com/.default',
  graphScope: 'https://graph.microsoft.com/.default',
};

/** A user signs in with their own app registration (public client). */
export interface DelegatedAuthConfig {
  mode: 'delegated';
  cloud: AuthCloud;
  tenantId: string;
  clientId: string;
  /** Browser with a loopback redirect (default), or device code for remote machines, code-server and SSH. */
  flow?: 'interactive' | 'deviceCode';
  /** false: getToken never starts a sign-in by itself; it fails with "sign in" until signIn() is called. Default true. */
  signInWhenNeeded?: boolean;
  /** How long a sign-in may take before it is abandoned; default 5 minutes (device code: until the code expires, at most 15). */
  signInTimeoutMs?: number;
  /** Bound on one silent token request; default 30 s. */
  requestTimeoutMs?: number;
}

export type ClientCredential =
  | { kind: 'secret'; secret: string }
  /** PEM file with the certificate, and its private key unless `privateKeyPath` names another PEM file. */
  | { kind: 'certificate'; certificatePath: string; privateKeyPath?: string; password?: string };

/** An app registration signs in as itself (client credentials). */
export interface ApplicationAuthConfig {
  mode: 'application';
  cloud: AuthCloud;
  tenantId: string;
  clientId: string;
  credential: ClientCredential;
  requestTimeoutMs?: number;
}

/** Raw access tokens from the environment (e.g. from `az account get-access-token`). */
export interface EnvironmentAuthConfig {
  mode: 'environment';
  defenderToken?: string;
  graphToken?: string;
  /** Used only to suggest the right `--resource` in error messages. */
  cloud?: AuthCloud;
}

/** The simulated tenant: tokens are minted locally, nothing goes over the network. */
export interface DemoAuthConfig {
  mode: 'demo';
}

export type AuthConfig = DelegatedAuthConfig | ApplicationAuthConfig | EnvironmentAuthConfig | DemoAuthConfig;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** Tenant id: a GUID or a verified domain (contoso.onmicrosoft.com); `organizations` only where a user signs in. */
export function validateTenantId(value: string, label: string, allowMultiTenant: boolean): string {
  const v = value.trim();
  if (GUID.test(v) || DOMAIN.test(v)) return v;
  if (allowMultiTenant && (v.toLowerCase() === 'organizations' || v.toLowerCase() === 'common')) return v.toLowerCase();
  throw new AuthError(`${label} is not a tenant id: use the Directory (tenant) ID, a GUID, or a domain such as contoso.onmicrosoft.com.`);
}

export function validateClientId(value: string, label: string): string {
  const v = value.trim();
  if (!GUID.test(v)) throw new AuthError(`${label} is not a client id: use the Application (client) ID of the app registration, a GUID.`);
  return v;
}

/** The authority base URL (https, no trailing slash) from a host name or URL. */
export function authorityBaseUrl(authorityHost: string): string {
  const raw = authorityHost.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new AuthError(`The sign-in authority "${raw}" is not a valid host or URL.`);
  }
  if (url.protocol !== 'https:') throw new AuthError('The sign-in authority must use https.');
  if (url.username || url.password || url.search || url.hash) throw new AuthError('The sign-in authority must be a plain https URL.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function scopeFor(cloud: AuthCloud, resource: TokenResource): string {
  return resource === 'defender' ? cloud.defenderScope : cloud.graphScope;
}

/** The `--resource` value for `az account get-access-token`: the scope without `/.default`. */
export function resourceUri(cloud: AuthCloud, resource: TokenResource): string {
  return scopeFor(cloud, resource).replace(/\/\.default$/, '');
}

/** Checks ids and URLs before anything is sent; throws AuthError naming the bad value's setting. */
export function validateAuthConfig(config: AuthConfig): void {
  if (config.mode === 'delegated' || config.mode === 'application') {
    validateTenantId(config.tenantId, 'The tenant id', config.mode === 'delegated');
    validateClientId(config.clientId, 'The client id');
    authorityBaseUrl(config.cloud.authorityHost);
    for (const scope of [config.cloud.defenderScope, config.cloud.graphScope]) {
      if (!/^https:\/\/[^\s]+$/.test(scope)) throw new AuthError(`The token scope "${scope}" is not an https URI.`);
    }
    if (config.mode === 'application') {
      const c = config.credential;
      if (c.kind === 'secret' && !c.secret) throw new AuthError('The client secret is empty.');
      if (c.kind === 'certificate' && !c.certificatePath.trim()) throw new AuthError('The client certificate path is empty.');
    }
  }
}

/**
 * The CLI's credentials: DEFENDER_ACCESS_TOKEN / GRAPH_ACCESS_TOKEN, else AZURE_TENANT_ID + AZURE_CLIENT_ID +
 * (AZURE_CLIENT_SECRET | AZURE_CLIENT_CERTIFICATE_PATH [+ AZURE_CLIENT_CERTIFICATE_PASSWORD]). AZURE_AUTHORITY_HOST
 * overrides the cloud's sign-in host, as in the Azure SDKs.
 */
export function fromEnvironment(env: NodeJS.ProcessEnv, cloud: AuthCloud): AuthConfig {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const defenderToken = value('DEFENDER_ACCESS_TOKEN');
  const graphToken = value('GRAPH_ACCESS_TOKEN');
  if (defenderToken || graphToken) return { mode: 'environment', defenderToken, graphToken, cloud };

  const tenant = value('AZURE_TENANT_ID');
  const client = value('AZURE_CLIENT_ID');
  const secret = env.AZURE_CLIENT_SECRET ? env.AZURE_CLIENT_SECRET : undefined;
  const certificatePath = value('AZURE_CLIENT_CERTIFICATE_PATH');
  if (!tenant && !client && !secret && !certificatePath) {
    throw new AuthError(
      'No credentials: set DEFENDER_ACCESS_TOKEN (and GRAPH_ACCESS_TOKEN for hunting through Graph), or AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH).',
    );
  }
  if (!tenant) throw new AuthError('AZURE_TENANT_ID is not set: set it to the Directory (tenant) ID.');
  if (!client) throw new AuthError('AZURE_CLIENT_ID is not set: set it to the Application (client) ID of the app registration.');
  const tenantId = validateTenantId(tenant, 'AZURE_TENANT_ID', false);
  const clientId = validateClientId(client, 'AZURE_CLIENT_ID');
  let credential: ClientCredential;
  if (secret) credential = { kind: 'secret', secret };
  else if (certificatePath) {
    const password = env.AZURE_CLIENT_CERTIFICATE_PASSWORD ? env.AZURE_CLIENT_CERTIFICATE_PASSWORD : undefined;
    credential = { kind: 'certificate', certificatePath, ...(password ? { password } : {}) };
  } else {
    throw new AuthError('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH is not set: set one of them for the app registration.');
  }
  const authorityHost = value('AZURE_AUTHORITY_HOST');
  const effectiveCloud = authorityHost ? { ...cloud, authorityHost: authorityBaseUrl(authorityHost) } : cloud;
  return { mode: 'application', cloud: effectiveCloud, tenantId, clientId, credential };
}
