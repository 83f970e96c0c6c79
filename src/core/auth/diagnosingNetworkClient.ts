// Sits between msal-node and the HTTP client: keeps the product's transport errors intact through msal (which
// otherwise replaces them with a bare "network_error") and remembers why the tenant's endpoints could not be loaded.
import type { AuthError as MsalAuthError, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { DefenderError, NetworkError } from '../defender/errors';
import type { DiscoveryFailure } from './signInErrors';

type MsalAuthErrorClass = typeof MsalAuthError;

export class DiagnosingNetworkClient implements INetworkModule {
  /** The last failed GET (msal loads the OpenID configuration with GET and hides why it failed). */
  lastDiscoveryFailure?: DiscoveryFailure;

  constructor(
    private readonly inner: INetworkModule,
    private readonly msalAuthError: MsalAuthErrorClass,
  ) {}

  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    try {
      const response = await this.inner.sendGetRequestAsync<T>(url, options, timeout);
      this.lastDiscoveryFailure = response.status >= 400 ? { kind: 'http', status: response.status, aadsts: aadstsOf(response.body) } : undefined;
      return response;
    } catch (e) {
      const error = asTransportError(e);
      this.lastDiscoveryFailure = { kind: 'transport', error };
      throw this.wrap(error, e);
    }
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    try {
      return await this.inner.sendPostRequestAsync<T>(url, options);
    } catch (e) {
      throw this.wrap(asTransportError(e), e);
    }
  }

  /** msal rethrows its own errors unchanged; ours travel as the `cause` of one. */
  private wrap(error: DefenderError, original: unknown): Error {
    if (original instanceof this.msalAuthError) return original;
    return Object.assign(new this.msalAuthError('network_error', '', error.message), { cause: error });
  }
}

function asTransportError(e: unknown): DefenderError {
  if (e instanceof DefenderError) return e;
  return new NetworkError('Could not reach the sign-in service.', {}, { cause: e });
}

function aadstsOf(body: unknown): number | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const codes = (body as { error_codes?: unknown }).error_codes;
  if (Array.isArray(codes) && typeof codes[0] === 'number') return codes[0];
  const description = (body as { error_description?: unknown }).error_description;
  const m = typeof description === 'string' ? /AADSTS(\d+)/.exec(description) : null;
  return m ? Number(m[1]) : undefined;
}
