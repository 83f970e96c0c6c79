// The machine service with a scripted MachineApi: sections stream and fail one at a time, remote addresses are
// classified, merged and sorted rarest first, what a user typed is read without a request, and resolving a name or
// an address at a time finds one machine, none, or lists the candidates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionError, TimeoutError } from '../../src/core/defender/errors';
import { MachineService, readTypedMachine, remoteAddressesOf } from '../../src/core/machine/machineService';
import type { Fetched, HuntingResult, Machine, MachineApi } from '../../src/shared/defenderModel';
import type { MachineUpdate } from '../../src/shared/machine';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const ID = 'b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02';
const fetched = <T>(data: T, cachedAt = new Date(NOW).toISOString()): Fetched<T> => ({ data, cachedAt, fromCache: false });
const machine = (id: string, name?: string): Machine => ({ id, ...(name ? { computerDnsName: name } : {}), machineTags: [], ipAddresses: [] });

function scriptedApi(overrides: Partial<MachineApi> = {}) {
  const calls: string[] = [];
  const hunting = (q: string): HuntingResult => {
    if (q.includes('OrgMachines')) {
      return {
        source: 'graph',
        schema: [],
        results: [
          { RemoteIP: '8.8.8.8', Connections: 9, Failed: '1', Inbound: 0, FirstSeen: '2026-11-20T00:00:00Z', LastSeen: '2026-11-24T00:00:00Z', Ports: '[53]', Processes: ['svchost.exe'], Urls: [''], OrgMachines: 250 },
          { RemoteIP: '198.51.100.161', Connections: 3, LastSeen: '2026-11-23T00:00:00Z', Ports: [443, '443', 99999], Processes: ['rundll32.exe', '', 7], Urls: ['update.example'], OrgMachines: 1 },
          { RemoteIP: '10.20.0.10', Connections: 4, LastSeen: '2026-11-24T01:00:00Z', Ports: [88], Processes: ['lsass.exe'], OrgMachines: 200 },
          { RemoteIP: '2001:DB8::1', Connections: 1, LastSeen: '2026-11-22T00:00:00Z', OrgMachines: 1 },
          { RemoteIP: '2001:db8::1', Connections: 2, LastSeen: '2026-11-24T00:00:00Z', Ports: [443], OrgMachines: 1 },
          { RemoteIP: 'not-an-ip', Connections: 1 },
          { RemoteIP: '203.0.113.9', Connections: 1, LastSeen: '2026-11-24T00:00:00Z', OrgMachines: null },
        ],
      };
    }
    return { source: 'graph', schema: [], results: [{ Timestamp: '2026-11-24T00:00:00Z', DeviceId: ID, DeviceName: 'fin-ws-017', ActionType: 'ConnectionSuccess', RemoteIP: '8.8.8.8', RemotePort: 53 }, { DeviceId: ID }] };
  };
  const api: MachineApi = {
    getMachine: (id) => {
      calls.push(`machine ${id}`);
      return Promise.resolve(fetched(id === ID ? machine(ID, 'fin-ws-017.corp.contoso.com') : undefined));
    },
    getMachineAlerts: (id) => {
      calls.push(`alerts ${id}`);
      return Promise.resolve(
        fetched([
          { id: 'old', title: 'Old', severity: 'Low', status: 'Resolved', lastEventTime: '2026-11-01T00:00:00Z', mitreTechniques: [], evidence: [] },
          { id: 'new', title: 'New', severity: 'High', status: 'New', lastEventTime: '2026-11-24T00:00:00Z', mitreTechniques: [], evidence: [{ ipAddress: '198.51.100.23' }] },
        ]),
      );
    },
    getMachineLogonUsers: (id) => {
      calls.push(`users ${id}`);
      return Promise.resolve(fetched([{ id: 'contoso\\jdoe', accountName: 'jdoe', logonTypes: ['Interactive'], lastSeen: '2026-11-24T00:00:00Z' }]));
    },
    runHuntingQuery: (q) => {
      calls.push(q.includes('OrgMachines') ? 'hunt network' : 'hunt timeline');
      return Promise.resolve(fetched(hunting(q), '2026-11-25T11:00:00.000Z'));
    },
    findMachinesByName: (name, options) => {
      calls.push(`name ${name} ${options?.match} ${options?.limit}`);
      return Promise.resolve(fetched([]));
    },
    findMachinesByIp: (ip, at) => {
      calls.push(`findbyip ${ip} ${at.toISOString()}`);
      return Promise.resolve(fetched([]));
    },
    ...overrides,
  };
  return { api, calls };
}

