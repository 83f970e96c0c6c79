import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { CASE_JSON_FORMAT, CASE_JSON_VERSION, buildCase, caseAuditTrail, caseJson, caseMarkdown, type CaseDocument } from '../../src/core/history/caseExport';
import type { AuditEntry } from '../../src/shared/indicatorModel';
import { historyTenant } from '../../src/core/history/historyModel';
import { InvestigationHistory } from '../../src/core/history/investigationHistory';
import { observedMachinesQuery, timelineQuery } from '../../src/core/hunting/huntingQueries';
import { addressFacts } from '../../src/core/investigation/investigationService';
import type { Investigation } from '../../src/shared/investigation';
import { emptyVerdictCounts, type TriageEntry, type TriageReport } from '../../src/shared/triageModel';

const MarkdownIt = createRequire(import.meta.url)('markdown-it') as new (o: object) => { render(md: string): string; linkify: { set(o: object): void } };
const md = new MarkdownIt({ html: true, linkify: true });
// As VS Code's preview renders: linkify on, bare domains (machine names) not linked.
md.linkify.set({ fuzzyLink: false });

const T0 = Date.parse('2026-12-02T09:00:00Z');
const DEMO = historyTenant({ mode: 'demo', cloud: 'commercial' });
const OTHER = historyTenant({ mode: 'delegated', tenantId: 'fabrikam.onmicrosoft.com', cloud: 'commercial' });
const HOSTILE = '<img src=x onerror=alert(1)> [x](command:workbench.action.terminal.new) $(alert) | ```';

function facts(ip: string) {
  const v = addressFacts(ip);
  assert.ok(v.ok);
  return v.facts;
}

function c2(): Investigation {
  return {
    address: facts('198.51.100.23'),
    lookback: '7d',
    stats: { prevalence: 4, firstSeen: '2026-11-28T10:00:00Z', lastSeen: '2026-12-02T08:00:00Z', cachedAt: new Date(T0).toISOString() },
    alerts: [
      { id: 'da1', title: `Beacon ${HOSTILE}`, severity: 'High', status: 'New', machineId: 'm1', computerDnsName: 'fin-ws-017', alertCreationTime: '2026-12-01T22:00:00Z', mitreTechniques: [], evidence: [] },
      { id: 'da2', title: 'Suspicious PowerShell', severity: 'Medium', status: 'InProgress', machineId: 'm2', mitreTechniques: [], evidence: [] },
    ],
    machines: [
      { id: 'm1', name: 'fin-ws-017', events: 12, lastSeen: '2026-12-02T08:00:00Z', remotePorts: [443], localPorts: [], processes: [], files: [] },
      { id: 'm2', name: `hr-ws-${HOSTILE}`, events: 3, remotePorts: [443], localPorts: [], processes: [], files: [] },
    ],
    timeline: [{ timestamp: '2026-12-02T08:00:00Z', deviceId: 'm1', deviceName: 'fin-ws-017', actionType: 'ConnectionSuccess' }],
    cachedAt: new Date(T0).toISOString(),
    problems: [],
  };
}

function triageEntry(partial: Partial<TriageEntry> & Pick<TriageEntry, 'ip' | 'verdict'>): TriageEntry {
  return { version: 4, ipClass: 'public', internal: false, occurrenceCount: 2, occurrences: [], occurrencesTruncated: false, files: ['incident-egress.log'], defanged: false, problems: [], fromCache: false, ...partial };
}

function triage(): TriageReport {
  const entries = [
    triageEntry({ ip: '198.51.100.23', verdict: 'alerts', alerts: { count: 2, titles: ['Beacon'], severities: ['High'] }, sightings: { machines: 4, events: 20, ports: [443], processes: [], deviceNames: [] } }),
    triageEntry({ ip: '172.16.4.20', verdict: 'internal', internal: true, ipClass: 'private', holders: [{ id: 'm9', name: 'build-agent-03' }] }),
    triageEntry({ ip: '192.0.2.77', verdict: 'not-seen' }),
  ];
  const byVerdict = emptyVerdictCounts();
  for (const e of entries) byVerdict[e.verdict]++;
  return {
    lookback: '7d',
    startedAt: '2026-12-02T09:30:00.000Z',
    finishedAt: '2026-12-02T09:30:04.000Z',
    cancelled: false,
    entries,
    queries: [{ purpose: 'summary', query: 'DeviceNetworkEvents | where RemoteIP in ("198.51.100.23")', addresses: 1, ok: true, rows: 1 }],
    sources: [{ name: 'incident-egress.log', bytes: 4096, matches: 6 }],
    counts: { files: 1, bytes: 4096, occurrences: 6, addresses: 3, byVerdict },
    calls: { hunting: 3, findbyip: 0, cacheHits: 0 },
  };
}

