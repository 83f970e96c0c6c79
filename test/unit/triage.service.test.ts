// The triage engine's logic against a scripted in-process API (routing, verdicts, splitting, fallback,
// cancellation, cache). The same behaviours over real HTTP are in triage.simulator.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TriageService, isSizeError, routeFor } from '../../src/core/triage/triageService';
import { matchHolders } from '../../src/core/triage/holderTimeline';
import { TriageCache } from '../../src/core/triage/triageCache';
import { AuthError, BadRequestError, ServerError } from '../../src/core/defender/errors';
import type { CallOptions, DefenderApi, Fetched, HuntingResult, HuntingRow, Machine } from '../../src/shared/defenderModel';
import type { TriageEvent, TriageReport } from '../../src/shared/triageModel';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const fetched = <T>(data: T): Fetched<T> => ({ data, cachedAt: new Date(NOW).toISOString(), fromCache: false });
const iso = (ms: number) => new Date(ms).toISOString();

interface Script {
  hunt?: (query: string, ips: string[], options?: CallOptions) => Promise<HuntingRow[]> | HuntingRow[];
  findbyip?: (ip: string, at: Date) => Promise<Machine[]> | Machine[];
}

/** Reads the addresses back out of a batch query (they are quoted in its `in (...)` list). */
function listedIps(q: string): string[] {
  const m = /in \(([^)]*)\)/.exec(q);
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : [];
}

function scriptedApi(script: Script) {
  const calls: { kind: string; query?: string; ips: string[] }[] = [];
  const api = {
    runHuntingQuery: async (q: string, o?: CallOptions): Promise<Fetched<HuntingResult>> => {
      const kind = q.startsWith('DeviceNetworkEvents') ? 'summary' : q.startsWith('AlertEvidence') ? 'alerts' : 'holders';
      const ips = listedIps(q);
      calls.push({ kind, query: q, ips });
      o?.signal?.throwIfAborted();
      const rows = script.hunt ? await script.hunt(q, ips, o) : defaultRows(kind, ips);
      return fetched({ source: 'graph', schema: [], results: rows });
    },
    findMachinesByIp: async (ip: string, at: Date): Promise<Fetched<Machine[]>> => {
      calls.push({ kind: 'findbyip', ips: [ip] });
      return fetched(script.findbyip ? await script.findbyip(ip, at) : []);
    },
  } as unknown as DefenderApi;
  return { api, calls };
}

/** The tenant of these tests: 198.51.100.23 with alerts, 8.8.8.8 seen, 10.0.0.5 held by ws-1. */
function defaultRows(kind: string, ips: string[]): HuntingRow[] {
  if (kind === 'summary') {
    return ips
      .filter((ip) => ip === '198.51.100.23' || ip === '8.8.8.8')
      .map((ip) => ({ Ip: ip, Side: 'remote', Machines: ip === '8.8.8.8' ? 250 : 6, Events: 99, FirstSeen: '2026-11-20T00:00:00Z', LastSeen: '2026-11-24T00:00:00Z', Ports: '[443,53]', Processes: ['svchost.exe'], DeviceNames: ['ws-1'] }));
  }
  if (kind === 'alerts') {
    return ips.filter((ip) => ip === '198.51.100.23').map((ip) => ({ RemoteIP: ip, Alerts: 3, Titles: ['C2 beacon'], Severities: ['Medium', 'High'], LastAlert: '2026-11-24T00:00:00Z' }));
  }
  return ips
    .filter((ip) => ip === '10.0.0.5')
    .map((ip) => ({ Ip: ip, DeviceId: 'd1', DeviceName: 'ws-1', Hour: '2026-11-23T09:00:00Z', FirstSeen: '2026-11-23T09:00:00Z', LastSeen: '2026-11-23T09:59:00Z' }));
}

const LOG = [
  '2026-11-23T09:30:00Z 10.0.0.5 -> 198.51.100.23:443',
  '2026-11-23T09:31:00Z 10.0.0.5 -> 8.8.8.8:53',
  'loopback 127.0.0.1 multicast 224.0.0.251 reserved 240.0.0.1 bench 198.18.0.1 unseen 192.0.2.200',
  'no time 10.9.9.9',
  '2026-09-01T00:00:00Z old 10.7.7.7',
].join('\n');

