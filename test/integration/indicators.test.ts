// Indicators in the real extension host. On the demo tenant: "Add Indicator…" for the C2 address through the form
// and one confirmation, the hover line, the history, removal, a bulk add for triage rows. On a tenant this suite runs
// (environment tokens): a declined confirmation sends nothing, and with only read permissions nothing is offered or
// sent, as the simulator's request log shows.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { SingleWrite } from '../../src/core/indicators/indicatorWrites';
import type { BulkResult } from '../../src/features/indicators/indicatorFlows';
import type { TriageReport } from '../../src/shared/triageModel';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_INDICATOR_IPS, DEMO_RARE_IPS } from '../../src/simulator/story';
import { ALL_PERMISSIONS, READ_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';
import { waitFor, workspaceFolder } from './helpers';
import { extensionApi, hoverMarkdown, hoverUntil, logText, positionOf, showDocument, unescapeMarkdown, withInput, withUserSettings, type ScriptedInput } from './surfaceHelpers';

/** Accepts the form as prefilled and the confirmation's action. */
function acceptAll(ui: ScriptedInput): void {
  ui.picks.push((items) => items.find((i) => i.label.includes('Create indicator') || i.label.includes('Update indicator')));
  ui.respond = (m) => (m.level === 'modal' ? m.actions[0] : undefined);
}

suite('Indicators (demo tenant)', () => {
  let api: ExtensionApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
  });

  test('the commands are registered; the bulk ones are hidden from the palette', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['addIndicator', 'removeIndicator', 'expireIndicator', 'addIndicatorsForAddresses', 'removeIndicatorsForAddresses', 'showIndicatorHistory']) {
      assert.ok(commands.includes(`ipInvestigator.${id}`), id);
    }
  });

  test('the hover says what the tenant has for an address (the story audits its scanner)', async function () {
    this.timeout(30_000);
    const doc = (await showDocument(`2026-01-01T00:00:00Z deny tcp ${DEMO_INDICATOR_IPS.audited}:22`)).document;
    const md = unescapeMarkdown(await hoverUntil(doc, positionOf(doc, DEMO_INDICATOR_IPS.audited, 2), /by indicator/));
    assert.match(md, /\$\(shield\) Audited by indicator 'Internet scanner probing web-prd-01', expires \d{4}-\d\d-\d\d, for 1 device group/);
    assert.match(md, /\[Update indicator…\]\(command:ipInvestigator\.addIndicator\?/);
  });

  test('Add Indicator… for the C2: the form, one confirmation naming it, the write in the hover, the log and the history; then removed', async function () {
    this.timeout(60_000);
    const added = await withInput(api, async (ui) => {
      acceptAll(ui);
      const w = await vscode.commands.executeCommand<SingleWrite | undefined>('ipInvestigator.addIndicator', { ip: '198[.]51[.]100[.]23' });
      const modal = ui.messages.find((m) => m.level === 'modal');
      assert.ok(modal, 'a modal confirmation');
      assert.match(modal.message, /^Block 198\.51\.100\.23 for all devices until \d{4}-\d\d-\d\d \d\d:\d\d UTC, with an alert\?$/);
      assert.deepEqual(modal.actions, ['Block']);
      assert.match(modal.detail ?? '', /Tenant: the demo tenant/);
      assert.match(ui.messages.at(-1)?.message ?? '', /^Created: Block 198\.51\.100\.23 .* \(indicator \d+\)\.$/);
      return w;
    });
    assert.equal(added?.outcome, 'created');
    assert.equal(added?.ip, DEMO_C2_IP);
    assert.equal(added?.requestIds.length, 1);

    const doc = (await showDocument(`peer ${DEMO_C2_IP}:443`)).document;
    const md = unescapeMarkdown(await hoverUntil(doc, positionOf(doc, DEMO_C2_IP, 2), /Blocked by indicator/));
    assert.match(md, /\$\(shield\) Blocked by indicator 'Investigated address 198\.51\.100\.23', expires \d{4}-\d\d-\d\d/);
    const log = await logText(/Indicator write: Created Block 198\.51\.100\.23/);
    assert.ok(log.includes(`request ids ${added?.requestIds[0] ?? 'x'}`), 'the log has the request id');
    assert.ok(!/Bearer|eyJ/.test(log), 'no token in the log');
    const history = unescapeMarkdown(await vscode.commands.executeCommand<string>('ipInvestigator.showIndicatorHistory'));
    assert.match(history, /\| Created \(demo tenant\) \| 198\.51\.100\.23 \| Block \|/);
    assert.ok(history.includes(added?.requestIds[0] ?? 'x'));

    const removed = await withInput(api, async (ui) => {
      ui.respond = (m) => (m.level === 'modal' ? m.actions[0] : undefined);
      const w = await vscode.commands.executeCommand<SingleWrite | undefined>('ipInvestigator.removeIndicator', { ip: DEMO_C2_IP });
      assert.match(ui.messages.find((m) => m.level === 'modal')?.message ?? '', /^Remove the Block indicator of 198\.51\.100\.23\?$/);
      return w;
    });
    assert.equal(removed?.outcome, 'removed');
    const after = unescapeMarkdown((await hoverMarkdown(doc, positionOf(doc, DEMO_C2_IP, 2))).value);
    assert.match(after, /No indicator for this address/);
  });

  test('internal and non-host addresses are refused before the form, with the reason', async () => {
    await withInput(api, async (ui) => {
      for (const [ip, reason] of [
        ['10.248.240.38', /internal address \(private\): Defender takes indicators for external addresses only/],
        ['224.0.0.251', /not a single host/],
      ] as const) {
        const r = await vscode.commands.executeCommand('ipInvestigator.addIndicator', { ip });
        assert.equal(r, undefined);
        await waitFor('the warning', () => ui.messages.find((m) => m.level === 'warning' && reason.test(m.message)));
      }
      assert.equal(ui.prompts.length, 0, 'no form was shown');
    });
  });

  test('bulk from triage rows: one form, one confirmation, the import route; the triage column shows the indicators', async function () {
    this.timeout(90_000);
    const file = path.join(workspaceFolder().uri.fsPath, 'firewall.log');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    const report = await vscode.commands.executeCommand<TriageReport>('ipInvestigator.triageFile');
    const rare = [DEMO_RARE_IPS.scanner, DEMO_RARE_IPS.exfiltration].filter((ip) => report.entries.some((e) => e.ip === ip));
    assert.ok(rare.length >= 1, 'the sample has the rare addresses');
    const scanner = api.triage().entries.find((e) => e.ip === DEMO_RARE_IPS.scanner);
    assert.equal(scanner?.indicator?.action, 'Audit', 'the triage column shows the story\'s indicator (one list query)');
    const result = await withInput(api, async (ui) => {
      acceptAll(ui);
      const r = await vscode.commands.executeCommand<BulkResult | undefined>('ipInvestigator.addIndicatorsForAddresses', { ips: [...rare, '10.248.240.38'], source: 'firewall.log', descriptions: Object.fromEntries(rare.map((ip) => [ip, `Triage of firewall.log: ${ip}`])) });
      const modal = ui.messages.find((m) => m.level === 'modal');
      assert.match(modal?.message ?? '', new RegExp(`^Block ${rare.length} addresses for all devices until .*\\?$`));
      assert.match(modal?.detail ?? '', /refused before any request: 10\.248\.240\.38 \(10\.248\.240\.38 is an internal address/);
      return r;
    });
    assert.ok(result);
    assert.equal(result.refused, 1);
    assert.deepEqual(result.report.batches.map((b) => b.outcome), ['sent']);
    assert.ok(result.report.results.every((r) => r.outcome === 'created' || r.outcome === 'updated'), JSON.stringify(result.report.results));
    await waitFor('the triage column to show Block', () => rare.every((ip) => api.triage().entries.find((e) => e.ip === ip)?.indicator?.action === 'Block'), 15_000);
    // Leave the demo tenant as the other suites expect it.
    await withInput(api, async (ui) => {
      ui.respond = (m) => (m.level === 'modal' ? m.actions[0] : undefined);
      await vscode.commands.executeCommand('ipInvestigator.removeIndicatorsForAddresses', { ips: rare });
    });
    await vscode.commands.executeCommand('ipInvestigator.clearTriage');
  });
});

