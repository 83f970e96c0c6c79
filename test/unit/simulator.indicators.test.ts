// The indicators routes of the simulated tenant over real HTTP, through the product's client and writes: list and
// filter, add, update (the same value again updates it), import batching (1,200 addresses = 3 calls within the
// limits), delete, the 400 and 403 bodies in Defender's error shape, the 15,000 cap, and a bulk run cancelled halfway.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DefenderClient } from '../../src/core/defender/defenderClient';
import { BadRequestError, PermissionError } from '../../src/core/defender/errors';
import { checkDraft, ipIndicatorsByAddress, remainingRoom } from '../../src/core/indicators/indicatorRules';
import { planBulkAdd } from '../../src/core/indicators/bulkPlan';
import { runBulk, submitOne, removeOne, type BulkItem } from '../../src/core/indicators/indicatorWrites';
import type { IndicatorSubmission } from '../../src/shared/defenderModel';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_INDICATOR_IPS } from '../../src/simulator/story';
import { ALL_PERMISSIONS, READ_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

const NOW = Date.now();
const DAY = 86_400_000;
let sim: SimulatorHandle;

function clientFor(s: SimulatorHandle, permissions: readonly string[] = ALL_PERMISSIONS, extra: Partial<ConstructorParameters<typeof DefenderClient>[0]> = {}): DefenderClient {
  const token = issueSimulatorToken({ audience: 'defender', permissions, now: NOW });
  return new DefenderClient({ apiBaseUrl: s.apiBaseUrl, graphBaseUrl: s.graphBaseUrl, getToken: () => Promise.resolve(token), cacheScope: `sim-${s.url}`, retry: { maxRetries: 1, baseDelayMs: 10 }, ...extra });
}

async function raw(path: string, init: { method?: string; body?: unknown; permissions?: readonly string[] } = {}) {
  const token = issueSimulatorToken({ audience: 'defender', permissions: init.permissions ?? ALL_PERMISSIONS, now: NOW });
  const res = await fetch(`${sim.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, requestId: res.headers.get('request-id'), body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const errorOf = (r: { body: Record<string, unknown> }) => r.body.error as { code: string; message: string; target: string };

/** A valid body for an address (the product's own rules build it). */
function submission(ip: string, overrides: Partial<Parameters<typeof checkDraft>[0]> = {}): IndicatorSubmission {
  const c = checkDraft({ ip, choice: 'block', title: `Block ${ip}`, description: 'From a test', expires: '30d', ...overrides }, { demo: true, now: Date.now() });
  assert.ok(c.ok, c.ok ? '' : c.errors.join(' '));
  return c.submission;
}

/** Public, non-special addresses that appear nowhere in the story: 1.0.x.y. */
function addresses(n: number, third = 0): string[] {
  return Array.from({ length: n }, (_, i) => `1.${third}.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}

const posts = (path: string) => sim.requests().filter((r) => r.method === 'POST' && r.path.startsWith(path));

before(async () => {
  sim = await startSimulator({ rateLimits: { timeScale: 0.01 } });
});
after(() => sim.close());

describe('list and filter', () => {
  test('the story seeds indicators; the list filters by type and value', async () => {
    const api = clientFor(sim);
    const all = (await api.listIndicators({})).data;
    assert.equal(all.complete, true);
    assert.ok(all.indicators.some((i) => i.indicatorType === 'FileSha256'), 'a file indicator (not an IP) counts too');
    const ips = (await api.listIndicators({ ipOnly: true }, { noCache: true })).data.indicators;
    assert.ok(ips.length >= 2 && ips.every((i) => i.indicatorType === 'IpAddress'));
    const one = (await api.listIndicators({ value: DEMO_INDICATOR_IPS.audited })).data.indicators;
    assert.equal(one.length, 1);
    assert.equal(one[0].action, 'Audit');
    assert.equal(one[0].generateAlert, true);
    assert.deepEqual(one[0].rbacGroupNames, ['Datacenter-Servers']);
    assert.ok(one[0].expirationTime && Date.parse(one[0].expirationTime) > Date.now());
    assert.equal((await api.listIndicators({ value: DEMO_C2_IP })).data.indicators.length, 0, 'the C2 address has none yet');
    const filtered = await raw(`/api/indicators?$filter=${encodeURIComponent("action eq 'Allowed' and generateAlert eq false")}`);
    assert.deepEqual((filtered.body.value as { indicatorValue: string }[]).map((i) => i.indicatorValue), [DEMO_INDICATOR_IPS.allowed]);
    const bad = await raw(`/api/indicators?$filter=${encodeURIComponent("lastSeen eq 'x'")}`);
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).code, 'ODataError');
  });

  test('with only read permissions: 403 in the real error shape, naming Ti.ReadWrite; the client says what to grant', async () => {
    const r = await raw('/api/indicators', { permissions: READ_PERMISSIONS });
    assert.equal(r.status, 403);
    const e = errorOf(r);
    assert.equal(e.code, 'Forbidden');
    assert.match(e.message, /Ti\.ReadWrite or Ti\.ReadWrite\.All/);
    assert.equal(e.target, r.requestId, 'target is the request id');
    const api = clientFor(sim, READ_PERMISSIONS);
    await assert.rejects(api.listIndicators({ value: DEMO_C2_IP }), (x: unknown) => x instanceof PermissionError && /needs Ti\.ReadWrite; sign in with an app or role that has it/.test(x.message) && x.permission === 'Ti.ReadWrite / Ti.ReadWrite.All');
    const before = posts('/api/indicators').length;
    await assert.rejects(api.submitIndicator(submission('1.9.9.9')), PermissionError);
    assert.equal(posts('/api/indicators').length, before + 1, 'one request, refused; not retried');
  });

  test('an app with only Ti.ReadWrite sees only the indicators it created', async () => {
    const own = clientFor(sim, ['Ti.ReadWrite']);
    const mine = await own.submitIndicator(submission('1.9.0.1'));
    const seen = (await own.listIndicators({})).data.indicators;
    assert.deepEqual(seen.map((i) => i.id), [mine.data.id]);
    await own.deleteIndicator(mine.data.id);
  });
});

