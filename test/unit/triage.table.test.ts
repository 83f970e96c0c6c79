// The triage table's view model (merge of streamed rows, sort, filter, verdict chips, virtual window) and the
// host's mapping from entries to rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TriageTableModel, compareAddresses, rowWindow, scrollToShow } from '../../webview/triage/tableModel';
import { investigationTime, progressMessage, progressPercent, toTableRow } from '../../src/features/triage/tableRows';
import { TriageResults } from '../../src/features/triage/triageResults';
import { isTriageRow, isTriageSummary, sanitizeTriageViewState, type TriageRow, type TriageSummary } from '../../src/shared/triageProtocol';
import { emptyVerdictCounts, type TriageEntry, type TriageProgress, type TriageVerdict } from '../../src/shared/triageModel';

function summary(runId: number, extra: Partial<TriageSummary> = {}): TriageSummary {
  return {
    runId,
    state: 'running',
    phase: 'querying',
    source: 'firewall.log',
    lookback: '7d',
    addresses: 0,
    resolved: 0,
    byVerdict: emptyVerdictCounts(),
    batchesDone: 0,
    batchesTotal: 2,
    calls: { hunting: 0, findbyip: 0, cacheHits: 0 },
    bytesScanned: 0,
    occurrences: 0,
    notes: [],
    demo: true,
    startedAt: '2026-11-25T10:00:00.000Z',
    ...extra,
  };
}

function row(ip: string, verdict: TriageVerdict, extra: Partial<TriageRow> = {}): TriageRow {
  return { ip, version: ip.includes(':') ? 6 : 4, ipClass: 'public', internal: false, verdict, severities: [], occurrences: 1, files: 1, problems: 0, fromCache: false, ...extra };
}

const ROWS: TriageRow[] = [
  row('8.8.8.8', 'seen', { machines: 223, lastSeen: '2026-11-25T01:00:00Z', detail: 'svchost.exe' }),
  row('198.51.100.23', 'alerts', { machines: 3, alertCount: 4, severities: ['High', 'Medium'], detail: 'Suspicious PowerShell download cradle', lastSeen: '2026-11-24T22:00:00Z' }),
  row('203.0.113.80', 'alerts', { machines: 1, alertCount: 1, severities: ['Low'], detail: 'Suspicious inbound connection attempts' }),
  row('10.248.240.38', 'internal', { ipClass: 'private', internal: true, machines: 1, occurrences: 6, detail: 'held by fin-ws-017.corp.contoso.com' }),
  row('10.0.0.9', 'internal', { ipClass: 'private', internal: true }),
  row('10.0.0.10', 'internal', { ipClass: 'private', internal: true }),
  row('192.0.2.10', 'not-seen', { ipClass: 'documentation', occurrences: 2 }),
  row('2001:db8::1', 'unknown', { ipClass: 'documentation', problems: 1, detail: 'The hunting query timed out.' }),
  row('127.0.0.1', 'skipped', { ipClass: 'loopback', detail: 'Loopback address' }),
];

function loaded(rows = ROWS): TriageTableModel {
  const m = new TriageTableModel();
  assert.equal(m.apply({ kind: 'reset', summary: summary(1) }), 'reset');
  assert.equal(m.apply({ kind: 'rows', runId: 1, rows }), 'rows');
  return m;
}

test('streamed rows merge by address; another run and stale summaries are ignored; reset drops everything', () => {
  const m = loaded(ROWS.slice(0, 2));
  assert.equal(m.size, 2);
  assert.equal(m.apply({ kind: 'rows', runId: 1, rows: [row('8.8.8.8', 'pending')] }), 'rows');
  assert.equal(m.apply({ kind: 'rows', runId: 1, rows: [row('8.8.8.8', 'seen', { machines: 300 })] }), 'rows');
  assert.equal(m.size, 2, 'an update replaces the row of its address');
  assert.equal(m.row('8.8.8.8')?.machines, 300);
  assert.equal(m.apply({ kind: 'rows', runId: 2, rows: [row('1.1.1.1', 'seen')] }), 'none', 'rows of another run');
  assert.equal(m.apply({ kind: 'summary', summary: summary(2) }), 'none', 'a summary of another run');
  assert.equal(m.apply({ kind: 'summary', summary: summary(1, { state: 'cancelled' }) }), 'summary');
  assert.equal(m.summary?.state, 'cancelled');
  assert.equal(m.row('1.1.1.1'), undefined);
  assert.equal(m.apply({ kind: 'reset', summary: summary(2) }), 'reset');
  assert.equal(m.size, 0);
  assert.equal(m.apply({ kind: 'rows', runId: 2, rows: [row('1.1.1.1', 'seen')] }), 'rows');
  assert.deepEqual(m.view().map((r) => r.ip), ['1.1.1.1']);
});

