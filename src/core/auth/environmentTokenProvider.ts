// Raw access tokens from the environment (DEFENDER_ACCESS_TOKEN, GRAPH_ACCESS_TOKEN), e.g. from `az account get-access-token`.
// They cannot be refreshed, so expiry and a rejected token become errors that say how to get a new one.
import { AuthError, CancelledError } from '../defender/errors';
import { COMMERCIAL_AUTH_CLOUD, resourceUri, type EnvironmentAuthConfig } from './authConfig';
import type { GetTokenOptions, TokenProvider, TokenProviderDescription, TokenResource } from './tokenProvider';

const VARIABLE: Record<TokenResource, string> = { defender: 'DEFENDER_ACCESS_TOKEN', graph: 'GRAPH_ACCESS_TOKEN' };
const API_NAME: Record<TokenResource, string> = { defender: 'Defender API', graph: 'Microsoft Graph' };
const TOKEN_SHAPE = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The claims of a JWT, without verifying it (only the service can); undefined when it is not a JWT. */
export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `exp` of a JWT as a Date, when present. */
export function jwtExpiry(token: string): Date | undefined {
  const exp = decodeJwtClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
}

export class EnvironmentTokenProvider implements TokenProvider {
  private readonly tokens: Partial<Record<TokenResource, string>> = {};

  constructor(
    private readonly config: EnvironmentAuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    const defender = clean(config.defenderToken);
    const graph = clean(config.graphToken);
    if (defender) this.tokens.defender = defender;
    if (graph) this.tokens.graph = graph;
  }

  getToken(resource: TokenResource, signal: AbortSignal, options?: GetTokenOptions): Promise<string> {
    try {
      return Promise.resolve(this.tokenFor(resource, signal, options));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  describe(): TokenProviderDescription {
    const first = this.tokens.defender ?? this.tokens.graph;
    const claims = first ? decodeJwtClaims(first) : undefined;
    const text = (k: string): string | undefined => (typeof claims?.[k] === 'string' ? claims[k] : undefined);
    const expiresOn: Partial<Record<TokenResource, Date>> = {};
    for (const r of ['defender', 'graph'] as const) {
      const t = this.tokens[r];
      const exp = t ? jwtExpiry(t) : undefined;
      if (exp) expiresOn[r] = exp;
    }
    return {
      mode: 'environment',
      account: text('upn') ?? text('preferred_username') ?? text('unique_name') ?? text('appid') ?? text('azp'),
      tenantId: text('tid'),
      expiresOn,
    };
  }

  /** Environment variables cannot be unset from here; the tokens are simply forgotten. */
  signOut(): Promise<void> {
    delete this.tokens.defender;
    delete this.tokens.graph;
    return Promise.resolve();
  }

  private tokenFor(resource: TokenResource, signal: AbortSignal, options?: GetTokenOptions): string {
    if (signal.aborted) throw new CancelledError('The token request was cancelled.');
    const variable = VARIABLE[resource];
    const hint = `az account get-access-token --resource ${resourceUri(this.config.cloud ?? COMMERCIAL_AUTH_CLOUD, resource)} --query accessToken -o tsv`;
    const token = this.tokens[resource];
    if (token === undefined) {
      const raw = resource === 'defender' ? this.config.defenderToken : this.config.graphToken;
      if (raw?.trim()) throw new AuthError(`${variable} does not look like an access token: set it to the token alone.`);
      throw new AuthError(
        resource === 'graph'
          ? `No Microsoft Graph token: set GRAPH_ACCESS_TOKEN to hunt through Graph (${hint}), or choose the Defender hunting API.`
          : `No Defender API token: set DEFENDER_ACCESS_TOKEN (${hint}).`,
      );
    }
    const claims = decodeJwtClaims(token);
    const aud = typeof claims?.aud === 'string' ? claims.aud : undefined;
    const wrongAudience = aud !== undefined && (resource === 'defender' ? /graph\.microsoft/i.test(aud) : /securitycenter|api\.security\.microsoft/i.test(aud));
    if (wrongAudience) throw new AuthError(`The token in ${variable} is for ${aud}, not the ${API_NAME[resource]}: get one with ${hint}.`);
    const exp = jwtExpiry(token);
    if (exp && exp.getTime() <= this.now()) throw new AuthError(`The token in ${variable} expired at ${exp.toISOString()}: get a new one with ${hint}.`);
    if (options?.forceRefresh) {
      throw new AuthError(`The ${API_NAME[resource]} rejected the token in ${variable} (expired, revoked or wrong audience): get a new one with ${hint}.`);
    }
    return token;
  }
}

/** The token alone: surrounding space and a pasted "Bearer " prefix removed; anything else is refused. */
function clean(value: string | undefined): string | undefined {
  const v = value?.trim().replace(/^bearer\s+/i, '');
  return v && TOKEN_SHAPE.test(v) ? v : undefined;
}
