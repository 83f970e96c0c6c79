// Bulk triage in the real extension host on the demo tenant: the file, selection and workspace commands, the results
// (verdicts of the demo story), the table, the editor decorations, the Machines view's Triage group, cancellation with
// partial results, the cache on a re-run, exports and clearing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TriageEntry, TriageReport } from '../../src/shared/triageModel';
import { DEMO_C2_IP, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, demoInternalHolderAt } from '../../src/simulator/story';
import { waitFor, workspaceFolder } from './helpers';
import { closeTabs, extensionApi, withInput, withUserSettings } from './surfaceHelpers';

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function entry(report: { entries: TriageEntry[] }, ip: string): TriageEntry {
  const e = report.entries.find((x) => x.ip === ip);
  assert.ok(e, `${ip} is in the results`);
  return e;
}

async function show(file: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
}

/** Closes webviews and saved text editors (unsaved documents of other suites stay: closing them would prompt). */
const closeAll = (): Promise<void> => closeTabs({ texts: true });

suite('Bulk triage (demo tenant)', () => {
  let api: ExtensionApi;
  let firstReport: TriageReport;
  const created: string[] = [];

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    await closeAll();
    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
    // A cold triage cache, whatever ran before.
    await withInput(api, () => Promise.resolve(vscode.commands.executeCommand('ipInvestigator.clearCache')));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
    await closeAll();
    for (const f of created) fs.rmSync(f, { force: true });
  });

  test('"Triage All IPs in File" on samples/firewall.log: the demo story\'s verdicts, read from disk', async function () {
    this.timeout(90_000);
    const file = path.join(workspaceFolder().uri.fsPath, 'firewall.log');
    const editor = await show(file);
    const report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile');
    assert.ok(report, 'the command returns the report');
    firstReport = report;
    assert.equal(report.cancelled, false);
    assert.equal(report.sources.length, 1);
    assert.equal(report.sources[0].name, 'firewall.log', 'named by its workspace-relative path');
    assert.equal(report.sources[0].bytes, fs.statSync(file).size, 'the whole file, from disk');
    const c2 = entry(report, DEMO_C2_IP);
    assert.equal(c2.verdict, 'alerts');
    assert.ok((c2.alerts?.count ?? 0) > 0 && (c2.sightings?.machines ?? 0) > 0);
    assert.equal(c2.occurrenceCount, 5);
    assert.equal(entry(report, '8.8.8.8').verdict, 'seen');
    assert.equal(entry(report, '13.107.4.50').verdict, 'seen');
    assert.equal(entry(report, DEMO_INTERNAL_IP).verdict, 'internal');
    assert.equal(entry(report, DEMO_INTERNAL_IP).occurrenceCount, 6);
    // The organisation's own public address (the edge proxy's LocalIP): "seen", and said to be its own.
    const egress = entry(report, '192.0.2.10');
    assert.equal(egress.verdict, 'seen');
    assert.equal(egress.localSightings?.machines, 1);
    assert.match(egress.reason ?? '', /^Your own address: Defender records it as the LocalIP of 1 machine/);
    assert.equal(report.counts.addresses, 11);
    assert.ok(report.calls.hunting > 0 && report.calls.hunting <= 3, `${report.calls.hunting} hunting queries for 11 addresses`);
    // The occurrence of C2 on line 1 points at its text in the document.
    const first = c2.occurrences[0];
    assert.equal(editor.document.getText(new vscode.Range(first.line - 1, first.column - 1, first.line - 1, first.column - 1 + DEMO_C2_IP.length)), DEMO_C2_IP);
  });

  test('the editor is decorated by verdict, the table got every row, the Machines view has a Triage group', async function () {
    this.timeout(60_000);
    const uri = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'firewall.log')).toString();
    const inFile = (verdict: string) =>
      firstReport.entries.filter((e) => e.verdict === verdict).reduce((n, e) => n + e.occurrences.filter((o) => o.file === 'firewall.log').length, 0);
    const decorations = await waitFor('decorations on firewall.log', () => api.triage().decorations[uri]);
    assert.equal(decorations.alerts, inFile('alerts'));
    assert.ok(decorations.alerts >= 9, `${decorations.alerts} ranges with alerts`);
    assert.equal(decorations.seen, inFile('seen'));
    assert.equal(decorations.internal, inFile('internal'));
    assert.equal(decorations['not-seen'], inFile('not-seen'));

    const snapshot = api.triage();
    assert.equal(snapshot.state, 'done');
    assert.equal(snapshot.source, 'firewall.log');
    assert.equal(snapshot.table.open, true, 'the table opened');
    const table = await waitFor('the table to load and get every row', () => {
      const t = api.triage().table;
      return t.ready && t.rowsPosted >= firstReport.entries.length ? t : undefined;
    }, 30_000).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}: ${JSON.stringify(api.triage().table)}`);
    });
    assert.equal(table.rowsPosted, firstReport.entries.length);
    assert.ok(vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('ipInvestigator.triage')));

    const group = api.surfaces().machines[0];
    assert.equal(group.id, 'triage');
    assert.equal(group.label, 'Triage');
    assert.match(group.description ?? '', new RegExp(`^${firstReport.counts.byVerdict.alerts} with alerts · ${firstReport.counts.byVerdict.seen} seen · 11 addresses$`));
    assert.match(group.contextValue ?? '', /\btriageRoot\b/);
    const children = group.children ?? [];
    assert.equal(children[0].label, DEMO_C2_IP, 'the address with the most severe alerts first');
    assert.match(children[0].description ?? '', /\d+ alerts? · High/);
    assert.match(children[0].contextValue ?? '', /\btriageAddress\b/);
    const topLevel = children.filter((c) => c.id.startsWith('triage/address:')).map((c) => c.label);
    assert.equal(topLevel.length, firstReport.counts.byVerdict.alerts + firstReport.counts.byVerdict.seen, 'alerts and seen addresses at the top');
    const internal = children.find((c) => c.id === 'triage/group:internal');
    assert.ok(internal, 'a collapsed group of internal addresses');
    assert.equal(internal.collapsible, 'collapsed');
    assert.equal(internal.description, '3');
    assert.ok(children.some((c) => c.id === 'triage/group:not-seen'));
  });

  test('a re-run asks Defender only for what is new: everything comes from the cache', async function () {
    this.timeout(60_000);
    await show(path.join(workspaceFolder().uri.fsPath, 'firewall.log'));
    const again = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile');
    assert.ok(firstReport.calls.hunting > 0);
    assert.equal(again.calls.hunting, 0, 'no hunting query the second time');
    assert.ok(again.calls.cacheHits >= firstReport.counts.addresses - firstReport.counts.byVerdict.internal, `${again.calls.cacheHits} from the cache`);
    assert.equal(entry(again, DEMO_C2_IP).verdict, 'alerts');
    assert.equal(entry(again, DEMO_C2_IP).fromCache, true);
    assert.deepEqual(
      again.entries.map((e) => [e.ip, e.verdict]),
      firstReport.entries.map((e) => [e.ip, e.verdict]),
    );
  });

  test('a table hidden behind an editor while a triage runs shows every row when it is shown again', async function () {
    this.timeout(60_000);
    const table = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('ipInvestigator.triage'));
    const tab = table();
    assert.ok(tab, 'the table is open');
    // A document in the table's group hides it (a hidden webview is unloaded), then the triage runs.
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'auth.log')));
    await vscode.window.showTextDocument(doc, { viewColumn: tab.group.viewColumn, preview: false, preserveFocus: false });
    await waitFor('the table to be hidden', () => (table()?.isActive === false ? true : undefined));
    await show(path.join(workspaceFolder().uri.fsPath, 'firewall.log'));
    const report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile');
    await vscode.commands.executeCommand('ipInvestigator.showTriage');
    await waitFor('the shown table to get every row', () => {
      const t = api.triage().table;
      return t.ready && t.rowsPosted >= report.entries.length ? true : undefined;
    }, 30_000).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}: ${JSON.stringify(api.triage().table)}`);
    });
    assert.equal(api.triage().table.rowsPosted, report.entries.length, 'every row once since the table last loaded');
  });

  test('"Triage All IPs in Selection": only the selected text, occurrences at their places in the document, holders at the line time', async function () {
    this.timeout(60_000);
    const now = Date.now();
    const held = demoInternalHolderAt(now).getTime();
    const file = path.join(workspaceFolder().uri.fsPath, 'ipinv-triage-selection.log');
    created.push(file);
    fs.writeFileSync(
      file,
      [
        `${iso(now - 90 * MINUTE)} fw01 ALLOW tcp 10.1.2.3:51544 -> 203.0.113.80:22`,
        `${iso(held)} fw01 ALLOW tcp ${DEMO_INTERNAL_IP}:51560 -> ${DEMO_C2_IP}:443`,
        `${iso(now - 30 * MINUTE)} dns01 query from 10.9.9.9 to 8.8.8.8:53`,
        `${iso(now - 10 * MINUTE)} proxy01 CONNECT ${DEMO_C2_IP}:8443 user=lchen`,
        '',
      ].join('\n'),
    );
    const editor = await show(file);
    const doc = editor.document;
    const line2 = doc.lineAt(1);
    const line3 = doc.lineAt(2);
    // All of line 2, and line 3 from "8.8.8.8" on: two selections.
    const dns = line3.text.indexOf('8.8.8.8');
    editor.selections = [new vscode.Selection(line2.range.start, line2.range.end), new vscode.Selection(new vscode.Position(2, dns), line3.range.end)];
    const report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageSelection');
    assert.deepEqual(report.entries.map((e) => e.ip).sort(), [DEMO_INTERNAL_IP, DEMO_C2_IP, '8.8.8.8'].sort(), 'only the selected addresses');
    const c2 = entry(report, DEMO_C2_IP);
    assert.equal(c2.occurrenceCount, 1, 'the C2 of line 4 was not selected');
    assert.deepEqual([c2.occurrences[0].line, c2.occurrences[0].column], [2, line2.text.indexOf(DEMO_C2_IP) + 1]);
    assert.equal(doc.getText(new vscode.Range(doc.positionAt(c2.occurrences[0].start), doc.positionAt(c2.occurrences[0].end))), DEMO_C2_IP);
    const d = entry(report, '8.8.8.8').occurrences[0];
    assert.deepEqual([d.line, d.column], [3, dns + 1]);
    const internal = entry(report, DEMO_INTERNAL_IP);
    assert.equal(internal.verdict, 'internal');
    assert.ok(internal.holders?.some((h) => h.name === DEMO_HOLDER_NAME), `held by ${DEMO_HOLDER_NAME} at the line's time`);
    const decorations = await waitFor('decorations of the selection', () => api.triage().decorations[doc.uri.toString()]);
    assert.deepEqual(decorations, { alerts: 1, seen: 1, 'not-seen': 0, internal: 1 }, 'only the selected occurrences');
  });

  test('an edited document is decorated where the addresses are now, not at the old offsets', async function () {
    this.timeout(30_000);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    const uri = editor.document.uri.toString();
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), `# pasted: ${DEMO_C2_IP} and 8[.]8[.]8[.]8\n`));
    // The C2 on line 4 is an address of the results too once the text is scanned again.
    const d = await waitFor('decorations after the edit', () => {
      const c = api.triage().decorations[uri];
      return c && c.alerts === 3 ? c : undefined;
    });
    assert.equal(d.seen, 2);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('a cancelled triage keeps what arrived; the rest is listed as not answered', async function () {
    this.timeout(90_000);
    const file = path.join(workspaceFolder().uri.fsPath, 'ipinv-triage-many.log');
    created.push(file);
    const lines = [`${iso(Date.now() - MINUTE)} C2 ${DEMO_C2_IP}`];
    for (let i = 0; i < 1_800; i++) lines.push(`${iso(Date.now() - MINUTE)} deny 45.${(i >> 8) & 255}.${i & 255}.7:443`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    await show(file);
    let cancelled = false;
    const sub = api.onDidTriageProgress((p) => {
      // As soon as the first batch's addresses have their verdict (the C2 comes from the cache): most batches are still queued.
      if (!cancelled && p.phase === 'querying' && p.batchesDone > 0 && p.resolved > 1) {
        cancelled = true;
        void vscode.commands.executeCommand('ipInvestigator.cancelTriage');
      }
    });
    let report: TriageReport;
    try {
      report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile');
    } finally {
      sub.dispose();
    }
    assert.ok(cancelled, 'cancelled while querying');
    assert.equal(report.cancelled, true);
    assert.equal(report.counts.addresses, 1_801, 'every extracted address is listed');
    const answered = report.entries.filter((e) => e.verdict !== 'unknown');
    const unanswered = report.entries.filter((e) => e.verdict === 'unknown');
    assert.ok(answered.length > 0, 'the answers that arrived are kept');
    assert.ok(unanswered.length > 0, `${unanswered.length} addresses were not looked up`);
    assert.ok(unanswered.every((e) => e.problems.some((p) => p.kind === 'cancelled')), 'each says it was cancelled');
    const snapshot = api.triage();
    assert.equal(snapshot.state, 'cancelled');
    assert.equal(snapshot.entries.length, 1_801);
    assert.equal(snapshot.report?.cancelled, true);
    assert.match(api.surfaces().machines[0].description ?? '', /cancelled$/);
    // Exports work on partial results, and say so.
    const md = await vscode.commands.executeCommand<string>('ipInvestigator.exportTriageMarkdown');
    const doc = vscode.workspace.textDocuments.find((t) => t.uri.toString() === md);
    assert.ok(doc, 'the report opened in an editor');
    assert.match(doc.getText(), /\*\*cancelled\*\*: partial results/);
    assert.match(doc.getText(), /## Hunting queries used/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('"Triage All IPs in Workspace…": the files matching the glob, capped by ipInvestigator.triage.maxFiles', async function () {
    this.timeout(90_000);
    const logs = (await vscode.workspace.findFiles('**/*.log')).length;
    assert.ok(logs >= 3, `${logs} logs in the workspace`);
    await withUserSettings({ 'ipInvestigator.triage.maxFiles': 2 }, () =>
      withInput(api, async (ui) => {
        ui.inputs.push('**/*.log', '');
        const report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageWorkspace');
        assert.equal(report.sources.length, 2, 'capped at the setting');
        assert.ok(ui.messages.some((m) => m.level === 'warning' && /More than 2 files match/.test(m.message)), 'the cap is said');
        assert.ok(api.triage().notes.some((n) => /More than 2 files match/.test(n)), 'and shown in the table');
        assert.equal(ui.prompts[0].value, '**/*.{log,txt,csv,tsv,json,jsonl,ndjson,xml,evtx.xml,ps1,psm1,sh,bash,bat,cmd,py,md,conf,cfg,ini,yaml,yml,eml}', 'the include glob from the settings');
      }),
    );
    await withInput(api, async (ui) => {
      ui.inputs.push('**/*.log', '**/ipinv-triage-*');
      const report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageWorkspace');
      assert.equal(report.sources.length, logs - 2, 'every log but the two excluded');
      assert.equal(report.cancelled, false);
      assert.equal(entry(report, DEMO_C2_IP).verdict, 'alerts');
      assert.ok(entry(report, DEMO_C2_IP).files.length >= 2, 'the C2 is in several logs');
      assert.match(api.triage().source ?? '', new RegExp(`^${logs - 2} files in the workspace$`));
    });
  });

  test('exports: CSV and a STIX bundle to a given file; nothing to export is a clear message', async function () {
    this.timeout(30_000);
    const dir = workspaceFolder().uri.fsPath;
    const csv = path.join(dir, 'ipinv-triage-export.csv');
    const stix = path.join(dir, 'ipinv-triage-export.stix.json');
    created.push(csv, stix);
    await vscode.commands.executeCommand('ipInvestigator.exportTriageCsv', vscode.Uri.file(csv));
    const text = fs.readFileSync(csv, 'utf8');
    assert.match(text.split(/\r?\n/)[0], /^ip,version,class,/);
    assert.ok(text.includes(DEMO_C2_IP));
    await vscode.commands.executeCommand('ipInvestigator.exportTriageStix', vscode.Uri.file(stix));
    const bundle = JSON.parse(fs.readFileSync(stix, 'utf8')) as { type: string; objects: { type: string; pattern?: string }[] };
    assert.equal(bundle.type, 'bundle');
    assert.ok(bundle.objects.some((o) => o.type === 'indicator' && o.pattern?.includes(DEMO_C2_IP)));

    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
    await withInput(api, async (ui) => {
      await vscode.commands.executeCommand('ipInvestigator.exportTriageCsv');
      await waitFor('a warning', () => ui.messages.find((m) => m.level === 'warning'));
      assert.match(ui.messages[0].message, /no triage results to export/);
    });
  });

  test('"Clear Triage Results" removes the Triage group and the decorations', async function () {
    this.timeout(60_000);
    await show(path.join(workspaceFolder().uri.fsPath, 'firewall.log'));
    await vscode.commands.executeCommand('ipInvestigator.triageFile');
    const uri = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'firewall.log')).toString();
    assert.ok(api.triage().decorations[uri]);
    assert.equal(api.surfaces().machines[0]?.id, 'triage');
    assert.equal(await vscode.commands.executeCommand('ipInvestigator.clearTriage'), true);
    const s = api.triage();
    assert.equal(s.state, 'none');
    assert.deepEqual(s.entries, []);
    assert.equal(s.decorations[uri], undefined);
    assert.ok(!api.surfaces().machines.some((n) => n.id === 'triage'));
  });
});
