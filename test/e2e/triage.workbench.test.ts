// Bulk triage in the real workbench (code-server, the packaged extension, the demo tenant): "Triage All IPs in File"
// from the command palette on samples/firewall.log shows the triage table, which sorts and filters; the log is
// decorated by verdict; a row's Investigate action opens the investigation panel. Screenshots in test-results/e2e/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { FrameLocator, Page } from 'playwright-core';
import { e2eContext } from './context';
import { runFromCommandPalette, screenshot, waitForDecoration, webviewWith } from './workbench';

const C2 = '198.51.100.23';
const LOG = 'firewall.log';

async function rowIps(frame: FrameLocator): Promise<string[]> {
  return frame.locator('.t-body .t-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.ip ?? ''));
}

async function setFilter(frame: FrameLocator, value: string): Promise<void> {
  await frame.locator('#triage-filter').evaluate((el, v) => {
    (el as HTMLElement & { value: string }).value = v;
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }, value);
}

suite('Bulk triage in the workbench (demo tenant)', () => {
  let page: Page;
  let table: FrameLocator;
  const webviewErrors: string[] = [];

  suiteSetup(async () => {
    page = await e2eContext().openWorkbench();
    page.on('console', (m) => {
      const url = m.location().url;
      const fromWebview = /webview|vscode-resource|vscode-cdn|dist\/triage\.js/.test(url) || /Content Security Policy/.test(m.text());
      if (fromWebview && m.type() === 'error') webviewErrors.push(`${m.text()} (${url})`);
    });
  });

  suiteTeardown(async () => {
    if (page && !page.isClosed()) {
      await runFromCommandPalette(page, 'Defender IP: Clear Triage Results').catch(() => undefined);
      await runFromCommandPalette(page, 'View: Close All Editors').catch(() => undefined);
      await runFromCommandPalette(page, 'View: Show Explorer').catch(() => undefined);
    }
    await page?.context().close();
  });

  test('"Triage All IPs in File" from the command palette shows the table with a row per address', async () => {
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill(LOG);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: LOG }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .view-lines .view-line', { hasText: C2 }).first().waitFor();
    await runFromCommandPalette(page, 'Defender IP: Triage All IPs in File');
    table = await webviewWith(page, 'main#triage');
    await table.locator('main#triage[data-state="done"][data-total="11"]').waitFor({ timeout: 60_000 });
    const ips = await rowIps(table);
    assert.equal(ips.length, 11, 'all eleven rows fit the viewport');
    assert.equal(ips[0], C2, 'the most important first: the C2 with High alerts');
    const first = table.locator(`.t-row[data-ip="${C2}"]`);
    assert.equal(await first.getAttribute('data-verdict'), 'alerts');
    assert.match((await first.locator('.col-alerts').textContent()) ?? '', /^\d+: High \d+/);
    assert.match((await table.locator('#triage-counts').textContent()) ?? '', /^11 addresses in \d+ occurrences: \d+ with alerts/);
    assert.match((await table.locator('#triage-calls').textContent()) ?? '', /hunting queries/);
    assert.equal(await table.locator('#triage-demo').isVisible(), true);
    await screenshot(page, 'triage-table');
  });

  test('a header click sorts (and again reverses); the filter and the verdict chips narrow the rows', async () => {
    await table.locator('#sort-ip').click();
    await table.locator('.col-ip[aria-sort="ascending"]').waitFor();
    assert.equal((await rowIps(table))[0], '8.8.8.8', 'numeric order: 8.8.8.8 before 10.x');
    await table.locator('#sort-ip').click();
    await table.locator('.col-ip[aria-sort="descending"]').waitFor();
    assert.match((await rowIps(table))[0], /:/, 'descending: IPv6 first');
    // Keyboard: a focused header sorts with Enter.
    await table.locator('#sort-machines').focus();
    await page.keyboard.press('Enter');
    await table.locator('.col-machines[aria-sort="descending"]').waitFor();
    assert.equal((await rowIps(table))[0], '8.8.8.8', 'the most machines first');

    await setFilter(table, 'private');
    await table.locator('main#triage[data-shown="3"]').waitFor();
    assert.deepEqual(new Set(await table.locator('.t-body .t-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.verdict))), new Set(['internal']));
    await setFilter(table, '');
    await table.locator('main#triage[data-shown="11"]').waitFor();
    await table.locator('#chip-alerts').click();
    await table.locator('main#triage[data-shown="3"]').waitFor();
    assert.equal(await table.locator('#chip-alerts').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(new Set(await table.locator('.t-body .t-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.verdict))), new Set(['alerts']));
    await screenshot(page, 'triage-table-filtered');
    await table.locator('#chip-all').click();
    await table.locator('main#triage[data-shown="11"]').waitFor();
  });

  test('the log is decorated by verdict: a decoration covers the C2 address in the editor', async () => {
    // Bring the C2 of line 1 into view (the lines are long and the table takes half the width): Go to Line.
    const line1 = fs.readFileSync(path.join(e2eContext().workspaceDir, LOG), 'utf8').split(/\r?\n/)[0];
    const column = line1.indexOf(C2) + 1;
    assert.ok(column > 0);
    await page.locator('.monaco-editor .view-lines', { hasText: C2 }).first().click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:1:${column + C2.length}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    const last = await waitForDecoration(page, C2);
    assert.ok(last.ok, `no decoration over ${C2}: ${JSON.stringify(last)}`);
    assert.match(String(last.classes), /ced-/);
    await screenshot(page, 'triage-decorations');
  });

  test("a row's Investigate action opens the investigation panel for that address", async () => {
    await table.locator(`.t-row[data-ip="${C2}"] .row-action.open`).click();
    const panel = await webviewWith(page, 'main#panel h1.address');
    await panel.locator('h1.address', { hasText: C2 }).waitFor({ timeout: 60_000 });
    await panel.locator('section[data-section="alerts"][data-status="ready"]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'triage-open-investigation');
    assert.deepEqual(webviewErrors, []);
  });
});
