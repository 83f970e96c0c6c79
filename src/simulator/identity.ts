// The simulated tenant's sign-in service: the Entra ID v2.0 endpoints that msal-node calls (OpenID configuration,
// authorize with PKCE, device code, and the token endpoint for client credentials, device code, auth code and refresh).
import {
  X509Certificate,
  constants as cryptoConstants,
  createHash,
  createHmac,
  randomBytes,
  randomUUID,
  timingSafeEqual,
  verify as verifySignature,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALL_PERMISSIONS, SIM_TENANT_ID, issueSimulatorToken, type SimAudience } from './tokens';

export interface IdentityContext {
  /** Scheme, host and port the client reached us on (no trailing slash), e.g. https://127.0.0.1:4443. */
  issuerBaseUrl: string;
  now: () => number;
}

/** An app registration of the simulated tenant. */
export interface SimulatedApp {
  clientId: string;
  /** The client secret's value; absent means no secret is registered. */
  secret?: string;
  /** The registered secret has expired (AADSTS7000222). */
  secretExpired?: boolean;
  /** Public certificate (PEM) registered on the app: client assertions must name and be signed by it. */
  certificatePem?: string;
  /** Accept any well-formed client assertion (the demo app): shape, `aud`, `iss`/`sub` and time are checked, not the signature. */
  acceptAnyCertificate?: boolean;
  /** "Allow public client flows": device code and auth code without a client secret. */
  publicClient?: boolean;
  /** Application permissions (`roles` of app tokens); default ALL_PERMISSIONS. */
  permissions?: readonly string[];
}

/** The test "user" who signs in through the authorize page and approves device codes. */
export interface SimulatedUser {
  oid: string;
  name: string;
  username: string;
  /** Delegated permissions the user consented to (`scp`); default ALL_PERMISSIONS. */
  permissions?: readonly string[];
}

export interface SimulatedIdentityOptions {
  /** Tenant ids the simulator answers for (besides `organizations` and `common`); default [SIM_TENANT_ID]. */
  tenantIds?: readonly string[];
  apps?: readonly SimulatedApp[];
  /** null: nobody is signed in, so the authorize page never redirects. */
  user?: SimulatedUser | null;
  /** What the user does on the authorize page. */
  consent?: 'grant' | 'decline';
  /** Seconds between device code polls (fractions allowed, msal honours them); default 0.1 to keep tests fast. */
  deviceCodeIntervalSec?: number;
  deviceCodeLifetimeSec?: number;
  accessTokenLifetimeSec?: number;
}

export interface IdentityRequestRecord {
  endpoint: 'token' | 'devicecode' | 'authorize' | 'openid-configuration' | 'instance-discovery' | 'other';
  grantType?: string;
  clientId?: string;
  status: number;
  error?: string;
}

/** The demo app registration: public client flows allowed, any certificate accepted. */
export const SIM_CLIENT_ID = '5d0c3f52-7a4e-4c1b-9f6d-2e8a1b7c9d40';
/** A fictional secret for the demo app (the simulator is a test double: this is not a credential anywhere). */
export const SIM_CLIENT_SECRET = 'simulator-demo-secret';
export const SIM_USER: SimulatedUser = {
  oid: '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  name: 'Demo Analyst',
  username: 'analyst@contoso.example',
};

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const RESOURCE_PREFIXES: [string, SimAudience][] = [
  ['https://api.securitycenter.microsoft.com', 'defender'],
  ['https://api.security.microsoft.com', 'defender'],
  ['https://securitycenter.onmicrosoft.com/windowsatpservice', 'defender'],
  ['https://graph.microsoft.com', 'graph'],
];
const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_BODY = 64 * 1024;
const CODE_LIFETIME_MS = 10 * 60_000;
const CLOCK_SKEW_SEC = 300;

interface DeviceCodeState {
  userCode: string;
  clientId: string;
  tenantId: string;
  scope: string;
  expiresAt: number;
  status: 'pending' | 'approved' | 'declined' | 'redeemed';
}

interface AuthCodeState {
  clientId: string;
  tenantId: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
  nonce?: string;
  expiresAt: number;
  user: SimulatedUser;
}

