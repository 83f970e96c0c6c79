import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { HostMessage } from '../../src/shared/protocol';
import { PanelModel } from '../../webview/viewModel/panelModel';

const identity = { ip: '198.51.100.23', lookback: '7d' as const };
const init: HostMessage = {
  kind: 'init',
  identity,
  facts: { ip: identity.ip, version: 4, ipClass: 'documentation', internal: false, defanged: false, leadingZeros: false },
  demo: true,
  rdapEnabled: true,
  now: new Date(Date.now() + 3_600_000).toISOString(),
};

test('init resets the model and takes the host clock', () => {
  const m = new PanelModel();
  assert.deepEqual(m.apply(init), { kind: 'init' });
  assert.equal(m.demo, true);
  assert.equal(m.sources.stats.state, 'idle');
  assert.ok(Math.abs(m.now() - (Date.now() + 3_600_000)) < 5_000, 'relative times use the host clock');
});

test('a run marks its sections loading; updates of a superseded run are ignored', () => {
  const m = new PanelModel();
  m.apply(init);
  m.apply({ kind: 'run', runId: 1, identity, sections: ['stats', 'alerts'] });
  assert.equal(m.sources.stats.state, 'loading');
  m.apply({ kind: 'section', runId: 1, section: 'stats', state: 'ready', payload: { section: 'stats', stats: { prevalence: 4, cachedAt: 'x' } } });
  assert.equal(m.data.stats?.prevalence, 4);
  // The period changes: run 2 takes the stats over.
  m.apply({ kind: 'run', runId: 2, identity: { ...identity, lookback: '30d' }, sections: ['stats'] });
  assert.equal(m.identity?.lookback, '30d');
  assert.equal(m.data.stats, undefined, 'old period data is cleared');
  const stale = m.apply({ kind: 'section', runId: 1, section: 'stats', state: 'ready', payload: { section: 'stats', stats: { prevalence: 99, cachedAt: 'x' } } });
  assert.deepEqual(stale, { kind: 'none' });
  assert.equal(m.sources.stats.state, 'loading');
  // Run 1 still owns the alerts.
  m.apply({ kind: 'section', runId: 1, section: 'alerts', state: 'ready', payload: { section: 'alerts', alerts: [] } });
  assert.deepEqual(m.sources.alerts, { state: 'ready', empty: true });
  m.apply({ kind: 'section', runId: 2, section: 'stats', state: 'ready', payload: { section: 'stats', stats: { prevalence: 0, cachedAt: 'y' } } });
  assert.deepEqual(m.sources.stats, { state: 'ready', empty: true });
});

test('failed and skipped sections clear their data and keep the reason', () => {
  const m = new PanelModel();
  m.apply(init);
  m.apply({ kind: 'run', runId: 1, identity, sections: ['timeline', 'machinesAtTime'] });
  m.apply({ kind: 'section', runId: 1, section: 'timeline', state: 'ready', payload: { section: 'timeline', events: [{ timestamp: 't', deviceId: 'd', deviceName: 'n', actionType: 'a' }], truncated: true } });
  assert.equal(m.data.timelineTruncated, true);
  const v = m.versions.timeline;
  m.apply({ kind: 'run', runId: 2, identity, sections: ['timeline'] });
  m.apply({ kind: 'section', runId: 2, section: 'timeline', state: 'failed', problem: { source: 'timeline', kind: 'permission', message: 'denied', permission: 'AdvancedQuery.Read.All' } });
  assert.equal(m.data.timeline, undefined);
  assert.equal(m.data.timelineTruncated, false);
  assert.ok(m.versions.timeline > v);
  assert.equal(m.sources.timeline.state, 'failed');
  m.apply({ kind: 'section', runId: 1, section: 'machinesAtTime', state: 'skipped', reason: 'public address' });
  assert.deepEqual(m.sources.machinesAtTime, { state: 'skipped', reason: 'public address' });
});

test('machineName finds a machine from any source', () => {
  const m = new PanelModel();
  m.apply(init);
  m.apply({ kind: 'run', runId: 1, identity, sections: ['alerts'] });
  m.apply({ kind: 'section', runId: 1, section: 'alerts', state: 'ready', payload: { section: 'alerts', alerts: [{ id: 'a', title: 't', severity: 'High', status: 'New', machineId: 'm1', computerDnsName: 'ws-1', mitreTechniques: [], evidence: [] }] } });
  assert.equal(m.machineName('m1'), 'ws-1');
  assert.equal(m.machineName('nope'), undefined);
});
