// The machine view in the real workbench (code-server, the packaged extension, the demo tenant), the way an analyst
// walks it with the mouse: the C2 address's investigation -> a machine name -> the machine panel with every section
// filled -> the address only that machine talked to -> its own investigation. Then a hostile machine by the command
// (its strings stay text, nothing runs), a reload (the serializer restores the panel), and a high-contrast theme.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Frame, Page } from 'playwright-core';
import { DEMO_C2_IP, DEMO_HOLDER_ID, DEMO_HOSTILE_MACHINE_NAMES, DEMO_STAGE2_IP, HOSTILE_STRINGS, buildDemoStory } from '../../src/simulator/story';
import { e2eContext } from './context';
import { findInCommandPalette, runFromCommandPalette, screenshot } from './workbench';

const SECTIONS = ['overview', 'alerts', 'logonUsers', 'network', 'timeline'];

/**
 * The webview document that holds `selector`, polled with a deadline: code-server nests each webview in two iframes,
 * and with several panels open the one wanted is found by what it shows, not by its place.
 */
async function frameWith(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (await f.$(selector).catch(() => null)) return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until no section of the machine panel is loading; returns each section's status. */
async function machineSections(frame: Frame, timeoutMs = 60_000): Promise<Record<string, string>> {
  await frame.locator('main#machine[data-ready="true"]').waitFor({ timeout: timeoutMs });
  await frame.locator('section[data-section][data-status="loading"]').first().waitFor({ state: 'detached', timeout: timeoutMs });
  const pairs = await frame.locator('main#machine').evaluate((main) => [...main.querySelectorAll<HTMLElement>('section[data-section]')].map((s): [string, string] => [s.dataset.section ?? '', s.dataset.status ?? '']));
  return Object.fromEntries(pairs);
}

async function closeAllEditors(page: Page): Promise<void> {
  await runFromCommandPalette(page, 'View: Close All Editors');
  await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
}

async function inputFill(page: Page, title: RegExp | string, value: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
  await page.locator('.quick-input-widget .quick-input-box input').fill(value);
  await page.keyboard.press('Enter');
}

suite('Machine view in the workbench (demo tenant)', () => {
  let page: Page;
  const dialogs: string[] = [];
  const webviewErrors: string[] = [];
  const hostile = buildDemoStory({ now: Date.now() }).machineByName.get(DEMO_HOSTILE_MACHINE_NAMES[0].toLowerCase());

  suiteSetup(async () => {
    page = await e2eContext().openWorkbench();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      const url = m.location().url;
      const fromWebview = /webview|vscode-resource|vscode-cdn|dist\/(webview|machine)\.js/.test(url) || /Content Security Policy|alert\(|Ignored call to/.test(m.text());
      if (fromWebview && (m.type() === 'error' || /alert\(/.test(m.text()))) webviewErrors.push(`${m.type()}: ${m.text()} (${url})`);
    });
  });

  suiteTeardown(async () => {
    if (page && !page.isClosed()) {
      await closeAllEditors(page).catch(() => undefined);
      await runFromCommandPalette(page, 'View: Show Explorer').catch(() => undefined);
    }
    await page?.context().close();
  });

  test('from the IP panel, a machine name opens the machine panel with every section filled for a C2 machine', async () => {
    await findInCommandPalette(page, 'Defender IP: Investigate IP Address');
    await page.keyboard.press('Enter');
    await inputFill(page, 'Investigate IP Address', DEMO_C2_IP);
    const ip = await frameWith(page, 'main#panel[data-ready="true"]');
    await ip.locator('section[data-section="timeline"][data-status="ready"]').waitFor({ timeout: 60_000 });
    await ip.locator('.vl-rows > .tl-row .machine-link', { hasText: 'fin-ws-017' }).first().click();
    await ip.locator('#machine-card .machine-name', { hasText: 'fin-ws-017' }).waitFor();
    await ip.locator('#card-open-machine').click();
    const machine = await frameWith(page, 'main#machine');
    const statuses = await machineSections(machine);
    assert.deepEqual(statuses, { overview: 'ready', alerts: 'ready', logonUsers: 'ready', network: 'ready', timeline: 'ready' });
    assert.equal(await machine.locator('#machine-title').textContent(), 'fin-ws-017.corp.contoso.com');
    assert.ok((await machine.locator('#section-alerts .grid-row:not(.grid-head)').count()) >= 3);
    assert.ok((await machine.locator('#section-logonUsers .grid-row:not(.grid-head)').count()) >= 2);
    assert.match((await machine.locator('#machine-facts').textContent()) ?? '', new RegExp(DEMO_HOLDER_ID));
    await screenshot(page, 'machine-c2-dark');
  });

  test('the address only this machine talked to comes first and opens its own investigation in one click', async () => {
    const machine = await frameWith(page, 'main#machine');
    const first = machine.locator('#section-network .vl-rows > .na-row').first();
    assert.equal(await first.locator('.ip-link').textContent(), DEMO_STAGE2_IP);
    assert.match((await first.textContent()) ?? '', /only this machine/);
    await first.locator('.ip-link').click();
    const investigation = await frameWith(page, `h1.address >> text=${DEMO_STAGE2_IP}`);
    await investigation.locator('section[data-section="organization"][data-status="ready"]').waitFor({ timeout: 60_000 });
    assert.match((await investigation.locator('#prevalence-value').textContent()) ?? '', /^1$/, 'one machine in the organisation talked to it');
    await screenshot(page, 'machine-walk-second-address');
  });

  test('"Investigate Machine…" by id: a machine with hostile strings shows them as text and nothing runs', async () => {
    assert.ok(hostile, 'the story has the hostile machine');
    await closeAllEditors(page);
    await findInCommandPalette(page, 'Defender IP: Investigate Machine');
    await page.keyboard.press('Enter');
    await inputFill(page, 'Investigate Machine', hostile.id);
    const machine = await frameWith(page, 'main#machine');
    const statuses = await machineSections(machine);
    assert.equal(statuses.logonUsers, 'ready');
    assert.ok((await machine.locator('#section-logonUsers').textContent())?.includes(HOSTILE_STRINGS.img), 'the hostile account is text');
    assert.ok((await machine.locator('#machine-title').textContent())?.includes(HOSTILE_STRINGS.img), 'the hostile name is text');
    await machine.locator('#machine-timeline-filter').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = 'powershell';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
    await machine.locator('#machine-timeline-count', { hasText: ' of ' }).waitFor();
    assert.ok((await machine.locator('#section-timeline .vl-rows').textContent())?.includes(HOSTILE_STRINGS.script), 'the hostile command line is text');
    const found = await machine.locator('main#machine').evaluate(() => {
      const app = document.getElementById('app') ?? document.body;
      const active = app.querySelectorAll('img, iframe, object, embed, script, a[href], [srcdoc]').length;
      const handlers = [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length;
      return { active, handlers };
    });
    assert.deepEqual(found, { active: 0, handlers: 0 });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(webviewErrors, []);
  });

  test('after a reload the machine panel is restored from its state and fetches again', async () => {
    assert.ok(hostile);
    const machine = await frameWith(page, 'main#machine');
    // The filter typed in the last test is handed to VS Code after a pause (the webview saves its state 150 ms after
    // the filter applies): typed again here, the save that follows is awaited, as the panel's reload test does.
    const saved = (await machine.locator('main#machine').getAttribute('data-saved')) ?? '0';
    await machine.locator('#machine-timeline-filter').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = 'powershell';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
    await machine.locator(`main#machine[data-saved]:not([data-saved="${saved}"])`).waitFor();
    await findInCommandPalette(page, 'Developer: Reload Window');
    await Promise.all([page.waitForEvent('load', { timeout: 90_000 }), page.keyboard.press('Enter')]);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    const restored = await frameWith(page, 'main#machine', 90_000);
    const statuses = await machineSections(restored, 90_000);
    assert.equal(statuses.network, 'ready');
    assert.match((await restored.locator('#machine-facts').textContent()) ?? '', new RegExp(hostile.id));
    assert.equal(await restored.locator('#machine-timeline-filter').evaluate((el) => (el as HTMLElement & { value: string }).value), 'powershell', 'the UI state came back');
  });

  test('the layout holds in a high-contrast theme (screenshot kept)', async () => {
    const row = await findInCommandPalette(page, 'Preferences: Color Theme');
    await row.click();
    await page.locator('.quick-input-widget .quick-input-box input').fill('Dark High Contrast');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark High Contrast' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    const machine = await frameWith(page, 'body.vscode-high-contrast main#machine', 30_000);
    const overflow = await machine.locator('main#machine').evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `overflows by ${overflow}px`);
    for (const s of SECTIONS) assert.ok(await machine.locator(`section[data-section="${s}"]`).isVisible(), `${s} hidden`);
    await screenshot(page, 'machine-high-contrast');
    // Back to the theme the other suites expect.
    const again = await findInCommandPalette(page, 'Preferences: Color Theme');
    await again.click();
    await page.locator('.quick-input-widget .quick-input-box input').fill('Dark Modern');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(webviewErrors, []);
  });
});
