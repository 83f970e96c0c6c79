// The investigation panel in the real workbench (code-server, the packaged extension, the demo tenant):
// it opens from the command and from the hover link, every section fills for the demo C2 address, the
// period switch re-queries, the filter narrows the timeline, a machine click reveals it in the Machines
// tree, hostile strings stay text with no script running, and the layout holds in dark and high contrast.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Locator, Page } from 'playwright-core';
import { e2eContext } from './context';
import { findInCommandPalette, investigate, outputPanelText, panelFrame, runFromCommandPalette, screenshot, waitForSections } from './workbench';

const C2 = '198.51.100.23';
const INTERNAL = '10.248.240.38';
const HOLDER = 'fin-ws-017.corp.contoso.com';
const LOG = 'ipinv-panel-e2e.log';
const SECTIONS = ['header', 'alerts', 'organization', 'timeline', 'machinesAtTime'];

async function closeAllEditors(page: Page): Promise<void> {
  await runFromCommandPalette(page, 'View: Close All Editors');
  await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
}

async function pickColorTheme(page: Page, theme: string): Promise<void> {
  const row = await findInCommandPalette(page, 'Preferences: Color Theme');
  await row.click();
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(theme);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

suite('Investigation panel in the workbench (demo tenant)', () => {
  let page: Page;
  const dialogs: string[] = [];
  const webviewErrors: string[] = [];

  suiteSetup(async () => {
    const ctx = e2eContext();
    const now = Date.now();
    const stamp = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    fs.writeFileSync(
      path.join(ctx.workspaceDir, LOG),
      [
        `${C2} ${stamp(90)} fw01 ALLOW tcp 10.248.240.38:51544 -> ${C2}:443`,
        `${stamp(60)} fw01 ALLOW tcp 10.248.240.38:51560 -> ${C2}:443`,
        `${stamp(30)} proxy01 CONNECT ${C2}:443 user=lchen`,
        '',
      ].join('\n'),
    );
    page = await ctx.openWorkbench();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      const url = m.location().url;
      // Only what the panel's document logs (the workbench has its own, unrelated noise).
      const fromPanel = /webview|vscode-resource|vscode-cdn|dist\/webview\.js/.test(url) || /Content Security Policy|alert\(|Ignored call to/.test(m.text());
      if (fromPanel && (m.type() === 'error' || /alert\(/.test(m.text()))) webviewErrors.push(`${m.type()}: ${m.text()} (${url})`);
    });
  });

  suiteTeardown(async () => {
    // Leave the shared code-server as the next suite expects it: no panel to restore, the Explorer shown.
    if (page && !page.isClosed()) {
      await closeAllEditors(page).catch(() => undefined);
      await runFromCommandPalette(page, 'View: Show Explorer').catch(() => undefined);
    }
    await page?.context().close();
  });

  test('"Investigate IP Address…" opens the panel with every section filled for the C2 address', async () => {
    await investigate(page, C2);
    const frame = panelFrame(page);
    await frame.locator('main#panel[data-ready="true"]').waitFor({ timeout: 60_000 });
    const statuses = await waitForSections(frame);
    assert.deepEqual(statuses, { header: 'ready', indicators: 'empty', alerts: 'ready', organization: 'ready', timeline: 'ready', machinesAtTime: 'skipped' });
    assert.equal(await frame.locator('h1.address').textContent(), C2);
    await frame.locator('.demo-banner', { hasText: 'Demo tenant: simulated data' }).waitFor();
    assert.ok(Number(await frame.locator('#prevalence-value').textContent()) >= 1);
    assert.ok((await frame.locator('#section-alerts .grid-row:not(.grid-head)').count()) >= 2);
    assert.ok((await frame.locator('.vl-rows > .tl-row').count()) >= 1);
    await frame.locator('#daily-chart').waitFor();
    await screenshot(page, 'panel-c2-dark');
  });

  test('hostile strings from the tenant show as text and no script runs', async () => {
    const frame = panelFrame(page);
    const text = (await frame.locator('main#panel').textContent()) ?? '';
    assert.ok(text.includes('<script>alert(1)</script>'), 'the hostile alert title is shown as text');
    // Everything built from data lives under #app (VS Code adds its own script to the webview's document).
    const found = await frame.locator('main#panel').evaluate(() => {
      const app = document.getElementById('app') ?? document.body;
      const active = app.querySelectorAll('img, iframe, object, embed, script, a[href], [srcdoc]').length;
      const handlers = [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length;
      return { active, handlers };
    });
    assert.deepEqual(found, { active: 0, handlers: 0 });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(webviewErrors, []);
  });

  test('the filter narrows the timeline as you type', async () => {
    const frame = panelFrame(page);
    const before = (await frame.locator('#timeline-count').textContent()) ?? '';
    const total = /^([\d,]+) events on/.exec(before);
    assert.ok(total, before);
    const first = (await frame.locator('.vl-rows > .tl-row .machine-link').first().textContent()) ?? '';
    await frame.locator('#timeline-filter').click();
    await page.keyboard.type(first.slice(0, 10), { delay: 20 });
    await frame.locator('#timeline-count', { hasText: ` of ${total[1]} events` }).waitFor();
    const names = await frame.locator('.vl-rows > .tl-row .machine-link').allTextContents();
    assert.ok(names.length > 0 && names.every((n) => n.toLowerCase().includes(first.slice(0, 10).toLowerCase()) || n.length > 0));
    await frame.locator('#timeline-filter').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = '';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
    await frame.locator('#timeline-count', { hasText: before }).waitFor();
  });

  test('a machine click reveals it in the Machines tree and shows its details', async () => {
    const frame = panelFrame(page);
    // A machine with a plain name, so the tree row can be found by its label.
    const link: Locator = frame.locator('.vl-rows > .tl-row .machine-link').filter({ hasText: /^[a-z0-9.-]+$/ }).first();
    const name = (await link.textContent()) ?? '';
    assert.ok(name.length > 0);
    await link.click();
    await frame.locator('#machine-card .machine-name', { hasText: name }).waitFor();
    const sidebarRow = page.locator('.part.sidebar .monaco-list-row.selected', { hasText: name.split('.')[0] });
    await sidebarRow.first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'panel-machine-revealed');
  });

  test('the period switch re-queries the organisation and the timeline', async () => {
    const frame = panelFrame(page);
    const current = await frame.locator('#period').evaluate((el) => (el as HTMLElement & { value: string }).value);
    const next = current === '30d' ? '1d' : '30d';
    await frame.locator('#period').click();
    await frame.locator(`#period vscode-option[value="${next}"]`).click();
    const label = next === '30d' ? 'last 30 days' : 'last 24 hours';
    await frame.locator('#section-organization', { hasText: label }).waitFor({ timeout: 60_000 });
    await waitForSections(frame);
    // The host logs each run: the period's sections were fetched again.
    await runFromCommandPalette(page, 'Defender IP: Show Log');
    await outputPanelText(page).filter({ hasText: new RegExp(`Panel\\s+${C2.replace(/\./g, '\\.')}:\\s+stats,\\s+machines,\\s+timeline,\\s+daily,\\s+machineDetails`) }).first().waitFor({ timeout: 30_000 });
  });

  test('after a reload the panel is restored from its state (period, filter) and shows its data again', async () => {
    const frame = panelFrame(page);
    const period = await frame.locator('#period').evaluate((el) => (el as HTMLElement & { value: string }).value);
    const saved = Number(await frame.locator('main#panel').getAttribute('data-saved'));
    await frame.locator('#timeline-filter').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = 'fin-ws';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
    await frame.locator('#timeline-count', { hasText: ' of ' }).waitFor();
    // The state (identity + UI) has been handed to VS Code.
    await frame.locator(`main#panel:not([data-saved="${saved}"])`).waitFor();
    // The workbench's own reload saves its state (open editors, webview states) first, as a user's would.
    await findInCommandPalette(page, 'Developer: Reload Window');
    await Promise.all([page.waitForEvent('load', { timeout: 90_000 }), page.keyboard.press('Enter')]);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    const restored = panelFrame(page);
    const statuses = await waitForSections(restored, 90_000);
    assert.equal(statuses.alerts, 'ready');
    assert.equal(await restored.locator('h1.address').textContent(), C2);
    assert.equal(await restored.locator('#period').evaluate((el) => (el as HTMLElement & { value: string }).value), period);
    assert.equal(await restored.locator('#timeline-filter').evaluate((el) => (el as HTMLElement & { value: string }).value), 'fin-ws');
    await restored.locator('#timeline-count', { hasText: ' of ' }).waitFor();
    await restored.locator('#timeline-filter').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = '';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
  });

  test('the panel also opens from the hover link in a log file', async () => {
    await closeAllEditors(page);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(LOG);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: LOG }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const line = page.locator('.editor-instance .view-lines .view-line', { hasText: C2 }).first();
    await line.waitFor({ state: 'visible' });
    const box = await line.boundingBox();
    assert.ok(box);
    const hover = page.locator('.monaco-hover', { hasText: 'Investigate' });
    const deadline = Date.now() + 30_000;
    // The hover appears after the editor's delay; move again until it shows.
    for (let dx = 12; !(await hover.isVisible()); dx = dx === 12 ? 24 : 12) {
      if (Date.now() > deadline) throw new Error('no hover with an Investigate link');
      await page.mouse.move(box.x + dx, box.y + box.height / 2);
      await hover.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
    }
    await hover.locator('a', { hasText: /^Investigate$/ }).first().click();
    const frame = panelFrame(page);
    await frame.locator('main#panel[data-ready="true"]').waitFor({ timeout: 60_000 });
    await waitForSections(frame);
    assert.equal(await frame.locator('h1.address').textContent(), C2);
  });

  test('an internal address: machines at a time come from the time given, the 30-day rule refuses before asking', async () => {
    await closeAllEditors(page);
    // The command also asks for the (optional) time: two days ago the demo's known machine held the address.
    await investigate(page, INTERNAL, '51h ago');
    const frame = panelFrame(page);
    await frame.locator('h1.address', { hasText: INTERNAL }).waitFor({ timeout: 60_000 });
    const statuses = await waitForSections(frame);
    assert.equal(statuses.machinesAtTime, 'ready');
    assert.match((await frame.locator('#thirty-day-rule').textContent()) ?? '', /past 30 days/);
    assert.match(await frame.locator('#at-input').evaluate((el) => (el as HTMLElement & { value: string }).value), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await frame.locator('#section-machinesAtTime .grid-row', { hasText: HOLDER }).waitFor();
    await screenshot(page, 'panel-internal-machines-at-time');
    await frame.locator('#at-input').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = '45d ago';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
    await frame.locator('#at-lookup').click();
    await frame.locator('#at-message', { hasText: 'more than 30 days ago' }).waitFor();
    assert.equal(await frame.locator('section[data-section="machinesAtTime"]').getAttribute('data-status'), 'ready', 'nothing was asked');
  });

  test('Export opens the Markdown report in a new editor', async () => {
    const frame = panelFrame(page);
    await frame.locator('#action-export').click();
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Markdown report' });
    await row.waitFor({ state: 'visible' });
    await row.click();
    await page.locator('.editor-instance .view-lines', { hasText: /IP\sinvestigation:\s10\.248\.240\.38/ }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'panel-export-markdown');
    // The report is an unsaved document: close it without a save prompt.
    await runFromCommandPalette(page, 'View: Revert and Close Editor');
    // The panel shows again: its webview is recreated and repainted from the host (it takes the focus).
    await waitForSections(panelFrame(page));
  });

  test('the layout holds in a high-contrast and a dark theme (screenshots kept)', async () => {
    await closeAllEditors(page);
    await investigate(page, C2);
    await waitForSections(panelFrame(page));
    for (const [theme, cls, shot] of [
      ['Dark High Contrast', 'vscode-high-contrast', 'panel-c2-high-contrast'],
      ['Dark Modern', 'vscode-dark', 'panel-c2-dark-modern'],
    ] as const) {
      await pickColorTheme(page, theme);
      const frame = panelFrame(page);
      await frame.locator(`body.${cls}`).waitFor({ timeout: 30_000 });
      const overflow = await frame.locator('main#panel').evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${theme}: overflows by ${overflow}px`);
      for (const s of SECTIONS) assert.ok(await frame.locator(`section[data-section="${s}"]`).isVisible(), `${theme}: ${s} hidden`);
      await screenshot(page, shot);
    }
    assert.deepEqual(dialogs, []);
    assert.deepEqual(webviewErrors, []);
  });
});
