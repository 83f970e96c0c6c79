import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HoverLookups, type LookupRequest } from '../../src/features/hover/hoverLookups';
import type { Investigation, InvestigationUpdate } from '../../src/shared/investigation';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const request: LookupRequest = { ip: '198.51.100.23', lookback: '7d' };

function investigation(): Investigation {
  return {
    address: { ip: request.ip, version: 4, ipClass: 'documentation', internal: false, defanged: false, leadingZeros: false },
    lookback: '7d',
    problems: [],
  };
}

/** A lookup whose stats arrive at once and whose alerts wait for `alertsGate`; it records starts and aborts. */
function controlled() {
  const alertsGate = deferred();
  const log = { starts: 0, aborts: 0 };
  async function* start(_r: LookupRequest, signal: AbortSignal): AsyncGenerator<InvestigationUpdate, Investigation> {
    log.starts++;
    signal.addEventListener('abort', () => log.aborts++);
    const inv = investigation();
    yield { section: 'stats', state: 'loading' };
    yield { section: 'alerts', state: 'loading' };
    inv.stats = { prevalence: 6, cachedAt: '2026-01-01T00:00:00Z' };
    yield { section: 'stats', state: 'ready', investigation: inv };
    await Promise.race([alertsGate.promise, new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))]);
    inv.alerts = [];
    yield { section: 'alerts', state: 'ready', investigation: inv };
    return inv;
  }
  return { start, alertsGate, log };
}

/** A budget that expires only when the test says so. */
function manualDelay() {
  const gates: (() => void)[] = [];
  return {
    delay: () => new Promise<void>((resolve) => gates.push(resolve)),
    expire: () => gates.splice(0).forEach((g) => g()),
    get waiting() {
      return gates.length;
    },
  };
}

async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

test('when the budget runs out the hover gets what has arrived and the lookup keeps running for the next hover', async () => {
  const c = controlled();
  const d = manualDelay();
  const lookups = new HoverLookups(c.start, { ttlMs: 60_000, delay: d.delay });
  const first = lookups.lookup(request, 1200);
  await until(() => d.waiting === 1 && lookups.peek(request)?.investigation?.stats !== undefined);
  d.expire();
  const snap = await first;
  assert.equal(snap.done, false);
  assert.equal(snap.investigation?.stats?.prevalence, 6);
  assert.deepEqual(snap.pending, ['alerts']);

  c.alertsGate.resolve();
  const second = await lookups.lookup(request, 1200);
  assert.equal(second.done, true);
  assert.deepEqual(second.investigation?.alerts, []);
  assert.equal(c.log.starts, 1, 'one investigation shared by both hovers');
  assert.equal(c.log.aborts, 0);

  const third = await lookups.lookup(request, 1200);
  assert.equal(third.done, true, 'kept for the next hover without a new lookup');
  assert.equal(c.log.starts, 1);
});

test('hovers of the same address share one lookup; a cancelled hover stops waiting and the lookup goes on for the next', async () => {
  const c = controlled();
  const d = manualDelay();
  const lookups = new HoverLookups(c.start, { ttlMs: 60_000, delay: d.delay });
  const a = new AbortController();
  const b = new AbortController();
  const pa = lookups.lookup(request, 1200, a.signal);
  const pb = lookups.lookup(request, 1200, b.signal);
  a.abort();
  b.abort();
  const [sa, sb] = await Promise.all([pa, pb]);
  assert.equal(sa.done, false);
  assert.equal(sb.done, false);
  assert.equal(c.log.aborts, 0, 'the mouse moving away does not abort the lookup');
  assert.equal(lookups.size, 1);

  // The mouse comes back once the answer is in: no new request.
  c.alertsGate.resolve();
  await until(() => lookups.peek(request)?.done === true);
  const back = await lookups.lookup(request, 1200);
  assert.equal(back.done, true);
  assert.deepEqual(back.investigation?.alerts, []);
  assert.equal(c.log.starts, 1);
});

test('a lookup dropped while a hover waits (session changed, cache cleared) is asked again within the budget', async () => {
  const c = controlled();
  const d = manualDelay();
  const lookups = new HoverLookups(c.start, { ttlMs: 60_000, delay: d.delay });
  const hover = lookups.lookup(request, 1200);
  await until(() => c.log.starts === 1);
  lookups.clear();
  await until(() => c.log.starts === 2);
  assert.equal(c.log.aborts, 1, 'the dropped lookup was aborted');
  c.alertsGate.resolve();
  const snap = await hover;
  assert.equal(snap.done, true, 'the hover shows the new lookup, not the cancellation');
  assert.equal(snap.error, undefined);
  assert.deepEqual(snap.investigation?.alerts, []);
  assert.equal(d.waiting, 1, 'one budget for the whole hover');
});

test('once the budget is over, a dropped lookup is not asked again for this hover', async () => {
  const c = controlled();
  const d = manualDelay();
  const lookups = new HoverLookups(c.start, { ttlMs: 60_000, delay: d.delay });
  const hover = lookups.lookup(request, 1200);
  await until(() => d.waiting === 1 && lookups.peek(request)?.investigation?.stats !== undefined);
  d.expire();
  const snap = await hover;
  assert.equal(snap.done, false);
  assert.deepEqual(snap.pending, ['alerts']);
  lookups.clear();
  await until(() => c.log.aborts === 1);
  assert.equal(c.log.starts, 1);
});

test('finished lookups expire after the TTL; failures are kept only briefly; clear() forgets everything', async () => {
  let now = 0;
  let fail = true;
  let starts = 0;
  async function* start(): AsyncGenerator<InvestigationUpdate, Investigation> {
    starts++;
    await Promise.resolve();
    if (fail) throw new Error('no service');
    yield { section: 'stats', state: 'loading' };
    return investigation();
  }
  const lookups = new HoverLookups(start, { ttlMs: 1000, errorTtlMs: 10, now: () => now, delay: () => new Promise(() => {}) });
  const failed = await lookups.lookup(request, 1200);
  assert.equal(failed.done, true);
  assert.match(String(failed.error), /no service/);
  now = 5;
  await lookups.lookup(request, 1200);
  assert.equal(starts, 1, 'a failure is reused for a moment');
  now = 20;
  fail = false;
  const ok = await lookups.lookup(request, 1200);
  assert.equal(ok.error, undefined);
  assert.equal(starts, 2);
  now = 500;
  await lookups.lookup(request, 1200);
  assert.equal(starts, 2);
  now = 2000;
  await lookups.lookup(request, 1200);
  assert.equal(starts, 3, 'expired after the TTL');
  lookups.clear();
  assert.equal(lookups.size, 0);
  assert.equal(lookups.peek(request), undefined);
});

test('snapshots are copies: a later update does not change what a hover already showed', async () => {
  const c = controlled();
  const d = manualDelay();
  const lookups = new HoverLookups(c.start, { ttlMs: 60_000, delay: d.delay });
  const p = lookups.lookup(request, 1200);
  await until(() => d.waiting === 1 && lookups.peek(request)?.investigation?.stats !== undefined);
  d.expire();
  const snap = await p;
  c.alertsGate.resolve();
  await lookups.lookup(request, 1200);
  assert.equal(snap.investigation?.alerts, undefined);
});