async function run(api: DefenderApi, options: Partial<ConstructorParameters<typeof TriageService>[1]> = {}, text = LOG, signal?: AbortSignal, onEvent?: (e: TriageEvent) => void): Promise<TriageReport> {
  const svc = new TriageService(api, { scope: 'tenant-a', now: () => NOW, ...options });
  return svc.triageAll({ inputs: [{ kind: 'text', name: 'fw.log', text }], lookback: '7d', ...(signal ? { signal } : {}) }, onEvent);
}

const byIp = (r: TriageReport) => new Map(r.entries.map((e) => [e.ip, e]));

test('routing: public and documentation/benchmarking are queried, internal goes to holders, special blocks are skipped with a reason', async () => {
  const { api, calls } = scriptedApi({});
  const r = await run(api);
  const e = byIp(r);
  assert.equal(routeFor('documentation'), 'public');
  assert.equal(routeFor('benchmarking'), 'public');
  assert.equal(routeFor('loopback'), 'skip');
  assert.equal(routeFor('link-local'), 'internal');
  assert.equal(e.get('198.51.100.23')?.verdict, 'alerts');
  assert.equal(e.get('198.51.100.23')?.alerts?.highestSeverity, 'High');
  assert.equal(e.get('8.8.8.8')?.verdict, 'seen');
  assert.deepEqual(e.get('8.8.8.8')?.sightings?.ports, [443, 53]);
  assert.equal(e.get('198.18.0.1')?.verdict, 'not-seen');
  assert.equal(e.get('192.0.2.200')?.verdict, 'not-seen');
  for (const ip of ['127.0.0.1', '224.0.0.251', '240.0.0.1']) {
    assert.equal(e.get(ip)?.verdict, 'skipped', ip);
    assert.ok((e.get(ip)?.reason ?? '').length > 10);
  }
  const internal = e.get('10.0.0.5')!;
  assert.equal(internal.verdict, 'internal');
  assert.deepEqual(internal.holders?.map((h) => [h.name, h.occurrences]), [['ws-1', 2]]);
  // Both line times (09:30, 09:31) held by ws-1: one run of the holder timeline.
  assert.deepEqual(internal.holdersAt?.map((h) => [h.at, h.until, h.times, h.occurrences, h.machines.map((m) => m.name)]), [
    ['2026-11-23T09:30:00.000Z', '2026-11-23T09:31:00.000Z', 2, 2, ['ws-1']],
  ]);
  assert.deepEqual(internal.holderCoverage, { timedOccurrences: 2, askedOccurrences: 2, answeredOccurrences: 2, heldOccurrences: 2, inferredOccurrences: 0, times: 2, granularityMinutes: 1 });
  assert.equal(internal.reason, undefined, 'every time has a holder: nothing to explain');
  assert.match(e.get('10.9.9.9')?.reason ?? '', /No time/);
  assert.match(e.get('10.7.7.7')?.reason ?? '', /30 days/);
  // No internal or skipped address was ever put into a public query, and vice versa.
  const publicQueried = calls.filter((c) => c.kind !== 'holders').flatMap((c) => c.ips);
  for (const ip of ['10.0.0.5', '10.9.9.9', '10.7.7.7', '127.0.0.1', '224.0.0.251', '240.0.0.1']) assert.ok(!publicQueried.includes(ip), ip);
  assert.deepEqual(calls.filter((c) => c.kind === 'holders').flatMap((c) => c.ips), ['10.0.0.5']);
  assert.deepEqual(calls.map((c) => c.kind).sort(), ['alerts', 'holders', 'summary']);
  assert.equal(r.calls.hunting, 3);
  assert.equal(r.queries.length, 3);
  assert.equal(r.cancelled, false);
  assert.equal(r.counts.byVerdict.pending, 0);
  assert.deepEqual(r.entries.slice(0, 2).map((x) => x.verdict), ['alerts', 'seen']);
});

