// Demo mode: tokens for the in-process simulated tenant, minted locally with every permission (no network).
import { ALL_PERMISSIONS, SIM_TENANT_ID, issueSimulatorToken } from '../../simulator/tokens';
import { CancelledError } from '../defender/errors';
import type { GetTokenOptions, TokenProvider, TokenProviderDescription, TokenResource } from './tokenProvider';

const LIFETIME_SEC = 3600;
const RENEW_BEFORE_MS = 5 * 60_000;

export class DemoTokenProvider implements TokenProvider {
  private readonly cache = new Map<TokenResource, { token: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  getToken(resource: TokenResource, signal: AbortSignal, options?: GetTokenOptions): Promise<string> {
    if (signal.aborted) return Promise.reject(new CancelledError('The token request was cancelled.'));
    const now = this.now();
    const cached = this.cache.get(resource);
    if (cached && !options?.forceRefresh && cached.expiresAt - RENEW_BEFORE_MS > now) return Promise.resolve(cached.token);
    const token = issueSimulatorToken({ audience: resource, permissions: ALL_PERMISSIONS, kind: 'app', expiresInSec: LIFETIME_SEC, now });
    this.cache.set(resource, { token, expiresAt: now + LIFETIME_SEC * 1000 });
    return Promise.resolve(token);
  }

  describe(): TokenProviderDescription {
    return { mode: 'demo', account: 'demo-analyst', tenantId: SIM_TENANT_ID };
  }

  signOut(): Promise<void> {
    this.cache.clear();
    return Promise.resolve();
  }
}