interface RefreshTokenState {
  clientId: string;
  tenantId: string;
  user: SimulatedUser;
}

interface OAuthFailure {
  status: number;
  error: string;
  aadsts: number;
  text: string;
  suberror?: string;
}

class OAuthError extends Error {
  constructor(readonly failure: OAuthFailure) {
    super(failure.text);
  }
}

function fail(status: number, error: string, aadsts: number, text: string, suberror?: string): never {
  throw new OAuthError({ status, error, aadsts, text, ...(suberror ? { suberror } : {}) });
}

/** One simulated Entra ID tenant: app registrations, a test user, and the pending codes and refresh tokens. */
export class SimulatedIdentity {
  private options: Required<Omit<SimulatedIdentityOptions, 'user'>> & { user: SimulatedUser | null };
  private readonly apps = new Map<string, SimulatedApp>();
  private readonly deviceCodes = new Map<string, DeviceCodeState>();
  private readonly authCodes = new Map<string, AuthCodeState>();
  private readonly refreshTokens = new Map<string, RefreshTokenState>();
  private readonly records: IdentityRequestRecord[] = [];
  // id_tokens are only parsed by msal, never verified, but they are signed so they look like the real thing.
  private readonly idTokenKey = randomBytes(32);

  constructor(options: SimulatedIdentityOptions = {}) {
    this.options = this.withDefaults(options);
    this.configure(options);
  }

  /** Replaces the configuration; pending codes and refresh tokens are kept. */
  configure(options: SimulatedIdentityOptions): void {
    this.options = this.withDefaults(options);
    this.apps.clear();
    for (const app of this.options.apps) this.apps.set(app.clientId.toLowerCase(), app);
  }

  /** Forgets pending codes, refresh tokens and the request log. */
  reset(): void {
    this.deviceCodes.clear();
    this.authCodes.clear();
    this.refreshTokens.clear();
    this.records.length = 0;
  }

  requests(): IdentityRequestRecord[] {
    return [...this.records];
  }

  /** The user approves a pending device code (what they would do on the verification page). */
  approveDeviceCode(userCode: string): boolean {
    return this.decide(userCode, 'approved');
  }

  declineDeviceCode(userCode: string): boolean {
    return this.decide(userCode, 'declined');
  }

  pendingUserCodes(): string[] {
    return [...this.deviceCodes.values()].filter((d) => d.status === 'pending').map((d) => d.userCode);
  }

