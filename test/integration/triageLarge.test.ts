// A large open log (above the size from which the editor locates a document in slices, visible lines first): after
// "Triage All IPs in File" every address of the document is decorated by its verdict, and after an edit at the top
// the decorations follow the text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TriageReport } from '../../src/shared/triageModel';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { waitFor, workspaceFolder } from './helpers';
import { extensionApi } from './surfaceHelpers';

suite('Bulk triage of a large open log', () => {
  let api: ExtensionApi;
  const file = path.join(workspaceFolder().uri.fsPath, 'ipinv-large-firewall.log');

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
    // samples/firewall.log over and over: some 2.5 MB, past the 2 million characters of the sliced path.
    const sample = fs.readFileSync(path.join(workspaceFolder().uri.fsPath, 'firewall.log'), 'utf8');
    fs.writeFileSync(file, sample.endsWith('\n') ? sample.repeat(Math.ceil(2_500_000 / sample.length)) : `${sample}\n`.repeat(Math.ceil(2_500_000 / sample.length)));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (doc?.isDirty) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === file);
    await vscode.window.tabGroups.close(tabs);
    fs.rmSync(file, { force: true });
  });

  test('every address of the document is decorated, and the decorations follow an edit', async function () {
    this.timeout(90_000);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.ok(doc.getText().length > 2_000_000, 'large enough for the sliced path');
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile');
    assert.ok(report && !report.cancelled);
    // Occurrences are capped per address, so the decorations come from scanning the document: every match counts.
    const expected = { alerts: 0, seen: 0, 'not-seen': 0, internal: 0 };
    for (const e of report.entries) if (e.verdict in expected) expected[e.verdict as keyof typeof expected] += e.occurrenceCount;
    assert.ok(expected.alerts > 200 && expected.internal > 200, JSON.stringify(expected));
    const uri = doc.uri.toString();
    const whole = await waitFor('the whole document decorated', () => {
      const c = api.triage().decorations[uri];
      return c && c.alerts === expected.alerts ? c : undefined;
    });
    assert.deepEqual(whole, expected);

    await editor.edit((b) => b.insert(new vscode.Position(0, 0), `# pasted: ${DEMO_C2_IP}\n`));
    const after = await waitFor('decorations after the edit', () => {
      const c = api.triage().decorations[uri];
      return c && c.alerts === expected.alerts + 1 ? c : undefined;
    });
    assert.deepEqual(after, { ...expected, alerts: expected.alerts + 1 });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