test('the view is recomputed when rows stream in after it was read', () => {
  const m = loaded(ROWS.slice(0, 1));
  assert.equal(m.view().length, 1);
  m.apply({ kind: 'rows', runId: 1, rows: [row('1.1.1.1', 'seen', { machines: 500 })] });
  assert.deepEqual(m.view().map((r) => r.ip), ['1.1.1.1', '8.8.8.8']);
});

test('default order is importance: alerts by severity, then seen, internal, not seen, not answered, skipped', () => {
  assert.deepEqual(
    loaded().view().map((r) => r.ip),
    ['198.51.100.23', '203.0.113.80', '8.8.8.8', '10.248.240.38', '10.0.0.9', '10.0.0.10', '192.0.2.10', '2001:db8::1', '127.0.0.1'],
  );
});

test('a header click sorts by its column; a second click flips it; numeric address order, IPv4 before IPv6', () => {
  const m = loaded();
  m.sortBy('ip');
  assert.deepEqual(m.sort, { key: 'ip', dir: 'asc' });
  assert.deepEqual(m.view().map((r) => r.ip), ['8.8.8.8', '10.0.0.9', '10.0.0.10', '10.248.240.38', '127.0.0.1', '192.0.2.10', '198.51.100.23', '203.0.113.80', '2001:db8::1']);
  m.sortBy('ip');
  assert.equal(m.view()[0].ip, '2001:db8::1');
  m.sortBy('machines');
  assert.deepEqual(m.sort, { key: 'machines', dir: 'desc' }, 'counts start biggest first');
  const desc = m.view();
  assert.deepEqual(desc.slice(0, 3).map((r) => r.ip), ['8.8.8.8', '198.51.100.23', '203.0.113.80']);
  assert.equal(desc[desc.length - 1].machines, undefined, 'rows without a value go last');
  m.sortBy('machines');
  const asc = m.view();
  assert.equal(asc[0].machines, 1);
  assert.equal(asc[asc.length - 1].machines, undefined, 'still last when ascending');
  m.sortBy('alerts');
  assert.deepEqual(m.view().slice(0, 2).map((r) => r.ip), ['198.51.100.23', '203.0.113.80'], 'by highest severity first');
  m.sortBy('lastSeen');
  assert.deepEqual(m.view().slice(0, 2).map((r) => r.ip), ['8.8.8.8', '198.51.100.23'], 'newest first');
});

test('compareAddresses orders by value, with :: expanded', () => {
  const ips = ['2001:db8::10', '2001:db8::2', '::1', '10.0.0.10', '9.255.255.255', '2001:db8:0:1::'];
  assert.deepEqual([...ips].sort(compareAddresses), ['9.255.255.255', '10.0.0.10', '::1', '2001:db8::2', '2001:db8::10', '2001:db8:0:1::']);
});

test('the filter matches every word across address, class, verdict label, detail and severities', () => {
  const m = new TriageTableModel((v) => (v === 'alerts' ? 'With alerts' : v));
  m.apply({ kind: 'reset', summary: summary(1) });
  m.apply({ kind: 'rows', runId: 1, rows: ROWS });
  m.setFilter('POWERSHELL');
  assert.deepEqual(m.view().map((r) => r.ip), ['198.51.100.23']);
  m.setFilter('with alerts low');
  assert.deepEqual(m.view().map((r) => r.ip), ['203.0.113.80'], 'the verdict label and a severity');
  m.setFilter('10.0.0');
  assert.deepEqual(m.view().map((r) => r.ip), ['10.0.0.9', '10.0.0.10']);
  m.setFilter('fin-ws-017 private');
  assert.deepEqual(m.view().map((r) => r.ip), ['10.248.240.38']);
  m.setFilter('no-such-thing');
  assert.equal(m.view().length, 0);
  assert.equal(m.counts().alerts, 2, 'the chip counts ignore the filter');
});

