import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertQueryIp,
  batchInternalHoldersQuery,
  batchRemoteIpSummaryQuery,
  kqlDatetime,
  observedMachinesQuery,
  timelineQuery,
} from '../../src/core/hunting/huntingQueries';

test('queries embed only normalised addresses', () => {
  assert.equal(assertQueryIp('198.51.100.23'), '198.51.100.23');
  assert.equal(assertQueryIp('2001:db8::1'), '2001:db8::1');
  assert.equal(assertQueryIp('::ffff:192.0.2.1'), '::ffff:192.0.2.1');
  for (const bad of ['1.2.3.4" or 1==1 //', '010.1.2.3', '2001:DB8::1', 'fe80::1%eth0', '1.2.3', '', '1::2::3', '256.1.1.1']) {
    assert.throws(() => assertQueryIp(bad), RangeError, bad);
  }
});

test('observed machines and timeline queries carry the address and bounded numbers', () => {
  const q = observedMachinesQuery('198.51.100.23', 7);
  assert.match(q, /ago\(7d\)/);
  assert.match(q, /RemoteIP == "198\.51\.100\.23" or LocalIP == "198\.51\.100\.23"/);
  assert.throws(() => observedMachinesQuery('198.51.100.23', 31));
  assert.throws(() => timelineQuery('198.51.100.23', 7, 0));
  assert.throws(() => timelineQuery('198.51.100.23";', 7));
});

test('batch queries list every address once and refuse an empty batch', () => {
  const q = batchRemoteIpSummaryQuery(['198.51.100.23', '203.0.113.9'], 30);
  assert.match(q, /RemoteIP in \("198\.51\.100\.23", "203\.0\.113\.9"\)/);
  assert.throws(() => batchRemoteIpSummaryQuery([], 30));
  const h = batchInternalHoldersQuery([
    { ip: '10.248.240.38', at: new Date('2026-11-20T08:44:05Z') },
    { ip: '10.248.240.38', at: new Date('2026-11-21T08:44:05Z') },
  ]);
  assert.match(h, /between \(datetime\(2026-11-20T08:29:05Z\) \.\. datetime\(2026-11-21T08:59:05Z\)\)/);
  assert.equal((h.match(/"10\.248\.240\.38"/g) ?? []).length, 1);
  assert.throws(() => kqlDatetime(new Date('nope')));
});
