import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFacts } from '../../src/core/investigation/investigationService';
import { MAX_ADDRESSES, MachinesStore, machinesOf } from '../../src/features/tree/machinesStore';
import { childrenOf, findMachineNode, machineIcon, parentOf, relativeTime } from '../../src/features/tree/treeModel';
import { ContextFlag, viewItemHas } from '../../src/features/tree/contextValues';
import { DEMO_HOSTILE_MACHINE_NAMES, HOSTILE_STRINGS } from '../../src/simulator/story';
import type { Machine } from '../../src/shared/defenderModel';
import type { Investigation } from '../../src/shared/investigation';

const NOW = Date.parse('2026-11-20T12:00:00Z');

function facts(ip: string) {
  const v = addressFacts(ip);
  assert.ok(v.ok);
  return v.facts;
}

function machine(id: string, extra: Partial<Machine> = {}): Machine {
  return { id, machineTags: [], ipAddresses: [], ...extra };
}

function c2(): Investigation {
  return {
    address: facts('198.51.100.23'),
    lookback: '7d',
    machines: [
      { id: 'm1', name: 'old-ws', events: 2, lastSeen: '2026-11-10T00:00:00Z', remotePorts: [443], localPorts: [], processes: [], files: [] },
      { id: 'm2', name: DEMO_HOSTILE_MACHINE_NAMES[1], events: 9, lastSeen: '2026-11-20T09:00:00Z', remotePorts: [443, 8443], localPorts: [51522], processes: ['powershell.exe', `${HOSTILE_STRINGS.bold}.exe`], files: [] },
    ],
    machineDetails: { m2: machine('m2', { computerDnsName: DEMO_HOSTILE_MACHINE_NAMES[1], osPlatform: 'Windows11', riskScore: 'High', healthStatus: 'Active', lastIpAddress: '10.1.2.3', machineTags: [HOSTILE_STRINGS.script] }) },
    alerts: [{ id: 'a1', title: HOSTILE_STRINGS.img, severity: 'High', status: 'New', machineId: 'm2', mitreTechniques: [], evidence: [] }],
    problems: [],
  };
}

test('machines merge hunting, details, findbyip and alerts; most recent first', () => {
  const inv = c2();
  inv.machinesAtTime = { at: '2026-11-20T10:00:00Z', from: '', to: '', cachedAt: '', machines: [machine('m3', { computerDnsName: 'fin-ws-017.corp.contoso.com' }), machine('m2')] };
  const ms = machinesOf(inv);
  assert.deepEqual(ms.map((m) => m.id), ['m2', 'm1', 'm3']);
  assert.equal(ms[0].riskScore, 'High');
  assert.equal(ms[0].heldAtTime, true);
  assert.equal(ms[0].alerts.length, 1);
  assert.equal(ms[2].name, 'fin-ws-017.corp.contoso.com');
  assert.equal(ms[2].observed, false);
});

test('the store keeps the newest address first, at most 50, and tells listeners', () => {
  const store = new MachinesStore(() => NOW);
  const events: (string | undefined)[] = [];
  const sub = store.onDidChange((e) => events.push(e.ip));
  store.upsert(c2());
  store.begin({ facts: facts('10.248.240.38'), lookback: '7d', at: '2026-11-20T10:00:00Z' });
  assert.deepEqual(store.entries().map((e) => e.ip), ['10.248.240.38', '198.51.100.23']);
  assert.equal(store.get('10.248.240.38')!.loading, true);
  store.end('10.248.240.38');
  assert.equal(store.get('10.248.240.38')!.loading, false);
  store.upsert(c2());
  assert.equal(store.entries()[0].ip, '10.248.240.38', 'an update (a panel refreshing) keeps the order');
  store.begin({ facts: facts('198.51.100.23'), lookback: '7d' });
  assert.equal(store.entries()[0].ip, '198.51.100.23', 'a new investigation goes on top');
  assert.equal(store.remove('198.51.100.23'), true);
  assert.equal(store.remove('198.51.100.23'), false);
  for (let i = 0; i < MAX_ADDRESSES + 5; i++) store.upsert({ ...c2(), address: facts(`192.0.2.${i}`) });
  assert.equal(store.entries().length, MAX_ADDRESSES);
  sub.dispose();
  const before = events.length;
  store.clear();
  assert.equal(events.length, before);
  assert.ok(before > 5);
});

