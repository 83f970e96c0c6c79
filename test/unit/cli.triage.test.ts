// `ipinv triage` in-process against the simulated tenant over real HTTP: each output format parses,
// bad usage fails before any request, authentication and total failure map to their exit codes,
// the cache directory makes a re-run free, and --demo runs its own tenant.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { ExitCode, type CliIo } from '../../src/cli/io';
import { parseConnectionFlags, parseDuration } from '../../src/cli/connection';
import { parseTriageArgs, runTriage } from '../../src/cli/triageCommand';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, demoInternalHolderAt } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

let sim: SimulatorHandle;
let dir: string;
let logFile: string;

before(async () => {
  sim = await startSimulator();
  dir = await mkdtemp(join(tmpdir(), 'cli-triage-'));
  logFile = join(dir, 'fw.log');
  const at = demoInternalHolderAt(Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await writeFile(
    logFile,
    [
      `${at} ALLOW ${DEMO_INTERNAL_IP}:50211 -> ${DEMO_C2_IP}:443 proc=rundll32.exe`,
      `${at} ALLOW ${DEMO_INTERNAL_IP}:50212 -> 8.8.8.8:53`,
      `${at} ALLOW 10.20.0.10 -> 192.0.2.200:443 note=127.0.0.1`,
    ].join('\n'),
  );
});

after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function envTokens(): NodeJS.ProcessEnv {
  return {
    DEFENDER_ACCESS_TOKEN: issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS }),
    GRAPH_ACCESS_TOKEN: issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS }),
  };
}

async function run(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; tty?: boolean; signal?: AbortSignal } = {}) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty === true });
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const io: CliIo = {
    stdin: options.stdin !== undefined ? Readable.from([Buffer.from(options.stdin)]) : Readable.from([]),
    stdout,
    stderr,
    env: options.env ?? envTokens(),
    cwd: dir,
  };
  const code = options.signal ? await runTriage(args, io, { signal: options.signal }) : await main(['triage', ...args], io);
  return { code, out, err };
}

const endpoint = () => ['--api-url', sim.url, '--graph-url', sim.url];

test('--markdown prints a report with the verdicts and the exact hunting queries', async () => {
  sim.resetRequests();
  const r = await run(['fw.log', '--markdown', ...endpoint()]);
  assert.equal(r.code, ExitCode.ok, r.err);
  assert.match(r.out, /^# IP triage report/);
  assert.match(r.out, /## Seen with alerts \(1\)\n\n[^]*198\.51\.100\.23/);
  assert.match(r.out, new RegExp(DEMO_HOLDER_NAME.replace(/\./g, '\\.')));
  assert.match(r.out, /```kql\nDeviceNetworkEvents\n\| where Timestamp > ago\(7d\)\n\| where RemoteIP in \(/);
  assert.match(r.out, /```kql\nDeviceNetworkInfo/);
  assert.equal(r.err, '', 'no progress when stderr is not a terminal');
  assert.equal(sim.requests().filter((q) => q.family === 'hunting').length, 3);
});

test('--json, --csv and --stix are well-formed; the table is the default', async () => {
  const json = await run(['fw.log', '--json', '--lookback', '30d', ...endpoint()]);
  assert.equal(json.code, 0, json.err);
  const doc = JSON.parse(json.out) as { lookback: string; entries: { ip: string; verdict: string; occurrences: { file: string; line: number }[] }[] };
  assert.equal(doc.lookback, '30d');
  const c2 = doc.entries.find((e) => e.ip === DEMO_C2_IP)!;
  assert.equal(c2.verdict, 'alerts');
  assert.deepEqual(c2.occurrences.map((o) => [o.file, o.line]), [['fw.log', 1]]);
  assert.equal(doc.entries.find((e) => e.ip === '127.0.0.1')?.verdict, 'skipped');

  const csv = await run(['fw.log', '--csv', ...endpoint()]);
  assert.equal(csv.code, 0);
  const lines = csv.out.trimEnd().split('\r\n');
  assert.equal(lines[0]?.split(',')[0], 'ip');
  assert.equal(lines.length, doc.entries.length + 1);

  const stix = await run(['fw.log', '--stix', ...endpoint()]);
  const bundle = JSON.parse(stix.out) as { type: string; objects: { type: string; pattern?: string }[] };
  assert.equal(bundle.type, 'bundle');
  assert.deepEqual(bundle.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern), [`[ipv4-addr:value = '${DEMO_C2_IP}']`]);

  const table = await run(['fw.log', ...endpoint()]);
  assert.match(table.out, /^VERDICT\s+ADDRESS/);
  assert.match(table.out, /alerts\s+198\.51\.100\.23/);
});

test('stdin with -, and the cache directory makes a re-run send nothing', async () => {
  const cacheDir = join(dir, 'cache');
  const text = `${DEMO_C2_IP} 8.8.4.4\n`;
  sim.resetRequests();
  const first = await run(['-', '--json', '--cache-dir', cacheDir, ...endpoint()], { stdin: text });
  assert.equal(first.code, 0, first.err);
  assert.equal(sim.requests().length, 2);
  sim.resetRequests();
  const second = await run(['-', '--json', '--cache-dir', cacheDir, ...endpoint()], { stdin: text });
  assert.equal(second.code, 0);
  assert.equal(sim.requests().length, 0);
  const doc = JSON.parse(second.out) as { entries: { ip: string; verdict: string; fromCache: boolean }[]; calls: { cacheHits: number } };
  assert.equal(doc.entries.find((e) => e.ip === DEMO_C2_IP)?.verdict, 'alerts');
  assert.ok(doc.entries.every((e) => e.fromCache));
  const fresh = await run(['-', '--json', '--cache-dir', cacheDir, '--no-cache', ...endpoint()], { stdin: text });
  assert.equal(fresh.code, 0);
  assert.equal(sim.requests().length, 2);
});

test('bad usage and unreadable files exit 2 before any request', async () => {
  sim.resetRequests();
  for (const args of [
    ['missing.log', ...endpoint()],
    ['fw.log', '--json', '--csv', ...endpoint()],
    ['fw.log', '--lookback', '90d', ...endpoint()],
    ['fw.log', '--bogus', ...endpoint()],
    ['fw.log', '--api-url', 'http://example.com'],
    ['fw.log', '--timeout', 'soon', ...endpoint()],
    ['fw.log', '--demo', '--cloud', 'gcc'],
    ['.', ...endpoint()],
  ]) {
    const r = await run(args);
    assert.equal(r.code, ExitCode.usage, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^ipinv triage: /);
    assert.equal(r.out, '');
  }
  assert.equal(sim.requests().length, 0);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /--cache-dir/);
});

