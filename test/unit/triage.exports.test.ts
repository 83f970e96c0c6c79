import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSV_COLUMNS, exportCsv } from '../../src/core/triage/exportCsv';
import { csvCell } from '../../src/shared/csv';
import { escapeMarkdown } from '../../src/shared/markdown';
import { exportJson } from '../../src/core/triage/exportJson';
import { exportMarkdown, fenced } from '../../src/core/triage/exportMarkdown';
import { exportStix, stixPattern, uuidV5 } from '../../src/core/triage/exportStix';
import { emptyVerdictCounts, type TriageEntry, type TriageReport } from '../../src/shared/triageModel';
import type { Annotation } from '../../src/shared/annotation';
import { batchAlertsQuery, batchRemoteIpSummaryQuery } from '../../src/core/hunting/huntingQueries';

const HOSTILE = {
  script: '<script>alert(1)</script>',
  img: '<img src=x onerror=alert(1)>',
  link: '[link](command:workbench.action.terminal.new)',
  bold: '**bold**',
  ticks: '```\n# heading',
  codicon: '$(codicon)',
  rtl: '\u202Etxt.exe',
  formula: '=HYPERLINK("http://evil.example","x")',
  pipe: 'a | b',
};

function entry(partial: Partial<TriageEntry> & Pick<TriageEntry, 'ip' | 'verdict'>): TriageEntry {
  return {
    version: partial.ip.includes(':') ? 6 : 4,
    ipClass: 'public',
    internal: false,
    occurrenceCount: 1,
    occurrences: [{ file: 'fw.log', line: 3, column: 7, start: 40, end: 53 }],
    occurrencesTruncated: false,
    files: ['fw.log'],
    defanged: false,
    problems: [],
    fromCache: false,
    ...partial,
  };
}

function fixture(): TriageReport {
  const entries: TriageEntry[] = [
    entry({
      ip: '198.51.100.23',
      ipClass: 'documentation',
      verdict: 'alerts',
      sightings: { machines: 6, events: 120, firstSeen: '2026-11-01T10:00:00.0000000Z', lastSeen: '2026-11-24T10:00:00Z', ports: [443], processes: [HOSTILE.rtl, 'rundll32.exe'], deviceNames: [HOSTILE.img] },
      alerts: { count: 3, titles: [HOSTILE.script, HOSTILE.link, HOSTILE.formula], severities: ['High', 'Medium'], bySeverity: { High: 1, Medium: 2 }, highestSeverity: 'High', lastAlert: '2026-11-24T11:00:00Z' },
    }),
    entry({
      ip: '2001:db8:85a3::8a2e:370:7334',
      verdict: 'alerts',
      alerts: { count: 1, titles: [HOSTILE.bold], severities: ['Low'], highestSeverity: 'Low' },
    }),
    entry({ ip: '8.8.8.8', verdict: 'seen', sightings: { machines: 300, events: 9000, ports: [53], processes: [HOSTILE.codicon, HOSTILE.rtl], deviceNames: [] } }),
    entry({
      ip: '10.248.240.38',
      ipClass: 'private',
      internal: true,
      verdict: 'internal',
      holdersAt: [{ at: '2026-11-23T09:30:00.000Z', machines: [{ id: 'b7e3', name: `fin-ws-017 ${HOSTILE.pipe}` }], via: 'hunting' }],
      holders: [{ id: 'b7e3', name: `fin-ws-017 ${HOSTILE.pipe}` }],
      occurrences: [{ file: '-cmd|calc.log', line: 1, column: 1, start: 0, end: 13 }],
      files: ['-cmd|calc.log'],
    }),
    entry({ ip: '1.2.3.4', verdict: 'unknown', problems: [{ source: 'summary', kind: 'server', message: `Server error ${HOSTILE.ticks}` }] }),
    entry({ ip: '127.0.0.1', ipClass: 'loopback', verdict: 'skipped', reason: 'Loopback address.' }),
  ];
  const byVerdict = emptyVerdictCounts();
  for (const e of entries) byVerdict[e.verdict]++;
  return {
    lookback: '7d',
    startedAt: '2026-11-25T12:00:00.000Z',
    finishedAt: '2026-11-25T12:00:03.000Z',
    cancelled: false,
    entries,
    queries: [
      { purpose: 'summary', query: batchRemoteIpSummaryQuery(['198.51.100.23', '8.8.8.8', '1.2.3.4'], 7), addresses: 3, ok: true, rows: 2, source: 'graph' },
      { purpose: 'alerts', query: batchAlertsQuery(['198.51.100.23', '8.8.8.8'], 7), addresses: 2, ok: false, error: 'Server error' },
    ],
    sources: [{ name: 'fw.log', bytes: 1234, matches: 6 }],
    counts: { files: 1, bytes: 1234, occurrences: 6, addresses: entries.length, byVerdict },
    calls: { hunting: 2, findbyip: 0, cacheHits: 0 },
  };
}

