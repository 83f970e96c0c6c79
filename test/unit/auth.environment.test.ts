// Environment tokens, the CLI's reading of the environment, demo mode and config validation: no network involved.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMERCIAL_AUTH_CLOUD, authorityBaseUrl, fromEnvironment, type AuthCloud } from '../../src/core/auth/authConfig';
import { createTokenProvider } from '../../src/core/auth/createTokenProvider';
import { decodeJwtClaims, jwtExpiry } from '../../src/core/auth/environmentTokenProvider';
import { AuthError, CancelledError } from '../../src/core/defender/errors';
import { SIM_TENANT_ID, verifySimulatorToken } from '../../src/simulator/tokens';

const NOW = Date.UTC(2026, 10, 20, 8, 0, 0);
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const GOV: AuthCloud = {
  authorityHost: 'login.microsoftonline.us',
  defenderScope: 'https://api-gov.securitycenter.microsoft.us/.default',
  graphScope: 'https://graph.microsoft.us/.default',
};

describe('environment tokens', () => {
  const defender = jwt({ aud: 'https://api.securitycenter.microsoft.com', tid: TENANT, upn: 'analyst@contoso.example', exp: NOW / 1000 + 3600 });

  test('the Defender token is returned as is; expiry, tenant and account are reported without the token', async () => {
    const provider = createTokenProvider({ mode: 'environment', defenderToken: `  Bearer ${defender}\n` }, { now: () => NOW });
    assert.equal(await provider.getToken('defender', new AbortController().signal), defender);
    const d = provider.describe();
    assert.equal(d.mode, 'environment');
    assert.equal(d.tenantId, TENANT);
    assert.equal(d.account, 'analyst@contoso.example');
    assert.equal(d.expiresOn?.defender?.toISOString(), new Date(NOW + 3_600_000).toISOString());
    assert.ok(!JSON.stringify(d).includes(defender));
  });

  test('a missing Graph token names GRAPH_ACCESS_TOKEN and the command that gets one for this cloud', async () => {
    const provider = createTokenProvider({ mode: 'environment', defenderToken: defender, cloud: GOV }, { now: () => NOW });
    await assert.rejects(provider.getToken('graph', new AbortController().signal), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.match(e.message, /set GRAPH_ACCESS_TOKEN/);
      assert.match(e.message, /--resource https:\/\/graph\.microsoft\.us /);
      return true;
    });
  });

  test('an expired token says when it expired and which variable to renew', async () => {
    const expired = jwt({ aud: 'https://api.securitycenter.microsoft.com', exp: NOW / 1000 - 60 });
    const provider = createTokenProvider({ mode: 'environment', defenderToken: expired }, { now: () => NOW });
    await assert.rejects(provider.getToken('defender', new AbortController().signal), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.match(e.message, /DEFENDER_ACCESS_TOKEN expired at 2026-11-20T07:59:00\.000Z/);
      assert.ok(!e.message.includes(expired));
      return true;
    });
  });

  test('a token for the wrong API, a forced refresh and a malformed value are explained, never echoed', async () => {
    const graphToken = jwt({ aud: 'https://graph.microsoft.com', exp: NOW / 1000 + 600 });
    const swapped = createTokenProvider({ mode: 'environment', defenderToken: graphToken }, { now: () => NOW });
    await assert.rejects(swapped.getToken('defender', new AbortController().signal), /is for https:\/\/graph\.microsoft\.com, not the Defender API/);

    const provider = createTokenProvider({ mode: 'environment', defenderToken: defender }, { now: () => NOW });
    await assert.rejects(provider.getToken('defender', new AbortController().signal, { forceRefresh: true }), /rejected the token in DEFENDER_ACCESS_TOKEN/);

    const bad = 'abc def\r\nX-Injected: 1';
    const malformed = createTokenProvider({ mode: 'environment', defenderToken: bad }, { now: () => NOW });
    await assert.rejects(malformed.getToken('defender', new AbortController().signal), (e: unknown) => {
      assert.ok(e instanceof AuthError && /does not look like an access token/.test(e.message) && !e.message.includes('Injected'));
      return true;
    });
  });

  test('an opaque (non-JWT) token is accepted without an expiry; an aborted signal wins', async () => {
    const provider = createTokenProvider({ mode: 'environment', graphToken: 'opaque-token_123' }, { now: () => NOW });
    assert.equal(await provider.getToken('graph', new AbortController().signal), 'opaque-token_123');
    assert.deepEqual(provider.describe().expiresOn, {});
    await assert.rejects(provider.getToken('graph', AbortSignal.abort()), CancelledError);
  });

  test('JWT helpers decode claims and exp, and tolerate garbage', () => {
    assert.deepEqual(decodeJwtClaims(jwt({ a: 1 })), { a: 1 });
    assert.equal(decodeJwtClaims('not.a.jwt'), undefined);
    assert.equal(decodeJwtClaims('onlyone'), undefined);
    assert.equal(jwtExpiry(jwt({ exp: 'soon' })), undefined);
    assert.equal(jwtExpiry(jwt({ exp: 10 }))?.getTime(), 10_000);
  });
});

