// The machine webview's pure models: messages applied per section (older runs ignored), the network list's split,
// search and sort over 5,000 addresses, and the saved UI state read back defensively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MachineModel } from '../../webview/machine/machineModel';
import { sanitizeMachineUi } from '../../webview/machine/machineUiState';
import { NetworkView, remoteSearchKey, seenByText, sortOrder, splitCounts, toggleNetworkSort } from '../../webview/machine/networkModel';
import { MACHINE_ID, RARE_IP, machineMessages } from '../../bench/machineMessages';
import type { RemoteAddress } from '../../src/shared/machine';

test('the model applies the sections of the current run and ignores a superseded one', () => {
  const m = new MachineModel();
  // A call, so each assertion reads the state afresh (strict asserts narrow property paths).
  const stateOf = (s: 'network' | 'overview'): string => m.sources[s].state;
  const messages = machineMessages({ remotes: 30, events: 30 });
  for (const msg of messages) m.apply(msg);
  assert.equal(m.identity?.machineId, MACHINE_ID);
  assert.equal(m.demo, true);
  assert.deepEqual(Object.values(m.sources).map((s) => s.state), ['ready', 'ready', 'ready', 'ready', 'ready']);
  assert.equal(m.name(), 'fin-ws-017.corp.contoso.com');
  const identity = { machineId: MACHINE_ID, lookback: '30d' as const };
  assert.deepEqual(m.apply({ kind: 'run', runId: 2, identity, sections: ['network'] }), { kind: 'sections', sections: ['network'] });
  assert.equal(m.data.network, undefined, 'the old period is cleared');
  assert.equal(stateOf('network'), 'loading');
  const late = messages.find((x) => x.kind === 'section' && x.section === 'network');
  assert.ok(late);
  assert.deepEqual(m.apply(late), { kind: 'none' }, 'an update of run 1 for a section run 2 owns is ignored');
  m.apply({ kind: 'section', runId: 2, section: 'network', state: 'failed', problem: { source: 'network', kind: 'timeout', message: 'late' } });
  assert.equal(stateOf('network'), 'failed');
  assert.equal(m.apply({ kind: 'run', runId: 1, identity, sections: ['network'] }).kind, 'sections');
  assert.equal(stateOf('network'), 'failed', 'an older run cannot take a section back');
  m.apply({ kind: 'section', runId: 1, section: 'overview', state: 'ready', payload: { section: 'overview', machine: null } });
  assert.deepEqual(m.sources.overview, { state: 'ready', empty: true }, 'an unknown machine is an empty overview');
  assert.equal(m.name(), MACHINE_ID);
});

test('the network list: split, search (typing more narrows), sort; 5,000 addresses', () => {
  const msg = machineMessages({ remotes: 5_000, events: 0 }).find((x) => x.kind === 'section' && x.section === 'network');
  assert.ok(msg && msg.kind === 'section' && msg.state === 'ready' && msg.payload.section === 'network');
  const remotes = msg.payload.activity.remotes;
  const view = new NetworkView(remotes);
  const counts = splitCounts(remotes);
  assert.equal(counts.all, 5_000);
  assert.equal(counts.public + counts.internal, 5_000);
  const all = view.rows('all', '', { key: 'rarity', dir: 'asc' });
  assert.equal(all.length, 5_000);
  assert.equal(remotes[all[0]].ip, RARE_IP);
  assert.equal(view.rows('internal', '', { key: 'rarity', dir: 'asc' }).length, counts.internal);
  assert.ok([...view.rows('internal', '', { key: 'rarity', dir: 'asc' })].every((i) => remotes[i].internal));
  const wide = view.rows('all', 'rundll', { key: 'rarity', dir: 'asc' });
  const narrow = view.rows('all', 'rundll32 8443', { key: 'rarity', dir: 'asc' });
  assert.ok(narrow.length > 0 && narrow.length < wide.length && wide.length < 5_000);
  assert.ok([...narrow].every((i) => remoteSearchKey(remotes[i]).includes('rundll32') && remotes[i].ports.includes(8443)));
  assert.equal(view.rows('all', 'only this machine', { key: 'rarity', dir: 'asc' }).length, remotes.filter((r) => r.orgPrevalence === 1).length);
  const byConnections = view.rows('all', '', { key: 'connections', dir: 'desc' });
  for (let k = 1; k < byConnections.length; k++) assert.ok(remotes[byConnections[k - 1]].connections >= remotes[byConnections[k]].connections);
  assert.equal(view.rows('all', 'no-such-thing', { key: 'rarity', dir: 'asc' }).length, 0);
});

test('sorting is stable and numeric for addresses; headers toggle', () => {
  const r = (ip: string, orgPrevalence = 1): RemoteAddress => ({ ip, version: 4, ipClass: 'public', internal: false, connections: 1, failed: 0, inbound: 0, ports: [], processes: [], urls: [], orgPrevalence });
  const list = [r('10.0.0.10'), r('10.0.0.9'), r('10.0.0.100', 3)];
  assert.deepEqual([...sortOrder(list, { key: 'ip', dir: 'asc' })].map((i) => list[i].ip), ['10.0.0.9', '10.0.0.10', '10.0.0.100']);
  assert.deepEqual([...sortOrder(list, { key: 'rarity', dir: 'asc' })], [0, 1, 2], 'equal rows keep the host order');
  assert.deepEqual(toggleNetworkSort({ key: 'rarity', dir: 'asc' }, 'rarity'), { key: 'rarity', dir: 'desc' });
  assert.deepEqual(toggleNetworkSort({ key: 'rarity', dir: 'asc' }, 'lastSeen'), { key: 'lastSeen', dir: 'desc' });
  assert.equal(seenByText({ orgPrevalence: 1 }), 'only this machine');
  assert.equal(seenByText({ orgPrevalence: 12 }), '12 machines');
});

test('a saved UI state is read back defensively', () => {
  assert.deepEqual(sanitizeMachineUi(undefined), sanitizeMachineUi({}));
  const ok = sanitizeMachineUi({ networkTab: 'internal', networkFilter: 'rundll', networkSort: { key: 'connections', dir: 'desc' }, networkScrollTop: 240, alertSort: { key: 'severity', dir: 'asc' }, alertSeverity: 'high' });
  assert.equal(ok.networkTab, 'internal');
  assert.deepEqual(ok.networkSort, { key: 'connections', dir: 'desc' });
  assert.equal(ok.networkScrollTop, 240);
  assert.deepEqual(ok.alertSort, { key: 'severity', dir: 'asc' });
  const bad = sanitizeMachineUi({ networkTab: 'secret', networkFilter: 'x'.repeat(500), networkSort: { key: '__proto__', dir: 'up' }, networkScrollTop: -5, alertSort: { key: 'machine', dir: 'asc' }, alertSeverity: '<b>' });
  assert.equal(bad.networkTab, 'all');
  assert.equal(bad.networkFilter, '');
  assert.deepEqual(bad.networkSort, { key: 'rarity', dir: 'asc' });
  assert.equal(bad.networkScrollTop, 0);
  assert.deepEqual(bad.alertSort, { key: 'lastActivity', dir: 'desc' }, 'the machine column is not in the machine view');
  assert.equal(bad.alertSeverity, '');
});