  /** Invalidates every refresh token (as if they expired or were revoked). */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse, ctx: IdentityContext): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://identity.invalid');
    const segments = url.pathname.split('/').filter(Boolean);
    const route = matchRoute(segments);
    if (!route) return false;
    const base = ctx.issuerBaseUrl.replace(/\/+$/, '');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: IdentityRequestRecord = { endpoint: route.endpoint, status: 200 };
    this.records.push(record);
    try {
      if (!/^[A-Za-z0-9.-]{1,100}$/.test(route.tenant)) fail(400, 'invalid_request', 90002, 'Tenant identifier is not valid.');
      switch (route.name) {
        case 'openid-configuration':
          this.requireMethod(method, 'GET');
          this.requireTenant(route.tenant);
          sendJson(res, 200, openIdConfiguration(base, route.tenant, this.tenantFor(route.tenant)));
          break;
        case 'instance-discovery':
          this.requireMethod(method, 'GET');
          sendJson(res, 200, instanceDiscovery(base, route.tenant));
          break;
        case 'keys':
          sendJson(res, 200, { keys: [] });
          break;
        case 'logout':
          sendHtml(res, 200, page('Signed out', 'You have signed out of the simulated tenant.'));
          break;
        case 'authorize':
          this.requireMethod(method, 'GET');
          this.authorize(url.searchParams, route.tenant, ctx, res, record);
          break;
        case 'devicecode': {
          this.requireMethod(method, 'POST');
          const form = await readForm(req);
          record.clientId = form.get('client_id') ?? undefined;
          sendJson(res, 200, this.startDeviceCode(form, route.tenant, base, ctx));
          break;
        }
        case 'devicecode-approve': {
          const userCode = url.searchParams.get('user_code') ?? '';
          const approved = this.approveDeviceCode(userCode);
          record.status = approved ? 200 : 404;
          sendHtml(
            res,
            record.status,
            approved ? page('Signed in', 'The device is signed in. You can close this page.') : page('Unknown code', 'No pending sign-in has this code.'),
          );
          break;
        }
        case 'token': {
          this.requireMethod(method, 'POST');
          const form = await readForm(req);
          record.grantType = form.get('grant_type') ?? undefined;
          record.clientId = form.get('client_id') ?? undefined;
          sendJson(res, 200, this.token(form, route.tenant, base, ctx), { 'Cache-Control': 'no-store' });
          break;
        }
        default:
          fail(404, 'invalid_request', 900561, 'The endpoint does not exist.');
      }
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      record.status = e.failure.status;
      record.error = e.failure.error;
      sendOAuthError(res, req, e.failure, ctx);
    }
    return true;
  }

  private withDefaults(options: SimulatedIdentityOptions): Required<Omit<SimulatedIdentityOptions, 'user'>> & { user: SimulatedUser | null } {
    return {
      tenantIds: options.tenantIds ?? [SIM_TENANT_ID],
      apps: options.apps ?? [{ clientId: SIM_CLIENT_ID, secret: SIM_CLIENT_SECRET, publicClient: true, acceptAnyCertificate: true }],
      user: options.user === undefined ? SIM_USER : options.user,
      consent: options.consent ?? 'grant',
      deviceCodeIntervalSec: options.deviceCodeIntervalSec ?? 0.1,
      deviceCodeLifetimeSec: options.deviceCodeLifetimeSec ?? 900,
      accessTokenLifetimeSec: options.accessTokenLifetimeSec ?? 3600,
    };
  }

  private decide(userCode: string, status: 'approved' | 'declined'): boolean {
    const wanted = userCode.trim().toUpperCase();
    for (const state of this.deviceCodes.values()) {
      if (state.userCode === wanted && state.status === 'pending') {
        state.status = status;
        return true;
      }
    }
    return false;
  }

  private requireMethod(method: string, expected: string): void {
    if (method !== expected) fail(405, 'invalid_request', 900561, `The endpoint only accepts ${expected} requests.`);
  }

  private requireTenant(tenant: string): void {
    const t = tenant.toLowerCase();
    if (t === 'organizations' || t === 'common') return;
    if (!this.options.tenantIds.some((id) => id.toLowerCase() === t)) {
      fail(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
  }

  /** The tenant id tokens carry: the path segment when it names a tenant, else the home tenant. */
  private tenantFor(tenant: string): string {
    const t = tenant.toLowerCase();
    return this.options.tenantIds.find((id) => id.toLowerCase() === t) ?? this.options.tenantIds[0] ?? SIM_TENANT_ID;
  }

  private requireApp(clientId: string | null, tenant: string): SimulatedApp {
    const app = clientId ? this.apps.get(clientId.toLowerCase()) : undefined;
    if (!clientId) fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    if (!app) {
      fail(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    return app;
  }

  /** Client authentication: a secret or a certificate assertion; `required` for confidential-only grants. */
  private authenticateClient(form: URLSearchParams, app: SimulatedApp, tokenEndpoint: string, ctx: IdentityContext, required: boolean): void {
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (app.secret === undefined || !sameText(secret, app.secret)) {
        fail(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
      }
      if (app.secretExpired) fail(401, 'invalid_client', 7000222, `The provided client secret keys for app '${app.clientId}' are expired.`);
      return;
    }
    if (assertion !== null) {
      if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
        fail(400, 'invalid_request', 700023, `client_assertion_type must be '${ASSERTION_TYPE}'.`);
      }
      checkClientAssertion(assertion, app, tokenEndpoint, ctx.now());
      return;
    }
    if (required || !app.publicClient) {
      fail(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
  }

  private authorize(params: URLSearchParams, tenant: string, ctx: IdentityContext, res: ServerResponse, record: IdentityRequestRecord): void {
    this.requireTenant(tenant);
    const clientId = params.get('client_id');
    record.clientId = clientId ?? undefined;
    const app = this.requireApp(clientId, tenant);
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!isLoopbackRedirect(redirectUri)) {
      fail(400, 'invalid_request', 50011, `The redirect URI specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`);
    }
    const responseMode = params.get('response_mode') ?? 'query';
    if (responseMode !== 'query' && responseMode !== 'form_post') fail(400, 'invalid_request', 900144, 'response_mode must be query or form_post.');
    const state = params.get('state') ?? undefined;
    const reply = (fields: Record<string, string>): void => {
      if (state !== undefined) fields.state = state;
      if (responseMode === 'form_post') sendHtml(res, 200, formPostPage(redirectUri, fields), formPostHeaders(redirectUri));
      else {
        const target = new URL(redirectUri);
        for (const [k, v] of Object.entries(fields)) target.searchParams.set(k, v);
        res.writeHead(302, { Location: target.toString(), 'Cache-Control': 'no-store' });
        res.end();
      }
      record.status = responseMode === 'form_post' ? 200 : 302;
    };
    const user = this.options.user;
    if (!user) {
      // Nobody is at the keyboard: the sign-in page waits forever, like a user who walked away.
      sendHtml(res, 200, page('Sign in', 'The simulated tenant has no test user, so nobody can sign in here.'));
      return;
    }
    if (params.get('response_type') !== 'code') {
      reply({ error: 'unsupported_response_type', error_description: 'AADSTS70005: response_type must be code.' });
      return;
    }
    const challenge = params.get('code_challenge') ?? undefined;
    if (challenge !== undefined && params.get('code_challenge_method') !== 'S256') {
      reply({ error: 'invalid_request', error_description: 'AADSTS501491: code_challenge_method must be S256.' });
      return;
    }
    if (challenge === undefined && app.publicClient) {
      reply({ error: 'invalid_request', error_description: 'AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.' });
      return;
    }
    if (this.options.consent === 'decline') {
      reply({ error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.' });
      return;
    }
    const code = randomBytes(32).toString('base64url');
    const tenantId = this.tenantFor(tenant);
    this.authCodes.set(code, {
      clientId: app.clientId,
      tenantId,
      redirectUri,
      scope: params.get('scope') ?? '',
      codeChallenge: challenge,
      nonce: params.get('nonce') || undefined,
      expiresAt: ctx.now() + CODE_LIFETIME_MS,
      user,
    });
    const fields: Record<string, string> = { code };
    if (params.get('client_info') === '1') fields.client_info = clientInfo(user, tenantId);
    reply(fields);
  }

  private startDeviceCode(form: URLSearchParams, tenant: string, base: string, ctx: IdentityContext): Record<string, unknown> {
    this.requireTenant(tenant);
    const app = this.requireApp(form.get('client_id'), tenant);
    const scope = form.get('scope') ?? '';
    resourceOf(scope); // reject unknown resources now, as Entra does
    const deviceCode = randomBytes(32).toString('base64url');
    const userCode = makeUserCode();
    const lifetime = this.options.deviceCodeLifetimeSec;
    this.deviceCodes.set(deviceCode, {
      userCode,
      clientId: app.clientId,
      tenantId: this.tenantFor(tenant),
      scope,
      expiresAt: ctx.now() + lifetime * 1000,
      status: 'pending',
    });
    const verificationUri = `${base}/${encodeURIComponent(tenant)}/oauth2/v2.0/devicecode/approve`;
    return {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: lifetime,
      interval: this.options.deviceCodeIntervalSec,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  private token(form: URLSearchParams, tenant: string, base: string, ctx: IdentityContext): Record<string, unknown> {
    this.requireTenant(tenant);
    const grant = form.get('grant_type');
    const app = this.requireApp(form.get('client_id'), tenant);
    const tokenEndpoint = `${base}/${tenant}/oauth2/v2.0/token`;
    const tenantId = this.tenantFor(tenant);
    switch (grant) {
      case 'client_credentials': {
        this.authenticateClient(form, app, tokenEndpoint, ctx, true);
        const scope = form.get('scope') ?? '';
        const resourceScopes = scope.split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
        if (resourceScopes.length !== 1 || !resourceScopes[0]?.endsWith('/.default')) {
          fail(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
        }
        const audience = resourceOf(scope);
        const expiresIn = this.options.accessTokenLifetimeSec;
        return {
          token_type: 'Bearer',
          expires_in: expiresIn,
          ext_expires_in: expiresIn,
          access_token: issueSimulatorToken({
            audience,
            permissions: app.permissions ?? ALL_PERMISSIONS,
            kind: 'app',
            tenantId,
            subject: app.clientId,
            expiresInSec: expiresIn,
            now: ctx.now(),
          }),
        };
      }
      case GRANT_DEVICE_CODE:
      case 'device_code': {
        // msal-node sends the short name; Entra ID accepts both.
        this.authenticateClient(form, app, tokenEndpoint, ctx, false);
        const state = this.deviceCodes.get(form.get('device_code') ?? '');
        if (!state || state.clientId !== app.clientId || state.status === 'redeemed') {
          fail(400, 'invalid_grant', 70000, 'The provided device code is not valid or was already used.');
        }
        if (ctx.now() >= state.expiresAt) {
          this.deviceCodes.delete(form.get('device_code') ?? '');
          fail(400, 'expired_token', 70019, 'Verification code expired.');
        }
        if (state.status === 'declined') fail(400, 'authorization_declined', 70020, 'The user declined the sign-in request.');
        if (state.status === 'pending') fail(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
        const user = this.options.user;
        if (!user) fail(400, 'authorization_declined', 70020, 'No test user is configured to complete the sign-in.');
        state.status = 'redeemed';
        return this.delegatedTokens(form, app, user, state.tenantId, form.get('scope') ?? state.scope, ctx, undefined);
      }
      case 'authorization_code': {
        this.authenticateClient(form, app, tokenEndpoint, ctx, false);
        const codeValue = form.get('code') ?? '';
        const state = this.authCodes.get(codeValue);
        this.authCodes.delete(codeValue); // single use, even when the redemption fails
        if (!state || state.clientId !== app.clientId || ctx.now() >= state.expiresAt) {
          fail(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
        }
        if (form.get('redirect_uri') !== state.redirectUri) fail(400, 'invalid_grant', 500112, 'The reply address does not match the one used to obtain the authorization code.');
        if (state.codeChallenge !== undefined) {
          const verifier = form.get('code_verifier') ?? '';
          const computed = createHash('sha256').update(verifier).digest('base64url');
          if (!verifier || !sameText(computed, state.codeChallenge)) fail(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
        }
        return this.delegatedTokens(form, app, state.user, state.tenantId, form.get('scope') ?? state.scope, ctx, state.nonce);
      }
      case 'refresh_token': {
        this.authenticateClient(form, app, tokenEndpoint, ctx, false);
        const state = this.refreshTokens.get(form.get('refresh_token') ?? '');
        if (!state || state.clientId !== app.clientId) {
          fail(400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity.', 'bad_token');
        }
        // Refresh tokens are multi-resource, as in Entra ID: one sign-in yields tokens for Defender and Graph.
        return this.delegatedTokens(form, app, state.user, state.tenantId, form.get('scope') ?? '', ctx, undefined);
      }
      default:
        fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
    }
  }

  private delegatedTokens(
    form: URLSearchParams,
    app: SimulatedApp,
    user: SimulatedUser,
    tenantId: string,
    scope: string,
    ctx: IdentityContext,
    nonce: string | undefined,
  ): Record<string, unknown> {
    const audience = resourceOf(scope);
    const scopes = scope.split(' ').filter(Boolean);
    const expiresIn = this.options.accessTokenLifetimeSec;
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: scopes.filter((s) => !OIDC_SCOPES.has(s)).join(' ') || scope,
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: issueSimulatorToken({
        audience,
        permissions: user.permissions ?? ALL_PERMISSIONS,
        kind: 'delegated',
        tenantId,
        subject: user.oid,
        expiresInSec: expiresIn,
        now: ctx.now(),
      }),
    };
    if (scopes.includes('offline_access')) {
      const refreshToken = randomBytes(48).toString('base64url');
      this.refreshTokens.set(refreshToken, { clientId: app.clientId, tenantId, user });
      body.refresh_token = refreshToken;
    }
    if (scopes.includes('openid')) body.id_token = this.idToken(ctx, app, user, tenantId, nonce);
    if (form.get('client_info') === '1') body.client_info = clientInfo(user, tenantId);
    return body;
  }

  private idToken(ctx: IdentityContext, app: SimulatedApp, user: SimulatedUser, tenantId: string, nonce: string | undefined): string {
    const now = Math.floor(ctx.now() / 1000);
    const claims: Record<string, unknown> = {
      ver: '2.0',
      iss: `${ctx.issuerBaseUrl.replace(/\/+$/, '')}/${tenantId}/v2.0`,
      aud: app.clientId,
      tid: tenantId,
      oid: user.oid,
      sub: createHash('sha256').update(`${user.oid}:${app.clientId}`).digest('base64url').slice(0, 43),
      preferred_username: user.username,
      name: user.name,
      iat: now,
      nbf: now,
      exp: now + 3600,
    };
    if (nonce !== undefined) claims.nonce = nonce;
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'simulator-id' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.idTokenKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
}

type RouteName = 'openid-configuration' | 'instance-discovery' | 'keys' | 'authorize' | 'token' | 'devicecode' | 'devicecode-approve' | 'logout' | 'unknown';

function matchRoute(segments: string[]): { tenant: string; name: RouteName; endpoint: IdentityRequestRecord['endpoint'] } | undefined {
  const [tenant, ...rest] = segments;
  if (!tenant) return undefined;
  const path = rest.join('/');
  if (path === 'v2.0/.well-known/openid-configuration') return { tenant, name: 'openid-configuration', endpoint: 'openid-configuration' };
  if (path === 'discovery/instance') return { tenant, name: 'instance-discovery', endpoint: 'instance-discovery' };
  if (path === 'discovery/v2.0/keys') return { tenant, name: 'keys', endpoint: 'other' };
  if (rest[0] !== 'oauth2' || rest[1] !== 'v2.0') return undefined;
  switch (rest.slice(2).join('/')) {
    case 'authorize':
      return { tenant, name: 'authorize', endpoint: 'authorize' };
    case 'token':
      return { tenant, name: 'token', endpoint: 'token' };
    case 'devicecode':
      return { tenant, name: 'devicecode', endpoint: 'devicecode' };
    case 'devicecode/approve':
      return { tenant, name: 'devicecode-approve', endpoint: 'other' };
    case 'logout':
      return { tenant, name: 'logout', endpoint: 'other' };
    default:
      return { tenant, name: 'unknown', endpoint: 'other' };
  }
}

function openIdConfiguration(base: string, pathTenant: string, tenantId: string): Record<string, unknown> {
  const root = `${base}/${pathTenant}`;
  return {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${root}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${tenantId}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'oid'],
    tenant_region_scope: null,
    cloud_instance_name: new URL(base).host,
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

function instanceDiscovery(base: string, tenant: string): Record<string, unknown> {
  const host = new URL(base).host;
  return {
    tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

/** Which API a scope string asks for; all resource scopes of one request must name the same API. */
function resourceOf(scope: string): SimAudience {
  const audiences = new Set<SimAudience>();
  for (const s of scope.split(' ').filter(Boolean)) {
    if (OIDC_SCOPES.has(s)) continue;
    const match = RESOURCE_PREFIXES.find(([prefix]) => s.toLowerCase().startsWith(`${prefix.toLowerCase()}/`));
    if (!match) {
      fail(400, 'invalid_resource', 500011, `The resource principal named ${s.replace(/\/[^/]*$/, '')} was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant.`);
    }
    audiences.add(match[1]);
  }
  if (audiences.size > 1) fail(400, 'invalid_request', 28000, 'Provided value for the input parameter scope is not valid because it contains more than one resource.');
  // An OpenID-only request gets a Graph token, as in Entra ID.
  return audiences.values().next().value ?? 'graph';
}

function checkClientAssertion(assertion: string, app: SimulatedApp, tokenEndpoint: string, nowMs: number): void {
  const parts = assertion.split('.');
  const header = parts.length === 3 ? parseJsonPart(parts[0] ?? '') : undefined;
  const payload = parts.length === 3 ? parseJsonPart(parts[1] ?? '') : undefined;
  if (!header || !payload) fail(400, 'invalid_client', 50027, 'The client assertion is not a well-formed JWT.');
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') fail(400, 'invalid_client', 5002738, 'The client assertion must be signed with RS256 or PS256.');
  const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const x5t = typeof header.x5t === 'string' ? header.x5t : undefined;
  if (!x5tS256 && !x5t) fail(400, 'invalid_client', 700027, 'The client assertion names no certificate (x5t or x5t#S256).');
  if (payload.aud !== tokenEndpoint) fail(401, 'invalid_client', 50013, `Assertion audience does not match: the client assertion's aud must be the token endpoint ${tokenEndpoint}.`);
  if (payload.iss !== app.clientId || payload.sub !== app.clientId) {
    fail(401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
  }
  const now = Math.floor(nowMs / 1000);
  const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
  const nbf = typeof payload.nbf === 'number' ? payload.nbf : undefined;
  if (exp === undefined || exp + CLOCK_SKEW_SEC < now || (nbf !== undefined && nbf - CLOCK_SKEW_SEC > now)) {
    fail(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
  }
  if (!app.certificatePem) {
    // Demo apps accept any certificate: the signature is not verified (there is no registered key to verify it with).
    if (app.acceptAnyCertificate) return;
    fail(401, 'invalid_client', 700027, `The certificate with identifier used to sign the client assertion is not registered on application '${app.clientId}'.`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(app.certificatePem);
  } catch {
    fail(500, 'server_error', 50000, 'The registered certificate of the simulated app cannot be read.');
  }
  const named = x5tS256 ? createHash('sha256').update(cert.raw).digest('base64url') === x5tS256 : createHash('sha1').update(cert.raw).digest('base64url') === x5t;
  if (!named) fail(401, 'invalid_client', 700027, `The certificate with identifier used to sign the client assertion is not registered on application '${app.clientId}'.`);
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2] ?? '', 'base64url');
  const ok =
    alg === 'PS256'
      ? verifySignature('sha256', signed, { key: cert.publicKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST }, signature)
      : verifySignature('sha256', signed, cert.publicKey, signature);
  if (!ok) fail(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
}

function parseJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isLoopbackRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]') && !u.username && !u.password;
  } catch {
    return false;
  }
}

function clientInfo(user: SimulatedUser, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: user.oid, utid: tenantId })).toString('base64url');
}

function makeUserCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(9);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') fail(400, 'invalid_request', 900144, 'The request body must be application/x-www-form-urlencoded.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) fail(413, 'invalid_request', 900144, 'The request body is too large.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendOAuthError(res: ServerResponse, req: IncomingMessage, failure: OAuthFailure, ctx: IdentityContext): void {
  const traceId = randomUUID();
  const header = req.headers['client-request-id'];
  const correlationId = typeof header === 'string' && /^[0-9a-f-]{36}$/i.test(header) ? header : randomUUID();
  const timestamp = new Date(ctx.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const body: Record<string, unknown> = {
    error: failure.error,
    error_description: `AADSTS${failure.aadsts}: ${failure.text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [failure.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  };
  if (failure.suberror) body.suberror = failure.suberror;
  sendJson(res, failure.status, body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><p>${escapeHtml(text)}</p></body></html>`;
}

/** The form_post response: the browser posts the code to the app's loopback listener (msal-node only accepts this mode). */
function formPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Working...</title></head>` +
    `<body><form method="post" action="${escapeHtml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>` +
    `<script>document.forms[0].submit()</script></body></html>`
  );
}

function formPostHeaders(action: string): Record<string, string> {
  const origin = new URL(action).origin;
  return { 'Content-Security-Policy': `default-src 'none'; script-src 'unsafe-inline'; form-action ${origin}`, 'Cache-Control': 'no-store' };
}

function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(html);
}

/** The tenant the simulator server routes to. */
export const simulatedIdentity = new SimulatedIdentity();

export function handleIdentityRequest(req: IncomingMessage, res: ServerResponse, ctx: { issuerBaseUrl: string; now: () => number }): Promise<boolean> {
  return simulatedIdentity.handle(req, res, ctx);
}

/** Tests approve a pending device code of the simulator's tenant (as the user would on the verification page). */
export function approveDeviceCode(userCode: string): boolean {
  return simulatedIdentity.approveDeviceCode(userCode);
}