/** A strict RFC 4180 reader, so the test does not trust the writer's own rules. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      assert.equal(cell, '', 'a quote may only open a cell');
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      assert.ok(ch !== '\r' && ch !== '\n', 'bare line break outside quotes');
      cell += ch;
      i++;
    }
  }
  assert.equal(quoted, false, 'unterminated quote');
  assert.equal(cell, '');
  return rows;
}

test('CSV: RFC 4180 shape, one row per address, formula cells neutralised', () => {
  const report = fixture();
  const rows = parseCsv(exportCsv(report));
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.equal(rows.length, report.entries.length + 1);
  for (const r of rows) assert.equal(r.length, CSV_COLUMNS.length);
  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  const c2 = rows.find((r) => r[0] === '198.51.100.23')!;
  assert.equal(c2[col('verdict')], 'alerts');
  assert.equal(c2[col('prevalence')], '6');
  assert.equal(c2[col('alerts')], '3');
  assert.deepEqual([c2[col('alerts_high')], c2[col('alerts_medium')], c2[col('alerts_low')], c2[col('alerts_informational')]], ['1', '2', '0', '0']);
  assert.ok(c2[col('alert_titles')].includes(HOSTILE.formula), 'text kept');
  const internal = rows.find((r) => r[0] === '10.248.240.38')!;
  assert.equal(internal[col('files')], "'-cmd|calc.log");
  assert.equal(internal[col('holders')], `fin-ws-017 ${HOSTILE.pipe} (b7e3)`);
  for (const r of rows) for (const cell of r) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `unguarded cell ${cell}`);
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('\tx'), "'\tx");
  assert.equal(csvCell('\rx'), `"'\rx"`);
  assert.equal(csvCell('a"b,c'), '"a""b,c"');
  assert.equal(csvCell(-5), '-5', 'numbers are numbers');
});

test('JSON: parses back with every entry and the queries', () => {
  const report = fixture();
  const doc = JSON.parse(exportJson(report)) as { format: string; entries: TriageEntry[]; queries: { query: string }[] };
  assert.equal(doc.format, 'ipinv-triage');
  assert.deepEqual(doc.entries.map((e) => e.ip), report.entries.map((e) => e.ip));
  assert.equal(doc.entries[0].alerts!.titles[0], HOSTILE.script);
  assert.equal(doc.queries[0].query, report.queries[0].query);
  const trimmed = JSON.parse(exportJson(report, { maxOccurrences: 0, queries: false })) as { entries: TriageEntry[]; queries?: unknown };
  assert.equal(trimmed.entries[0].occurrences.length, 0);
  assert.equal(trimmed.entries[0].occurrencesTruncated, true);
  assert.equal(trimmed.queries, undefined);
});

test('Markdown: hostile text is inert, tables keep their columns, queries are fenced verbatim', () => {
  const report = fixture();
  const md = exportMarkdown(report);
  assert.ok(!md.includes('<script>'), 'no raw HTML');
  assert.ok(!md.includes('<img'), 'no raw HTML');
  assert.ok(!/(?<!\\)\[link(?<!\\)\]\(command:/.test(md), 'no command link');
  assert.ok(md.includes('\\[link\\]\\(command\\:'), 'brackets escaped');
  assert.ok(!/(?<!\\)\*(?<!\\)\*bold/.test(md), 'no emphasis');
  assert.ok(!/(?<!\\)\$\(/.test(md), 'no codicon');
  assert.ok(!md.includes('\u202E'), 'no bidi override');
  assert.ok(md.includes('\ufffd'), 'the hidden override shows as a replacement mark');
  assert.ok(!/^# heading/m.test(md), 'no injected heading');
  // Every table row has as many cells as its header.
  const tables = md.split('\n\n').filter((b) => b.startsWith('| '));
  for (const t of tables) {
    const lines = t.split('\n');
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    for (const l of lines) assert.equal(cells(l), cells(lines[0]), l);
  }
  assert.ok(md.includes(fenced(report.queries[0].query, 'kql')));
  assert.ok(md.includes(fenced(report.queries[1].query, 'kql')));
  assert.match(md, /## Seen with alerts \(2\)/);
  assert.match(md, /\| High 1, Medium 2 \|/, 'alerts counted by severity, readable');
  assert.match(md, /## Not looked up \(1\)/);
  assert.equal(escapeMarkdown('a\nb|c'), 'a b\\|c');
  assert.equal(escapeMarkdown('see https://x.example'), 'see https\\:\\/\\/x\\.example');
  assert.equal(fenced('has ``` inside').split('\n')[0], '````');
});

test('STIX 2.1: identity plus one indicator per address with alerts, deterministic ids, valid patterns', () => {
  const report = fixture();
  const bundle = exportStix(report);
  assert.equal(bundle.type, 'bundle');
  const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
  assert.match(bundle.id, new RegExp(`^bundle--${UUID}$`));
  const ids = new Set<string>();
  for (const o of bundle.objects) {
    assert.equal(o.spec_version, '2.1');
    assert.match(String(o.id), new RegExp(`^${String(o.type)}--${UUID}$`));
    assert.ok(!ids.has(String(o.id)), 'unique ids');
    ids.add(String(o.id));
    for (const k of ['created', 'modified']) assert.match(String(o[k]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  const identity = bundle.objects.find((o) => o.type === 'identity')!;
  assert.equal(identity.identity_class, 'system');
  const indicators = bundle.objects.filter((o) => o.type === 'indicator');
  assert.deepEqual(indicators.map((i) => i.pattern), ["[ipv4-addr:value = '198.51.100.23']", "[ipv6-addr:value = '2001:db8:85a3::8a2e:370:7334']"]);
  for (const i of indicators) {
    assert.equal(i.created_by_ref, identity.id);
    assert.equal(i.pattern_type, 'stix');
    assert.match(String(i.valid_from), /Z$/);
    assert.ok(Array.isArray(i.indicator_types) && (i.indicator_types as string[]).length > 0);
  }
  // Same value, same id: a re-export updates the indicator instead of duplicating it.
  assert.deepEqual(exportStix(fixture()).objects.map((o) => o.id), bundle.objects.map((o) => o.id));
  assert.equal(uuidV5('x'), uuidV5('x'));
  assert.notEqual(uuidV5('x'), uuidV5('y'));
  // RFC 4122 test vector: uuid5(DNS namespace, "www.example.com").
  assert.equal(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.equal(stixPattern({ ip: "1.2.3.4'] OR [x", version: 4 }), "[ipv4-addr:value = '1.2.3.4\\'] OR [x']");
});

test('every export carries the analyst verdicts and notes; hostile notes stay inert', () => {
  const report = fixture();
  const annotations = new Map<string, Annotation>([
    ['198.51.100.23', { verdict: 'malicious', verdictAt: '2026-12-02T09:15:00.000Z', note: `beacon every 60 s ${HOSTILE.script} ${HOSTILE.pipe}`, noteAt: '2026-12-02T09:16:00.000Z' }],
    ['8.8.8.8', { verdict: 'false-positive', verdictAt: '2026-12-02T10:00:00.000Z' }],
    ['1.2.3.4', { note: HOSTILE.formula, noteAt: '2026-12-02T11:00:00.000Z' }],
    ['192.0.2.200', { verdict: 'malicious', verdictAt: '2026-12-02T11:00:00.000Z' }],
  ]);

  const rows = parseCsv(exportCsv(report, { annotations }));
  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  assert.deepEqual(CSV_COLUMNS.slice(-3), ['analyst_verdict', 'analyst_verdict_at', 'analyst_note']);
  const byIp = new Map(rows.slice(1).map((r) => [r[0], r]));
  assert.equal(byIp.get('198.51.100.23')?.[col('analyst_verdict')], 'malicious');
  assert.equal(byIp.get('198.51.100.23')?.[col('analyst_verdict_at')], '2026-12-02T09:15:00.000Z');
  assert.match(byIp.get('198.51.100.23')?.[col('analyst_note')] ?? '', /^beacon every 60 s /);
  assert.equal(byIp.get('8.8.8.8')?.[col('analyst_verdict')], 'false-positive');
  assert.equal(byIp.get('1.2.3.4')?.[col('analyst_note')], `'${HOSTILE.formula}`, 'a note is a cell like any other: no formula');
  assert.equal(byIp.get('127.0.0.1')?.[col('analyst_verdict')], '');
  assert.equal(rows.length, report.entries.length + 1, 'an annotation of an address outside the triage adds no row');

  const json = JSON.parse(exportJson(report, { annotations })) as { entries: (TriageEntry & { analyst?: Annotation })[] };
  assert.deepEqual(json.entries.find((e) => e.ip === '8.8.8.8')?.analyst, annotations.get('8.8.8.8'));
  assert.equal(json.entries.find((e) => e.ip === '127.0.0.1')?.analyst, undefined);

  const md = exportMarkdown(report, { annotations });
  const section = md.split('\n## ').find((s) => s.startsWith('Your verdicts and notes'));
  assert.ok(section, md);
  assert.match(section, /^Your verdicts and notes \(3\)/);
  assert.match(section, /Malicious 1, False positive 1\./);
  assert.match(section, /\| 198\.51\.100\.23 \| Malicious \| 2026-12-02 \| beacon every 60 s /);
  assert.ok(!section.includes(HOSTILE.script) && !section.includes(HOSTILE.pipe), 'the note is escaped');
  const tableRows = section.split('\n').filter((l) => l.startsWith('| '));
  const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  for (const r of tableRows) assert.equal(cells(r), cells(tableRows[0]));
  assert.doesNotMatch(exportMarkdown(report), /Your verdicts/, 'no section without annotations');

  const bundle = exportStix(report, { annotations });
  const indicator = (ip: string) => bundle.objects.find((o) => o.type === 'indicator' && String(o.pattern).includes(`'${ip}'`));
  const c2 = indicator('198.51.100.23');
  assert.ok(c2, 'the alerts indicator stays');
  const opinions = bundle.objects.filter((o) => o.type === 'opinion');
  assert.deepEqual(
    opinions.map((o) => [o.opinion, o.object_refs]),
    [['strongly-agree', [c2.id]]],
    'an analyst verdict on an indicator from Defender alerts is an opinion on it',
  );
  const dns = indicator('8.8.8.8');
  assert.ok(dns, 'a verdict on an address without alerts is an indicator of its own');
  assert.deepEqual(dns.indicator_types, ['benign']);
  assert.deepEqual(dns.labels, ['analyst-verdict:false-positive']);
  const notes = bundle.objects.filter((o) => o.type === 'note');
  assert.equal(notes.length, 2);
  assert.deepEqual(notes.find((n) => String(n.content).startsWith('beacon'))?.object_refs, [c2.id]);
  const onAddress = notes.find((n) => n.content === HOSTILE.formula);
  const sco = bundle.objects.find((o) => o.type === 'ipv4-addr');
  assert.equal(sco?.value, '1.2.3.4', 'a note without a verdict refers to the address itself');
  assert.deepEqual(onAddress?.object_refs, [sco?.id]);
  // STIX's own SCO id rule: UUIDv5 in the STIX namespace over the canonical id-contributing properties.
  assert.equal(sco?.id, `ipv4-addr--${uuidV5('{"value":"1.2.3.4"}', '00abedb4-aa42-466c-9c01-fed23315a9b7')}`);
  assert.ok(!bundle.objects.some((o) => (typeof o.pattern === 'string' ? o.pattern : '').includes('192.0.2.200')), 'only addresses of this triage');
  // A false positive on an indicator from Defender alerts: the spec's example, "strongly-disagree".
  const fp = exportStix(report, { annotations: new Map([['198.51.100.23', { verdict: 'false-positive', verdictAt: '2026-12-02T09:15:00.000Z' }]]) });
  assert.equal(fp.objects.find((o) => o.type === 'opinion')?.opinion, 'strongly-disagree');
  const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
  for (const o of bundle.objects) assert.match(String(o.id), new RegExp(`^${String(o.type)}--${UUID}$`));
  assert.notEqual(bundle.id, exportStix(report).id, 'a bundle with verdicts is another bundle');
});
