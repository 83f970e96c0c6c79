// The Defender client under pressure, over real HTTP on loopback with scaled or manual clocks:
// rate budgets (counted at the server), Retry-After, bounded retries, timeouts, cancellation,
// the cache (TTL, LRU, scope) and in-flight sharing.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { CancelledError, NetworkError, RateLimitError, ServerError, TimeoutError, type DefenderError } from '../../src/core/defender/errors';
import { systemClock } from '../../src/core/defender/clock';
import { RateBudgets } from '../../src/core/defender/rateBudget';
import { ResponseCache } from '../../src/core/defender/responseCache';
import { clientFor, until } from '../fixtures/defender/clientSetup';
import { ManualClock, scaledClock } from '../fixtures/defender/clocks';
import { errorBody, startStubServer, type RecordedRequest, type StubServer } from '../fixtures/defender/stubServer';

let stub: StubServer;
afterEach(async () => {
  await stub.close();
});

async function rejectsWith<T extends DefenderError>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return e;
  }
  assert.fail(`expected ${type.name}, but the call succeeded`);
}

/** Largest number of requests the server saw in any window of `windowMs` (ending at an arrival). */
function maxInWindow(requests: RecordedRequest[], windowMs: number): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[start] ?? 0) <= (times[end] ?? 0) - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('rate budgets', () => {
  test('never exceeded at the server, per minute-like and hour-like window', async () => {
    // 1 virtual second = 20 ms of real time.
    const clock = scaledClock(50);
    stub = await startStubServer({ clock });
    stub.route('GET', () => true, { json: { organizationPrevalence: 1 } });
    const client = clientFor(stub, {
      clock,
      budgets: {
        entity: [
          { windowMs: 1_000, max: 4 },
          { windowMs: 4_000, max: 10 },
        ],
      },
      timeouts: { entityMs: 600_000 },
    });
    const calls = Array.from({ length: 24 }, (_, i) => client.getIpStats(`198.51.100.${i + 1}`, 24));
    const results = await Promise.all(calls);
    assert.equal(results.length, 24);
    assert.equal(stub.requests.length, 24);
    assert.ok(maxInWindow(stub.requests, 1_000) <= 4, `short window: ${maxInWindow(stub.requests, 1_000)}`);
    assert.ok(maxInWindow(stub.requests, 4_000) <= 10, `long window: ${maxInWindow(stub.requests, 4_000)}`);
    // The budget really held requests back: 24 requests at 10 per 4 s need more than two long windows.
    const times = stub.requests.map((r) => r.at);
    assert.ok(Math.max(...times) - Math.min(...times) >= 8_000);
    assert.equal(client.stats().requests.entity, 24);
  });

  test('a call waiting for budget can be cancelled; nothing more is sent', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { json: { organizationPrevalence: 1 } });
    const client = clientFor(stub, { budgets: { entity: [{ windowMs: 60_000, max: 1 }] }, timeouts: { entityMs: 600_000 } });
    await client.getIpStats('198.51.100.1', 24);
    const ac = new AbortController();
    const waiting = client.getIpStats('198.51.100.2', 24, { signal: ac.signal });
    await until(() => client.stats().waitingForBudget === 1, 5_000, 'a call waiting for budget');
    ac.abort();
    await rejectsWith(waiting, CancelledError);
    assert.equal(stub.requests.length, 1);
    await until(() => client.stats().waitingForBudget === 0, 5_000, 'the waiter to leave');
  });

  test('a wait longer than the timeout fails at once with RateLimitError, without sending', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { json: { organizationPrevalence: 1 } });
    const client = clientFor(stub, { budgets: { entity: [{ windowMs: 3_600_000, max: 1 }] } });
    await client.getIpStats('198.51.100.1', 24);
    const e = await rejectsWith(client.getIpStats('198.51.100.2', 24), RateLimitError);
    assert.equal(e.code, 'ClientRateBudget');
    assert.ok(e.retryAfterMs > 3_000_000);
    assert.equal(stub.requests.length, 1);
  });

  test('clients of one tenant can share their budgets', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { json: { organizationPrevalence: 1 } });
    const shared = new RateBudgets(systemClock, { entity: [{ windowMs: 3_600_000, max: 1 }] });
    await clientFor(stub, { rateBudgets: shared }).getIpStats('198.51.100.1', 24);
    const e = await rejectsWith(clientFor(stub, { rateBudgets: shared }).getIpStats('198.51.100.2', 24), RateLimitError);
    assert.equal(e.code, 'ClientRateBudget');
    assert.equal(stub.requests.length, 1);
  });

  test('a wait behind a request in flight is subject to the timeout', async () => {
    stub = await startStubServer();
    stub.route('GET', '/api/ips/198.51.100.1/stats', { hang: true });
    const client = clientFor(stub, { budgets: { entity: [{ windowMs: 60_000, max: 1 }] }, timeouts: { entityMs: 150 } });
    const ac = new AbortController();
    const first = client.getIpStats('198.51.100.1', 24, { timeoutMs: 60_000, signal: ac.signal });
    await stub.waitForRequests(1);
    await rejectsWith(client.getIpStats('198.51.100.2', 24), TimeoutError);
    assert.equal(stub.requests.length, 1);
    ac.abort();
    await rejectsWith(first, CancelledError);
  });
});

