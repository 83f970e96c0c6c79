// The panel's browser bundle (dist/webview.js, as packaged) in Chromium, on a page served with the panel's
// CSP and a stub acquireVsCodeApi: every state of every section, hostile strings inert, virtual scrolling,
// filtering, sorting, requests to the host, saved state, and the layout in dark and high-contrast themes.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Page } from 'playwright-core';
import { BENCH_HOSTILE, benchMessages, deliver, serveStaticPanel, typeFilter, type StaticPanel } from '../../bench/panel';
import type { HostMessage } from '../../src/shared/protocol';
import { e2eContext } from './context';

interface Watch {
  dialogs: string[];
  errors: string[];
}

async function open(server: StaticPanel): Promise<{ page: Page; watch: Watch }> {
  const page = await e2eContext().browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The static server has no favicon; anything else logged as an error counts (CSP violations included).
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) watch.errors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { __sent: { kind: string }[] }).__sent.some((m) => m.kind === 'ready'), undefined, { timeout: 15_000 });
  return { page, watch };
}

function sent(page: Page): Promise<{ kind: string; id?: number; request?: Record<string, unknown> }[]> {
  return page.evaluate(() => (window as unknown as { __sent: { kind: string; id?: number; request?: Record<string, unknown> }[] }).__sent);
}

async function statuses(page: Page): Promise<Record<string, string>> {
  const pairs = await page.$$eval('section[data-section]', (els) => els.map((e): [string, string] => [(e as HTMLElement).dataset.section ?? '', (e as HTMLElement).dataset.status ?? '']));
  return Object.fromEntries(pairs);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(e2eContext().resultsDir, `${name}.png`), fullPage: true });
}

