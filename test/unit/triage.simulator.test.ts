// Bulk triage end to end against the simulated tenant over real HTTP on loopback: batching within the
// query limits and budgets (counted at the server), equality with per-address investigations,
// cancellation, partial failure, routing, the findbyip fallback, and nothing sent anywhere else.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_EDGE_NAME, DEMO_EGRESS_IP, DEMO_HOLDER_ID, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, DEMO_UNSEEN_IP, demoInternalHolderAt, demoPreviousHolderAt, DEMO_PREVIOUS_HOLDER_ID } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';
import { DefenderClient, type DefenderClientOptions } from '../../src/core/defender/defenderClient';
import type { Clock } from '../../src/core/defender/clock';
import { InvestigationService } from '../../src/core/investigation/investigationService';
import { TriageService, routeFor, type TriageServiceOptions } from '../../src/core/triage/triageService';
import type { TriageEvent, TriageReport } from '../../src/shared/triageModel';
import { classify } from '../../src/core/ip/classify';
import { scaledClock } from '../fixtures/defender/clocks';

const sims: SimulatorHandle[] = [];
after(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

async function sim(options: Parameters<typeof startSimulator>[0] = {}): Promise<SimulatorHandle> {
  const s = await startSimulator(options);
  sims.push(s);
  return s;
}

function client(s: SimulatorHandle, extra: Partial<DefenderClientOptions> = {}, clock?: Clock): DefenderClient {
  return new DefenderClient({
    apiBaseUrl: s.apiBaseUrl,
    graphBaseUrl: s.graphBaseUrl,
    getToken: (resource) => Promise.resolve(issueSimulatorToken({ audience: resource, permissions: ALL_PERMISSIONS })),
    cacheScope: `test:${s.tenantId}`,
    retry: { maxRetries: 0 },
    ...(clock ? { clock } : {}),
    ...extra,
  });
}

function triage(api: DefenderClient, text: string, options: Partial<TriageServiceOptions> = {}, signal?: AbortSignal, onEvent?: (e: TriageEvent) => void, lookback: '7d' | '30d' = '30d'): Promise<TriageReport> {
  return new TriageService(api, { scope: 'test', ...options }).triageAll({ inputs: [{ kind: 'text', name: 'sample.log', text }], lookback, ...(signal ? { signal } : {}) }, onEvent);
}

const huntingCalls = (s: SimulatorHandle) => s.requests().filter((r) => r.family === 'hunting');
const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The story's public (or documentation) addresses in network events: peers (RemoteIP) and the machines' own
 * addresses (LocalIP only: global IPv6, the edge proxy's public address), which the batched summary counts too.
 */
function storyPublicIps(s: SimulatorHandle): string[] {
  return [...s.story.eventsByIp.entries()]
    .filter(([ip, events]) => routeFor(classify(ip).ipClass) === 'public' && events.some((e) => e.RemoteIP === ip || e.LocalIP === ip))
    .map(([ip]) => ip)
    .sort();
}

/** Public addresses the story has never heard of (ordinary unicast blocks only). */
function strangers(n: number, seed = 0): string[] {
  const firsts = [23, 31, 45, 51, 63, 77, 89, 91, 104, 131, 145, 151, 185];
  return Array.from({ length: n }, (_, i) => `${firsts[(i + seed) % firsts.length]}.${(i * 7 + seed) % 250}.${Math.floor(i / 13) % 250}.${1 + (i % 250)}`);
}

test('batching respects the query limits and the hunting budget under pressure (counted at the server)', async () => {
  // A minute lasts 300 ms on both sides, so 60 batches must be spread over two windows of 45.
  const s = await sim({ rateLimits: { timeScale: 0.005 } });
  // The clock runs 200 times fast, so the client's 2-minute hunting timeout would be 0.6 s of real time: on a busy
  // machine a query could time out and be split, which is not what this test is about. 30 s of real time instead.
  const api = client(s, { timeouts: { huntingMs: 200 * 30_000 } }, scaledClock(200));
  const ips = [...new Set([...storyPublicIps(s), ...strangers(120)])].slice(0, 120);
  const r = await triage(api, ips.map((ip) => `conn ${ip}`).join('\n'), { limits: { maxAddressesPerBatch: 4 } });
  const calls = huntingCalls(s);
  assert.equal(calls.length, r.calls.hunting);
  assert.equal(calls.length, 60);
  assert.ok(r.queries.every((q) => q.ok && q.addresses <= 4));
  const stats = s.rateLimitStats().hunting;
  assert.ok(stats.peakPerMinute <= 45, `peak ${stats.peakPerMinute}/min`);
  assert.equal(stats.throttled, 0);
  assert.equal(r.counts.byVerdict.unknown, 0);
  assert.equal(r.counts.addresses, ips.length);
});

test('1,200 addresses cost a handful of queries with the default batch sizes, each within the limits', async () => {
  const s = await sim();
  const api = client(s);
  const publics = [...new Set([...storyPublicIps(s), ...strangers(1000, 3)])].slice(0, 1000);
  const now = Date.now();
  const internals = Array.from({ length: 200 }, (_, i) => `10.${100 + (i >> 8)}.${i & 255}.7`);
  const lines = publics.map((ip, i) => `${stamp(new Date(now - (i % 600) * 60_000))} out ${ip}`);
  internals.forEach((ip, i) => lines.push(`${stamp(new Date(now - (i % 48) * 3_600_000))} dhcp ${ip}`));
  const r = await triage(api, lines.join('\n'));
  assert.ok(r.calls.hunting <= 6, `${r.calls.hunting} hunting calls`);
  assert.equal(huntingCalls(s).length, r.calls.hunting);
  assert.equal(s.requests().filter((q) => q.family === 'entity').length, 0);
  for (const q of r.queries) {
    assert.ok(q.ok, q.error);
    assert.ok(q.addresses <= 500);
    assert.ok((q.rows ?? 0) < 100_000);
  }
  assert.equal(r.counts.addresses, 1200);
  assert.equal(r.counts.byVerdict.internal, 200);
  assert.equal(r.counts.byVerdict.unknown, 0);
});

test('triage results equal per-address investigations for a sample of addresses', async () => {
  const s = await sim();
  const api = client(s);
  const now = Date.now();
  const sample = [DEMO_C2_IP, DEMO_UNSEEN_IP, ...storyPublicIps(s).filter((ip) => ip !== DEMO_C2_IP).slice(0, 8)];
  const holderAt = demoInternalHolderAt(now);
  const previousAt = demoPreviousHolderAt(now);
  const text = [
    ...sample.map((ip) => `${stamp(new Date(now - 3_600_000))} out ${ip}`),
    `${stamp(holderAt)} lease ${DEMO_INTERNAL_IP}`,
    `${stamp(previousAt)} lease ${DEMO_INTERNAL_IP}`,
  ].join('\n');
  const r = await triage(api, text);
  const byIp = new Map(r.entries.map((e) => [e.ip, e]));
  const service = new InvestigationService(api);
  for (const ip of sample) {
    const inv = await service.investigateAll({ address: ip, lookback: '30d' }, { sections: ['stats', 'alerts', 'machines'] });
    const e = byIp.get(ip)!;
    assert.deepEqual(inv.problems, []);
    // /stats and the investigation count a machine's own address (LocalIP) too: triage reports it as localSightings.
    assert.ok(!(e.sightings && e.localSightings), `${ip} is on one side only in this story`);
    const machines = (e.sightings ?? e.localSightings)?.machines ?? 0;
    assert.equal(machines, inv.stats?.prevalence, `prevalence of ${ip}`);
    assert.equal(machines, inv.machines?.length, `machines of ${ip}`);
    const since = now - 30 * 24 * 3_600_000;
    const recentAlerts = (inv.alerts ?? []).filter((a) => Date.parse(a.alertCreationTime ?? a.lastEventTime ?? '') > since);
    assert.equal(e.alerts?.count ?? 0, recentAlerts.length, `alerts of ${ip}`);
    for (const sev of ['High', 'Medium', 'Low', 'Informational']) {
      assert.equal(e.alerts?.bySeverity?.[sev] ?? 0, recentAlerts.filter((a) => a.severity === sev).length, `${sev} alerts of ${ip}`);
    }
    assert.equal(e.verdict, recentAlerts.length > 0 ? 'alerts' : (inv.stats?.prevalence ?? 0) > 0 ? 'seen' : 'not-seen', ip);
    const firstSeen = (e.sightings ?? e.localSightings)?.firstSeen;
    if (inv.stats?.firstSeen && firstSeen) assert.equal(Date.parse(firstSeen), Date.parse(inv.stats.firstSeen), `first seen of ${ip}`);
  }
  assert.equal(byIp.get(DEMO_C2_IP)?.verdict, 'alerts');
  const internal = byIp.get(DEMO_INTERNAL_IP)!;
  assert.equal(internal.holdersAt?.length, 2);
  for (const h of internal.holdersAt ?? []) {
    const inv = await service.investigateAll({ address: DEMO_INTERNAL_IP, at: new Date(h.at), lookback: '30d' }, { sections: ['machinesAtTime'] });
    assert.deepEqual(h.machines.map((m) => m.id).sort(), (inv.machinesAtTime?.machines ?? []).map((m) => m.id).sort(), `holders at ${h.at}`);
  }
  assert.deepEqual(internal.holdersAt?.map((h) => h.machines.map((m) => m.id)), [[DEMO_PREVIOUS_HOLDER_ID], [DEMO_HOLDER_ID]]);
});

test('cancellation keeps the batches that finished and sends nothing more', async () => {
  const s = await sim();
  const api = client(s);
  const ac = new AbortController();
  const ips = [DEMO_C2_IP, ...strangers(59, 9)];
  let settled = 0;
  const r = await triage(api, ips.join('\n'), { limits: { maxAddressesPerBatch: 10 }, concurrency: 1 }, ac.signal, (e) => {
    if (e.type === 'entries' && ++settled === 2) ac.abort();
  });
  assert.equal(r.cancelled, true);
  assert.equal(huntingCalls(s).length, 2, 'no query after the cancel');
  const done = r.entries.filter((e) => e.verdict !== 'unknown');
  assert.equal(done.length, 10);
  assert.ok(done.some((e) => e.ip === DEMO_C2_IP && e.verdict === 'alerts'));
  const cancelled = r.entries.filter((e) => e.problems.some((p) => p.kind === 'cancelled'));
  assert.equal(cancelled.length, 50);
});

test('a failing batch (injected 503) degrades only its own addresses, with the cause and request id', async () => {
  const s = await sim({ faults: [{ kind: 'error', family: 'hunting', status: 503, count: 1 }] });
  const api = client(s);
  const ips = [...strangers(20, 5), DEMO_C2_IP];
  const r = await triage(api, ips.join('\n'), { limits: { maxAddressesPerBatch: 7 }, concurrency: 1 });
  assert.deepEqual(s.faultHits(), [1]);
  const hurt = r.entries.filter((e) => e.problems.length > 0);
  assert.equal(hurt.length, 7);
  assert.deepEqual(hurt.map((e) => e.ip).sort(), ips.slice(0, 7).sort());
  for (const e of hurt) {
    assert.equal(e.verdict, 'unknown');
    assert.equal(e.problems[0]?.kind, 'server');
    assert.match(e.problems[0]?.requestId ?? '', /^[0-9a-f-]{36}$/);
  }
  assert.equal(r.entries.find((e) => e.ip === DEMO_C2_IP)?.verdict, 'alerts');
  assert.equal(r.queries.filter((q) => !q.ok).length, 1);
});

test('when hunting fails, internal holders come from findbyip within its budget', async () => {
  const s = await sim({ faults: [{ kind: 'error', family: 'hunting', status: 500 }] });
  const api = client(s);
  const at = demoInternalHolderAt(Date.now());
  const text = [`${stamp(at)} ${DEMO_INTERNAL_IP}`, `${stamp(at)} 10.248.243.250`, `${stamp(new Date(at.getTime() + 7_200_000))} 10.248.243.251`].join('\n');
  const r = await triage(api, text, { fallbackBudget: 2 });
  const findbyip = s.requests().filter((q) => q.family === 'entity');
  assert.equal(findbyip.length, 2);
  assert.ok(findbyip.every((q) => /findbyip/i.test(q.path)));
  const e = r.entries.find((x) => x.ip === DEMO_INTERNAL_IP)!;
  assert.deepEqual(e.holders?.map((h) => h.id), [DEMO_HOLDER_ID]);
  assert.equal(e.holdersAt?.[0]?.via, 'findbyip');
  const unanswered = r.entries.filter((x) => x.problems.some((p) => /fallback budget/.test(p.message)));
  assert.equal(unanswered.length, 1);
});

test('an internal address at 892 line times: one holder query answers every one of them, answer first', async () => {
  const s = await sim();
  const api = client(s);
  const now = Date.now();
  // 172.16.4.20 is leased to no machine in the story; 10.248.240.38 was held by the demo holder over its lease.
  const start = now - 4 * 24 * 3_600_000;
  const lines: string[] = [];
  for (let i = 0; i < 892; i++) lines.push(`${stamp(new Date(start + i * 5 * 60_000 + (i % 3) * 1000))} proxy-02 172.16.4.20 CONNECT 198.51.100.241:443 403`);
  const heldAt = demoInternalHolderAt(now).getTime();
  for (let i = 0; i < 40; i++) lines.push(`${stamp(new Date(heldAt + i * 60_000))} dhcp ACK ${DEMO_INTERNAL_IP}`);
  const r = await triage(api, lines.join('\n'));
  const e = new Map(r.entries.map((x) => [x.ip, x]));
  const unheld = e.get('172.16.4.20')!;
  assert.equal(unheld.verdict, 'internal');
  assert.deepEqual(unheld.holders, []);
  assert.equal(unheld.reason, 'No machine reported it at any of its 892 line times.');
  assert.deepEqual(unheld.holderCoverage, { timedOccurrences: 892, askedOccurrences: 892, answeredOccurrences: 892, heldOccurrences: 0, inferredOccurrences: 0, times: 892, granularityMinutes: 1 });
  assert.equal(unheld.holdersAt?.length, 1, 'one run: nobody held it the whole time');
  assert.equal(unheld.holdersAt?.[0]?.occurrences, 892);
  const held = e.get(DEMO_INTERNAL_IP)!;
  assert.deepEqual(held.holders?.map((h) => [h.name, h.occurrences]), [[DEMO_HOLDER_NAME, 40]]);
  assert.equal(held.reason, undefined);
  // Every time answered without sampling: the holder queries are few (planned by span), and no findbyip was needed.
  assert.ok(r.queries.filter((q) => q.purpose === 'holders').length <= 3, `${r.queries.length} queries`);
  assert.equal(r.calls.findbyip, 0);
});

test('an own public address (LocalIP only) reads "seen" as the organisation\'s own, not "not seen"', async () => {
  const s = await sim();
  const r = await triage(client(s), `fw DROP-IN src=203.0.113.80 dst=${DEMO_EGRESS_IP}\nout ${DEMO_C2_IP}`);
  const egress = r.entries.find((x) => x.ip === DEMO_EGRESS_IP)!;
  assert.equal(egress.verdict, 'seen');
  assert.equal(egress.sightings, undefined);
  assert.equal(egress.localSightings?.machines, 1);
  assert.deepEqual(egress.localSightings?.deviceNames, [DEMO_EDGE_NAME]);
  assert.match(egress.reason ?? '', new RegExp(`^Your own address: Defender records it as the LocalIP of 1 machine \\(${DEMO_EDGE_NAME.replace(/\./g, '\\.')}\\)`));
  const c2 = r.entries.find((x) => x.ip === DEMO_C2_IP)!;
  assert.equal(c2.localSightings, undefined);
  assert.equal(c2.reason, undefined);
});

test('routing: internal addresses go only to the tenant, never into public queries, and nothing leaves for third parties', async () => {
  const s = await sim();
  const api = client(s);
  const seen: { origin: string; path: string; body: string }[] = [];
  const onCreate = (message: unknown) => {
    const req = (message as { request: { origin?: unknown; path?: unknown; body?: unknown } }).request;
    const body = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    seen.push({ origin: String(req.origin), path: String(req.path), body });
  };
  const onHttp = (message: unknown) => {
    const req = (message as { request: { host?: unknown; path?: unknown } }).request;
    seen.push({ origin: `http-module:${String(req.host)}`, path: String(req.path), body: '' });
  };
  subscribe('undici:request:create', onCreate);
  subscribe('http.client.request.start', onHttp);
  const now = Date.now();
  const internals = [DEMO_INTERNAL_IP, '172.16.5.4', '192.168.1.20', '100.64.1.1', 'fe80::1', 'fd00::abcd'];
  const text = [
    ...internals.map((ip) => `${stamp(new Date(now - 3_600_000))} src=${ip} dst=${DEMO_C2_IP}`),
    `${stamp(new Date(now - 3_600_000))} 8.8.8.8 127.0.0.1 ::1 224.0.0.1 255.255.255.255 0.0.0.0 240.1.2.3`,
  ].join('\n');
  let r: TriageReport;
  try {
    r = await triage(api, text);
  } finally {
    unsubscribe('undici:request:create', onCreate);
    unsubscribe('http.client.request.start', onHttp);
  }
  assert.ok(seen.length >= 3, `${seen.length} requests seen`);
  const simOrigin = new URL(s.url).origin;
  for (const q of seen) assert.equal(q.origin, simOrigin, `request to ${q.origin}${q.path}`);
  const publicBodies = seen.filter((q) => /DeviceNetworkEvents|AlertEvidence/.test(q.body));
  const holderBodies = seen.filter((q) => /DeviceNetworkInfo/.test(q.body));
  assert.ok(publicBodies.length >= 2 && holderBodies.length >= 1);
  for (const ip of internals) {
    const e = r.entries.find((x) => x.ip === ip)!;
    assert.equal(e.verdict, 'internal', ip);
    for (const q of publicBodies) assert.ok(!q.body.includes(`"${ip}"`), `${ip} in a public query`);
    assert.ok(holderBodies.some((q) => q.body.includes(`\\"${ip}\\"`) || q.body.includes(`"${ip}"`)), `${ip} looked up`);
  }
  for (const ip of ['127.0.0.1', '::1', '224.0.0.1', '255.255.255.255', '0.0.0.0', '240.1.2.3']) {
    assert.equal(r.entries.find((x) => x.ip === ip)?.verdict, 'skipped', ip);
    for (const q of seen) assert.ok(!q.body.includes(`"${ip}"`) && !q.body.includes(`\\"${ip}\\"`), `${ip} was sent`);
  }
  // The triage code never reaches for third-party enrichment (RDAP and the like).
  const dir = join(__dirname, '../../src/core/triage');
  for (const f of await readdir(dir)) {
    const src = await readFile(join(dir, f), 'utf8');
    assert.doesNotMatch(src, /enrichment|rdap|fetch\(/i, f);
  }
});

test('the legacy hunting endpoint answers when Graph is refused, and triage still completes', async () => {
  const s = await sim();
  const api = new DefenderClient({
    apiBaseUrl: s.apiBaseUrl,
    graphBaseUrl: s.graphBaseUrl,
    // No ThreatHunting.Read.All: Graph refuses with 403, the client falls back to advancedqueries/run.
    getToken: (resource) => Promise.resolve(issueSimulatorToken({ audience: resource, permissions: ALL_PERMISSIONS.filter((p) => p !== 'ThreatHunting.Read.All') })),
    cacheScope: 'legacy',
    retry: { maxRetries: 0 },
  });
  const r = await triage(api, `${DEMO_C2_IP} 8.8.8.8`);
  assert.equal(r.entries.find((e) => e.ip === DEMO_C2_IP)?.verdict, 'alerts');
  assert.ok(r.queries.some((q) => q.source === 'defender'));
  assert.ok(s.requests().some((q) => q.path.includes('advancedqueries')));
});