async function collect(it: AsyncGenerator<MachineUpdate, unknown>): Promise<MachineUpdate[]> {
  const out: MachineUpdate[] = [];
  for (;;) {
    const s = await it.next();
    if (s.done) return out;
    out.push(s.value);
  }
}

test('every section streams: loading first, then each as it arrives; one hunting query each for network and timeline', async () => {
  const { api, calls } = scriptedApi();
  const updates = await collect(new MachineService(api).investigate({ machineId: ID.toUpperCase(), lookback: '7d' }));
  assert.deepEqual(
    updates.slice(0, 5).map((u) => `${u.section}:${u.state}`),
    ['overview:loading', 'alerts:loading', 'logonUsers:loading', 'network:loading', 'timeline:loading'],
  );
  const ready = updates.filter((u) => u.state === 'ready');
  assert.equal(ready.length, 5);
  const last = ready.at(-1);
  assert.ok(last?.state === 'ready');
  const v = last.investigation;
  assert.equal(v.machineId, ID, 'the id is lower-cased');
  assert.equal(v.machine?.computerDnsName, 'fin-ws-017.corp.contoso.com');
  assert.deepEqual(v.alerts?.map((a) => a.id), ['new', 'old'], 'most recent activity first');
  assert.equal(v.logonUsers?.[0].accountName, 'jdoe');
  assert.equal(v.timeline?.length, 1, 'rows without a time are dropped');
  assert.equal(v.cachedAt, '2026-11-25T11:00:00.000Z', 'the oldest data decides the freshness');
  assert.deepEqual(v.problems, []);
  assert.equal(calls.filter((c) => c.startsWith('hunt')).length, 2);
});

test('remote addresses: classified, merged across spellings, unreadable rows counted, rarest first then most recent', async () => {
  const { api } = scriptedApi();
  const v = await new MachineService(api).investigateAll({ machineId: ID, lookback: '30d' });
  const n = v.network;
  assert.ok(n);
  assert.equal(n.dropped, 1);
  assert.equal(n.truncated, false);
  assert.deepEqual(
    n.remotes.map((r) => `${r.ip}/${r.orgPrevalence}`),
    ['2001:db8::1/1', '203.0.113.9/1', '198.51.100.161/1', '10.20.0.10/200', '8.8.8.8/250'],
  );
  const v6 = n.remotes.find((r) => r.ip === '2001:db8::1');
  assert.equal(v6?.connections, 3, 'two spellings of one address merged');
  assert.equal(v6?.lastSeen, '2026-11-24T00:00:00Z');
  const stage2 = n.remotes.find((r) => r.ip === '198.51.100.161');
  assert.deepEqual(stage2?.ports, [443], 'ports deduplicated, out-of-range dropped');
  assert.deepEqual(stage2?.processes, ['rundll32.exe']);
  assert.equal(stage2?.ipClass, 'documentation');
  assert.equal(n.remotes.find((r) => r.ip === '10.20.0.10')?.internal, true);
  assert.equal(n.remotes.find((r) => r.ip === '8.8.8.8')?.failed, 1);
  assert.deepEqual(n.remotes.find((r) => r.ip === '8.8.8.8')?.urls, [], 'empty host names dropped');
});

