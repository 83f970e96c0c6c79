import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Investigation } from '../../src/shared/investigation';
import { PanelState, RunBook, knownMachineIds, payloadOf, validAlertId, validMachineId } from '../../src/features/panel/panelRuns';

const facts = { ip: '198.51.100.23', version: 4 as const, ipClass: 'documentation', internal: false, defanged: false, leadingZeros: false };

function inv(over: Partial<Investigation> = {}): Investigation {
  return { address: facts, lookback: '7d', problems: [], ...over };
}

test('a newer run takes sections over and aborts an older run left with nothing to do', () => {
  const book = new RunBook();
  const first = book.start(['stats', 'alerts', 'timeline']);
  const second = book.start(['stats', 'timeline']);
  assert.equal(book.owns(first.runId, 'stats'), false);
  assert.equal(book.owns(first.runId, 'alerts'), true);
  assert.equal(first.signal.aborted, false, 'the first run still owns alerts');
  const third = book.start(['alerts']);
  assert.equal(first.signal.aborted, true, 'nothing left for the first run');
  assert.equal(second.signal.aborted, false);
  book.settle(second.runId, 'stats');
  assert.deepEqual(book.unsettled(second.runId), ['timeline']);
  book.settle(second.runId, 'timeline');
  assert.deepEqual(book.unsettled(second.runId), []);
  assert.equal(book.running(), 1);
  book.abortAll();
  assert.equal(third.signal.aborted, true);
});

test('PanelState merges sections from several runs and keeps the problems of failed ones', () => {
  const state = new PanelState({ ip: facts.ip, lookback: '7d' }, facts);
  state.begin(['stats', 'alerts']);
  const ready = state.fromService({ section: 'stats', state: 'ready', investigation: inv({ stats: { prevalence: 3, cachedAt: '2026-11-20T10:00:00Z' }, cachedAt: '2026-11-20T10:00:00Z' }) });
  assert.equal(ready.state, 'ready');
  const failed = state.fromService({
    section: 'alerts',
    state: 'failed',
    problem: { source: 'alerts', kind: 'permission', message: 'Access denied', permission: 'Alert.Read.All' },
    investigation: inv(),
  });
  assert.equal(failed.state, 'failed');
  assert.equal(state.investigation.stats?.prevalence, 3);
  assert.equal(state.investigation.problems.length, 1);
  assert.equal(state.investigation.cachedAt, '2026-11-20T10:00:00Z');
  // A retry of the alerts clears the problem.
  state.begin(['alerts']);
  assert.equal(state.investigation.problems.length, 0);
  state.fromService({ section: 'alerts', state: 'ready', investigation: inv({ alerts: [] }) });
  assert.deepEqual(state.investigation.alerts, []);
  // A new period clears the stats until they arrive again.
  state.setIdentity({ ip: facts.ip, lookback: '30d' });
  state.begin(['stats']);
  assert.equal(state.investigation.stats, undefined);
  assert.equal(state.investigation.lookback, '30d');
});

test('replay repaints a reloaded webview with the runs that own each section', () => {
  const book = new RunBook();
  const state = new PanelState({ ip: facts.ip, lookback: '7d' }, facts);
  const a = book.start(['stats', 'alerts']);
  state.begin(['stats', 'alerts']);
  state.fromService({ section: 'alerts', state: 'ready', investigation: inv({ alerts: [] }) });
  book.settle(a.runId, 'alerts');
  const b = book.start(['stats']);
  state.begin(['stats']);
  const messages = state.replay(book);
  assert.deepEqual(
    messages.map((m) => (m.kind === 'run' ? `run${m.runId}:${m.sections.join('+')}` : m.kind === 'section' ? `${m.runId}:${m.section}=${m.state}` : m.kind)),
    [`run${a.runId}:alerts`, `${a.runId}:alerts=ready`, `run${b.runId}:stats`, `${b.runId}:stats=loading`],
  );
});

test('payloadOf sends a section its own slice only', () => {
  const i = inv({ timeline: [], timelineTruncated: true, alerts: [] });
  assert.deepEqual(payloadOf('timeline', i), { section: 'timeline', events: [], truncated: true });
  assert.deepEqual(payloadOf('alerts', i), { section: 'alerts', alerts: [] });
  assert.equal(payloadOf('stats', i), undefined);
});

test('portal links and reveals only for ids the panel has seen, in a safe shape', () => {
  const i = inv({
    machines: [{ id: 'a'.repeat(40), name: 'ws', events: 1, remotePorts: [], localPorts: [], processes: [], files: [] }],
    timeline: [{ timestamp: 't', deviceId: 'b'.repeat(40), deviceName: 'x', actionType: 'c' }],
    alerts: [{ id: 'da1', title: 't', severity: 'High', status: 'New', machineId: 'c'.repeat(40), mitreTechniques: [], evidence: [] }],
  });
  assert.equal(knownMachineIds(i).size, 3);
  assert.equal(validMachineId(i, 'b'.repeat(40)), 'b'.repeat(40));
  assert.equal(validMachineId(i, 'd'.repeat(40)), undefined, 'unknown');
  assert.equal(validAlertId(i, 'da1'), 'da1');
  assert.equal(validAlertId(i, '../../evil'), undefined);
  const hostile = inv({ timeline: [{ timestamp: 't', deviceId: '../x?y#z', deviceName: 'x', actionType: 'c' }] });
  assert.equal(validMachineId(hostile, '../x?y#z'), undefined, 'known but not a safe id');
});
