import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector } from '../../src/simulator/faults';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const defender = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW });
const graph = issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS, now: NOW });
const STATS = `/api/ips/${DEMO_C2_IP}/stats`;
const ALERTS = `/api/ips/${DEMO_C2_IP}/alerts`;

let sim: SimulatorHandle;

function get(path: string, signal: AbortSignal = AbortSignal.timeout(10_000)): Promise<Response> {
  return fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${defender}` }, signal });
}

async function status(path: string): Promise<number> {
  const r = await get(path);
  await r.arrayBuffer();
  return r.status;
}

function hunt(): Promise<Response> {
  return fetch(`${sim.url}/v1.0/security/runHuntingQuery`, {
    method: 'POST',
    headers: { authorization: `Bearer ${graph}`, 'content-type': 'application/json' },
    body: JSON.stringify({ Query: 'AlertInfo | take 1' }),
    signal: AbortSignal.timeout(10_000),
  });
}

/** Polls `check` until it holds or the deadline passes. */
async function until(check: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

before(async () => {
  sim = await startSimulator({ now: () => NOW, rateLimits: { entityPerMinute: 100_000, entityPerHour: 100_000, huntingPerMinute: 100_000, huntingPerHour: 100_000 } });
});
after(() => sim.close());

describe('fault kinds', () => {
  test('error: 503 or 500 with an error body, for `count` requests only', async () => {
    sim.setFaults([{ kind: 'error', path: '/stats', count: 2 }]);
    const r = await get(STATS);
    const body = (await r.json()) as { error: { code: string; target: string } };
    assert.equal(r.status, 503);
    assert.equal(body.error.code, 'ServiceUnavailable');
    assert.equal(body.error.target, r.headers.get('request-id'));
    assert.equal(await status(STATS), 503);
    assert.equal(await status(STATS), 200, 'the rule is spent after two requests');
    sim.setFaults([{ kind: 'error', status: 500, count: 1 }]);
    const e500 = await get(ALERTS);
    assert.equal(e500.status, 500);
    assert.equal(((await e500.json()) as { error: { code: string } }).error.code, 'InternalServerError');
    assert.equal(sim.requests().at(-1)?.fault, 'error');
  });

  test('reset: the connection is destroyed without an answer', async () => {
    sim.setFaults([{ kind: 'reset', count: 1 }]);
    await assert.rejects(get(STATS), (e: unknown) => e instanceof TypeError);
    assert.equal(sim.requests().at(-1)?.status, 0);
    assert.equal(sim.requests().at(-1)?.fault, 'reset');
    assert.equal(await status(STATS), 200, 'the next connection is fine');
  });

  test('malformed: a 200 whose JSON body is cut short', async () => {
    sim.setFaults([{ kind: 'malformed', count: 1 }]);
    const r = await get(STATS);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    const text = await r.text();
    assert.throws(() => JSON.parse(text) as unknown, SyntaxError);
  });

  test('throttle: a 429 storm with the configured Retry-After, not counted against the real budget', async () => {
    sim.setFaults([{ kind: 'throttle', retryAfterSeconds: 7, count: 3 }]);
    for (let i = 0; i < 3; i++) {
      const r = await get(STATS);
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '7');
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'TooManyRequests');
    }
    assert.equal(await status(STATS), 200);
    assert.deepEqual(sim.faultHits(), [3]);
  });

  test('latency: the answer is delayed (a short client timeout fires first), then arrives normally', async () => {
    sim.setFaults([{ kind: 'latency', delayMs: 400, count: 2 }]);
    await assert.rejects(get(STATS, AbortSignal.timeout(40)), (e: unknown) => e instanceof DOMException && e.name === 'TimeoutError');
    assert.equal(await status(STATS), 200, 'a delayed answer is still a full answer');
    assert.deepEqual(sim.faultHits(), [2]);
  });

  test('hang: no answer until the client gives up', async () => {
    sim.setFaults([{ kind: 'hang', count: 1 }]);
    const controller = new AbortController();
    const pending = get(STATS, controller.signal);
    await until(() => sim.requests().at(-1)?.fault === 'hang', 'the hung request to arrive');
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof DOMException && e.name === 'AbortError');
    assert.equal(sim.requests().at(-1)?.status, 0);
  });
});

describe('matching', () => {
  test('by family, method and path (string or RegExp); setFaults replaces the rules at runtime', async () => {
    sim.setFaults([{ kind: 'error', family: 'hunting' }]);
    assert.equal(await status(STATS), 200);
    assert.equal((await hunt()).status, 503);
    sim.setFaults([{ kind: 'error', path: /\/alerts$/, method: 'GET' }]);
    assert.equal(await status(STATS), 200);
    assert.equal(await status(ALERTS), 503);
    assert.equal((await hunt()).status, 200);
    sim.setFaults([]);
    assert.equal(await status(ALERTS), 200);
  });

  test('probabilities are drawn from the seed: the same seed gives the same faults', async () => {
    const pattern = async (): Promise<number[]> => {
      const s = await startSimulator({ now: () => NOW, seed: 99, faults: [{ kind: 'error', probability: 0.5 }] });
      try {
        const out: number[] = [];
        for (let i = 0; i < 24; i++) {
          const r = await fetch(`${s.url}${STATS}`, { headers: { authorization: `Bearer ${defender}` } });
          await r.arrayBuffer();
          out.push(r.status);
        }
        return out;
      } finally {
        await s.close();
      }
    };
    const first = await pattern();
    assert.deepEqual(await pattern(), first);
    assert.ok(first.includes(200) && first.includes(503), `a mix of outcomes: ${first.join(',')}`);
  });

  test('malformed rules are refused', () => {
    assert.throws(() => new FaultInjector([{ kind: 'explode' as 'error' }]), RangeError);
    assert.throws(() => sim.setFaults([{ kind: 'error', probability: 2 }]), RangeError);
    assert.throws(() => sim.setFaults([{ kind: 'error', count: -1 }]), RangeError);
  });
});

describe('close()', () => {
  test('ends hung requests and pending latency, and stops listening', async () => {
    const s = await startSimulator({ now: () => NOW, faults: [{ kind: 'hang', path: '/stats' }, { kind: 'latency', delayMs: 60_000, path: '/alerts' }] });
    const hung = fetch(`${s.url}${STATS}`, { headers: { authorization: `Bearer ${defender}` } });
    const slow = fetch(`${s.url}${ALERTS}`, { headers: { authorization: `Bearer ${defender}` } });
    const outcomes = Promise.all([assert.rejects(hung, TypeError), assert.rejects(slow, TypeError)]);
    await until(() => s.requests().length === 2, 'both requests to arrive');
    await s.close();
    await outcomes;
    await assert.rejects(fetch(`${s.url}${STATS}`), TypeError);
  });
});
