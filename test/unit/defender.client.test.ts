// The Defender client over real HTTP on loopback: every operation, tolerant parsing, 404 = nothing
// found, paging (and refused foreign next links), typed errors with the body's fields, validation
// before any request, token refresh, and no token in logs or messages.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  AuthError,
  BadRequestError,
  CancelledError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  DefenderError,
  ServerError,
} from '../../src/core/defender/errors';
import {
  ALL_TOKENS,
  DEFENDER_TOKEN,
  DEFENDER_TOKEN_REFRESHED,
  GRAPH_TOKEN,
  clientFor,
  collectLogs,
  recordingTokens,
} from '../fixtures/defender/clientSetup';
import { ManualClock } from '../fixtures/defender/clocks';
import { errorBody, startStubServer, type StubServer } from '../fixtures/defender/stubServer';

const NOW = Date.UTC(2026, 10, 20, 9, 0, 0);

const machineJson = (id: string, name: string, ip: string): Record<string, unknown> => ({
  id,
  computerDnsName: name,
  firstSeen: '2026-06-02T09:12:44.1234567Z',
  lastSeen: '2026-11-20T08:20:31.7654321Z',
  osPlatform: 'Windows11',
  osBuild: '22631',
  lastIpAddress: ip,
  rbacGroupId: 42,
  healthStatus: 'Active',
  machineTags: ['finance', 7],
  ipAddresses: [{ ipAddress: ip, macAddress: '00155D0A1B2C', type: 'Ethernet', operationalStatus: 'Up' }, { nope: 1 }],
  somethingNew: { nested: true },
});

const alertJson = (id: string, title: string): Record<string, unknown> => ({
  id,
  title,
  severity: 'Medium',
  status: 'InProgress',
  incidentId: 48213,
  machineId: '4f1c9e2a7b3d5e6f8091a2b3c4d5e6f708192a3b',
  mitreTechniques: ['T1071', 'T1105'],
  relatedUser: { userName: 'jdoe', domainName: 'CONTOSO' },
  evidence: [{ entityType: 'Ip', ipAddress: '198.51.100.23', sha1: null, url: null }],
  futureField: 'ignored',
});

let stub: StubServer;
beforeEach(async () => {
  stub = await startStubServer();
});
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

