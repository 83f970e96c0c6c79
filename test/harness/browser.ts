// Debian's Chromium driven by playwright-core (no browser download): opens the code-server workbench, which is also
// what starts code-server's extension host.
import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { onCleanup } from './processes';
import { browserPackages, missingPackages } from './systemPackages';

export const chromiumPath = process.env.IPINV_CHROMIUM ?? '/usr/bin/chromium';

/** Flags checked on this kind of machine: root needs --no-sandbox; the rest keep Chromium from reaching the network. */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const viewport = { width: 1400, height: 900 };

/** Launches headless Chromium; closed by the harness cleanups on exit and signals. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    const missing = missingPackages(browserPackages).map((p) => p.name);
    throw new Error(`Chromium is not at ${chromiumPath}. Install Debian's package once (needs root): apt-get install -y --no-install-recommends ${missing.join(' ') || 'chromium'}`);
  }
  // Playwright's own signal handlers are off: the harness stops code-server and the browser together.
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: 60_000,
  });
  const unregister = onCleanup(async () => {
    await browser.close().catch(() => undefined);
  });
  browser.once('disconnected', unregister);
  return browser;
}

/** Opens the workbench in a fresh page and waits (with a deadline) until its shell has rendered. */
export async function openWorkbench(browser: Browser, workbenchUrl: string, timeoutMs = 90_000): Promise<Page> {
  // Granted as a user would when asked: vscode.env.clipboard in a web workbench is the browser's clipboard API, which
  // otherwise waits on a permission prompt that headless Chromium never shows.
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(workbenchUrl, { timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  return page;
}
