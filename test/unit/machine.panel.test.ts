// The machine panel's pure parts: the protocol's validators both ways, the host's merged state (runs, replay after a
// webview reload, the addresses a request may name), and the exports (CSV cells defused, safe file names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machineExportFileName, machineViewJson, remoteAddressesCsv } from '../../src/core/machine/machineExport';
import { MachinePanelState, knownAddresses, validAlertOf, validMachineIdentity } from '../../src/features/machine/machineRuns';
import { RunBook } from '../../src/features/panel/panelRuns';
import type { MachineInvestigation, MachineSection, RemoteAddress } from '../../src/shared/machine';
import { parseMachineHostMessage, parseMachineWebviewMessage, type MachineHostMessage } from '../../src/shared/machineProtocol';
import { parseWebviewMessage } from '../../src/shared/protocol';
import { parseTriageWebviewMessage } from '../../src/shared/triageProtocol';
import { MACHINE_ID, RARE_IP, machineMessages } from '../../bench/machineMessages';

const ID = MACHINE_ID;
const remote = (ip: string, over: Partial<RemoteAddress> = {}): RemoteAddress => ({
  ip,
  version: 4,
  ipClass: 'public',
  internal: false,
  connections: 3,
  failed: 0,
  inbound: 0,
  ports: [443],
  processes: ['rundll32.exe'],
  urls: [],
  orgPrevalence: 1,
  ...over,
});

test('webview requests: well-formed ones pass as fresh objects, everything else is refused', () => {
  const ok = [
    { type: 'refresh' },
    { type: 'retry', section: 'logonUsers' },
    { type: 'setLookback', lookback: '30d' },
    { type: 'openPortal', target: 'machine' },
    { type: 'openPortal', target: 'alert', id: 'da1_2' },
    { type: 'copy', what: 'name' },
    { type: 'investigateIp', ip: '2001:db8::1' },
    { type: 'triage', ips: ['198.51.100.161', '10.0.0.1'] },
    { type: 'export' },
    { type: 'export', format: 'csv' },
  ];
  for (const request of ok) {
    const parsed = parseMachineWebviewMessage({ kind: 'request', id: 3, request: { ...request, extra: 'dropped' } });
    assert.ok(parsed && parsed.kind === 'request', JSON.stringify(request));
    assert.equal('extra' in parsed.request, false, 'unknown fields are dropped');
  }
  const bad: unknown[] = [
    { type: 'retry', section: 'stats' },
    { type: 'setLookback', lookback: '90d' },
    { type: 'openPortal', target: 'url', id: 'https://evil.example' },
    { type: 'copy', what: 'token' },
    { type: 'investigateIp', ip: '198.51.100.1 or 1' },
    { type: 'investigateIp', ip: '<script>' },
    { type: 'triage', ips: [] },
    { type: 'triage', ips: ['1.2.3.4', 'javascript:alert(1)'] },
    { type: 'triage', ips: Array.from({ length: 10_001 }, () => '1.2.3.4') },
    { type: 'export', format: 'html' },
    { type: 'runCommand', command: 'workbench.action.terminal.new' },
  ];
  for (const request of bad) assert.equal(parseMachineWebviewMessage({ kind: 'request', id: 1, request }), undefined, JSON.stringify(request).slice(0, 80));
  assert.equal(parseMachineWebviewMessage({ kind: 'request', id: -1, request: { type: 'refresh' } }), undefined);
  assert.deepEqual(parseMachineWebviewMessage({ kind: 'ready' }), { kind: 'ready' });
});

