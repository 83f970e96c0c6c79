import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALERT_SEVERITIES,
  batchAlertsQuery,
  batchInternalHoldersQuery,
  batchRemoteIpSummaryQuery,
  dailyPrevalenceQuery,
  observedMachinesQuery,
  timelineQuery,
} from '../../src/core/hunting/huntingQueries';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import {
  DEMO_BENIGN_IPS,
  DEMO_C2_IP,
  DEMO_HOLDER_NAME,
  DEMO_INTERNAL_IP,
  DEMO_IPV6_IP,
  DEMO_PREVIOUS_HOLDER_NAME,
  DEMO_RARE_IPS,
  DEMO_UNSEEN_IP,
  DEMO_EDGE_NAME,
  DEMO_EGRESS_IP,
  HOSTILE_STRINGS,
  demoInternalHolderAt,
  demoPreviousHolderAt,
} from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
let sim: SimulatorHandle;
const defender = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW });
const graph = issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS, now: NOW });

type Row = Record<string, unknown>;
interface Result {
  status: number;
  columns: { name: string; type: string }[];
  rows: Row[];
  error?: { code: string; message: string; target: string };
}

async function post(path: string, token: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Runs a query through Graph (lower-case schema/results) or the legacy API (Schema/Results). */
async function hunt(query: string, via: 'graph' | 'defender' = 'graph', extra: Record<string, unknown> = {}): Promise<Result> {
  const r = via === 'graph'
    ? await post('/v1.0/security/runHuntingQuery', graph, { Query: query, ...extra })
    : await post('/api/advancedqueries/run', defender, { Query: query });
  if (r.status !== 200) return { status: r.status, columns: [], rows: [], error: r.json.error as Result['error'] };
  if (via === 'graph') return { status: 200, columns: r.json.schema as Result['columns'], rows: r.json.results as Row[] };
  const schema = r.json.Schema as { Name: string; Type: string }[];
  return { status: 200, columns: schema.map((c) => ({ name: c.Name, type: c.Type })), rows: r.json.Results as Row[] };
}

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${defender}` }, signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, path);
  return (await res.json()) as Record<string, unknown>;
}

const prevalence = async (ip: string, hours: number): Promise<number> =>
  (await getJson(`/api/ips/${ip}/stats?lookBackHours=${hours}`)).organizationPrevalence as number;

before(async () => {
  // Generous limits: this file tests routes, not throttling (simulator.rateLimits.test.ts does).
  sim = await startSimulator({ now: () => NOW, seed: 11, rateLimits: { entityPerMinute: 100_000, entityPerHour: 100_000, huntingPerMinute: 100_000, huntingPerHour: 100_000 } });
});
after(() => sim.close());

describe('the query builders of huntingQueries.ts, through both hunting routes', () => {
  for (const via of ['graph', 'defender'] as const) {
    test(`observed machines agree with /stats for 7 and 30 days (${via})`, async () => {
      for (const [days, ip] of [[7, DEMO_C2_IP], [30, DEMO_C2_IP], [30, DEMO_INTERNAL_IP], [30, DEMO_RARE_IPS.scanner], [30, DEMO_IPV6_IP]] as const) {
        const r = await hunt(observedMachinesQuery(ip, days), via);
        assert.equal(r.status, 200);
        assert.deepEqual(r.columns.map((c) => c.name), ['DeviceId', 'DeviceName', 'FirstSeen', 'LastSeen', 'Events', 'RemotePorts', 'LocalPorts', 'Processes', 'Files']);
        assert.equal(r.rows.length, await prevalence(ip, days * 24), `${ip} over ${days} days`);
        const lastSeen = r.rows.map((row) => Date.parse(row.LastSeen as string));
        assert.deepEqual(lastSeen, [...lastSeen].sort((a, b) => b - a), 'ordered by LastSeen desc');
        for (const row of r.rows) {
          assert.ok((row.Events as number) >= 1);
          assert.ok(Array.isArray(row.RemotePorts) && (row.RemotePorts as unknown[]).length <= 20);
          assert.ok(Date.parse(row.FirstSeen as string) >= NOW - days * DAY);
        }
      }
      const c2 = await hunt(observedMachinesQuery(DEMO_C2_IP, 30), via);
      const names = c2.rows.map((row) => row.DeviceName as string);
      assert.ok(names.includes(DEMO_HOLDER_NAME) && names.includes(DEMO_PREVIOUS_HOLDER_NAME));
      assert.ok(names.some((n) => n.includes(HOSTILE_STRINGS.img)), 'hostile machine names reach hunting results');
      const internal = await hunt(observedMachinesQuery(DEMO_INTERNAL_IP, 30), via);
      assert.deepEqual(new Set(internal.rows.map((row) => row.DeviceName)), new Set([DEMO_HOLDER_NAME, DEMO_PREVIOUS_HOLDER_NAME]), 'two machines used the address');
    });
  }

  test('the timeline lists the events newest first with the projected columns and honours take', async () => {
    const full = await hunt(timelineQuery(DEMO_C2_IP, 30));
    const observed = await hunt(observedMachinesQuery(DEMO_C2_IP, 30));
    const total = observed.rows.reduce((n, row) => n + (row.Events as number), 0);
    assert.equal(full.rows.length, total, 'one timeline row per event counted by the summary');
    const times = full.rows.map((row) => Date.parse(row.Timestamp as string));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.equal(full.columns.length, 14);
    assert.deepEqual(full.columns.find((c) => c.name === 'RemotePort'), { name: 'RemotePort', type: 'Int32' });
    assert.deepEqual(full.columns.find((c) => c.name === 'Timestamp'), { name: 'Timestamp', type: 'DateTime' });
    assert.ok(full.rows.every((row) => row.RemoteIP === DEMO_C2_IP));
    assert.ok(full.rows.some((row) => String(row.InitiatingProcessCommandLine).includes(HOSTILE_STRINGS.script)));
    assert.ok(full.rows.some((row) => String(row.InitiatingProcessCommandLine).includes(HOSTILE_STRINGS.long)), 'very long command lines survive');
    const five = await hunt(timelineQuery(DEMO_C2_IP, 30, 5), 'defender');
    assert.deepEqual(five.rows.map((row) => Date.parse(row.Timestamp as string)), times.slice(0, 5));
    assert.match(five.rows[0]?.Timestamp as string, /\.\d{7}Z$/, 'the legacy API writes seven fractional digits');
  });

  test('daily prevalence sums to the event count and never exceeds the distinct machines', async () => {
    const r = await hunt(dailyPrevalenceQuery(DEMO_C2_IP, 30));
    assert.deepEqual(r.columns.map((c) => `${c.name}:${c.type}`), ['Day:DateTime', 'Machines:Int64', 'Events:Int64']);
    const days = r.rows.map((row) => Date.parse(row.Day as string));
    assert.deepEqual(days, [...days].sort((a, b) => a - b));
    assert.ok(days.every((d) => d % DAY === 0), 'bins start at midnight UTC');
    const timeline = await hunt(timelineQuery(DEMO_C2_IP, 30));
    assert.equal(r.rows.reduce((n, row) => n + (row.Events as number), 0), timeline.rows.length);
    const machines = await prevalence(DEMO_C2_IP, 720);
    assert.ok(r.rows.every((row) => (row.Machines as number) >= 1 && (row.Machines as number) <= machines));
  });

  test('the batch summary of remote addresses matches /stats per address and omits unseen ones', async () => {
    const ips = [DEMO_C2_IP, DEMO_BENIGN_IPS.dnsGoogle, DEMO_RARE_IPS.scanner, DEMO_RARE_IPS.exfiltration, DEMO_UNSEEN_IP];
    const r = await hunt(batchRemoteIpSummaryQuery(ips, 30), 'defender');
    const byIp = new Map(r.rows.filter((row) => row.Side === 'remote').map((row) => [row.Ip as string, row]));
    assert.ok(!r.rows.some((row) => row.Ip === DEMO_UNSEEN_IP));
    for (const ip of ips.slice(0, 4)) assert.equal(byIp.get(ip)?.Machines, await prevalence(ip, 720), ip);
    assert.ok((byIp.get(DEMO_BENIGN_IPS.dnsGoogle)?.Machines as number) > 100, 'benign resolvers are widespread');
    assert.ok(((byIp.get(DEMO_C2_IP)?.DeviceNames as unknown[]) ?? []).length <= 5);
  });

  test('the batch summary finds an own public address (LocalIP only) as a "local" row, with its service port', async () => {
    const r = await hunt(batchRemoteIpSummaryQuery([DEMO_EGRESS_IP, DEMO_C2_IP], 30));
    const egress = r.rows.filter((row) => row.Ip === DEMO_EGRESS_IP);
    assert.deepEqual(egress.map((row) => row.Side), ['local'], 'never a peer, only a machine\'s own address');
    assert.equal(egress[0].Machines, 1);
    assert.deepEqual(egress[0].DeviceNames, [DEMO_EDGE_NAME]);
    assert.deepEqual(egress[0].Ports, [443]);
    assert.deepEqual(r.rows.filter((row) => row.Ip === DEMO_C2_IP).map((row) => row.Side), ['remote']);
  });

  test('the batch alert summary (AlertEvidence joined with AlertInfo) matches /ips/{ip}/alerts within 30 days', async () => {
    const ips = [DEMO_C2_IP, DEMO_RARE_IPS.scanner, DEMO_RARE_IPS.exfiltration, DEMO_BENIGN_IPS.dnsGoogle];
    const r = await hunt(batchAlertsQuery(ips, 30));
    const byIp = new Map(r.rows.map((row) => [row.RemoteIP as string, row]));
    assert.ok(!byIp.has(DEMO_BENIGN_IPS.dnsGoogle), 'benign addresses have no alerts');
    for (const ip of ips.slice(0, 3)) {
      const alerts = (await getJson(`/api/ips/${ip}/alerts`)).value as { alertCreationTime: string; severity: string }[];
      const recent = alerts.filter((a) => Date.parse(a.alertCreationTime) > NOW - 30 * DAY);
      assert.equal(byIp.get(ip)?.Alerts, recent.length, ip);
      assert.deepEqual(new Set(byIp.get(ip)?.Severities as string[]), new Set(recent.map((a) => a.severity)), ip);
      for (const s of ALERT_SEVERITIES) assert.equal(byIp.get(ip)?.[s], recent.filter((a) => a.severity === s).length, `${ip} ${s}`);
    }
    const c2Alerts = (await getJson(`/api/ips/${DEMO_C2_IP}/alerts`)).value as unknown[];
    assert.ok(c2Alerts.length > (byIp.get(DEMO_C2_IP)?.Alerts as number), 'an older alert lies outside the 30-day hunting window');
  });

  test('the internal-holders batch agrees with findbyip at both holders’ times', async () => {
    const recentAt = demoInternalHolderAt(NOW);
    const earlierAt = demoPreviousHolderAt(NOW);
    for (const [at, holder] of [[recentAt, DEMO_HOLDER_NAME], [earlierAt, DEMO_PREVIOUS_HOLDER_NAME]] as const) {
      const r = await hunt(batchInternalHoldersQuery([{ ip: DEMO_INTERNAL_IP, at }]), 'defender');
      assert.deepEqual(r.columns.map((c) => c.name), ['Ip', 'DeviceId', 'DeviceName', 'Hour', 'FirstSeen', 'LastSeen']);
      const near = r.rows.filter((row) => Date.parse(row.FirstSeen as string) <= at.getTime() + 15 * 60_000 && Date.parse(row.LastSeen as string) >= at.getTime() - 15 * 60_000);
      assert.deepEqual([...new Set(near.map((row) => row.DeviceName))], [holder]);
      const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
      const found = (await getJson(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${stamp})`)).value as { computerDnsName: string }[];
      assert.deepEqual(found.map((m) => m.computerDnsName), [holder]);
    }
  });
});

