// The hover against a slow real tenant (environment tokens, a simulated tenant this suite runs with hunting delayed
// past the hover's budget): the first hover of a fresh connection is not cut short by its own first token, says what
// is still running, and the next hover shows the rest from the finished lookup without a new request.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';
import { waitFor } from './helpers';
import { extensionApi, hoverMarkdown, positionOf, showDocument, unescapeMarkdown, withUserSettings } from './surfaceHelpers';

const HUNTING_DELAY_MS = 3000;

suite('Hover against a slow tenant', () => {
  let api: ExtensionApi;
  let sim: SimulatorHandle;
  const saved = { defender: process.env.DEFENDER_ACCESS_TOKEN, graph: process.env.GRAPH_ACCESS_TOKEN };

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    // Panels left open by earlier suites would fetch again from this tenant when the settings switch to it.
    // (Webview tabs only: closing the untitled documents of other suites would ask whether to save them.)
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    await vscode.window.tabGroups.close(panels);
    sim = await startSimulator({ host: '127.0.0.1', port: 0, faults: [{ kind: 'latency', family: 'hunting', delayMs: HUNTING_DELAY_MS }] });
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

  test('the first hover says what is still running; the next one shows it without asking again', async function () {
    this.timeout(60_000);
    const settings = { 'ipInvestigator.mode': 'environment', 'ipInvestigator.advanced.apiUrl': sim.apiBaseUrl, 'ipInvestigator.advanced.graphUrl': sim.graphBaseUrl };
    await withUserSettings(settings, async () => {
      await waitFor('the environment mode', () => (api.surfaces().statusBar.includes('Demo') ? undefined : true));
      // A fresh connection: its first token arrives during this hover.
      const doc = (await showDocument(`2026-11-30T10:00:00Z fw ALLOW tcp 10.1.1.1:51522 -> ${DEMO_C2_IP}:443`)).document;
      const position = positionOf(doc, DEMO_C2_IP, 4);

      const first = unescapeMarkdown((await hoverMarkdown(doc, position)).value);
      assert.match(first, /In your organisation \(\d+ d\):\*\* \d+ machines?/, `prevalence within the budget:\n${first}`);
      assert.match(first, /\*\*Alerts:\*\* \d+/, first);
      assert.match(first, /Still looking up machines: hover again to see the rest\./, first);
      assert.doesNotMatch(first, /Lookup failed|cancel/i, first);

      // The slow hunting query answers; the lookup that the first hover started is the one that receives it.
      await waitFor('the hunting answer', () => (sim.requests().some((r) => r.family === 'hunting' && r.status === 200) ? true : undefined), 20_000);
      const before = sim.requests().length;
      // One more hover, as a user moving back onto the address: it waits (within its budget) for the same lookup.
      const second = unescapeMarkdown((await hoverMarkdown(doc, position)).value);
      assert.match(second, /\*\*Machines observed:\*\* \d+/);
      assert.doesNotMatch(second, /Still looking up/);
      // The lookup's own follow-up calls (details of the machines found) may land meanwhile; nothing is asked twice.
      const paths = sim.requests().map((r) => `${r.method} ${r.path}`);
      assert.equal(new Set(paths).size, paths.length, `no request repeated:\n${paths.join('\n')}`);
      assert.ok(paths.length >= before);
      const stats = paths.filter((p) => p.includes(`/ips/${DEMO_C2_IP}/stats`));
      assert.equal(stats.length, 1, 'one lookup: the first token did not abort and restart it');
    });
  });
});
