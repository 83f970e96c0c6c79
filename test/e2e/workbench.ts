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
  // As a user does: Enter once the highlighted row is the command (the list may still be filtering the text just typed).
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The text shown in the Output panel's editor. */
export function outputPanelText(page: Page): Locator {
  return page.locator('.part.panel .monaco-editor .view-lines');
}

/** The investigation panel's document: code-server nests the webview in two iframes. */
export function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** Waits until the panel has painted and no section is loading; the status of each section. */
export async function waitForSections(frame: FrameLocator, timeoutMs = 60_000): Promise<Record<string, string>> {
  await frame.locator('main#panel[data-ready="true"]').waitFor({ timeout: timeoutMs });
  // Playwright polls until no section is loading (or the deadline).
  await frame.locator('section[data-section][data-status="loading"]').first().waitFor({ state: 'detached', timeout: timeoutMs });
  const pairs = await frame
    .locator('main#panel')
    .evaluate((main) => [...main.querySelectorAll<HTMLElement>('section[data-section]')].map((s): [string, string] => [s.dataset.section ?? '', s.dataset.status ?? '']));
  return Object.fromEntries(pairs);
}

/** The document of the webview whose content matches `selector` (whichever of the open webviews it is). */
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

/** Runs "Investigate IP Address…" as a user would: the command opens an input box (and a time box for internal addresses). */
export async function investigate(page: Page, ip: string, time?: string): Promise<void> {
  // Not runFromCommandPalette: the command's own input box follows the palette at once, so the widget never hides.
  await findInCommandPalette(page, 'Defender IP: Investigate IP Address');
  await page.keyboard.press('Enter');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Investigate IP Address' }).waitFor({ state: 'visible' });
  await input.fill(ip);
  await page.keyboard.press('Enter');
  if (time !== undefined) {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /time/i }).waitFor({ state: 'visible' });
    await input.fill(time);
    await page.keyboard.press('Enter');
  }
}

/** Opens a workspace file by name with Quick Open, and waits for a line with `text`. */
export async function openFile(page: Page, name: string, text: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget .quick-input-box input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.editor-instance .view-lines .view-line', { hasText: text }).first().waitFor();
}

/**
 * In the page: whether an extension decoration (a `ced-` element with a background or a border) covers an occurrence
 * of `ip` in the rendered editor lines. Evaluated with page.evaluate.
 */
export function decorationProbe(ip: string): { ok: boolean; classes?: string; targets?: number[][]; decorations?: string[]; lines?: number } {
  // Every rendered occurrence of the address: the rectangle of its text.
  const targets: DOMRect[] = [];
  for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
    // The address may span several text nodes (syntax tokens, inline decorations): map offsets to nodes.
    const nodes: { node: Node; from: number }[] = [];
    let text = '';
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      nodes.push({ node: n, from: text.length });
      text += n.textContent ?? '';
    }
    const at = (offset: number): { node: Node; offset: number } | undefined => {
      for (let k = nodes.length - 1; k >= 0; k--) if (nodes[k].from <= offset) return { node: nodes[k].node, offset: offset - nodes[k].from };
      return undefined;
    };
    for (let i = text.indexOf(ip); i >= 0; i = text.indexOf(ip, i + 1)) {
      const a = at(i);
      const b = at(i + ip.length - 1);
      if (!a || !b) continue;
      const r = document.createRange();
      r.setStart(a.node, a.offset);
      r.setEnd(b.node, b.offset + 1);
      targets.push(r.getBoundingClientRect());
    }
  }
  // Extension decorations are rendered with `ced-` classes (overlays behind the text, inline spans in it).
  const decorations = [...document.querySelectorAll('.monaco-editor [class*="ced-"]')];
  for (const target of targets) {
    const over = decorations.filter((d) => {
      const b = d.getBoundingClientRect();
      return b.width > 0 && b.left < target.right - 1 && b.right > target.left + 1 && b.top < target.bottom && b.bottom > target.top;
    });
    const painted = over.filter((d) => {
      const st = getComputedStyle(d);
      return st.backgroundColor !== 'rgba(0, 0, 0, 0)' || st.borderTopStyle !== 'none';
    });
    if (painted.length > 0) return { ok: true, classes: painted.map((d) => d.className).join(' ') };
  }
  return {
    ok: false,
    targets: targets.map((t) => [Math.round(t.left), Math.round(t.top), Math.round(t.width)]),
    decorations: decorations.slice(0, 8).map((d) => {
      const b = d.getBoundingClientRect();
      return `${d.className}@${Math.round(b.left)},${Math.round(b.top)},${Math.round(b.width)}`;
    }),
    lines: document.querySelectorAll('.monaco-editor .view-lines .view-line').length,
  };
}

/** Polls until a decoration covers `ip` in the visible editor (or the deadline); the last probe. */
export async function waitForDecoration(page: Page, ip: string, timeoutMs = 30_000): Promise<ReturnType<typeof decorationProbe>> {
  const deadline = Date.now() + timeoutMs;
  let last = await page.evaluate(decorationProbe, ip);
  while (!last.ok && Date.now() < deadline) {
    await page.waitForTimeout(250);
    last = await page.evaluate(decorationProbe, ip);
  }
  return last;
}
