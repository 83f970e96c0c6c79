// msal-node's HTTP client built on undici: every request has a timeout, honours the given dispatcher (proxy, extra CA,
// strict SSL) and fails with the product's NetworkError / TimeoutError instead of hanging.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request, type Dispatcher } from 'undici';
import { NetworkError, TimeoutError } from '../defender/errors';

export interface UndiciNetworkClientOptions {
  /** e.g. an Agent with `connect: { ca }`, or a ProxyAgent. Default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Bound on one request to the sign-in service; default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createUndiciNetworkClient(options: UndiciNetworkClientOptions = {}): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', init: NetworkRequestOptions | undefined, timeoutMs: number): Promise<NetworkResponse<T>> => {
    const host = hostOf(url);
    const signal = AbortSignal.timeout(timeoutMs);
    const failed = (e: unknown): Error =>
      signal.aborted
        ? new TimeoutError(`The sign-in service at ${host} did not answer within ${Math.round(timeoutMs / 100) / 10} s.`, {}, { cause: e })
        : new NetworkError(`Could not reach the sign-in service at ${host}${errorCode(e)}.`, {}, { cause: e });
    let text: string;
    let status: number;
    let headers: Record<string, string>;
    try {
      const res = await request(url, {
        method,
        headers: init?.headers,
        body: method === 'POST' ? (init?.body ?? '') : undefined,
        signal,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      status = res.statusCode;
      headers = flattenHeaders(res.headers);
      text = await res.body.text();
    } catch (e) {
      throw failed(e);
    }
    let body: unknown = {};
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new NetworkError(`The sign-in service at ${host} returned a response that is not JSON (HTTP ${status}).`, { status });
      }
    }
    return { headers, body: body as T, status };
  };
  return {
    sendGetRequestAsync: <T>(url: string, init?: NetworkRequestOptions, timeout?: number) => send<T>(url, 'GET', init, timeout ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    sendPostRequestAsync: <T>(url: string, init?: NetworkRequestOptions) => send<T>(url, 'POST', init, options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured authority';
  }
}

/** A short system error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT...) from the error or its cause. */
function errorCode(e: unknown): string {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 4; cur = cur.cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,60}$/.test(code)) return ` (${code})`;
  }
  return '';
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
