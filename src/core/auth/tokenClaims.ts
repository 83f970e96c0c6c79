// What an access token says about its own permissions: the `roles` of an application token or the `scp` of a
// delegated one, read from the JWT payload without checking the signature (the API checks it; this only decides
// whether a write action is offered). Nothing of the token is kept or logged.

export interface TokenPermissions {
  kind: 'app' | 'delegated';
  permissions: ReadonlySet<string>;
}

/** The token's permissions, or undefined when it is not a JWT with `roles` or `scp` (an opaque token, say). */
export function tokenPermissions(token: string): TokenPermissions | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1].length > 64 * 1024) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const o = claims as { roles?: unknown; scp?: unknown };
  if (Array.isArray(o.roles)) return { kind: 'app', permissions: new Set(o.roles.filter((r): r is string => typeof r === 'string')) };
  if (typeof o.scp === 'string') return { kind: 'delegated', permissions: new Set(o.scp.split(' ').filter(Boolean)) };
  return undefined;
}

/**
 * Whether the identity may write indicators (Ti.ReadWrite or Ti.ReadWrite.All), and whether its list covers the
 * whole tenant (an application with only Ti.ReadWrite sees the indicators it created). Undefined: not known.
 */
export function indicatorAccess(p: TokenPermissions | undefined): { write: boolean; seesAll: boolean } | undefined {
  if (!p) return undefined;
  const all = p.permissions.has('Ti.ReadWrite.All');
  const own = p.permissions.has('Ti.ReadWrite');
  return { write: all || own, seesAll: p.kind === 'delegated' ? own || all : all };
}
