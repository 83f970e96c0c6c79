// The investigation history in the real extension host (demo tenant): verdicts and notes set by the commands (scripted
// prompts, the address under the cursor), shown in the hover, the tree and the History group; the Machines view, the
// panel and a triage with its decorations read back as after a reload without a request; tenants kept apart; the case
// export; Clear History asking first.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { RenderedNode } from '../../src/features/tree/machinesTree';
import type { Annotation } from '../../src/shared/annotation';
import type { Investigation } from '../../src/shared/investigation';
import type { TriageReport } from '../../src/shared/triageModel';
import { SIMULATOR_REQUESTS_PATH, startSimulator, type RequestRecord, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';
import { waitFor, workspaceFolder } from './helpers';
import { extensionApi, hoverMarkdown, positionOf, showDocument, typed, unescapeMarkdown, withInput, withUserSettings } from './surfaceHelpers';

const NOTE = 'beacon every 60 s';
const today = () => new Date().toISOString().slice(0, 10);

function historyGroup(api: ExtensionApi): RenderedNode | undefined {
  return api.surfaces().machines.find((n) => n.id === 'history');
}

function historyEntry(api: ExtensionApi, ip: string): RenderedNode | undefined {
  return historyGroup(api)?.children?.find((c) => c.label === ip);
}

/** What the demo tenant (in this extension host) was asked so far. */
async function requests(api: ExtensionApi): Promise<RequestRecord[]> {
  const url = await api.simulatorUrl();
  assert.ok(url, 'the demo tenant runs');
  const body = (await (await fetch(`${url}${SIMULATOR_REQUESTS_PATH}`)).json()) as { requests: RequestRecord[] };
  return body.requests.filter((r) => r.family !== 'identity');
}

async function closeWebviews(): Promise<void> {
  await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview));
  // Focus was in a webview that is gone: give it back to the workbench (a browser window without focus loads the
  // next webview only when something takes the focus).
  await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
}

