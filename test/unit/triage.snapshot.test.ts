import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SNAPSHOT_LIMITS, decodeSavedTriage, encodeSavedTriage, type SavedTriage } from '../../src/core/triage/triageSnapshot';
import { emptyVerdictCounts, type TriageEntry, type TriageReport } from '../../src/shared/triageModel';

function entry(partial: Partial<TriageEntry> & Pick<TriageEntry, 'ip' | 'verdict'>): TriageEntry {
  return {
    version: partial.ip.includes(':') ? 6 : 4,
    ipClass: 'public',
    internal: false,
    occurrenceCount: 1,
    occurrences: [{ file: 'firewall.log', line: 3, column: 7, start: 40, end: 53, time: '2026-11-20T08:44:05.000Z', port: 443 }],
    occurrencesTruncated: false,
    files: ['firewall.log'],
    defanged: false,
    problems: [],
    fromCache: false,
    ...partial,
  };
}

function saved(entries: TriageEntry[] = defaultEntries()): SavedTriage {
  const byVerdict = emptyVerdictCounts();
  for (const e of entries) byVerdict[e.verdict]++;
  const report: TriageReport = {
    lookback: '7d',
    startedAt: '2026-11-25T12:00:00.000Z',
    finishedAt: '2026-11-25T12:00:03.000Z',
    cancelled: false,
    entries,
    queries: [{ purpose: 'summary', query: 'DeviceNetworkEvents | take 1', addresses: 2, ok: true, rows: 1, source: 'graph' }],
    sources: [{ name: 'firewall.log', bytes: 1234, matches: 6 }],
    counts: { files: 1, bytes: 1234, occurrences: 6, addresses: entries.length, byVerdict },
    calls: { hunting: 3, findbyip: 0, cacheHits: 0 },
  };
  return {
    scope: 'demo@simulator',
    savedAt: '2026-11-25T12:00:04.000Z',
    source: 'firewall.log',
    demo: true,
    notes: ['a note'],
    documents: [{ name: 'firewall.log', key: '/ws/firewall.log', uri: 'file:///ws/firewall.log' }],
    report,
    inputs: [{ path: '/ws/firewall.log', name: 'firewall.log', mtimeMs: 1764072000123.5, size: 1234, extraction: { bytes: 1234, matches: 6, addresses: [{ ip: '198.51.100.23', version: 4, ipClass: 'documentation', count: 1, occ: [[3, 7, 40, 53, null, 443, 0]], truncated: false, defanged: false, timed: false, times: [] }] } }],
  };
}

function defaultEntries(): TriageEntry[] {
  return [
    entry({
      ip: '198.51.100.23',
      ipClass: 'documentation',
      block: { prefix: '198.51.100.0/24', name: 'TEST-NET-2', rfc: 'RFC 5737' },
      verdict: 'alerts',
      sightings: { machines: 6, events: 120, firstSeen: '2026-11-01T10:00:00Z', lastSeen: '2026-11-24T10:00:00Z', ports: [443], processes: ['rundll32.exe'], deviceNames: ['fin-ws-017'] },
      alerts: { count: 3, titles: ['<script>alert(1)</script>'], severities: ['High'], bySeverity: { High: 3 }, highestSeverity: 'High', lastAlert: '2026-11-24T11:00:00Z' },
      cachedAt: '2026-11-25T12:00:01.000Z',
    }),
    entry({
      ip: '10.248.240.38',
      ipClass: 'private',
      internal: true,
      verdict: 'internal',
      times: ['2026-11-23T09:30:00.000Z'],
      holdersAt: [{ at: '2026-11-23T09:30:00.000Z', machines: [{ id: 'b7e3', name: 'fin-ws-017' }], via: 'hunting' }],
      holders: [{ id: 'b7e3', name: 'fin-ws-017' }],
      occurrences: [{ file: 'other.log', line: 1, column: 1, start: 0, end: 13, defanged: true }],
      files: ['other.log'],
    }),
    entry({ ip: '1.2.3.4', verdict: 'unknown', problems: [{ source: 'summary', kind: 'server', message: 'Server error', requestId: 'r1' }] }),
  ];
}

