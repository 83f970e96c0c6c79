// Every command's happy path and its bad input, in the real extension host on the demo tenant. Prompts are scripted
// through the extension's API; validation is checked as the user would meet it, value by value.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { Investigation, MachinesAtTime } from '../../src/shared/investigation';
import { DEMO_C2_IP, DEMO_HOLDER_ID, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, demoInternalHolderAt } from '../../src/simulator/story';
import { ago, extensionApi, positionOf, showDocument, typed, withInput, withUserSettings } from './surfaceHelpers';

const DAY = 24 * 3600_000;

suite('Commands', () => {
  let api: ExtensionApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await extensionApi();
  });

  test('every command is registered; internal ones are hidden from the palette', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'investigateIp',
      'findMachinesByIp',
      'signIn',
      'signOut',
      'useDemoTenant',
      'selectCloud',
      'clearCache',
      'copyAddress',
      'showLog',
      'openInPortal',
      'machines.refresh',
      'machines.clear',
      'machines.remove',
      'machines.copyName',
      'machines.copyId',
      'machines.investigateLastIp',
    ]) {
      assert.ok(commands.includes(`ipInvestigator.${id}`), id);
    }
  });

  test('Investigate IP Address: from a hover-style argument, returns the investigation', async () => {
    const inv = await vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp', { ip: '198[.]51[.]100[.]23', lookback: '30d' });
    assert.equal(inv.address.ip, DEMO_C2_IP);
    assert.equal(inv.lookback, '30d');
    assert.ok((inv.stats?.prevalence ?? 0) > 0, 'prevalence');
    assert.ok((inv.alerts?.length ?? 0) > 0, 'alerts');
    assert.ok((inv.machines?.length ?? 0) > 0, 'machines');
    assert.deepEqual(inv.problems, []);
  });

  test('Investigate IP Address: the input box is prefilled from the cursor, validates as you type and accepts defanged text', async () => {
    const editor = await showDocument(`2026-01-01T00:00:00Z deny 203[.]0[.]113[.]80:22`);
    editor.selection = new vscode.Selection(positionOf(editor.document, '203', 1), positionOf(editor.document, '203', 1));
    const inv = await withInput(api, async (ui) => {
      ui.inputs.push(
        typed('203[.]0[.]113[.]80', {
          '': /Enter an IP address/,
          '999.1.1.1': /octet 999 is above 255/,
          '10.0.0': /four numbers/,
          '2001:db8::1::2': /'::' may appear only once/,
          'hxxp 1.2.3.4': /other text/,
          '203[.]0[.]113[.]80': undefined,
          '[2001:db8::1]:443': undefined,
        }),
      );
      const result = await vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp');
      assert.equal(ui.prompts[0]?.value, '203[.]0[.]113[.]80', 'prefilled with the address under the cursor');
      return result;
    });
    assert.equal(inv.address.ip, '203.0.113.80');
  });

  test('Investigate IP Address: an internal address asks for an optional time (validated), empty skips it', async () => {
    const inv = await withInput(api, async (ui) => {
      ui.inputs.push(typed(DEMO_INTERNAL_IP), typed('', { 'yesterday-ish': /not a time|Use ISO 8601/, '2h ago': undefined, '': undefined }));
      return vscode.commands.executeCommand<Investigation>('ipInvestigator.investigateIp');
    });
    assert.equal(inv.address.ip, DEMO_INTERNAL_IP);
    assert.equal(inv.at, undefined);
    assert.match(inv.machinesAtTimeNote ?? '', /No time given/);
  });

  test('Investigate IP Address: bad input is refused with a short warning and nothing is investigated', async () => {
    await withInput(api, async (ui) => {
      const result = await vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip: '999.1.1.1' });
      assert.equal(result, undefined);
      await waitForMessage(ui.messages, 'warning');
      assert.match(ui.messages[0].message, /'999\.1\.1\.1' is not a valid IP address: octet 999 is above 255\./);
      assert.deepEqual(ui.messages[0].actions, []);
      ui.inputs.push(undefined);
      const dismissed = await vscode.commands.executeCommand('ipInvestigator.investigateIp');
      assert.equal(dismissed, undefined, 'a dismissed input box ends the command quietly');
      assert.equal(ui.messages.length, 1);
    });
    assert.ok(!api.surfaces().machines.some((n) => n.label === '999.1.1.1'));
  });

  test('Find Machines by Internal IP: the machine that held the address at a recent time', async () => {
    const at = demoInternalHolderAt(Date.now()).toISOString();
    const result = await withInput(api, (ui) => {
      ui.respond = () => undefined;
      return Promise.resolve(vscode.commands.executeCommand<MachinesAtTime>('ipInvestigator.findMachinesByIp', { ip: DEMO_INTERNAL_IP, at }));
    });
    assert.ok(result, 'a result');
    assert.ok(result.machines.some((m) => m.id === DEMO_HOLDER_ID || m.computerDnsName === DEMO_HOLDER_NAME), JSON.stringify(result.machines.map((m) => m.computerDnsName)));
    assert.equal(result.at, at);
  });

  test('Find Machines by Internal IP: prompts prefilled from the line, the 30-day rule and internal-only checked as you type', async () => {
    const at = demoInternalHolderAt(Date.now()).toISOString();
    const editor = await showDocument(`${at} dhcp ACK ${DEMO_INTERNAL_IP} to fin-ws-017`);
    const p = positionOf(editor.document, DEMO_INTERNAL_IP, 2);
    editor.selection = new vscode.Selection(p, p);
    const result = await withInput(api, async (ui) => {
      ui.inputs.push(
        typed(DEMO_INTERNAL_IP, { [DEMO_C2_IP]: /not an internal address/, '10.0.0.300': /octet 300/, '10[.]248[.]240[.]38': undefined }),
        typed(at, { [ago(31 * DAY)]: /more than 30 days ago/, [new Date(Date.now() + DAY).toISOString()]: /in the future/, soon: /not a time|Use ISO 8601/, '2h ago': undefined }),
      );
      const r = await vscode.commands.executeCommand<MachinesAtTime>('ipInvestigator.findMachinesByIp');
      assert.equal(ui.prompts[0]?.value, DEMO_INTERNAL_IP, 'address prefilled from the cursor');
      assert.equal(ui.prompts[1]?.value, at, "time prefilled from the line's timestamp");
      return r;
    });
    assert.ok(result?.machines.some((m) => m.computerDnsName === DEMO_HOLDER_NAME));
  });

  test('Find Machines by Internal IP: a public address or an old time is refused before any request', async () => {
    await withInput(api, async (ui) => {
      assert.equal(await vscode.commands.executeCommand('ipInvestigator.findMachinesByIp', { ip: DEMO_C2_IP, at: ago(3600_000) }), undefined);
      assert.equal(await vscode.commands.executeCommand('ipInvestigator.findMachinesByIp', { ip: DEMO_INTERNAL_IP, at: ago(40 * DAY) }), undefined);
      await waitForMessage(ui.messages, 'warning', 2);
      assert.match(ui.messages[0].message, /not an internal address/);
      assert.match(ui.messages[1].message, /more than 30 days ago/);
    });
  });

  test('Copy Address copies the normalised address; bad input is refused', async () => {
    const copied = await vscode.commands.executeCommand<string>('ipInvestigator.copyAddress', { ip: '198[.]51[.]100[.]23:443' });
    assert.equal(copied, DEMO_C2_IP);
    assert.equal(await vscode.env.clipboard.readText(), DEMO_C2_IP);
    await withInput(api, async (ui) => {
      await vscode.commands.executeCommand('ipInvestigator.copyAddress', { ip: 'not-an-ip' });
      await waitForMessage(ui.messages, 'warning');
      assert.match(ui.messages[0].message, /not an IP address/);
    });
  });

  test('Open in Defender Portal builds the portal link of the current cloud from validated values', async () => {
    await withInput(api, async (ui) => {
      await vscode.commands.executeCommand('ipInvestigator.openInPortal', { ip: DEMO_C2_IP });
      assert.deepEqual(ui.external, [`https://security.microsoft.com/ip/${DEMO_C2_IP}/overview`]);
      await withUserSettings({ 'ipInvestigator.cloud': 'gcc-high' }, async () => {
        await vscode.commands.executeCommand('ipInvestigator.openInPortal', { machineId: DEMO_HOLDER_ID });
      });
      assert.equal(ui.external[1], `https://security.microsoft.us/machines/${DEMO_HOLDER_ID}/overview`);
      await vscode.commands.executeCommand('ipInvestigator.openInPortal', { machineId: '../../evil' });
      await waitForMessage(ui.messages, 'warning');
      assert.equal(ui.external.length, 2, 'nothing opened for a bad id');
    });
  });

  test('Select Cloud writes the cloud and region to user settings; a region for another cloud is refused', async () => {
    await withUserSettings({ 'ipInvestigator.cloud': undefined, 'ipInvestigator.region': undefined }, async () => {
      await withInput(api, async (ui) => {
        ui.picks.push((items) => items.find((i) => i.label === 'Commercial'), (items) => items.find((i) => i.label === 'EU'));
        const r = await vscode.commands.executeCommand('ipInvestigator.selectCloud');
        assert.deepEqual(r, { cloud: 'commercial', region: 'eu' });
        assert.equal(vscode.workspace.getConfiguration('ipInvestigator').inspect('region')?.globalValue, 'eu');
        await vscode.commands.executeCommand('ipInvestigator.selectCloud', { cloud: 'dod', region: 'eu' });
        await waitForMessage(ui.messages, 'warning');
        assert.match(ui.messages.find((m) => m.level === 'warning')!.message, /commercial cloud only/);
      });
    });
  });

  test('Clear Cache, Use Demo Tenant and Show Log run and say what they did', async () => {
    await withInput(api, async (ui) => {
      await vscode.commands.executeCommand('ipInvestigator.clearCache');
      await vscode.commands.executeCommand('ipInvestigator.useDemoTenant');
      await vscode.commands.executeCommand('ipInvestigator.showLog');
      await waitForMessage(ui.messages, 'info', 2);
      assert.match(ui.messages[0].message, /Cleared the cached Defender results/);
      assert.match(ui.messages[1].message, /demo tenant: simulated data/i);
    });
  });

  test('Sign In: ids are validated as you type; cancelling leaves everything as it was', async () => {
    await withInput(api, async (ui) => {
      ui.picks.push((items) => items.find((i) => i.label.includes('client secret')));
      ui.inputs.push(
        typed('contoso.onmicrosoft.com', { 'not a tenant': /not a tenant id/, '11111111-2222-4333-8444-555555555555': undefined }),
        typed(undefined, { 'not-a-guid': /not a client id/, '11111111-2222-4333-8444-555555555555': undefined }),
      );
      assert.equal(await vscode.commands.executeCommand('ipInvestigator.signIn'), undefined);
      assert.deepEqual(ui.messages, [], 'a dismissed prompt is not an error');
    });
    assert.equal(vscode.workspace.getConfiguration('ipInvestigator').inspect('mode')?.globalValue, undefined, 'still on the demo tenant');
  });
});

async function waitForMessage(messages: { level: string }[], level: string, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (messages.filter((m) => m.level === level).length < count) {
    if (Date.now() > deadline) throw new Error(`no ${level} message: ${JSON.stringify(messages)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
