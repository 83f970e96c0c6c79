// The indicator parts of the surfaces, in plain Node: the hover line and link, the panel's and the triage table's
// messages (validated both ways), the table's indicator column, selection and chip, the triage's ONE list query (not
// one per address) over real HTTP, the report's Indicators section, and the prefill from an investigation.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { DefenderClient } from '../../src/core/defender/defenderClient';
import { prefillFromInvestigation } from '../../src/core/indicators/indicatorPrefill';
import { auditEntry } from '../../src/core/indicators/auditTrail';
import { addressFacts } from '../../src/core/investigation/investigationService';
import { markdownReport } from '../../src/core/investigation/report';
import { TriageService } from '../../src/core/triage/triageService';
import { buildHoverMarkdown, HOVER_ENABLED_COMMANDS, type HoverModel } from '../../src/features/hover/hoverContent';
import { toTableRow } from '../../src/features/triage/tableRows';
import type { Indicator } from '../../src/shared/defenderModel';
import type { Investigation } from '../../src/shared/investigation';
import { parseHostMessage, parseWebviewMessage, type IndicatorsView } from '../../src/shared/protocol';
import { parseTriageWebviewMessage, isTriageRow, sanitizeTriageViewState } from '../../src/shared/triageProtocol';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_INDICATOR_IPS, HOSTILE_STRINGS } from '../../src/simulator/story';
import { ALL_PERMISSIONS, READ_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';
import { TriageTableModel } from '../../webview/triage/tableModel';

const MarkdownIt = createRequire(__filename)('markdown-it') as new (options?: object) => { render(src: string): string };

function facts(ip: string) {
  const v = addressFacts(ip);
  assert.ok(v.ok);
  return v.facts;
}

/** The text as rendered (backslash escapes removed). */
const unescape = (md: string) => md.replace(/\\(.)/g, '$1');

const hover = (extra: Partial<HoverModel>): string => buildHoverMarkdown({ facts: facts(DEMO_C2_IP), text: DEMO_C2_IP, lookback: '7d', findAtTime: false, demo: true, ...extra });

test('the hover line names the indicator (escaped); the link adds or updates, and is one of our commands', () => {
  assert.ok(HOVER_ENABLED_COMMANDS.includes('ipInvestigator.addIndicator'));
  const md = hover({ indicator: { line: `Blocked by indicator '${HOSTILE_STRINGS.commandLink}', expires 2027-01-10`, canAdd: true, updating: true } });
  assert.ok(unescape(md).includes(`$(shield) Blocked by indicator '${HOSTILE_STRINGS.commandLink}', expires 2027-01-10`), 'the line, as rendered text');
  assert.match(md, /\[Update indicator…\]\(command:ipInvestigator\.addIndicator\?%7B%22ip%22%3A%22198\.51\.100\.23%22%7D\)/);
  const html = new MarkdownIt().render(md);
  assert.ok(!html.includes('href="command:workbench'), 'no link from data');
  const none = hover({ indicator: { canAdd: true, updating: false } });
  assert.match(none, /No indicator for this address/);
  assert.match(none, /\[Add indicator…\]/);
  const readOnly = hover({ indicator: { canAdd: false, updating: false } });
  assert.ok(!readOnly.includes('addIndicator'), 'no link when the identity may not write');
  assert.ok(!hover({}).includes('indicator'), 'nothing when not known within the budget');
});

test('panel messages: the indicator requests and the section view are validated', () => {
  for (const request of [{ type: 'indicatorAdd' }, { type: 'indicatorsRefresh' }, { type: 'indicatorRemove', id: '6001' }, { type: 'indicatorExpire', id: 'a_b-1' }]) {
    assert.ok(parseWebviewMessage({ kind: 'request', id: 1, request }), JSON.stringify(request));
  }
  for (const request of [{ type: 'indicatorRemove' }, { type: 'indicatorRemove', id: '../x' }, { type: 'indicatorExpire', id: 'x'.repeat(65) }, { type: 'indicatorRemove', id: 42 }]) {
    assert.equal(parseWebviewMessage({ kind: 'request', id: 1, request }), undefined, JSON.stringify(request));
  }
  const view: IndicatorsView = {
    state: 'ready',
    indicators: [{ id: '1', action: 'Block', title: 't', rbacGroupNames: [], generateAlert: true }],
    write: { enabled: false, reason: 'needs Ti.ReadWrite; sign in with an app or role that has it' },
    history: [{ at: '2026-12-05T10:00:00Z', kind: 'create', outcome: '1 created', identity: 'demo-analyst', requestIds: ['r'] }],
  };
  assert.ok(parseHostMessage({ kind: 'indicators', view }));
  assert.equal(parseHostMessage({ kind: 'indicators', view: { ...view, state: 'done' } }), undefined);
  assert.equal(parseHostMessage({ kind: 'indicators', view: { ...view, indicators: [{ id: '1', action: 'Block' }] } }), undefined);
  assert.equal(parseHostMessage({ kind: 'indicators', view: { ...view, write: { enabled: 'yes' } } }), undefined);
});

test('triage messages: a selection is addresses only, deduplicated, bounded; rows carry the indicator column', () => {
  const ok = parseTriageWebviewMessage({ kind: 'request', id: 3, request: { type: 'addIndicators', ips: ['198.51.100.23', '198.51.100.23', '2001:db8::1'] } });
  assert.deepEqual(ok, { kind: 'request', id: 3, request: { type: 'addIndicators', ips: ['198.51.100.23', '2001:db8::1'] } });
  for (const ips of [[], ['<img>'], ['1.1.1.1', 42], Array.from({ length: 15_001 }, (_, i) => `1.1.${i >> 8}.${i & 255}`)]) {
    assert.equal(parseTriageWebviewMessage({ kind: 'request', id: 3, request: { type: 'removeIndicators', ips } }), undefined);
  }
  const row = toTableRow({
    ip: DEMO_C2_IP, version: 4, ipClass: 'documentation', internal: false, verdict: 'alerts', occurrenceCount: 2, occurrences: [], occurrencesTruncated: false, files: [], defanged: false, problems: [], fromCache: false,
    indicator: { id: '1', action: 'Block', title: `C2 ${HOSTILE_STRINGS.rtl}`, expirationTime: '2027-01-10T00:00:00Z', rbacGroupNames: [] },
  });
  assert.equal(row.indicator, 'Block');
  assert.ok(!row.indicatorTitle?.includes('\u202e'), 'direction overrides neutralised');
  assert.ok(isTriageRow(row));
  assert.equal(isTriageRow({ ...row, indicator: 5 }), false);
  assert.deepEqual(sanitizeTriageViewState({ withIndicator: true, evil: 1 }), { withIndicator: true });
});

test('the table model: indicator sort, the "with indicator" chip, a selection kept across filters', () => {
  const m = new TriageTableModel();
  const base = { version: 4 as const, ipClass: 'public', internal: false, severities: [], occurrences: 1, files: 1, problems: 0, fromCache: false };
  m.apply({ kind: 'reset', summary: { runId: 1, state: 'done', phase: 'done', source: 's', lookback: '7d', addresses: 3, resolved: 3, byVerdict: { alerts: 0, seen: 3, 'not-seen': 0, internal: 0, skipped: 0, unknown: 0, pending: 0 }, batchesDone: 1, batchesTotal: 1, calls: { hunting: 1, findbyip: 0, cacheHits: 0 }, bytesScanned: 1, occurrences: 3, notes: [], demo: true, startedAt: '2026-12-05T10:00:00Z' } });
  m.apply({ kind: 'rows', runId: 1, rows: [{ ...base, ip: '1.1.1.1', verdict: 'seen' }, { ...base, ip: '2.2.2.2', verdict: 'seen', indicator: 'Allowed', indicatorTitle: 'partner' }, { ...base, ip: '3.3.3.3', verdict: 'seen', indicator: 'Block', indicatorTitle: 'c2' }] });
  m.sortBy('indicator');
  assert.deepEqual(m.view().map((r) => r.ip), ['3.3.3.3', '2.2.2.2', '1.1.1.1'], 'Block first, none last');
  assert.equal(m.indicatorCount(), 2);
  m.toggleWithIndicator();
  assert.deepEqual(m.view().map((r) => r.ip).sort(), ['2.2.2.2', '3.3.3.3']);
  m.toggleAllShown();
  m.toggleWithIndicator();
  m.toggleSelected('1.1.1.1');
  m.setFilter('partner');
  assert.deepEqual(m.selection(), { ips: ['2.2.2.2', '3.3.3.3', '1.1.1.1'], withIndicator: ['2.2.2.2', '3.3.3.3'] }, 'hidden rows stay selected');
  m.toggleSelected('9.9.9.9');
  assert.equal(m.selection().ips.length, 3, 'only rows can be selected');
  assert.deepEqual(m.state().withIndicator, undefined);
});

let sim: SimulatorHandle;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.close());

