// The machine panel's browser bundle (dist/machine.js, as packaged) in Chromium, on a page served with the panel's CSP
// and a stub acquireVsCodeApi: every section paints, hostile strings stay text and nothing runs, 5,000 remote addresses
// are virtualised rarest first, the split, filter, sort and triage send the right requests, the failure states name
// what to do, the UI state is kept, and the layout holds in a high-contrast theme.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Page } from 'playwright-core';
import { MACHINE_HOSTILE, RARE_IP, machineMessages } from '../../bench/machineMessages';
import { benchMessages, deliver, serveStaticPanel, type StaticPanel } from '../../bench/panel';
import type { MachineHostMessage } from '../../src/shared/machineProtocol';
import { emptyVerdictCounts } from '../../src/shared/triageModel';
import type { TriageHostMessage, TriageSummary } from '../../src/shared/triageProtocol';
import { e2eContext } from './context';

const FILES = { script: '/dist/machine.js', css: '/media/panel.css', extraCss: '/media/machine.css' } as const;

interface Sent {
  kind: string;
  id?: number;
  request?: Record<string, unknown>;
}

async function open(server: StaticPanel): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await e2eContext().browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { __sent: Sent[] }).__sent.some((m) => m.kind === 'ready'), undefined, { timeout: 15_000 });
  return { page, errors, dialogs };
}

const sent = (page: Page): Promise<Sent[]> => page.evaluate(() => (window as unknown as { __sent: Sent[] }).__sent);

async function requestOf(page: Page, type: string): Promise<Record<string, unknown>> {
  await page.waitForFunction((t) => (window as unknown as { __sent: Sent[] }).__sent.some((m) => m.request?.type === t), type, { timeout: 5_000 });
  const all = await sent(page);
  const found = all.filter((m) => m.request?.type === type).at(-1)?.request;
  assert.ok(found, type);
  return found;
}

async function statuses(page: Page): Promise<Record<string, string>> {
  const pairs = await page.$$eval('section[data-section]', (els) => els.map((e): [string, string] => [(e as HTMLElement).dataset.section ?? '', (e as HTMLElement).dataset.status ?? '']));
  return Object.fromEntries(pairs);
}

async function assertInert(page: Page): Promise<void> {
  const found = await page.evaluate(() => {
    const app = document.getElementById('app') ?? document.body;
    const active = app.querySelectorAll('img, iframe, object, embed, script, a[href], [srcdoc]').length + document.querySelectorAll('script:not([src])').length;
    const handlers = [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length;
    return { active, handlers };
  });
  assert.deepEqual(found, { active: 0, handlers: 0 });
}

async function setField(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).evaluate((el, v) => {
    (el as HTMLElement & { value: string }).value = v;
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }, value);
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(e2eContext().resultsDir, `${name}.png`), fullPage: true });

