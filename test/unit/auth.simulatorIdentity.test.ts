// The simulated tenant's OAuth endpoint, driven directly over HTTP: the protocol checks msal relies on (PKCE, codes,
// assertions, device codes, refresh tokens) and Entra-shaped errors. The msal flows themselves are in auth.msalFlows.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { generate } from 'selfsigned';
import { SIM_CLIENT_ID, SIM_CLIENT_SECRET, SIM_USER, SimulatedIdentity, handleIdentityRequest } from '../../src/simulator/identity';
import { SIM_TENANT_ID, verifySimulatorToken } from '../../src/simulator/tokens';

const PUBLIC_APP = '8a7b6c5d-4e3f-4a1b-9c8d-0e1f2a3b4c5d';
const CERT_APP = 'c0ffee00-1234-4abc-8def-0123456789ab';
const SECRET_APP = '3f0e6a7b-1c2d-4e5f-9a8b-7c6d5e4f3a2b';
const REDIRECT = 'http://localhost:53111';

let server: Server;
let base: string;
let now = Date.UTC(2026, 10, 20, 8, 0, 0);
let identity: SimulatedIdentity;
let useDefault = false;
let cert: { cert: string; private: string };

function configure(overrides: Partial<ConstructorParameters<typeof SimulatedIdentity>[0]> = {}) {
  identity.configure({
    apps: [
      { clientId: PUBLIC_APP, publicClient: true },
      { clientId: CERT_APP, certificatePem: cert.cert },
      { clientId: SECRET_APP, secret: 'right', secretExpired: true },
    ],
    deviceCodeIntervalSec: 0.01,
    ...overrides,
  });
}