function client(permissions: readonly string[]): DefenderClient {
  const tokens = { defender: issueSimulatorToken({ audience: 'defender', permissions }), graph: issueSimulatorToken({ audience: 'graph', permissions }) };
  return new DefenderClient({ apiBaseUrl: sim.apiBaseUrl, graphBaseUrl: sim.graphBaseUrl, getToken: (r) => Promise.resolve(tokens[r]), cacheScope: `t-${permissions.length}` });
}

test('triage asks the indicators with ONE list query for every address, beside the hunting batches', async () => {
  sim.resetRequests();
  const api = client(ALL_PERMISSIONS);
  const text = [DEMO_C2_IP, DEMO_INDICATOR_IPS.audited, DEMO_INDICATOR_IPS.allowed, '8.8.8.8', '10.248.240.38', ...Array.from({ length: 40 }, (_, i) => `23.1.0.${i + 1}`)].map((ip) => `conn ${ip}`).join('\n');
  const report = await new TriageService(api, { scope: 's', indicators: api }).triageAll({ inputs: [{ kind: 'text', name: 'x.log', text }], lookback: '7d' });
  const lists = sim.requests().filter((r) => r.path.startsWith('/api/indicators'));
  assert.equal(lists.length, 1, 'one list for 45 addresses');
  assert.deepEqual(report.indicators, { ok: true, count: 2, matched: 2, complete: true });
  const by = (ip: string) => report.entries.find((e) => e.ip === ip);
  assert.equal(by(DEMO_INDICATOR_IPS.audited)?.indicator?.action, 'Audit');
  assert.equal(by(DEMO_INDICATOR_IPS.allowed)?.indicator?.action, 'Allowed');
  assert.equal(by(DEMO_C2_IP)?.indicator, undefined);
  assert.equal(by('8.8.8.8')?.verdict, 'seen', 'the verdicts are untouched');

  const readOnly = client(READ_PERMISSIONS);
  const r2 = await new TriageService(readOnly, { scope: 'r', indicators: readOnly }).triageAll({ inputs: [{ kind: 'text', name: 'x.log', text: `conn ${DEMO_C2_IP}` }], lookback: '7d' });
  assert.equal(r2.indicators?.ok, false);
  assert.match(r2.indicators?.error ?? '', /Ti\.ReadWrite/);
  assert.equal(r2.entries[0].verdict, 'alerts', 'a refused list degrades the column only');
});

