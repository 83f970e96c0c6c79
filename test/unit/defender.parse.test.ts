// Pure parts of the Defender client: tolerant parsers, Retry-After and back-off, the sliding-window
// budget on a manual clock, and the response cache.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimitError } from '../../src/core/defender/errors';
import { collection, field, nextLink, parseAlert, parseHuntingResult, parseIpStats, parseMachine } from '../../src/core/defender/parse';
import { RateBudget } from '../../src/core/defender/rateBudget';
import { ResponseCache } from '../../src/core/defender/responseCache';
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryPolicy } from '../../src/core/defender/retry';
import { ManualClock } from '../fixtures/defender/clocks';

describe('parsers', () => {
  test('field names match case-insensitively, exact first', () => {
    assert.equal(field({ Results: 1 }, 'results'), 1);
    assert.equal(field({ results: 2, Results: 1 }, 'results'), 2);
    assert.equal(field({}, 'x'), undefined);
  });

  test('IP stats: number, numeric string, neither, negative, garbage', () => {
    assert.equal(parseIpStats({ organizationPrevalence: 7, orgPrevalence: '9' }, '1.1.1.1').organizationPrevalence, 7);
    assert.equal(parseIpStats({ orgPrevalence: '63515' }, '1.1.1.1').organizationPrevalence, 63515);
    assert.equal(parseIpStats({ OrganizationPrevalence: '12' }, '1.1.1.1').organizationPrevalence, 12);
    assert.equal(parseIpStats({ organizationPrevalence: 'many' }, '1.1.1.1').organizationPrevalence, 0);
    assert.equal(parseIpStats({ organizationPrevalence: -3 }, '1.1.1.1').organizationPrevalence, 0);
    assert.deepEqual(parseIpStats({ orgFirstSeen: 5, ipAddress: '' }, '1.1.1.1'), { ipAddress: '1.1.1.1', organizationPrevalence: 0 });
  });

  test('alerts and machines need an id; wrong types are dropped', () => {
    assert.equal(parseAlert({ title: 'x' }), undefined);
    assert.equal(parseAlert({ id: '' }), undefined);
    const a = parseAlert({ id: 'a', title: 5, severity: null, mitreTechniques: 'T1071', incidentId: '77', evidence: [null, { fileName: 'x.exe', processId: 4 }] });
    assert.deepEqual(a, { id: 'a', title: '', severity: 'UnSpecified', status: 'Unknown', mitreTechniques: ['T1071'], incidentId: 77, evidence: [{ fileName: 'x.exe' }] });
    const m = parseMachine({ id: 'm', osBuild: 'x', machineTags: null, ipAddresses: 'nope', computerDnsName: ['a'] });
    assert.deepEqual(m, { id: 'm', machineTags: [], ipAddresses: [] });
  });

  test('collections and next links', () => {
    assert.deepEqual(collection({ value: [1] }), [1]);
    assert.deepEqual(collection([2]), [2]);
    assert.deepEqual(collection({ value: 'x' }), []);
    assert.equal(nextLink({ '@odata.nextLink': 'https://h/next' }), 'https://h/next');
    assert.equal(nextLink({ '@odata.nextLink': 5 }), undefined);
  });

  test('hunting: both shapes, typed cells, missing cells null, prototype keys inert', () => {
    const legacy = parseHuntingResult(
      {
        Schema: [
          { Name: 'N', Type: 'Int64' },
          { Name: 'D', Type: 'Double' },
          { Name: 'B', Type: 'Boolean' },
          { Name: 'T', Type: 'DateTime' },
          { Name: '__proto__', Type: 'String' },
        ],
        // JSON.parse makes "__proto__" an own key, as a hostile response would.
        Results: [JSON.parse('{"N":"9007199254740993","D":"1.5","B":"FALSE","T":"2026-11-10T14:06:40Z","__proto__":{"polluted":1}}'), 'junk', { N: 3 }],
      },
      'defender',
    );
    assert.ok(legacy !== undefined);
    assert.equal(legacy.results.length, 2);
    const [first, second] = legacy.results;
    assert.equal(first?.N, 9007199254740992);
    assert.equal(first?.D, 1.5);
    assert.equal(first?.B, false);
    assert.equal(first?.T, '2026-11-10T14:06:40Z');
    assert.equal(Object.getPrototypeOf(first), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(first, '__proto__')?.value, { polluted: 1 });
    assert.equal((first as Record<string, unknown>).polluted, undefined);
    assert.equal(second?.D, null);
    assert.equal(parseHuntingResult({ schema: 'x', results: 'y' }, 'graph'), undefined);
    assert.deepEqual(parseHuntingResult({ results: [{ a: 1 }] }, 'graph'), { schema: [], results: [{ a: 1 }], source: 'graph' });
  });
});

