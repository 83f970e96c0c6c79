// "Talked to" under a machine in the Machines view (the activity store and the tree model, pure), and the hover's
// "Open machine" link next to a holder at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionError } from '../../src/core/defender/errors';
import { addressFacts } from '../../src/core/investigation/investigationService';
import { HOVER_ENABLED_COMMANDS, buildHoverMarkdown } from '../../src/features/hover/hoverContent';
import { MAX_MACHINES, MachineActivity } from '../../src/features/tree/machineActivity';
import { MachinesStore } from '../../src/features/tree/machinesStore';
import { childrenOf, parentOf, type TreeNodeModel } from '../../src/features/tree/treeModel';
import type { Lookback } from '../../src/shared/investigation';
import type { NetworkActivity, RemoteAddress } from '../../src/shared/machine';
import { HOSTILE_STRINGS } from '../../src/simulator/story';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const M1 = 'a'.repeat(40);

function facts(ip: string) {
  const v = addressFacts(ip);
  assert.ok(v.ok);
  return v.facts;
}

const remote = (ip: string, over: Partial<RemoteAddress> = {}): RemoteAddress => ({
  ip,
  version: 4,
  ipClass: 'documentation',
  internal: false,
  connections: 2,
  failed: 0,
  inbound: 0,
  ports: [443],
  processes: [`${HOSTILE_STRINGS.bold}.exe`],
  urls: [],
  orgPrevalence: 1,
  lastSeen: '2026-11-20T10:00:00Z',
  ...over,
});

const activity = (remotes: RemoteAddress[], lookback: Lookback = '7d'): NetworkActivity => ({ lookback, remotes, truncated: false, dropped: 0, cachedAt: '2026-11-20T11:00:00Z' });

function storeWithMachine(): MachinesStore {
  const store = new MachinesStore(() => NOW);
  store.upsert({
    address: facts('198.51.100.23'),
    lookback: '7d',
    machines: [{ id: M1, name: 'fin-ws-017', events: 4, remotePorts: [443], localPorts: [], processes: [], files: [] }],
    problems: [],
  });
  return store;
}

function nodes(store: MachinesStore, source: Parameters<typeof childrenOf>[4]): { machine: TreeNodeModel; group?: TreeNodeModel } {
  const [address] = childrenOf(store, undefined, NOW, undefined, source);
  const machine = childrenOf(store, address, NOW, undefined, source).find((n) => n.kind === 'machine');
  assert.ok(machine);
  return { machine, group: childrenOf(store, machine, NOW, undefined, source).find((n) => n.group === 'talkedTo') };
}

test('expanding "Talked to" loads once; the addresses arrive rarest first, escaped, each opening its investigation', async () => {
  const calls: string[] = [];
  let release: (a: NetworkActivity) => void = () => undefined;
  const store = storeWithMachine();
  const source = new MachineActivity((id, lookback) => {
    calls.push(`${id} ${lookback}`);
    return new Promise((resolve) => (release = resolve));
  });
  const changes: string[] = [];
  source.onDidChange((e) => changes.push(e.machineId));
  const { group } = nodes(store, source);
  assert.ok(group);
  assert.equal(group.label, 'Talked to');
  assert.equal(group.description, undefined, 'no count before the data');
  const loading = childrenOf(store, group, NOW, undefined, source);
  assert.deepEqual(loading.map((n) => n.kind), ['message']);
  assert.match(loading[0].label, /Looking up/);
  childrenOf(store, group, NOW, undefined, source);
  assert.deepEqual(calls, [`${M1} 7d`], 'one load, whatever the redraws');
  release(activity([remote('198.51.100.161'), remote('10.20.0.10', { internal: true, ipClass: 'private', orgPrevalence: 200 })]));
  await new Promise((r) => setImmediate(r));
  assert.ok(changes.length >= 2, 'loading and ready were announced');
  const { group: ready } = nodes(store, source);
  assert.equal(ready?.description, '2');
  const children = childrenOf(store, ready, NOW, undefined, source);
  assert.deepEqual(children.map((n) => n.remoteIp), ['198.51.100.161', '10.20.0.10']);
  const rare = children[0];
  assert.equal(rare.kind, 'remote');
  assert.match(rare.description ?? '', /^only this machine · 2 connections · Documentation$/);
  assert.deepEqual(rare.command, { command: 'ipInvestigator.investigateIp', title: 'Investigate IP Address', arguments: [{ ip: '198.51.100.161', lookback: '7d' }] });
  assert.ok(rare.tooltip && !rare.tooltip.includes(HOSTILE_STRINGS.bold), 'the hostile process name is escaped in the tooltip');
  assert.equal(children[1].icon?.id, 'lock');
  assert.equal(parentOf(store, rare, NOW, undefined, source)?.id, ready?.id, 'reveal finds the parent');
});

