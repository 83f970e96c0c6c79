// Demo mode end to end with nothing configured (every surface says so), the activation time, and the switch to a real
// tenant and back: environment tokens against a second simulated tenant that this suite runs, as a customer's would be.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { Investigation } from '../../src/shared/investigation';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';
import { waitFor } from './helpers';
import { extensionApi, hoverUntil, positionOf, showDocument, unescapeMarkdown, withInput, withUserSettings } from './surfaceHelpers';

const NOTICE = 'Demo tenant: simulated data';

suite('Demo mode', () => {
  let api: ExtensionApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
  });

  test('activates quickly (measured)', function () {
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0);
    // Reported, not asserted: the harness prints the title.
    this.test!.title += ` [activation ${api.activationMs.toFixed(1)} ms]`;
  });

  test('with nothing configured every surface says "Demo tenant: simulated data"', async () => {
    const mode = vscode.workspace.getConfiguration('ipInvestigator').inspect('mode');
    assert.equal(mode?.globalValue, undefined, 'nothing configured');
    const s = api.surfaces();
    assert.ok(s.statusBar.includes(NOTICE), s.statusBar);
    assert.equal(s.machinesDescription, NOTICE);
    const doc = (await showDocument(`2026-01-01T00:00:00Z ${DEMO_C2_IP}`)).document;
    const md = await hoverUntil(doc, positionOf(doc, DEMO_C2_IP, 2), /Machines observed/);
    assert.ok(unescapeMarkdown(md).includes(NOTICE));
  });

  test('Investigate opens the investigation panel for the address and the Machines view lists its machines', async () => {
    const inv = await vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp', { ip: DEMO_C2_IP });
    const tab = await waitFor('the investigation panel', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.includes(DEMO_C2_IP)),
    );
    assert.match((tab.input as vscode.TabInputWebview).viewType, /ipInvestigator\.investigation$/);
    const node = api.surfaces().machines.find((n) => n.label === DEMO_C2_IP);
    assert.equal(node?.children?.filter((c) => c.id.startsWith('machine:')).length, inv.machines?.length);
  });

  suite('switching to a tenant and back', () => {
    let sim: SimulatorHandle;
    const saved = { defender: process.env.DEFENDER_ACCESS_TOKEN, graph: process.env.GRAPH_ACCESS_TOKEN };

    suiteSetup(async () => {
      sim = await startSimulator({ host: '127.0.0.1', port: 0 });
      process.env.DEFENDER_ACCESS_TOKEN = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS });
      process.env.GRAPH_ACCESS_TOKEN = issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS });
    });

    suiteTeardown(async () => {
      for (const [k, v] of [['DEFENDER_ACCESS_TOKEN', saved.defender], ['GRAPH_ACCESS_TOKEN', saved.graph]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await sim.close();
    });

    test('Sign In (environment tokens) sends lookups to the tenant; Sign Out comes back to the demo tenant', async function () {
      this.timeout(60_000);
      const settings = { 'ipInvestigator.mode': undefined, 'ipInvestigator.advanced.apiUrl': sim.apiBaseUrl, 'ipInvestigator.advanced.graphUrl': sim.graphBaseUrl };
      await withUserSettings(settings, async () => {
        await withInput(api, async (ui) => {
          ui.picks.push((items) => items.find((i) => i.label.includes('environment')));
          const state = await vscode.commands.executeCommand<{ mode: string; signedIn: boolean; demo: boolean }>('ipInvestigator.signIn');
          assert.equal(state.mode, 'environment');
          assert.equal(state.signedIn, true);
          assert.equal(state.demo, false);
          assert.match(ui.messages.at(-1)?.message ?? '', /Signed in to Microsoft Defender/);
        });
        assert.ok(!api.surfaces().statusBar.includes(NOTICE), api.surfaces().statusBar);
        assert.equal(api.surfaces().machinesDescription, undefined);

        sim.resetRequests();
        const inv = await vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp', { ip: DEMO_C2_IP });
        assert.ok((inv.stats?.prevalence ?? 0) > 0);
        const calls = sim.requests();
        assert.ok(calls.some((r) => r.status === 200 && r.audience === 'defender'), 'the lookups reached this tenant with the environment token');
        const doc = (await showDocument(`peer ${DEMO_C2_IP}`)).document;
        const md = await hoverUntil(doc, positionOf(doc, DEMO_C2_IP, 2), /Machines observed/);
        assert.ok(!md.includes(NOTICE), 'no demo footer on a real tenant');

        await withInput(api, async (ui) => {
          await vscode.commands.executeCommand('ipInvestigator.signOut');
          assert.match(ui.messages.at(-1)?.message ?? '', /Signed out/);
        });
        assert.ok(api.surfaces().statusBar.includes(NOTICE));
      });
    });
  });
});