test('host messages: a whole machine view validates; a wrong shape or a section under another name is refused', () => {
  for (const m of machineMessages({ remotes: 50, events: 50 })) assert.ok(parseMachineHostMessage(m), m.kind);
  const identity = { machineId: ID, lookback: '7d' };
  const bad: unknown[] = [
    { kind: 'init', identity: { machineId: 'fin-ws-017', lookback: '7d' }, demo: true, now: new Date().toISOString() },
    { kind: 'section', runId: 1, section: 'alerts', state: 'ready', payload: { section: 'network', activity: { lookback: '7d', remotes: [], truncated: false, dropped: 0, cachedAt: '' } } },
    { kind: 'section', runId: 1, section: 'network', state: 'ready', payload: { section: 'network', activity: { lookback: '7d', remotes: [{ ...remote('<b>x</b>') }], truncated: false, dropped: 0, cachedAt: '' } } },
    { kind: 'section', runId: 1, section: 'network', state: 'ready', payload: { section: 'network', activity: { lookback: '7d', remotes: [{ ...remote('1.2.3.4'), connections: -1 }], truncated: false, dropped: 0, cachedAt: '' } } },
    { kind: 'section', runId: 1, section: 'logonUsers', state: 'failed', problem: { source: 'alerts', kind: 'x', message: 'y' } },
    { kind: 'section', runId: 1, section: 'overview', state: 'ready', payload: { section: 'overview', machine: { id: 7 } } },
    { kind: 'run', runId: 1, identity, sections: ['stats'] },
  ];
  for (const b of bad) assert.equal(parseMachineHostMessage(b), undefined, JSON.stringify(b).slice(0, 120));
  assert.deepEqual(validMachineIdentity({ machineId: ID.toUpperCase(), lookback: '30d', extra: 1 }), { machineId: ID, lookback: '30d' });
  for (const state of [undefined, null, {}, { machineId: ID }, { machineId: 'x', lookback: '7d' }, { machineId: `${ID}0`, lookback: '7d' }]) assert.equal(validMachineIdentity(state), undefined);
});

function view(over: Partial<MachineInvestigation> = {}): MachineInvestigation {
  return { machineId: ID, lookback: '7d', problems: [], ...over };
}

test('the host state: runs own sections, failures are kept per section, a reloaded webview gets every last update again', () => {
  const book = new RunBook<MachineSection>();
  const state = new MachinePanelState({ machineId: ID, lookback: '7d' });
  const first = book.start(['overview', 'network', 'timeline']);
  state.begin(['overview', 'network', 'timeline']);
  const overview = state.fromService({ section: 'overview', state: 'ready', investigation: view({ machine: null, cachedAt: '2026-11-20T10:00:00Z' }) });
  assert.deepEqual(overview, { section: 'overview', state: 'ready', payload: { section: 'overview', machine: null } });
  book.settle(first.runId, 'overview');
  const failed = state.fromService({ section: 'timeline', state: 'failed', problem: { source: 'timeline', kind: 'timeout', message: 'late' }, investigation: view() });
  assert.equal(failed.state, 'failed');
  book.settle(first.runId, 'timeline');
  assert.deepEqual(state.view.problems.map((p) => p.source), ['timeline']);
  // A new period: network and timeline belong to a second run now.
  state.setLookback('30d');
  const second = book.start(['network', 'timeline']);
  state.begin(['network', 'timeline']);
  assert.deepEqual(state.view.problems, [], 'the retried section loses its old problem');
  state.fromService({ section: 'network', state: 'ready', investigation: view({ lookback: '30d', network: { lookback: '30d', remotes: [remote(RARE_IP)], truncated: false, dropped: 0, cachedAt: '2026-11-20T11:00:00Z' }, cachedAt: '2026-11-20T11:00:00Z' }) });
  const replay: MachineHostMessage[] = state.replay(book);
  assert.deepEqual(
    replay.map((m) => (m.kind === 'run' ? `run${m.runId}:${m.sections.join('+')}` : m.kind === 'section' ? `${m.section}:${m.state}` : m.kind)),
    [`run${first.runId}:overview`, 'overview:ready', `run${second.runId}:network+timeline`, 'network:ready', 'timeline:loading'],
  );
  assert.ok(replay.every((m) => parseMachineHostMessage(m)), 'the replay is valid protocol');
  assert.equal(first.signal.aborted, true, 'the first run has nothing left and was aborted');
  assert.equal(state.identity.lookback, '30d');
  assert.equal(state.name, ID, 'an unknown machine is named by its id');
});