suite('Machine panel webview (dist/machine.js in Chromium, stub host)', () => {
  let dark: StaticPanel;
  let contrast: StaticPanel;

  suiteSetup(async () => {
    dark = await serveStaticPanel('dark', undefined, FILES);
    contrast = await serveStaticPanel('high-contrast', undefined, FILES);
  });

  suiteTeardown(async () => {
    await dark?.close();
    await contrast?.close();
  });

  test('every section paints; hostile strings show as text and nothing runs', async () => {
    const { page, errors, dialogs } = await open(dark);
    try {
      await deliver(page, machineMessages({ remotes: 300, events: 2_000 }));
      assert.deepEqual(await statuses(page), { overview: 'ready', alerts: 'ready', logonUsers: 'ready', network: 'ready', timeline: 'ready' });
      assert.equal(await page.locator('#machine-title').textContent(), 'fin-ws-017.corp.contoso.com');
      const text = (await page.locator('main#machine').textContent()) ?? '';
      for (const label of ['Windows11 23H2 build 22631', 'Finance-Workstations', '8daf757e-1db9-4870-8a3b-ed8d1d46081b', 'Last external IP', 'Demo tenant: simulated data']) assert.ok(text.includes(label), label);
      assert.ok(text.includes(MACHINE_HOSTILE[0]), 'the hostile alert title is shown as text');
      assert.ok((await page.locator('#section-logonUsers').textContent())?.includes(MACHINE_HOSTILE[1]), 'the hostile account name is shown as text');
      assert.ok((await page.locator('#section-logonUsers').textContent())?.includes('Yes'), 'the domain admin is marked');
      await assertInert(page);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(errors, []);
      await shot(page, 'machine-webview-dark');
    } finally {
      await page.close();
    }
  });

  test('5,000 remote addresses: virtualised, rarest first; a click investigates the address; hostile processes made visible', async () => {
    const { page } = await open(dark);
    try {
      await deliver(page, machineMessages({ remotes: 5_000, events: 3_000 }));
      const rows = await page.locator('#section-network .vl-rows > .na-row').count();
      assert.ok(rows > 5 && rows < 60, `${rows} address rows in the DOM`);
      const first = page.locator('#section-network .vl-rows > .na-row').first();
      assert.equal(await first.locator('.ip-link').textContent(), RARE_IP);
      assert.match((await first.textContent()) ?? '', /only this machine/);
      assert.match((await page.locator('#network-summary').textContent()) ?? '', /^5,000 remote addresses \([\d,]+ public, [\d,]+ internal\), [\d,]+ seen by this machine alone/);
      await first.locator('.ip-link').click();
      assert.equal((await requestOf(page, 'investigateIp')).ip, RARE_IP);
      // A process name with a right-to-left override is shown with the override made visible.
      await setField(page, '#network-filter', 'invoice');
      await page.locator('#network-summary', { hasText: 'showing' }).waitFor();
      assert.match((await page.locator('#section-network .vl-rows').textContent()) ?? '', /invoice⟨U\+202E⟩txt\.exe/);
      const timelineRows = await page.locator('#section-timeline .vl-rows > .mt-row').count();
      assert.ok(timelineRows > 5 && timelineRows < 60, `${timelineRows} event rows in the DOM`);
    } finally {
      await page.close();
    }
  });

  test('split, filter and sort narrow the list; "Triage these addresses" sends what is shown; the state is kept', async () => {
    const { page } = await open(dark);
    try {
      await deliver(page, machineMessages({ remotes: 900, events: 100 }));
      await page.locator('#network-tab-internal').click();
      const ips = await page.$$eval('#section-network .vl-rows > .na-row .ip-link', (els) => els.map((e) => e.textContent ?? ''));
      assert.ok(ips.length > 0 && ips.every((ip) => ip.startsWith('10.')), ips.join(' '));
      assert.equal(await page.locator('#network-tab-internal').getAttribute('aria-pressed'), 'true');
      // The internal tab already narrows the list ("showing …"): wait for the filter's own count, not that one.
      const before = (await page.locator('#network-summary').textContent()) ?? '';
      await setField(page, '#network-filter', 'rundll32');
      await page.waitForFunction((b) => { const t = document.querySelector('#network-summary')?.textContent ?? ''; return t.includes('showing') && t !== b; }, before);
      const summary = (await page.locator('#network-summary').textContent()) ?? '';
      const shown = Number(/showing ([\d,]+)/.exec(summary)?.[1].replace(/,/g, ''));
      await page.locator('#network-triage').click();
      const triage = await requestOf(page, 'triage');
      assert.ok(Array.isArray(triage.ips));
      assert.equal((triage.ips as string[]).length, shown);
      assert.ok((triage.ips as string[]).every((ip) => ip.startsWith('10.')));
      // Sort by connections, most first.
      await page.locator('#network-tab-all').click();
      await setField(page, '#network-filter', '');
      await page.locator('#network-sort-connections').click();
      const counts = await page.$$eval('#section-network .vl-rows > .na-row span:nth-child(4)', (els) => els.map((e) => Number((e.textContent ?? '').split(' ')[0].replace(/,/g, ''))));
      assert.deepEqual(counts, [...counts].sort((a, b) => b - a), counts.join(','));
      // Identity and UI state were handed to VS Code for the serializer.
      await page.waitForFunction(() => {
        const s = (window as unknown as { __state?: { machineId?: string; ui?: { networkSort?: { key?: string } } } }).__state;
        return s?.machineId !== undefined && s.ui?.networkSort?.key === 'connections';
      });
      const state = await page.evaluate(() => (window as unknown as { __state: { machineId: string; lookback: string; ui: { networkTab: string } } }).__state);
      assert.equal(state.machineId, 'b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02');
      assert.equal(state.lookback, '7d');
      assert.equal(state.ui.networkTab, 'all');
    } finally {
      await page.close();
    }
  });

  test('alerts: an evidence IP investigates it, a title opens the portal; the period asks for a re-query', async () => {
    const { page } = await open(dark);
    try {
      await deliver(page, machineMessages({ remotes: 50, events: 50 }));
      await page.locator('#section-alerts .ip-link', { hasText: RARE_IP }).first().click();
      assert.equal((await requestOf(page, 'investigateIp')).ip, RARE_IP);
      await page.locator('#section-alerts .grid-row:not(.grid-head) .grid-cell.link').first().click();
      assert.equal((await requestOf(page, 'openPortal')).target, 'alert');
      await page.locator('#period').click();
      await page.locator('#period vscode-option[value="30d"]').click();
      assert.equal((await requestOf(page, 'setLookback')).lookback, '30d');
      await deliver(page, [{ kind: 'run', runId: 2, identity: { machineId: 'b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02', lookback: '30d' }, sections: ['network', 'timeline'] }]);
      const s = await statuses(page);
      assert.deepEqual([s.network, s.timeline, s.alerts], ['loading', 'loading', 'ready']);
    } finally {
      await page.close();
    }
  });

  test('failure states: a 403 names the permission with Retry, an unknown machine says so, a partial view keeps the rest', async () => {
    const { page } = await open(dark);
    try {
      const all = machineMessages({ remotes: 20, events: 20 });
      const keep = all.filter((m) => !(m.kind === 'section' && (m.section === 'logonUsers' || m.section === 'overview' || m.section === 'network')));
      const more: MachineHostMessage[] = [
        {
          kind: 'section',
          runId: 1,
          section: 'logonUsers',
          state: 'failed',
          problem: { source: 'logonUsers', kind: 'permission', message: 'Access denied: this needs the User.Read.All permission.', remedy: 'Grant User.Read.All to the app registration.', permission: 'User.Read.All', requestId: 'req-9' },
        },
        { kind: 'section', runId: 1, section: 'overview', state: 'ready', payload: { section: 'overview', machine: null } },
      ];
      await deliver(page, [...keep.slice(0, 2), ...more, ...keep.slice(2)]);
      const s = await statuses(page);
      assert.equal(s.logonUsers, 'error');
      assert.equal(s.overview, 'empty');
      assert.equal(s.network, 'loading', 'the network section has not arrived');
      assert.equal(s.alerts, 'ready');
      const users = (await page.locator('#section-logonUsers').textContent()) ?? '';
      assert.match(users, /User\.Read\.All/);
      assert.match(users, /Request id: req-9/);
      assert.match((await page.locator('#section-overview').textContent()) ?? '', /Defender knows no machine with id b7e3c0f4/);
      await page.locator('#section-logonUsers vscode-button', { hasText: 'Retry' }).click();
      assert.equal((await requestOf(page, 'retry')).section, 'logonUsers');
      // A malformed message (a script where a machine should be) is ignored, not painted.
      await deliver(page, [{ kind: 'section', runId: 1, section: 'network', state: 'ready', payload: { section: 'network', activity: { remotes: [{ ip: '<script>' }] } } }]);
      assert.equal((await statuses(page)).network, 'loading');
      await shot(page, 'machine-webview-states');
    } finally {
      await page.close();
    }
  });

  test('opening points: a machine name in the IP panel (alerts, observed machines, the card) and a triage row ask for the machine view', async () => {
    const ipPanel = await serveStaticPanel('dark');
    const triage = await serveStaticPanel('dark', undefined, { script: '/dist/triage.js', css: '/media/triage.css' });
    try {
      const { page } = await open(ipPanel);
      try {
        const messages = benchMessages(300);
        await deliver(page, messages);
        const openMachine = async (): Promise<string> => {
          const r = await requestOf(page, 'openMachine');
          return String(r.machineId);
        };
        // The machine column of the alerts table.
        await page.locator('#section-alerts .grid-row:not(.grid-head) .grid-cell.link').nth(1).click();
        assert.match(await openMachine(), /^[0-9a-f]{40}$/);
        // The details card of a machine selected in the timeline.
        await page.locator('.vl-rows > .tl-row .machine-link').first().click();
        await page.locator('#card-open-machine').click();
        const card = await page.locator('#machine-card').getAttribute('data-machine');
        await page.waitForFunction((id) => (window as unknown as { __sent: Sent[] }).__sent.filter((m) => m.request?.type === 'openMachine').some((m) => m.request?.machineId === id), card);
        // A name in the observed machines.
        await page.locator('#tab-machines').click();
        await page.locator('.machines-view .grid-row:not(.grid-head) .machine-link').first().click();
        assert.equal((await sent(page)).filter((m) => m.request?.type === 'openMachine').length, 3);
      } finally {
        await page.close();
      }
      const t = await open(triage);
      try {
        const summary: TriageSummary = {
          runId: 1,
          state: 'done',
          phase: 'done',
          source: 'fw.log',
          lookback: '7d',
          addresses: 2,
          resolved: 2,
          byVerdict: emptyVerdictCounts(),
          batchesDone: 1,
          batchesTotal: 1,
          calls: { hunting: 2, findbyip: 0, cacheHits: 0 },
          bytesScanned: 100,
          occurrences: 2,
          notes: [],
          demo: true,
          startedAt: new Date().toISOString(),
        };
        const row = (ip: string, machines?: number) => ({ ip, version: 4 as const, ipClass: 'public', internal: false, verdict: 'seen' as const, ...(machines ? { machines } : {}), severities: [], occurrences: 1, files: 1, problems: 0, fromCache: false });
        const triageMessages: TriageHostMessage[] = [{ kind: 'reset', summary }, { kind: 'rows', runId: 1, rows: [row('198.51.100.23', 6), row('203.0.113.9')] }];
        await t.page.evaluate((msgs) => {
          for (const data of msgs) window.dispatchEvent(new MessageEvent('message', { data }));
        }, triageMessages);
        const seen = t.page.locator('.t-row[data-ip="198.51.100.23"] .row-action.machines');
        await seen.waitFor();
        assert.equal(await t.page.locator('.t-row[data-ip="203.0.113.9"] .row-action.machines').isDisabled(), true, 'no machine known: nothing to open');
        await seen.click();
        assert.equal((await requestOf(t.page, 'machines')).ip, '198.51.100.23');
      } finally {
        await t.page.close();
      }
    } finally {
      await ipPanel.close();
      await triage.close();
    }
  });

  test('high-contrast theme: the layout holds (no horizontal overflow) with long hostile values', async () => {
    const { page, errors } = await open(contrast);
    try {
      await deliver(page, machineMessages({ remotes: 2_000, events: 2_000 }));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `overflows by ${overflow}px`);
      for (const s of ['overview', 'alerts', 'logonUsers', 'network', 'timeline']) assert.ok(await page.locator(`section[data-section="${s}"]`).isVisible(), s);
      await page.setViewportSize({ width: 700, height: 900 });
      const narrow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(narrow <= 1, `narrow editor: overflows by ${narrow}px`);
      await assertInert(page);
      await shot(page, 'machine-webview-high-contrast');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
