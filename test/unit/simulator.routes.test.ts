import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SIMULATOR_REQUESTS_PATH, startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import {
  DEMO_C2_IP,
  DEMO_HOLDER_ID,
  DEMO_HOLDER_NAME,
  DEMO_INTERNAL_IP,
  DEMO_PREVIOUS_HOLDER_NAME,
  DEMO_UNSEEN_IP,
  HOSTILE_STRINGS,
  demoInternalHolderAt,
  demoPreviousHolderAt,
} from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sim: SimulatorHandle;
const defender = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW });
const graph = issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS, now: NOW });

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function call(path: string, init: { token?: string | null; method?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? defender : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function errorOf(r: Reply): { code: string; message: string; target: string } {
  return r.body.error as { code: string; message: string; target: string };
}

const seconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const values = (r: Reply): Record<string, unknown>[] => r.body.value as Record<string, unknown>[];

before(async () => {
  // Generous limits: this file tests routes, not throttling (simulator.rateLimits.test.ts does).
  sim = await startSimulator({ now: () => NOW, seed: 7, rateLimits: { entityPerMinute: 100_000, entityPerHour: 100_000, huntingPerMinute: 100_000, huntingPerHour: 100_000 } });
});
after(() => sim.close());

describe('authentication and permissions', () => {
  test('a missing, expired, forged or wrong-audience token gets 401 Unauthorized', async () => {
    const missing = await call(`/api/ips/${DEMO_C2_IP}/stats`, { token: null });
    assert.equal(missing.status, 401);
    assert.equal(errorOf(missing).code, 'Unauthorized');
    assert.match(errorOf(missing).message, /missing/i);

    const expired = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW - 2 * 3600_000 });
    const r = await call(`/api/ips/${DEMO_C2_IP}/stats`, { token: expired });
    assert.equal(r.status, 401);
    assert.match(errorOf(r).message, /expired/);

    const forged = `${defender.slice(0, -4)}AAAA`;
    assert.equal((await call(`/api/ips/${DEMO_C2_IP}/stats`, { token: forged })).status, 401);

    const graphOnApi = await call(`/api/ips/${DEMO_C2_IP}/stats`, { token: graph });
    assert.equal(graphOnApi.status, 401);
    assert.match(errorOf(graphOnApi).message, /wrong audience/);
    assert.match(graphOnApi.headers.get('www-authenticate') ?? '', /invalid_token/);

    const defenderOnGraph = await call('/v1.0/security/runHuntingQuery', { token: defender, body: { Query: 'AlertInfo | take 1' } });
    assert.equal(defenderOnGraph.status, 401);
    assert.match(errorOf(defenderOnGraph).message, /wrong audience.*graph\.microsoft\.com/);
  });

  const routes: [string, string, string, unknown?][] = [
    ['Ip.Read.All', `/api/ips/${DEMO_C2_IP}/stats`, 'defender'],
    ['Alert.Read.All', `/api/ips/${DEMO_C2_IP}/alerts`, 'defender'],
    ['Alert.Read.All', `/api/machines/${DEMO_HOLDER_ID}/alerts`, 'defender'],
    ['Machine.Read.All', `/api/machines/${DEMO_HOLDER_ID}`, 'defender'],
    ['Machine.Read.All', `/api/machines?$filter=lastIpAddress eq '${DEMO_INTERNAL_IP}'`, 'defender'],
    ['Machine.Read.All', `/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${seconds(demoInternalHolderAt(NOW))})`, 'defender'],
    ['AdvancedQuery.Read.All', '/api/advancedqueries/run', 'defender', { Query: 'AlertInfo | take 1' }],
    ['ThreatHunting.Read.All', '/v1.0/security/runHuntingQuery', 'graph', { Query: 'AlertInfo | take 1' }],
  ];
  for (const [permission, path, audience, body] of routes) {
    test(`${path.split('?')[0]} needs ${permission}: 403 naming it without, 200 with`, async () => {
      const others = ALL_PERMISSIONS.filter((p) => p !== permission);
      const without = issueSimulatorToken({ audience: audience as 'defender' | 'graph', permissions: others, now: NOW });
      const denied = await call(path, { token: without, body });
      assert.equal(denied.status, 403);
      assert.equal(errorOf(denied).code, 'Forbidden');
      assert.ok(errorOf(denied).message.includes(permission), errorOf(denied).message);
      const only = issueSimulatorToken({ audience: audience as 'defender' | 'graph', permissions: [permission], now: NOW });
      assert.equal((await call(path, { token: only, body })).status, 200);
    });
  }

  test('delegated tokens (scp without .All) are accepted and the 403 names the delegated permission too', async () => {
    const delegated = issueSimulatorToken({ audience: 'defender', permissions: ['Alert.Read.All'], kind: 'delegated', now: NOW });
    assert.equal((await call(`/api/ips/${DEMO_C2_IP}/alerts`, { token: delegated })).status, 200);
    const denied = await call(`/api/machines/${DEMO_HOLDER_ID}`, { token: delegated });
    assert.equal(denied.status, 403);
    assert.match(errorOf(denied).message, /Machine\.Read\.All \(application\) or Machine\.Read \(delegated\)/);
  });
});