describe('operations', () => {
  test('getIpStats sends the documented request and reads organizationPrevalence', async () => {
    stub.route('GET', '/api/ips/198.51.100.23/stats', {
      json: { ipAddress: '198.51.100.23', organizationPrevalence: 7, orgPrevalence: '7', orgFirstSeen: '2026-11-04T08:15:02Z', orgLastSeen: '2026-11-10T13:58:47Z', extra: 1 },
    });
    const tokens = recordingTokens();
    const client = clientFor(stub, { getToken: tokens.getToken, clock: new ManualClock(NOW) });
    const r = await client.getIpStats('198.51.100.23', 168);
    assert.deepEqual(r.data, { ipAddress: '198.51.100.23', organizationPrevalence: 7, orgFirstSeen: '2026-11-04T08:15:02Z', orgLastSeen: '2026-11-10T13:58:47Z' });
    assert.equal(r.fromCache, false);
    assert.equal(r.cachedAt, new Date(NOW).toISOString());
    const req = stub.requests[0];
    assert.equal(req?.url, '/api/ips/198.51.100.23/stats?lookBackHours=168');
    assert.equal(req?.headers.authorization, `Bearer ${DEFENDER_TOKEN}`);
    assert.deepEqual(tokens.calls, [{ resource: 'defender', forceRefresh: false }]);
  });

  test('getIpStats accepts the older orgPrevalence string and lower-cases IPv6', async () => {
    stub.route('GET', '/api/ips/2001:db8::1/stats', { json: { orgPrevalence: '63515' } });
    const r = await clientFor(stub).getIpStats('2001:DB8::1', 24);
    assert.equal(r.data.organizationPrevalence, 63515);
    assert.equal(r.data.ipAddress, '2001:db8::1');
  });

  test('getIpAlerts parses alerts, keeps hostile text as data and drops unknown fields', async () => {
    const hostile = '<script>alert(1)</script> [x](command:workbench.action.terminal.new)';
    stub.route('GET', '/api/ips/198.51.100.23/alerts', { json: { value: [alertJson('da1_1', hostile), { noId: true }, 'junk'] } });
    const r = await clientFor(stub).getIpAlerts('198.51.100.23');
    assert.equal(r.data.length, 1);
    const a = r.data[0];
    assert.equal(a?.title, hostile);
    assert.equal(a?.incidentId, 48213);
    assert.deepEqual(a?.mitreTechniques, ['T1071', 'T1105']);
    assert.deepEqual(a?.evidence, [{ entityType: 'Ip', ipAddress: '198.51.100.23' }]);
    assert.equal((a as unknown as Record<string, unknown>).futureField, undefined);
  });

  test('findMachinesByIp builds the OData function call with an unquoted UTC timestamp', async () => {
    stub.route('GET', () => true, { json: { value: [machineJson('4f1c9e2a7b3d5e6f8091a2b3c4d5e6f708192a3b', 'fin-ws-017.corp.contoso.com', '10.248.240.38')] } });
    const client = clientFor(stub, { clock: new ManualClock(NOW) });
    const r = await client.findMachinesByIp('10.248.240.38', new Date(NOW - 3_600_000 + 5_123));
    assert.equal(stub.requests[0]?.url, "/api/machines/findbyip(ip='10.248.240.38',timestamp=2026-11-20T08:00:05Z)");
    const m = r.data[0];
    assert.equal(m?.computerDnsName, 'fin-ws-017.corp.contoso.com');
    assert.equal(m?.osBuild, 22631);
    assert.deepEqual(m?.machineTags, ['finance']);
    assert.deepEqual(m?.ipAddresses, [{ ipAddress: '10.248.240.38', macAddress: '00155D0A1B2C', type: 'Ethernet', operationalStatus: 'Up' }]);
  });

  test('getMachine returns the machine, and undefined on 404', async () => {
    stub.route('GET', '/api/machines/abc123', { json: machineJson('abc123', 'ws-1', '10.0.0.1') });
    stub.route('GET', '/api/machines/missing', { status: 404, json: errorBody('ResourceNotFound', 'Machine missing was not found') });
    const client = clientFor(stub);
    assert.equal((await client.getMachine('abc123')).data?.id, 'abc123');
    assert.equal((await client.getMachine('missing')).data, undefined);
  });

  test('findMachinesByLastIp filters on lastIpAddress and pages with $top/$skip', async () => {
    const page = (n: number): unknown => ({ value: [machineJson(`m${n}a`, 'a', '10.1.2.3'), machineJson(`m${n}b`, 'b', '10.1.2.3')] });
    stub.route('GET', /\$skip=4/, { json: { value: [machineJson('m3a', 'c', '10.1.2.3')] } });
    stub.route('GET', /\$skip=2/, { json: page(2) });
    stub.route('GET', /^\/api\/machines\?\$filter=[^&]+&\$top=2$/, { json: page(1) });
    const r = await clientFor(stub, { paging: { pageSize: 2 } }).findMachinesByLastIp('10.1.2.3');
    assert.deepEqual(
      r.data.map((m) => m.id),
      ['m1a', 'm1b', 'm2a', 'm2b', 'm3a'],
    );
    assert.equal(stub.requests[0]?.url, '/api/machines?$filter=lastIpAddress%20eq%20%2710.1.2.3%27&$top=2');
    assert.equal(stub.requests.length, 3);
  });

  test('getMachineAlerts reads the machine alert collection', async () => {
    stub.route('GET', '/api/machines/abc123/alerts', { json: { value: [alertJson('a1', 'one'), alertJson('a2', 'two')] } });
    const r = await clientFor(stub).getMachineAlerts('abc123');
    assert.deepEqual(
      r.data.map((a) => a.id),
      ['a1', 'a2'],
    );
  });

  test('404 and empty collections both mean nothing found', async () => {
    stub.route('GET', () => true, { status: 404, json: errorBody('NotFound', 'nothing') });
    const client = clientFor(stub, { clock: new ManualClock(NOW) });
    assert.deepEqual((await client.getIpStats('203.0.113.9', 24)).data, { ipAddress: '203.0.113.9', organizationPrevalence: 0 });
    assert.deepEqual((await client.getIpAlerts('203.0.113.9')).data, []);
    assert.deepEqual((await client.findMachinesByIp('10.9.9.9', new Date(NOW - 60_000))).data, []);
    assert.deepEqual((await client.findMachinesByLastIp('10.9.9.9')).data, []);
    assert.deepEqual((await client.getMachineAlerts('abc')).data, []);
    stub.route('GET', () => true, { json: { value: [] } });
    assert.deepEqual((await client.getIpAlerts('203.0.113.10')).data, []);
  });
});

