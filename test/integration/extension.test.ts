// The extension in a real extension host: it is there, activates, registers "Show Log", and its log channel holds the
// activation line. The first test proves the suite runs in VS Code itself (version and host), not in a mock.
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, extensionId, waitFor, workspaceFolder } from './helpers';

const uiKinds: Record<string, vscode.UIKind> = { web: vscode.UIKind.Web, desktop: vscode.UIKind.Desktop };

suite('Extension host', () => {
  test('is a real VS Code extension host of the kind the harness started', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    // The runners say what they started (F5 debugging sets nothing): code-server 4.100.3 is VS Code 1.100.3 in a web UI
    // with the "server-distro" host; test-electron is the desktop app.
    const expectedVersion = process.env.IPINV_EXPECT_VSCODE_VERSION;
    if (expectedVersion !== undefined) assert.ok(vscode.version.startsWith(expectedVersion), `VS Code ${vscode.version}, expected ${expectedVersion}`);
    const expectedUi = process.env.IPINV_EXPECT_UI_KIND;
    if (expectedUi !== undefined) assert.equal(vscode.env.uiKind, uiKinds[expectedUi], `uiKind ${vscode.env.uiKind}`);
    const expectedHost = process.env.IPINV_EXPECT_APP_HOST;
    if (expectedHost !== undefined) assert.equal(vscode.env.appHost, expectedHost);
    assert.ok(workspaceFolder().uri.fsPath.length > 0);
  });
});

suite('Activation', () => {
  test('the extension is installed and activates', async () => {
    const extension = await activateExtension();
    assert.equal(extension.id.toLowerCase(), extensionId.toLowerCase());
    assert.equal(extension.isActive, true);
  });

  test('ipInvestigator.showLog is registered', async () => {
    await activateExtension();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('ipInvestigator.showLog'), 'ipInvestigator.showLog is not registered');
  });

  test('"Show Log" runs and reveals the "Defender IP Investigator" log channel holding the activation line', async () => {
    await activateExtension();
    await vscode.commands.executeCommand('ipInvestigator.showLog');
    // A shown output channel is a text document of scheme "output" named `<extension id>.<channel name>`.
    const channel = await waitFor('the log channel document', () =>
      vscode.workspace.textDocuments.find(
        (doc) => doc.uri.scheme === 'output' && doc.uri.path.toLowerCase() === `${extensionId}.Defender IP Investigator`.toLowerCase() && doc.getText().includes('Activated in'),
      ),
    );
    assert.match(channel.getText(), /\[info\] Activated in \d+(\.\d+)? ms/);
  });
});
