import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFacts } from '../../src/core/investigation/investigationService';
import {
  HISTORY_LIMITS,
  HISTORY_VERSION,
  boundHistory,
  byteSize,
  historyTenant,
  isFresh,
  keepInvestigation,
  migrateHistory,
  type HistoryState,
} from '../../src/core/history/historyModel';
import { InvestigationHistory } from '../../src/core/history/investigationHistory';
import type { Investigation, TimelineEvent } from '../../src/shared/investigation';

const T0 = Date.parse('2026-12-02T09:00:00Z');
const DEMO = historyTenant({ mode: 'demo', cloud: 'commercial' });
const TENANT = historyTenant({ mode: 'delegated', tenantId: 'contoso.onmicrosoft.com', cloud: 'commercial' });

function facts(ip: string) {
  const v = addressFacts(ip);
  assert.ok(v.ok);
  return v.facts;
}

function event(i: number): TimelineEvent {
  return { timestamp: new Date(T0 - i * 60_000).toISOString(), deviceId: `d${i % 7}`, deviceName: `ws-${i % 7}`, actionType: 'ConnectionSuccess', remoteIp: '198.51.100.23', remotePort: 443, commandLine: 'x'.repeat(1000) };
}

function investigation(ip: string, extra: Partial<Investigation> = {}): Investigation {
  return {
    address: facts(ip),
    lookback: '7d',
    stats: { prevalence: 3, firstSeen: '2026-11-28T10:00:00Z', lastSeen: '2026-12-02T08:00:00Z', cachedAt: new Date(T0).toISOString() },
    alerts: [{ id: 'da1', title: 'Beacon to known C2', severity: 'High', status: 'New', machineId: 'm1', mitreTechniques: ['T1071'], evidence: [], description: 'd'.repeat(5000) }],
    machines: [{ id: 'm1', name: 'fin-ws-017', events: 12, remotePorts: [443], localPorts: [], processes: ['powershell.exe'], files: [] }],
    cachedAt: new Date(T0).toISOString(),
    problems: [],
    ...extra,
  };
}

function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('an investigation is kept trimmed to what the surfaces show: lists capped, long texts cut, the timeline total said', () => {
  const inv = investigation('198.51.100.23', { timeline: Array.from({ length: 500 }, (_, i) => event(i)), timelineTruncated: false });
  const kept = keepInvestigation(inv, {}, T0);
  assert.ok(kept);
  assert.equal(kept.investigation.timeline?.length, 50);
  assert.equal(kept.investigation.timelineTruncated, true);
  assert.equal(kept.timelineTotal, 500);
  assert.ok((kept.investigation.timeline?.[0].commandLine?.length ?? 0) <= 200);
  assert.ok((kept.investigation.alerts?.[0].description?.length ?? 0) <= 400);
  assert.equal(kept.fetchedAt, new Date(T0).toISOString());
  assert.ok(byteSize(kept) <= HISTORY_LIMITS.maxKeptBytes);
});

test('what does not fit the per-investigation budget is dropped part by part (timeline first), never stored over it', () => {
  const inv = investigation('198.51.100.23', { timeline: Array.from({ length: 100 }, (_, i) => event(i)) });
  const small = keepInvestigation(inv, {}, T0, 6 * 1024);
  assert.ok(small);
  assert.equal(small.investigation.timeline, undefined, 'the timeline went first');
  assert.ok(small.investigation.alerts, 'the alerts stayed');
  assert.equal(keepInvestigation(inv, {}, T0, 200), undefined, 'nothing kept rather than more than allowed');
  assert.equal(keepInvestigation({ address: facts('10.1.2.3'), lookback: '7d', problems: [] }, {}, T0), undefined, 'no section, nothing to keep');
});

test('record: newest first, look-back and time asked, first and last investigation; the same look-back merges sections', () => {
  const c = clock();
  const h = new InvestigationHistory(undefined, { now: c.now });
  h.record(DEMO, investigation('198.51.100.23'));
  c.advance(60_000);
  h.record(DEMO, { ...investigation('10.248.240.38'), at: '2026-12-02T08:30:00.000Z', alerts: [] });
  assert.deepEqual(h.entries(DEMO.scope).map((e) => e.ip), ['10.248.240.38', '198.51.100.23']);
  const internal = h.get(DEMO.scope, '10.248.240.38');
  assert.equal(internal?.at, '2026-12-02T08:30:00.000Z');
  c.advance(60_000);
  // A panel adds the daily chart for the same look-back: the alerts kept before stay.
  h.record(DEMO, { address: facts('198.51.100.23'), lookback: '7d', daily: [{ day: '2026-12-01', machines: 2, events: 9 }], problems: [], cachedAt: new Date(c.now()).toISOString() });
  const c2 = h.get(DEMO.scope, '198.51.100.23');
  assert.equal(h.entries(DEMO.scope)[0].ip, '198.51.100.23');
  assert.equal(c2?.kept?.investigation.alerts?.length, 1);
  assert.equal(c2?.kept?.investigation.daily?.length, 1);
  assert.equal(c2?.kept?.fetchedAt, new Date(T0).toISOString(), 'the age is that of the oldest part shown');
  assert.equal(c2?.firstInvestigatedAt, new Date(T0).toISOString());
  assert.equal(c2?.lastInvestigatedAt, new Date(T0 + 120_000).toISOString());
  // Another look-back replaces what was kept.
  h.record(DEMO, { ...investigation('198.51.100.23'), lookback: '30d', alerts: undefined });
  assert.equal(h.get(DEMO.scope, '198.51.100.23')?.kept?.investigation.alerts, undefined);
});

