// Where the triaged addresses are decorated in a document, by verdict: the triage's offsets while they hold, a rescan
// matched by normalised value once the text changed, and selections mapped back to document offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDecorationRanges, locateAddresses, rangesByVerdict } from '../../src/features/triage/decorationRanges';
import { AddressCollector } from '../../src/core/triage/addressCollector';
import { extractAddresses, type TriageInput } from '../../src/core/triage/extractAddresses';
import type { TriageEntry, TriageVerdict } from '../../src/shared/triageModel';

const LOG = [
  '2026-11-20T10:00:00Z fw ALLOW 10.248.240.38:51544 -> 198.51.100.23:443',
  '2026-11-20T10:05:00Z fw ALLOW 10.248.240.38:51560 -> 8.8.8.8:53',
  '2026-11-20T10:06:00Z fw DENY 203.0.113.80 -> 192.0.2.10:3389 (127.0.0.1)',
  '2026-11-20T10:07:00Z proxy CONNECT 198.51.100.23:8443',
  '',
].join('\r\n');

const VERDICTS: Record<string, TriageVerdict> = {
  '198.51.100.23': 'alerts',
  '8.8.8.8': 'seen',
  '10.248.240.38': 'internal',
  '192.0.2.10': 'not-seen',
  '203.0.113.80': 'unknown',
  '127.0.0.1': 'skipped',
};

/** Entries as the triage builds them: the real extraction of `inputs` (offsets included), verdicts from the table above. */
async function triaged(inputs: TriageInput[], maxOccurrencesPerAddress = 200): Promise<TriageEntry[]> {
  const collector = new AddressCollector({ maxOccurrencesPerAddress });
  const it = extractAddresses(inputs, collector, { lineTime: { now: new Date('2026-11-25T00:00:00Z') } });
  for (let s = await it.next(); !s.done; s = await it.next()) {
    // drain
  }
  return [...collector.addresses.values()].map((a) => ({
    ip: a.ip,
    version: a.version,
    ipClass: a.ipClass,
    internal: false,
    verdict: VERDICTS[a.ip] ?? 'not-seen',
    occurrenceCount: a.occurrenceCount,
    occurrences: a.occurrences,
    occurrencesTruncated: a.occurrencesTruncated,
    files: a.files,
    defanged: a.defanged,
    problems: [],
    fromCache: false,
  }));
}

/** The text of each range. */
const texts = (text: string, ranges: { start: number; end: number }[]): string[] => ranges.map((r) => text.slice(r.start, r.end));

test('an unchanged document: the triage offsets are used, grouped by verdict; skipped and unanswered get none', async () => {
  const entries = await triaged([{ kind: 'text', name: 'fw.log', text: LOG }]);
  const located = locateAddresses(entries, new Set(['fw.log']), LOG);
  assert.equal(located.rescanned, false);
  const r = computeDecorationRanges(entries, new Set(['fw.log']), LOG);
  assert.deepEqual(texts(LOG, r.alerts), ['198.51.100.23', '198.51.100.23']);
  assert.deepEqual(texts(LOG, r.seen), ['8.8.8.8']);
  assert.deepEqual(texts(LOG, r.internal), ['10.248.240.38', '10.248.240.38']);
  assert.deepEqual(texts(LOG, r['not-seen']), ['192.0.2.10']);
  assert.equal(Object.values(r).flat().length, 6, 'nothing for 203.0.113.80 (unknown) or 127.0.0.1 (skipped)');
  assert.ok(r.alerts[0].start < r.alerts[1].start, 'document order');
});

test('occurrences of other files are not decorated in this document', async () => {
  const entries = await triaged([
    { kind: 'text', name: 'a.log', text: LOG },
    { kind: 'text', name: 'b.log', text: 'only 8.8.8.8 here' },
  ]);
  const b = computeDecorationRanges(entries, new Set(['b.log']), 'only 8.8.8.8 here');
  assert.deepEqual(texts('only 8.8.8.8 here', b.seen), ['8.8.8.8']);
  assert.equal(b.alerts.length + b.internal.length + b['not-seen'].length, 0);
});