describe('hunting rules', () => {
  test('data older than 30 days is invisible, even when the query asks for more', async () => {
    const r = await hunt(`DeviceNetworkEvents | where Timestamp > ago(40d) | summarize Oldest = min(Timestamp)`);
    assert.ok(Date.parse(r.rows[0]?.Oldest as string) >= NOW - 30 * DAY);
    const info = await hunt('DeviceNetworkInfo | summarize Oldest = min(Timestamp), Rows = count()');
    assert.ok(Date.parse(info.rows[0]?.Oldest as string) >= NOW - 30 * DAY);
  });

  test('a Graph Timespan narrows the window; a malformed one is a 400', async () => {
    const week = await hunt('DeviceNetworkEvents | summarize Oldest = min(Timestamp)', 'graph', { Timespan: 'P7D' });
    assert.ok(Date.parse(week.rows[0]?.Oldest as string) >= NOW - 7 * DAY);
    const start = new Date(NOW - 3 * DAY).toISOString();
    const interval = await hunt('DeviceNetworkEvents | summarize Oldest = min(Timestamp), Newest = max(Timestamp)', 'graph', { Timespan: `${start}/P1D` });
    assert.ok(Date.parse(interval.rows[0]?.Oldest as string) >= NOW - 3 * DAY);
    assert.ok(Date.parse(interval.rows[0]?.Newest as string) <= NOW - 2 * DAY);
    const bad = await hunt('AlertInfo | take 1', 'graph', { Timespan: 'last week' });
    assert.equal(bad.status, 400);
  });

  test('results are capped at 100,000 rows', async () => {
    const r = await hunt('DeviceNetworkEvents | project K = 1 | join kind=inner (AlertInfo | take 10 | project K = 1) on K');
    assert.equal(r.status, 200);
    assert.equal(r.rows.length, 100_000);
  });

  test('a query outside the subset is a 400 BadRequest naming the operator or function', async () => {
    const cases: [string, RegExp][] = [
      ['DeviceNetworkEvents | union DeviceNetworkInfo', /operator 'union'/],
      ['DeviceNetworkEvents | evaluate bag_unpack(x)', /operator 'evaluate'/],
      ['DeviceNetworkEvents | extend X = geo_info_from_ip_address(RemoteIP)', /function 'geo_info_from_ip_address'/],
      ['DeviceNetworkEvents | summarize arg_max(Timestamp, *) by DeviceId', /function 'arg_max'/],
      ['DeviceProcessEvents | take 1', /table 'DeviceProcessEvents'/],
      ['DeviceNetworkEvents | where NoSuchColumn == 1', /unknown column or variable 'NoSuchColumn'/],
      ['DeviceNetworkEvents | where RemoteIP matches regex "1.*"', /operator 'matches'/],
      ['DeviceNetworkEvents | where (RemoteIP == "1.1.1.1"', /the query ends/],
    ];
    for (const via of ['graph', 'defender'] as const) {
      for (const [query, pattern] of cases) {
        const r = await hunt(query, via);
        assert.equal(r.status, 400, query);
        assert.equal(r.error?.code, 'BadRequest');
        assert.match(r.error?.message ?? '', /^The simulated tenant does not understand this query: /);
        assert.match(r.error?.message ?? '', pattern, query);
      }
    }
  });

  test('the legacy body names are case-sensitive; malformed bodies are InvalidRequestBody', async () => {
    const lower = await post('/api/advancedqueries/run', defender, { query: 'AlertInfo | take 1' });
    assert.equal(lower.status, 400);
    const e = lower.json.error as { code: string; message: string };
    assert.equal(e.code, 'MissingRequiredParameter');
    assert.match(e.message, /case-sensitive/);
    const notJson = await post('/api/advancedqueries/run', defender, '{"Query": ');
    assert.equal((notJson.json.error as { code: string }).code, 'InvalidRequestBody');
    const empty = await post('/v1.0/security/runHuntingQuery', graph, { Query: '  ' });
    assert.equal(empty.status, 400);
  });
});