test('verdicts and notes: set, changed, removed; a note is trimmed, bounded and never keeps a token', () => {
  const c = clock();
  const h = new InvestigationHistory(undefined, { now: c.now });
  h.record(DEMO, investigation('198.51.100.23'));
  c.advance(1000);
  h.annotate(DEMO, '198.51.100.23', { verdict: 'malicious', note: '  beacon every 60 s  ' });
  let a = h.annotation(DEMO.scope, '198.51.100.23');
  assert.deepEqual(a, { verdict: 'malicious', verdictAt: new Date(T0 + 1000).toISOString(), note: 'beacon every 60 s', noteAt: new Date(T0 + 1000).toISOString() });
  c.advance(1000);
  h.annotate(DEMO, '198.51.100.23', { note: `token Bearer abc.def.ghi and eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig ${'n'.repeat(3000)}` });
  a = h.annotation(DEMO.scope, '198.51.100.23');
  assert.equal(a?.verdictAt, new Date(T0 + 1000).toISOString(), 'the verdict keeps its date');
  assert.ok(!a?.note?.includes('abc.def.ghi') && !a?.note?.includes('eyJhbGciOiJIUzI1NiJ9'), a?.note);
  assert.equal(a?.note?.length, 2000);
  h.annotate(DEMO, '198.51.100.23', { verdict: null, note: '' });
  assert.equal(h.annotation(DEMO.scope, '198.51.100.23'), undefined);
  assert.ok(h.get(DEMO.scope, '198.51.100.23'), 'an investigated address stays without an annotation');
  // An address only annotated (from the command palette) is an entry until its annotation goes.
  h.annotate(DEMO, '203.0.113.9', { verdict: 'benign' });
  assert.equal(h.entries(DEMO.scope)[0].ip, '203.0.113.9');
  h.annotate(DEMO, '203.0.113.9', { verdict: null });
  assert.equal(h.get(DEMO.scope, '203.0.113.9'), undefined);
});

test('tenants are kept apart: each sees its own history; clearing one keeps the others', () => {
  const h = new InvestigationHistory(undefined, { now: clock().now });
  h.record(DEMO, investigation('198.51.100.23'));
  h.annotate(DEMO, '198.51.100.23', { verdict: 'malicious' });
  h.record(TENANT, investigation('203.0.113.50'));
  h.annotate(TENANT, '198.51.100.23', { verdict: 'benign' });
  assert.notEqual(DEMO.scope, TENANT.scope);
  assert.deepEqual(h.entries(DEMO.scope).map((e) => e.ip), ['198.51.100.23']);
  assert.deepEqual(new Set(h.entries(TENANT.scope).map((e) => e.ip)), new Set(['203.0.113.50', '198.51.100.23']));
  assert.equal(h.annotation(DEMO.scope, '198.51.100.23')?.verdict, 'malicious');
  assert.equal(h.annotation(TENANT.scope, '198.51.100.23')?.verdict, 'benign');
  assert.equal(h.clear(TENANT.scope), 2);
  assert.equal(h.entries(TENANT.scope).length, 0);
  assert.equal(h.annotation(DEMO.scope, '198.51.100.23')?.verdict, 'malicious');
  assert.equal(historyTenant({ mode: 'application', tenantId: 'contoso.onmicrosoft.com', cloud: 'commercial' }).scope, TENANT.scope, 'the tenant, not the sign-in mode, is the key');
  assert.notEqual(historyTenant({ mode: 'delegated', tenantId: 'contoso.onmicrosoft.com', cloud: 'gcc-high' }).scope, TENANT.scope);
});

