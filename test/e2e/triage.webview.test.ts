// The triage table's browser bundle (dist/triage.js, as packaged) in Chromium, on a page served with the table's CSP
// and a stub acquireVsCodeApi: 10,000 streamed rows virtualised, incremental updates, hostile text inert, keyboard
// navigation and the requests it sends, chips, and the state kept with setState.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Page } from 'playwright-core';
import type { TriageHostMessage, TriageRow, TriageSummary } from '../../src/shared/triageProtocol';
import { emptyVerdictCounts, type TriageVerdict } from '../../src/shared/triageModel';
import { e2eContext } from './context';
import { serveStaticPanel, type StaticPanel } from '../../bench/panel';

const HOSTILE = '<img src=x onerror="window.__pwned=true">';
const THEME =
  ':root{--vscode-foreground:#ccc;--vscode-editor-background:#1e1e1e;--vscode-descriptionForeground:#9d9d9d;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-panel-border:#444;--vscode-textLink-foreground:#3794ff;--vscode-editorError-foreground:#f14c4c;--vscode-editorWarning-foreground:#cca700;--vscode-editorInfo-foreground:#3794ff;--vscode-badge-background:#616161;--vscode-badge-foreground:#fff;--vscode-list-activeSelectionBackground:#04395e;--vscode-focusBorder:#007fd4}';

function summary(extra: Partial<TriageSummary> = {}): TriageSummary {
  return {
    runId: 1,
    state: 'running',
    phase: 'querying',
    source: `big.log ${HOSTILE}`,
    lookback: '7d',
    addresses: 10_000,
    resolved: 0,
    byVerdict: emptyVerdictCounts(),
    batchesDone: 0,
    batchesTotal: 40,
    calls: { hunting: 0, findbyip: 0, cacheHits: 0 },
    bytesScanned: 1 << 20,
    occurrences: 20_000,
    notes: [],
    demo: true,
    startedAt: new Date().toISOString(),
    ...extra,
  };
}

const VERDICTS: TriageVerdict[] = ['alerts', 'seen', 'not-seen', 'internal', 'not-seen', 'not-seen', 'skipped'];

function rows(n: number): TriageRow[] {
  return Array.from({ length: n }, (_, i) => {
    const verdict = VERDICTS[i % VERDICTS.length];
    return {
      ip: `45.${(i >> 8) & 255}.${i & 255}.7`,
      version: 4 as const,
      ipClass: 'public',
      internal: false,
      verdict,
      ...(verdict === 'alerts' || verdict === 'seen' ? { machines: (i % 50) + 1 } : {}),
      ...(verdict === 'alerts' ? { alertCount: 2, severities: ['High', 'Low'] } : { severities: [] }),
      occurrences: (i % 9) + 1,
      files: 1,
      where: `big.log:${i + 1}:10`,
      ...(i === 3 ? { detail: HOSTILE } : {}),
      problems: 0,
      fromCache: false,
    };
  });
}

/** Posts host messages; resolves once the table has rendered them (or, when `ignored`, after two frames without waiting for a render). */
async function deliver(page: Page, messages: TriageHostMessage[], ignored = false): Promise<void> {
  await page.evaluate(
    async ([msgs, none]) => {
      const rendered = none
        ? new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))
        : new Promise<void>((resolve) => document.addEventListener('ipinv:triage-rendered', () => resolve(), { once: true }));
      for (const data of msgs) window.dispatchEvent(new MessageEvent('message', { data }));
      await rendered;
    },
    [messages, ignored] as const,
  );
}

function sent(page: Page): Promise<{ kind: string; id?: number; request?: { type: string; ip?: string; ips?: string[] } }[]> {
  return page.evaluate(() => (window as unknown as { __sent: { kind: string; id?: number; request?: { type: string; ip?: string; ips?: string[] } }[] }).__sent);
}

