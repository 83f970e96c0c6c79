// The real msal-node flows (client credentials, device code, auth code + PKCE, silent, refresh) against the simulated
// tenant's identity endpoint, served over HTTPS on loopback with a CA generated here. Nothing leaves 127.0.0.1.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { generate } from 'selfsigned';
import { createTokenProvider } from '../../src/core/auth/createTokenProvider';
import { createCachePlugin } from '../../src/core/auth/cachePlugin';
import { createUndiciNetworkClient } from '../../src/core/auth/undiciNetworkClient';
import { SIGN_IN_SUCCESS_PAGE } from '../../src/core/auth/signInPages';
import type { AuthCloud, ClientCredential } from '../../src/core/auth/authConfig';
import type { DeviceCodeInfo } from '../../src/core/auth/tokenProvider';
import { AuthError, CancelledError, TimeoutError } from '../../src/core/defender/errors';
import { SIM_USER, SimulatedIdentity, type SimulatedIdentityOptions } from '../../src/simulator/identity';
import { ALL_PERMISSIONS, SIM_TENANT_ID, verifySimulatorToken } from '../../src/simulator/tokens';

const APP_ID = '3f0e6a7b-1c2d-4e5f-9a8b-7c6d5e4f3a2b';
const PUBLIC_APP_ID = '8a7b6c5d-4e3f-4a1b-9c8d-0e1f2a3b4c5d';
const CERT_APP_ID = 'c0ffee00-1234-4abc-8def-0123456789ab';
const SECRET = 'tEst~Secret.Value_0123456789abcdefghij';

let server: Server;
let baseUrl: string;
let dispatcher: Agent;
let identity: SimulatedIdentity;
let tempDir: string;
let certPath: string;
let otherCertPath: string;
let certPem: string;
let identityOptions: SimulatedIdentityOptions;

const deadline = { timeout: 20_000 };

function cloud(): AuthCloud {
  return {
    authorityHost: baseUrl,
    defenderScope: 'https://api.securitycenter.microsoft.com/.default',
    graphScope: 'https://graph.microsoft.com/.default',
  };
}

function network() {
  return createUndiciNetworkClient({ dispatcher, timeoutMs: 5_000 });
}

function tokenRequests(grantType?: string) {
  return identity.requests().filter((r) => r.endpoint === 'token' && (grantType === undefined || r.grantType === grantType));
}

async function waitFor(predicate: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function app(credential: ClientCredential, clientId = APP_ID) {
  return createTokenProvider({ mode: 'application', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId, credential }, { networkClient: network() });
}

function memoryStorage() {
  const store: { value?: string; deletes: number; sets: number } = { deletes: 0, sets: 0 };
  return {
    store,
    storage: {
      get: () => Promise.resolve(store.value),
      set: (v: string) => {
        store.value = v;
        store.sets++;
        return Promise.resolve();
      },
      delete: () => {
        store.value = undefined;
        store.deletes++;
        return Promise.resolve();
      },
    },
  };
}

/** What a browser does: load the authorize page, then submit its form_post to msal's loopback listener. */
async function browserThatSignsIn(url: string, seen: { page?: string; authorizeUrl?: string }): Promise<void> {
  seen.authorizeUrl = url;
  const res = await request(url, { dispatcher, signal: AbortSignal.timeout(5_000) });
  const html = await res.body.text();
  assert.equal(res.statusCode, 200, html);
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  const action = unescape(/<form method="post" action="([^"]*)"/.exec(html)?.[1] ?? '');
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.set(unescape(m[1] ?? ''), unescape(m[2] ?? ''));
  assert.ok(fields.get('code'), 'the authorize page carries a code');
  const target = new URL(action);
  if (target.hostname === 'localhost') target.hostname = '127.0.0.1';
  const post = await request(target, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    signal: AbortSignal.timeout(5_000),
  });
  seen.page = await post.body.text();
}