test('the snapshot reads back unchanged (versioned), and holds nothing secret', () => {
  const h = new InvestigationHistory(undefined, { now: clock().now });
  h.record(DEMO, investigation('198.51.100.23', { timeline: [event(1)] }), { reverseDns: ['c2.example'] });
  h.annotate(DEMO, '198.51.100.23', { verdict: 'malicious', note: 'beacon every 60 s' });
  h.setTree(DEMO, ['198.51.100.23', '10.9.9.9']);
  const snap = h.snapshot();
  assert.equal(snap.version, HISTORY_VERSION);
  assert.deepEqual(snap.scopes[DEMO.scope].tree, ['198.51.100.23'], 'only addresses that can come back');
  const read = migrateHistory(JSON.parse(JSON.stringify(snap)), DEMO);
  assert.equal(read.from, 1);
  assert.equal(read.dropped, 0);
  assert.deepEqual(read.state, snap);
  const text = JSON.stringify(snap);
  assert.ok(!/bearer|authorization|access_token|eyJ/i.test(text), 'no credential-shaped text');
});

test('migration: a version 0 list becomes version 1 (verdict spelling, epoch times, the tenant it names or the current one)', () => {
  const v0 = {
    entries: [
      { ip: '198.51.100.23', lookback: '30d', investigatedAt: T0, verdict: 'false_positive', note: 'NAT of the proxy' },
      { ip: '10[.]248[.]240[.]38', investigatedAt: T0 - 3_600_000, tenant: TENANT.scope },
      { ip: 'not an address', investigatedAt: T0 },
      'garbage',
    ],
  };
  const r = migrateHistory(v0, DEMO);
  assert.equal(r.from, 0);
  assert.equal(r.dropped, 2);
  const demo = r.state.scopes[DEMO.scope];
  assert.equal(demo.entries.length, 1);
  assert.deepEqual(demo.entries[0], {
    ip: '198.51.100.23',
    updatedAt: new Date(T0).toISOString(),
    lookback: '30d',
    lastInvestigatedAt: new Date(T0).toISOString(),
    firstInvestigatedAt: new Date(T0).toISOString(),
    annotation: { verdict: 'false-positive', verdictAt: new Date(T0).toISOString(), note: 'NAT of the proxy', noteAt: new Date(T0).toISOString() },
  });
  const other = r.state.scopes[TENANT.scope];
  assert.equal(other.entries[0].ip, '10.248.240.38', 'refanged and normalised when read');
  assert.equal(other.entries[0].lookback, '7d');
});

test('a corrupt or foreign value is dropped on its own: the rest of the history stays', () => {
  const h = new InvestigationHistory(undefined, { now: clock().now });
  h.record(DEMO, investigation('198.51.100.23'));
  h.annotate(DEMO, '198.51.100.23', { verdict: 'suspicious', note: 'check proxy logs' });
  h.record(DEMO, investigation('203.0.113.7'));
  h.record(TENANT, investigation('203.0.113.50'));
  const raw = JSON.parse(JSON.stringify(h.snapshot())) as { scopes: Record<string, { entries: Record<string, unknown>[]; tenant: unknown }> };
  const demo = raw.scopes[DEMO.scope];
  demo.entries.push({ ip: '<img src=x onerror=alert(1)>', lookback: '7d', lastInvestigatedAt: new Date(T0).toISOString() });
  demo.entries.push({ ip: '192.0.2.1', lookback: 'forever', lastInvestigatedAt: 'yesterday' });
  const c2 = demo.entries.find((e) => e.ip === '198.51.100.23')!;
  (c2.kept as { investigation: Record<string, unknown> }).investigation.alerts = 'not a list';
  (c2.annotation as Record<string, unknown>).verdict = 'pwned';
  raw.scopes[TENANT.scope].tenant = 42;
  (raw.scopes as Record<string, unknown>)['x'.repeat(400)] = { tenant: {}, entries: [] };
  const r = migrateHistory(raw, DEMO);
  assert.equal(r.dropped, 4, 'two entries and two tenants');
  const entries = r.state.scopes[DEMO.scope].entries;
  assert.deepEqual(new Set(entries.map((e) => e.ip)), new Set(['198.51.100.23', '203.0.113.7']));
  const kept = entries.find((e) => e.ip === '198.51.100.23')!;
  assert.equal(kept.kept?.investigation.alerts, undefined, 'the bad section went');
  assert.equal(kept.kept?.investigation.machines?.length, 1, 'the good sections stayed');
  assert.deepEqual(kept.annotation, { note: 'check proxy logs', noteAt: kept.annotation?.noteAt }, 'the unknown verdict went, the note stayed');
  assert.equal(r.state.scopes[TENANT.scope], undefined);

  for (const foreign of ['a string', 42, [1, 2], { version: 'one' }, { something: 'else' }]) {
    const f = migrateHistory(foreign, DEMO);
    assert.equal(f.from, 'foreign', JSON.stringify(foreign));
    assert.deepEqual(f.state.scopes, {});
  }
  const newer = migrateHistory({ version: HISTORY_VERSION + 1, scopes: { x: 1 } }, DEMO);
  assert.equal(newer.newer, true, 'a newer version is not read, and says so');
  assert.equal(migrateHistory(undefined, DEMO).from, 'none');
});

