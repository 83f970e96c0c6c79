// Maps msal-node failures to the product's typed errors with short, actionable messages that never carry a secret,
// and bounds msal calls (which cannot be aborted) by the caller's AbortSignal and a timeout.
import { redact } from '../../shared/redact';
import { AuthError, CancelledError, DefenderError, NetworkError, TimeoutError, type ApiErrorDetails } from '../defender/errors';

/** Why loading the tenant's OpenID configuration failed (msal reports only "could not retrieve endpoints"). */
export type DiscoveryFailure = { kind: 'http'; status: number; aadsts?: number } | { kind: 'transport'; error: DefenderError };

export interface SignInErrorContext {
  tenantId?: string;
  clientId?: string;
  /** Host of the sign-in authority, for "could not reach" messages. */
  authorityHost?: string;
  discoveryFailure?: DiscoveryFailure;
}

interface MsalErrorShape {
  errorCode?: unknown;
  errorMessage?: unknown;
  subError?: unknown;
  errorNo?: unknown;
  cause?: unknown;
}

const CANCELLED_CODES = new Set(['access_denied', 'authorization_declined', 'user_canceled', 'user_cancelled', 'device_code_polling_cancelled']);
const SIGN_IN_AGAIN_CODES = new Set([
  'invalid_grant',
  'interaction_required',
  'login_required',
  'consent_required',
  'bad_token',
  'no_tokens_found',
  'refresh_token_expired',
  'no_account_in_silent_request',
  'no_account_found',
]);

