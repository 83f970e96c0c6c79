// The packaged extension in the real workbench: installed from the .vsix, the workbench opens the samples, the command
// palette finds and runs "Defender IP: Show Log", and the Output panel shows the extension's channel and activation line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Page } from 'playwright-core';
import manifest from '../../package.json';
import { e2eContext } from './context';
import { findInCommandPalette, outputPanelText, runFromCommandPalette, screenshot } from './workbench';

suite('Workbench with the packaged extension', () => {
  let page: Page;

  suiteSetup(async () => {
    page = await e2eContext().openWorkbench();
    // The window has finished starting once the extension (activated on startup finished) shows its status bar item.
    // A command run earlier can have its Output panel closed again as the workbench restores its layout: CI once ran
    // Show Log 1 s after the page loaded, before startup finished, and the panel never appeared.
    await page.locator('.part.statusbar').getByText(/Demo tenant/).first().waitFor({ state: 'visible', timeout: 60_000 });
  });

  suiteTeardown(async () => {
    await page?.context().close();
  });

  test('the installed extension is the .vsix content, not the source tree', () => {
    const installed = path.join(e2eContext().extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    assert.equal(fs.lstatSync(installed).isSymbolicLink(), false);
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'extension.js')), 'dist/extension.js is missing');
    for (const devOnly of ['src', 'node_modules', 'test', 'tsconfig.json']) {
      assert.equal(fs.existsSync(path.join(installed, devOnly)), false, `${devOnly} was packaged`);
    }
  });

  test('first contact in the Marketplace sense: a 128x128 icon, a changelog, no placeholder links', () => {
    const installed = path.join(e2eContext().extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    const shipped = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(shipped.icon, 'media/icon.png');
    const png = fs.readFileSync(path.join(installed, 'media', 'icon.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'IHDR width and height');
    // vsce stores the changelog under its own (lower-case) name.
    const changelog = fs.readdirSync(installed).find((f) => f.toLowerCase() === 'changelog.md');
    assert.ok(changelog, 'the changelog ships');
    assert.match(fs.readFileSync(path.join(installed, changelog), 'utf8'), /^# Changelog/);
    for (const key of ['repository', 'bugs', 'homepage']) {
      const value = JSON.stringify(shipped[key] ?? '');
      assert.doesNotMatch(value, /example\.(invalid|com|org)|localhost|todo/i, `${key} is a placeholder: ${value}`);
    }
  });

  test('the workbench opens the samples folder', async () => {
    const explorer = page.locator('.part.sidebar');
    await explorer.getByText(/^samples$/i).first().waitFor({ state: 'visible' });
    // Any top-level entry of the copy will do (the explorer sorts and virtualises its rows).
    const names = fs.readdirSync(e2eContext().workspaceDir);
    assert.ok(names.length > 0, 'the workspace is empty');
    const anyName = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
    await explorer.locator('.monaco-list-row').filter({ hasText: anyName }).first().waitFor({ state: 'visible' });
    await screenshot(page, 'workbench');
  });

  test('the command palette lists "Defender IP: Show Log"', async () => {
    const row = await findInCommandPalette(page, 'Defender IP: Show Log');
    assert.match((await row.textContent()) ?? '', /Defender IP: Show Log/);
    await screenshot(page, 'command-palette');
    await page.keyboard.press('Escape');
  });

  test('running it shows the "Defender IP Investigator" output channel with the activation line', async () => {
    await runFromCommandPalette(page, 'Defender IP: Show Log');
    // \s: the editor renders spaces as U+00A0.
    await outputPanelText(page).filter({ hasText: /Activated\s+in\s+\d/ }).waitFor({ state: 'visible' });
    const selected = await page.locator('.part.panel select.monaco-select-box').first().evaluate((el) => {
      const select = el as HTMLSelectElement;
      return select.options[select.selectedIndex]?.text ?? '';
    });
    assert.equal(selected, 'Defender IP Investigator');
    await screenshot(page, 'output-channel');
  });

  test('the Machines view welcome on the demo tenant offers the demo address, not the tenant you are on', async () => {
    // Read from the setting (the default is the demo tenant), so it holds before the extension has activated too.
    await page.locator('.activitybar a[aria-label^="Defender IP"]').first().click();
    const welcome = page.locator('.welcome-view-content').filter({ hasText: 'Investigated addresses' }).first();
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await welcome.innerText();
    assert.match(text, /You are on the demo tenant/);
    assert.match(text, /Investigate the Demo C2 Address/);
    assert.doesNotMatch(text, /Try the Demo Tenant/);
    await screenshot(page, 'machines-welcome-demo');
  });
});
