import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvestigationService, findByIpTimeProblem } from '../../src/core/investigation/investigationService';
import { PermissionError, TimeoutError } from '../../src/core/defender/errors';
import type { CallOptions, DefenderApi, Fetched, HuntingResult } from '../../src/shared/defenderModel';
import type { InvestigationUpdate } from '../../src/shared/investigation';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const fetched = <T>(data: T): Fetched<T> => ({ data, cachedAt: new Date(NOW).toISOString(), fromCache: false });

/** An in-process DefenderApi whose answers each test scripts; it records every call. */
function scriptedApi(overrides: Partial<DefenderApi> = {}) {
  const calls: string[] = [];
  const hunting = (q: string): HuntingResult => {
    if (q.includes('summarize FirstSeen')) {
      return {
        source: 'graph',
        schema: [],
        results: [
          { DeviceId: 'a1', DeviceName: 'fin-ws-017', FirstSeen: '2026-11-20T00:00:00Z', LastSeen: '2026-11-24T00:00:00Z', Events: 12, RemotePorts: '[443,8443]', LocalPorts: [], Processes: ['rundll32.exe'], Files: [] },
          { DeviceId: 'b2', DeviceName: 'hr-lt-044', Events: '3', RemotePorts: [443], Processes: '["powershell.exe"]' },
          { DeviceName: 'no-id-row' },
        ],
      };
    }
    if (q.includes('project Timestamp')) {
      return { source: 'graph', schema: [], results: [{ Timestamp: '2026-11-24T00:00:00Z', DeviceId: 'a1', DeviceName: 'fin-ws-017', ActionType: 'ConnectionSuccess', RemotePort: 443 }] };
    }
    return { source: 'graph', schema: [], results: [{ Day: '2026-11-24T00:00:00Z', Machines: 2, Events: 15 }] };
  };
  const api: DefenderApi = {
    getIpStats: (ip, hours) => {
      calls.push(`stats ${ip} ${hours}`);
      return Promise.resolve(fetched({ ipAddress: ip, organizationPrevalence: 2, orgFirstSeen: '2026-11-20T00:00:00Z', orgLastSeen: '2026-11-24T00:00:00Z' }));
    },
    getIpAlerts: (ip) => {
      calls.push(`alerts ${ip}`);
      return Promise.resolve(fetched([
        { id: 'old', title: 'Old', severity: 'Low', status: 'Resolved', alertCreationTime: '2026-11-01T00:00:00Z', mitreTechniques: [], evidence: [] },
        { id: 'new', title: 'New', severity: 'High', status: 'New', alertCreationTime: '2026-11-24T00:00:00Z', mitreTechniques: [], evidence: [] },
      ]));
    },
    runHuntingQuery: (q: string, _o?: CallOptions) => {
      calls.push(`hunt ${q.split('\n')[3] ?? ''}`);
      return Promise.resolve(fetched(hunting(q)));
    },
    findMachinesByIp: (ip, at) => {
      calls.push(`findbyip ${ip} ${at.toISOString()}`);
      return Promise.resolve(fetched([{ id: 'a1', computerDnsName: 'fin-ws-017', machineTags: [], ipAddresses: [] }]));
    },
    getMachine: (id) => {
      calls.push(`machine ${id}`);
      return Promise.resolve(fetched({ id, computerDnsName: id, osPlatform: 'Windows11', machineTags: [], ipAddresses: [] }));
    },
    findMachinesByLastIp: () => Promise.resolve(fetched([])),
    getMachineAlerts: () => Promise.resolve(fetched([])),
    ...overrides,
  };
  return { api, calls };
}

test('a public address gets every section, parsed tolerantly, newest alert first', async () => {
  const { api, calls } = scriptedApi();
  const inv = await new InvestigationService(api, { now: () => NOW }).investigateAll({ address: '198.51.100[.]23', lookback: '7d' });
  assert.equal(inv.address.ip, '198.51.100.23');
  assert.equal(inv.address.defanged, true);
  assert.equal(inv.stats?.prevalence, 2);
  assert.deepEqual(inv.alerts?.map((a) => a.id), ['new', 'old']);
  assert.deepEqual(inv.machines?.map((m) => [m.id, m.events, m.remotePorts, m.processes]), [
    ['a1', 12, [443, 8443], ['rundll32.exe']],
    ['b2', 3, [443], ['powershell.exe']],
  ]);
  assert.equal(inv.timeline?.[0]?.remotePort, 443);
  assert.equal(inv.daily?.[0]?.machines, 2);
  assert.deepEqual(Object.keys(inv.machineDetails ?? {}).sort(), ['a1', 'b2']);
  assert.equal(inv.machinesAtTime, undefined);
  assert.match(inv.machinesAtTimeNote ?? '', /internal/);
  assert.ok(calls.includes('stats 198.51.100.23 168'));
  assert.ok(!calls.some((c) => c.startsWith('findbyip')));
  assert.deepEqual(inv.problems, []);
});