suite('Indicators on a tenant (environment tokens): nothing is sent unless confirmed and allowed', () => {
  let api: ExtensionApi;
  let full: SimulatorHandle;
  let readOnly: SimulatorHandle;
  const saved = { defender: process.env.DEFENDER_ACCESS_TOKEN, graph: process.env.GRAPH_ACCESS_TOKEN };
  const setTokens = (permissions: readonly string[]) => {
    process.env.DEFENDER_ACCESS_TOKEN = issueSimulatorToken({ audience: 'defender', permissions });
    process.env.GRAPH_ACCESS_TOKEN = issueSimulatorToken({ audience: 'graph', permissions });
  };
  const writes = (s: SimulatorHandle) => s.requests().filter((r) => r.method !== 'GET');

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    [full, readOnly] = await Promise.all([startSimulator({ host: '127.0.0.1', port: 0 }), startSimulator({ host: '127.0.0.1', port: 0 })]);
  });

  suiteTeardown(async () => {
    for (const [k, v] of [['DEFENDER_ACCESS_TOKEN', saved.defender], ['GRAPH_ACCESS_TOKEN', saved.graph]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await Promise.all([full?.close(), readOnly?.close()]);
  });

  async function onTenant(sim: SimulatorHandle, permissions: readonly string[], body: () => Promise<void>): Promise<void> {
    setTokens(permissions);
    await withUserSettings({ 'ipInvestigator.mode': 'environment', 'ipInvestigator.advanced.apiUrl': sim.apiBaseUrl, 'ipInvestigator.advanced.graphUrl': sim.graphBaseUrl }, body);
  }

  test('a declined confirmation sends nothing; a documentation address is refused on a real tenant', async function () {
    this.timeout(60_000);
    await onTenant(full, ALL_PERMISSIONS, async () => {
      full.resetRequests();
      await withInput(api, async (ui) => {
        ui.picks.push((items) => items.find((i) => i.label.includes('Create indicator')));
        ui.respond = () => undefined; // the modal is dismissed
        const r = await vscode.commands.executeCommand('ipInvestigator.addIndicator', { ip: '8.8.4.4' });
        assert.equal(r, undefined);
        assert.match(ui.messages.find((m) => m.level === 'modal')?.message ?? '', /^Block 8\.8\.4\.4 for all devices until/);
        const doc = await vscode.commands.executeCommand('ipInvestigator.addIndicator', { ip: DEMO_C2_IP });
        assert.equal(doc, undefined);
        await waitFor('the refusal', () => ui.messages.find((m) => m.level === 'warning' && /sample or a typo/.test(m.message)));
      });
      assert.deepEqual(writes(full).map((r) => `${r.method} ${r.path}`), [], 'no write reached the tenant');
      assert.ok(full.requests().some((r) => r.path.startsWith('/api/indicators?')), 'the form started from what the tenant has');
    });
  });

  test('with only read permissions the write is not offered: the reason names Ti.ReadWrite, and nothing is sent', async function () {
    this.timeout(60_000);
    await onTenant(readOnly, READ_PERMISSIONS, async () => {
      readOnly.resetRequests();
      await withInput(api, async (ui) => {
        await vscode.commands.executeCommand('ipInvestigator.addIndicator', { ip: '8.8.4.4' });
        const m = await waitFor('the error', () => ui.messages.find((x) => x.level === 'error'));
        assert.match(m.message, /Writing indicators needs Ti\.ReadWrite; sign in with an app or role that has it\./);
        assert.ok(m.actions.includes('Sign In'));
        assert.equal(ui.prompts.length, 0, 'no form');
      });
      assert.deepEqual(readOnly.requests().filter((r) => r.path.startsWith('/api/indicators')), [], 'not even a list');
      const doc = (await showDocument(`peer 8.8.4.4`)).document;
      const md = unescapeMarkdown(await hoverUntil(doc, positionOf(doc, '8.8.4.4', 2), /Machines observed|not observed/));
      assert.ok(!/indicator/i.test(md), 'no indicator line or link without the permission');
    });
  });
});
