// An investigation survives a reload, in the real workbench (code-server, the packaged extension, the demo tenant): an
// address investigated, marked malicious with a note from the panel, a log triaged; then Developer: Reload Window. The
// Machines view, the History group (verdict and note), the panel, the triage table and the editor's decorations come
// back without a request to the tenant (its own request log says so), and the case export opens.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Page } from 'playwright-core';
import { e2eContext } from './context';
import { findInCommandPalette, investigate, openFile, outputPanelText, runFromCommandPalette, screenshot, waitForDecoration, waitForSections, webviewWith } from './workbench';

const C2 = '198.51.100.23';
const LOG = 'ipinv-reload-e2e.log';
const NOTE = 'beacon every 60 s';
const today = (): string => new Date().toISOString().slice(0, 10);

/** The extension's log as the Output panel shows it (Monaco renders spaces as no-break spaces). */
async function logText(page: Page, expected: RegExp): Promise<string> {
  await runFromCommandPalette(page, 'Defender IP: Show Log');
  const lines = outputPanelText(page);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = ((await lines.first().textContent().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
    if (expected.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the log does not show ${String(expected)}: ${text.slice(-2000)}`);
    await page.waitForTimeout(250);
  }
}

/** A row of the Machines view by the start of its accessible name (labels are plain, descriptions follow). */
function treeRow(page: Page, ariaStart: string) {
  return page.locator(`.part.sidebar .monaco-list-row[aria-label^="${ariaStart}"]`).first();
}

suite('An investigation survives a reload (demo tenant)', () => {
  let page: Page;

  suiteSetup(async () => {
    const ctx = e2eContext();
    const stamp = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    fs.writeFileSync(
      path.join(ctx.workspaceDir, LOG),
      [`${stamp(50)} ALLOW tcp 10.248.240.38:51544 -> ${C2}:443`, `${stamp(40)} DENY udp 10.248.240.38:5353 -> 8.8.8.8:53`, `${stamp(30)} proxy CONNECT ${C2}:443`, ''].join('\n'),
    );
    page = await ctx.openWorkbench();
  });

  suiteTeardown(async () => {
    if (page && !page.isClosed()) {
      // The case export's documents are unsaved: close them without a prompt, then leave the workbench as it was.
      for (let i = 0; i < 2; i++) await runFromCommandPalette(page, 'View: Revert and Close Editor').catch(() => undefined);
      await runFromCommandPalette(page, 'Defender IP: Clear Triage Results').catch(() => undefined);
      await runFromCommandPalette(page, 'View: Close All Editors').catch(() => undefined);
      await runFromCommandPalette(page, 'View: Show Explorer').catch(() => undefined);
    }
    await page?.context().close();
  });

  test('investigate, mark it malicious with a note from the panel, triage a log', async function () {
    this.timeout(180_000);
    await investigate(page, C2);
    const panel = await webviewWith(page, 'main#panel h1.address');
    await waitForSections(panel);
    await panel.locator('#action-verdict').click();
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Malicious' }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    await panel.locator('#analyst-mark', { hasText: `You marked this malicious on ${today()}.` }).waitFor();
    await panel.locator('#action-note').click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: `Note on ${C2}` }).waitFor({ state: 'visible' });
    await page.locator('.quick-input-widget .quick-input-box input').fill(NOTE);
    await page.keyboard.press('Enter');
    await panel.locator('#analyst-mark', { hasText: `You marked this malicious on ${today()}: '${NOTE}'` }).waitFor();

    await openFile(page, LOG, C2);
    await runFromCommandPalette(page, 'Defender IP: Triage All IPs in File');
    const table = await webviewWith(page, 'main#triage');
    await table.locator('main#triage[data-state="done"][data-total="3"]').waitFor({ timeout: 60_000 });
    await table.locator(`.t-row[data-ip="${C2}"] .mark`, { hasText: 'Malicious' }).waitFor();
    const decorated = await waitForDecoration(page, C2);
    assert.ok(decorated.ok, `no decoration over ${C2}: ${JSON.stringify(decorated)}`);
    await screenshot(page, 'reload-before');
  });

  test('after Developer: Reload Window the tree, the history, the panel, the table and the decorations are back, with no request', async function () {
    this.timeout(240_000);
    await findInCommandPalette(page, 'Developer: Reload Window');
    await Promise.all([page.waitForEvent('load', { timeout: 90_000 }), page.keyboard.press('Enter')]);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });

    // The triage table and the decorations of the log, as the editors were left.
    const table = await webviewWith(page, 'main#triage[data-restored="true"]', 90_000);
    await table.locator('main#triage[data-state="done"][data-total="3"]').waitFor();
    assert.equal(await table.locator(`.t-row[data-ip="${C2}"] .mark`).textContent(), 'Malicious');
    await page.locator('.editor-instance .view-lines .view-line', { hasText: C2 }).first().waitFor({ timeout: 60_000 });
    const decorated = await waitForDecoration(page, C2);
    assert.ok(decorated.ok, `no decoration over ${C2} after the reload: ${JSON.stringify(decorated)}`);

    // The panel (a tab behind the log): restored from the history, saying so, with the verdict and the note.
    await page.locator('.tabs-container .tab', { hasText: `IP ${C2}` }).first().click();
    const panel = await webviewWith(page, 'main#panel h1.address', 90_000);
    const statuses = await waitForSections(panel, 90_000);
    assert.equal(statuses.alerts, 'ready');
    await panel.locator('#analyst-mark', { hasText: `You marked this malicious on ${today()}: '${NOTE}'` }).waitFor();
    await panel.locator('#restored-line', { hasText: /^Restored from the investigation history: data from (just now|\d+ min ago)/ }).waitFor();

    // The Machines view: the address with its verdict and the age of its data; the History group with the note.
    await runFromCommandPalette(page, 'Defender IP: Focus on Machines View');
    const address = treeRow(page, `Address ${C2},`);
    await address.waitFor({ timeout: 30_000 });
    assert.match((await address.getAttribute('aria-label')) ?? '', /^Address 198\.51\.100\.23, Malicious · noted, .*from (just now|\d+ min ago)$/);
    const history = treeRow(page, 'Investigation history,');
    await history.click();
    const entry = treeRow(page, `${C2}, Malicious · noted`);
    await entry.waitFor({ timeout: 30_000 });
    await entry.hover();
    await page.locator('.monaco-hover, .custom-hover, .workbench-hover', { hasText: `'${NOTE}'` }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'reload-after');

    const log = await logText(page, /Triage \d+: .* restored from .* without a request/);
    assert.match(log, /History: \d+ addresses back in the Machines view \(demo@simulator\), without a request/);
    assert.match(log, /Panel 198\.51\.100\.23: restored from the history .* without a request/);
  });

  test('the case export opens, and nothing since the reload asked the tenant anything', async function () {
    this.timeout(120_000);
    await findInCommandPalette(page, 'Defender IP: Export Case');
    await page.keyboard.press('Enter');
    const open = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open in editors' });
    await open.waitFor({ state: 'visible' });
    await open.click();
    await page.locator('.editor-instance .view-lines', { hasText: /Case:\sDemo\stenant/ }).first().waitFor({ timeout: 30_000 });
    await page.locator('.editor-instance .view-lines', { hasText: /Your\sverdicts:\*\*\sMalicious\s1/ }).first().waitFor();
    await screenshot(page, 'reload-case-export');

    // The demo tenant runs in the extension host; after the reload it starts only when something asks it. Either it
    // never started (no connection was made), or its request log has nothing but sign-in.
    const log = await logText(page, /Activated in/);
    const url = /Demo tenant \(simulated data\) listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1];
    if (url) {
      const body = (await (await fetch(`${url}/_simulator/requests`)).json()) as { requests: { path: string; family: string }[] };
      assert.deepEqual(body.requests.filter((r) => r.family !== 'identity').map((r) => r.path), [], 'no request to the tenant since the reload');
    } else {
      assert.doesNotMatch(log, /Connection ready/, 'no connection to the tenant since the reload');
    }
  });
});