test('invalid input is rejected before any request', async () => {
  const { api, calls } = scriptedApi();
  const service = new InvestigationService(api, { now: () => NOW });
  await assert.rejects(service.investigateAll({ address: '10.0.0.300', lookback: '7d' }), RangeError);
  await assert.rejects(service.investigateAll({ address: '10.0.0.1', lookback: '2d' as never }), RangeError);
  await assert.rejects(service.investigateAll({ address: '10.0.0.1', at: new Date('x'), lookback: '7d' }), RangeError);
  assert.deepEqual(calls, []);
});

test('an internal address with a recent time asks findbyip; outside the window it says why and asks nothing', async () => {
  const { api, calls } = scriptedApi();
  const service = new InvestigationService(api, { now: () => NOW });
  const at = new Date(NOW - 2 * 3600_000);
  const inv = await service.investigateAll({ address: '10.248.240.38', at, lookback: '1d' }, { sections: ['machinesAtTime'] });
  assert.equal(inv.machinesAtTime?.machines[0]?.id, 'a1');
  assert.equal(inv.machinesAtTime?.from, new Date(at.getTime() - 15 * 60_000).toISOString());
  assert.deepEqual(calls, [`findbyip 10.248.240.38 ${at.toISOString()}`]);

  calls.length = 0;
  const old = await service.investigateAll({ address: '10.248.240.38', at: new Date(NOW - 31 * 86400_000), lookback: '1d' }, { sections: ['machinesAtTime'] });
  assert.match(old.machinesAtTimeNote ?? '', /30 days/);
  const future = await service.investigateAll({ address: '10.248.240.38', at: new Date(NOW + 60_000), lookback: '1d' }, { sections: ['machinesAtTime'] });
  assert.match(future.machinesAtTimeNote ?? '', /future/);
  assert.deepEqual(calls, []);
});

test('findByIpTimeProblem draws the 30-day line exactly', () => {
  assert.equal(findByIpTimeProblem(new Date(NOW - 30 * 86400_000), NOW), undefined);
  assert.ok(findByIpTimeProblem(new Date(NOW - 30 * 86400_000 - 1), NOW));
  assert.equal(findByIpTimeProblem(new Date(NOW), NOW), undefined);
  assert.ok(findByIpTimeProblem(new Date(NOW + 1), NOW));
});

test('a failing source degrades its own section only, naming the permission', async () => {
  const { api } = scriptedApi({
    getIpAlerts: () => Promise.reject(new PermissionError('Forbidden', 'Alert.Read.All', { status: 403, requestId: 'req-1' })),
    runHuntingQuery: (q) => (q.includes('project Timestamp') ? Promise.reject(new TimeoutError('Hunting timed out after 120 s.')) : scriptedApi().api.runHuntingQuery(q)),
  });
  const updates: InvestigationUpdate[] = [];
  const it = new InvestigationService(api, { now: () => NOW }).investigate({ address: '198.51.100.23', lookback: '30d' });
  let step = await it.next();
  while (!step.done) {
    updates.push(step.value);
    step = await it.next();
  }
  const inv = step.value;
  assert.equal(inv.stats?.prevalence, 2);
  assert.equal(inv.alerts, undefined);
  assert.equal(inv.timeline, undefined);
  assert.ok(inv.machines && inv.machines.length === 2);
  const alertsProblem = inv.problems.find((p) => p.source === 'alerts');
  assert.equal(alertsProblem?.permission, 'Alert.Read.All');
  assert.equal(alertsProblem?.requestId, 'req-1');
  assert.match(alertsProblem?.remedy ?? '', /Alert\.Read\.All/);
  assert.equal(inv.problems.find((p) => p.source === 'timeline')?.kind, 'timeout');
  // Every section announced loading before it finished, and each finished exactly once.
  for (const s of ['stats', 'alerts', 'machines', 'timeline', 'daily'] as const) {
    const states = updates.filter((u) => u.section === s).map((u) => u.state);
    assert.equal(states[0], 'loading', s);
    assert.equal(states.length, 2, `${s}: ${states.join(',')}`);
  }
});

test('sections can be limited, and details fail softly', async () => {
  let n = 0;
  const { api, calls } = scriptedApi({
    getMachine: (id) => (n++ === 0 ? Promise.reject(new TimeoutError('slow')) : Promise.resolve(fetched({ id, machineTags: [], ipAddresses: [] }))),
  });
  const inv = await new InvestigationService(api, { now: () => NOW }).investigateAll(
    { address: '198.51.100.23', lookback: '7d' },
    { sections: ['machines', 'machineDetails'] },
  );
  assert.equal(Object.keys(inv.machineDetails ?? {}).length, 1);
  assert.deepEqual(inv.problems, []);
  assert.ok(!calls.some((c) => c.startsWith('stats') || c.startsWith('alerts')));
});