describe('add, update, delete', () => {
  test('add creates; the same value again updates the same indicator; delete removes it (then 404)', async () => {
    const api = clientFor(sim);
    const count = sim.indicatorCount();
    const first = await submitOne(api, submission(DEMO_C2_IP, { title: 'Known C2' }), { existed: false });
    assert.equal(first.outcome, 'created');
    assert.ok(first.indicator && first.indicatorId);
    assert.equal(first.indicator.action, 'Block');
    assert.equal(first.indicator.application, 'Defender IP Investigator');
    assert.equal(first.requestIds.length, 1, 'the response header request id is kept');
    assert.match(first.clientRequestIds[0] ?? '', /^[0-9a-f-]{36}$/);
    const sent = sim.requests().find((r) => r.requestId === first.requestIds[0]);
    assert.equal(sent?.method, 'POST');
    assert.equal(sim.indicatorCount(), count + 1);

    const listed = (await api.listIndicators({ value: DEMO_C2_IP })).data.indicators;
    assert.equal(listed[0]?.title, 'Known C2');
    const again = await submitOne(api, submission(DEMO_C2_IP, { title: 'Known C2 (confirmed)', choice: 'warn', expires: '7d' }), { existed: true });
    assert.equal(again.outcome, 'updated');
    assert.equal(again.indicatorId, first.indicatorId, 'the same indicator');
    assert.equal(again.indicator?.action, 'Warn');
    assert.equal(sim.indicatorCount(), count + 1, 'no second indicator');
    // The write dropped the cached list: the next read sees the update.
    assert.equal((await api.listIndicators({ value: DEMO_C2_IP })).data.indicators[0]?.title, 'Known C2 (confirmed)');

    const removed = await removeOne(api, { id: first.indicatorId, indicatorValue: DEMO_C2_IP });
    assert.equal(removed.outcome, 'removed');
    assert.equal(sim.indicatorCount(), count);
    const gone = await removeOne(api, { id: first.indicatorId, indicatorValue: DEMO_C2_IP });
    assert.equal(gone.outcome, 'not-found');
    assert.equal((await raw(`/api/indicators/${first.indicatorId}`, { method: 'DELETE' })).status, 404);
  });

  test('400 bodies: CIDR, internal address, Audit without an alert, expiry in the past, case-sensitive names', async () => {
    const base = { indicatorType: 'IpAddress', action: 'Block', title: 't', description: 'd', generateAlert: true };
    const cidr = await raw('/api/indicators', { body: { ...base, indicatorValue: '1.2.3.0/24' } });
    assert.equal(cidr.status, 400);
    assert.equal(errorOf(cidr).code, 'InvalidIpAddress');
    assert.match(errorOf(cidr).message, /CIDR/);
    assert.equal(errorOf(cidr).target, cidr.requestId);
    const internal = await raw('/api/indicators', { body: { ...base, indicatorValue: '10.1.2.3' } });
    assert.equal(internal.status, 400);
    assert.match(errorOf(internal).message, /only external IPs/);
    const audit = await raw('/api/indicators', { body: { ...base, indicatorValue: '1.2.3.4', action: 'Audit', generateAlert: false } });
    assert.equal(errorOf(audit).code, 'InvalidInput');
    const past = await raw('/api/indicators', { body: { ...base, indicatorValue: '1.2.3.4', expirationTime: new Date(Date.now() - DAY).toISOString() } });
    assert.match(errorOf(past).message, /future/);
    const wrongCase = await raw('/api/indicators', { body: { ...base, Title: 'x', title: undefined, indicatorValue: '1.2.3.4' } });
    assert.equal(errorOf(wrongCase).code, 'MissingRequiredParameter');
    assert.match(errorOf(wrongCase).message, /case-sensitive/);
    const notJson = await raw('/api/indicators', { body: '{"indicatorValue":' });
    assert.equal(errorOf(notJson).code, 'InvalidRequestBody');
  });

  test('the client refuses a bad body before any request', async () => {
    const api = clientFor(sim);
    const before = sim.requests().length;
    const good = submission('1.2.3.4');
    for (const bad of [
      { ...good, indicatorValue: '1.2.3.0/24' },
      { ...good, action: 'Audit' as const, generateAlert: false },
      { ...good, action: 'BlockAndRemediate' as const },
      { ...good, title: '' },
      { ...good, expirationTime: '2001-01-01T00:00:00Z' },
      { ...good, title: 'a\u202eb' },
    ]) {
      await assert.rejects(api.submitIndicator(bad), (e: unknown) => e instanceof BadRequestError && e.code === 'ClientValidation');
    }
    await assert.rejects(api.importIndicators(addresses(501).map((ip) => submission(ip))), /At most 500/);
    await assert.rejects(api.deleteIndicator('../machines'), BadRequestError);
    assert.equal(sim.requests().length, before, 'nothing was sent');
  });
});

