// Indicators in the real workbench (code-server, the packaged extension, the demo tenant): block the C2 address from
// its investigation panel through the form and the modal confirmation, see it in the Indicators section and in the
// triage table's indicator column, then remove it from the panel, and the column follows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { FrameLocator, Page } from 'playwright-core';
import { e2eContext } from './context';
import { findInCommandPalette, runFromCommandPalette, screenshot, webviewWith } from './workbench';

const C2 = '198.51.100.23';
const LOG = 'ipinv-indicators-e2e.log';

async function openPanel(page: Page): Promise<FrameLocator> {
  await page.locator('.tab', { hasText: `IP ${C2}` }).first().click();
  return webviewWith(page, 'main#panel[data-ready="true"]');
}

async function showTable(page: Page): Promise<FrameLocator> {
  await runFromCommandPalette(page, 'Defender IP: Show Triage Results');
  return webviewWith(page, 'main#triage[data-state="done"]');
}

suite('Indicators in the workbench (demo tenant)', () => {
  let page: Page;

  suiteSetup(async () => {
    const ctx = e2eContext();
    const stamp = new Date(Date.now() - 30 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    fs.writeFileSync(path.join(ctx.workspaceDir, LOG), [`${stamp} fw01 ALLOW tcp 10.248.240.38:51544 -> ${C2}:443`, `${stamp} dns 10.248.240.38 -> 8.8.8.8:53`, ''].join('\n'));
    page = await ctx.openWorkbench();
  });

  suiteTeardown(async () => {
    if (page && !page.isClosed()) {
      await runFromCommandPalette(page, 'Defender IP: Clear Triage Results').catch(() => undefined);
      await runFromCommandPalette(page, 'View: Close All Editors').catch(() => undefined);
      await runFromCommandPalette(page, 'View: Show Explorer').catch(() => undefined);
    }
    await page?.context().close();
  });

  test('block the C2 from its panel; the Indicators section and the triage column show it; remove it', async () => {
    // The log first, then its triage: the indicator column starts empty for the C2.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill(LOG);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: LOG }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .view-lines .view-line', { hasText: C2 }).first().waitFor();
    await runFromCommandPalette(page, 'Defender IP: Triage All IPs in File');
    let table = await webviewWith(page, 'main#triage[data-state="done"]');
    assert.equal((await table.locator(`.t-row[data-ip="${C2}"] .col-indicator`).textContent())?.trim(), '');

    // The investigation panel, its Indicators section: nothing yet.
    await findInCommandPalette(page, 'Defender IP: Investigate IP Address');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Investigate IP Address' }).waitFor({ state: 'visible' });
    await page.locator('.quick-input-widget .quick-input-box input').fill(C2);
    await page.keyboard.press('Enter');
    let panel = await webviewWith(page, 'main#panel[data-ready="true"]');
    await panel.locator('#section-indicators[data-status="empty"]').waitFor({ timeout: 60_000 });

    // Add: the short form (a quick pick listing the fields) and one modal confirmation naming exactly what is sent.
    await panel.locator('#indicator-add').click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: `Add an indicator for ${C2}` }).waitFor({ state: 'visible' });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Create indicator' }).first().waitFor();
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    const question = (await dialog.locator('.dialog-message-text').textContent()) ?? '';
    assert.match(question, /^Block 198\.51\.100\.23 for all devices until \d{4}-\d\d-\d\d \d\d:\d\d UTC, with an alert\?$/);
    await screenshot(page, 'indicator-confirmation');
    await dialog.locator('.monaco-button', { hasText: /^Block$/ }).click();
    await dialog.waitFor({ state: 'hidden' });

    panel = await openPanel(page);
    const card = panel.locator('#section-indicators[data-status="ready"] .indicator-card[data-action="Block"]');
    await card.waitFor({ timeout: 30_000 });
    assert.match((await card.locator('.indicator-title').textContent()) ?? '', /^198\.51\.100\.23: /, 'the title was prefilled from the investigation');
    assert.match((await panel.locator('#indicator-history').textContent()) ?? '', /create Block · 1 created · by demo-analyst · request id /);
    await screenshot(page, 'indicator-panel');

    table = await showTable(page);
    await table.locator(`.t-row[data-ip="${C2}"] .col-indicator .chip-indicator.block`).waitFor({ timeout: 30_000 });
    assert.equal((await table.locator(`.t-row[data-ip="${C2}"] .col-indicator`).textContent())?.trim(), 'Block');
    await screenshot(page, 'indicator-triage-column');

    // Remove it from the panel: the section empties and the column follows.
    panel = await openPanel(page);
    await panel.locator('.indicator-card[data-action="Block"] [id^="indicator-remove-"]').click();
    await dialog.waitFor({ state: 'visible' });
    assert.match((await dialog.locator('.dialog-message-text').textContent()) ?? '', /^Remove the Block indicator of 198\.51\.100\.23\?$/);
    await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    panel = await openPanel(page);
    await panel.locator('#section-indicators[data-status="empty"]').waitFor({ timeout: 30_000 });
    table = await showTable(page);
    await table.locator(`.t-row[data-ip="${C2}"] .col-indicator .chip-indicator`).waitFor({ state: 'detached', timeout: 30_000 });
  });
});