describe('hunting', () => {
  const graphReply = {
    '@odata.context': 'x',
    schema: [
      { name: 'DeviceName', type: 'String' },
      { name: 'LastSeen', type: 'DateTime' },
      { name: 'Connections', type: 'Int64' },
    ],
    results: [{ DeviceName: 'fin-ws-017', LastSeen: '2026-11-10T14:06:40.0Z', Connections: '12', Unlisted: 'x' }],
  };
  const legacyReply = {
    Schema: [
      { Name: 'DeviceName', Type: 'String' },
      { Name: 'RemotePort', Type: 'Int32' },
      { Name: 'Ok', Type: 'Boolean' },
    ],
    Results: [{ DeviceName: 'hr-lt-044', RemotePort: 8443, Ok: 'true' }],
  };

  test('Graph runHuntingQuery: Graph token, Query and Timespan, typed rows', async () => {
    stub.route('POST', '/v1.0/security/runHuntingQuery', { json: graphReply });
    const r = await clientFor(stub, { hunting: 'graph' }).runHuntingQuery('DeviceNetworkEvents | take 1', { timespan: 'P7D' });
    const req = stub.requests[0];
    assert.equal(req?.headers.authorization, `Bearer ${GRAPH_TOKEN}`);
    assert.match(String(req?.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(req?.body ?? ''), { Query: 'DeviceNetworkEvents | take 1', Timespan: 'P7D' });
    assert.equal(r.data.source, 'graph');
    assert.deepEqual(r.data.schema, graphReply.schema);
    assert.deepEqual(r.data.results, [{ DeviceName: 'fin-ws-017', LastSeen: '2026-11-10T14:06:40.0Z', Connections: 12 }]);
  });

  test('legacy advancedqueries/run: Defender token, capitalised shape', async () => {
    stub.route('POST', '/api/advancedqueries/run', { json: legacyReply });
    const r = await clientFor(stub, { hunting: 'defender' }).runHuntingQuery('DeviceNetworkEvents | take 1');
    assert.equal(stub.requests[0]?.headers.authorization, `Bearer ${DEFENDER_TOKEN}`);
    assert.deepEqual(JSON.parse(stub.requests[0]?.body ?? ''), { Query: 'DeviceNetworkEvents | take 1' });
    assert.equal(r.data.source, 'defender');
    assert.deepEqual(r.data.schema, [
      { name: 'DeviceName', type: 'String' },
      { name: 'RemotePort', type: 'Int32' },
      { name: 'Ok', type: 'Boolean' },
    ]);
    assert.deepEqual(r.data.results, [{ DeviceName: 'hr-lt-044', RemotePort: 8443, Ok: true }]);
  });

  test("'auto' falls back to the legacy API when Graph refuses, and remembers it", async () => {
    stub.route('POST', '/v1.0/security/runHuntingQuery', { status: 403, json: errorBody('Forbidden', 'Missing ThreatHunting.Read.All') });
    stub.route('POST', '/api/advancedqueries/run', { json: legacyReply });
    const client = clientFor(stub);
    const r = await client.runHuntingQuery('DeviceNetworkEvents | take 1');
    assert.equal(r.data.source, 'defender');
    await client.runHuntingQuery('DeviceNetworkEvents | take 2');
    assert.deepEqual(
      stub.requests.map((q) => q.path),
      ['/v1.0/security/runHuntingQuery', '/api/advancedqueries/run', '/api/advancedqueries/run'],
    );
    assert.equal(client.stats().huntingFallbacks, 1);
  });

  test("'auto' falls back when no Graph token can be had, without calling Graph", async () => {
    stub.route('POST', '/api/advancedqueries/run', { json: legacyReply });
    const tokens = recordingTokens({ graph: () => Promise.reject(new Error('Set GRAPH_ACCESS_TOKEN')) });
    const r = await clientFor(stub, { getToken: tokens.getToken }).runHuntingQuery('DeviceNetworkEvents | take 1');
    assert.equal(r.data.source, 'defender');
    assert.deepEqual(
      stub.requests.map((q) => q.path),
      ['/api/advancedqueries/run'],
    );
  });

  test("'auto' with both APIs refused names both permissions", async () => {
    stub.route('POST', () => true, { status: 403, json: errorBody('Forbidden', 'no') });
    const e = await rejectsWith(clientFor(stub).runHuntingQuery('DeviceNetworkEvents'), PermissionError);
    assert.match(e.permission, /ThreatHunting\.Read\.All/);
    assert.match(e.permission, /AdvancedQuery\.Read\.All/);
    assert.match(e.message, /ThreatHunting\.Read\.All.*AdvancedQuery\.Read/);
  });

  test("'auto' falls back when Graph cannot be reached", async () => {
    const dead = await startStubServer();
    const graphUrl = dead.url;
    await dead.close();
    stub.route('POST', '/api/advancedqueries/run', { json: legacyReply });
    const r = await clientFor(stub, { graphBaseUrl: graphUrl }).runHuntingQuery('DeviceNetworkEvents | take 1');
    assert.equal(r.data.source, 'defender');
  });

  test("Graph 404 falls back under 'auto' and is a NotFoundError under 'graph'", async () => {
    stub.route('POST', '/v1.0/security/runHuntingQuery', { status: 404, json: errorBody('NotFound', 'no such API', 'req-404') });
    stub.route('POST', '/api/advancedqueries/run', { json: legacyReply });
    assert.equal((await clientFor(stub).runHuntingQuery('x')).data.source, 'defender');
    const e = await rejectsWith(clientFor(stub, { hunting: 'graph' }).runHuntingQuery('x'), NotFoundError);
    assert.equal(e.requestId, 'req-404');
    assert.equal(e.code, 'NotFound');
  });

  test('a hunting body of the wrong shape is a NetworkError', async () => {
    stub.route('POST', () => true, { json: { unexpected: true } });
    await rejectsWith(clientFor(stub, { hunting: 'graph' }).runHuntingQuery('x'), NetworkError);
  });
});

describe('errors', () => {
  test('400 InvalidIpAddress keeps code, message and request id', async () => {
    stub.route('GET', () => true, { status: 400, json: errorBody('InvalidIpAddress', 'IP address 10.0.0.30 is invalid', 'req-123') });
    const e = await rejectsWith(clientFor(stub).getIpStats('10.0.0.30', 24), BadRequestError);
    assert.equal(e.status, 400);
    assert.equal(e.code, 'InvalidIpAddress');
    assert.equal(e.serviceMessage, 'IP address 10.0.0.30 is invalid');
    assert.equal(e.requestId, 'req-123');
    assert.equal(e.operation, 'getIpStats');
  });

  test('other 400s carry the service message, cleaned of control characters', async () => {
    stub.route('POST', () => true, { status: 400, json: errorBody('BadRequest', 'Query execution has exceeded\u202e the allowed result size\n') });
    const e = await rejectsWith(clientFor(stub, { hunting: 'defender' }).runHuntingQuery('x'), BadRequestError);
    assert.equal(e.code, 'BadRequest');
    assert.match(e.message, /exceeded the allowed result size/);
    assert.doesNotMatch(e.message, /[\u202e\n]/);
  });

  test('401: one refresh with forceRefresh, then success', async () => {
    stub.route('GET', () => true, (req) =>
      req.headers.authorization === `Bearer ${DEFENDER_TOKEN_REFRESHED}` ? { json: { organizationPrevalence: 1 } } : { status: 401, json: errorBody('Unauthorized', 'expired') },
    );
    const tokens = recordingTokens();
    const r = await clientFor(stub, { getToken: tokens.getToken }).getIpStats('198.51.100.23', 24);
    assert.equal(r.data.organizationPrevalence, 1);
    assert.deepEqual(tokens.calls, [
      { resource: 'defender', forceRefresh: false },
      { resource: 'defender', forceRefresh: true },
    ]);
    assert.equal(stub.requests.length, 2);
  });

  test('401 twice is an AuthError that says to sign in again', async () => {
    stub.route('GET', () => true, { status: 401, json: errorBody('Unauthorized', 'bad audience', 'req-401') });
    const e = await rejectsWith(clientFor(stub).getIpAlerts('198.51.100.23'), AuthError);
    assert.match(e.message, /expired or was issued for another audience.*[Ss]ign in again/);
    assert.equal(e.requestId, 'req-401');
    assert.equal(stub.requests.length, 2);
  });

  test('a token getter failure is an AuthError and nothing is sent', async () => {
    const tokens = recordingTokens({ defender: () => Promise.reject(new Error('no account')) });
    await rejectsWith(clientFor(stub, { getToken: tokens.getToken }).getIpAlerts('198.51.100.23'), AuthError);
    assert.equal(stub.requests.length, 0);
  });

  const permissionCases: [string, (c: ReturnType<typeof clientFor>) => Promise<unknown>, RegExp][] = [
    ['getIpStats', (c) => c.getIpStats('198.51.100.23', 24), /^Ip\.Read\.All$/],
    ['getIpAlerts', (c) => c.getIpAlerts('198.51.100.23'), /Alert\.Read\.All.*Alert\.Read \(delegated\)/],
    ['findMachinesByIp', (c) => c.findMachinesByIp('10.1.1.1', new Date(Date.now() - 60_000)), /Machine\.Read\.All.*Machine\.Read \(delegated\)/],
    ['getMachine', (c) => c.getMachine('abc'), /Machine\.Read\.All/],
    ['findMachinesByLastIp', (c) => c.findMachinesByLastIp('10.1.1.1'), /Machine\.Read\.All/],
    ['getMachineAlerts', (c) => c.getMachineAlerts('abc'), /Alert\.Read\.All/],
  ];
  for (const [op, run, permission] of permissionCases) {
    test(`403 on ${op} names ${permission.source}`, async () => {
      stub.route('GET', () => true, { status: 403, json: errorBody('Forbidden', 'nope', 'req-403') });
      const e = await rejectsWith(run(clientFor(stub)), PermissionError);
      assert.match(e.permission, permission);
      assert.match(e.message, /grant .* then sign in again/);
      assert.equal(e.operation, op);
      assert.equal(e.requestId, 'req-403');
    });
  }

  test('403 on hunting names AdvancedQuery.Read (legacy) and ThreatHunting.Read.All (Graph)', async () => {
    stub.route('POST', () => true, { status: 403, json: errorBody('Forbidden', 'nope') });
    const legacy = await rejectsWith(clientFor(stub, { hunting: 'defender' }).runHuntingQuery('x'), PermissionError);
    assert.match(legacy.permission, /AdvancedQuery\.Read\.All \(application\) \/ AdvancedQuery\.Read \(delegated\)/);
    const graph = await rejectsWith(clientFor(stub, { hunting: 'graph' }).runHuntingQuery('x'), PermissionError);
    assert.equal(graph.permission, 'ThreatHunting.Read.All');
  });

  test('Graph error bodies give the request id from innerError', async () => {
    stub.route('POST', () => true, { status: 400, json: { error: { code: 'BadRequest', message: 'Syntax error', innerError: { 'request-id': 'graph-req-9' } } } });
    const e = await rejectsWith(clientFor(stub, { hunting: 'graph' }).runHuntingQuery('x'), BadRequestError);
    assert.equal(e.requestId, 'graph-req-9');
  });

  test('429 after the retries is a RateLimitError with retryAfterMs', async () => {
    stub.route('GET', () => true, { status: 429, headers: { 'retry-after': '17' }, json: errorBody('TooManyRequests', 'slow down', 'req-429') });
    const e = await rejectsWith(clientFor(stub).getIpStats('198.51.100.23', 24), RateLimitError);
    assert.equal(e.retryAfterMs, 17_000);
    assert.equal(e.code, 'TooManyRequests');
    assert.equal(e.requestId, 'req-429');
  });

  test('5xx after the retries is a ServerError', async () => {
    stub.route('GET', () => true, { status: 500, json: errorBody('InternalServerError', '') });
    const e = await rejectsWith(clientFor(stub).getIpStats('198.51.100.23', 24), ServerError);
    assert.equal(e.status, 500);
  });

  test('a malformed JSON body is a NetworkError saying so', async () => {
    stub.route('GET', () => true, { body: '<html>proxy login</html>' });
    const e = await rejectsWith(clientFor(stub).getIpStats('198.51.100.23', 24), NetworkError);
    assert.match(e.message, /not valid JSON/);
  });

  test('a refused connection is a NetworkError', async () => {
    const dead = await startStubServer();
    const url = dead.url;
    await dead.close();
    const client = clientFor(stub, { apiBaseUrl: url });
    await rejectsWith(client.getIpStats('198.51.100.23', 24), NetworkError);
  });

  test('an aborted signal is a CancelledError before any request', async () => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(clientFor(stub).getIpStats('198.51.100.23', 24, { signal: ac.signal }), CancelledError);
    assert.equal(stub.requests.length, 0);
  });
});

