// Application sign-in (client credentials) with a client secret or a certificate, through msal-node's
// ConfidentialClientApplication, which caches the tokens and renews them before they expire.
import type { ConfidentialClientApplication } from '@azure/msal-node';
import { AuthError, CancelledError } from '../defender/errors';
import { scopeFor, type ApplicationAuthConfig } from './authConfig';
import { isClearableCachePlugin } from './cachePlugin';
import { loadClientCertificate } from './clientCertificate';
import { operationTimeoutMs, setUpMsal, type MsalDeps, type MsalSetup } from './msalSetup';
import { settleWithin, toSignInError } from './signInErrors';
import type { GetTokenOptions, TokenProvider, TokenProviderDescription, TokenResource } from './tokenProvider';

interface Client {
  app: ConfidentialClientApplication;
  setup: MsalSetup;
}

export class ApplicationTokenProvider implements TokenProvider {
  private client?: Promise<Client>;

  constructor(
    private readonly config: ApplicationAuthConfig,
    private readonly deps: MsalDeps = {},
  ) {}

  async getToken(resource: TokenResource, signal: AbortSignal, options?: GetTokenOptions): Promise<string> {
    if (signal.aborted) throw new CancelledError('The token request was cancelled.');
    const { app, setup } = await this.getClient();
    try {
      const result = await settleWithin(
        () => app.acquireTokenByClientCredential({ scopes: [scopeFor(this.config.cloud, resource)], skipCache: options?.forceRefresh === true }),
        signal,
        operationTimeoutMs(this.config.requestTimeoutMs),
        'Getting an application token',
      );
      if (!result?.accessToken) throw new AuthError('The sign-in service returned no access token.');
      return result.accessToken;
    } catch (e) {
      throw toSignInError(e, setup.errorContext());
    }
  }

  describe(): TokenProviderDescription {
    return { mode: 'application', account: this.config.clientId, tenantId: this.config.tenantId };
  }

  async signOut(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    client?.app.clearCache();
    if (isClearableCachePlugin(this.deps.cachePlugin)) await this.deps.cachePlugin.clear();
  }

  private getClient(): Promise<Client> {
    // A failed setup (unreadable certificate) is retried on the next call, after the user fixed it.
    this.client ??= this.createClient().catch((e: unknown) => {
      this.client = undefined;
      throw e instanceof AuthError ? e : toSignInError(e, { tenantId: this.config.tenantId, clientId: this.config.clientId });
    });
    return this.client;
  }

  private async createClient(): Promise<Client> {
    const credential = this.config.credential;
    let auth: Parameters<typeof setUpMsal>[2];
    if (credential.kind === 'secret') auth = { clientSecret: credential.secret };
    else {
      const cert = await loadClientCertificate(credential);
      // SHA-256 thumbprint: msal then signs with PS256 and sends x5t#S256, which Entra ID prefers over SHA-1.
      auth = { clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKey } };
    }
    const setup = await setUpMsal(this.config, this.deps, auth);
    return { app: new setup.msal.ConfidentialClientApplication(setup.configuration), setup };
  }
}