before(async () => {
  const tls = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec', // fast to generate; only the client certificates must be RSA
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const clientCert = await generate([{ name: 'commonName', value: 'ipinv-test-app' }], { keySize: 2048, algorithm: 'sha256' });
  const otherCert = await generate([{ name: 'commonName', value: 'not-registered' }], { keySize: 2048, algorithm: 'sha256' });
  tempDir = await mkdtemp(join(tmpdir(), 'ipinv-auth-'));
  certPath = join(tempDir, 'app.pem');
  otherCertPath = join(tempDir, 'other.pem');
  certPem = clientCert.cert;
  await writeFile(certPath, `${clientCert.cert}\n${clientCert.private}`);
  await writeFile(otherCertPath, `${otherCert.cert}\n${otherCert.private}`);

  identity = new SimulatedIdentity();
  server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    identity
      .handle(req, res, { issuerBaseUrl: baseUrl, now: Date.now })
      .then((handled) => {
        if (!handled) {
          res.writeHead(404);
          res.end();
        }
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dispatcher = new Agent({ connect: { ca: tls.cert } });
});

beforeEach(() => {
  identityOptions = {
    apps: [
      { clientId: APP_ID, secret: SECRET, permissions: ['Ip.Read.All', 'Machine.Read.All'] },
      { clientId: PUBLIC_APP_ID, publicClient: true },
      { clientId: CERT_APP_ID, certificatePem: certPem },
    ],
    deviceCodeIntervalSec: 0.02,
  };
  identity.configure(identityOptions);
  identity.reset();
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dispatcher.close();
  await rm(tempDir, { recursive: true, force: true });
});

describe('application sign-in (client credentials)', () => {
  test('a client secret gets separate Defender and Graph tokens, reused from the cache until forceRefresh', deadline, async () => {
    const provider = app({ kind: 'secret', secret: SECRET });
    const signal = AbortSignal.timeout(10_000);
    const defender = await provider.getToken('defender', signal);
    const checked = verifySimulatorToken(`Bearer ${defender}`, 'defender');
    assert.ok(checked.ok && checked.kind === 'app');
    assert.deepEqual([...checked.permissions].sort(), ['Ip.Read.All', 'Machine.Read.All']);
    assert.deepEqual(verifySimulatorToken(`Bearer ${defender}`, 'graph'), { ok: false, reason: 'audience' });

    const graph = await provider.getToken('graph', signal);
    assert.ok(verifySimulatorToken(`Bearer ${graph}`, 'graph').ok);
    assert.equal(tokenRequests('client_credentials').length, 2);

    assert.equal(await provider.getToken('defender', signal), defender, 'silent reuse');
    assert.equal(tokenRequests().length, 2, 'the second getToken makes no token request');

    const refreshed = await provider.getToken('defender', signal, { forceRefresh: true });
    assert.equal(tokenRequests().length, 3, 'forceRefresh makes exactly one request');
    assert.ok(verifySimulatorToken(`Bearer ${refreshed}`, 'defender').ok);
    assert.deepEqual(provider.describe(), { mode: 'application', account: APP_ID, tenantId: SIM_TENANT_ID });
  });

  test('a certificate (PEM with its key) signs an assertion the tenant verifies against the registered certificate', deadline, async () => {
    const provider = app({ kind: 'certificate', certificatePath: certPath }, CERT_APP_ID);
    const token = await provider.getToken('defender', AbortSignal.timeout(10_000));
    const checked = verifySimulatorToken(`Bearer ${token}`, 'defender');
    assert.ok(checked.ok && checked.kind === 'app');
    assert.deepEqual([...checked.permissions].sort(), [...ALL_PERMISSIONS].sort(), 'default app permissions');
    assert.equal(tokenRequests('client_credentials')[0]?.status, 200);
  });

  test('a certificate the app does not know is refused with an actionable AuthError', deadline, async () => {
    const provider = app({ kind: 'certificate', certificatePath: otherCertPath }, CERT_APP_ID);
    await assert.rejects(provider.getToken('defender', AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'AADSTS700027');
      assert.match(e.message, /certificate was not accepted/);
      return true;
    });
  });

  test('a wrong secret is an AuthError that names the problem and never contains the secret', deadline, async () => {
    const wrong = 'Wrong~Secret.Value_9876543210zyxwvuts';
    const provider = app({ kind: 'secret', secret: wrong });
    await assert.rejects(provider.getToken('defender', AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'AADSTS7000215');
      assert.match(e.message, /client secret is wrong/);
      const everything = `${e.message} ${e.serviceMessage ?? ''} ${e.stack ?? ''} ${JSON.stringify(e)}`;
      assert.ok(!everything.includes(wrong) && !everything.includes(SECRET));
      return true;
    });
  });

  test('an unknown client id and an unknown tenant get messages that say which id is wrong', deadline, async () => {
    const unknownClient = '99999999-9999-4999-8999-999999999999';
    await assert.rejects(app({ kind: 'secret', secret: SECRET }, unknownClient).getToken('defender', AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.match(e.message, new RegExp(`client id ${unknownClient} is not an application`));
      return true;
    });
    const otherTenant = '12345678-1234-4234-8234-123456789012';
    const provider = createTokenProvider(
      { mode: 'application', cloud: cloud(), tenantId: otherTenant, clientId: APP_ID, credential: { kind: 'secret', secret: SECRET } },
      { networkClient: network() },
    );
    await assert.rejects(provider.getToken('defender', AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.match(e.message, new RegExp(`Tenant ${otherTenant} was not found`));
      return true;
    });
  });

  test('an untrusted TLS certificate is a NetworkError, not a hang', deadline, async () => {
    const provider = createTokenProvider(
      { mode: 'application', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: APP_ID, credential: { kind: 'secret', secret: SECRET } },
      { networkClient: createUndiciNetworkClient({ timeoutMs: 5_000 }) },
    );
    await assert.rejects(provider.getToken('defender', AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(e instanceof Error && e.name === 'NetworkError', String(e));
      assert.match(e.message, /Could not reach the sign-in service at 127\.0\.0\.1/);
      return true;
    });
  });
});