test('a batch that fails for its size is halved and retried until it fits', async () => {
  const ips = Array.from({ length: 40 }, (_, i) => `11.0.0.${i + 1}`);
  const { api, calls } = scriptedApi({
    hunt: (_q, list) => {
      if (list.length > 10) throw new BadRequestError('Query execution has exceeded the allowed result size.', { status: 400, code: 'BadRequest' });
      return [];
    },
  });
  const r = await run(api, {}, ips.join('\n'));
  assert.ok(r.entries.every((x) => x.verdict === 'not-seen'), JSON.stringify(r.entries.map((x) => x.problems)));
  const ok = calls.filter((c) => c.ips.length <= 10);
  assert.equal(ok.filter((c) => c.kind === 'summary').flatMap((c) => c.ips).sort().join(), [...ips].sort().join());
  // 40 -> 20 -> 10: one failed 40, two failed 20s, four good 10s, per query kind.
  assert.equal(calls.length, 2 * (1 + 2 + 4));
  assert.ok(r.queries.some((q) => !q.ok));
});

test('partial failure of one batch degrades only its addresses, with the cause', async () => {
  const ips = Array.from({ length: 30 }, (_, i) => `11.0.1.${i + 1}`).concat(['198.51.100.23']);
  const { api } = scriptedApi({
    hunt: (q, list) => {
      if (q.startsWith('DeviceNetworkEvents') && list.includes('11.0.1.1')) throw new ServerError('Defender returned HTTP 503.', { status: 503, requestId: 'req-1' });
      return defaultRows(q.startsWith('DeviceNetworkEvents') ? 'summary' : 'alerts', list);
    },
  });
  const r = await run(api, { limits: { maxAddressesPerBatch: 10 } }, ips.join('\n'));
  const failed = r.entries.filter((x) => x.problems.length > 0);
  assert.deepEqual(failed.map((x) => x.ip).sort(), Array.from({ length: 10 }, (_, i) => `11.0.1.${i + 1}`).sort());
  for (const f of failed) {
    assert.equal(f.verdict, 'unknown');
    assert.equal(f.problems[0]?.source, 'summary');
    assert.equal(f.problems[0]?.kind, 'server');
    assert.equal(f.problems[0]?.requestId, 'req-1');
  }
  assert.equal(byIp(r).get('198.51.100.23')?.verdict, 'alerts');
  assert.equal(r.entries.filter((x) => x.verdict === 'not-seen').length, 20);
});

test('when hunting fails for internal lookups, findbyip answers within its budget and the rest say why', async () => {
  const lines = [];
  for (let i = 1; i <= 5; i++) for (const h of [9, 10, 11]) lines.push(`2026-11-23T${String(h).padStart(2, '0')}:30:00Z 10.1.0.${i}`);
  const { api, calls } = scriptedApi({
    hunt: () => {
      throw new ServerError('Hunting is down.', { status: 500 });
    },
    findbyip: (ip) => (ip === '10.1.0.1' ? [{ id: 'm1', computerDnsName: 'ws-9', machineTags: [], ipAddresses: [] }] : []),
  });
  const r = await run(api, { fallbackBudget: 7 }, lines.join('\n'));
  const fb = calls.filter((c) => c.kind === 'findbyip');
  assert.equal(fb.length, 7);
  // One time per address first (the most recent), then a second one.
  assert.deepEqual(new Set(fb.slice(0, 5).flatMap((c) => c.ips)).size, 5);
  assert.equal(r.calls.findbyip, 7);
  const first = byIp(r).get('10.1.0.1')!;
  assert.equal(first.verdict, 'internal');
  assert.deepEqual(first.holders?.map((h) => h.name), ['ws-9']);
  assert.ok(first.holdersAt?.every((h) => h.via === 'findbyip'));
  const withProblems = r.entries.filter((x) => x.problems.some((p) => /fallback budget/.test(p.message)));
  assert.ok(withProblems.length > 0);
  // 7 findbyip answers, one line time each; the 8 others could not be looked up and say so.
  assert.equal(r.entries.reduce((n, x) => n + (x.holderCoverage?.answeredOccurrences ?? 0), 0), 7);
  assert.equal(r.entries.reduce((n, x) => n + (x.holderCoverage?.askedOccurrences ?? 0), 0), 15);
  assert.match(byIp(r).get('10.1.0.5')?.reason ?? '', /^No machine reported it at its line time\. 2 line times could not be looked up/);
});