test('nodes: the newest address expanded, machines with OS, risk, health, last seen and events; escaped tooltips', () => {
  const store = new MachinesStore(() => NOW);
  store.upsert({ ...c2(), address: facts('192.0.2.1') });
  store.upsert(c2());
  const roots = childrenOf(store, undefined, NOW);
  assert.deepEqual(roots.map((r) => [r.label, r.collapsible]), [['198.51.100.23', 'expanded'], ['192.0.2.1', 'collapsed']]);
  assert.match(roots[0].description!, /^2 machines · 7 d$/);
  const machines = childrenOf(store, roots[0], NOW);
  const hostile = machines[0];
  assert.equal(hostile.kind, 'machine');
  assert.equal(hostile.description, 'Windows11 · risk High · Active · 3 h ago · 9 events');
  assert.deepEqual(hostile.icon, { id: 'vm-active', color: 'charts.red' });
  assert.ok(!hostile.tooltip!.includes(HOSTILE_STRINGS.script));
  assert.ok(!hostile.tooltip!.includes('[link](command:'));
  assert.match(hostile.contextValue, /\bmachine\b/);
  assert.match(hostile.contextValue, new RegExp(`\\b${ContextFlag.lastIp}\\b`));
  assert.doesNotMatch(roots[0].contextValue, /\bmachine\b/);
  assert.equal(viewItemHas(ContextFlag.machine), 'viewItem =~ /\\bmachine\\b/');

  const details = childrenOf(store, hostile, NOW);
  const labels = details.map((d) => d.label);
  for (const l of ["OS", "Risk", "Health", "Last seen", "Events", "Last IP", "Remote ports", "Local ports", "Processes", "Related alerts", "Tags"]) assert.ok(labels.includes(l), `${l} in ${labels.join(",")}`);
  const processes = childrenOf(store, details.find((d) => d.label === 'Processes'), NOW);
  assert.deepEqual(processes.map((p) => p.label), ['powershell.exe', `${HOSTILE_STRINGS.bold}.exe`]);
  const alerts = childrenOf(store, details.find((d) => d.label === 'Related alerts'), NOW);
  assert.equal(alerts[0].kind, 'alert');
  assert.doesNotMatch(alerts[0].tooltip!, /(^|[^\\])<img/, 'a tag stays backslash-escaped');

  // reveal walks up through stable ids
  const found = findMachineNode(store, '198.51.100.23', 'm2', NOW)!;
  assert.equal(found.id, hostile.id);
  assert.equal(parentOf(store, found, NOW)!.id, roots[0].id);
  assert.equal(parentOf(store, processes[0], NOW)!.id, details.find((d) => d.label === 'Processes')!.id);
  assert.equal(parentOf(store, roots[0], NOW), undefined);
});

test('an address with no machines says so, or that it is loading', () => {
  const store = new MachinesStore(() => NOW);
  store.begin({ facts: facts('203.0.113.80'), lookback: '1d' });
  const root = childrenOf(store, undefined, NOW)[0];
  assert.equal(childrenOf(store, root, NOW)[0].label, 'Looking up machines…');
  store.upsert({ address: facts('203.0.113.80'), lookback: '1d', machines: [], problems: [] }, { loading: false });
  assert.equal(childrenOf(store, childrenOf(store, undefined, NOW)[0], NOW)[0].label, 'Not observed in your organisation in the past 1 d');
});

test('relative times and icons', () => {
  assert.equal(relativeTime('2026-11-20T11:58:00Z', NOW), '2 min ago');
  assert.equal(relativeTime('2026-11-18T12:00:00Z', NOW), '2 d ago');
  assert.equal(relativeTime(undefined, NOW), '');
  assert.deepEqual(machineIcon({ healthStatus: 'Inactive', riskScore: 'Low' } as never), { id: 'vm-outline', color: 'charts.yellow' });
});

test('two surfaces streaming the same address merge section by section; another look-back replaces', () => {
  const store = new MachinesStore(() => NOW);
  const full = c2();
  store.upsert({ ...full, alerts: undefined, problems: [{ source: 'alerts', kind: 'timeout', message: 'slow' }] });
  store.upsert({ address: full.address, lookback: '7d', alerts: full.alerts, problems: [] });
  const merged = store.get('198.51.100.23')!.investigation;
  assert.equal(merged.machines?.length, 2, 'kept the machines of the first');
  assert.equal(merged.alerts?.length, 1, 'added the alerts of the second');
  assert.deepEqual(merged.problems, [], 'the alerts problem is answered');
  assert.equal(merged.machineDetails?.m2?.riskScore, 'High');
  store.upsert({ address: full.address, lookback: '30d', problems: [] });
  assert.equal(store.get('198.51.100.23')!.investigation.machines, undefined);
});

test('work that began before an address left the list does not bring it back; later work does', () => {
  const store = new MachinesStore(() => NOW);
  store.upsert(c2());
  const before = store.stamp('198.51.100.23');
  store.remove('198.51.100.23');
  store.upsert(c2(), { loading: false, stamp: before });
  assert.equal(store.get('198.51.100.23'), undefined, 'a panel still loading when it was removed');
  store.upsert(c2(), { loading: false, stamp: store.stamp('198.51.100.23') });
  assert.ok(store.get('198.51.100.23'), 'a run started after the removal');
  const again = store.stamp('198.51.100.23');
  store.clear();
  store.upsert(c2(), { stamp: again });
  assert.equal(store.entries().length, 0, 'the view was cleared meanwhile');
});