test('only addresses and alerts the view shows may be acted on', () => {
  const v = view({
    machine: { id: ID, computerDnsName: 'fin-ws-017', lastIpAddress: '10.248.240.38', lastExternalIpAddress: '192.0.2.10', machineTags: [], ipAddresses: [{ ipAddress: 'fe80::1' }] },
    alerts: [{ id: 'da1_2', title: 't', severity: 'High', status: 'New', mitreTechniques: [], evidence: [{ ipAddress: '198.51.100.23' }] }],
    network: { lookback: '7d', remotes: [remote(RARE_IP)], truncated: false, dropped: 0, cachedAt: '' },
    timeline: [{ timestamp: 't', deviceId: ID, deviceName: 'x', actionType: 'a', remoteIp: '8.8.8.8', localIp: '10.248.240.38' }],
  });
  const known = knownAddresses(v);
  for (const ip of [RARE_IP, '198.51.100.23', '10.248.240.38', '192.0.2.10', 'fe80::1', '8.8.8.8']) assert.ok(known.has(ip), ip);
  assert.equal(known.has('1.2.3.4'), false);
  assert.equal(validAlertOf(v, 'da1_2'), 'da1_2');
  assert.equal(validAlertOf(v, 'da9'), undefined);
  assert.equal(validAlertOf(v, '../x'), undefined);
});

test('exports: every CSV cell defused (a process name cannot become a formula), the JSON is the view, file names are safe', () => {
  const csv = remoteAddressesCsv([remote(RARE_IP, { processes: ['=HYPERLINK("http://evil")', 'a,b'], urls: ['+x'] })]);
  const [head, row] = csv.trimEnd().split('\r\n');
  assert.equal(head, 'ip,class,internal,orgPrevalence,connections,failed,inbound,firstSeen,lastSeen,ports,processes,urls');
  assert.match(row, /^198\.51\.100\.161,public,false,1,3,0,0,,,443,"'=HYPERLINK\(""http:\/\/evil""\); a,b",'\+x$/);
  const json = JSON.parse(machineViewJson(view({ alerts: [] }), '2026-11-20T12:00:00Z')) as { generatedAt: string; machineId: string; alerts: unknown[] };
  assert.equal(json.generatedAt, '2026-11-20T12:00:00Z');
  assert.equal(json.machineId, ID);
  assert.equal(machineExportFileName('FIN-WS-017.corp.contoso.com', 'remote-addresses', 'csv'), 'machine-fin-ws-017.corp.contoso.com-remote-addresses.csv');
  assert.equal(machineExportFileName('<img src=x onerror=alert(1)>/../..', 'view', 'json'), 'machine-img-src-x-onerror-alert-1-view.json');
  assert.equal(machineExportFileName('…', 'view', 'json'), 'machine-machine-view.json');
});

test('the IP panel may ask to open a machine (the host checks it knows the id); the triage table, a row\'s machines', () => {
  assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 1, request: { type: 'openMachine', machineId: ID } }), { kind: 'request', id: 1, request: { type: 'openMachine', machineId: ID } });
  for (const machineId of ['', 'x'.repeat(201), 7]) assert.equal(parseWebviewMessage({ kind: 'request', id: 1, request: { type: 'openMachine', machineId } }), undefined);
  assert.deepEqual(parseTriageWebviewMessage({ kind: 'request', id: 2, request: { type: 'machines', ip: '198.51.100.23', extra: 1 } }), { kind: 'request', id: 2, request: { type: 'machines', ip: '198.51.100.23' } });
  assert.equal(parseTriageWebviewMessage({ kind: 'request', id: 2, request: { type: 'machines', ip: 'fin-ws-017' } }), undefined);
});
