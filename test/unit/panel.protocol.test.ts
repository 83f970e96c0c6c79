import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseHostMessage, parsePanelIdentity, parseWebviewMessage, type HostMessage } from '../../src/shared/protocol';

const facts = { ip: '10.248.240.38', version: 4, ipClass: 'private', block: { prefix: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918' }, internal: true, defanged: false, leadingZeros: false };
const identity = { ip: '10.248.240.38', lookback: '7d', at: '2026-11-20T08:44:05.000Z' };

test('webview messages: ready and well-formed requests pass, everything else is refused', () => {
  assert.deepEqual(parseWebviewMessage({ kind: 'ready' }), { kind: 'ready' });
  const ok = [
    { type: 'refresh' },
    { type: 'retry', section: 'rdap' },
    { type: 'setLookback', lookback: '30d' },
    { type: 'lookupAt', at: '2h ago' },
    { type: 'openPortal', target: 'ip' },
    { type: 'openPortal', target: 'alert', id: 'da123' },
    { type: 'copy', what: 'kql' },
    { type: 'export' },
    { type: 'export', format: 'csv', table: 'timeline' },
    { type: 'revealMachine', machineId: 'abc' },
  ];
  for (const request of ok) assert.ok(parseWebviewMessage({ kind: 'request', id: 7, request }), JSON.stringify(request));
  const bad: unknown[] = [
    null,
    'ready',
    { kind: 'request', id: 'x', request: { type: 'refresh' } },
    { kind: 'request', id: -1, request: { type: 'refresh' } },
    { kind: 'request', id: 1.5, request: { type: 'refresh' } },
    { kind: 'request', id: 1, request: { type: 'runCommand', command: 'workbench.action.terminal.new' } },
    { kind: 'request', id: 1, request: { type: 'setLookback', lookback: '90d' } },
    { kind: 'request', id: 1, request: { type: 'retry', section: '__proto__' } },
    { kind: 'request', id: 1, request: { type: 'openPortal', target: 'url', id: 'https://evil.example' } },
    { kind: 'request', id: 1, request: { type: 'openPortal', target: 'machine' } },
    { kind: 'request', id: 1, request: { type: 'openPortal', target: 'machine', id: 'x'.repeat(201) } },
    { kind: 'request', id: 1, request: { type: 'export', format: 'html' } },
    { kind: 'request', id: 1, request: { type: 'export', table: 'secrets' } },
    { kind: 'request', id: 1, request: { type: 'lookupAt', at: 42 } },
    { kind: 'request', id: 1, request: { type: 'copy', what: 'token' } },
  ];
  for (const b of bad) assert.equal(parseWebviewMessage(b), undefined, JSON.stringify(b));
});

test('host messages: init, run, section, done, response and selectMachine are validated deeply', () => {
  const good: HostMessage[] = [
    { kind: 'init', identity: identity as never, facts: facts as never, demo: true, rdapEnabled: false, now: '2026-11-20T09:00:00.000Z' },
    { kind: 'run', runId: 3, identity: identity as never, sections: ['stats', 'rdap'] },
    { kind: 'section', runId: 3, section: 'stats', state: 'loading' },
    { kind: 'section', runId: 3, section: 'stats', state: 'ready', payload: { section: 'stats', stats: { prevalence: 2, cachedAt: 'x' } } },
    { kind: 'section', runId: 3, section: 'alerts', state: 'failed', problem: { source: 'alerts', kind: 'permission', message: 'Access denied', permission: 'Alert.Read.All' } },
    { kind: 'section', runId: 3, section: 'machinesAtTime', state: 'skipped', reason: 'public' },
    {
      kind: 'section',
      runId: 3,
      section: 'timeline',
      state: 'ready',
      payload: { section: 'timeline', truncated: false, events: [{ timestamp: 't', deviceId: 'd', deviceName: '<b>', actionType: 'a', remotePort: 443 }] },
    },
    { kind: 'done', runId: 3 },
    { kind: 'response', id: 4, ok: true },
    { kind: 'response', id: 4, ok: false, error: 'nope' },
    { kind: 'selectMachine', machineId: 'abc' },
  ];
  for (const m of good) assert.deepEqual(parseHostMessage(m), m, JSON.stringify(m).slice(0, 80));
  const bad: unknown[] = [
    { kind: 'init', identity, facts: { ...facts, version: 5 }, demo: true, rdapEnabled: true, now: 'x' },
    { kind: 'section', runId: 3, section: 'stats', state: 'ready', payload: { section: 'alerts', alerts: [] } },
    { kind: 'section', runId: 3, section: 'stats', state: 'ready', payload: { section: 'stats', stats: { prevalence: '2', cachedAt: 'x' } } },
    { kind: 'section', runId: 3, section: 'timeline', state: 'ready', payload: { section: 'timeline', truncated: false, events: [{ timestamp: 't', deviceId: 'd', deviceName: 5, actionType: 'a' }] } },
    { kind: 'section', runId: 3, section: 'alerts', state: 'ready', payload: { section: 'alerts', alerts: [{ id: 'a', title: 't', severity: 'High', status: 'New', mitreTechniques: 'T1071', evidence: [] }] } },
    { kind: 'section', runId: 3, section: 'machineDetails', state: 'ready', payload: { section: 'machineDetails', details: { m: { id: 'm', machineTags: [], ipAddresses: [{}] } } } },
    { kind: 'section', runId: 3, section: 'nonsense', state: 'loading' },
    { kind: 'response', id: 4, ok: false },
    { kind: 'eval', code: 'alert(1)' },
  ];
  for (const b of bad) assert.equal(parseHostMessage(b), undefined, JSON.stringify(b).slice(0, 120));
});

test('panel identity: the serializer state is read strictly', () => {
  assert.deepEqual(parsePanelIdentity({ ip: '198.51.100.23', lookback: '30d', ui: { alertFilter: 'x' } }), { ip: '198.51.100.23', lookback: '30d' });
  assert.deepEqual(parsePanelIdentity(identity), identity);
  assert.equal(parsePanelIdentity({ ip: '198.51.100.23', lookback: '2d' }), undefined);
  assert.equal(parsePanelIdentity({ ip: '198.51.100.23', lookback: '7d', at: 'yesterday-ish' }), undefined);
  assert.equal(parsePanelIdentity({ ip: '', lookback: '7d' }), undefined);
  assert.equal(parsePanelIdentity(undefined), undefined);
});
