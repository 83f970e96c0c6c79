import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { historyTenant } from '../../src/core/history/historyModel';
import { InvestigationHistory } from '../../src/core/history/investigationHistory';
import { addressFacts } from '../../src/core/investigation/investigationService';
import { annotationMarkdown, annotationPlain, annotationShort } from '../../src/features/history/annotationText';
import { HISTORY_ROOT_ID, MAX_HISTORY_NODES, historyChildren, historyRoots } from '../../src/features/history/historyTreeModel';
import { buildHoverMarkdown, type HoverModel } from '../../src/features/hover/hoverContent';
import { toTableRow } from '../../src/features/triage/tableRows';
import { MachinesStore } from '../../src/features/tree/machinesStore';
import { addressNodes, type TreeNodeModel } from '../../src/features/tree/treeModel';
import type { Annotation } from '../../src/shared/annotation';
import type { Investigation } from '../../src/shared/investigation';
import { parseHostMessage } from '../../src/shared/protocol';
import { isTriageRow, parseTriageWebviewMessage } from '../../src/shared/triageProtocol';
import type { TriageEntry } from '../../src/shared/triageModel';
import { TriageTableModel } from '../../webview/triage/tableModel';

const MarkdownIt = createRequire(import.meta.url)('markdown-it') as new (o: object) => { render(md: string): string; linkify: { set(o: object): void } };
const md = new MarkdownIt({ html: true, linkify: true });
md.linkify.set({ fuzzyLink: false });

const NOW = Date.parse('2026-12-02T12:00:00Z');
const HOSTILE = "<img src=x onerror=alert(1)> [x](command:workbench.action.terminal.new) $(alert) **b** `c`";

function facts(ip: string) {
  const v = addressFacts(ip);
  assert.ok(v.ok);
  return v.facts;
}

const mark: Annotation = { verdict: 'malicious', verdictAt: '2026-12-02T09:15:00.000Z', note: 'beacon every 60 s', noteAt: '2026-12-02T09:16:00.000Z' };