function history(): InvestigationHistory {
  let now = T0;
  const h = new InvestigationHistory(undefined, { now: () => (now += 1000) });
  h.record(DEMO, c2());
  h.record(DEMO, { address: facts('10.248.240.38'), lookback: '7d', at: '2026-12-01T10:00:00.000Z', machinesAtTime: { at: '2026-12-01T10:00:00.000Z', from: '', to: '', cachedAt: new Date(T0).toISOString(), machines: [{ id: 'm7', computerDnsName: 'fin-ws-017.corp.contoso.com', machineTags: [], ipAddresses: [] }] }, problems: [] });
  h.annotate(DEMO, '198.51.100.23', { verdict: 'malicious', note: `beacon every 60 s ${HOSTILE}` });
  h.annotate(DEMO, '203.0.113.9', { verdict: 'benign', note: 'our VPN concentrator' });
  h.record(OTHER, c2());
  h.annotate(OTHER, '198.51.100.23', { verdict: 'false-positive' });
  return h;
}

function build(): CaseDocument {
  const h = history();
  return buildCase({ generatedAt: '2026-12-02T12:00:00.000Z', tenant: DEMO, tenantLabel: 'Demo tenant (simulated data)', demo: true, entries: h.entries(DEMO.scope), triage: { source: 'incident-egress.log', report: triage() } });
}

test('the case JSON: format and version, the tenant, every address with verdict, note, machines and alerts', () => {
  const doc = JSON.parse(caseJson(build())) as CaseDocument;
  assert.equal(doc.format, CASE_JSON_FORMAT);
  assert.equal(doc.version, CASE_JSON_VERSION);
  assert.equal(doc.tenant.scope, DEMO.scope);
  assert.equal(doc.demo, true);
  // Malicious first; the triage's notable addresses join those investigated; the not-seen one does not.
  assert.deepEqual(doc.addresses.map((a) => a.ip), ['198.51.100.23', '203.0.113.9', '10.248.240.38', '172.16.4.20']);
  const c = doc.addresses[0];
  assert.equal(c.verdict, 'malicious');
  assert.match(c.note ?? '', /^beacon every 60 s /);
  assert.equal(c.prevalence, 4);
  assert.deepEqual(c.alerts.map((a) => [a.id, a.severity]), [['da1', 'High'], ['da2', 'Medium']]);
  assert.deepEqual(c.machines.map((m) => [m.id, m.relation]), [['m1', 'observed'], ['m2', 'observed']]);
  assert.equal(c.triage?.verdict, 'alerts');
  assert.equal(doc.addresses.find((a) => a.ip === '10.248.240.38')?.machines[0].relation, 'heldAtTime');
  assert.equal(doc.addresses.find((a) => a.ip === '172.16.4.20')?.machines[0].name, 'build-agent-03');
  assert.deepEqual(doc.summary.byVerdict, { malicious: 1, benign: 1 });
  assert.equal(doc.summary.investigated, 2);
  assert.equal(doc.summary.alerts, 2);
  assert.equal(doc.summary.machines, 4);
  // The other tenant's false positive is not in this case.
  assert.ok(!JSON.stringify(doc).includes('false-positive'));
  assert.equal(doc.triage?.counts.addresses, 3);
  assert.equal(doc.auditTrail, null, 'no indicator was written: the audit trail is empty');
});

test('the case lists the hunting queries used: the investigation\'s per address and the triage\'s batches', () => {
  const doc = build();
  const q = doc.queries;
  assert.deepEqual(
    q.filter((x) => x.from === 'investigation').map((x) => [x.purpose, x.address]),
    [
      ['observed machines', '198.51.100.23'],
      ['timeline', '198.51.100.23'],
    ],
  );
  assert.equal(q.find((x) => x.purpose === 'timeline')?.query, timelineQuery('198.51.100.23', 7));
  assert.equal(q.find((x) => x.purpose === 'observed machines')?.query, observedMachinesQuery('198.51.100.23', 7));
  assert.equal(q.filter((x) => x.from === 'triage').length, 1);
});