describe('delegated sign-in', () => {
  test('device code: msal polls while pending, the test approves, then Graph comes silently from the refresh token', deadline, async () => {
    const codes: DeviceCodeInfo[] = [];
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID, flow: 'deviceCode' },
      { networkClient: network(), onDeviceCode: (info) => codes.push(info) },
    );
    const pending = provider.getToken('defender', AbortSignal.timeout(15_000));
    await waitFor(() => tokenRequests().some((r) => r.error === 'authorization_pending'), 'a pending poll');
    const info = codes[0];
    assert.ok(info && /^[A-Z0-9]{9}$/.test(info.userCode));
    assert.ok(info.verificationUri.startsWith(`${baseUrl}/`));
    assert.ok(info.expiresOn.getTime() > Date.now());
    assert.match(info.message, new RegExp(info.userCode));
    const approve = await request(`${info.verificationUri}?user_code=${encodeURIComponent(info.userCode)}`, { dispatcher, signal: AbortSignal.timeout(5_000) });
    await approve.body.text();
    assert.equal(approve.statusCode, 200);

    const defender = await pending;
    const checked = verifySimulatorToken(`Bearer ${defender}`, 'defender');
    assert.ok(checked.ok && checked.kind === 'delegated');
    assert.deepEqual(provider.describe(), { mode: 'delegated', account: SIM_USER.username, tenantId: SIM_TENANT_ID });

    const before = tokenRequests().length;
    const graph = await provider.getToken('graph', AbortSignal.timeout(10_000));
    assert.ok(verifySimulatorToken(`Bearer ${graph}`, 'graph').ok);
    assert.deepEqual(
      tokenRequests().slice(before).map((r) => r.grantType),
      ['refresh_token'],
      'one refresh, no second device code',
    );
    assert.equal(identity.requests().filter((r) => r.endpoint === 'devicecode').length, 1);
    assert.equal(await provider.getToken('graph', AbortSignal.timeout(10_000)), graph);
    assert.equal(tokenRequests().length, before + 1, 'then Graph is served from the cache');
  });

  test('concurrent Defender and Graph requests share one sign-in', deadline, async () => {
    const codes: DeviceCodeInfo[] = [];
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID, flow: 'deviceCode' },
      { networkClient: network(), onDeviceCode: (info) => codes.push(info) },
    );
    const defender = provider.getToken('defender', AbortSignal.timeout(15_000));
    const graph = provider.getToken('graph', AbortSignal.timeout(15_000));
    await waitFor(() => codes.length > 0, 'the device code');
    assert.ok(identity.approveDeviceCode(codes[0]?.userCode ?? ''));
    const [d, g] = await Promise.all([defender, graph]);
    assert.ok(verifySimulatorToken(`Bearer ${d}`, 'defender').ok);
    assert.ok(verifySimulatorToken(`Bearer ${g}`, 'graph').ok);
    assert.equal(codes.length, 1);
    assert.equal(identity.requests().filter((r) => r.endpoint === 'devicecode').length, 1);
  });

  test('browser sign-in: auth code + PKCE through the loopback redirect, silent reuse, forceRefresh', deadline, async () => {
    const seen: { page?: string; authorizeUrl?: string } = {};
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID },
      { networkClient: network(), openBrowser: (url) => browserThatSignsIn(url, seen) },
    );
    const token = await provider.getToken('defender', AbortSignal.timeout(15_000));
    assert.ok(verifySimulatorToken(`Bearer ${token}`, 'defender').ok);
    const authorize = new URL(seen.authorizeUrl ?? '');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('code_challenge'));
    assert.ok(authorize.searchParams.get('nonce'), 'a nonce is sent and checked against the id_token');
    assert.equal(seen.page, SIGN_IN_SUCCESS_PAGE, 'the browser sees the static success page');
    assert.deepEqual(tokenRequests().map((r) => r.grantType), ['authorization_code']);

    assert.equal(await provider.getToken('defender', AbortSignal.timeout(10_000)), token);
    assert.equal(tokenRequests().length, 1, 'silent reuse makes no request');
    const fresh = await provider.getToken('defender', AbortSignal.timeout(10_000), { forceRefresh: true });
    assert.ok(verifySimulatorToken(`Bearer ${fresh}`, 'defender').ok);
    assert.deepEqual(tokenRequests().map((r) => r.grantType), ['authorization_code', 'refresh_token']);
  });

  test('tokens close to expiry are refreshed silently before they are used', deadline, async () => {
    // msal renews tokens within 5 minutes of expiry: a 2-minute token is renewed on every use.
    identity.configure({ ...identityOptions, accessTokenLifetimeSec: 120 });
    const seen = {};
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID },
      { networkClient: network(), openBrowser: (url) => browserThatSignsIn(url, seen) },
    );
    await provider.getToken('defender', AbortSignal.timeout(10_000));
    await provider.getToken('defender', AbortSignal.timeout(10_000));
    assert.deepEqual(tokenRequests().map((r) => r.grantType), ['authorization_code', 'refresh_token']);
  });

  test('the token cache persists through the plugin, and signOut removes the account and clears it', deadline, async () => {
    const { store, storage } = memoryStorage();
    const seen = {};
    const config = { mode: 'delegated' as const, cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID };
    const first = createTokenProvider(config, { networkClient: network(), cachePlugin: createCachePlugin(storage), openBrowser: (url) => browserThatSignsIn(url, seen) });
    const token = await first.getToken('defender', AbortSignal.timeout(10_000));
    assert.ok(store.value?.includes(SIM_USER.username), 'the account is persisted');
    assert.ok(!store.value?.includes(SECRET));

    // A new window: same storage, no browser available, yet no sign-in and no request are needed.
    const second = createTokenProvider(
      { ...config, signInWhenNeeded: false },
      { networkClient: network(), cachePlugin: createCachePlugin(storage) },
    );
    const requestsBefore = identity.requests().length;
    assert.equal(await second.getToken('defender', AbortSignal.timeout(10_000)), token);
    assert.deepEqual(
      identity.requests().slice(requestsBefore).map((r) => r.endpoint),
      ['openid-configuration'],
      'only the tenant metadata is loaded: no token request, no sign-in',
    );

    await second.signOut();
    assert.equal(store.value, undefined);
    assert.equal(store.deletes, 1);
    assert.equal(second.describe().account, undefined);
    await assert.rejects(second.getToken('defender', AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'sign_in_required');
      return true;
    });
  });

  test('a revoked refresh token leads back to sign-in instead of an opaque failure', deadline, async () => {
    identity.configure({ ...identityOptions, accessTokenLifetimeSec: 120 });
    const seen = {};
    let browserOpened = 0;
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID },
      {
        networkClient: network(),
        openBrowser: (url) => {
          browserOpened++;
          return browserThatSignsIn(url, seen);
        },
      },
    );
    await provider.getToken('defender', AbortSignal.timeout(10_000));
    identity.revokeRefreshTokens();
    const token = await provider.getToken('defender', AbortSignal.timeout(10_000));
    assert.ok(verifySimulatorToken(`Bearer ${token}`, 'defender').ok);
    assert.equal(browserOpened, 2);
    assert.deepEqual(tokenRequests().map((r) => r.grantType), ['authorization_code', 'refresh_token', 'authorization_code']);
  });

  test('declining consent is a CancelledError', deadline, async () => {
    identity.configure({ ...identityOptions, consent: 'decline' });
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID },
      {
        networkClient: network(),
        openBrowser: async (url) => {
          const res = await request(url, { dispatcher, signal: AbortSignal.timeout(5_000) });
          const html = await res.body.text();
          const fields = new URLSearchParams();
          for (const m of html.matchAll(/name="([^"]*)" value="([^"]*)"/g)) fields.set(m[1] ?? '', (m[2] ?? '').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))));
          const action = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
          action.hostname = '127.0.0.1';
          const post = await request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
          await post.body.text();
        },
      },
    );
    await assert.rejects(provider.getToken('defender', AbortSignal.timeout(10_000)), CancelledError);
  });
});

