// The triage table's message protocol: what the host accepts from the webview (and what it refuses), and what the
// webview accepts from the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAddressText, parseTriageHostMessage, parseTriageWebviewMessage, type TriageRow, type TriageSummary } from '../../src/shared/triageProtocol';
import { emptyVerdictCounts } from '../../src/shared/triageModel';

test('the host accepts the ready handshake and each request, with only the known fields', () => {
  assert.deepEqual(parseTriageWebviewMessage({ kind: 'ready', extra: 1 }), { kind: 'ready' });
  for (const request of [
    { type: 'open', ip: '198.51.100.23' },
    { type: 'reveal', ip: '2001:db8::1' },
    { type: 'copy', ip: '10.0.0.1' },
    { type: 'export' },
    { type: 'export', format: 'stix' },
    { type: 'cancel' },
  ]) {
    assert.deepEqual(parseTriageWebviewMessage({ kind: 'request', id: 3, request }), { kind: 'request', id: 3, request });
  }
  const parsed = parseTriageWebviewMessage({ kind: 'request', id: 1, request: { type: 'open', ip: '8.8.8.8', command: 'workbench.action.terminal.new', __proto__: { evil: true } } });
  assert.deepEqual(parsed, { kind: 'request', id: 1, request: { type: 'open', ip: '8.8.8.8' } });
  assert.ok(parsed?.kind === 'request');
  assert.equal(Object.keys(parsed.request).includes('command'), false, 'unknown fields are dropped');
});

test('the host refuses malformed requests: unknown types, bad ids, addresses with markup, unknown formats', () => {
  const bad: unknown[] = [
    null,
    'ready',
    [],
    { kind: 'request', id: -1, request: { type: 'cancel' } },
    { kind: 'request', id: 1.5, request: { type: 'cancel' } },
    { kind: 'request', id: '1', request: { type: 'cancel' } },
    { kind: 'request', id: 1 },
    { kind: 'request', id: 1, request: { type: 'runCommand', command: 'x' } },
    { kind: 'request', id: 1, request: { type: 'open' } },
    { kind: 'request', id: 1, request: { type: 'open', ip: '<img src=x onerror=alert(1)>' } },
    { kind: 'request', id: 1, request: { type: 'open', ip: '8.8.8.8; rm -rf /' } },
    { kind: 'request', id: 1, request: { type: 'reveal', ip: '1'.repeat(65) } },
    { kind: 'request', id: 1, request: { type: 'copy', ip: 42 } },
    { kind: 'request', id: 1, request: { type: 'export', format: 'pdf' } },
    { kind: 'request', id: 1, request: { type: 'export', format: '../../etc/passwd' } },
    { kind: 'hello' },
  ];
  for (const m of bad) assert.equal(parseTriageWebviewMessage(m), undefined, JSON.stringify(m));
  assert.equal(isAddressText('fe80::1%eth0'), false, 'zone ids are not row keys');
  assert.equal(isAddressText(''), false);
  assert.equal(isAddressText('10.0.0.1'), true);
});

const summary: TriageSummary = {
  runId: 1,
  state: 'done',
  phase: 'done',
  source: 'firewall.log',
  lookback: '7d',
  addresses: 1,
  resolved: 1,
  byVerdict: emptyVerdictCounts(),
  batchesDone: 2,
  batchesTotal: 2,
  calls: { hunting: 2, findbyip: 0, cacheHits: 0 },
  bytesScanned: 3212,
  occurrences: 24,
  notes: ['a note'],
  demo: true,
  startedAt: '2026-11-25T10:00:00.000Z',
  finishedAt: '2026-11-25T10:00:01.000Z',
};

const row: TriageRow = { ip: '198.51.100.23', version: 4, ipClass: 'documentation', internal: false, verdict: 'alerts', machines: 3, alertCount: 4, severities: ['High'], occurrences: 5, files: 1, where: 'firewall.log:1:10', detail: '<script>alert(1)</script>', problems: 0, fromCache: false };

test('the webview accepts well-formed host messages', () => {
  assert.ok(parseTriageHostMessage({ kind: 'reset', summary }));
  assert.ok(parseTriageHostMessage({ kind: 'summary', summary }));
  assert.ok(parseTriageHostMessage({ kind: 'rows', runId: 1, rows: [row] }), 'markup in a detail is text, valid as a string');
  assert.ok(parseTriageHostMessage({ kind: 'rows', runId: 1, rows: [] }));
  assert.ok(parseTriageHostMessage({ kind: 'response', id: 1, ok: true }));
  assert.ok(parseTriageHostMessage({ kind: 'response', id: 1, ok: true, message: 'Copied.' }));
  assert.ok(parseTriageHostMessage({ kind: 'response', id: 1, ok: false, error: 'No.' }));
});

test('the webview refuses malformed host messages', () => {
  const bad: unknown[] = [
    { kind: 'reset' },
    { kind: 'reset', summary: { ...summary, state: 'exploded' } },
    { kind: 'reset', summary: { ...summary, lookback: '90d' } },
    { kind: 'summary', summary: { ...summary, byVerdict: { alerts: 1 } } },
    { kind: 'summary', summary: { ...summary, calls: { hunting: -1, findbyip: 0, cacheHits: 0 } } },
    { kind: 'summary', summary: { ...summary, notes: [1] } },
    { kind: 'rows', runId: 1, rows: [{ ...row, verdict: 'evil' }] },
    { kind: 'rows', runId: 1, rows: [{ ...row, ip: '<b>' }] },
    { kind: 'rows', runId: 1, rows: [{ ...row, machines: -3 }] },
    { kind: 'rows', runId: 1, rows: [{ ...row, severities: 'High' }] },
    { kind: 'rows', runId: 1, rows: [{ ...row, version: 5 }] },
    { kind: 'rows', runId: 1, rows: 'x' },
    { kind: 'rows', rows: [] },
    { kind: 'response', id: 1, ok: false },
    { kind: 'response', id: 1, ok: 'yes' },
    { kind: 'html', html: '<img>' },
  ];
  for (const m of bad) assert.equal(parseTriageHostMessage(m), undefined, JSON.stringify(m));
});