/** No element or attribute that could run code came out of the data. */
async function assertInert(page: Page): Promise<void> {
  const found = await page.evaluate(() => {
    const app = document.getElementById('app') ?? document.body;
    const active = app.querySelectorAll('img, iframe, object, embed, script, a[href], [srcdoc]').length + document.querySelectorAll('script:not([src])').length;
    const handlers = [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length;
    return { active, handlers, pwned: (window as unknown as { __pwned?: boolean }).__pwned === true };
  });
  assert.deepEqual(found, { active: 0, handlers: 0, pwned: false });
}

suite('Panel webview (dist/webview.js in Chromium, stub host)', () => {
  let dark: StaticPanel;
  let contrast: StaticPanel;

  suiteSetup(async () => {
    dark = await serveStaticPanel('dark');
    contrast = await serveStaticPanel('high-contrast');
  });

  suiteTeardown(async () => {
    await dark?.close();
    await contrast?.close();
  });

  test('all sections paint from their updates; hostile strings show as text and nothing runs', async () => {
    const { page, watch } = await open(dark);
    try {
      await deliver(page, benchMessages(10_000));
      assert.deepEqual(await statuses(page), { header: 'ready', indicators: 'ready', alerts: 'ready', organization: 'ready', timeline: 'ready', machinesAtTime: 'skipped' });
      assert.equal(await page.locator('#section-indicators .indicator-card[data-action="Block"] .indicator-chip').textContent(), 'Block');
      const text = await page.evaluate(() => document.body.textContent ?? '');
      assert.match(text, /Demo tenant: simulated data/);
      assert.ok(text.includes(BENCH_HOSTILE[0]), 'the alert title with <script> is shown as text');
      assert.ok(text.includes(BENCH_HOSTILE[2]), 'the markdown command link is shown as text');
      assert.ok(text.includes('⟨U+202E⟩'), 'the RTL override is made visible');
      assert.equal(await page.locator('#prevalence-value').textContent(), '40');
      assert.equal(await page.locator('#daily-chart rect.bar').count(), 31);
      await assertInert(page);
      await shot(page, 'panel-webview-dark');
      assert.deepEqual(watch.dialogs, []);
      assert.deepEqual(watch.errors, []);
    } finally {
      await page.close();
    }
  });

  test('10,000 events: only the visible rows are in the DOM, and scrolling renders the oldest', async () => {
    const { page } = await open(dark);
    try {
      const messages = benchMessages(10_000);
      await deliver(page, messages);
      const rows = await page.locator('.vl-rows > .tl-row').count();
      assert.ok(rows > 5 && rows < 60, `${rows} rows in the DOM`);
      await page.locator('.vl-viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
      const timeline = messages.find((m): m is Extract<HostMessage, { kind: 'section' }> => m.kind === 'section' && m.section === 'timeline');
      assert.ok(timeline?.state === 'ready' && timeline.payload.section === 'timeline');
      const oldest = timeline.payload.events[timeline.payload.events.length - 1].timestamp;
      const shown = `${oldest.slice(0, 10)} ${oldest.slice(11, 19)} UTC`;
      await page.locator('.vl-rows > .tl-row', { hasText: shown }).first().waitFor({ state: 'visible', timeout: 5_000 });
      assert.ok((await page.locator('.vl-rows > .tl-row').count()) < 60);
    } finally {
      await page.close();
    }
  });

  test('the filter narrows the timeline as you type and is kept with setState', async () => {
    const { page } = await open(dark);
    try {
      await deliver(page, benchMessages(10_000));
      const r = await typeFilter(page, 'ws-001');
      const m = /^([\d,]+) of 10,000 events on 1 machines$/.exec(r.count);
      assert.ok(m, r.count);
      const cells = await page.$$eval('.vl-rows > .tl-row .machine-link', (els) => els.map((e) => e.textContent ?? ''));
      assert.ok(cells.length > 0 && cells.every((c) => c === 'ws-001.corp.contoso.com'), cells.join(', '));
      const none = await typeFilter(page, 'no-such-machine-anywhere');
      assert.equal(none.count, '0 of 10,000 events on 0 machines');
      await page.waitForFunction(() => {
        const s = (window as unknown as { __state?: { ip: string; ui?: { timelineFilter?: string } } }).__state;
        return s?.ip === '198.51.100.23' && s.ui?.timelineFilter === 'no-such-machine-anywhere';
      });
    } finally {
      await page.close();
    }
  });

  test('alerts sort by a header click and filter by severity', async () => {
    const { page } = await open(dark);
    try {
      await deliver(page, benchMessages(1_000));
      const severities = () => page.$$eval('#section-alerts .grid-row:not(.grid-head) .grid-cell:first-child', (els) => els.map((e) => e.textContent));
      await page.locator('#section-alerts .grid-head .grid-cell', { hasText: 'Severity' }).click();
      const desc = await severities();
      assert.equal(desc[0], 'High');
      assert.equal(desc[desc.length - 1], 'Informational');
      await page.locator('#section-alerts .grid-head .grid-cell', { hasText: 'Severity' }).click();
      assert.equal((await severities())[0], 'Informational');
      await page.locator('#alerts-filter').evaluate((el) => {
        (el as HTMLElement & { value: string }).value = '#12';
        el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      });
      await page.locator('#section-alerts .summary', { hasText: '1 of 60 alerts' }).waitFor();
    } finally {
      await page.close();
    }
  });

  test('a machine click asks the host to reveal it and shows its details card', async () => {
    const { page } = await open(dark);
    try {
      const messages = benchMessages(500);
      await deliver(page, messages);
      // ws-002 is among the machines whose details were loaded.
      await typeFilter(page, 'ws-002');
      const link = page.locator('.vl-rows > .tl-row .machine-link').first();
      const name = await link.textContent();
      await link.click();
      await page.locator('#machine-card .machine-name', { hasText: name ?? '' }).waitFor();
      const card = (await page.locator('#machine-card').textContent()) ?? '';
      for (const label of ['OS', 'Risk', 'Health', 'Exposure', 'Last seen', 'IP addresses', 'Tags']) assert.ok(card.includes(label), `card lacks ${label}: ${card}`);
      const reveal = (await sent(page)).find((m) => m.kind === 'request' && m.request?.type === 'revealMachine');
      assert.ok(reveal && typeof reveal.id === 'number' && typeof reveal.request?.machineId === 'string');
      await page.locator('#card-portal').click();
      await page.waitForFunction(() =>
        (window as unknown as { __sent: { request?: { type?: string; target?: string } }[] }).__sent.some((m) => m.request?.type === 'openPortal' && m.request.target === 'machine'),
      );
    } finally {
      await page.close();
    }
  });

  test('the period switch asks the host to re-query with the new look-back', async () => {
    const { page } = await open(dark);
    try {
      await deliver(page, benchMessages(100));
      await page.locator('#period').click();
      await page.locator('#period vscode-option[value="7d"]').click();
      await page.waitForFunction(() =>
        (window as unknown as { __sent: { request?: { type?: string; lookback?: string } }[] }).__sent.some((m) => m.request?.type === 'setLookback' && m.request.lookback === '7d'),
      );
      // The host answers with a run for the period's sections: they show as loading until their data arrives.
      await deliver(page, [{ kind: 'run', runId: 2, identity: { ip: '198.51.100.23', lookback: '7d' }, sections: ['stats', 'timeline'] }]);
      const s = await statuses(page);
      assert.equal(s.organization, 'loading');
      assert.equal(s.timeline, 'loading');
      assert.equal(s.alerts, 'ready', 'alerts do not depend on the period');
    } finally {
      await page.close();
    }
  });

  test('error, partial and empty states say what happened and how to fix it', async () => {
    const { page } = await open(dark);
    try {
      const all = benchMessages(200);
      const init = all.slice(0, 2);
      const permission = { source: 'alerts' as const, kind: 'permission', message: 'Access denied: this needs the Alert.Read.All permission.', remedy: 'Grant Alert.Read.All to the app registration.', permission: 'Alert.Read.All', requestId: 'req-1' };
      await deliver(page, [
        ...init,
        { kind: 'section', runId: 1, section: 'alerts', state: 'failed', problem: permission },
        { kind: 'section', runId: 1, section: 'stats', state: 'ready', payload: { section: 'stats', stats: { prevalence: 0, cachedAt: new Date().toISOString() } } },
        { kind: 'section', runId: 1, section: 'daily', state: 'ready', payload: { section: 'daily', points: [] } },
        ...all.filter((m) => m.kind === 'section' && m.section === 'timeline'),
        { kind: 'section', runId: 1, section: 'machines', state: 'failed', problem: { source: 'machines', kind: 'timeout', message: 'The hunting query timed out.', remedy: 'Retry.' } },
        {
          kind: 'indicators',
          view: {
            state: 'failed',
            indicators: [],
            problem: { message: 'Indicators cannot be read or written: this needs Ti.ReadWrite; sign in with an app or role that has it.', permission: 'Ti.ReadWrite / Ti.ReadWrite.All' },
            write: { enabled: false, reason: 'needs Ti.ReadWrite; sign in with an app or role that has it' },
            history: [],
          },
        },
      ]);
      const s = await statuses(page);
      // Without the permission the write action is shown disabled, with the reason.
      assert.equal(s.indicators, 'error');
      assert.match((await page.locator('#section-indicators').textContent()) ?? '', /needs Ti\.ReadWrite; sign in with an app or role that has it/);
      assert.equal(await page.locator('#indicator-add').getAttribute('disabled'), '');
      assert.match((await page.locator('#indicator-add').getAttribute('title')) ?? '', /^Writing indicators needs Ti\.ReadWrite/);
      assert.equal(s.alerts, 'error');
      assert.equal(s.organization, 'empty');
      assert.equal(s.timeline, 'partial');
      const alerts = (await page.locator('#section-alerts').textContent()) ?? '';
      assert.match(alerts, /Access denied: this needs the Alert\.Read\.All permission\./);
      assert.match(alerts, /Grant Alert\.Read\.All/);
      assert.match(alerts, /Request id: req-1/);
      assert.match((await page.locator('#section-organization').textContent()) ?? '', /This address was not observed in your organisation/);
      await page.locator('#section-alerts vscode-button', { hasText: 'Retry' }).click();
      await page.waitForFunction(() =>
        (window as unknown as { __sent: { request?: { type?: string; section?: string } }[] }).__sent.some((m) => m.request?.type === 'retry' && m.request.section === 'alerts'),
      );
      await shot(page, 'panel-webview-states');
    } finally {
      await page.close();
    }
  });

  test('machines at a time: the 30-day rule is explained before any request; a refusal shows inline', async () => {
    const { page } = await open(dark);
    try {
      const ip = '10.248.240.38';
      const identity = { ip, lookback: '7d' as const };
      await deliver(page, [
        { kind: 'init', identity, facts: { ip, version: 4, ipClass: 'private', internal: true, defanged: false, leadingZeros: false }, demo: false, rdapEnabled: true, now: new Date().toISOString() },
        { kind: 'run', runId: 1, identity, sections: ['machinesAtTime'] },
        { kind: 'section', runId: 1, section: 'machinesAtTime', state: 'skipped', reason: 'No time given: choose a time to see which machine held this address then.' },
      ]);
      assert.match((await page.locator('#thirty-day-rule').textContent()) ?? '', /past 30 days/);
      assert.equal((await sent(page)).filter((m) => m.kind === 'request').length, 0, 'nothing asked yet');
      await page.locator('#at-input').evaluate((el) => {
        (el as HTMLElement & { value: string }).value = '45d ago';
        el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      });
      await page.locator('#at-lookup').click();
      await page.waitForFunction(() => (window as unknown as { __sent: { request?: { type?: string } }[] }).__sent.some((m) => m.request?.type === 'lookupAt'));
      const req = (await sent(page)).find((m) => m.request?.type === 'lookupAt');
      assert.equal(req?.request?.at, '45d ago');
      await deliver(page, [{ kind: 'response', id: req?.id ?? -1, ok: false, error: 'The time is more than 30 days ago.' }]);
      await page.locator('#at-message', { hasText: 'more than 30 days ago' }).waitFor();
    } finally {
      await page.close();
    }
  });

  test('high-contrast theme: the layout holds (no horizontal overflow) with long hostile values', async () => {
    const { page, watch } = await open(contrast);
    try {
      await deliver(page, benchMessages(2_000));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `overflows by ${overflow}px`);
      assert.equal(await page.evaluate(() => document.body.classList.contains('vscode-high-contrast')), true);
      await assertInert(page);
      await shot(page, 'panel-webview-high-contrast');
      assert.deepEqual(watch.errors, []);
    } finally {
      await page.close();
    }
  });
});