describe('error bodies', () => {
  test('every error has code, message and a request-id target that matches the header', async () => {
    const r = await call('/api/ips/10.0.0.300/stats');
    assert.equal(r.status, 400);
    const e = errorOf(r);
    assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'target']);
    assert.equal(e.code, 'InvalidIpAddress');
    assert.match(e.target, UUID);
    assert.equal(r.headers.get('request-id'), e.target);
  });

  test('invalid addresses are refused on every IP route', async () => {
    for (const bad of ['999.1.1.1', '010.1.2.3', 'fe80::1%25eth0', 'not-an-ip', '1.2.3']) {
      for (const path of [`/api/ips/${bad}/stats`, `/api/ips/${bad}/alerts`, `/api/machines/findbyip(ip='${bad}',timestamp=${seconds(new Date(NOW - DAY))})`]) {
        const r = await call(path);
        assert.equal(r.status, 400, path);
        assert.equal(errorOf(r).code, 'InvalidIpAddress', path);
      }
    }
  });

  test('unknown routes are 404 NotFound and wrong methods 405', async () => {
    const r = await call('/api/nothing/here');
    assert.equal(r.status, 404);
    assert.equal(errorOf(r).code, 'NotFound');
    assert.equal((await call('/api/advancedqueries/run')).status, 405);
  });
});

describe('findbyip', () => {
  test('returns the machine that held the address within ±15 minutes, recently and earlier (DHCP reassignment)', async () => {
    const recent = await call(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${seconds(demoInternalHolderAt(NOW))})`);
    assert.equal(recent.status, 200);
    assert.deepEqual(values(recent).map((m) => m.computerDnsName), [DEMO_HOLDER_NAME]);
    const earlier = await call(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${seconds(demoPreviousHolderAt(NOW))})`);
    assert.deepEqual(values(earlier).map((m) => m.computerDnsName), [DEMO_PREVIOUS_HOLDER_NAME]);
    const between = await call(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${seconds(new Date(NOW - 10.5 * DAY))})`);
    assert.deepEqual(values(between), [], 'nobody held it between the two leases');
  });

  test('the quotes may be percent-encoded and the /api/v1.0 prefix works', async () => {
    const r = await call(`/api/v1.0/machines/findbyip(ip=%27${DEMO_INTERNAL_IP}%27,timestamp=${seconds(demoInternalHolderAt(NOW))})`);
    assert.equal(r.status, 200);
    assert.equal(values(r).length, 1);
  });

  test('a timestamp older than 30 days, in the future, or malformed is a 400 with a clear message', async () => {
    const old = await call(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${seconds(new Date(NOW - 31 * DAY))})`);
    assert.equal(old.status, 400);
    assert.equal(errorOf(old).code, 'InvalidInput');
    assert.match(errorOf(old).message, /30 days/);
    const future = await call(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${seconds(new Date(NOW + 3600_000))})`);
    assert.equal(future.status, 400);
    assert.match(errorOf(future).message, /future/);
    const garbage = await call(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=yesterday)`);
    assert.equal(garbage.status, 400);
    assert.match(errorOf(garbage).message, /ISO 8601/);
    const missing = await call(`/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}')`);
    assert.equal(missing.status, 400);
  });
});

