import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ReverseDnsError, reverseDns, reverseDnsSkipReason, type ReverseResolver } from '../../src/core/enrichment/reverseDns';

test('names come from the injected resolver, invalid PTR data is dropped', async () => {
  const asked: string[] = [];
  const resolver: ReverseResolver = {
    reverse: (ip) => {
      asked.push(ip);
      return Promise.resolve(['dns.google', 'dns.google', '<script>alert(1)</script>', 'a b.example', 'ok-host.example.']);
    },
  };
  assert.deepEqual(await reverseDns('8.8.8.8', { resolver }), ['dns.google', 'ok-host.example.']);
  assert.deepEqual(asked, ['8.8.8.8']);
});

test('no PTR record means no names, not an error', async () => {
  const resolver: ReverseResolver = { reverse: () => Promise.reject(Object.assign(new Error('queryPtr ENOTFOUND'), { code: 'ENOTFOUND' })) };
  assert.deepEqual(await reverseDns('192.168.1.1', { resolver }), []);
});

test('other failures say so', async () => {
  const resolver: ReverseResolver = { reverse: () => Promise.reject(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })) };
  await assert.rejects(reverseDns('1.1.1.1', { resolver }), (e) => e instanceof ReverseDnsError && e.kind === 'failed' && /ECONNREFUSED/.test(e.message));
});

test('a resolver that never answers times out and is cancelled', async () => {
  let cancelled = false;
  const resolver: ReverseResolver = { reverse: () => new Promise(() => {}), cancel: () => (cancelled = true) };
  await assert.rejects(reverseDns('1.1.1.1', { resolver, timeoutMs: 15 }), (e) => e instanceof ReverseDnsError && e.kind === 'timeout');
  assert.equal(cancelled, true);
});

test('an abort stops the lookup', async () => {
  const controller = new AbortController();
  const resolver: ReverseResolver = { reverse: () => new Promise(() => {}) };
  const p = reverseDns('1.1.1.1', { resolver, timeoutMs: 60_000, signal: controller.signal });
  controller.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
});

test('addresses without meaningful PTR records are skipped', () => {
  assert.match(reverseDnsSkipReason('198.51.100.23') ?? '', /documentation/);
  assert.match(reverseDnsSkipReason('224.0.0.1') ?? '', /multicast/);
  assert.equal(reverseDnsSkipReason('8.8.8.8'), undefined);
  assert.equal(reverseDnsSkipReason('10.248.240.38'), undefined);
  assert.equal(reverseDnsSkipReason('nonsense'), 'Not an address.');
});