async function post(path: string, form: Record<string, string>) {
  const res = await request(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

async function get(path: string) {
  const res = await request(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const tokenPath = `/${SIM_TENANT_ID}/oauth2/v2.0/token`;
const claims = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

function assertion(payload: Record<string, unknown>, options: { alg?: 'RS256'; thumbprint?: string; tamper?: boolean } = {}): string {
  const der = Buffer.from(cert.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const header = { alg: options.alg ?? 'RS256', typ: 'JWT', 'x5t#S256': options.thumbprint ?? createHash('sha256').update(der).digest('base64url') };
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = createSign('sha256').update(input).sign(cert.private).toString('base64url');
  return `${input}.${options.tamper ? signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : signature}`;
}

function assertionClaims(overrides: Record<string, unknown> = {}) {
  const t = Math.floor(now / 1000);
  return { aud: `${base}${tokenPath}`, iss: CERT_APP, sub: CERT_APP, jti: 'j', nbf: t, exp: t + 600, ...overrides };
}

async function authorize(params: Record<string, string>) {
  const query = new URLSearchParams({ client_id: PUBLIC_APP, response_type: 'code', redirect_uri: REDIRECT, scope: 'https://api.securitycenter.microsoft.com/.default openid profile offline_access', state: 's1', ...params });
  const res = await request(`${base}/${SIM_TENANT_ID}/oauth2/v2.0/authorize?${query.toString()}`, { signal: AbortSignal.timeout(5_000) });
  await res.body.text();
  return { status: res.statusCode, location: new URL(String(res.headers.location ?? 'http://none.invalid')) };
}

before(async () => {
  cert = await generate([{ name: 'commonName', value: 'assertion-signer' }], { keySize: 2048, algorithm: 'sha256' });
  identity = new SimulatedIdentity();
  server = createServer((req, res) => {
    const handle = useDefault ? handleIdentityRequest : identity.handle.bind(identity);
    handle(req, res, { issuerBaseUrl: base, now: () => now })
      .then((handled) => {
        if (!handled) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"NotAnIdentityRoute"}}');
        }
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  now = Date.UTC(2026, 10, 20, 8, 0, 0);
  useDefault = false;
  configure();
  identity.reset();
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('discovery', () => {
  test('OpenID configuration points at this server; other paths are not identity routes', async () => {
    const res = await get(`/${SIM_TENANT_ID}/v2.0/.well-known/openid-configuration`);
    const config = JSON.parse(res.text) as Record<string, string>;
    assert.equal(config.issuer, `${base}/${SIM_TENANT_ID}/v2.0`);
    assert.equal(config.token_endpoint, `${base}${tokenPath}`);
    assert.equal(config.authorization_endpoint, `${base}/${SIM_TENANT_ID}/oauth2/v2.0/authorize`);
    assert.equal(config.device_authorization_endpoint, `${base}/${SIM_TENANT_ID}/oauth2/v2.0/devicecode`);
    const discovery = JSON.parse((await get('/common/discovery/instance?api-version=1.1')).text) as { metadata: { aliases: string[] }[] };
    assert.deepEqual(discovery.metadata[0]?.aliases, [new URL(base).host]);
    assert.equal((await get('/api/machines')).status, 404);
    assert.equal((await get('/v1.0/security/runHuntingQuery')).status, 404);
    assert.deepEqual(identity.requests().map((r) => r.endpoint), ['openid-configuration', 'instance-discovery']);
  });

  test('an unknown tenant gets AADSTS90002', async () => {
    const res = await get('/11111111-2222-4333-8444-555555555555/v2.0/.well-known/openid-configuration');
    assert.equal(res.status, 400);
    const body = JSON.parse(res.text) as { error: string; error_codes: number[] };
    assert.equal(body.error, 'invalid_tenant');
    assert.deepEqual(body.error_codes, [90002]);
  });
});

describe('client credentials', () => {
  test('the default demo app with its secret gets an app token; bad scopes and credentials get Entra errors', async () => {
    useDefault = true;
    const ok = await post(tokenPath, { grant_type: 'client_credentials', client_id: SIM_CLIENT_ID, client_secret: SIM_CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' });
    assert.equal(ok.status, 200);
    assert.ok(verifySimulatorToken(`Bearer ${String(ok.body.access_token)}`, 'graph', now).ok);
    assert.equal(ok.body.refresh_token, undefined);
    assert.equal(ok.body.id_token, undefined);

    const cases: [Record<string, string>, number][] = [
      [{ scope: 'https://api.securitycenter.microsoft.com/Machine.Read' }, 1002012],
      [{ scope: 'https://api.securitycenter.microsoft.com/.default https://graph.microsoft.com/.default' }, 1002012],
      [{ scope: 'https://evil.example/.default' }, 500011],
      [{ scope: 'https://graph.microsoft.com/.default', client_secret: 'nope' }, 7000215],
      [{ scope: 'https://graph.microsoft.com/.default', client_id: '00000000-0000-4000-8000-000000000001' }, 700016],
    ];
    for (const [form, code] of cases) {
      const res = await post(tokenPath, { grant_type: 'client_credentials', client_id: SIM_CLIENT_ID, client_secret: SIM_CLIENT_SECRET, ...form });
      assert.deepEqual(res.body.error_codes, [code], JSON.stringify(form));
      assert.match(String(res.body.error_description), new RegExp(`^AADSTS${code}: `));
      assert.ok(!String(res.body.error_description).includes('nope'));
    }
  });

  test('an expired secret, and no credential at all, are refused', async () => {
    const expired = await post(tokenPath, { grant_type: 'client_credentials', client_id: SECRET_APP, client_secret: 'right', scope: 'https://graph.microsoft.com/.default' });
    assert.deepEqual(expired.body.error_codes, [7000222]);
    const none = await post(tokenPath, { grant_type: 'client_credentials', client_id: PUBLIC_APP, scope: 'https://graph.microsoft.com/.default' });
    assert.equal(none.status, 401);
    assert.deepEqual(none.body.error_codes, [7000218]);
  });

  test('certificate assertions: signature, named certificate, audience, issuer and time are checked', async () => {
    const form = (jwt: string) => ({
      grant_type: 'client_credentials',
      client_id: CERT_APP,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt,
      scope: 'https://api.securitycenter.microsoft.com/.default',
    });
    const ok = await post(tokenPath, form(assertion(assertionClaims())));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const cases: [string, number][] = [
      [assertion(assertionClaims(), { tamper: true }), 700027],
      [assertion(assertionClaims(), { thumbprint: 'AAAA' }), 700027],
      [assertion(assertionClaims({ aud: `${base}/other/oauth2/v2.0/token` })), 50013],
      [assertion(assertionClaims({ iss: PUBLIC_APP })), 700021],
      [assertion(assertionClaims({ exp: Math.floor(now / 1000) - 3600 })), 700024],
      ['not-a-jwt', 50027],
    ];
    for (const [jwt, code] of cases) assert.deepEqual((await post(tokenPath, form(jwt))).body.error_codes, [code]);
  });
});

describe('authorization code with PKCE', () => {
  const verifier = 'a'.repeat(43) + 'verifier';
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  test('query mode redirects with code and state; the code redeems once, only with the right verifier', async () => {
    const first = await authorize({ code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n-1', client_info: '1' });
    assert.equal(first.status, 302);
    assert.equal(first.location.origin, REDIRECT);
    assert.equal(first.location.searchParams.get('state'), 's1');
    const code = first.location.searchParams.get('code') ?? '';
    const redeem = (c: string, v: string) =>
      post(tokenPath, { grant_type: 'authorization_code', client_id: PUBLIC_APP, code: c, code_verifier: v, redirect_uri: REDIRECT, scope: 'https://api.securitycenter.microsoft.com/.default openid profile offline_access', client_info: '1' });

    const wrong = await redeem(code, 'b'.repeat(50));
    assert.deepEqual(wrong.body.error_codes, [501481]);
    assert.deepEqual((await redeem(code, verifier)).body.error_codes, [70008], 'a code is single use, even after a failed redemption');

    const second = await authorize({ code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n-2', client_info: '1' });
    const ok = await redeem(second.location.searchParams.get('code') ?? '', verifier);
    assert.equal(ok.status, 200);
    const access = verifySimulatorToken(`Bearer ${String(ok.body.access_token)}`, 'defender', now);
    assert.ok(access.ok && access.kind === 'delegated');
    const id = claims(ok.body.id_token);
    assert.equal(id.iss, `${base}/${SIM_TENANT_ID}/v2.0`);
    assert.equal(id.aud, PUBLIC_APP);
    assert.equal(id.tid, SIM_TENANT_ID);
    assert.equal(id.oid, SIM_USER.oid);
    assert.equal(id.preferred_username, SIM_USER.username);
    assert.equal(id.name, SIM_USER.name);
    assert.equal(id.nonce, 'n-2');
    assert.equal(id.exp, Math.floor(now / 1000) + 3600);
    assert.deepEqual(JSON.parse(Buffer.from(String(ok.body.client_info), 'base64url').toString()), { uid: SIM_USER.oid, utid: SIM_TENANT_ID });
    assert.ok(typeof ok.body.refresh_token === 'string');
    assert.equal(ok.body.scope, 'https://api.securitycenter.microsoft.com/.default');
  });

  test('form_post answers with an auto-submitting form whose values are escaped', async () => {
    const hostile = '"><script>alert(1)</script>';
    const query = new URLSearchParams({ client_id: PUBLIC_APP, response_type: 'code', response_mode: 'form_post', redirect_uri: REDIRECT, scope: 'openid', state: hostile, code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await get(`/${SIM_TENANT_ID}/oauth2/v2.0/authorize?${query.toString()}`);
    assert.equal(res.status, 200);
    assert.match(res.text, new RegExp(`<form method="post" action="${REDIRECT}">`));
    assert.ok(!res.text.includes(hostile));
    assert.ok(res.text.includes('&#34;&#62;&#60;script&#62;'));
    assert.match(String(res.headers['content-security-policy']), /form-action http:\/\/localhost:53111/);
  });

  test('PKCE is required for public clients, redirects must be loopback, and without a user nobody signs in', async () => {
    const noPkce = await authorize({});
    assert.equal(noPkce.location.searchParams.get('error'), 'invalid_request');
    const foreign = await authorize({ redirect_uri: 'https://evil.example/cb', code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(foreign.status, 400);
    configure({ user: null });
    const nobody = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(nobody.status, 200, 'the sign-in page just waits');
  });
});

describe('device code and refresh tokens', () => {
  const scope = 'https://api.securitycenter.microsoft.com/.default openid profile offline_access';
  const start = async () => (await post(`/${SIM_TENANT_ID}/oauth2/v2.0/devicecode`, { client_id: PUBLIC_APP, scope })).body as Record<string, string | number>;
  const poll = (deviceCode: string) => post(tokenPath, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: PUBLIC_APP, device_code: deviceCode, scope, client_info: '1' });

  test('pending until approved, then tokens once; declined and expired codes say so', async () => {
    const a = await start();
    assert.equal(a.interval, 0.01);
    assert.equal(a.verification_uri, `${base}/${SIM_TENANT_ID}/oauth2/v2.0/devicecode/approve`);
    assert.equal((await poll(String(a.device_code))).body.error, 'authorization_pending');
    assert.equal((await get(`/${SIM_TENANT_ID}/oauth2/v2.0/devicecode/approve?user_code=${String(a.user_code).toLowerCase()}`)).status, 200);
    const done = await poll(String(a.device_code));
    assert.equal(done.status, 200);
    assert.equal(claims(done.body.id_token).nonce, undefined);
    assert.equal((await poll(String(a.device_code))).body.error, 'invalid_grant', 'redeemed once');
    assert.equal((await get(`/${SIM_TENANT_ID}/oauth2/v2.0/devicecode/approve?user_code=NOPE`)).status, 404);

    const b = await start();
    assert.ok(identity.declineDeviceCode(String(b.user_code)));
    assert.equal((await poll(String(b.device_code))).body.error, 'authorization_declined');

    const c = await start();
    now += 901_000;
    assert.equal((await poll(String(c.device_code))).body.error, 'expired_token');
  });

  test('a refresh token from a Defender sign-in yields a Graph token; an unknown one is a bad_token', async () => {
    const a = await start();
    identity.approveDeviceCode(String(a.user_code));
    const signedIn = await poll(String(a.device_code));
    const refreshed = await post(tokenPath, { grant_type: 'refresh_token', client_id: PUBLIC_APP, refresh_token: String(signedIn.body.refresh_token), scope: 'https://graph.microsoft.com/.default openid offline_access' });
    assert.equal(refreshed.status, 200);
    assert.ok(verifySimulatorToken(`Bearer ${String(refreshed.body.access_token)}`, 'graph', now).ok);
    identity.revokeRefreshTokens();
    const revoked = await post(tokenPath, { grant_type: 'refresh_token', client_id: PUBLIC_APP, refresh_token: String(signedIn.body.refresh_token), scope: 'https://graph.microsoft.com/.default' });
    assert.equal(revoked.body.error, 'invalid_grant');
    assert.equal(revoked.body.suberror, 'bad_token');
    const unsupported = await post(tokenPath, { grant_type: 'password', client_id: PUBLIC_APP });
    assert.deepEqual(unsupported.body.error_codes, [70003]);
  });
});
