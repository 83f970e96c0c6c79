// The machine view against the simulated tenant over real HTTP (the client and the service the panel and the CLI
// use): every section for a C2 machine, a 403 per section naming its permission, an unknown machine, an ambiguous
// name, the logged-on users route, and the story's hostile strings arriving as data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefenderClient } from '../../src/core/defender/defenderClient';
import { MachineService } from '../../src/core/machine/machineService';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_ADMIN_ACCOUNT } from '../../src/simulator/logonUsers';
import {
  DEMO_BUSY_MACHINE_NAME,
  DEMO_C2_FALLBACK_IP,
  DEMO_C2_IP,
  DEMO_HOLDER_ID,
  DEMO_HOLDER_NAME,
  DEMO_HOSTILE_MACHINE_NAMES,
  DEMO_INTERNAL_IP,
  DEMO_STAGE2_IP,
  HOSTILE_STRINGS,
  demoInternalHolderAt,
} from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

let sim: SimulatorHandle;

before(async () => {
  sim = await startSimulator({ rateLimits: { entityPerMinute: 100_000, entityPerHour: 100_000, huntingPerMinute: 100_000, huntingPerHour: 100_000 } });
});
after(() => sim.close());

function serviceWith(permissions: readonly string[] = ALL_PERMISSIONS): MachineService {
  const tokens = {
    defender: issueSimulatorToken({ audience: 'defender', permissions }),
    graph: issueSimulatorToken({ audience: 'graph', permissions }),
  };
  const client = new DefenderClient({
    apiBaseUrl: sim.apiBaseUrl,
    graphBaseUrl: sim.graphBaseUrl,
    getToken: (resource) => Promise.resolve(resource === 'graph' ? tokens.graph : tokens.defender),
    cacheScope: `test-${permissions.join(',')}`,
    retry: { maxRetries: 0 },
  });
  return new MachineService(client);
}

describe('every section for a C2 machine', () => {
  test('overview, alerts (with evidence IPs), logged-on users, remote addresses rarest first, timeline', async () => {
    sim.resetRequests();
    const v = await serviceWith().investigateAll({ machineId: DEMO_HOLDER_ID, lookback: '7d' });
    assert.deepEqual(v.problems, []);
    assert.equal(v.machine?.computerDnsName, DEMO_HOLDER_NAME);
    assert.equal(v.machine?.riskScore, 'High');
    assert.ok((v.alerts ?? []).length >= 3);
    assert.ok(v.alerts?.every((a) => a.machineId === DEMO_HOLDER_ID));
    assert.ok(v.alerts?.some((a) => a.evidence.some((e) => e.ipAddress === DEMO_C2_IP)), 'evidence IPs arrive with the alerts');
    const users = v.logonUsers ?? [];
    assert.ok(users.some((u) => u.accountName === 'jdoe' && u.logonTypes.includes('Interactive')));
    assert.ok(users.some((u) => u.accountName === DEMO_ADMIN_ACCOUNT && u.isDomainAdmin === true && u.logonTypes.includes('RemoteInteractive')));
    const remotes = v.network?.remotes ?? [];
    assert.equal(remotes[0]?.ip, DEMO_STAGE2_IP, 'the address only this machine talked to comes first');
    assert.equal(remotes[0]?.orgPrevalence, 1);
    const c2 = remotes.find((r) => r.ip === DEMO_C2_IP);
    assert.ok(c2 && c2.orgPrevalence > 1 && c2.connections > 10);
    assert.ok(remotes.find((r) => r.ip === DEMO_C2_FALLBACK_IP), 'the fallback C2 host');
    assert.ok(remotes.some((r) => r.internal) && remotes.some((r) => !r.internal), 'public and internal addresses');
    assert.ok((v.timeline ?? []).length > 0 && v.timeline?.every((e) => e.deviceId === DEMO_HOLDER_ID));
    const calls = sim.requests();
    assert.equal(calls.filter((r) => r.family === 'hunting').length, 2, 'network activity and timeline: one hunting query each');
    assert.equal(calls.filter((r) => r.family === 'entity').length, 3);
  });

  test('hostile strings in user and process names arrive as data (for the surfaces to show as text)', async () => {
    const hostile = sim.story.machineByName.get(DEMO_HOSTILE_MACHINE_NAMES[0].toLowerCase());
    const bold = sim.story.machineByName.get(DEMO_HOSTILE_MACHINE_NAMES[1].toLowerCase());
    assert.ok(hostile && bold);
    const s = serviceWith();
    const v = await s.investigateAll({ machineId: hostile.id, lookback: '7d' });
    assert.ok(v.logonUsers?.some((u) => u.accountName === HOSTILE_STRINGS.img && u.accountDomain === HOSTILE_STRINGS.bold));
    assert.ok(v.timeline?.some((e) => e.commandLine?.includes(HOSTILE_STRINGS.script)));
    const b = await s.investigateAll({ machineId: bold.id, lookback: '7d' });
    assert.ok(b.network?.remotes.some((r) => r.processes.includes(`${HOSTILE_STRINGS.bold}.exe`)));
  });
});