test('the case Markdown: every section, values escaped (no link, image or HTML from data), tables keep their columns', () => {
  const doc = build();
  const text = caseMarkdown(doc);
  assert.match(text, /^# Case: Demo tenant \\\(simulated data\\\)$/m, 'the label is escaped like any text');
  for (const heading of ['## Addresses', '### 198.51.100.23', '## Triage', '## Hunting queries used']) assert.ok(text.includes(heading), heading);
  assert.match(text, /> Demo tenant: simulated data/);
  assert.match(text, /- \*\*Your verdicts:\*\* Malicious 1, Benign 1; 2 with notes/);
  assert.match(text, /- \*\*Your verdict:\*\* Malicious, set 2026-12-02/);
  assert.match(text, /```kql\nDeviceNetworkEvents/);
  assert.doesNotMatch(text, /Indicator audit trail/);
  const html = md.render(text);
  assert.doesNotMatch(html, /<(img|a|script)\b/i);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  const tables = text.split('\n\n').filter((b) => b.startsWith('| '));
  assert.ok(tables.length >= 3);
  const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  for (const t of tables) {
    const lines = t.split('\n');
    for (const l of lines) assert.equal(cells(l), cells(lines[0]), l);
  }
});

function write(over: Partial<AuditEntry>): AuditEntry {
  return {
    at: '2026-12-02T11:00:00.000Z',
    kind: 'create',
    identity: 'demo-analyst',
    demo: true,
    addresses: ['198.51.100.23'],
    addressCount: 1,
    action: 'Block',
    title: '<img src=x onerror=alert(1)> C2',
    expires: '2027-01-01T00:00:00.000Z',
    indicatorIds: ['5120'],
    outcomes: { created: 1 },
    requestIds: ['req-demo-1'],
    clientRequestIds: ['client-1'],
    ...over,
  };
}

test('the indicator writes of this tenant go in the case, in both forms; another tenant\'s stay out', () => {
  const writes = [
    write({}),
    write({ at: '2026-12-02T11:30:00.000Z', demo: false, tenant: 'fabrikam.onmicrosoft.com', identity: 'analyst@fabrikam', requestIds: ['req-fabrikam'] }),
    write({ at: '2026-12-02T11:40:00.000Z', demo: false, identity: 'nobody', requestIds: ['req-no-tenant'] }),
  ];
  const audit = caseAuditTrail(DEMO, writes);
  assert.ok(audit, 'the demo tenant has its write');
  const doc = buildCase({ generatedAt: '2026-12-02T12:00:00.000Z', tenant: DEMO, tenantLabel: 'Demo tenant (simulated data)', demo: true, entries: history().entries(DEMO.scope), auditTrail: audit });
  assert.equal(doc.auditTrail?.events.length, 1);
  assert.equal((doc.auditTrail?.events[0] as AuditEntry).requestIds[0], 'req-demo-1');
  const text = caseMarkdown(doc, audit);
  assert.match(text, /## Indicator audit trail\n\n\| When \\\(UTC\\\) \| What \|/);
  assert.ok(text.includes('req-demo-1'), 'the request id is quoted');
  assert.ok(!text.includes('req-fabrikam') && !text.includes('req-no-tenant'), 'only this tenant\'s writes');
  assert.ok(text.indexOf('## Indicator audit trail') < text.indexOf('## Hunting queries used'));
  assert.doesNotMatch(md.render(text), /<img\b/i, 'the title is escaped');
  const json = JSON.parse(caseJson(doc)) as { auditTrail: { events: AuditEntry[] } };
  assert.ok(json.auditTrail.events[0].indicatorIds.includes('5120'));

  const other = caseAuditTrail(OTHER, writes);
  assert.deepEqual(other?.events.map((e) => (e as AuditEntry).requestIds[0]), ['req-fabrikam'], 'a real tenant gets the writes recorded with its id');
  assert.equal(caseAuditTrail(DEMO, []), undefined, 'no writes: no section');
  assert.equal(caseAuditTrail(historyTenant({ mode: 'delegated', tenantId: 'contoso.onmicrosoft.com', cloud: 'commercial' }), writes), undefined);
});

test('an empty tenant still gives a valid case that says so', () => {
  const doc = buildCase({ generatedAt: '2026-12-02T12:00:00.000Z', tenant: OTHER, tenantLabel: 'fabrikam.onmicrosoft.com', demo: false, entries: [] });
  assert.equal(doc.addresses.length, 0);
  assert.equal(doc.triage, null);
  assert.match(caseMarkdown(doc), /Nothing was investigated in this tenant/);
});