test('bounds: tenants, entries (verdicts and notes last), the Machines list, and the total size with kept investigations going oldest first', () => {
  const c = clock();
  const h = new InvestigationHistory(undefined, { now: c.now });
  for (let t = 0; t < 12; t++) {
    c.advance(1000);
    h.record(historyTenant({ mode: 'delegated', tenantId: `t${t}.onmicrosoft.com`, cloud: 'commercial' }), investigation('198.51.100.1'));
  }
  for (let i = 0; i < 30; i++) {
    c.advance(1000);
    h.record(DEMO, investigation(`203.0.113.${i + 1}`));
  }
  h.annotate(DEMO, '203.0.113.1', { verdict: 'malicious' });
  h.setTree(DEMO, ['203.0.113.30', '203.0.113.29', '203.0.113.2']);
  // The least recently used tenants go first (in memory too: it holds what a reload would show).
  const all = h.snapshot();
  assert.equal(Object.keys(all.scopes).length, HISTORY_LIMITS.maxScopes);
  assert.equal(all.scopes[historyTenant({ mode: 'delegated', tenantId: 't0.onmicrosoft.com', cloud: 'commercial' }).scope], undefined);
  assert.deepEqual(h.scopes().sort(), Object.keys(all.scopes).sort());
  const limits = { ...HISTORY_LIMITS, maxEntriesPerScope: 10, maxTree: 2, maxScopes: 5 };
  const bounded = boundHistory(all, limits);
  assert.equal(Object.keys(bounded.scopes).length, 5);
  const demo = bounded.scopes[DEMO.scope];
  assert.equal(demo.entries.length, 10);
  assert.ok(demo.entries.some((e) => e.ip === '203.0.113.1'), 'the annotated (oldest) entry stays');
  assert.deepEqual(demo.tree, ['203.0.113.30', '203.0.113.29']);

  const perKept = byteSize(demo.entries[0].kept);
  const tight = boundHistory(all, { ...limits, maxTotalBytes: byteSize(bounded) - 3 * perKept });
  assert.ok(byteSize(tight) <= byteSize(bounded) - 3 * perKept);
  const d = tight.scopes[DEMO.scope];
  assert.ok(d.entries.find((e) => e.ip === '203.0.113.30')?.kept, 'the Machines view keeps its data longest');
  assert.equal(d.entries.length, 10, 'entries stay, only what was kept of them goes');
  assert.equal(d.entries.find((e) => e.ip === '203.0.113.1')?.annotation?.verdict, 'malicious');
});

test('freshness: kept data younger than a day is shown without asking again', () => {
  const kept = keepInvestigation(investigation('198.51.100.23'), {}, T0)!;
  assert.equal(isFresh(kept, T0 + 3 * 3_600_000), true);
  assert.equal(isFresh(kept, T0 + 25 * 3_600_000), false);
  assert.equal(isFresh(undefined, T0), false);
});

test('search matches the address, the verdict and the note, every word', () => {
  const h = new InvestigationHistory(undefined, { now: clock().now });
  h.record(DEMO, investigation('198.51.100.23'));
  h.record(DEMO, investigation('203.0.113.7'));
  h.annotate(DEMO, '198.51.100.23', { verdict: 'false-positive', note: 'Proxy egress, NAT' });
  assert.deepEqual(h.search(DEMO.scope, 'false positive').map((e) => e.ip), ['198.51.100.23']);
  assert.deepEqual(h.search(DEMO.scope, 'nat 198.51').map((e) => e.ip), ['198.51.100.23']);
  assert.deepEqual(h.search(DEMO.scope, '203.0').map((e) => e.ip), ['203.0.113.7']);
  assert.equal(h.search(DEMO.scope, '').length, 2);
  assert.equal(h.search(TENANT.scope, '').length, 0);
});

test('a history read from storage feeds a new instance unchanged (the reload)', () => {
  const h = new InvestigationHistory(undefined, { now: clock().now });
  h.record(DEMO, investigation('198.51.100.23'));
  h.annotate(DEMO, '198.51.100.23', { verdict: 'malicious', note: 'beacon every 60 s' });
  const stored: HistoryState = JSON.parse(JSON.stringify(h.snapshot())) as HistoryState;
  const again = new InvestigationHistory(migrateHistory(stored, DEMO).state);
  assert.deepEqual(again.annotation(DEMO.scope, '198.51.100.23'), h.annotation(DEMO.scope, '198.51.100.23'));
  assert.deepEqual(again.get(DEMO.scope, '198.51.100.23')?.kept, h.get(DEMO.scope, '198.51.100.23')?.kept);
});
