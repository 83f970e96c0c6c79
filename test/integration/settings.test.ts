// Settings in the real extension host: changes apply without a reload, a workspace cannot change the identity or
// endpoints, and the client secret is never written to settings or to the log.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { Investigation } from '../../src/shared/investigation';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { waitFor, workspaceFolder } from './helpers';
import { extensionApi, hoverMarkdown, hoverUntil, logText, positionOf, showDocument, typed, unescapeMarkdown, withInput, withUserSettings } from './surfaceHelpers';

suite('Settings', () => {
  let api: ExtensionApi;
  let doc: vscode.TextDocument;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    doc = (await showDocument(`peer ${DEMO_C2_IP} port 443`, 'plaintext')).document;
  });

  test('hover.enabled, hover.languages and lookback apply at once, without a reload', async () => {
    const at = positionOf(doc, DEMO_C2_IP, 2);
    assert.notEqual((await hoverMarkdown(doc, at)).value, '');
    await withUserSettings({ 'ipInvestigator.hover.enabled': false }, async () => {
      assert.equal((await hoverMarkdown(doc, at)).value, '');
    });
    await withUserSettings({ 'ipInvestigator.hover.languages': ['log'] }, async () => {
      assert.equal((await hoverMarkdown(doc, at)).value, '', 'plaintext is no longer in the list');
    });
    assert.notEqual((await hoverMarkdown(doc, at)).value, '');
    await withUserSettings({ 'ipInvestigator.lookback': '30d' }, async () => {
      await hoverUntil(doc, at, /In your organisation \(30 d\)/);
    });
  });

  test('a workspace cannot switch the identity or redirect tokens; its other settings still apply', async function () {
    this.timeout(60_000);
    const dir = path.join(workspaceFolder().uri.fsPath, '.vscode');
    const file = path.join(dir, 'settings.json');
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({
        'ipInvestigator.mode': 'delegated',
        'ipInvestigator.tenantId': 'evil.example.com',
        'ipInvestigator.clientId': '11111111-2222-4333-8444-555555555555',
        'ipInvestigator.cloud': 'gcc-high',
        'ipInvestigator.advanced.apiUrl': 'https://api.evil.example',
        'ipInvestigator.advanced.authorityHost': 'https://login.evil.example',
        'ipInvestigator.lookback': '1d',
      }),
    );
    try {
      await waitFor('the workspace settings to be read', () => vscode.workspace.getConfiguration('ipInvestigator').get('lookback') === '1d');
      assert.ok(api.surfaces().statusBar.includes('Demo tenant: simulated data'), api.surfaces().statusBar);
      const inv = await vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp', { ip: DEMO_C2_IP });
      assert.equal(inv.lookback, '1d', 'the workspace look-back applies');
      assert.ok((inv.stats?.prevalence ?? 0) > 0, 'lookups still answered by the demo tenant');
      const md = unescapeMarkdown(await hoverUntil(doc, positionOf(doc, DEMO_C2_IP, 2), /In your organisation \(1 d\)/));
      assert.ok(md.includes('Demo tenant: simulated data'));
      await withInput(api, async (ui) => {
        await vscode.commands.executeCommand('ipInvestigator.openInPortal', { ip: DEMO_C2_IP });
        assert.ok(ui.external[0]?.startsWith('https://security.microsoft.com/'), `portal of the user's cloud: ${ui.external[0]}`);
      });
    } finally {
      if (before === undefined) fs.rmSync(file);
      else fs.writeFileSync(file, before);
      await waitFor('the workspace settings to be gone', () => vscode.workspace.getConfiguration('ipInvestigator').get('lookback') === '7d');
    }
  });

  test('the client secret goes to SecretStorage only: never to settings, the log, or the error shown', async function () {
    this.timeout(60_000);
    const secret = 'Zq8~sECRET-value.That_Must.Not.Leak-42';
    const reset = {
      'ipInvestigator.mode': undefined,
      'ipInvestigator.tenantId': undefined,
      'ipInvestigator.clientId': undefined,
      'ipInvestigator.certificatePath': undefined,
      // Nothing listens there: the sign-in fails at once, on loopback, after the secret was taken.
      'ipInvestigator.advanced.authorityHost': 'https://127.0.0.1:9',
    };
    await withUserSettings(reset, async () => {
      await withInput(api, async (ui) => {
        ui.picks.push((items) => items.find((i) => i.label.includes('client secret')));
        ui.inputs.push(typed('11111111-2222-4333-8444-555555555555'), typed('22222222-3333-4444-8555-666666666666'), (o) => {
          assert.equal(o.password, true, 'a password input box');
          return secret;
        });
        await vscode.commands.executeCommand('ipInvestigator.signIn');
        await waitFor('the sign-in error', () => ui.messages.find((m) => m.level === 'error'));
        const error = ui.messages.find((m) => m.level === 'error')!;
        assert.ok(!error.message.includes(secret));
        assert.ok(error.message.length <= 300 && !/\n\s+at /.test(error.message), 'short, no stack');
        assert.ok(error.actions.includes('Open Log'));
      });
      const config = vscode.workspace.getConfiguration('ipInvestigator');
      assert.equal(config.inspect('mode')?.globalValue, 'application');
      assert.ok(!JSON.stringify(config).includes(secret), 'not in any setting');
      const userSettings = path.join(api.globalStorageUri.fsPath, '..', '..', 'settings.json');
      if (api.globalStorageUri.scheme === 'file' && fs.existsSync(userSettings)) assert.ok(!fs.readFileSync(userSettings, 'utf8').includes(secret), 'not in settings.json');
      const workspaceSettings = path.join(workspaceFolder().uri.fsPath, '.vscode', 'settings.json');
      if (fs.existsSync(workspaceSettings)) assert.ok(!fs.readFileSync(workspaceSettings, 'utf8').includes(secret));
      const log = await logText(/ipInvestigator\.signIn failed/);
      assert.ok(!log.includes(secret), 'not in the log');
      await withInput(api, () => Promise.resolve(vscode.commands.executeCommand('ipInvestigator.signOut')));
      assert.equal(vscode.workspace.getConfiguration('ipInvestigator').inspect('mode')?.globalValue, 'demo');
    });
  });
});
