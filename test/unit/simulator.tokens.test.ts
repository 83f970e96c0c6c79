import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueSimulatorToken, verifySimulatorToken } from '../../src/simulator/tokens';

test('a simulator token verifies for its audience only', () => {
  const t = issueSimulatorToken({ audience: 'defender', permissions: ['Ip.Read.All', 'Machine.Read.All'] });
  const ok = verifySimulatorToken(`Bearer ${t}`, 'defender');
  assert.ok(ok.ok);
  assert.ok(ok.ok && ok.permissions.has('Ip.Read.All') && !ok.permissions.has('Alert.Read.All'));
  assert.deepEqual(verifySimulatorToken(`Bearer ${t}`, 'graph'), { ok: false, reason: 'audience' });
});

test('tampered, expired and missing tokens are refused', () => {
  const t = issueSimulatorToken({ audience: 'graph', permissions: ['ThreatHunting.Read.All'], now: 0, expiresInSec: 60 });
  assert.deepEqual(verifySimulatorToken(`Bearer ${t}`, 'graph', 61_000), { ok: false, reason: 'expired' });
  const [h, , s] = t.split('.');
  const forged = `${h}.${Buffer.from('{"aud":"https://graph.microsoft.com","exp":9999999999,"roles":["x"]}').toString('base64url')}.${s}`;
  assert.deepEqual(verifySimulatorToken(`Bearer ${forged}`, 'graph'), { ok: false, reason: 'signature' });
  assert.deepEqual(verifySimulatorToken(undefined, 'graph'), { ok: false, reason: 'missing' });
});

test('delegated scopes map to the permission names routes check', () => {
  const t = issueSimulatorToken({ audience: 'defender', permissions: ['Alert.Read.All', 'Ip.Read.All'], kind: 'delegated' });
  const r = verifySimulatorToken(`Bearer ${t}`, 'defender');
  assert.ok(r.ok && r.kind === 'delegated' && r.permissions.has('Alert.Read.All') && r.permissions.has('Ip.Read.All'));
});