suite('Triage table webview (dist/triage.js in Chromium, stub host)', () => {
  let server: StaticPanel;
  let page: Page;
  const errors: string[] = [];

  suiteSetup(async () => {
    server = await serveStaticPanel('dark', undefined, { script: '/dist/triage.js', css: '/media/triage.css', themeCss: THEME });
    page = await e2eContext().browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text());
    });
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { __sent: { kind: string }[] }).__sent.some((m) => m.kind === 'ready'), undefined, { timeout: 15_000 });
  });

  suiteTeardown(async () => {
    await page?.close();
    await server?.close();
  });

  test('a `ready` the host does not answer is said again, once a second, until the host answers', async () => {
    const readies = async () => (await sent(page)).filter((m) => m.kind === 'ready').length;
    await page.waitForFunction(() => (window as unknown as { __sent: { kind: string }[] }).__sent.filter((m) => m.kind === 'ready').length >= 2, undefined, { timeout: 5_000 });
    await deliver(page, [{ kind: 'reset', summary: summary() }]);
    const answered = await readies();
    await page.waitForTimeout(2_500);
    assert.equal(await readies(), answered, 'no ready after the host answered');
  });

  test('10,000 rows streamed in chunks: only a screenful is in the DOM, the last row renders when scrolled to', async () => {
    const all = rows(10_000);
    await deliver(page, [{ kind: 'reset', summary: summary() }]);
    for (let i = 0; i < all.length; i += 2000) await deliver(page, [{ kind: 'rows', runId: 1, rows: all.slice(i, i + 2000) }]);
    await page.locator('main#triage[data-total="10000"][data-shown="10000"]').waitFor();
    const inDom = await page.locator('.t-body .t-row').count();
    assert.ok(inDom > 10 && inDom < 80, `${inDom} rows in the DOM`);
    await page.locator('#sort-ip').click();
    await page.locator('#triage-grid').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('.t-body .t-row[data-ip="45.39.15.7"]').waitFor({ timeout: 5_000 });
    assert.ok((await page.locator('.t-body .t-row').count()) < 80);
    await page.locator('#triage-grid').evaluate((el) => (el.scrollTop = 0));
    await page.locator('.t-body .t-row[data-ip="45.0.0.7"]').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: path.join(e2eContext().resultsDir, 'triage-webview-10k.png') });
  });

  test('hostile text from files and the API shows as text; nothing runs', async () => {
    await page.locator('#sort-ip').click(); // descending
    await page.locator('#sort-ip').click(); // ascending again: row 4 (45.0.3.7) is near the top
    const row = page.locator('.t-row[data-ip="45.0.3.7"] .col-detail');
    assert.equal(await row.textContent(), HOSTILE);
    assert.equal(await page.locator('#triage-source').textContent(), `Triage: big.log ${HOSTILE}`);
    const found = await page.evaluate(() => ({
      active: document.querySelectorAll('#app img, #app iframe, #app script, #app a[href], #app [srcdoc]').length,
      handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
      pwned: (window as unknown as { __pwned?: boolean }).__pwned === true,
    }));
    assert.deepEqual(found, { active: 0, handlers: 0, pwned: false });
  });

  test('rows update in place as batches land; a cancelled run says its results are partial', async () => {
    const updated: TriageRow = { ...rows(1)[0], verdict: 'alerts', alertCount: 9, severities: ['Medium'], machines: 77 };
    await deliver(page, [
      { kind: 'rows', runId: 1, rows: [updated, { ...rows(1)[0], ip: '2001:db8::99', version: 6, verdict: 'unknown', severities: [] }] },
      { kind: 'summary', summary: summary({ state: 'cancelled', phase: 'done', resolved: 5000 }) },
    ]);
    await page.locator('main#triage[data-total="10001"][data-state="cancelled"]').waitFor();
    const cell = page.locator('.t-row[data-ip="45.0.0.7"]');
    assert.equal(await cell.getAttribute('data-verdict'), 'alerts');
    assert.equal(await cell.locator('.col-alerts').textContent(), '9 · Medium');
    assert.match((await page.locator('#triage-state').textContent()) ?? '', /Cancelled: partial results/);
    // Rows of another run are ignored.
    await deliver(page, [{ kind: 'rows', runId: 2, rows: [{ ...rows(1)[0], ip: '1.2.3.4' }] }], true);
    assert.equal(await page.locator('main#triage').getAttribute('data-total'), '10001');
  });

  test('keyboard: arrows move the active row, Enter asks to investigate it, Shift+Enter to show it in its file', async () => {
    await page.locator('#triage-grid').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    const active = page.locator('.t-row.active');
    await active.waitFor();
    const ip = await active.getAttribute('data-ip');
    assert.ok(ip);
    assert.equal(await page.locator('#triage-grid').getAttribute('aria-activedescendant'), await active.getAttribute('id'));
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.press('End');
    await page.locator('.t-row.active[data-ip="2001:db8::99"]').waitFor();
    await page.waitForFunction((n) => (window as unknown as { __sent: unknown[] }).__sent.length >= n, 3);
    const requests = (await sent(page)).filter((m) => m.kind === 'request').map((m) => m.request);
    assert.deepEqual(requests.slice(-2), [
      { type: 'open', ip },
      { type: 'reveal', ip },
    ]);
  });

  test('the row buttons, the chips and the filter; sort, filter and chips are kept with setState', async () => {
    await page.locator('#triage-grid').focus();
    await page.keyboard.press('Home');
    await page.locator('.t-row.active[data-ip="45.0.0.7"]').waitFor();
    await page.locator('.t-row[data-ip="45.0.0.7"] .row-action.open').click();
    await page.waitForFunction(() => (window as unknown as { __sent: { request?: { type: string; ip?: string } }[] }).__sent.some((m) => m.request?.type === 'open' && m.request.ip === '45.0.0.7'));
    await page.locator('#chip-internal').click();
    await page.locator('main#triage[data-shown="1429"]').waitFor();
    await page.locator('#triage-filter').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = '45.1.';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
    await page.locator('main#triage[data-shown="36"]').waitFor();
    assert.match((await page.locator('#triage-shown').textContent()) ?? '', /^36 of 10,001 addresses$/);
    await page.waitForFunction(() => {
      const s = (window as unknown as { __state?: { filter?: string; verdicts?: string[]; sort?: { key: string } } }).__state;
      return s?.filter === '45.1.' && s.verdicts?.join() === 'internal' && s.sort?.key === 'ip';
    });
    await page.locator('#triage-export').click();
    await page.waitForFunction(() => (window as unknown as { __sent: { request?: { type: string } }[] }).__sent.some((m) => m.request?.type === 'export'));
    assert.deepEqual(errors, []);
  });

  test('indicators: the column chip, the "with indicator" chip, rows selected by box or Space, the bulk requests name them', async () => {
    await page.locator('#chip-all').click();
    await page.locator('#triage-filter').evaluate((el) => {
      (el as HTMLElement & { value: string }).value = '';
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    });
    const base = rows(3);
    await deliver(page, [
      { kind: 'reset', summary: summary({ state: 'done', phase: 'done', addresses: 3, resolved: 3 }) },
      { kind: 'rows', runId: 1, rows: [{ ...base[0], indicator: 'Block', indicatorTitle: HOSTILE, indicatorExpires: '2027-01-10T00:00:00Z' }, { ...base[1], indicator: 'Allowed', indicatorTitle: 'partner' }, base[2]] },
    ]);
    await page.locator('main#triage[data-total="3"]').waitFor();
    assert.equal(await page.locator(`.t-row[data-ip="${base[0].ip}"] .col-indicator .chip-indicator.block`).textContent(), 'Block');
    assert.match((await page.locator(`.t-row[data-ip="${base[0].ip}"] .col-indicator`).getAttribute('title')) ?? '', /^Block: <img .*\(expires 2027-01-10 00:00 UTC\)$/);
    assert.equal(await page.locator('#triage-add-indicators').getAttribute('disabled'), '', 'nothing selected yet');
    await page.locator('#chip-indicator').click();
    await page.locator('main#triage[data-shown="2"]').waitFor();
    await page.locator('#chip-indicator').click();
    await page.locator('main#triage[data-shown="3"]').waitFor();
    await page.locator(`.t-row[data-ip="${base[0].ip}"] .row-select`).check();
    await page.locator('#triage-grid').focus();
    await page.keyboard.press('End');
    await page.locator(`.t-row.active[data-ip="${base[2].ip}"]`).waitFor();
    await page.keyboard.press(' ');
    await page.locator('main#triage[data-selected="2"]').waitFor();
    assert.equal(await page.locator('#triage-add-indicators').textContent(), 'Add indicators (2)…');
    assert.equal(await page.locator('#triage-remove-indicators').textContent(), 'Remove indicators (1)…', 'only the selected row with an indicator');
    await page.locator('#triage-add-indicators').click();
    await page.locator('#triage-remove-indicators').click();
    await page.waitForFunction(() => (window as unknown as { __sent: { request?: { type: string } }[] }).__sent.some((m) => m.request?.type === 'removeIndicators'));
    const requests = (await sent(page)).flatMap((m) => (m.request && (m.request.type === 'addIndicators' || m.request.type === 'removeIndicators') ? [m.request] : []));
    assert.deepEqual(requests, [
      { type: 'addIndicators', ips: [base[0].ip, base[2].ip] },
      { type: 'removeIndicators', ips: [base[0].ip] },
    ]);
    await page.locator('#select-all').check();
    await page.locator('main#triage[data-selected="3"]').waitFor();
    assert.deepEqual(errors, []);
  });
});