describe('fromEnvironment (the CLI)', () => {
  test('access tokens win over app credentials', () => {
    const config = fromEnvironment({ DEFENDER_ACCESS_TOKEN: 'x.y.z', AZURE_TENANT_ID: TENANT }, COMMERCIAL_AUTH_CLOUD);
    assert.equal(config.mode, 'environment');
    assert.equal(config.mode === 'environment' && config.defenderToken, 'x.y.z');
    assert.equal(fromEnvironment({ GRAPH_ACCESS_TOKEN: 'g' }, COMMERCIAL_AUTH_CLOUD).mode, 'environment');
  });

  test('client secret and certificate configurations', () => {
    const secret = fromEnvironment({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 's3cret' }, GOV);
    assert.deepEqual(secret, { mode: 'application', cloud: GOV, tenantId: TENANT, clientId: CLIENT, credential: { kind: 'secret', secret: 's3cret' } });
    const cert = fromEnvironment(
      { AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: '/etc/app.pem', AZURE_CLIENT_CERTIFICATE_PASSWORD: 'pw' },
      COMMERCIAL_AUTH_CLOUD,
    );
    assert.ok(cert.mode === 'application' && cert.credential.kind === 'certificate');
    assert.deepEqual(cert.credential, { kind: 'certificate', certificatePath: '/etc/app.pem', password: 'pw' });
    const redirected = fromEnvironment(
      { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 's', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:4443/' },
      COMMERCIAL_AUTH_CLOUD,
    );
    assert.ok(redirected.mode === 'application' && redirected.cloud.authorityHost === 'https://127.0.0.1:4443');
  });

  test('each missing or malformed variable is named, and secrets never appear in the message', () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{}, /No credentials: set DEFENDER_ACCESS_TOKEN .* AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/],
      [{ AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'hunter2-secret' }, /^AZURE_TENANT_ID is not set/],
      [{ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: 'hunter2-secret' }, /^AZURE_CLIENT_ID is not set/],
      [{ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT }, /^AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH is not set/],
      [{ AZURE_TENANT_ID: 'not a tenant/..', AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'hunter2-secret' }, /^AZURE_TENANT_ID is not a tenant id/],
      [{ AZURE_TENANT_ID: 'organizations', AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'hunter2-secret' }, /^AZURE_TENANT_ID is not a tenant id/],
      [{ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: 'my-app', AZURE_CLIENT_SECRET: 'hunter2-secret' }, /^AZURE_CLIENT_ID is not a client id/],
      [{ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'hunter2-secret', AZURE_AUTHORITY_HOST: 'http://login.example' }, /must use https/],
    ];
    for (const [env, expected] of cases) {
      assert.throws(
        () => fromEnvironment(env, COMMERCIAL_AUTH_CLOUD),
        (e: unknown) => e instanceof AuthError && expected.test(e.message) && !e.message.includes('hunter2'),
        String(expected),
      );
    }
  });
});

describe('demo mode and validation', () => {
  test('demo tokens verify with the simulator for each audience, are cached, and renew on forceRefresh', async () => {
    let now = NOW;
    const provider = createTokenProvider({ mode: 'demo' }, { now: () => now });
    const signal = new AbortController().signal;
    const defender = await provider.getToken('defender', signal);
    const checked = verifySimulatorToken(`Bearer ${defender}`, 'defender', NOW);
    assert.ok(checked.ok && checked.permissions.has('Ip.Read.All') && checked.permissions.has('ThreatHunting.Read.All'));
    assert.ok(verifySimulatorToken(`Bearer ${await provider.getToken('graph', signal)}`, 'graph', NOW).ok);
    assert.equal(await provider.getToken('defender', signal), defender);
    now += 1000;
    assert.notEqual(await provider.getToken('defender', signal, { forceRefresh: true }), defender);
    assert.deepEqual(provider.describe(), { mode: 'demo', account: 'demo-analyst', tenantId: SIM_TENANT_ID });
  });

  test('bad ids and authorities are rejected before any request', () => {
    const cloud = COMMERCIAL_AUTH_CLOUD;
    assert.throws(() => createTokenProvider({ mode: 'delegated', cloud, tenantId: 'x/../y', clientId: CLIENT }), /tenant id/);
    assert.throws(() => createTokenProvider({ mode: 'delegated', cloud, tenantId: TENANT, clientId: '123' }), /client id/);
    assert.throws(() => createTokenProvider({ mode: 'delegated', cloud: { ...cloud, authorityHost: 'http://127.0.0.1:1' }, tenantId: TENANT, clientId: CLIENT }), /https/);
    assert.throws(
      () => createTokenProvider({ mode: 'application', cloud, tenantId: TENANT, clientId: CLIENT, credential: { kind: 'secret', secret: '' } }),
      /client secret is empty/,
    );
    // A user may sign in to "organizations"; an app may not.
    assert.equal(createTokenProvider({ mode: 'delegated', cloud, tenantId: 'organizations', clientId: CLIENT }).describe().tenantId, 'organizations');
    assert.equal(authorityBaseUrl('login.microsoftonline.com'), 'https://login.microsoftonline.com');
    assert.equal(authorityBaseUrl('https://127.0.0.1:8443/'), 'https://127.0.0.1:8443');
  });
});