describe('paging', () => {
  let foreign: StubServer;
  before(async () => {
    foreign = await startStubServer();
    foreign.route('GET', () => true, { json: { value: [] } });
  });
  after(async () => {
    await foreign.close();
  });

  test('follows @odata.nextLink on the same origin', async () => {
    stub.route('GET', '/api/ips/198.51.100.23/alerts', { json: { value: [alertJson('a1', 'one')], '@odata.nextLink': `${stub.url}/api/ips/198.51.100.23/alerts?$skiptoken=abc` } });
    stub.route('GET', /skiptoken=abc/, { json: { value: [alertJson('a2', 'two')], '@odata.nextLink': '/api/ips/198.51.100.23/alerts?$skiptoken=def' } });
    stub.route('GET', /skiptoken=def/, { json: { value: [alertJson('a3', 'three')] } });
    const r = await clientFor(stub).getIpAlerts('198.51.100.23');
    assert.deepEqual(
      r.data.map((a) => a.id),
      ['a1', 'a2', 'a3'],
    );
    assert.ok(stub.requests.every((q) => q.headers.authorization === `Bearer ${DEFENDER_TOKEN}`));
  });

  test('refuses a nextLink to another origin: the token never goes there', async () => {
    stub.route('GET', '/api/ips/198.51.100.23/alerts', { json: { value: [alertJson('a1', 'one')], '@odata.nextLink': `${foreign.url}/steal?x=1` } });
    const e = await rejectsWith(clientFor(stub).getIpAlerts('198.51.100.23'), NetworkError);
    assert.match(e.message, /another host/);
    assert.equal(foreign.requests.length, 0);
  });

  test('stops after maxPages', async () => {
    stub.route('GET', () => true, (req) => ({ json: { value: [alertJson(`a${stub.requests.length}`, 't')], '@odata.nextLink': `${req.path}?page=${stub.requests.length}` } }));
    const r = await clientFor(stub, { paging: { maxPages: 3 } }).getIpAlerts('198.51.100.23');
    assert.equal(r.data.length, 3);
    assert.equal(stub.requests.length, 3);
  });
});