test('verdict chips narrow to the chosen verdicts; none chosen shows all', () => {
  const m = loaded();
  m.toggleVerdict('seen');
  assert.deepEqual(m.view().map((r) => r.verdict), ['seen']);
  m.toggleVerdict('alerts');
  assert.deepEqual(m.view().map((r) => r.verdict), ['alerts', 'alerts', 'seen']);
  m.toggleVerdict('seen');
  assert.deepEqual(m.view().map((r) => r.verdict), ['alerts', 'alerts']);
  m.setFilter('203');
  assert.deepEqual(m.view().map((r) => r.ip), ['203.0.113.80'], 'chips and the filter combine');
  m.clearVerdicts();
  m.setFilter('');
  assert.equal(m.view().length, ROWS.length);
  const counts = m.counts();
  assert.equal(counts.internal, 3);
  assert.equal(counts.pending, 0);
});

test('sort, filter and chips survive a reload through the saved state (sanitised)', () => {
  const m = loaded();
  m.sortBy('occurrences');
  m.setFilter('10.');
  m.toggleVerdict('internal');
  const saved = JSON.parse(JSON.stringify(m.state())) as unknown;
  const restored = new TriageTableModel(undefined, sanitizeTriageViewState(saved));
  assert.deepEqual(restored.state(), m.state());
  const hostile = sanitizeTriageViewState({ sort: { key: 'x'.repeat(100), dir: 'sideways' }, filter: 42, verdicts: ['alerts', '<img>', 'alerts'] });
  assert.deepEqual(hostile, { verdicts: ['alerts'] });
  const unknownKey = new TriageTableModel(undefined, { sort: { key: 'evil', dir: 'asc' } });
  assert.equal(unknownKey.sort.key, 'verdict');
});

test('10,000 rows: the window renders a screenful plus overscan, at any scroll position', () => {
  const w = rowWindow(0, 520, 26, 10_000);
  assert.deepEqual(w, { first: 0, end: 28, offset: 0, totalHeight: 260_000 });
  const mid = rowWindow(130_000, 520, 26, 10_000);
  assert.equal(mid.first, 4992);
  assert.equal(mid.end - mid.first, 36);
  assert.equal(mid.offset, 4992 * 26);
  const end = rowWindow(10e9, 520, 26, 10_000);
  assert.equal(end.end, 10_000, 'scrolling past the end shows the last rows');
  assert.ok(end.end - end.first <= 40);
  assert.deepEqual(rowWindow(100, 520, 26, 0), { first: 0, end: 0, offset: 0, totalHeight: 0 });
  assert.throws(() => rowWindow(0, 100, 0, 10), RangeError);
  assert.equal(scrollToShow(100, 26, 520, 0), 101 * 26 - 520, 'below: scrolls just enough');
  assert.equal(scrollToShow(3, 26, 520, 1000), 78, 'above: scrolls to its top');
  assert.equal(scrollToShow(20, 26, 520, 100), 100, 'in view: no move');
});

test('10,000 rows streamed in batches merge into one table that filters and sorts numerically', () => {
  const m = new TriageTableModel();
  m.apply({ kind: 'reset', summary: summary(1) });
  const all = Array.from({ length: 10_000 }, (_, i) => row(`45.${(i >> 8) & 255}.${i & 255}.7`, i % 7 === 0 ? 'alerts' : 'not-seen', { machines: i % 13 }));
  for (let i = 0; i < all.length; i += 2000) m.apply({ kind: 'rows', runId: 1, rows: all.slice(i, i + 2000) });
  assert.equal(m.size, 10_000);
  m.setFilter('45.3.');
  assert.equal(m.view().length, 256);
  m.setFilter('');
  m.sortBy('ip');
  assert.equal(m.view()[0].ip, '45.0.0.7');
  assert.equal(m.view()[9999].ip, '45.39.15.7');
});

function entry(ip: string, extra: Partial<TriageEntry> = {}): TriageEntry {
  return {
    ip,
    version: 4,
    ipClass: 'public',
    internal: false,
    verdict: 'seen',
    occurrenceCount: 1,
    occurrences: [{ file: 'firewall.log', line: 3, column: 7, start: 40, end: 53 }],
    occurrencesTruncated: false,
    files: ['firewall.log'],
    defanged: false,
    problems: [],
    fromCache: false,
    ...extra,
  };
}

