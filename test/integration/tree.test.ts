// The Machines view after investigations, through the same provider calls the workbench makes, and its context-menu
// commands on real nodes.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { RenderedNode } from '../../src/features/tree/machinesTree';
import type { Investigation } from '../../src/shared/investigation';
import { DEMO_C2_IP, DEMO_HOLDER_ID, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, HOSTILE_STRINGS, demoInternalHolderAt } from '../../src/simulator/story';
import { extensionApi, withInput } from './surfaceHelpers';

function root(api: ExtensionApi, ip: string): RenderedNode {
  const node = api.surfaces().machines.find((n) => n.label === ip);
  assert.ok(node, `${ip} is listed`);
  return node;
}

/** The node argument VS Code passes to a view/item/context command: the element the provider returned. */
function elementOf(node: RenderedNode, ip: string): { id: string; ip: string; machineId?: string; kind: string } {
  const machineId = node.id.startsWith(`machine:${ip}:`) ? node.id.slice(`machine:${ip}:`.length) : undefined;
  return { id: node.id, ip, kind: machineId ? 'machine' : 'address', ...(machineId ? { machineId } : {}) };
}

suite('Machines view', () => {
  let api: ExtensionApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    // Panels left open by other suites refresh on their own; the order asserted here is that of this suite's commands.
    await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview));
    await vscode.commands.executeCommand('ipInvestigator.machines.clear');
  });

  test('after an investigation: the address on top, expanded, with its machines (OS, risk, health, last seen, events)', async () => {
    const inv = await vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp', { ip: DEMO_C2_IP });
    const top = api.surfaces().machines[0];
    assert.equal(top.label, DEMO_C2_IP);
    assert.equal(top.collapsible, 'expanded');
    assert.match(top.description ?? '', new RegExp(`^${inv.machines!.length} machines · 7 d`));
    assert.match(top.contextValue ?? '', /\baddress\b/);
    const machines = (top.children ?? []).filter((c) => c.id.startsWith('machine:'));
    assert.equal(machines.length, inv.machines!.length);
    const detailed = machines.filter((m) => /risk \w+/.test(m.description ?? ''));
    assert.ok(detailed.length > 0, 'machines with details show OS and risk');
    for (const m of detailed) {
      assert.match(m.description ?? '', /· (\d+ (min|h|d) ago|just now) · \d+ events?/);
      assert.match(m.icon ?? '', /^vm/);
      assert.match(m.contextValue ?? '', /\bmachine\b/);
    }
    const details = detailed[0].children ?? [];
    for (const label of ['OS', 'Risk', 'Health', 'Last seen', 'Events']) assert.ok(details.some((d) => d.label === label), `${label} detail`);
  });

  test('hostile machine names are plain labels and escaped tooltips', () => {
    const machines = root(api, DEMO_C2_IP).children ?? [];
    const hostile = machines.filter((m) => m.label.includes('<img') || m.label.includes('**bold**') || m.label.includes('$(codicon)'));
    assert.ok(hostile.length > 0, 'the demo story has hostile names');
    for (const m of hostile) {
      assert.ok(m.tooltip, 'tooltip');
      for (const raw of [HOSTILE_STRINGS.img, HOSTILE_STRINGS.commandLink, HOSTILE_STRINGS.codicon, HOSTILE_STRINGS.bold]) assert.ok(!m.tooltip.includes(raw), `raw ${raw}`);
      assert.ok(!m.label.includes('\u202E'), 'bidi override removed from the label');
    }
  });

  test('newest first: a second investigation goes on top and the first collapses', async () => {
    await vscode.commands.executeCommand('ipInvestigator.findMachinesByIp', { ip: DEMO_INTERNAL_IP, at: demoInternalHolderAt(Date.now()).toISOString() });
    const [first, second] = api.surfaces().machines;
    assert.equal(first.label, DEMO_INTERNAL_IP);
    assert.equal(first.collapsible, 'expanded');
    assert.equal(second.label, DEMO_C2_IP);
    assert.equal(second.collapsible, 'collapsed');
    const holder = first.children?.find((c) => c.id === `machine:${DEMO_INTERNAL_IP}:${DEMO_HOLDER_ID}`);
    assert.ok(holder, 'the machine that held the address');
    assert.equal(holder.label, DEMO_HOLDER_NAME);
    assert.match(holder.description ?? '', /held the address/);
  });

  test('context menu commands: copy name and id, investigate the last IP, open in portal, remove, clear', async () => {
    const holder = root(api, DEMO_INTERNAL_IP).children!.find((c) => c.id.endsWith(DEMO_HOLDER_ID))!;
    const element = elementOf(holder, DEMO_INTERNAL_IP);
    assert.equal(await vscode.commands.executeCommand('ipInvestigator.machines.copyName', element), DEMO_HOLDER_NAME);
    assert.equal(await vscode.env.clipboard.readText(), DEMO_HOLDER_NAME);
    assert.equal(await vscode.commands.executeCommand('ipInvestigator.machines.copyId', element), DEMO_HOLDER_ID);
    await withInput(api, async (ui) => {
      await vscode.commands.executeCommand('ipInvestigator.openInPortal', element);
      assert.deepEqual(ui.external, [`https://security.microsoft.com/machines/${DEMO_HOLDER_ID}/overview`]);
    });
    const last = await vscode.commands.executeCommand<Investigation>('ipInvestigator.machines.investigateLastIp', element);
    assert.ok(last, 'investigated the last IP');
    assert.equal(api.surfaces().machines[0].label, last.address.ip);

    assert.equal(await vscode.commands.executeCommand('ipInvestigator.machines.remove', elementOf(root(api, DEMO_C2_IP), DEMO_C2_IP)), true);
    assert.ok(!api.surfaces().machines.some((n) => n.label === DEMO_C2_IP));
    await vscode.commands.executeCommand('ipInvestigator.machines.clear');
    // The view's list is empty; what was investigated stays in the History group below it.
    assert.deepEqual(api.surfaces().machines.filter((n) => n.id !== 'history'), []);
    assert.ok(api.surfaces().machines.find((n) => n.id === 'history')?.children?.some((c) => c.label === DEMO_C2_IP), 'the history keeps the address');
  });

  test('Refresh asks again for every listed address and keeps the order', async () => {
    await vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip: DEMO_C2_IP });
    await vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip: '203.0.113.80' });
    assert.equal(await vscode.commands.executeCommand('ipInvestigator.machines.refresh'), 2);
    assert.deepEqual(
      api.surfaces().machines.filter((n) => n.id !== 'history').map((n) => n.label),
      ['203.0.113.80', DEMO_C2_IP],
    );
  });
});