describe('validation happens before any request', () => {
  const client = (): ReturnType<typeof clientFor> => clientFor(stub, { clock: new ManualClock(NOW) });
  const cases: [string, (c: ReturnType<typeof clientFor>) => Promise<unknown>, RegExp][] = [
    ['invalid IPv4', (c) => c.getIpStats('10.0.0.300', 24), /not a valid IP address/],
    ['leading zeros', (c) => c.getIpAlerts('010.1.1.1'), /not a valid IP address/],
    ['zone id', (c) => c.getIpAlerts('fe80::1%eth0'), /not a valid IP address/],
    ['injection attempt', (c) => c.findMachinesByLastIp("10.1.1.1' or 1 eq 1"), /not a valid IP address/],
    ['look-back 0', (c) => c.getIpStats('10.1.1.1', 0), /1 to 720/],
    ['look-back 721', (c) => c.getIpStats('10.1.1.1', 721), /1 to 720/],
    ['look-back 1.5', (c) => c.getIpStats('10.1.1.1', 1.5), /1 to 720/],
    ['future timestamp', (c) => c.findMachinesByIp('10.1.1.1', new Date(NOW + 60_000)), /future/],
    ['31 days ago', (c) => c.findMachinesByIp('10.1.1.1', new Date(NOW - 31 * 86_400_000)), /30 days/],
    ['invalid date', (c) => c.findMachinesByIp('10.1.1.1', new Date('nope')), /valid date/],
    ['machine id with a slash', (c) => c.getMachine('../admin'), /not a machine id/],
    ['machine id with a query', (c) => c.getMachineAlerts('abc?x=1'), /not a machine id/],
    ['empty query', (c) => c.runHuntingQuery('  '), /empty/],
    ['bad timespan', (c) => c.runHuntingQuery('x', { timespan: 'P7D; drop' }), /timespan/],
  ];
  for (const [name, run, message] of cases) {
    test(name, async () => {
      const e = await rejectsWith(run(client()), BadRequestError);
      assert.match(e.message, message);
      assert.equal(e.code, 'ClientValidation');
      assert.equal(stub.requests.length, 0);
    });
  }

  test('the edge of the 30-day window is accepted', async () => {
    stub.route('GET', () => true, { json: { value: [] } });
    await client().findMachinesByIp('10.1.1.1', new Date(NOW - 30 * 86_400_000 + 1_000));
    assert.equal(stub.requests.length, 1);
  });
});

