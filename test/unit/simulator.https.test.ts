import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'selfsigned';
import { Agent, fetch as undiciFetch } from 'undici';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

let sim: SimulatorHandle;
let trusting: Agent;
let cert: string;

before(async () => {
  // A throwaway certificate for 127.0.0.1, made at test time.
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  cert = pems.cert;
  sim = await startSimulator({ tls: { key: pems.private, cert } });
  trusting = new Agent({ connect: { ca: cert } });
});
after(async () => {
  await trusting.close();
  await sim.close();
});

test('HTTPS mode serves the API to a client that trusts the test certificate', async () => {
  assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(sim.authorityUrl, `${sim.url}/${sim.tenantId}`);
  const token = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS });
  const r = await undiciFetch(`${sim.apiBaseUrl}/api/ips/${DEMO_C2_IP}/stats`, { headers: { authorization: `Bearer ${token}` }, dispatcher: trusting });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { ipAddress: string };
  assert.equal(body.ipAddress, DEMO_C2_IP);
});

test('the sign-in routes are served on the same origin', async () => {
  const r = await undiciFetch(`${sim.authorityUrl}/v2.0/.well-known/openid-configuration`, { dispatcher: trusting });
  assert.equal(r.status, 200);
  const config = (await r.json()) as { token_endpoint: string };
  assert.equal(config.token_endpoint, `${sim.authorityUrl}/oauth2/v2.0/token`);
  const discovery = await undiciFetch(`${sim.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=x`, { dispatcher: trusting });
  assert.equal(discovery.status, 200);
  assert.equal(sim.requests().at(-1)?.family, 'identity');
});

test('a client that does not trust the certificate cannot connect', async () => {
  const strict = new Agent();
  try {
    await assert.rejects(undiciFetch(`${sim.url}/api/ips/${DEMO_C2_IP}/stats`, { dispatcher: strict }), (e: unknown) => {
      const cause = (e as { cause?: { code?: string } }).cause;
      return e instanceof TypeError && /CERT|SIGNATURE|SELF_SIGNED/.test(cause?.code ?? '');
    });
  } finally {
    await strict.close();
  }
});