test('the investigation report has an Indicators section with this workspace\'s writes for the address', () => {
  const inv: Investigation = {
    address: facts(DEMO_C2_IP),
    lookback: '7d',
    stats: { prevalence: 4, firstSeen: '2026-11-01T08:00:00Z', lastSeen: '2026-12-01T10:00:00Z', cachedAt: '2026-12-01T10:05:00Z' },
    alerts: [
      { id: 'a', title: 'Suspicious beaconing', severity: 'High', status: 'New', mitreTechniques: [], evidence: [] },
      { id: 'b', title: 'Other', severity: 'High', status: 'New', mitreTechniques: [], evidence: [] },
    ],
    problems: [],
  };
  const p = prefillFromInvestigation(inv);
  assert.equal(p.title, '198.51.100.23: Suspicious beaconing');
  assert.equal(p.description, 'Seen on 4 machines in the past 7 d (first seen 2026-11-01, last seen 2026-12-01); 2 alerts: High 2. Added from Defender IP Investigator.');
  const indicator: Indicator = { id: '6001', indicatorValue: DEMO_C2_IP, indicatorType: 'IpAddress', action: 'Block', title: HOSTILE_STRINGS.script, expirationTime: '2027-01-04T00:00:00Z', rbacGroupNames: [], rbacGroupIds: [], generateAlert: true };
  const ctx = { identity: 'demo-analyst', demo: true, now: () => Date.parse('2026-12-05T10:00:00Z') };
  const audit = [auditEntry(ctx, { kind: 'create', addresses: [DEMO_C2_IP], action: 'Block', outcomes: { created: 1 }, requestIds: ['req-1'] }), auditEntry(ctx, { kind: 'create', addresses: ['8.8.4.4'], outcomes: { created: 1 }, requestIds: ['req-other'] })];
  const md = markdownReport(inv, { generatedAt: '2026-12-05T10:00:00Z', indicators: { indicators: [indicator], audit } });
  assert.match(md, /## Indicators \(1\)\n/);
  assert.match(md, /\| Block \| .*script.* \|\s+\| 2027-01-04 00:00 UTC \| all devices \|/);
  assert.match(md, /### Indicator writes from this workspace/);
  assert.ok(md.includes('req-1') && !md.includes('req-other'), 'only the writes that named this address');
  assert.ok(!new MarkdownIt({ html: true }).render(md).includes('<script>'));
});

test('the triage CSV carries the indicator; ipinv indicator import reads that CSV back (formula guards undone)', async () => {
  const { exportCsv } = await import('../../src/core/triage/exportCsv');
  const { readImportFile } = await import('../../src/core/indicators/importFile');
  const entry = (ip: string, extra: object = {}) => ({
    ip, version: 4 as const, ipClass: 'public', internal: false, verdict: 'alerts' as const, occurrenceCount: 1, occurrences: [], occurrencesTruncated: false, files: ['-cmd.log'], defanged: false, problems: [], fromCache: false,
    sightings: { machines: 3, events: 9, ports: [443], processes: [], deviceNames: [] }, alerts: { count: 1, titles: [], severities: ['High'], highestSeverity: 'High' }, ...extra,
  });
  const report = {
    lookback: '7d' as const, startedAt: '', finishedAt: '', cancelled: false, queries: [], sources: [],
    counts: { files: 1, bytes: 1, occurrences: 2, addresses: 2, byVerdict: { alerts: 2, seen: 0, 'not-seen': 0, internal: 0, skipped: 0, unknown: 0, pending: 0 } },
    calls: { hunting: 1, findbyip: 0, cacheHits: 0 },
    entries: [entry('8.8.4.4', { indicator: { id: '1', action: 'Block', title: '=HYPERLINK("x")', expirationTime: '2027-01-10T00:00:00Z', rbacGroupNames: [] } }), entry('9.9.9.9')],
  };
  const csv = exportCsv(report);
  assert.match(csv.split('\r\n')[0], /,indicator,indicator_title,indicator_expires,analyst_verdict,analyst_verdict_at,analyst_note$/);
  assert.match(csv, /,Block,"'=HYPERLINK\(""x""\)",2027-01-10T00:00:00Z,,,\r\n/);
  const read = readImportFile(csv, 'triage.csv', { choice: 'block', title: 'T' });
  assert.equal(read.format, 'triage-csv');
  assert.deepEqual(read.drafts.map((d) => [d.ip, d.description]), [['8.8.4.4', 'Triage: seen on 3 machines, 1 alert (highest High), in -cmd.log'], ['9.9.9.9', 'Triage: seen on 3 machines, 1 alert (highest High), in -cmd.log']]);
});