describe('Retry-After', () => {
  test('429 pauses the whole family until Retry-After; the other family keeps going', async () => {
    // A manual clock: the pause can only end when the test moves time, so "nothing sent inside the
    // window" is checked exactly, whatever the machine's load.
    const clock = new ManualClock();
    stub = await startStubServer({ clock });
    let first = true;
    stub.route('POST', '/api/advancedqueries/run', () => {
      if (first) {
        first = false;
        return { status: 429, headers: { 'retry-after': '30' }, json: errorBody('TooManyRequests', 'quota') };
      }
      return { json: { Schema: [], Results: [] } };
    });
    stub.route('GET', () => true, { json: { organizationPrevalence: 1 } });
    const client = clientFor(stub, { clock, hunting: 'defender', retry: { maxRetries: 3 }, timeouts: { huntingMs: 600_000 } });
    const hunting = (): RecordedRequest[] => stub.requests.filter((r) => r.method === 'POST');
    const t0 = clock.now();
    const a = client.runHuntingQuery('DeviceNetworkEvents | take 1');
    await until(() => client.stats().rateLimited === 1 && client.stats().waitingForBudget === 1, 5_000, 'the 429');
    const b = client.runHuntingQuery('DeviceNetworkEvents | take 2');
    await until(() => client.stats().waitingForBudget === 2, 5_000, 'the second hunting call to wait');
    const stats = await client.getIpStats('198.51.100.7', 24);
    assert.equal(stats.data.organizationPrevalence, 1, 'the entity family was not paused');
    clock.advance(29_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(hunting().length, 1);
    assert.equal(client.stats().waitingForBudget, 2);
    clock.advance(1);
    await Promise.all([a, b]);
    assert.equal(hunting().length, 3);
    for (const r of hunting().slice(1)) assert.ok(r.at >= t0 + 30_000);
  });

  test('Retry-After longer than the time left is reported at once', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { status: 429, headers: { 'retry-after': '120' }, json: errorBody('TooManyRequests', 'quota') });
    const client = clientFor(stub, { retry: { maxRetries: 3 } });
    const e = await rejectsWith(client.getIpStats('198.51.100.1', 24), RateLimitError);
    assert.equal(e.retryAfterMs, 120_000);
    assert.equal(stub.requests.length, 1);
    // The family stays paused: the next call is refused locally, not sent.
    const again = await rejectsWith(client.getIpStats('198.51.100.2', 24), RateLimitError);
    assert.equal(again.code, 'ClientRateBudget');
    assert.equal(stub.requests.length, 1);
  });
});

