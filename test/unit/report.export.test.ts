import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Investigation } from '../../src/shared/investigation';
import { exportFileName, markdownReport, toCsv, toJson } from '../../src/core/investigation/report';
import { csvCell } from '../../src/shared/csv';
import { escapeMarkdown } from '../../src/shared/markdown';

// markdown-it is in the lock file (through @vscode/vsce); it renders the report as VS Code's preview would.
const MarkdownIt = createRequire(import.meta.url)('markdown-it') as new (o: object) => { render(md: string): string };
const md = new MarkdownIt({ html: true, linkify: true });

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[link](command:workbench.action.terminal.new)',
  '**bold**',
  '`whoami`',
  '$(codicon) $(alert)',
  '\u202Etxt.exe',
  'a | b',
  'line1\nline2',
  '![x](https://evil.example/x.png)',
  '<https://evil.example>',
  '&lt;b&gt;',
  'https://evil.example/a',
  'www.evil.example',
];

function investigation(): Investigation {
  const h = HOSTILE.join(' ');
  return {
    address: { ip: '198.51.100.23', version: 4, ipClass: 'documentation', block: { prefix: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737' }, internal: false, defanged: false, leadingZeros: false },
    lookback: '30d',
    cachedAt: '2026-11-20T12:00:00.000Z',
    stats: { prevalence: 2, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T11:00:00Z', cachedAt: '2026-11-20T12:00:00.000Z' },
    alerts: HOSTILE.map((t, i) => ({
      id: `da${i}`,
      title: t,
      severity: 'High',
      status: 'New',
      category: t,
      detectionSource: t,
      computerDnsName: t,
      machineId: `m${i}`,
      incidentId: i,
      mitreTechniques: [],
      evidence: [],
    })),
    machines: [{ id: 'm1', name: h, events: 3, remotePorts: [443], localPorts: [50000], processes: [h], files: [h] }],
    timeline: HOSTILE.map((t, i) => ({ timestamp: `2026-11-20T10:0${i % 10}:00Z`, deviceId: 'm1', deviceName: t, actionType: t, process: t, folder: t, commandLine: `=cmd|' /C calc'!A0 ${t}` })),
    daily: [{ day: '2026-11-20T00:00:00Z', machines: 2, events: 12 }],
    machineDetails: { m1: { id: 'm1', computerDnsName: h, machineTags: [h], ipAddresses: [{ ipAddress: '10.0.0.1' }], osPlatform: t0(), riskScore: 'High' } },
    problems: [{ source: 'machinesAtTime', kind: 'permission', message: h, remedy: h }],
    machinesAtTimeNote: h,
  };
}
function t0(): string {
  return HOSTILE[0];
}

test('escapeMarkdown leaves no markup, links, code or HTML in a value', () => {
  for (const s of HOSTILE) {
    const html = md.render(escapeMarkdown(s));
    assert.doesNotMatch(html, /<(script|img|a|code|strong|em|br)\b/i, `${JSON.stringify(s)} rendered as ${html}`);
  }
  assert.equal(escapeMarkdown('\u202Etxt.exe'), '\ufffdtxt\\.exe', 'a hidden override shows as a replacement mark');
  assert.equal(escapeMarkdown('a\nb'), 'a b');
  assert.equal(escapeMarkdown(undefined), '');
});

test('the Markdown report renders every API value as text', () => {
  const report = markdownReport(investigation(), {
    generatedAt: '2026-11-20T12:01:00.000Z',
    portalUrl: 'https://security.microsoft.com/ip/198.51.100.23/overview',
    demo: true,
    reverseDns: ['<b>ptr</b>.example'],
  });
  const html = md.render(report);
  assert.doesNotMatch(html, /<(script|img|code|em|br|b)\b/i);
  // The only link is the portal's, built from validated values.
  const links = html.match(/<a [^>]*>/g) ?? [];
  assert.deepEqual(links, ['<a href="https://security.microsoft.com/ip/198.51.100.23/overview">']);
  // Hostile text is there, as text.
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /\[link\]\(command:workbench\.action\.terminal\.new\)/);
  assert.match(report, /> Demo tenant: simulated data/);
  assert.match(report, /## Alerts related to this IP \(14\)/);
  // Tables keep their shape: every row of the alerts table has the header's cell count.
  const alertRows = report.split('\n').filter((l) => l.startsWith('| High'));
  assert.equal(alertRows.length, HOSTILE.length);
  const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  const header = report.split('\n').find((l) => l.startsWith('| Severity'));
  assert.ok(header);
  for (const r of alertRows) assert.equal(cells(r), cells(header));
});

test('a portal URL that is not a plain https URL is left out of the report', () => {
  const report = markdownReport(investigation(), { generatedAt: 'x', portalUrl: 'javascript:alert(1)' });
  assert.doesNotMatch(report, /javascript/);
});

test('csvCell quotes, doubles quotes and defuses formulas', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('x\ny'), '"x\ny"');
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('-enc AAAA'), "'-enc AAAA");
  assert.equal(csvCell(-5), '-5');
  assert.equal(csvCell(443), '443');
  assert.equal(csvCell(undefined), '');
});

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

test('the CSV of each table round-trips through a CSV parser with a constant column count', () => {
  const inv = investigation();
  for (const table of ['alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails'] as const) {
    const rows = parseCsv(toCsv(inv, table));
    assert.ok(rows.length >= 1, table);
    for (const r of rows) assert.equal(r.length, rows[0].length, `${table}: ${JSON.stringify(r)}`);
  }
  const alerts = parseCsv(toCsv(inv, 'alerts'));
  assert.equal(alerts.length, 1 + HOSTILE.length);
  assert.equal(alerts[1][2], HOSTILE[0]);
  assert.equal(alerts[9][2], 'line1\nline2');
  const timeline = parseCsv(toCsv(inv, 'timeline'));
  assert.ok(timeline[1][12].startsWith("'=cmd"), 'formula defused');
});

test('the JSON export is the records as data', () => {
  const inv = investigation();
  const parsed = JSON.parse(toJson(inv, 'alerts')) as { title: string }[];
  assert.equal(parsed.length, HOSTILE.length);
  assert.equal(parsed[0].title, HOSTILE[0]);
  assert.deepEqual(JSON.parse(toJson({ ...inv, machinesAtTime: undefined }, 'machinesAtTime')), []);
});

test('export file names are safe for every address form', () => {
  assert.equal(exportFileName('198.51.100.23', 'alerts', 'csv'), 'ipinv-198.51.100.23-alerts.csv');
  assert.equal(exportFileName('2001:db8::1', 'report', 'md'), 'ipinv-2001-db8--1-report.md');
});

test('the Markdown report carries the analyst verdict and note, the note escaped like any other text', () => {
  const report = markdownReport(investigation(), {
    generatedAt: '2026-12-02T12:00:00.000Z',
    annotation: { verdict: 'false-positive', verdictAt: '2026-12-02T09:15:00.000Z', note: 'NAT of the proxy <img src=x onerror=alert(1)> [x](command:y)', noteAt: '2026-12-02T09:16:00.000Z' },
  });
  assert.match(report, /^- \*\*Your verdict:\*\* False positive, set 2026-12-02$/m);
  const note = report.split('\n').find((l) => l.startsWith('- **Your note:**'));
  assert.ok(note);
  const html = md.render(note);
  assert.doesNotMatch(html, /<(img|a)\b/);
  assert.match(html, /NAT of the proxy &lt;img/);
  assert.doesNotMatch(markdownReport(investigation(), { generatedAt: 'x' }), /Your verdict|Your note/);
});