describe('permissions: each section fails on its own, naming what to grant', () => {
  const cases: [permission: string, section: string][] = [
    ['Machine.Read.All', 'overview'],
    ['Alert.Read.All', 'alerts'],
    ['User.Read.All', 'logonUsers'],
  ];
  for (const [permission, section] of cases) {
    test(`without ${permission}: only ${section} fails`, async () => {
      const v = await serviceWith(ALL_PERMISSIONS.filter((p) => p !== permission)).investigateAll({ machineId: DEMO_HOLDER_ID, lookback: '7d' });
      assert.deepEqual(
        v.problems.map((p) => p.source),
        [section],
      );
      const p = v.problems[0];
      assert.equal(p.kind, 'permission');
      assert.match(p.permission ?? '', new RegExp(permission.replace(/\./g, '\\.')));
      assert.ok(v.network && v.timeline, 'the hunting sections still arrived');
    });
  }

  test('without any hunting permission: network activity and timeline fail, the rest arrives', async () => {
    const v = await serviceWith(ALL_PERMISSIONS.filter((p) => p !== 'ThreatHunting.Read.All' && p !== 'AdvancedQuery.Read.All')).investigateAll({ machineId: DEMO_HOLDER_ID, lookback: '7d' });
    assert.deepEqual(v.problems.map((p) => p.source).sort(), ['network', 'timeline']);
    assert.ok(v.problems.every((p) => p.kind === 'permission' && /AdvancedQuery\.Read/.test(p.permission ?? '')));
    assert.ok(v.machine && v.alerts && v.logonUsers);
  });
});

describe('finding the machine', () => {
  test('an unknown id: the overview says null; its alerts and users are empty (404 is nothing found)', async () => {
    const v = await serviceWith().investigateAll({ machineId: '0'.repeat(40), lookback: '1d' });
    assert.equal(v.machine, null);
    assert.deepEqual(v.alerts, []);
    assert.deepEqual(v.logonUsers, []);
    assert.deepEqual(v.network?.remotes, []);
    assert.deepEqual(v.problems, []);
    const r = sim.requests().filter((q) => q.path.includes('/logonusers')).at(-1);
    assert.equal(r?.status, 404);
  });

  test('a short name, a full name, an ambiguous prefix, an unknown name, an address at a time', async () => {
    const s = serviceWith();
    const short = await s.resolve({ kind: 'name', name: 'fin-ws-017' });
    assert.equal(short.kind === 'found' && short.machine.id, DEMO_HOLDER_ID);
    const full = await s.resolve({ kind: 'name', name: DEMO_HOLDER_NAME.toUpperCase() });
    assert.equal(full.kind === 'found' && full.machine.id, DEMO_HOLDER_ID);
    const ambiguous = await s.resolve({ kind: 'name', name: 'fin-ws-01' });
    assert.ok(ambiguous.kind === 'ambiguous');
    assert.equal(ambiguous.candidates.length, 10);
    assert.ok(ambiguous.candidates.every((m) => m.computerDnsName?.startsWith('fin-ws-01')));
    assert.equal((await s.resolve({ kind: 'name', name: 'no-such-host' })).kind, 'notFound');
    const held = await s.resolve({ kind: 'ip', ip: DEMO_INTERNAL_IP, at: demoInternalHolderAt(Date.now()).toISOString() });
    assert.equal(held.kind === 'found' && held.machine.id, DEMO_HOLDER_ID);
    assert.ok(sim.requests().some((q) => decodeURIComponent(q.path).includes("startswith(computerDnsName,'fin-ws-01')")));
  });

  test('the logged-on users route answers the documented shape, 404 for an unknown machine, 403 without User.Read.All', async () => {
    const token = (permissions: readonly string[]) => issueSimulatorToken({ audience: 'defender', permissions });
    const get = (id: string, permissions: readonly string[] = ALL_PERMISSIONS) => fetch(`${sim.url}/api/machines/${id}/logonusers`, { headers: { authorization: `Bearer ${token(permissions)}` } });
    const ok = await get(DEMO_HOLDER_ID);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { '@odata.context': string; value: Record<string, unknown>[] };
    assert.match(body['@odata.context'], /\$metadata#Users$/);
    for (const k of ['id', 'accountName', 'accountDomain', 'accountSid', 'firstSeen', 'lastSeen', 'mostPrevalentMachineId', 'leastPrevalentMachineId', 'logonTypes', 'logOnMachinesCount', 'isDomainAdmin', 'isOnlyNetworkUser']) {
      assert.ok(k in body.value[0], k);
    }
    assert.equal((await get('f'.repeat(40))).status, 404);
    const denied = await get(DEMO_HOLDER_ID, ['Machine.Read.All']);
    assert.equal(denied.status, 403);
    assert.match(((await denied.json()) as { error: { message: string } }).error.message, /User\.Read\.All/);
  });
});

test('benchmark scale: the busy server has the requested distinct remote addresses from one hunting query', async () => {
  const big = await startSimulator({ scale: { busyRemotes: 1200 }, rateLimits: { huntingPerMinute: 1000, huntingPerHour: 1000 } });
  try {
    const busy = big.story.machineByName.get(DEMO_BUSY_MACHINE_NAME);
    assert.ok(busy);
    const tokens = { defender: issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS }), graph: issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS }) };
    const client = new DefenderClient({ apiBaseUrl: big.apiBaseUrl, graphBaseUrl: big.graphBaseUrl, getToken: (r) => Promise.resolve(r === 'graph' ? tokens.graph : tokens.defender), cacheScope: 'big' });
    const n = await new MachineService(client).networkActivity(busy.id, '7d');
    const bench = n.remotes.filter((r) => r.ipClass === 'benchmarking');
    assert.equal(bench.length, 1200);
    assert.equal(bench.filter((r) => r.orgPrevalence === 2).length, 120, 'a tenth also reached another server');
    assert.equal(big.requests().filter((r) => r.family === 'hunting').length, 1);
  } finally {
    await big.close();
  }
});