/** True when a silent attempt failed only because the user must sign in (again). */
export function needsInteraction(e: unknown): boolean {
  if (!isMsalError(e)) return false;
  const code = text(e.errorCode);
  const sub = text(e.subError);
  return e.name === 'InteractionRequiredAuthError' || SIGN_IN_AGAIN_CODES.has(code) || SIGN_IN_AGAIN_CODES.has(sub);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isMsalError(e: unknown): e is Error & MsalErrorShape {
  return e instanceof Error && typeof (e as MsalErrorShape).errorCode === 'string';
}

function aadstsOf(e: MsalErrorShape): number | undefined {
  if (typeof e.errorNo === 'string' && /^\d+$/.test(e.errorNo)) return Number(e.errorNo);
  const m = typeof e.errorMessage === 'string' ? /AADSTS(\d+)/.exec(e.errorMessage) : null;
  return m ? Number(m[1]) : undefined;
}

/** The service's description, without trace ids, redacted and shortened: kept in `serviceMessage` for the log. */
function serviceText(e: MsalErrorShape): string | undefined {
  if (typeof e.errorMessage !== 'string' || !e.errorMessage) return undefined;
  const description = /Description: (.*?)(?: - Correlation ID:|$)/s.exec(e.errorMessage)?.[1] ?? e.errorMessage;
  const firstSentences = description.replace(/\s*Trace ID:.*$/s, '').trim();
  return redact(firstSentences).slice(0, 300);
}

export function toSignInError(e: unknown, ctx: SignInErrorContext = {}): DefenderError {
  if (e instanceof DefenderError) return e;
  if (e instanceof Error && e.cause instanceof DefenderError) return e.cause;
  if (!isMsalError(e)) {
    const what = e instanceof Error ? e.name : typeof e;
    return new AuthError(`Sign-in failed unexpectedly (${what}).`, {}, { cause: e });
  }
  const code = text(e.errorCode);
  const sub = text(e.subError);
  const aadsts = aadstsOf(e);
  const details: ApiErrorDetails = { code: aadsts !== undefined ? `AADSTS${aadsts}` : code || undefined, serviceMessage: serviceText(e) };
  const opts = { cause: e };
  const tenant = ctx.tenantId ? ` ${ctx.tenantId}` : '';
  const client = ctx.clientId ? ` ${ctx.clientId}` : '';
  const at = ctx.authorityHost ? ` at ${ctx.authorityHost}` : '';

  switch (aadsts) {
    case 700016:
      return new AuthError(`The client id${client} is not an application in tenant${tenant}: check the Application (client) ID and the tenant id.`, details, opts);
    case 90002:
    case 900023:
    case 90072:
      return new AuthError(`Tenant${tenant} was not found: check the Directory (tenant) ID and the cloud.`, details, opts);
    case 7000215:
      return new AuthError("The client secret is wrong: use the secret's Value (not its Secret ID) from the app registration.", details, opts);
    case 7000222:
      return new AuthError('The client secret has expired: create a new secret in the app registration and use its value.', details, opts);
    case 700027:
      return new AuthError('The certificate was not accepted: upload this certificate (its public part) to the app registration.', details, opts);
    case 50013:
    case 700021:
      return new AuthError('The certificate assertion was not accepted: check the client id and the sign-in authority.', details, opts);
    case 700024:
      return new AuthError('The certificate assertion is outside its valid time: check this computer clock.', details, opts);
    case 7000218:
      return new AuthError('The app registration does not allow this sign-in: enable "Allow public client flows" under Authentication, or use a client secret.', details, opts);
    case 50011:
    case 500112:
      return new AuthError('The redirect URI is not registered: add http://localhost as a "Mobile and desktop applications" redirect URI to the app registration.', details, opts);
    case 65001:
      return new AuthError('The app has no consent for the Defender permissions: ask an administrator to grant admin consent.', details, opts);
    case 500011:
      return new AuthError('The requested API is not available in this tenant: check the cloud setting and that Microsoft Defender for Endpoint is provisioned.', details, opts);
    case 65004:
      return new CancelledError('Sign-in was cancelled: consent was declined.', details, opts);
    case 70019:
      return new AuthError('The device code expired before sign-in finished: start the sign-in again.', details, opts);
    case 1002012:
      return new AuthError('The token scope must end with /.default for an application sign-in.', details, opts);
    default:
      break;
  }
  if (CANCELLED_CODES.has(code)) return new CancelledError('Sign-in was cancelled.', details, opts);
  switch (code) {
    case 'expired_token':
    case 'device_code_expired':
      return new AuthError('The device code expired before sign-in finished: start the sign-in again.', details, opts);
    case 'user_timeout_reached':
      return new TimeoutError('Sign-in did not finish in time: start it again.', details, opts);
    case 'openid_config_error':
    case 'endpoints_resolution_error':
      return discoveryError(ctx, details, e);
    case 'network_error':
    case 'no_network_connectivity':
      return new NetworkError(`Could not reach the sign-in service${at}: check the network and proxy settings.`, details, opts);
    case 'invalid_client':
      return new AuthError('The sign-in service rejected the application credentials: check the client id, secret or certificate.', details, opts);
    case 'nonce_mismatch':
    case 'state_mismatch':
    case 'invalid_state':
      return new AuthError('The sign-in response did not match the request: sign in again.', details, opts);
    case 'url_parse_error':
    case 'authority_uri_insecure':
    case 'invalid_authority_type':
    case 'untrusted_authority':
      return new AuthError('The sign-in authority URL is not valid: check the cloud setting.', details, opts);
    default:
      break;
  }
  if (SIGN_IN_AGAIN_CODES.has(code) || SIGN_IN_AGAIN_CODES.has(sub)) {
    return new AuthError('Sign in again: the saved sign-in has expired or was revoked.', details, opts);
  }
  return new AuthError(`Sign-in failed (${details.code ?? 'unknown error'}).`, details, opts);
}

function discoveryError(ctx: SignInErrorContext, details: ApiErrorDetails, cause: unknown): DefenderError {
  const f = ctx.discoveryFailure;
  const tenant = ctx.tenantId ? ` ${ctx.tenantId}` : '';
  if (f?.kind === 'transport') return f.error;
  if (f?.kind === 'http' && f.aadsts !== undefined && [90002, 900023, 90072].includes(f.aadsts)) {
    return new AuthError(`Tenant${tenant} was not found: check the Directory (tenant) ID and the cloud.`, { ...details, code: `AADSTS${f.aadsts}`, status: f.status }, { cause });
  }
  if (f?.kind === 'http') {
    return new AuthError(`The sign-in service could not describe tenant${tenant} (HTTP ${f.status}): check the tenant id and the cloud.`, { ...details, status: f.status }, { cause });
  }
  return new AuthError(`Could not load the sign-in endpoints for tenant${tenant}: check the tenant id, the cloud and the network.`, details, { cause });
}

export type AbandonReason = 'cancelled' | 'timeout';

/**
 * Runs an operation that cannot itself be aborted, but settles as soon as the signal fires (CancelledError) or the
 * timeout passes (TimeoutError); `onAbandon` lets the caller stop the operation's own work (close a listener, stop polling).
 */
export function settleWithin<T>(
  operation: () => Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
  what: string,
  onAbandon?: (reason: AbandonReason) => void,
): Promise<T> {
  if (signal.aborted) {
    onAbandon?.('cancelled');
    return Promise.reject(new CancelledError(`${what} was cancelled.`));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = (): void =>
      finish(() => {
        onAbandon?.('cancelled');
        reject(new CancelledError(`${what} was cancelled.`));
      });
    const timer = setTimeout(
      () =>
        finish(() => {
          onAbandon?.('timeout');
          reject(new TimeoutError(`${what} did not finish within ${formatDuration(timeoutMs)}.`));
        }),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(operation)
      .then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => finish(() => reject(error instanceof Error ? error : new Error(String(error)))),
      );
  });
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}