describe('cancellation and deadlines', () => {
  test('an already aborted signal is a CancelledError before any request', deadline, async () => {
    const provider = app({ kind: 'secret', secret: SECRET });
    await assert.rejects(provider.getToken('defender', AbortSignal.abort()), CancelledError);
    assert.equal(identity.requests().length, 0);
  });

  test('aborting a pending device code sign-in rejects with CancelledError and stops polling', deadline, async () => {
    const controller = new AbortController();
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID, flow: 'deviceCode' },
      { networkClient: network(), onDeviceCode: () => undefined },
    );
    const pending = provider.getToken('defender', controller.signal);
    await waitFor(() => tokenRequests().some((r) => r.error === 'authorization_pending'), 'a pending poll');
    controller.abort();
    await assert.rejects(pending, CancelledError);
    const pollsAtAbort = tokenRequests().length;
    // msal checks `cancel` before each poll (20 ms apart here): at most the poll already under way follows.
    await quietFor(200);
    assert.ok(tokenRequests().length <= pollsAtAbort + 1, 'polling stopped');
    assert.equal(identity.pendingUserCodes().length, 1, 'the code was never redeemed');
  });

  test('aborting a browser sign-in rejects with CancelledError and closes the loopback listener', deadline, async () => {
    const controller = new AbortController();
    let redirectPort = 0;
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID },
      {
        networkClient: network(),
        openBrowser: (url) => {
          redirectPort = Number(new URL(new URL(url).searchParams.get('redirect_uri') ?? '').port);
          controller.abort(); // the user closes the tab; the editor cancels
          return Promise.resolve();
        },
      },
    );
    await assert.rejects(provider.getToken('defender', controller.signal), CancelledError);
    assert.ok(redirectPort > 0);
    const end = Date.now() + 5_000;
    while (await accepts(redirectPort)) assert.ok(Date.now() < end, 'the loopback listener closes');
  });

  test('a browser that cannot be opened is an AuthError suggesting device code sign-in', deadline, async () => {
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID },
      { networkClient: network(), openBrowser: () => Promise.reject(new Error('xdg-open not found')) },
    );
    await assert.rejects(provider.getToken('defender', AbortSignal.timeout(10_000)), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.match(e.message, /Could not open the browser for sign-in: use device code sign-in/);
      return true;
    });
  });

  test('a browser sign-in nobody completes ends with TimeoutError at the configured deadline', deadline, async () => {
    const provider = createTokenProvider(
      { mode: 'delegated', cloud: cloud(), tenantId: SIM_TENANT_ID, clientId: PUBLIC_APP_ID, signInTimeoutMs: 300 },
      { networkClient: network(), openBrowser: () => Promise.resolve() },
    );
    await assert.rejects(provider.getToken('defender', AbortSignal.timeout(10_000)), TimeoutError);
  });
});

/** Resolves once no identity request has arrived for `ms` (bounded by a deadline). */
async function quietFor(ms: number): Promise<void> {
  const end = Date.now() + 5_000;
  let count = identity.requests().length;
  let since = Date.now();
  while (Date.now() - since < ms) {
    assert.ok(Date.now() < end, 'requests kept arriving');
    await new Promise((r) => setTimeout(r, 10));
    const now = identity.requests().length;
    if (now !== count) {
      count = now;
      since = Date.now();
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