test('a failing source degrades its own section only, naming the permission; a cancellation ends the stream', async () => {
  const { api } = scriptedApi({
    getMachineLogonUsers: () => Promise.reject(new PermissionError('Missing permission', 'User.Read.All', { status: 403, operation: 'getMachineLogonUsers', requestId: 'req-1' })),
    runHuntingQuery: (q) => (q.includes('OrgMachines') ? Promise.reject(new TimeoutError('No answer within 120 s', { operation: 'huntGraph' })) : Promise.resolve(fetched({ source: 'graph', schema: [], results: [] }))),
  });
  const updates = await collect(new MachineService(api).investigate({ machineId: ID, lookback: '7d' }));
  const failed = updates.filter((u) => u.state === 'failed');
  assert.deepEqual(failed.map((u) => u.section).sort(), ['logonUsers', 'network']);
  const users = failed.find((u) => u.section === 'logonUsers');
  assert.ok(users?.state === 'failed');
  assert.equal(users.problem.permission, 'User.Read.All');
  assert.equal(users.problem.requestId, 'req-1');
  assert.match(users.problem.remedy ?? '', /Grant User\.Read\.All/);
  assert.equal(updates.filter((u) => u.state === 'ready').length, 3);

  const controller = new AbortController();
  const cancelling = scriptedApi({
    getMachine: () => {
      controller.abort();
      const e = new Error('aborted');
      e.name = 'AbortError';
      return Promise.reject(e);
    },
  });
  await assert.rejects(new MachineService(cancelling.api).investigateAll({ machineId: ID, lookback: '7d' }, { signal: controller.signal }), /aborted/);
});

test('an unknown machine is a ready overview with null, not a failure; bad input is refused before any request', async () => {
  const { api, calls } = scriptedApi();
  const other = 'a'.repeat(40);
  const v = await new MachineService(api).investigateAll({ machineId: other, lookback: '1d' }, { sections: ['overview'] });
  assert.equal(v.machine, null);
  assert.deepEqual(calls, [`machine ${other}`]);
  calls.length = 0;
  const s = new MachineService(api);
  await assert.rejects(s.investigateAll({ machineId: 'fin-ws-017', lookback: '7d' }), RangeError);
  await assert.rejects(s.investigateAll({ machineId: ID, lookback: '90d' as '7d' }), RangeError);
  await assert.rejects(s.resolve({ kind: 'name', name: "x' or 1 eq 1" }), RangeError);
  await assert.rejects(s.resolve({ kind: 'ip', ip: '198.51.100.23', at: new Date(NOW).toISOString() }), /not an internal address/);
  await assert.rejects(s.resolve({ kind: 'ip', ip: '10.0.0.1', at: new Date(NOW - 40 * 86_400_000).toISOString() }), /more than 30 days/);
  assert.deepEqual(calls, []);
});

