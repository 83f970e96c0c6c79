// `ipinv indicator` in-process against the simulated tenant over real HTTP: the `add … --yes --demo --json` contract,
// no write without --yes and without a terminal (exit 2, no request at all), bad input refused before any request,
// list, remove, import of the portal's CSV and of a triage export, a 403 that names the permission.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/main';
import { ExitCode, type CliIo } from '../../src/cli/io';
import { runIndicator } from '../../src/cli/indicatorCommand';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_INDICATOR_IPS } from '../../src/simulator/story';
import { ALL_PERMISSIONS, READ_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

let sim: SimulatorHandle;
let dir: string;

before(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'ipinv-indicator-'));
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(permissions: readonly string[] = ALL_PERMISSIONS): NodeJS.ProcessEnv {
  return { DEFENDER_ACCESS_TOKEN: issueSimulatorToken({ audience: 'defender', permissions }), GRAPH_ACCESS_TOKEN: issueSimulatorToken({ audience: 'graph', permissions }) };
}

async function run(args: string[], options: { env?: NodeJS.ProcessEnv; confirm?: (q: string) => Promise<boolean> } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const io: CliIo = { stdin: Readable.from([]), stdout, stderr, env: options.env ?? env(), cwd: dir };
  const code = options.confirm ? await runIndicator(args.slice(1), io, { confirm: options.confirm }) : await main(args, io);
  return { code, out, err };
}

/** A date about a year ahead (the expiry must be within ten years). */
const NEXT_YEAR = `${new Date().getUTCFullYear() + 1}-01-01`;
const endpoint = () => ['--api-url', sim.url, '--graph-url', sim.url];