describe('retries', () => {
  // Back-off passes 1,000 times faster; the timeout is generous because HTTP itself runs in real time.
  const fast = { clock: scaledClock(1_000), retry: { maxRetries: 2 }, timeouts: { entityMs: 36_000_000 } };

  test('5xx: bounded retries, then ServerError', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { status: 503, json: errorBody('ServiceUnavailable', 'busy') });
    const client = clientFor(stub, fast);
    await rejectsWith(client.getIpStats('198.51.100.1', 24), ServerError);
    assert.equal(stub.requests.length, 3);
    assert.equal(client.stats().retries, 2);
  });

  test('5xx then success', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, [{ status: 500 }, { status: 502, body: 'bad gateway' }, { json: { organizationPrevalence: 3 } }]);
    const r = await clientFor(stub, fast).getIpStats('198.51.100.1', 24);
    assert.equal(r.data.organizationPrevalence, 3);
    assert.equal(stub.requests.length, 3);
  });

  test('connection resets: bounded retries, then NetworkError', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { reset: true });
    await rejectsWith(clientFor(stub, fast).getIpAlerts('198.51.100.1'), NetworkError);
    assert.equal(stub.requests.length, 3);
  });

  test('429 with a short Retry-After: bounded retries, then RateLimitError', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { status: 429, headers: { 'retry-after': '1' }, json: errorBody('TooManyRequests', 'quota') });
    const client = clientFor(stub, fast);
    const e = await rejectsWith(client.getIpAlerts('198.51.100.1'), RateLimitError);
    assert.equal(e.retryAfterMs, 1_000);
    assert.equal(stub.requests.length, 3);
    assert.equal(client.stats().rateLimited, 3);
  });

  test('400 is not retried', async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { status: 400, json: errorBody('BadRequest', 'no') });
    await assert.rejects(clientFor(stub, fast).getIpAlerts('198.51.100.1'));
    assert.equal(stub.requests.length, 1);
  });
});

describe('timeouts and cancellation', () => {
  beforeEach(async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { hang: true });
    stub.route('POST', () => true, { hang: true });
  });

  test('an entity call that gets no answer times out', async () => {
    const e = await rejectsWith(clientFor(stub).getIpStats('198.51.100.1', 24, { timeoutMs: 100 }), TimeoutError);
    assert.match(e.message, /within 0\.1 s/);
    await until(() => stub.requests[0]?.abandoned === true, 5_000, 'the connection to close');
  });

  test('hunting has its own timeout', async () => {
    const client = clientFor(stub, { hunting: 'defender', timeouts: { entityMs: 60_000, huntingMs: 100 } });
    await rejectsWith(client.runHuntingQuery('x'), TimeoutError);
  });

  test('cancelling a call in flight', async () => {
    const ac = new AbortController();
    const p = clientFor(stub).getIpStats('198.51.100.1', 24, { signal: ac.signal });
    await stub.waitForRequests(1);
    ac.abort();
    await rejectsWith(p, CancelledError);
    await until(() => stub.requests[0]?.abandoned === true, 5_000, 'the connection to close');
  });
});