test('resolving a name: one prefix lookup; an exact or short name wins; several are listed; none is said', async () => {
  const byName: Record<string, Machine[]> = {
    'fin-ws-017': [machine(ID, 'fin-ws-017.corp.contoso.com'), machine('b'.repeat(40), 'fin-ws-0170.corp.contoso.com')],
    'fin-ws-01': Array.from({ length: 10 }, (_, i) => machine(String(i).repeat(40), `fin-ws-01${i}.corp.contoso.com`)),
    'fin-ws': Array.from({ length: 4 }, (_, i) => machine(String(i).repeat(40), `fin-ws-00${i}.corp.contoso.com`)),
    lonely: [machine(ID, 'lonely-host.corp.contoso.com')],
  };
  const { api, calls } = scriptedApi({
    findMachinesByName: (name, options) => {
      calls.push(`name ${name} ${options?.match} ${options?.limit}`);
      return Promise.resolve(fetched(byName[name] ?? []));
    },
  });
  const s = new MachineService(api, { now: () => NOW, candidateLimit: 3 });
  const exact = await s.resolve({ kind: 'name', name: 'FIN-WS-017' });
  assert.equal(exact.kind === 'found' && exact.machine.id, ID, 'the short name before the first dot wins over fin-ws-0170');
  assert.deepEqual(calls, ['name fin-ws-017 prefix 4']);
  const lonely = await s.resolve({ kind: 'name', name: 'lonely' });
  assert.equal(lonely.kind, 'found', 'a prefix with one match');
  const many = await s.resolve({ kind: 'name', name: 'fin-ws' });
  assert.ok(many.kind === 'ambiguous');
  assert.equal(many.candidates.length, 3);
  assert.equal(many.truncated, true);
  assert.match(many.message, /more than 3 machines/);
  const none = await s.resolve({ kind: 'name', name: 'nothing-here' });
  assert.ok(none.kind === 'notFound');
  assert.match(none.message, /No machine's name starts with 'nothing-here'/);
});

test('resolving an internal address at a time asks findbyip: one, none, several', async () => {
  const answers: Machine[][] = [[machine(ID, 'fin-ws-017')], [], [machine(ID), machine('c'.repeat(40))]];
  const { api, calls } = scriptedApi({
    findMachinesByIp: (ip, at) => {
      calls.push(`findbyip ${ip} ${at.toISOString()}`);
      return Promise.resolve(fetched(answers.shift() ?? []));
    },
  });
  const s = new MachineService(api, { now: () => NOW });
  const at = new Date(NOW - 2 * 86_400_000).toISOString();
  assert.equal((await s.resolve({ kind: 'ip', ip: '10[.]248[.]240[.]38', at })).kind, 'found');
  assert.equal((await s.resolve({ kind: 'ip', ip: '10.248.240.38', at })).kind, 'notFound');
  const several = await s.resolve({ kind: 'ip', ip: '10.248.240.38', at });
  assert.ok(several.kind === 'ambiguous' && several.candidates.length === 2);
  assert.equal(calls[0], `findbyip 10.248.240.38 ${at}`);
  const id = await s.resolve({ kind: 'id', id: 'd'.repeat(40) });
  assert.ok(id.kind === 'notFound' && /no machine with id d{40}/.test(id.message));
});

test('what a user types is read without a request: id, address, name, or a short reason', () => {
  assert.deepEqual(readTypedMachine(` ${ID.toUpperCase()} `), { kind: 'id', id: ID });
  assert.deepEqual(readTypedMachine('10[.]248[.]240[.]38'), { kind: 'address', ip: '10.248.240.38', internal: true });
  assert.deepEqual(readTypedMachine('Fin-WS-017'), { kind: 'name', name: 'fin-ws-017' });
  for (const bad of ['', "x' or 1 eq 1", '<img src=x>', 'a b']) assert.equal(readTypedMachine(bad).kind, 'invalid', bad);
});

test('remoteAddressesOf on 5,000 rows keeps every address once, rarest first', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => ({ RemoteIP: `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, Connections: 1, OrgMachines: 1 + (i % 7), LastSeen: '2026-11-24T00:00:00Z' }));
  const { remotes, dropped } = remoteAddressesOf(rows);
  assert.equal(remotes.length, 5000);
  assert.equal(dropped, 0);
  assert.equal(remotes[0].orgPrevalence, 1);
  assert.equal(remotes.at(-1)?.orgPrevalence, 7);
  assert.equal(remotes[0].ipClass, 'benchmarking');
});

test('a cached hunting answer is not classified again (the same activity comes back); a fresh one is', async () => {
  let fromCache = false;
  const { api } = scriptedApi({
    runHuntingQuery: () => Promise.resolve({ data: { source: 'graph', schema: [], results: [{ RemoteIP: '8.8.8.8', Connections: 1, OrgMachines: 3 }] }, cachedAt: '2026-11-25T11:00:00.000Z', fromCache }),
  });
  const s = new MachineService(api);
  const first = await s.networkActivity(ID, '7d');
  fromCache = true;
  assert.equal(await s.networkActivity(ID, '7d'), first, 'from the cache: the activity built before');
  assert.notEqual(await s.networkActivity(ID, '30d'), first, 'another period is built on its own');
  fromCache = false;
  assert.notEqual(await s.networkActivity(ID, '7d'), first, 'a fresh answer is classified again');
});