test('cancellation keeps what arrived and marks the rest, without throwing', async () => {
  const ac = new AbortController();
  const ips = Array.from({ length: 30 }, (_, i) => `11.0.2.${i + 1}`);
  let n = 0;
  const { api } = scriptedApi({
    hunt: (_q, list, o) => {
      n++;
      if (n === 3) {
        ac.abort();
        o?.signal?.throwIfAborted();
      }
      return list.slice(0, 1).map((ip) => ({ Ip: ip, Side: 'remote', RemoteIP: ip, Machines: 1, Events: 1 }));
    },
  });
  const r = await run(api, { limits: { maxAddressesPerBatch: 10 }, concurrency: 1 }, ips.join('\n'), ac.signal);
  assert.equal(r.cancelled, true);
  const e = byIp(r);
  // Batch 1 got both answers: final verdicts kept.
  assert.equal(e.get('11.0.2.1')?.verdict, 'seen');
  assert.equal(e.get('11.0.2.2')?.verdict, 'not-seen');
  const cancelled = r.entries.filter((x) => x.problems.some((p) => p.kind === 'cancelled'));
  assert.equal(cancelled.length, 20);
  assert.ok(cancelled.every((x) => x.verdict === 'unknown'));
  assert.equal(r.counts.byVerdict.pending, 0);
});

test('a re-run asks only for what is new; look-back and tenant scope are part of the key', async () => {
  const cache = new TriageCache({ now: () => NOW });
  const first = scriptedApi({});
  await run(first.api, { cache });
  const again = scriptedApi({});
  const r = await run(again.api, { cache }, `${LOG}\nnew 203.0.113.77`);
  assert.deepEqual(again.calls.map((c) => [c.kind, c.ips]), [
    ['summary', ['203.0.113.77']],
    ['alerts', ['203.0.113.77']],
  ]);
  const e = byIp(r);
  assert.equal(e.get('198.51.100.23')?.verdict, 'alerts');
  assert.equal(e.get('198.51.100.23')?.fromCache, true);
  assert.equal(e.get('10.0.0.5')?.holders?.[0]?.name, 'ws-1');
  assert.equal(e.get('203.0.113.77')?.fromCache, false);
  assert.ok(r.calls.cacheHits >= 4);
  const otherTenant = scriptedApi({});
  await run(otherTenant.api, { cache, scope: 'tenant-b' });
  assert.equal(otherTenant.calls.length, 3);
});

test('an authentication failure stops the run: nothing more is sent and every address says why', async () => {
  const ips = Array.from({ length: 30 }, (_, i) => `11.0.3.${i + 1}`);
  const { api, calls } = scriptedApi({
    hunt: () => {
      throw new AuthError('The token has expired: sign in again.', { status: 401 });
    },
  });
  const r = await run(api, { limits: { maxAddressesPerBatch: 10 }, concurrency: 1 }, ips.join('\n'));
  assert.equal(calls.length, 1);
  assert.ok(r.entries.every((x) => x.verdict === 'unknown' && x.problems.some((p) => p.kind === 'auth')));
});

test('events stream: extracted first with every entry pending or final, then entries as batches settle', async () => {
  const { api } = scriptedApi({});
  const events: TriageEvent[] = [];
  await run(api, {}, LOG, undefined, (e) => events.push(e));
  const extracted = events.findIndex((e) => e.type === 'extracted');
  assert.ok(extracted >= 0);
  const ex = events[extracted];
  assert.ok(ex.type === 'extracted' && ex.progress.byVerdict.pending > 0 && ex.progress.byVerdict.skipped === 3);
  const later = events.slice(extracted + 1).filter((e) => e.type === 'entries');
  assert.equal(later.length, 3);
  const last = later[later.length - 1];
  assert.equal(last.progress.byVerdict.pending, 0);
  assert.equal(last.progress.batchesDone, last.progress.batchesTotal);
});