test('without a loader (the diagnostics render) nothing is fetched; a failure says why and is not retried by redraws', async () => {
  const store = storeWithMachine();
  let calls = 0;
  const source = new MachineActivity(() => {
    calls++;
    return Promise.reject(new PermissionError('Missing permission', 'AdvancedQuery.Read.All', { status: 403 }));
  });
  const readOnly = { entry: (id: string, lookback: Lookback) => source.entry(id, lookback) };
  const { group } = nodes(store, readOnly);
  assert.ok(group);
  childrenOf(store, group, NOW, undefined, readOnly);
  assert.equal(calls, 0);
  childrenOf(store, group, NOW, undefined, source);
  await new Promise((r) => setImmediate(r));
  const failed = childrenOf(store, group, NOW, undefined, source);
  assert.match(failed[0].label, /AdvancedQuery\.Read\.All/);
  assert.equal(failed[0].icon?.id, 'warning');
  childrenOf(store, group, NOW, undefined, source);
  assert.equal(calls, 1);
  source.clear();
  childrenOf(store, group, NOW, undefined, source);
  assert.equal(calls, 2, 'after Clear (another tenant, Refresh) it loads again');
});

test('the panel fills the store; more than 200 addresses end with a pointer to the machine view; the store is bounded', () => {
  const store = storeWithMachine();
  const source = new MachineActivity(() => Promise.reject(new Error('not used')));
  source.put(M1, activity(Array.from({ length: 250 }, (_, i) => remote(`198.18.0.${i}`))));
  const { group } = nodes(store, source);
  const children = childrenOf(store, group, NOW, undefined, source);
  assert.equal(children.filter((n) => n.kind === 'remote').length, 200);
  assert.match(children.at(-1)?.label ?? '', /and 50 more in the machine view/);
  assert.equal(source.entry(M1, '30d'), undefined, 'another period is another entry');
  for (let i = 0; i < MAX_MACHINES + 5; i++) source.put(i.toString(16).padStart(40, '0'), activity([]));
  assert.equal(source.entry(M1, '7d'), undefined, 'the oldest entries go first');
});

test('the hover offers "Open machine" next to a holder at a time, with a validated id only', () => {
  const md = buildHoverMarkdown({
    facts: facts('10.248.240.38'),
    text: '10.248.240.38',
    lookback: '7d',
    findAtTime: true,
    demo: false,
    snapshot: {
      done: true,
      pending: [],
      investigation: {
        address: facts('10.248.240.38'),
        lookback: '7d',
        machinesAtTime: {
          at: '2026-11-20T10:00:00Z',
          from: '',
          to: '',
          cachedAt: '',
          machines: [
            { id: M1, computerDnsName: 'fin-ws-017.corp.contoso.com', machineTags: [], ipAddresses: [] },
            { id: 'not-a-device-id")', computerDnsName: HOSTILE_STRINGS.commandLink, machineTags: [], ipAddresses: [] },
          ],
        },
        problems: [],
      },
    },
  });
  const links = [...md.matchAll(/\]\((command:[^)\s]+)/g)].map((m) => m[1]);
  const open = links.filter((l) => l.startsWith('command:ipInvestigator.investigateMachine'));
  assert.equal(open.length, 1, 'only the machine with a device id gets a link');
  assert.deepEqual(JSON.parse(decodeURIComponent(open[0].slice(open[0].indexOf('?') + 1))), { machineId: M1, lookback: '7d' });
  assert.ok(HOVER_ENABLED_COMMANDS.includes('ipInvestigator.investigateMachine'));
  for (const l of links) assert.ok(HOVER_ENABLED_COMMANDS.includes(l.slice('command:'.length).split('?')[0]), l);
  assert.ok(!md.includes(HOSTILE_STRINGS.commandLink), 'the hostile name is escaped');
});
