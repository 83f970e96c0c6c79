// Delegated sign-in with the user's own app registration (msal-node PublicClientApplication): silent first from the
// cached account, else a browser sign-in (auth code + PKCE on a loopback redirect) or a device code sign-in.
import type { AccountInfo, AuthenticationResult, DeviceCodeRequest, InteractiveRequest, PublicClientApplication } from '@azure/msal-node';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AuthError, CancelledError } from '../defender/errors';
import { scopeFor, type DelegatedAuthConfig } from './authConfig';
import { isClearableCachePlugin } from './cachePlugin';
import { operationTimeoutMs, setUpMsal, type MsalDeps, type MsalSetup } from './msalSetup';
import { SIGN_IN_ERROR_PAGE, SIGN_IN_SUCCESS_PAGE } from './signInPages';
import { needsInteraction, settleWithin, toSignInError } from './signInErrors';
import type { DeviceCodeInfo, GetTokenOptions, TokenProvider, TokenProviderDescription, TokenResource } from './tokenProvider';

export interface DelegatedDeps extends MsalDeps {
  /** Opens the sign-in page in the user's browser (VS Code: env.openExternal). */
  openBrowser?: (url: string) => Promise<void>;
  /** Shows the device code and where to enter it. */
  onDeviceCode?: (info: DeviceCodeInfo) => void;
}

interface Client {
  app: PublicClientApplication;
  setup: MsalSetup;
}

const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;
const DEVICE_CODE_MAX_MS = 15 * 60_000;

export class DelegatedTokenProvider implements TokenProvider {
  private client?: Promise<Client>;
  private homeAccountId?: string;
  private username?: string;
  private accountTenantId?: string;
  private signInFlight?: Promise<AuthenticationResult>;

  constructor(
    private readonly config: DelegatedAuthConfig,
    private readonly deps: DelegatedDeps = {},
  ) {}

  async getToken(resource: TokenResource, signal: AbortSignal, options?: GetTokenOptions): Promise<string> {
    if (signal.aborted) throw new CancelledError('The token request was cancelled.');
    const { app, setup } = await this.getClient();
    const scopes = [scopeFor(this.config.cloud, resource)];
    try {
      let account = await this.currentAccount(app);
      if (!account && this.signInFlight) {
        // Someone else is signing in: wait for them instead of opening a second browser.
        const flight = this.signInFlight;
        await settleWithin(() => flight.catch(() => undefined), signal, this.signInTimeoutMs(), 'Waiting for sign-in');
        account = await this.currentAccount(app);
      }
      if (account) {
        try {
          return await this.silent(app, account, scopes, options?.forceRefresh === true, signal);
        } catch (e) {
          if (!needsInteraction(e)) throw e;
        }
      }
      if (this.config.signInWhenNeeded === false) {
        throw new AuthError('Sign in to Microsoft Defender to continue.', { code: 'sign_in_required' });
      }
      const result = await this.signInShared(app, scopes, signal);
      if (result.accessToken && covers(result.scopes, scopes)) return result.accessToken;
      // The sign-in was for the other API: its refresh token gets this one silently.
      const signedIn = await this.currentAccount(app);
      if (!signedIn) throw new AuthError('Sign-in completed but no account was saved: sign in again.');
      return await this.silent(app, signedIn, scopes, false, signal);
    } catch (e) {
      throw toSignInError(e, setup.errorContext());
    }
  }

  /** Signs in now (the Sign In command), even when a cached account exists. */
  async signIn(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new CancelledError('Sign-in was cancelled.');
    const { app, setup } = await this.getClient();
    try {
      await this.signInShared(app, [scopeFor(this.config.cloud, 'defender')], signal);
    } catch (e) {
      throw toSignInError(e, setup.errorContext());
    }
  }

  describe(): TokenProviderDescription {
    return { mode: 'delegated', account: this.username, tenantId: this.accountTenantId ?? this.config.tenantId };
  }

  async signOut(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    if (client) {
      const cache = client.app.getTokenCache();
      for (const account of await cache.getAllAccounts()) await cache.removeAccount(account);
    }
    if (isClearableCachePlugin(this.deps.cachePlugin)) await this.deps.cachePlugin.clear();
    this.homeAccountId = undefined;
    this.username = undefined;
    this.accountTenantId = undefined;
  }

  private getClient(): Promise<Client> {
    this.client ??= setUpMsal(this.config, this.deps)
      .then((setup) => ({ app: new setup.msal.PublicClientApplication(setup.configuration), setup }))
      .catch((e: unknown) => {
        this.client = undefined;
        throw toSignInError(e, { tenantId: this.config.tenantId, clientId: this.config.clientId });
      });
    return this.client;
  }

  private async currentAccount(app: PublicClientApplication): Promise<AccountInfo | undefined> {
    const accounts = await app.getTokenCache().getAllAccounts();
    const tenant = this.config.tenantId.toLowerCase();
    const account =
      (this.homeAccountId ? accounts.find((a) => a.homeAccountId === this.homeAccountId) : undefined) ??
      accounts.find((a) => a.tenantId.toLowerCase() === tenant) ??
      accounts[0];
    if (account) this.remember(account);
    return account;
  }

  private remember(account: AccountInfo | null | undefined): void {
    if (!account) return;
    this.homeAccountId = account.homeAccountId;
    this.username = account.username || account.name;
    this.accountTenantId = account.tenantId || undefined;
  }

