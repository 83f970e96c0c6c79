// Typed errors of the Defender client. Every surface maps these to one short, actionable message.

export interface ApiErrorDetails {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** `error.code` from the body (e.g. InvalidIpAddress, Forbidden, TooManyRequests). */
  code?: string;
  /** `error.message` from the body: free text from the service, shown only escaped. */
  serviceMessage?: string;
  /** `error.target`: the request id to quote to Microsoft support. */
  requestId?: string;
  /** Operation name, e.g. "getIpStats". */
  operation?: string;
}

export abstract class DefenderError extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly serviceMessage?: string;
  readonly requestId?: string;
  readonly operation?: string;
  abstract readonly kind: string;

  constructor(message: string, details: ApiErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.status = details.status;
    this.code = details.code;
    this.serviceMessage = details.serviceMessage;
    this.requestId = details.requestId;
    this.operation = details.operation;
  }
}

/** 400 (including InvalidIpAddress, the 30-day rule of findbyip, hunting query errors). */
export class BadRequestError extends DefenderError {
  readonly kind = 'bad-request';
}

/** 401, or no token could be obtained: expired token, wrong audience, not signed in. */
export class AuthError extends DefenderError {
  readonly kind = 'auth';
}

/** 403: valid token, missing permission. `permission` names what the operation needs. */
export class PermissionError extends DefenderError {
  readonly kind = 'permission';
  constructor(
    message: string,
    readonly permission: string,
    details: ApiErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** 404 on an entity that must exist. (404 on lookups means "nothing found" and is not thrown.) */
export class NotFoundError extends DefenderError {
  readonly kind = 'not-found';
}

/** 429 after the bounded retries: `retryAfterMs` says when the family may send again. */
export class RateLimitError extends DefenderError {
  readonly kind = 'rate-limit';
  constructor(
    message: string,
    readonly retryAfterMs: number,
    details: ApiErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** 5xx after the bounded retries. */
export class ServerError extends DefenderError {
  readonly kind = 'server';
}

/** Connection refused/reset, DNS failure, TLS failure, malformed response body. */
export class NetworkError extends DefenderError {
  readonly kind = 'network';
}

/** The call did not complete within its timeout. */
export class TimeoutError extends DefenderError {
  readonly kind = 'timeout';
}

/** The caller aborted (its AbortSignal fired). Surfaces treat this as silent. */
export class CancelledError extends DefenderError {
  readonly kind = 'cancelled';
}

export function isCancellation(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof Error && e.name === 'AbortError');
}
