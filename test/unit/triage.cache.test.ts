import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TriageCache, addressPartKey, holderHourKey } from '../../src/core/triage/triageCache';

test('keys separate tenant scope, look-back, part and address; holder keys carry the hour', () => {
  const k = addressPartKey('t1@commercial', '7d', 'sightings', '198.51.100.23');
  assert.notEqual(k, addressPartKey('t2@commercial', '7d', 'sightings', '198.51.100.23'));
  assert.notEqual(k, addressPartKey('t1@commercial', '30d', 'sightings', '198.51.100.23'));
  assert.notEqual(k, addressPartKey('t1@commercial', '7d', 'alerts', '198.51.100.23'));
  const hour = Date.parse('2026-11-20T08:00:00Z');
  assert.notEqual(holderHourKey('t1', '10.0.0.1', hour), holderHourKey('t1', '10.0.0.1', hour + 3_600_000));
  assert.notEqual(holderHourKey('t1', '10.0.0.1', hour), holderHourKey('t2', '10.0.0.1', hour));
});

test('entries expire after the TTL and the oldest go first beyond the cap', () => {
  let now = 1_000_000;
  const c = new TriageCache({ ttlMs: 1000, maxEntries: 2, now: () => now });
  c.set('a', 1);
  c.set('b', 2);
  c.set('c', 3);
  assert.equal(c.get('a'), undefined);
  assert.equal(c.get('b')?.value, 2);
  assert.equal(c.get('b')?.cachedAt, new Date(1_000_000).toISOString());
  now += 1001;
  assert.equal(c.get('c'), undefined);
});

test('the JSON file round-trips live entries; a corrupt or foreign file gives an empty cache', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triage-cache-'));
  try {
    let now = 5_000_000;
    const file = join(dir, 'sub', 'triage-cache.json');
    const c = new TriageCache({ now: () => now, ttlMs: 10_000 });
    c.set('x', { machines: 3 }, now - 9_000);
    c.set('y', null);
    assert.equal(c.changed, true);
    await c.save(file);
    assert.equal(c.changed, false);
    const loaded = await TriageCache.load(file, { now: () => now, ttlMs: 10_000 });
    assert.deepEqual(loaded.get('x')?.value, { machines: 3 });
    assert.equal(loaded.get('y')?.value, null);
    now += 2_000; // x is now older than the TTL
    const later = await TriageCache.load(file, { now: () => now, ttlMs: 10_000 });
    assert.equal(later.get('x'), undefined);
    assert.equal(later.size, 1);
    assert.match(await readFile(file, 'utf8'), /"format":"ipinv-triage-cache"/);

    await writeFile(file, '{not json');
    assert.equal((await TriageCache.load(file)).size, 0);
    await writeFile(file, JSON.stringify({ format: 'other', version: 1, entries: { a: { v: 1, t: now } } }));
    assert.equal((await TriageCache.load(file)).size, 0);
    assert.equal((await TriageCache.load(join(dir, 'missing.json'))).size, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
