// Helpers for e2e suites that drive the code-server workbench: the command palette, the output panel, screenshots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { e2eContext } from './context';

/** Saves a screenshot of a key screen to test-results/e2e/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(e2eContext().resultsDir, `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

/**
 * Opens the command palette (F1) and filters it by `label`; returns the matching row (not yet run). Retried until
 * the deadline: an extension's commands are listed only once the extension host has registered its contributions.
 */
export async function findInCommandPalette(page: Page, label: string, timeoutMs = 45_000): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  for (;;) {
    if (!(await input.isVisible())) await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      return row;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape'); // reopen: the palette lists commands as they were when it opened
    }
  }
}

/** Runs a command by its palette label, as a user would. */
export async function runFromCommandPalette(page: Page, label: string): Promise<void> {
  await findInCommandPalette(page, label);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The text shown in the Output panel's editor. */
export function outputPanelText(page: Page): Locator {
  return page.locator('.part.panel .monaco-editor .view-lines');
}

/** The document of the webview whose content matches `selector`: code-server nests each webview in two iframes. */
export async function webviewWith(page: Page, selector: string, timeoutMs = 60_000): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = page.locator('iframe.webview.ready');
    const n = await frames.count();
    for (let i = n - 1; i >= 0; i--) {
      const frame = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('iframe#active-frame');
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await page.waitForTimeout(200);
  }
}