test('holder windows: a machine counts when its reports overlap ±15 minutes of the line time', () => {
  const at = Date.parse('2026-11-23T09:30:00Z');
  const row = (id: string, from: string, to: string) => ({ ip: '10.0.0.5', machine: { id, name: id }, from: Date.parse(from), to: Date.parse(to) });
  const got = matchHolders([{ first: at, last: at, count: 3 }], {
    rows: [
      row('inside', '2026-11-23T09:20:00Z', '2026-11-23T09:25:00Z'),
      row('spanning', '2026-11-23T08:00:00Z', '2026-11-23T11:00:00Z'),
      row('before', '2026-11-23T08:00:00Z', '2026-11-23T09:14:00Z'),
      row('after', '2026-11-23T09:46:00Z', '2026-11-23T10:00:00Z'),
      row('inside', '2026-11-23T09:40:00Z', '2026-11-23T09:44:00Z'),
    ],
    answeredHours: new Set([Date.parse('2026-11-23T09:00:00Z')]),
    points: [],
  }).holders;
  assert.deepEqual(got.map((m) => m.id).sort(), ['inside', 'spanning']);
  assert.equal(got.find((m) => m.id === 'inside')?.lastSeen, iso(Date.parse('2026-11-23T09:44:00Z')));
  assert.equal(got.find((m) => m.id === 'inside')?.occurrences, 3);
  assert.equal(isSizeError(new BadRequestError('x', { code: 'MaximumBatchSizeExceeded' })), true);
  assert.equal(isSizeError(new BadRequestError('Syntax error near where')), false);
});

test('holding is inferred between two reports by the same machine when nobody else reported the address in between', async () => {
  const report = (ip: string, id: string, from: string, to = from) => ({ Ip: ip, DeviceId: id, DeviceName: id, Hour: from, FirstSeen: from, LastSeen: to });
  const { api, calls } = scriptedApi({
    hunt: (q, ips) => {
      if (!q.startsWith('DeviceNetworkInfo')) return [];
      const rows = [
        // 10.3.0.1: ws-1 reports once a day; a line time in between is held by inference, one after the last is not.
        report('10.3.0.1', 'ws-1', '2026-11-23T09:00:00Z', '2026-11-23T09:05:00Z'),
        report('10.3.0.1', 'ws-1', '2026-11-24T08:00:00Z'),
        // 10.3.0.2: ws-1 before and after, but ws-2 reported it in between: no inference.
        report('10.3.0.2', 'ws-1', '2026-11-23T09:00:00Z'),
        report('10.3.0.2', 'ws-2', '2026-11-23T14:00:00Z'),
        report('10.3.0.2', 'ws-1', '2026-11-24T08:00:00Z'),
      ];
      return rows.filter((r) => ips.includes(r.Ip));
    },
  });
  const text = ['2026-11-23T20:00:00Z a 10.3.0.1', '2026-11-23T09:10:00Z b 10.3.0.1', '2026-11-25T10:00:00Z c 10.3.0.1', '2026-11-23T20:00:00Z d 10.3.0.2'].join('\n');
  const r = await run(api, {}, text);
  const a = byIp(r).get('10.3.0.1')!;
  assert.deepEqual(a.holders?.map((h) => [h.name, h.occurrences]), [['ws-1', 2]]);
  assert.deepEqual(
    a.holdersAt?.map((h) => [h.at, h.machines.map((m) => m.name), h.inferred ?? false]),
    [
      ['2026-11-23T09:10:00.000Z', ['ws-1'], false],
      ['2026-11-23T20:00:00.000Z', ['ws-1'], true],
      ['2026-11-25T10:00:00.000Z', [], false],
    ],
  );
  assert.equal(a.holderCoverage?.inferredOccurrences, 1);
  assert.equal(a.reason, 'No machine reported it at 1 of its 3 line times. 1 line time falls between two reports by the same machine with no other machine in between: held by inference.');
  const b = byIp(r).get('10.3.0.2')!;
  assert.deepEqual(b.holders, []);
  assert.equal(b.reason, 'No machine reported it at its line time.');
  // The query looked 26 hours beyond the line times (and their 15 minutes), to see the reports around them.
  const holderQuery = calls.find((c) => c.kind === 'holders')?.query ?? '';
  assert.match(holderQuery, /between \(datetime\(2026-11-22T06:55:00Z\) \.\. datetime\(2026-11-26T12:15:00Z\)\)/);
});
