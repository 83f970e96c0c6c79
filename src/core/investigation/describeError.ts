// The one mapping from any failure to a short cause, a remedy and the action a surface should offer.
import {
  AuthError,
  BadRequestError,
  CancelledError,
  DefenderError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../defender/errors';
import { isIndicatorOperation } from '../defender/permissions';

export type SuggestedAction = 'signIn' | 'retry' | 'openLog' | 'none';

export interface ErrorDescription {
  kind: string;
  /** One short sentence: what went wrong. */
  message: string;
  /** One short sentence: what to do next. */
  remedy?: string;
  action: SuggestedAction;
  permission?: string;
  /** The service's request id, to quote to Microsoft support. */
  requestId?: string;
  retryAfterMs?: number;
}

export function describeError(e: unknown): ErrorDescription {
  const requestId = e instanceof DefenderError ? e.requestId : undefined;
  const base = { requestId };
  if (e instanceof CancelledError || (e instanceof Error && e.name === 'AbortError')) {
    return { ...base, kind: 'cancelled', message: 'Cancelled.', action: 'none' };
  }
  if (e instanceof PermissionError && isIndicatorOperation(e.operation ?? '')) {
    // Indicators have no read-only permission: the message says it the way every indicator surface does.
    return { ...base, kind: 'permission', message: e.message, action: 'signIn', permission: e.permission };
  }
  if (e instanceof PermissionError) {
    return {
      ...base,
      kind: 'permission',
      message: `Access denied: this needs the ${e.permission} permission.`,
      remedy: `Grant ${e.permission} to the app registration (with admin consent), or sign in with an account that has it.`,
      action: 'signIn',
      permission: e.permission,
    };
  }
  if (e instanceof AuthError) {
    return { ...base, kind: 'auth', message: e.message, remedy: 'Sign in again.', action: 'signIn' };
  }
  if (e instanceof RateLimitError) {
    const s = Math.max(1, Math.ceil(e.retryAfterMs / 1000));
    return {
      ...base,
      kind: 'rate-limit',
      message: `Defender's rate limit was reached.`,
      remedy: `Try again in ${s} s.`,
      action: 'retry',
      retryAfterMs: e.retryAfterMs,
    };
  }
  if (e instanceof TimeoutError) {
    return { ...base, kind: 'timeout', message: e.message, remedy: 'Retry, or raise the request timeout in the settings.', action: 'retry' };
  }
  if (e instanceof NetworkError) {
    return { ...base, kind: 'network', message: e.message, remedy: 'Check the network or proxy settings, then retry.', action: 'retry' };
  }
  if (e instanceof ServerError) {
    return { ...base, kind: 'server', message: e.message, remedy: 'Defender had a temporary problem; retry in a moment.', action: 'retry' };
  }
  if (e instanceof BadRequestError) {
    return { ...base, kind: 'bad-request', message: e.message, action: 'openLog' };
  }
  if (e instanceof NotFoundError) {
    return { ...base, kind: 'not-found', message: e.message, action: 'none' };
  }
  if (e instanceof RangeError || e instanceof TypeError) {
    return { ...base, kind: 'invalid', message: e.message, action: 'none' };
  }
  return { ...base, kind: 'internal', message: e instanceof Error ? e.message : String(e), remedy: 'See the log for details.', action: 'openLog' };
}