test('entries become rows: highest severity first, holders for internal addresses, the first place, valid for the protocol', () => {
  const alerts = toTableRow(
    entry('198.51.100.23', {
      verdict: 'alerts',
      alerts: { count: 4, titles: ['Suspicious <b>cradle</b>\nsecond line'], severities: ['Low', 'High', 'Medium'], highestSeverity: 'High' },
      sightings: { machines: 3, events: 9, ports: [443], processes: ['powershell.exe'], deviceNames: [], firstSeen: '2026-11-20T00:00:00.000Z', lastSeen: '2026-11-24T00:00:00.000Z' },
    }),
  );
  assert.deepEqual(alerts.severities, ['High', 'Medium', 'Low']);
  assert.equal(alerts.machines, 3);
  assert.equal(alerts.alertCount, 4);
  assert.equal(alerts.where, 'firewall.log:3:7');
  assert.equal(alerts.detail, 'Suspicious <b>cradle</b> second line', 'one line, kept as text (the webview sets it with textContent)');
  assert.ok(isTriageRow(alerts));
  const internal = toTableRow(
    entry('10.248.240.38', {
      verdict: 'internal',
      internal: true,
      ipClass: 'private',
      holders: [
        { id: 'a', name: 'fin-ws-017', firstSeen: '2026-11-20T00:00:00.000Z', lastSeen: '2026-11-21T00:00:00.000Z' },
        { id: 'b', name: 'hr-lt-044', firstSeen: '2026-11-10T00:00:00.000Z', lastSeen: '2026-11-12T00:00:00.000Z' },
      ],
    }),
  );
  assert.equal(internal.machines, 2);
  assert.equal(internal.firstSeen, '2026-11-10T00:00:00.000Z');
  assert.equal(internal.lastSeen, '2026-11-21T00:00:00.000Z');
  assert.equal(internal.detail, 'held by fin-ws-017, hr-lt-044');
  const unknown = toTableRow(entry('192.0.2.1', { verdict: 'unknown', problems: [{ source: 'summary', kind: 'timeout', message: 'The hunting query timed out.' }] }));
  assert.equal(unknown.detail, 'The hunting query timed out.');
  assert.equal(unknown.problems, 1);
  assert.ok(isTriageRow(unknown));
});

test('an internal address is investigated at its first line time within the past 30 days; public ones without a time', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  const e = entry('10.0.0.5', {
    internal: true,
    occurrences: [
      { file: 'a.log', line: 1, column: 1, start: 0, end: 8, time: '2026-09-01T00:00:00.000Z' },
      { file: 'a.log', line: 2, column: 1, start: 9, end: 17, time: '2026-11-20T08:00:00.000Z' },
    ],
  });
  assert.equal(investigationTime(e, now), '2026-11-20T08:00:00.000Z');
  assert.equal(investigationTime({ ...e, occurrences: [e.occurrences[0]] }, now), undefined, 'older than 30 days');
  assert.equal(investigationTime({ ...e, internal: false }, now), undefined);
});

test('the run summary counts verdicts from the live entries and validates for the webview', () => {
  const r = new TriageResults(7, { source: 'firewall.log', lookback: '7d', documents: [{ name: 'firewall.log', key: '/w/firewall.log', uri: 'file:///w/firewall.log' }], demo: true }, () => Date.parse('2026-11-25T12:00:00Z'));
  r.upsert([entry('8.8.8.8'), entry('198.51.100.23', { verdict: 'pending' })]);
  const s = r.summary();
  assert.equal(s.addresses, 2);
  assert.equal(s.resolved, 1);
  assert.equal(s.byVerdict.seen, 1);
  assert.equal(s.byVerdict.pending, 1);
  assert.ok(isTriageSummary(s));
  assert.deepEqual([...(r.namesFor('/w/firewall.log') ?? [])], ['firewall.log']);
  assert.equal(r.namesFor('/w/other.log'), undefined);
});

test('progress line and percentage per phase', () => {
  const p: TriageProgress = {
    phase: 'querying',
    bytesScanned: 10 << 20,
    bytesTotal: 10 << 20,
    occurrences: 5000,
    addresses: 1200,
    resolved: 412,
    batchesDone: 3,
    batchesTotal: 7,
    calls: { hunting: 3, findbyip: 0, cacheHits: 0 },
    byVerdict: { ...emptyVerdictCounts(), alerts: 12 },
  };
  assert.equal(progressMessage(p), 'Querying 3/7 batches, 412/1,200 addresses: 12 with alerts…');
  assert.equal(Math.round(progressPercent(p)), 54);
  assert.equal(progressMessage({ ...p, phase: 'extracting', bytesScanned: 5 << 20 }), 'Scanning 5.0/10.0 MB: 5,000 matches…');
  assert.equal(progressPercent({ ...p, phase: 'extracting', bytesScanned: 5 << 20 }), 10);
  assert.equal(progressPercent({ ...p, phase: 'done' }), 100);
});
