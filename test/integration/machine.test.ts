// The machine view in the real extension host on the demo tenant: "Investigate Machine…" by id, by a typed name
// (validated as you type), by an ambiguous prefix (offered to choose, never guessed), by an internal address at a time;
// one panel per machine; the Machines view's "Talked to" children; the triage of a machine's addresses; the hover link.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { RenderedNode } from '../../src/features/tree/machinesTree';
import type { MachineIdentity } from '../../src/shared/machineProtocol';
import { DEMO_C2_IP, DEMO_HOLDER_ID, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, DEMO_STAGE2_IP, buildDemoStory, demoInternalHolderAt } from '../../src/simulator/story';
import { waitFor } from './helpers';
import { extensionApi, hoverUntil, positionOf, showDocument, typed, unescapeMarkdown, withInput } from './surfaceHelpers';

const machineTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && /ipInvestigator\.machine$/.test(t.input.viewType));

async function closeMachinePanels(): Promise<void> {
  await vscode.window.tabGroups.close(machineTabs());
}

suite('Machine view', () => {
  let api: ExtensionApi;
  const story = buildDemoStory({ now: Date.now() });
  const idOf = (name: string): string => {
    const m = story.machineByName.get(name);
    assert.ok(m, name);
    return m.id;
  };

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
    await closeMachinePanels();
  });

  suiteTeardown(async () => {
    await closeMachinePanels();
  });

  test('by id: one panel per machine, titled by its name once the overview arrives; again reveals the same panel', async () => {
    const opened = await vscode.commands.executeCommand<MachineIdentity>('ipInvestigator.investigateMachine', { machineId: DEMO_HOLDER_ID.toUpperCase() });
    assert.deepEqual(opened, { machineId: DEMO_HOLDER_ID, lookback: '7d' });
    const tab = await waitFor('the machine panel titled by its name', () => machineTabs().find((t) => t.label === 'Machine fin-ws-017'), 30_000);
    assert.ok(tab);
    const again = await vscode.commands.executeCommand<MachineIdentity>('ipInvestigator.investigateMachine', { machineId: DEMO_HOLDER_ID, lookback: '30d' });
    assert.deepEqual(again, { machineId: DEMO_HOLDER_ID, lookback: '30d' }, 'the same panel, with the new period');
    assert.equal(machineTabs().length, 1);
    assert.deepEqual(api.machinePanels(), [{ machineId: DEMO_HOLDER_ID, lookback: '30d' }]);
  });

  test('typed: validated as you type (injection, a public address), a short name opens its machine', async () => {
    await closeMachinePanels();
    const opened = await withInput(api, async (ui) => {
      ui.inputs.push(
        typed('fin-ws-017', {
          '': /Enter a machine id/,
          "x' or 1 eq 1": /not a machine id/,
          [DEMO_C2_IP]: /not an internal address/,
          '<img src=x>': /not a machine id/,
          'fin-ws-017': undefined,
          [DEMO_HOLDER_ID]: undefined,
          [DEMO_INTERNAL_IP]: undefined,
        }),
      );
      return vscode.commands.executeCommand<MachineIdentity>('ipInvestigator.investigateMachine');
    });
    assert.equal(opened?.machineId, DEMO_HOLDER_ID);
  });

  test('an ambiguous prefix offers the candidates (none guessed); the one picked opens', async () => {
    const wanted = idOf('fin-ws-013.corp.contoso.com');
    const offered: string[] = [];
    const opened = await withInput(api, async (ui) => {
      ui.inputs.push('fin-ws-01');
      ui.picks.push((items) => {
        offered.push(...items.map((i) => i.label));
        return items.find((i) => i.description === wanted);
      });
      return vscode.commands.executeCommand<MachineIdentity>('ipInvestigator.investigateMachine');
    });
    assert.equal(offered.length, 10);
    assert.ok(offered.every((l) => /^fin-ws-01\d\.corp\.contoso\.com$/.test(l)), offered.join(', '));
    assert.equal(opened?.machineId, wanted);
    // Dismissing the pick opens nothing and says nothing.
    const dismissed = await withInput(api, async (ui) => {
      ui.inputs.push('fin-ws-01');
      ui.picks.push(() => undefined);
      const r = await vscode.commands.executeCommand('ipInvestigator.investigateMachine');
      assert.deepEqual(ui.messages, []);
      return r;
    });
    assert.equal(dismissed, undefined);
  });

  test('an internal address and a time find the machine that held it; an unknown name says so', async () => {
    const opened = await withInput(api, async (ui) => {
      ui.inputs.push(DEMO_INTERNAL_IP, typed(demoInternalHolderAt(Date.now()).toISOString(), { '45d ago': /more than 30 days ago/ }));
      return vscode.commands.executeCommand<MachineIdentity>('ipInvestigator.investigateMachine');
    });
    assert.equal(opened?.machineId, DEMO_HOLDER_ID);
    await withInput(api, async (ui) => {
      const r = await vscode.commands.executeCommand('ipInvestigator.investigateMachine', { name: 'no-such-host' });
      assert.equal(r, undefined);
      assert.match(ui.messages.at(-1)?.message ?? '', /No machine's name starts with 'no-such-host'/);
    });
  });

  test('the Machines view: a machine under an address gets "Talked to", its addresses rarest first', async () => {
    await vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip: DEMO_C2_IP });
    // The machine panel's network section feeds the group (the diagnostics render never starts a lookup itself).
    await vscode.commands.executeCommand('ipInvestigator.investigateMachine', { machineId: DEMO_HOLDER_ID, lookback: '7d' });
    const holder = (): RenderedNode | undefined =>
      api
        .surfaces()
        .machines.find((n) => n.label === DEMO_C2_IP)
        ?.children?.find((c) => c.id === `machine:${DEMO_C2_IP}:${DEMO_HOLDER_ID}`);
    const group = await waitFor(
      'the holder\'s "Talked to" group with addresses',
      () => {
        const g = holder()?.children?.find((c) => c.label === 'Talked to');
        return g?.children && g.children.length > 0 && g.children[0].label === DEMO_STAGE2_IP ? g : undefined;
      },
      45_000,
    );
    assert.match(group.description ?? '', /^\d+$/);
    const first = group.children?.[0];
    assert.match(first?.description ?? '', /^only this machine · \d+ connections?/);
    assert.match(first?.contextValue ?? '', /\bremoteAddress\b/);
    assert.ok(group.children?.some((c) => c.label === DEMO_C2_IP), 'the C2 address itself is among them');
    assert.match(holder()?.contextValue ?? '', /\bmachine\b/, 'the machine node offers "Investigate Machine…"');
    assert.equal(holder()?.label, DEMO_HOLDER_NAME);
  });

  test('"Triage these addresses": a list of addresses triaged like a file; anything else refused before it starts', async () => {
    const report = await vscode.commands.executeCommand<{ counts: { addresses: number } } | undefined>('ipInvestigator.triageAddresses', {
      addresses: [DEMO_STAGE2_IP, DEMO_C2_IP, '10.20.0.10', DEMO_C2_IP],
      source: 'remote addresses of fin-ws-017',
    });
    assert.equal(report?.counts.addresses, 3);
    const snap = api.triage();
    assert.equal(snap.source, 'remote addresses of fin-ws-017');
    assert.ok(snap.entries.some((e) => e.ip === DEMO_C2_IP && e.verdict === 'alerts'));
    await withInput(api, async (ui) => {
      const r = await vscode.commands.executeCommand('ipInvestigator.triageAddresses', { addresses: ['1.2.3.4', 'x; rm -rf /'] });
      assert.equal(r, undefined);
      await waitFor('the warning', () => ui.messages.find((m) => m.level === 'warning'));
      assert.match(ui.messages[0].message, /is not an IP address/);
    });
  });

  test('the hover of an internal address at a line time offers "Open machine" next to its holder', async () => {
    const at = demoInternalHolderAt(Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const doc = (await showDocument(`${at} dhcp ACK ${DEMO_INTERNAL_IP} to fin-ws-017`)).document;
    const md = await hoverUntil(doc, positionOf(doc, DEMO_INTERNAL_IP, 2), /Held this address at/);
    const link = /\[Open machine\]\((command:ipInvestigator\.investigateMachine\?[^)\s]+)/.exec(md);
    assert.ok(link, unescapeMarkdown(md));
    const args = JSON.parse(decodeURIComponent(link[1].slice(link[1].indexOf('?') + 1))) as { machineId: string };
    assert.equal(args.machineId, DEMO_HOLDER_ID);
    // The link's argument works as the command's argument.
    const opened = await vscode.commands.executeCommand<MachineIdentity>('ipInvestigator.investigateMachine', args);
    assert.equal(opened?.machineId, DEMO_HOLDER_ID);
  });
});