describe('retry policy', () => {
  test('Retry-After: seconds, HTTP date, retry-after-ms, junk', () => {
    const now = Date.UTC(2026, 10, 20, 8, 0, 0);
    assert.equal(parseRetryAfter({ 'retry-after': '7' }, now), 7_000);
    assert.equal(parseRetryAfter({ 'retry-after': new Date(now + 12_000).toUTCString() }, now), 12_000);
    assert.equal(parseRetryAfter({ 'retry-after': new Date(now - 12_000).toUTCString() }, now), 0);
    assert.equal(parseRetryAfter({ 'retry-after': '7', 'retry-after-ms': '250' }, now), 250);
    assert.equal(parseRetryAfter({ 'x-ms-retry-after-ms': '40' }, now), 40);
    assert.equal(parseRetryAfter({ 'retry-after': 'soon' }, now), undefined);
    assert.equal(parseRetryAfter({}, now), undefined);
    assert.equal(parseRetryAfter({ 'retry-after': '999999' }, now), 3_600_000);
  });

  test('full jitter stays under the exponential ceiling', () => {
    const top = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999999 });
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((a) => backoffDelay(top, a)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.equal(backoffDelay(retryPolicy({ random: () => 0 }), 3), 0);
    assert.throws(() => retryPolicy({ maxRetries: -1 }), RangeError);
    assert.throws(() => retryPolicy({ baseDelayMs: 10, maxDelayMs: 5 }), RangeError);
  });

  test('what is retried', () => {
    assert.deepEqual(
      [429, 500, 501, 502, 503, 504, 400, 401, 403, 404].map(isRetryableStatus),
      [true, true, false, true, true, true, false, false, false, false],
    );
  });
});

describe('rate budget', () => {
  const never = new AbortController().signal;
  const far = (): number => Number.MAX_SAFE_INTEGER;

  test('grants up to the limit, then waits until the oldest completion leaves the window', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget('entity', [{ windowMs: 1_000, max: 2 }], clock);
    (await budget.acquire(never, far)).done();
    clock.advance(100);
    (await budget.acquire(never, far)).done();
    let granted = false;
    const third = budget.acquire(never, far).then((slot) => {
      granted = true;
      slot.done();
    });
    await Promise.resolve();
    assert.equal(budget.waiting, 1);
    clock.advance(899); // the first completion is 999 ms old: still inside the window
    await new Promise((r) => setImmediate(r));
    assert.equal(granted, false);
    clock.advance(1);
    await third;
    assert.equal(granted, true);
  });

  test('requests in flight count, and a release wakes a waiter', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget('hunting', [{ windowMs: 1_000, max: 1 }], clock);
    const slot = await budget.acquire(never, far);
    const next = budget.acquire(never, far);
    await Promise.resolve();
    assert.equal(budget.waiting, 1);
    slot.cancel(); // never sent: frees the slot without counting
    (await next).done();
    assert.equal(budget.waiting, 0);
  });

  test('a pause holds every request until it ends; a too-long wait throws RateLimitError', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget('entity', [{ windowMs: 60_000, max: 100 }], clock);
    budget.pauseUntil(clock.now() + 5_000);
    assert.equal(budget.pauseRemaining(), 5_000);
    await assert.rejects(
      budget.acquire(never, () => clock.now() + 1_000),
      (e: unknown) => e instanceof RateLimitError && e.retryAfterMs === 5_000,
    );
    const waiting = budget.acquire(never, far);
    await Promise.resolve();
    clock.advance(5_000);
    (await waiting).done();
  });

  test('an abort while waiting rejects with the signal reason', async () => {
    const clock = new ManualClock();
    const budget = new RateBudget('entity', [{ windowMs: 1_000, max: 1 }], clock);
    (await budget.acquire(never, far)).done();
    const ac = new AbortController();
    const p = budget.acquire(ac.signal, far);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });
});

describe('response cache', () => {
  test('TTL and LRU', () => {
    const clock = new ManualClock();
    const cache = new ResponseCache<number>({ ttlMs: 100, maxEntries: 2 }, clock);
    cache.set('a', 1, clock.now());
    cache.set('b', 2, clock.now());
    assert.equal(cache.get('a')?.value, 1);
    cache.set('c', 3, clock.now());
    assert.equal(cache.get('b'), undefined);
    clock.advance(100);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 1);
    const off = new ResponseCache<number>({ ttlMs: 0 }, clock);
    off.set('a', 1, clock.now());
    assert.equal(off.size, 0);
  });
});
