import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/simulator/rateLimiter';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const defender = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW });
const graph = issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS, now: NOW });

async function entity(sim: SimulatorHandle, token = defender): Promise<Response> {
  const res = await fetch(`${sim.url}/api/ips/${DEMO_C2_IP}/stats`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return res;
}

async function hunting(sim: SimulatorHandle): Promise<Response> {
  const res = await fetch(`${sim.url}/v1.0/security/runHuntingQuery`, {
    method: 'POST',
    headers: { authorization: `Bearer ${graph}`, 'content-type': 'application/json' },
    body: JSON.stringify({ Query: 'AlertInfo | take 1' }),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res;
}

/** A hand-driven clock for the limiter: tests move time instead of waiting. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('entity APIs: 100 calls per minute and 1,500 per hour, per tenant', () => {
  test('the 101st call in a minute gets 429 TooManyRequests with Retry-After; the next window accepts again', async () => {
    const clock = manualClock();
    const sim = await startSimulator({ now: () => NOW, rateLimits: { clock: clock.now } });
    try {
      for (let i = 0; i < 100; i++) {
        assert.equal((await entity(sim)).status, 200, `call ${i + 1}`);
        clock.advance(100);
      }
      const refused = await entity(sim);
      assert.equal(refused.status, 429);
      // The oldest call (at t=0) leaves the window at t=60 s; it is now t=10 s.
      assert.equal(refused.headers.get('retry-after'), '50');
      assert.equal(refused.headers.get('retry-after-ms'), '50000');
      const recorded = sim.requests().at(-1);
      assert.equal(recorded?.status, 429);
      assert.equal((await hunting(sim)).status, 200, 'hunting has its own budget');
      const other = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW, tenantId: '11111111-1111-4111-8111-111111111111' });
      assert.equal((await entity(sim, other)).status, 200, 'another tenant has its own budget');
      clock.advance(49_999);
      assert.equal((await entity(sim)).status, 429, 'retrying before Retry-After is refused again');
      clock.advance(2);
      assert.equal((await entity(sim)).status, 200, 'once the oldest call has left the window');
      const stats = sim.rateLimitStats();
      assert.equal(stats.entity.throttled, 2);
      assert.equal(stats.entity.peakPerMinute, 102, 'the peak counts attempts, refused ones included');
      assert.equal(stats.entity.peakAcceptedPerMinute, 100);
    } finally {
      await sim.close();
    }
  });

  test('the hourly limit holds even when every minute is within its own limit', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({}, clock.now);
    let accepted = 0;
    let firstRefusal: number | undefined;
    for (let minute = 0; minute < 16 && firstRefusal === undefined; minute++) {
      for (let i = 0; i < 100; i++) {
        const d = limiter.take('entity', 't');
        if (d.ok) accepted++;
        else {
          firstRefusal = clock.now();
          assert.equal(d.window, 'hour');
          assert.equal(d.limit, 1500);
          assert.equal(d.retryAfterMs, 3_600_000 - firstRefusal);
          break;
        }
        clock.advance(500);
      }
      clock.advance(10_000);
    }
    assert.equal(accepted, 1500);
    assert.notEqual(firstRefusal, undefined);
  });
});

describe('hunting: 45 calls per minute', () => {
  test('the 46th hunting call in a minute gets 429, on Graph and legacy alike', async () => {
    const clock = manualClock();
    const sim = await startSimulator({ now: () => NOW, rateLimits: { clock: clock.now } });
    try {
      for (let i = 0; i < 45; i++) assert.equal((await hunting(sim)).status, 200, `call ${i + 1}`);
      const refused = await hunting(sim);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '60');
      const legacy = await fetch(`${sim.url}/api/advancedqueries/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${defender}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Query: 'AlertInfo | take 1' }),
      });
      const body = (await legacy.json()) as { error: { code: string; message: string } };
      assert.equal(legacy.status, 429);
      assert.equal(body.error.code, 'TooManyRequests');
      assert.match(body.error.message, /45 calls per minute/);
      assert.equal((await entity(sim)).status, 200, 'entity APIs are unaffected');
    } finally {
      await sim.close();
    }
  });
});

describe('time scale', () => {
  test('a scaled minute shortens the windows and Retry-After: whole seconds (at least 1) plus exact milliseconds', async () => {
    const clock = manualClock();
    const sim = await startSimulator({ now: () => NOW, rateLimits: { timeScale: 0.001, entityPerMinute: 3, clock: clock.now } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await entity(sim)).status, 200);
      clock.advance(20);
      const refused = await entity(sim);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after-ms'), '40', 'a minute lasts 60 ms at this scale');
      assert.equal(refused.headers.get('retry-after'), '1', 'the standard header stays a valid whole number');
      clock.advance(40);
      assert.equal((await entity(sim)).status, 200);
    } finally {
      await sim.close();
    }
  });

  test('with the real clock, scaled windows slide and never accept more than the limit', async () => {
    // A scaled minute of 1.2 s: a concurrent burst of 10 meets the limit of 5 however slow the machine is.
    const sim = await startSimulator({ now: () => NOW, rateLimits: { timeScale: 0.02, entityPerMinute: 5 } });
    try {
      const burst = await Promise.all(Array.from({ length: 10 }, () => entity(sim)));
      const refused = burst.filter((r) => r.status === 429);
      assert.equal(refused.length, 5);
      const waitMs = Math.max(...refused.map((r) => Number(r.headers.get('retry-after-ms'))));
      assert.ok(waitMs > 0 && waitMs <= 1200);
      // Honour Retry-After (the server's own hint), then the refused calls get through; bounded by a deadline.
      const deadline = Date.now() + 10_000;
      let ok = 5;
      let wait = waitMs;
      while (ok < 10 && Date.now() < deadline) {
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const r = await entity(sim);
        if (r.status === 200) {
          ok++;
          wait = 0;
        } else {
          wait = Number(r.headers.get('retry-after-ms'));
        }
      }
      assert.equal(ok, 10, 'the window slid on the real clock');
      const stats = sim.rateLimitStats().entity;
      assert.equal(stats.accepted, 10);
      assert.equal(stats.peakAcceptedPerMinute, 5, 'never more than 5 accepted calls within a scaled minute');
      assert.ok(stats.peakPerMinute >= 10, 'although more were attempted');
    } finally {
      await sim.close();
    }
  });

  test('invalid limits are refused at start', async () => {
    await assert.rejects(startSimulator({ rateLimits: { timeScale: 0 } }), RangeError);
    await assert.rejects(startSimulator({ rateLimits: { entityPerMinute: 0 } }), RangeError);
  });
});