test('after an edit the text is scanned again: ranges move with the text, matched by normalised value (defanged, long IPv6)', async () => {
  const entries = await triaged([{ kind: 'text', name: 'fw.log', text: `${LOG}seen v6 2001:db8::1\r\n` }]);
  for (const e of entries) if (e.ip === '2001:db8::1') e.verdict = 'seen';
  const edited = `# a header line added after the triage\r\nC2 again: 198[.]51[.]100[.]23 and 2001:0DB8:0000:0000:0000:0000:0000:0001\r\n${LOG.replace('8.8.8.8', '8.8.4.4')}`;
  const located = locateAddresses(entries, new Set(['fw.log']), edited);
  assert.equal(located.rescanned, true, 'stale offsets are never used');
  const r = rangesByVerdict(located.byIp, (ip) => entries.find((e) => e.ip === ip)?.verdict, (a, b) => a.start - b.start);
  assert.deepEqual(texts(edited, r.alerts), ['198[.]51[.]100[.]23', '198.51.100.23', '198.51.100.23']);
  assert.deepEqual(texts(edited, r.seen), ['2001:0DB8:0000:0000:0000:0000:0000:0001'], '8.8.8.8 was edited away; the IPv6 matches by value');
  assert.ok(!texts(edited, Object.values(r).flat()).includes('8.8.4.4'), 'an address the triage never saw is not decorated');
});

test('a capped entry (more occurrences than kept) is located by scanning, so every occurrence is decorated', async () => {
  const text = Array.from({ length: 50 }, (_, i) => `line ${i} 198.51.100.23`).join('\n');
  const entries = await triaged([{ kind: 'text', name: 'big.log', text }], 10);
  assert.equal(entries[0].occurrencesTruncated, true);
  assert.equal(entries[0].occurrences.length, 10);
  const located = locateAddresses(entries, new Set(['big.log']), text);
  assert.equal(located.rescanned, true);
  assert.equal(computeDecorationRanges(entries, new Set(['big.log']), text).alerts.length, 50);
});

test('selections: occurrences land at their document offsets, so the document is decorated without a rescan', async () => {
  const doc = LOG;
  const lines = doc.split('\r\n');
  // Two selections: from the middle of line 2 to its end, and all of line 4.
  const s1 = doc.indexOf('8.8.8.8') - 5;
  const s1End = doc.indexOf('\r\n', s1);
  const line4 = doc.indexOf(lines[3]);
  const selections = [
    { start: s1, end: s1End, line: 2, column: s1 - doc.indexOf(lines[1]) + 1 },
    { start: line4, end: line4 + lines[3].length, line: 4, column: 1 },
  ];
  const inputs: TriageInput[] = selections.map((s) => ({ kind: 'text', name: 'untitled:Untitled-1', text: doc.slice(s.start, s.end), base: { offset: s.start, line: s.line, column: s.column } }));
  const entries = await triaged(inputs);
  assert.deepEqual(entries.map((e) => e.ip).sort(), ['198.51.100.23', '8.8.8.8']);
  const dns = entries.find((e) => e.ip === '8.8.8.8')!.occurrences[0];
  assert.equal(doc.slice(dns.start, dns.end), '8.8.8.8');
  assert.equal(dns.line, 2);
  assert.equal(dns.column, lines[1].indexOf('8.8.8.8') + 1);
  const c2 = entries.find((e) => e.ip === '198.51.100.23')!.occurrences[0];
  assert.equal(c2.line, 4);
  assert.equal(c2.column, lines[3].indexOf('198.51.100.23') + 1);
  const located = locateAddresses(entries, new Set(['untitled:Untitled-1']), doc);
  assert.equal(located.rescanned, false);
  const r = computeDecorationRanges(entries, new Set(['untitled:Untitled-1']), doc);
  assert.deepEqual(texts(doc, r.alerts), ['198.51.100.23'], 'only the selected occurrence, at its place in the document');
  assert.equal(r.alerts[0].start, doc.lastIndexOf('198.51.100.23'));
});

test('verdicts that change while results stream in regroup the same located ranges', async () => {
  const entries = await triaged([{ kind: 'text', name: 'fw.log', text: LOG }]);
  const located = locateAddresses(entries, new Set(['fw.log']), LOG);
  const pending = rangesByVerdict(located.byIp, () => 'pending');
  assert.equal(Object.values(pending).flat().length, 0, 'pending addresses are not decorated');
  const done = rangesByVerdict(located.byIp, (ip) => VERDICTS[ip]);
  assert.equal(done.alerts.length, 2);
});