  private async silent(app: PublicClientApplication, account: AccountInfo, scopes: string[], forceRefresh: boolean, signal: AbortSignal): Promise<string> {
    const result = await settleWithin(
      () => app.acquireTokenSilent({ account, scopes, forceRefresh }),
      signal,
      operationTimeoutMs(this.config.requestTimeoutMs),
      'Refreshing the sign-in',
    );
    if (!result.accessToken) throw new AuthError('The sign-in service returned no access token.');
    return result.accessToken;
  }

  private signInShared(app: PublicClientApplication, scopes: string[], signal: AbortSignal): Promise<AuthenticationResult> {
    const flight = this.signInFlight;
    if (flight) return settleWithin(() => flight, signal, this.signInTimeoutMs(), 'Waiting for sign-in');
    const started = (this.config.flow === 'deviceCode' ? this.deviceCodeSignIn(app, scopes, signal) : this.browserSignIn(app, scopes, signal)).then(
      (result) => {
        this.remember(result.account);
        return result;
      },
    );
    this.signInFlight = started;
    const clear = (): void => {
      if (this.signInFlight === started) this.signInFlight = undefined;
    };
    started.then(clear, clear);
    return started;
  }

  private signInTimeoutMs(): number {
    return this.config.signInTimeoutMs ?? (this.config.flow === 'deviceCode' ? DEVICE_CODE_MAX_MS : DEFAULT_SIGN_IN_TIMEOUT_MS);
  }

  private browserSignIn(app: PublicClientApplication, scopes: string[], signal: AbortSignal): Promise<AuthenticationResult> {
    const openBrowser = this.deps.openBrowser;
    if (!openBrowser) return Promise.reject(new AuthError('Browser sign-in is not available here: use device code sign-in.'));
    let redirect: LoopbackTarget | undefined;
    let abandoned = false;
    const request: InteractiveRequest = {
      scopes,
      prompt: 'select_account',
      nonce: randomUUID(),
      successTemplate: SIGN_IN_SUCCESS_PAGE,
      errorTemplate: SIGN_IN_ERROR_PAGE,
      openBrowser: async (url: string) => {
        redirect = loopbackTarget(url);
        if (abandoned) return cancelLoopback(redirect);
        try {
          await openBrowser(url);
        } catch (e) {
          throw new AuthError('Could not open the browser for sign-in: use device code sign-in instead.', {}, { cause: e });
        }
      },
    };
    return settleWithin(() => app.acquireTokenInteractive(request), signal, this.signInTimeoutMs(), 'Sign-in', () => {
      // msal keeps its loopback listener open until a response arrives: answer it ourselves so it closes.
      abandoned = true;
      if (redirect) void cancelLoopback(redirect);
    });
  }

  private deviceCodeSignIn(app: PublicClientApplication, scopes: string[], signal: AbortSignal): Promise<AuthenticationResult> {
    const onDeviceCode = this.deps.onDeviceCode;
    if (!onDeviceCode) return Promise.reject(new AuthError('Device code sign-in is not available here: use browser sign-in.'));
    const timeoutMs = this.signInTimeoutMs();
    const request: DeviceCodeRequest = {
      scopes,
      timeout: Math.ceil(timeoutMs / 1000),
      deviceCodeCallback: (response) => {
        if (!/^https:\/\//i.test(response.verificationUri)) throw new AuthError('The sign-in service gave a verification page that is not https.');
        onDeviceCode({
          userCode: response.userCode,
          verificationUri: response.verificationUri,
          message: response.message,
          expiresOn: new Date(Date.now() + response.expiresIn * 1000),
        });
      },
    };
    return settleWithin(
      async () => {
        const result = await app.acquireTokenByDeviceCode(request);
        if (!result) throw new AuthError('Device code sign-in returned no token: start it again.');
        return result;
      },
      signal,
      timeoutMs,
      'Device code sign-in',
      () => {
        // msal checks this flag before each poll.
        request.cancel = true;
      },
    );
  }
}

function covers(granted: string[], wanted: string[]): boolean {
  const have = new Set(granted.map((s) => s.toLowerCase()));
  return wanted.every((s) => have.has(s.toLowerCase()));
}

interface LoopbackTarget {
  url: URL;
  state: string;
}

function loopbackTarget(authorizeUrl: string): LoopbackTarget | undefined {
  try {
    const params = new URL(authorizeUrl).searchParams;
    const url = new URL(params.get('redirect_uri') ?? '');
    const state = params.get('state');
    if (url.protocol !== 'http:' || !state) return undefined;
    if (url.hostname === 'localhost') url.hostname = '127.0.0.1'; // msal listens on 127.0.0.1 only
    if (url.hostname !== '127.0.0.1') return undefined;
    return { url, state };
  } catch {
    return undefined;
  }
}

/** Posts an "access_denied" answer to msal's loopback listener, which then closes; best effort, bounded. */
function cancelLoopback(target: LoopbackTarget | undefined): Promise<void> {
  if (!target) return Promise.resolve();
  const body = new URLSearchParams({ error: 'access_denied', error_description: 'Sign-in was cancelled.', state: target.state }).toString();
  return new Promise<void>((resolve) => {
    const req = httpRequest(
      target.url,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) }, timeout: 2_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end(body);
  });
}