test('a saved triage reads back as it was: entries, occurrences, queries, inputs with mtime and size, extractions', () => {
  const t = saved();
  const { text, droppedEntries, droppedExtractions } = encodeSavedTriage(t);
  assert.equal(droppedEntries, 0);
  assert.equal(droppedExtractions, false);
  const back = decodeSavedTriage(text, 'demo@simulator');
  assert.equal(back.dropped, 0);
  assert.ok(back.triage);
  assert.deepEqual(back.triage, t);
});

test('bounds: occurrences per entry, then the extractions, then the least important entries go to fit', () => {
  const many = Array.from({ length: 80 }, (_, i) => ({ file: 'firewall.log', line: i + 1, column: 1, start: i * 20, end: i * 20 + 13 }));
  const big = saved([...defaultEntries(), entry({ ip: '203.0.113.9', verdict: 'seen', occurrenceCount: 80, occurrences: many, sightings: { machines: 1, events: 1, ports: [], processes: [], deviceNames: [] } })]);
  const one = decodeSavedTriage(encodeSavedTriage(big).text, 'demo@simulator').triage!;
  const seen = one.report.entries.find((e) => e.ip === '203.0.113.9')!;
  assert.equal(seen.occurrences.length, SNAPSHOT_LIMITS.maxOccurrences);
  assert.equal(seen.occurrencesTruncated, true);
  assert.equal(seen.occurrenceCount, 80, 'the count stays exact');

  const full = encodeSavedTriage(big).text.length;
  const noExtraction = encodeSavedTriage(big, { ...SNAPSHOT_LIMITS, maxBytes: full - 10 });
  assert.equal(noExtraction.droppedExtractions, true);
  assert.equal(noExtraction.droppedEntries, 0);
  const tiny = encodeSavedTriage(big, { ...SNAPSHOT_LIMITS, maxBytes: 2500 });
  assert.ok(tiny.text.length <= 2500, String(tiny.text.length));
  assert.ok(tiny.droppedEntries > 0);
  const kept = decodeSavedTriage(tiny.text, 'demo@simulator').triage!.report.entries.map((e) => e.ip);
  assert.equal(kept[0], '198.51.100.23', 'the most important entry is the last to go');
});

test('what does not validate is dropped on its own; another tenant, a newer version or foreign text is refused', () => {
  const t = saved();
  const doc = JSON.parse(encodeSavedTriage(t).text) as { report: { entries: Record<string, unknown>[] }; inputs: Record<string, unknown>[] };
  doc.report.entries[1].ip = '10.248.240[.]38';
  doc.report.entries[2].occ = [[7, 1, 1, 0, 5, null, null, 0]];
  doc.report.entries.push({ ...doc.report.entries[0], ip: '192.0.2.5', verdict: 'pending', alerts: undefined, sightings: undefined });
  doc.report.entries.push({ ...doc.report.entries[0], ip: '192.0.2.6', sightings: { machines: 'many' } });
  doc.inputs.push({ path: '/x', name: 'x', mtimeMs: 'yesterday', size: 1 });
  (doc.inputs[0].extraction as { addresses: { ip: string }[] }).addresses[0].ip = '<img src=x>';
  const back = decodeSavedTriage(JSON.stringify(doc), 'demo@simulator');
  assert.equal(back.dropped, 4);
  const ips = back.triage!.report.entries.map((e) => e.ip);
  assert.deepEqual(new Set(ips), new Set(['198.51.100.23', '192.0.2.5']));
  assert.equal(back.triage!.report.entries.find((e) => e.ip === '192.0.2.5')?.verdict, 'unknown', 'a saved run has no pending address');
  assert.equal(back.triage!.report.counts.byVerdict.alerts, 1, 'counts follow what was read');
  assert.equal(back.triage!.inputs.length, 1);
  assert.equal(back.triage!.inputs[0].extraction, undefined, 'a bad extraction is refused whole: the file will be read');

  assert.equal(decodeSavedTriage(encodeSavedTriage(t).text, 'tenant-b@commercial').refused, 'another tenant');
  assert.equal(decodeSavedTriage(JSON.stringify({ ...doc, version: 2 }), 'demo@simulator').refused, 'version 2');
  assert.equal(decodeSavedTriage('{"format":"ipinv-triage-cache","version":1}', 'demo@simulator').refused, 'not a saved triage');
  assert.equal(decodeSavedTriage('{', 'demo@simulator').refused, 'not JSON');
});