describe('secrets', () => {
  test('no token in logs or error messages', async () => {
    const { logger, lines } = collectLogs();
    stub.route('GET', '/api/ips/198.51.100.1/stats', { json: { organizationPrevalence: 1 } });
    stub.route('GET', '/api/ips/198.51.100.2/stats', { status: 401, json: errorBody('Unauthorized', `token ${DEFENDER_TOKEN} expired`) });
    stub.route('GET', '/api/ips/198.51.100.3/stats', { status: 503, json: errorBody('ServiceUnavailable', 'busy') });
    stub.route('POST', '/v1.0/security/runHuntingQuery', { status: 403, json: errorBody('Forbidden', 'no') });
    stub.route('POST', '/api/advancedqueries/run', { status: 400, json: errorBody('BadRequest', `Authorization: Bearer ${DEFENDER_TOKEN}`) });
    const client = clientFor(stub, { logger, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const messages: string[] = [];
    await client.getIpStats('198.51.100.1', 24);
    const failures = [() => client.getIpStats('198.51.100.2', 24), () => client.getIpStats('198.51.100.3', 24), () => client.runHuntingQuery('x')];
    for (const run of failures) {
      await run().catch((e: unknown) => messages.push(e instanceof DefenderError ? `${e.message} ${e.serviceMessage ?? ''}` : String(e)));
    }
    assert.equal(messages.length, 3);
    assert.ok(lines.length >= 6, 'requests are logged');
    assert.ok(lines.some((l) => l.includes('/api/ips/198.51.100.1/stats')));
    for (const text of [...lines, ...messages]) {
      for (const token of ALL_TOKENS) assert.ok(!text.includes(token), `token leaked into: ${text}`);
      assert.doesNotMatch(text, /eyJhbGciOi/);
    }
  });
});