suite('Investigation history (demo tenant)', () => {
  let api: ExtensionApi;
  const created: string[] = [];

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    await closeWebviews();
    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
    await withInput(api, async (ui) => {
      ui.respond = (m) => m.actions.find((a) => a === 'Clear History');
      await vscode.commands.executeCommand('ipInvestigator.history.clear');
    });
  });

  suiteTeardown(async () => {
    await closeWebviews();
    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
    // Leave no verdict behind for the suites that hover these addresses.
    await withInput(api, async (ui) => {
      ui.respond = (m) => m.actions.find((a) => a === 'Clear History');
      await vscode.commands.executeCommand('ipInvestigator.history.clear');
    });
    for (const f of created) fs.rmSync(f, { force: true });
  });

  test('Set Verdict and Edit Note with the address under the cursor: in the hover, the tree and the History group', async function () {
    this.timeout(60_000);
    const inv = await vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp', { ip: DEMO_C2_IP });
    assert.ok(inv?.stats, 'investigated');
    const editor = await showDocument(`2026-12-02T09:00:00Z ALLOW 10.1.2.3 -> ${DEMO_C2_IP}:443`);
    const at = positionOf(editor.document, DEMO_C2_IP, 3);
    editor.selection = new vscode.Selection(at, at);
    await withInput(api, async (ui) => {
      ui.picks.push((items) => {
        assert.deepEqual(
          items.map((i) => i.label),
          ['Malicious', 'Suspicious', 'Benign', 'False positive', 'Unknown'],
        );
        return items[0];
      });
      const a = await vscode.commands.executeCommand<Annotation>('ipInvestigator.setVerdict');
      assert.equal(a?.verdict, 'malicious');
      ui.inputs.push(typed(NOTE, { ['x'.repeat(2001)]: /At most 2000 characters/, [NOTE]: undefined }));
      const b = await vscode.commands.executeCommand<Annotation>('ipInvestigator.editNote');
      assert.equal(b?.note, NOTE);
      assert.match(ui.prompts.at(-1)?.title ?? '', new RegExp(DEMO_C2_IP.replace(/\./g, '\\.')), 'the note is asked for the address under the cursor');
    });
    const { value } = await hoverMarkdown(editor.document, at);
    assert.ok(unescapeMarkdown(value).includes(`You marked this malicious on ${today()}: '${NOTE}'`), value);
    const top = api.surfaces().machines.find((n) => n.label === DEMO_C2_IP);
    assert.match(top?.description ?? '', /^Malicious · noted · /);
    assert.match(top?.contextValue ?? '', /\bannotatable\b/);
    const entry = historyEntry(api, DEMO_C2_IP);
    assert.ok(entry, 'the History group lists the address');
    assert.match(entry.description ?? '', /^Malicious · noted · (just now|\d+ min ago) · 7 d$/);
    assert.ok(unescapeMarkdown(entry.tooltip ?? '').includes(`'${NOTE}'`));
    assert.equal(historyGroup(api)?.collapsible, 'collapsed');
    assert.match(historyGroup(api)?.description ?? '', /1 with your verdict/);
  });

  test('after a reload the Machines view, the History group and an open panel come back without a request', async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip: '203.0.113.80' });
    // Closing the panels stops what they still ask; Refresh (awaited) makes what is kept fresh and lets any request
    // already on its way arrive before the count is taken.
    await closeWebviews();
    assert.equal(await vscode.commands.executeCommand('ipInvestigator.machines.refresh'), 2);
    const before = await requests(api);
    await api.restoreState();
    const labels = api.surfaces().machines.filter((n) => n.id !== 'history' && n.id !== 'triage').map((n) => n.label);
    assert.deepEqual(labels, ['203.0.113.80', DEMO_C2_IP], 'the same addresses in the same order');
    const c2 = api.surfaces().machines.find((n) => n.label === DEMO_C2_IP);
    assert.match(c2?.description ?? '', /· from (just now|\d+ min ago)$/, 'says how old the data is');
    assert.ok((c2?.children ?? []).some((m) => m.id.startsWith('machine:')), 'with its machines');
    assert.ok(historyEntry(api, DEMO_C2_IP), 'the history is back');
    // Opening it from the history shows the panel from what was kept.
    assert.equal(await vscode.commands.executeCommand('ipInvestigator.history.open', { ip: DEMO_C2_IP }), 'restored');
    await waitFor('the panel', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.includes(DEMO_C2_IP)));
    const after = await requests(api);
    assert.deepEqual(after.slice(before.length), [], 'nothing was asked of the tenant');
    // Refresh asks again.
    assert.equal(await vscode.commands.executeCommand('ipInvestigator.machines.refresh'), 2);
    assert.ok((await requests(api)).length > after.length, 'Refresh asked the tenant');
    assert.doesNotMatch(api.surfaces().machines.find((n) => n.label === DEMO_C2_IP)?.description ?? '', /from /);
  });

  test('a triage comes back after a reload with its rows and decorations (the verdict in their hover); a re-run reads and asks nothing', async function () {
    this.timeout(120_000);
    const file = path.join(workspaceFolder().uri.fsPath, 'firewall.log');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { viewColumn: vscode.ViewColumn.One, preview: false });
    const first = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile');
    assert.ok(first && !first.cancelled);
    const uri = vscode.Uri.file(file).toString();
    await waitFor('the decorations', () => (api.triage().decorations[uri]?.alerts ?? 0) > 0);
    const rows = api.triage().entries.map((e) => [e.ip, e.verdict]);
    const asked = (await requests(api)).length;

    await api.restoreState();
    const back = api.triage();
    assert.ok(back.restoredFrom, 'read back from storage');
    assert.equal(back.state, 'done');
    assert.deepEqual(back.entries.map((e) => [e.ip, e.verdict]), rows);
    await waitFor('the decorations again', () => (api.triage().decorations[uri]?.alerts ?? 0) > 0);
    assert.ok((api.triage().markedDecorations[uri] ?? 0) > 0, 'the marked C2 says so when hovered');
    const triageRoot = api.surfaces().machines.find((n) => n.id === 'triage');
    assert.match(triageRoot?.children?.find((c) => c.label === DEMO_C2_IP)?.description ?? '', /^Malicious · noted · /);
    await waitFor('the table to get every row', () => api.triage().table.ready && api.triage().table.rowsPosted >= rows.length, 30_000).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}: ${JSON.stringify(api.triage().table)}`);
    });
    assert.equal((await requests(api)).length, asked, 'nothing was asked of the tenant');

    // The file did not change: it is not read again, and every answer comes from the saved cache.
    const again = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile', vscode.Uri.file(file));
    assert.equal(again.sources[0].reused, true, 'the file was not read again');
    assert.equal(again.calls.hunting, 0);
    assert.deepEqual(again.entries.map((e) => [e.ip, e.verdict, e.occurrenceCount]), first.entries.map((e) => [e.ip, e.verdict, e.occurrenceCount]));
    // A changed file is read again.
    const copy = path.join(workspaceFolder().uri.fsPath, 'ipinv-history-copy.log');
    created.push(copy);
    fs.copyFileSync(file, copy);
    const c1 = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile', vscode.Uri.file(copy));
    assert.equal(c1.sources[0].reused, undefined);
    fs.appendFileSync(copy, `2026-12-02T10:00:00Z deny 192.0.2.222\n`);
    const c2 = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile', vscode.Uri.file(copy));
    assert.equal(c2.sources[0].reused, undefined, 'modified: read again');
    assert.ok(c2.entries.some((e) => e.ip === '192.0.2.222'));
  });

  test('every export carries the verdict and the note; the case export writes Markdown and JSON', async function () {
    this.timeout(60_000);
    const file = path.join(workspaceFolder().uri.fsPath, 'firewall.log');
    await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile', vscode.Uri.file(file));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ipinv-case-'));
    try {
      const csv = vscode.Uri.file(path.join(dir, 't.csv'));
      await vscode.commands.executeCommand('ipInvestigator.exportTriageCsv', csv);
      const line = fs.readFileSync(csv.fsPath, 'utf8').split('\r\n').find((l) => l.startsWith(`${DEMO_C2_IP},`));
      assert.match(line ?? '', /,malicious,\d{4}-\d\d-\d\dT[\d:.]+Z,beacon every 60 s$/);

      const target = vscode.Uri.file(path.join(dir, 'case.md'));
      const result = await vscode.commands.executeCommand<{ uris: string[] }>('ipInvestigator.exportCase', { choice: 'save', target });
      assert.deepEqual(result.uris, [target.toString(), vscode.Uri.file(path.join(dir, 'case.json')).toString()]);
      const md = fs.readFileSync(target.fsPath, 'utf8');
      assert.match(md, /^# Case: Demo tenant/);
      assert.match(md, /### 198\.51\.100\.23\n\n- \*\*Your verdict:\*\* Malicious, set \d{4}-\d\d-\d\d\n- \*\*Your note, \d{4}-\d\d-\d\d:\*\* beacon every 60 s/);
      assert.match(md, /## Triage/);
      assert.match(md, /## Hunting queries used/);
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as { format: string; version: number; addresses: { ip: string; verdict?: string; note?: string; alerts: unknown[]; machines: unknown[] }[] };
      assert.equal(json.format, 'ipinv-case');
      assert.equal(json.version, 1);
      const c2 = json.addresses.find((a) => a.ip === DEMO_C2_IP);
      assert.equal(c2?.verdict, 'malicious');
      assert.equal(c2?.note, NOTE);
      assert.ok((c2?.alerts.length ?? 0) > 0 && (c2?.machines.length ?? 0) > 0);

      // Opened in editors instead: the Markdown report in front.
      await withInput(api, async (ui) => {
        ui.picks.push((items) => items.find((i) => i.label === 'Open in editors'));
        await vscode.commands.executeCommand('ipInvestigator.exportCase');
      });
      assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /^# Case: /);
      assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      const jsonDoc = vscode.workspace.textDocuments.find((d) => d.isUntitled && d.languageId === 'json' && d.getText().includes('"ipinv-case"'));
      assert.ok(jsonDoc, 'the JSON opened too');
      await vscode.window.showTextDocument(jsonDoc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("another tenant shows its own history only; back on the first, the first's is there", async function () {
    this.timeout(60_000);
    await closeWebviews();
    const sim: SimulatorHandle = await startSimulator({ host: '127.0.0.1', port: 0 });
    const saved = { defender: process.env.DEFENDER_ACCESS_TOKEN, graph: process.env.GRAPH_ACCESS_TOKEN };
    process.env.DEFENDER_ACCESS_TOKEN = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS });
    process.env.GRAPH_ACCESS_TOKEN = issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS });
    try {
      const settings = { 'ipInvestigator.mode': 'environment', 'ipInvestigator.advanced.apiUrl': sim.apiBaseUrl, 'ipInvestigator.advanced.graphUrl': sim.graphBaseUrl };
      await withUserSettings(settings, async () => {
        // Nothing of the demo tenant shows here (another suite may have investigated in this tenant before).
        for (const n of [...api.surfaces().machines, ...(historyGroup(api)?.children ?? [])]) assert.doesNotMatch(n.description ?? '', /Malicious/, n.label);
        await withInput(api, async (ui) => {
          ui.respond = (m) => m.actions.find((a) => a === 'Clear History');
          await vscode.commands.executeCommand('ipInvestigator.history.clear');
        });
        assert.equal(historyGroup(api), undefined, 'this tenant starts with no history');
        await vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip: '203.0.113.44' });
        await vscode.commands.executeCommand('ipInvestigator.setVerdict', { ip: DEMO_C2_IP, verdict: 'benign' });
        assert.deepEqual(new Set(historyGroup(api)?.children?.map((c) => c.label)), new Set(['203.0.113.44', DEMO_C2_IP]));
        assert.match(historyEntry(api, DEMO_C2_IP)?.description ?? '', /^Benign · /);
        // Open panels would ask the next tenant about their addresses (an investigation there): none stays open.
        await waitFor('the panel of 203.0.113.44', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.label.includes('203.0.113.44')));
        await closeWebviews();
      });
      await waitFor('the demo tenant again', () => api.surfaces().machines.some((n) => n.label === DEMO_C2_IP));
      assert.match(historyEntry(api, DEMO_C2_IP)?.description ?? '', /^Malicious · noted/);
      assert.equal(historyEntry(api, '203.0.113.44'), undefined, "the other tenant's address is not here");
    } finally {
      for (const [k, v] of [['DEFENDER_ACCESS_TOKEN', saved.defender], ['GRAPH_ACCESS_TOKEN', saved.graph]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await sim.close();
    }
  });

  test('Clear History asks first: dismissed, nothing goes; confirmed, the tenant\'s history and Machines view go', async () => {
    await closeWebviews();
    assert.ok(historyGroup(api));
    await withInput(api, async (ui) => {
      await vscode.commands.executeCommand('ipInvestigator.history.clear');
      const asked = ui.messages.at(-1);
      assert.match(asked?.message ?? '', /Clear the investigation history of Demo tenant .*\d+ addresses, \d+ with your verdict or note/);
      assert.ok(historyGroup(api), 'dismissed: kept');
      ui.respond = (m) => m.actions.find((a) => a === 'Clear History');
      assert.ok((await vscode.commands.executeCommand<number>('ipInvestigator.history.clear')) >= 2);
    });
    assert.equal(historyGroup(api), undefined);
    assert.deepEqual(api.surfaces().machines.filter((n) => n.id !== 'triage'), []);
    await api.restoreState();
    assert.equal(historyGroup(api), undefined, 'gone from storage too');
  });
});
