// Access tokens of the simulated tenant: JWT-shaped, HMAC-signed with a per-process key, carrying the
// audience and the permissions (delegated `scp` or application `roles`) the simulator checks per route.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type SimAudience = 'defender' | 'graph';

/** The `aud` claims the real services use; the simulator checks them the same way. */
export const AUDIENCE_URIS: Record<SimAudience, string> = {
  defender: 'https://api.securitycenter.microsoft.com',
  graph: 'https://graph.microsoft.com',
};

/** Every permission a route of the simulator may require. */
export const ALL_PERMISSIONS = [
  'Ip.Read.All',
  'Alert.Read.All',
  'Machine.Read.All',
  'AdvancedQuery.Read.All',
  'ThreatHunting.Read.All',
  'User.Read.All',
  'Ti.ReadWrite.All',
] as const;

/** Every read permission, and no indicator permission: an identity that can look but not write (tests). */
export const READ_PERMISSIONS = ALL_PERMISSIONS.filter((p) => !p.startsWith('Ti.'));

export const SIM_TENANT_ID = '00000000-0000-4000-8000-00000000d3e0';

const signingKey = randomBytes(32);

export interface IssueOptions {
  audience: SimAudience;
  /** Application permissions (`roles`) or delegated scopes (`scp`, space separated in the token). */
  permissions: readonly string[];
  kind?: 'app' | 'delegated';
  tenantId?: string;
  subject?: string;
  /** Seconds until expiry; default one hour like Entra. */
  expiresInSec?: number;
  now?: number;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function sign(input: string): string {
  return createHmac('sha256', signingKey).update(input).digest('base64url');
}

export function issueSimulatorToken(options: IssueOptions): string {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'simulator' }));
  const claims: Record<string, unknown> = {
    aud: AUDIENCE_URIS[options.audience],
    iss: `https://sts.simulator.invalid/${options.tenantId ?? SIM_TENANT_ID}/`,
    tid: options.tenantId ?? SIM_TENANT_ID,
    sub: options.subject ?? 'demo-analyst',
    iat: now,
    nbf: now,
    exp: now + (options.expiresInSec ?? 3600),
  };
  if ((options.kind ?? 'app') === 'app') claims.roles = [...options.permissions];
  else claims.scp = options.permissions.map((p) => p.replace(/\.All$/, '')).join(' ');
  const payload = b64url(JSON.stringify(claims));
  return `${header}.${payload}.${sign(`${header}.${payload}`)}`;
}

export type TokenCheck =
  | { ok: true; permissions: Set<string>; kind: 'app' | 'delegated'; tenantId: string; subject: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'signature' | 'expired' | 'audience' };

/** Checks an `Authorization` header value against the expected audience. */
export function verifySimulatorToken(authorization: string | undefined, audience: SimAudience, now = Date.now()): TokenCheck {
  if (!authorization || !/^Bearer\s+/i.test(authorization)) return { ok: false, reason: 'missing' };
  const token = authorization.replace(/^Bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(`${header}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
  let claims: { aud?: unknown; exp?: unknown; roles?: unknown; scp?: unknown; tid?: unknown; sub?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return { ok: false, reason: 'expired' };
  if (claims.aud !== AUDIENCE_URIS[audience]) return { ok: false, reason: 'audience' };
  const tenantId = typeof claims.tid === 'string' ? claims.tid : SIM_TENANT_ID;
  const subject = typeof claims.sub === 'string' ? claims.sub : 'unknown';
  if (Array.isArray(claims.roles)) {
    return { ok: true, kind: 'app', tenantId, subject, permissions: new Set(claims.roles.filter((r): r is string => typeof r === 'string')) };
  }
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
  // Delegated scopes are named without `.All` (Alert.Read); Ip.Read.All keeps it. Normalise to the `.All` names.
  return { ok: true, kind: 'delegated', tenantId, subject, permissions: new Set(scopes.map((s) => (s.endsWith('.All') ? s : `${s}.All`))) };
}
