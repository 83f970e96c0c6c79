// msal-node errors become the product's typed errors with actionable messages; msal calls are bounded by signal and timeout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientAuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { needsInteraction, settleWithin, toSignInError } from '../../src/core/auth/signInErrors';
import { AuthError, CancelledError, NetworkError, TimeoutError } from '../../src/core/defender/errors';

function server(code: string, aadsts: number, text: string, sub?: string): ServerError {
  const message = `Error(s): ${aadsts} - Timestamp: 2026-11-20 08:00:00Z - Description: AADSTS${aadsts}: ${text} Trace ID: 1 Correlation ID: 2 Timestamp: x - Correlation ID: 2 - Trace ID: 1`;
  return new ServerError(code, 'corr', message, sub, String(aadsts), 400);
}

const ctx = { tenantId: 'contoso.onmicrosoft.com', clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', authorityHost: 'login.microsoftonline.com' };

describe('toSignInError', () => {
  test('Entra error numbers map to messages that say what to fix', () => {
    const cases: [ServerError, typeof AuthError | typeof CancelledError, RegExp][] = [
      [server('unauthorized_client', 700016, "Application with identifier 'x' was not found"), AuthError, /client id 04b07795-8ddb-461a-bbee-02f9e1bf7b46 is not an application in tenant contoso/],
      [server('invalid_request', 90002, "Tenant 'x' not found."), AuthError, /Tenant contoso\.onmicrosoft\.com was not found/],
      [server('invalid_client', 7000215, 'Invalid client secret provided.'), AuthError, /client secret is wrong/],
      [server('invalid_client', 7000222, 'The provided client secret keys are expired.'), AuthError, /secret has expired/],
      [server('invalid_client', 7000218, "must contain 'client_assertion' or 'client_secret'"), AuthError, /Allow public client flows/],
      [server('invalid_request', 50011, 'redirect URI mismatch'), AuthError, /redirect URI is not registered/],
      [server('invalid_grant', 65001, 'consent'), AuthError, /admin consent/],
      [server('access_denied', 65004, 'User declined to consent'), CancelledError, /cancelled/],
      [server('expired_token', 70019, 'Verification code expired.'), AuthError, /device code expired/],
    ];
    for (const [error, kind, message] of cases) {
      const mapped = toSignInError(error, ctx);
      assert.ok(mapped instanceof kind, `${error.errorNo} -> ${mapped.name}`);
      assert.match(mapped.message, message);
      assert.equal(mapped.code, `AADSTS${error.errorNo}`);
      assert.ok(mapped.serviceMessage?.startsWith(`AADSTS${error.errorNo}:`), 'the service text is kept for the log');
      assert.ok(!mapped.serviceMessage?.includes('Trace ID'), 'without trace noise');
    }
  });

  test('client-side msal codes: cancellation, device code expiry, network, unknown', () => {
    assert.ok(toSignInError(new ClientAuthError('device_code_polling_cancelled', 'c')) instanceof CancelledError);
    assert.ok(toSignInError(new ServerError('authorization_declined', 'c')) instanceof CancelledError);
    assert.match(toSignInError(new ClientAuthError('device_code_expired', 'c')).message, /device code expired/);
    assert.ok(toSignInError(new ClientAuthError('user_timeout_reached', 'c')) instanceof TimeoutError);
    const network = toSignInError(new ClientAuthError('network_error', 'c'), ctx);
    assert.ok(network instanceof NetworkError && /login\.microsoftonline\.com/.test(network.message));
    const unknown = toSignInError(new ServerError('temporarily_unavailable', 'c', 'x'));
    assert.ok(unknown instanceof AuthError);
    assert.equal(unknown.message, 'Sign-in failed (temporarily_unavailable).');
    assert.match(toSignInError(new TypeError('boom: client_secret=abc')).message, /^Sign-in failed unexpectedly \(TypeError\)\.$/);
  });

  test('endpoint discovery failures use what the network client saw', () => {
    const openid = new ClientAuthError('openid_config_error', 'c');
    assert.match(toSignInError(openid, { ...ctx, discoveryFailure: { kind: 'http', status: 400, aadsts: 90002 } }).message, /Tenant contoso\.onmicrosoft\.com was not found/);
    assert.match(toSignInError(openid, { ...ctx, discoveryFailure: { kind: 'http', status: 502 } }).message, /HTTP 502/);
    const transport = new NetworkError('Could not reach the sign-in service at h (ECONNREFUSED).');
    assert.equal(toSignInError(openid, { ...ctx, discoveryFailure: { kind: 'transport', error: transport } }), transport);
    assert.match(toSignInError(openid, ctx).message, /Could not load the sign-in endpoints/);
  });

  test('our own errors pass through, also when msal carries them as a cause', () => {
    const timeout = new TimeoutError('slow');
    assert.equal(toSignInError(timeout), timeout);
    assert.equal(toSignInError(Object.assign(new ClientAuthError('network_error', 'c'), { cause: timeout })), timeout);
  });

  test('needsInteraction recognises the silent failures that a sign-in fixes', () => {
    assert.ok(needsInteraction(new InteractionRequiredAuthError('no_tokens_found', 'c')));
    assert.ok(needsInteraction(new ServerError('invalid_grant', 'c', 'x', 'bad_token')));
    assert.ok(!needsInteraction(new ServerError('invalid_client', 'c')));
    assert.ok(!needsInteraction(new Error('x')));
  });
});

describe('settleWithin', () => {
  test('resolves with the operation, rejects with its error', async () => {
    const signal = new AbortController().signal;
    assert.equal(await settleWithin(() => Promise.resolve(7), signal, 1_000, 'x'), 7);
    await assert.rejects(settleWithin(() => Promise.reject(new Error('inner')), signal, 1_000, 'x'), /inner/);
  });

  test('abort settles at once with CancelledError and tells the operation to stop', async () => {
    const controller = new AbortController();
    const reasons: string[] = [];
    const never = new Promise<number>(() => undefined);
    const pending = settleWithin(() => never, controller.signal, 60_000, 'Sign-in', (r) => reasons.push(r));
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof CancelledError && e.message === 'Sign-in was cancelled.');
    assert.deepEqual(reasons, ['cancelled']);
    await assert.rejects(settleWithin(() => Promise.resolve(1), AbortSignal.abort(), 1_000, 'x'), CancelledError);
  });

  test('the timeout settles with TimeoutError naming the bound', async () => {
    const reasons: string[] = [];
    const never = new Promise<number>(() => undefined);
    await assert.rejects(settleWithin(() => never, new AbortController().signal, 20, 'Device code sign-in', (r) => reasons.push(r)), (e: unknown) => {
      return e instanceof TimeoutError && e.message === 'Device code sign-in did not finish within 20 ms.';
    });
    assert.deepEqual(reasons, ['timeout']);
  });
});