test('add … --yes --demo --json prints the created indicator', async () => {
  const r = await run(['indicator', 'add', DEMO_C2_IP, '--action', 'block', '--title', 'T', '--description', 'D', '--expires', '30d', '--yes', '--demo', '--json']);
  assert.equal(r.code, ExitCode.ok, r.err);
  const j = JSON.parse(r.out) as { summary: string; results: { ip: string; outcome: string; indicatorId: string }[]; indicator: Record<string, unknown>; requestIds: string[]; clientRequestIds: string[] };
  assert.match(j.summary, /^Block 198\.51\.100\.23 for all devices until \d{4}-\d\d-\d\d \d\d:\d\d UTC, with an alert$/);
  assert.deepEqual(j.results.map((x) => [x.ip, x.outcome]), [[DEMO_C2_IP, 'created']]);
  assert.equal(j.indicator.indicatorValue, DEMO_C2_IP);
  assert.equal(j.indicator.action, 'Block');
  assert.equal(j.indicator.title, 'T');
  assert.equal(j.indicator.description, 'D');
  assert.equal(j.indicator.id, j.results[0].indicatorId);
  const days = (Date.parse(j.indicator.expirationTime as string) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
  assert.equal(j.requestIds.length, 1);
  assert.equal(j.clientRequestIds.length, 1);
});

test('without --yes and without a terminal nothing is sent (exit 2); declined on a terminal, nothing either', async () => {
  sim.resetRequests();
  const r = await run(['indicator', 'add', '8.8.4.4', '--action', 'block', '--title', 'T', '--description', 'D', ...endpoint()]);
  assert.equal(r.code, ExitCode.usage);
  assert.match(r.err, /refusing to write indicators without --yes: there is no terminal to confirm on\. Nothing was sent\./);
  const rm = await run(['indicator', 'remove', '5101', ...endpoint()]);
  assert.equal(rm.code, ExitCode.usage);
  assert.equal(sim.requests().length, 0, 'not one request');
  let asked = '';
  const declined = await run(['indicator', 'add', '8.8.4.4', '--action', 'allowed', '--title', 'T', '--description', 'D', '--expires', NEXT_YEAR, ...endpoint()], {
    confirm: (q) => {
      asked = q;
      return Promise.resolve(false);
    },
  });
  assert.equal(asked, `Allow 8.8.4.4 for all devices until ${NEXT_YEAR} 00:00 UTC?`);
  assert.equal(declined.code, ExitCode.failure);
  assert.match(declined.err, /not confirmed; nothing was sent/);
  assert.equal(sim.requests().length, 0);
});

test('bad input is refused before any request: CIDR, internal, documentation on a real tenant, missing text, bad expiry', async () => {
  sim.resetRequests();
  const base = ['--action', 'block', '--title', 'T', '--description', 'D', '--yes', ...endpoint()];
  for (const [args, message] of [
    [['8.8.4.0/24', ...base], /no CIDR/],
    [['10.1.2.3', ...base], /internal address .*external addresses only/],
    [[DEMO_C2_IP, ...base], /sample or a typo/],
    [['224.0.0.1', ...base], /not a single host/],
    [['8.8.4.4', '--action', 'block', '--description', 'D', '--yes', ...endpoint()], /title \(--title\) is required/],
    [['8.8.4.4', ...base, '--expires', 'yesterday'], /--expires: 'yesterday' is not an expiry/],
    [['8.8.4.4', ...base.slice(0, 2), '--title', 'x', '--description', 'D', '--severity', 'Critical'], /--title was given twice|--severity must be/],
    [['8.8.4.4', '--action', 'nuke', '--title', 'T', '--description', 'D', '--yes', ...endpoint()], /--action must be block, warn, audit, alert or allowed/],
  ] as const) {
    const r = await run(['indicator', 'add', ...args]);
    assert.equal(r.code, ExitCode.usage, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
  }
  const notId = await run(['indicator', 'remove', '8.8.4.4', '--yes', ...endpoint()]);
  assert.match(notId.err, /not an indicator id \(an address: find its id with 'ipinv indicator list 8\.8\.4\.4'\)/);
  assert.equal(sim.requests().length, 0);
});

test('list, add several (one import call), remove; --json everywhere', async () => {
  const listed = await run(['indicator', 'list', DEMO_INDICATOR_IPS.audited, '--json', ...endpoint()]);
  assert.equal(listed.code, ExitCode.ok, listed.err);
  const l = JSON.parse(listed.out) as { indicators: { id: string; action: string; rbacGroupNames: string[] }[]; complete: boolean };
  assert.deepEqual(l.indicators.map((i) => i.action), ['Audit']);
  const text = await run(['indicator', 'list', ...endpoint()]);
  assert.match(text.out, /ADDRESS\s+ACTION\s+TITLE/);
  assert.match(text.out, new RegExp(DEMO_INDICATOR_IPS.allowed.replace(/\./g, '\\.')));
  assert.ok(!text.out.includes('\u001b'), 'terminal-safe');

  sim.resetRequests();
  const add = await run(['indicator', 'add', '8.8.4.4', '9.9.9.10', DEMO_INDICATOR_IPS.audited.replace(/^203\.0\.113/, '1.1.1'), '--action', 'warn', '--title', 'Batch', '--description', 'D', '--yes', '--json', ...endpoint()]);
  assert.equal(add.code, ExitCode.ok, add.err);
  const a = JSON.parse(add.out) as { results: { ip: string; outcome: string; indicatorId: string }[]; batches: { size: number }[]; sent: number };
  assert.deepEqual(a.results.map((x) => x.outcome), ['created', 'created', 'created']);
  assert.deepEqual(a.batches.map((b) => b.size), [3]);
  assert.equal(sim.requests().filter((x) => x.path === '/api/indicators/import').length, 1);

  const rm = await run(['indicator', 'remove', a.results[0].indicatorId, a.results[0].indicatorId, '99999', '--yes', '--json', ...endpoint()]);
  assert.equal(rm.code, ExitCode.ok, rm.err);
  const removed = JSON.parse(rm.out) as { results: { id: string; outcome: string; requestId?: string }[] };
  assert.deepEqual(removed.results.map((x) => x.outcome), ['removed', 'not-found'], 'duplicates merged');
  assert.ok(removed.results[0].requestId);
});

test('import: the portal CSV (bad rows refused alone) and a triage export with --action and --only', async () => {
  const csv = [
    'indicatorType,indicatorValue,action,title,description,expirationTime,severity,recommendedActions,rbacGroups,category,mitretechniques,GenerateAlert',
    `IpAddress,8.8.8.9,Block,C2 one,"From the, portal",${NEXT_YEAR}T00:00:00.0Z,High,Isolate,,CommandAndControl,T1071,True`,
    'IpAddress,8.8.8.10,allowed,Partner,Known partner,,Low,,Datacenter-Servers,,,False',
    'IpAddress,10.0.0.5,Block,Internal,Nope,,,,,,,',
    'FileSha256,4d2f5a8c1e9b7d3f6a0c2e4b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a9c0e2b4d6f,Block,File,Not an IP,,,,,,,',
    'IpAddress,8.8.8.11,BlockAndRemediate,Bad,Bad,,,,,,,',
  ].join('\r\n');
  writeFileSync(join(dir, 'portal.csv'), csv);
  const r = await run(['indicator', 'import', 'portal.csv', '--yes', '--json', ...endpoint()]);
  assert.equal(r.code, ExitCode.ok, r.err);
  const j = JSON.parse(r.out) as { summary: string; results: { ip: string; outcome: string }[]; refused: { ip: string; reason: string }[] };
  assert.equal(j.summary, 'Import 2 indicators (Block 1, Allowed 1)');
  assert.deepEqual(j.results.map((x) => [x.ip, x.outcome]), [['8.8.8.9', 'created'], ['8.8.8.10', 'created']]);
  assert.equal(j.refused.length, 3);
  assert.ok(j.refused.some((x) => /internal/.test(x.reason)) && j.refused.some((x) => /not IpAddress/.test(x.reason)) && j.refused.some((x) => /BlockAndRemediate/.test(x.reason)));
  const partner = (JSON.parse((await run(['indicator', 'list', '8.8.8.10', '--json', ...endpoint()])).out) as { indicators: { action: string; rbacGroupNames: string[]; severity: string }[] }).indicators[0];
  assert.deepEqual([partner.action, partner.rbacGroupNames, partner.severity], ['Allowed', ['Datacenter-Servers'], 'Low']);

  const triage = { format: 'ipinv-triage', version: 1, entries: [{ ip: '8.8.8.12', verdict: 'alerts', alerts: { count: 2, highestSeverity: 'High' }, files: ['fw.log'] }, { ip: '8.8.8.13', verdict: 'seen' }, { ip: '10.1.1.1', verdict: 'internal' }] };
  writeFileSync(join(dir, 'triage.json'), JSON.stringify(triage));
  const noAction = await run(['indicator', 'import', 'triage.json', '--yes', ...endpoint()]);
  assert.equal(noAction.code, ExitCode.usage);
  assert.match(noAction.err, /--action/);
  const t = await run(['indicator', 'import', 'triage.json', '--action', 'block', '--only', 'alerts', '--yes', '--json', ...endpoint()]);
  assert.equal(t.code, ExitCode.ok, t.err);
  const tj = JSON.parse(t.out) as { results: { ip: string; outcome: string }[] };
  assert.deepEqual(tj.results.map((x) => x.ip), ['8.8.8.12']);
  const made = (JSON.parse((await run(['indicator', 'list', '8.8.8.12', '--json', ...endpoint()])).out) as { indicators: { description: string; title: string }[] }).indicators[0];
  assert.equal(made.description, 'Triage: 2 alerts (highest High), in fw.log');
  assert.equal(made.title, 'From triage of triage.json');
});

test('only read permissions: the 403 names Ti.ReadWrite (exit 4)', async () => {
  const r = await run(['indicator', 'list', '--json', ...endpoint()], { env: env(READ_PERMISSIONS) });
  assert.equal(r.code, ExitCode.nothingRetrieved);
  assert.match(r.err, /needs Ti\.ReadWrite; sign in with an app or role that has it/);
  assert.match(r.err, /request id [0-9a-f-]{36}/);
});