test('the hover line: the sentence of the issue, and a hostile note stays inert text', () => {
  assert.equal(annotationPlain(mark), "You marked this malicious on 2026-12-02: 'beacon every 60 s'");
  assert.equal(annotationPlain({ verdict: 'false-positive', verdictAt: '2026-12-02T09:15:00.000Z' }), 'You marked this false positive on 2026-12-02.');
  assert.equal(annotationPlain({ note: 'check', noteAt: '2026-12-01T23:59:00.000Z' }), "Your note (2026-12-01): 'check'");
  assert.equal(annotationShort(mark), 'Malicious · noted');
  assert.equal(annotationShort({ note: 'x' }), 'noted');
  const line = annotationMarkdown({ ...mark, note: HOSTILE })!;
  assert.match(line, /^\$\(bug\) You marked this malicious on 2026-12-02: '/);
  const html = md.render(line);
  assert.doesNotMatch(html, /<(img|a|code|strong)\b/);
  assert.ok(!line.includes('$(alert)'), 'no icon from the note');

  const model: HoverModel = { facts: facts('198.51.100.23'), text: '198.51.100.23', lookback: '7d', findAtTime: false, demo: false, annotation: annotationMarkdown(mark) };
  const blocks = buildHoverMarkdown(model).split('\n\n---\n\n');
  assert.match(blocks[1], /You marked this malicious on 2026-12-02/, 'right after the facts');
});

test('the Machines view: the verdict first, "from N ago" for what came back from the history', () => {
  const store = new MachinesStore(() => NOW);
  const inv: Investigation = { address: facts('198.51.100.23'), lookback: '7d', machines: [], stats: { prevalence: 2, cachedAt: '2026-12-02T09:00:00.000Z' }, problems: [] };
  store.restore([{ investigation: inv, fetchedAt: '2026-12-02T09:00:00.000Z' }], { replace: true });
  const [node] = addressNodes(store, NOW, undefined, (ip) => (ip === '198.51.100.23' ? mark : undefined));
  assert.equal(node.description, 'Malicious · noted · 0 machines · 7 d · from 3 h ago');
  assert.match((node.tooltip ?? '').replace(/\\(.)/g, '$1'), /Restored from the investigation history: data fetched 2026-12-02 09:00:00 UTC\. Refresh asks Defender again\./);
  assert.match(node.tooltip ?? '', /You marked this malicious/);
  // Fresh data replaces what came back: no age any more.
  store.upsert(inv, { loading: false });
  assert.doesNotMatch(addressNodes(store, NOW)[0].description ?? '', /from /);
  // restore() without replace puts an address on top; with replace, the list is what was kept.
  store.restore([{ investigation: { ...inv, address: facts('203.0.113.7') }, fetchedAt: '2026-12-02T11:00:00.000Z' }]);
  assert.deepEqual(store.entries().map((e) => e.ip), ['203.0.113.7', '198.51.100.23']);
  store.restore([], { replace: true });
  assert.equal(store.entries().length, 0);
});

test('the History group: newest first, verdict and age in the description, a click opens it from the history', () => {
  let now = NOW - 59 * 60_000;
  const h = new InvestigationHistory(undefined, { now: () => now });
  const demo = historyTenant({ mode: 'demo', cloud: 'x' });
  h.record(demo, { address: facts('198.51.100.23'), lookback: '30d', stats: { prevalence: 1, cachedAt: new Date(NOW).toISOString() }, problems: [] });
  h.annotate(demo, '198.51.100.23', { verdict: 'malicious', note: HOSTILE });
  now = NOW - 58 * 60_000;
  h.annotate(demo, '203.0.113.9', { note: 'our VPN' });
  const entries = h.entries(demo.scope);
  const [root] = historyRoots(entries, 'Demo tenant (simulated data)');
  assert.equal(root.id, HISTORY_ROOT_ID);
  assert.equal(root.description, '2 addresses · 1 with your verdict');
  const kids = historyChildren(entries, root, NOW);
  assert.deepEqual(kids.map((k) => k.label), ['203.0.113.9', '198.51.100.23']);
  assert.equal(kids[0].description, 'noted · 58 min ago · not investigated');
  assert.equal(kids[1].description, 'Malicious · noted · 59 min ago · 30 d');
  assert.deepEqual(kids[1].command, { command: 'ipInvestigator.history.open', title: 'Open from History', arguments: [{ ip: '198.51.100.23' }] });
  assert.match(kids[1].contextValue, /\bhistoryEntry\b/);
  assert.match(kids[1].contextValue, /\bannotatable\b/);
  const tip = md.render(kids[1].tooltip ?? '');
  assert.doesNotMatch(tip, /<(img|a|code)\b/);
  assert.equal(tip.match(/<strong>/g)?.length, 1, 'only the address is bold, not the note');
  assert.deepEqual(historyRoots([], 'x'), [], 'no group while empty');
  const many = Array.from({ length: MAX_HISTORY_NODES + 3 }, (_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}`, updatedAt: new Date(NOW).toISOString(), lastInvestigatedAt: new Date(NOW).toISOString(), lookback: '7d' as const }));
  const listed: TreeNodeModel[] = historyChildren(many, root, NOW);
  assert.equal(listed.length, MAX_HISTORY_NODES + 1);
  assert.equal(listed.at(-1)?.command?.command, 'ipInvestigator.history.search');
});

test('the triage table: the verdict as a column and in the filter; the protocol checks it both ways', () => {
  const entry: TriageEntry = { ip: '198.51.100.23', version: 4, ipClass: 'documentation', internal: false, verdict: 'alerts', occurrenceCount: 2, occurrences: [], occurrencesTruncated: false, files: [], defanged: false, problems: [], fromCache: false };
  const row = toTableRow(entry, undefined, mark);
  assert.equal(row.mark, 'malicious');
  assert.equal(row.markText, "You marked this malicious on 2026-12-02: 'beacon every 60 s'");
  assert.ok(isTriageRow(row));
  assert.ok(!isTriageRow({ ...row, mark: 'pwned' }));
  assert.deepEqual(parseTriageWebviewMessage({ kind: 'request', id: 1, request: { type: 'mark', ip: '198.51.100.23' } }), { kind: 'request', id: 1, request: { type: 'mark', ip: '198.51.100.23' } });
  assert.equal(parseTriageWebviewMessage({ kind: 'request', id: 1, request: { type: 'mark', ip: '<b>' } }), undefined);

  const model = new TriageTableModel();
  model.apply({ kind: 'reset', summary: { runId: 1, state: 'done', phase: 'done', source: 'x', lookback: '7d', addresses: 3, resolved: 3, byVerdict: { alerts: 1, seen: 2, 'not-seen': 0, internal: 0, skipped: 0, unknown: 0, pending: 0 }, batchesDone: 1, batchesTotal: 1, calls: { hunting: 1, findbyip: 0, cacheHits: 0 }, bytesScanned: 1, occurrences: 3, notes: [], demo: true, startedAt: 'x' } });
  const plain = toTableRow({ ...entry, ip: '8.8.8.8', verdict: 'seen' });
  const benign = toTableRow({ ...entry, ip: '1.1.1.1', verdict: 'seen' }, undefined, { verdict: 'benign', note: 'resolver' });
  model.apply({ kind: 'rows', runId: 1, rows: [plain, row, benign] });
  model.sortBy('mark');
  assert.deepEqual(model.view().map((r) => r.ip), ['198.51.100.23', '1.1.1.1', '8.8.8.8'], 'malicious first, unmarked last');
  model.setFilter('resolver');
  assert.deepEqual(model.view().map((r) => r.ip), ['1.1.1.1'], 'the note is searchable');
});

test('the panel protocol: the history message is validated (a bad verdict or a long text is refused)', () => {
  const ok = parseHostMessage({ kind: 'history', history: { annotation: mark, mark: 'You marked this malicious', restoredFrom: '2026-12-02T09:00:00.000Z', timelineTotal: 56, extra: 'dropped' } });
  assert.deepEqual(ok, { kind: 'history', history: { annotation: mark, mark: 'You marked this malicious', restoredFrom: '2026-12-02T09:00:00.000Z', timelineTotal: 56 } });
  assert.equal(parseHostMessage({ kind: 'history', history: { annotation: { verdict: 'pwned' } } }), undefined);
  assert.equal(parseHostMessage({ kind: 'history', history: { mark: 'x'.repeat(3001) } }), undefined);
  assert.equal(parseHostMessage({ kind: 'history', history: { restoredFrom: 'yesterday' } }), undefined);
  assert.deepEqual(parseHostMessage({ kind: 'history', history: {} }), { kind: 'history', history: {} });
});