describe('bulk import', () => {
  test('1,200 addresses go out in 3 import calls of at most 500, within the import limit', async () => {
    // The import route allows 2 calls per (scaled) minute here; the client's budget knows the same limit.
    const limited = await startSimulator({ rateLimits: { timeScale: 0.005, importPerMinute: 2 } });
    try {
      const api = clientFor(limited, ALL_PERMISSIONS, { budgets: { indicatorImport: [{ windowMs: 300, max: 2 }] }, timeouts: { entityMs: 20_000 } });
      const ips = addresses(1_200, 1);
      const items: BulkItem[] = ips.map((ip) => ({ ip, submission: submission(ip), existed: false }));
      const seen: number[] = [];
      const report = await runBulk(api, items, { onBatch: (b) => seen.push(b.size) });
      assert.deepEqual(seen, [500, 500, 200]);
      assert.equal(report.results.length, 1_200);
      assert.ok(report.results.every((r) => r.outcome === 'created'), JSON.stringify(report.results.find((r) => r.outcome !== 'created')));
      assert.equal(report.sent, 1_200);
      assert.equal(report.cancelled, false);
      assert.ok(report.batches.every((b) => b.outcome === 'sent' && b.requestId && b.clientRequestId));
      const calls = limited.requests().filter((r) => r.path === '/api/indicators/import');
      assert.equal(calls.length, 3);
      const stats = limited.rateLimitStats().indicatorImport;
      assert.equal(stats.throttled, 0, 'the client waited instead of being throttled');
      assert.ok(stats.peakPerMinute <= 2);
      assert.equal(limited.indicatorCount(), 3 + 1_200);
    } finally {
      await limited.close();
    }
  });

  test('a batch over 500 is refused whole by the API, in its error shape', async () => {
    // On the shared tenant: the tight import limit of the test above would answer 429 before reading the body.
    const r = await raw('/api/indicators/import', { body: { Indicators: addresses(501, 2).map((ip) => submission(ip)) } });
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).code, 'MaximumBatchSizeExceeded');
    assert.match(errorOf(r).message, /Received: 501, allowed: 500/);
    const lower = await raw('/api/indicators/import', { body: { indicators: [] } });
    assert.match(errorOf(lower).message, /case-sensitive: use 'Indicators'/);
  });

  test('a failed item fails alone; a bulk run cancelled halfway reports what was sent and what was not', async () => {
    const api = clientFor(sim);
    const ips = addresses(1_200, 3);
    const items: BulkItem[] = ips.map((ip) => ({ ip, submission: submission(ip), existed: false }));
    // An item the API refuses (an unknown device group) fails alone inside its batch.
    items[3] = { ...items[3], submission: { ...items[3].submission, rbacGroupNames: ['No-Such-Group'] } };
    const controller = new AbortController();
    const before = posts('/api/indicators/import').length;
    const report = await runBulk(api, items, { signal: controller.signal, onBatch: (b) => b.index === 1 && controller.abort() });
    assert.equal(report.cancelled, true);
    assert.equal(report.sent, 500);
    assert.equal(report.notSent, 700);
    assert.deepEqual(report.batches.map((b) => b.outcome), ['sent', 'not-sent', 'not-sent']);
    assert.equal(posts('/api/indicators/import').length - before, 1, 'one import call went out');
    const byOutcome = (o: string) => report.results.filter((r) => r.outcome === o).length;
    assert.equal(byOutcome('created'), 499);
    assert.equal(byOutcome('failed'), 1);
    assert.match(report.results.find((r) => r.outcome === 'failed')?.reason ?? '', /No-Such-Group/);
    assert.equal(byOutcome('not-sent'), 700);
    assert.match(report.results.find((r) => r.outcome === 'not-sent')?.reason ?? '', /cancelled/);
  });

  test('the 15,000 active indicators per tenant: the list tells the room; past it the API refuses', async () => {
    const full = await startSimulator({ rateLimits: { timeScale: 0.001 } });
    try {
      // A minute lasts 60 ms on both sides: the fill needs the 30 import calls a minute allows, and more.
      const api = clientFor(full, ALL_PERMISSIONS, { timeouts: { entityMs: 20_000 }, budgets: { indicatorImport: [{ windowMs: 60, max: 30 }] } });
      const start = (await api.listIndicators({})).data;
      assert.equal(remainingRoom(start, true), 15_000 - start.indicators.length);
      const fill = addresses(15_000 - start.indicators.length, 10).map((ip) => ({ ip, submission: submission(ip), existed: false }));
      const report = await runBulk(api, fill);
      assert.equal(report.results.filter((r) => r.outcome === 'created').length, fill.length);
      const listed = (await api.listIndicators({}, { noCache: true })).data;
      assert.equal(listed.indicators.length, 15_000, 'two pages of up to 10,000');
      assert.equal(remainingRoom(listed, true), 0);
      // The plan refuses before any request once the room is known...
      const existing = ipIndicatorsByAddress(listed.indicators);
      const plan = planBulkAdd(['1.200.0.1', '1.200.0.2'], { choice: 'block', title: 'x', description: 'y', expires: '30d' }, { existing, room: 0, demo: true, now: Date.now() });
      assert.equal(plan.ok, false);
      assert.match(plan.ok ? '' : plan.error, /room for 0 more/);
      // ...and the API refuses one more anyway, in its error shape; an update of an existing one still works.
      await assert.rejects(api.submitIndicator(submission('1.200.0.1')), (e: unknown) => e instanceof BadRequestError && /limit of 15,000 active indicators/.test(e.message) && e.requestId !== undefined);
      const update = await api.submitIndicator(submission(fill[0].ip, { title: 'still fits' }));
      assert.equal(update.data.title, 'still fits');
      const imported = await api.importIndicators([submission('1.200.0.3')]);
      assert.equal(imported.data[0]?.isFailed, true);
      assert.match(imported.data[0]?.failureReason ?? '', /15,000/);
    } finally {
      await full.close();
    }
  });
});