describe('cache', () => {
  beforeEach(async () => {
    stub = await startStubServer();
    stub.route('GET', () => true, { json: { organizationPrevalence: 5 } });
  });

  test('hits within the TTL keep cachedAt; expiry fetches again', async () => {
    const clock = new ManualClock();
    const client = clientFor(stub, { clock, cache: { ttlMs: 60_000 } });
    const a = await client.getIpStats('198.51.100.1', 24);
    clock.advance(59_000);
    const b = await client.getIpStats('198.51.100.1', 24);
    assert.equal(stub.requests.length, 1);
    assert.equal(b.fromCache, true);
    assert.equal(b.cachedAt, a.cachedAt);
    assert.deepEqual(b.data, a.data);
    clock.advance(1_000);
    const c = await client.getIpStats('198.51.100.1', 24);
    assert.equal(c.fromCache, false);
    assert.equal(stub.requests.length, 2);
    assert.equal(client.stats().cacheHits, 1);
  });

  test('noCache and clearCache bypass the cache; the key includes the parameters', async () => {
    const client = clientFor(stub);
    await client.getIpStats('198.51.100.1', 24);
    await client.getIpStats('198.51.100.1', 48);
    assert.equal(stub.requests.length, 2);
    await client.getIpStats('198.51.100.1', 24, { noCache: true });
    assert.equal(stub.requests.length, 3);
    client.clearCache();
    await client.getIpStats('198.51.100.1', 24);
    assert.equal(stub.requests.length, 4);
  });

  test('bounded: the least recently used entry goes first', async () => {
    const client = clientFor(stub, { cache: { maxEntries: 2 } });
    await client.getIpStats('198.51.100.1', 24);
    await client.getIpStats('198.51.100.2', 24);
    await client.getIpStats('198.51.100.1', 24); // hit, now most recent
    await client.getIpStats('198.51.100.3', 24); // evicts .2
    assert.equal(stub.requests.length, 3);
    assert.equal((await client.getIpStats('198.51.100.1', 24)).fromCache, true);
    assert.equal((await client.getIpStats('198.51.100.2', 24)).fromCache, false);
  });

  test('the key includes the tenant/cloud scope', async () => {
    const clock = new ManualClock();
    const shared = new ResponseCache<unknown>({}, clock);
    const tenantA = clientFor(stub, { clock, sharedCache: shared, cacheScope: 'tenant-a@commercial' });
    const tenantB = clientFor(stub, { clock, sharedCache: shared, cacheScope: 'tenant-b@gcc' });
    const tenantAagain = clientFor(stub, { clock, sharedCache: shared, cacheScope: 'tenant-a@commercial' });
    await tenantA.getIpStats('198.51.100.1', 24);
    assert.equal((await tenantB.getIpStats('198.51.100.1', 24)).fromCache, false);
    assert.equal((await tenantAagain.getIpStats('198.51.100.1', 24)).fromCache, true);
    assert.equal(stub.requests.length, 2);
  });

  test('callers get copies: changing a result does not change the cache', async () => {
    const client = clientFor(stub);
    const a = await client.getIpStats('198.51.100.1', 24);
    a.data.organizationPrevalence = 999;
    assert.equal((await client.getIpStats('198.51.100.1', 24)).data.organizationPrevalence, 5);
  });
});

describe('in-flight sharing', () => {
  let release: () => void;
  beforeEach(async () => {
    stub = await startStubServer();
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    stub.route('GET', () => true, { json: { organizationPrevalence: 2 }, release: gate });
  });

  test('two identical concurrent calls make one request', async () => {
    const client = clientFor(stub);
    const a = client.getIpStats('198.51.100.1', 24);
    const b = client.getIpStats('198.51.100.1', 24, { noCache: true });
    await stub.waitForRequests(1);
    release();
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(stub.requests.length, 1);
    assert.equal(ra.data.organizationPrevalence, 2);
    assert.equal(rb.data.organizationPrevalence, 2);
    assert.equal(client.stats().inFlightJoins, 1);
    assert.equal(client.stats().requests.entity, 1);
  });

  test('one caller cancelling does not cancel the other', async () => {
    const client = clientFor(stub);
    const ac = new AbortController();
    const a = client.getIpStats('198.51.100.1', 24, { signal: ac.signal });
    const b = client.getIpStats('198.51.100.1', 24);
    await stub.waitForRequests(1);
    ac.abort();
    await rejectsWith(a, CancelledError);
    release();
    assert.equal((await b).data.organizationPrevalence, 2);
    assert.equal(stub.requests.length, 1);
    assert.equal(stub.requests[0]?.abandoned, false);
  });

  test('when every caller has left, the request is abandoned', async () => {
    const client = clientFor(stub);
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const a = client.getIpStats('198.51.100.1', 24, { signal: ac1.signal });
    const b = client.getIpStats('198.51.100.1', 24, { signal: ac2.signal });
    await stub.waitForRequests(1);
    ac1.abort();
    ac2.abort();
    await rejectsWith(a, CancelledError);
    await rejectsWith(b, CancelledError);
    await until(() => stub.requests[0]?.abandoned === true, 5_000, 'the connection to close');
    release();
  });
});