test('no credentials or an expired token exit 3; a tenant that answers nothing exits 4 with the cause', async () => {
  const none = await run(['fw.log', ...endpoint()], { env: {} });
  assert.equal(none.code, ExitCode.auth);
  assert.match(none.err, /DEFENDER_ACCESS_TOKEN/);

  const expired = {
    DEFENDER_ACCESS_TOKEN: issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: Date.now() - 7_200_000 }),
    GRAPH_ACCESS_TOKEN: issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS, now: Date.now() - 7_200_000 }),
  };
  const auth = await run(['fw.log', ...endpoint()], { env: expired });
  assert.equal(auth.code, ExitCode.auth, auth.err);

  // Valid tokens without any hunting or machine permission: every query is refused (403).
  const powerless = {
    DEFENDER_ACCESS_TOKEN: issueSimulatorToken({ audience: 'defender', permissions: ['Ip.Read.All'] }),
    GRAPH_ACCESS_TOKEN: issueSimulatorToken({ audience: 'graph', permissions: ['Ip.Read.All'] }),
  };
  const refused = await run(['fw.log', ...endpoint()], { env: powerless });
  assert.equal(refused.code, ExitCode.nothingRetrieved, refused.err);
  assert.match(refused.err, /nothing could be retrieved: Access denied: this needs the /);
  assert.match(refused.out, /unknown/);
});

test('progress goes to stderr on a terminal; a cancelled run prints what it has and exits 1', async () => {
  const tty = await run(['fw.log', '--json', ...endpoint()], { tty: true });
  assert.equal(tty.code, 0);
  assert.match(tty.err, /Triage against /);
  assert.match(tty.err, /Done: 6 addresses/);
  JSON.parse(tty.out);
  const ac = new AbortController();
  ac.abort();
  const cancelled = await run(['fw.log', '--json', ...endpoint()], { signal: ac.signal });
  assert.equal(cancelled.code, ExitCode.failure);
  assert.match(cancelled.err, /cancelled/);
  const doc = JSON.parse(cancelled.out) as { cancelled: boolean; entries: unknown[] };
  assert.equal(doc.cancelled, true);
});

test('--demo runs the simulated tenant in-process', async () => {
  const r = await run(['fw.log', '--demo', '--markdown']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /## Seen with alerts/);
  assert.match(r.out, /198\.51\.100\.23/);
});

test('connection flags parse in both forms and leave the rest in order', () => {
  const { flags, rest } = parseConnectionFlags(['a.log', '--cloud=gcc-high', '--hunting', 'defender', '--timeout', '2m', '--json', 'b.log']);
  assert.deepEqual(rest, ['a.log', '--json', 'b.log']);
  assert.equal(flags.cloud, 'gcc-high');
  assert.equal(flags.hunting, 'defender');
  assert.equal(flags.timeoutMs, 120_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5'), 5000);
  assert.throws(() => parseConnectionFlags(['--region', 'eu', '--cloud', 'dod']), /commercial cloud only/);
  assert.throws(() => parseConnectionFlags(['--cloud', 'mars']), /--cloud must be one of/);
  assert.throws(() => parseConnectionFlags(['--hunting']), /needs a value/);
  assert.throws(() => parseConnectionFlags(['--timeout', '1h']), /duration/);
  const t = parseTriageArgs(['x.log', '--md', '--lookback=1d', '--demo']);
  assert.ok(t !== 'help' && t.format === 'markdown' && t.lookback === '1d' && t.connection.demo);
  assert.throws(() => parseTriageArgs(['-', '-']), /only once/);
});