describe('IP statistics and alerts', () => {
  test('stats carry both prevalence fields (number and string) and first/last seen', async () => {
    const r = await call(`/api/ips/${DEMO_C2_IP}/stats?lookBackHours=720`);
    assert.equal(r.status, 200);
    assert.equal(r.body.ipAddress, DEMO_C2_IP);
    assert.equal(typeof r.body.organizationPrevalence, 'number');
    assert.equal(r.body.orgPrevalence, String(r.body.organizationPrevalence));
    assert.ok((r.body.organizationPrevalence as number) >= 5 && (r.body.organizationPrevalence as number) <= 8);
    assert.ok(Date.parse(r.body.orgFirstSeen as string) <= Date.parse(r.body.orgLastSeen as string));
    const week = await call(`/api/ips/${DEMO_C2_IP}/stats?lookBackHours=168`);
    assert.ok((week.body.organizationPrevalence as number) < (r.body.organizationPrevalence as number), 'a shorter look-back sees fewer machines');
    assert.ok(Date.parse(week.body.orgFirstSeen as string) >= NOW - 7 * DAY);
  });

  test('a valid but unseen address is 200 with prevalence 0; lookBackHours outside 1..720 is 400', async () => {
    const r = await call(`/api/ips/${DEMO_UNSEEN_IP}/stats`);
    assert.equal(r.status, 200);
    assert.equal(r.body.organizationPrevalence, 0);
    assert.equal(r.body.orgPrevalence, '0');
    assert.equal(r.body.orgFirstSeen, null);
    for (const bad of ['0', '721', 'abc', '-5', '1.5']) {
      const e = await call(`/api/ips/${DEMO_C2_IP}/stats?lookBackHours=${bad}`);
      assert.equal(e.status, 400, bad);
      assert.match(errorOf(e).message, /1 to 720/);
    }
  });

  test('IPv6 addresses are normalised before lookup', async () => {
    const r = await call('/api/ips/2001:DB8:85A3:0:0:8A2E:370:7334/stats');
    assert.equal(r.status, 200);
    assert.equal(r.body.ipAddress, '2001:db8:85a3::8a2e:370:7334');
    assert.ok((r.body.organizationPrevalence as number) > 0);
  });

  test('IP alerts are an OData collection with evidence naming the address; unknown addresses give an empty set', async () => {
    const r = await call(`/api/ips/${DEMO_C2_IP}/alerts`);
    assert.equal(r.status, 200);
    assert.match(r.body['@odata.context'] as string, /\$metadata#Alerts$/);
    const alerts = values(r);
    assert.ok(alerts.length >= 4);
    const severities = new Set(alerts.map((a) => a.severity));
    assert.ok(severities.has('High') && severities.has('Medium'));
    for (const a of alerts) {
      const evidence = a.evidence as Record<string, unknown>[];
      assert.ok(evidence.some((e) => e.entityType === 'Ip' && e.ipAddress === DEMO_C2_IP));
      assert.ok('sha256' in (evidence[0] as object), 'every evidence field is present, null when unused');
    }
    assert.ok(alerts.some((a) => a.title === 'Connection to a suspicious remote host'));
    assert.ok(alerts.some((a) => String(a.title).includes(HOSTILE_STRINGS.script)), 'the C2 story carries a hostile alert title');
    assert.deepEqual(values(await call(`/api/ips/${DEMO_UNSEEN_IP}/alerts`)), []);
  });
});

describe('machines', () => {
  test('by id or by computer name; 404 ResourceNotFound otherwise', async () => {
    const byId = await call(`/api/machines/${DEMO_HOLDER_ID}`);
    assert.equal(byId.status, 200);
    assert.equal(byId.body.computerDnsName, DEMO_HOLDER_NAME);
    assert.equal(byId.body.lastIpAddress, DEMO_INTERNAL_IP);
    assert.ok(Array.isArray(byId.body.ipAddresses));
    const byName = await call(`/api/machines/${DEMO_HOLDER_NAME.toUpperCase()}`);
    assert.equal(byName.body.id, DEMO_HOLDER_ID);
    const missing = await call('/api/machines/0000000000000000000000000000000000000000');
    assert.equal(missing.status, 404);
    assert.equal(errorOf(missing).code, 'ResourceNotFound');
    assert.equal((await call('/api/machines/nope/alerts')).status, 404);
  });

  test('machine alerts list the alerts of that machine', async () => {
    const r = await call(`/api/machines/${DEMO_HOLDER_ID}/alerts`);
    assert.equal(r.status, 200);
    const alerts = values(r);
    assert.ok(alerts.length >= 2);
    assert.ok(alerts.every((a) => a.machineId === DEMO_HOLDER_ID));
  });

  test('$filter on lastIpAddress and other documented properties; unsupported filters are ODataError', async () => {
    const r = await call(`/api/machines?$filter=lastIpAddress eq '${DEMO_INTERNAL_IP}'`);
    assert.deepEqual(values(r).map((m) => m.id), [DEMO_HOLDER_ID]);
    const high = values(await call("/api/machines?$filter=riskScore+eq+'High'&$top=500"));
    assert.ok(high.length > 0 && high.every((m) => m.riskScore === 'High'));
    const combined = values(await call("/api/machines?$filter=osPlatform eq 'Linux' and healthStatus ne 'Inactive'"));
    assert.ok(combined.length > 0 && combined.every((m) => m.osPlatform === 'Linux' && m.healthStatus !== 'Inactive'));
    const starts = values(await call("/api/machines?$filter=startswith(computerDnsName,'fin-ws-01')"));
    assert.ok(starts.length >= 9 && starts.every((m) => String(m.computerDnsName).startsWith('fin-ws-01')));
    for (const bad of ["lastExternalIpAddress eq '192.0.2.10'", "lastIpAddress eq", "lastIpAddress has '10'", "bogus eq 'x'"]) {
      const e = await call(`/api/machines?$filter=${encodeURIComponent(bad)}`);
      assert.equal(e.status, 400, bad);
      assert.equal(errorOf(e).code, 'ODataError', bad);
    }
    assert.equal(errorOf(await call('/api/machines?$orderby=lastSeen')).code, 'ODataError');
  });

  test('$top and $skip page the list and a full page carries an @odata.nextLink that leads to the rest', async () => {
    const all = values(await call('/api/machines'));
    assert.ok(all.length >= 200, 'a few hundred machines');
    const seen: unknown[] = [];
    let next: string | undefined = '/api/machines?$top=70';
    let pages = 0;
    while (next) {
      const r = await call(next.replace(sim.url, ''));
      assert.equal(r.status, 200);
      seen.push(...values(r).map((m) => m.id));
      next = r.body['@odata.nextLink'] as string | undefined;
      if (next) assert.ok(next.startsWith(sim.url), 'nextLink stays on the same origin');
      assert.ok(++pages < 20);
    }
    assert.deepEqual(seen, all.map((m) => m.id));
    const skipped = values(await call('/api/machines?$top=5&$skip=10'));
    assert.deepEqual(skipped.map((m) => m.id), all.slice(10, 15).map((m) => m.id));
    const tooBig = await call('/api/machines?$top=10001');
    assert.equal(tooBig.status, 400);
    assert.equal(errorOf(tooBig).code, 'ODataError');
  });

  test('hostile machine names are served verbatim (for the surfaces to render inert)', async () => {
    const r = values(await call('/api/machines'));
    const names = r.map((m) => String(m.computerDnsName));
    assert.ok(names.some((n) => n.includes(HOSTILE_STRINGS.img)));
    assert.ok(names.some((n) => n.includes(HOSTILE_STRINGS.commandLink) && n.includes(HOSTILE_STRINGS.bold)));
    assert.ok(names.some((n) => n.includes(HOSTILE_STRINGS.rtl)));
  });
});

describe('request log', () => {
  test('records method, path, family, status, time and audience; resetRequests clears it', async () => {
    sim.resetRequests();
    await call(`/api/ips/${DEMO_C2_IP}/stats`);
    await call('/v1.0/security/runHuntingQuery', { token: graph, body: { Query: 'AlertInfo | take 1' } });
    const [a, b] = sim.requests();
    assert.equal(sim.requests().length, 2);
    assert.deepEqual([a?.method, a?.family, a?.status, a?.audience, a?.time], ['GET', 'entity', 200, 'defender', NOW]);
    assert.match(a?.path ?? '', /\/stats$/);
    assert.deepEqual([b?.method, b?.family, b?.status, b?.audience], ['POST', 'hunting', 200, 'graph']);
    sim.resetRequests();
    assert.deepEqual(sim.requests(), []);
  });
});

test('the request log route tells what the tenant was asked, and is not itself in it', async () => {
  const s = await startSimulator({ host: '127.0.0.1', port: 0 });
  try {
    const empty = (await (await fetch(`${s.url}${SIMULATOR_REQUESTS_PATH}`)).json()) as { requests: unknown[] };
    assert.deepEqual(empty.requests, []);
    const token = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS });
    await fetch(`${s.apiBaseUrl}/api/ips/${DEMO_C2_IP}/stats?lookBackHours=24`, { headers: { authorization: `Bearer ${token}` } });
    const log = (await (await fetch(`${s.url}${SIMULATOR_REQUESTS_PATH}`)).json()) as { requests: { path: string; status: number }[] };
    assert.equal(log.requests.length, 1);
    assert.match(log.requests[0].path, /\/api\/ips\/198\.51\.100\.23\/stats/);
    assert.equal(log.requests[0].status, 200);
    assert.equal(s.requests().length, 1);
  } finally {
    await s.close();
  }
});
