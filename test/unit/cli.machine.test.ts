// `ipinv machine` in-process against the simulated tenant over real HTTP: the `--demo --json` contract, a name that
// matches several machines (exit 2, the candidates listed, nothing guessed), an address at a time, an unknown machine,
// bad input rejected before any request, a missing permission, and terminal-safe readable output.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { ExitCode, type CliIo } from '../../src/cli/io';
import { parseMachineArgs, type MachineJson } from '../../src/cli/machineCommand';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_HOLDER_ID, DEMO_HOLDER_NAME, DEMO_HOSTILE_MACHINE_NAMES, DEMO_INTERNAL_IP, DEMO_STAGE2_IP, demoInternalHolderAt } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

let sim: SimulatorHandle;
before(async () => {
  sim = await startSimulator();
});
after(async () => {
  await sim.close();
});

function envTokens(permissions: readonly string[] = ALL_PERMISSIONS): NodeJS.ProcessEnv {
  return { DEFENDER_ACCESS_TOKEN: issueSimulatorToken({ audience: 'defender', permissions }), GRAPH_ACCESS_TOKEN: issueSimulatorToken({ audience: 'graph', permissions }) };
}

async function run(args: string[], env: NodeJS.ProcessEnv = envTokens()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const io: CliIo = { stdin: Readable.from([]), stdout, stderr, env, cwd: process.cwd() };
  const code = await main(['machine', ...args], io);
  return { code, out, err };
}

const endpoint = () => ['--api-url', sim.url, '--graph-url', sim.url];

test('ipinv machine <name> --demo --json: the contract, for the demo C2 machine', async () => {
  const r = await run(['fin-ws-017', '--demo', '--json'], {});
  assert.equal(r.code, ExitCode.ok, r.err);
  const j = JSON.parse(r.out) as MachineJson;
  assert.deepEqual(Object.keys(j).sort(), ['alerts', 'logonUsers', 'lookback', 'machine', 'machineId', 'problems', 'query', 'remoteAddresses', 'remoteAddressesTruncated', 'retrievedAt', 'timeline', 'timelineTruncated'].sort());
  assert.deepEqual(j.query, { kind: 'name', value: 'fin-ws-017', at: null });
  assert.equal(j.machineId, DEMO_HOLDER_ID);
  assert.equal(j.lookback, '7d');
  assert.ok(j.machine);
  for (const k of ['id', 'name', 'osPlatform', 'version', 'healthStatus', 'riskScore', 'exposureLevel', 'onboardingStatus', 'firstSeen', 'lastSeen', 'lastIpAddress', 'lastExternalIpAddress', 'rbacGroupName', 'tags', 'aadDeviceId'] as const) {
    assert.ok(k in j.machine, `machine.${k}`);
  }
  assert.equal(j.machine.name, DEMO_HOLDER_NAME);
  assert.ok(j.alerts && j.alerts.length >= 3 && j.alerts.every((a) => Array.isArray(a.evidenceIps)));
  assert.ok(j.alerts.some((a) => a.evidenceIps.includes(DEMO_C2_IP)));
  assert.ok(j.logonUsers && j.logonUsers.length > 0);
  assert.ok(j.remoteAddresses && j.remoteAddresses.length > 0);
  for (const ra of j.remoteAddresses) for (const k of ['ip', 'class', 'connections', 'firstSeen', 'lastSeen', 'ports', 'processes', 'orgPrevalence'] as const) assert.ok(k in ra, `remoteAddresses[].${k}`);
  assert.equal(j.remoteAddresses[0].ip, DEMO_STAGE2_IP);
  assert.equal(j.remoteAddresses[0].orgPrevalence, 1);
  assert.equal(j.remoteAddresses[0].class, 'documentation');
  assert.ok(j.timeline && j.timeline.length > 0);
  assert.deepEqual(j.problems, []);
});

test('a name that matches several machines: exit 2, the candidates listed on stderr (and in JSON), nothing guessed', async () => {
  sim.resetRequests();
  const r = await run(['fin-ws-01', ...endpoint()]);
  assert.equal(r.code, ExitCode.usage, r.err);
  assert.match(r.err, /'fin-ws-01' matches 10 machines: give the full name or the machine id/);
  assert.equal((r.err.match(/fin-ws-01\d\.corp\.contoso\.com/g) ?? []).length, 10);
  assert.equal(r.out, '');
  assert.ok(!sim.requests().some((q) => q.family === 'hunting' || q.path.includes('/alerts')), 'the machine view was not asked');
  const j = await run(['fin-ws-01', '--json', ...endpoint()]);
  assert.equal(j.code, ExitCode.usage);
  const body = JSON.parse(j.out) as { error: { kind: string }; candidates: { id: string; name: string }[] };
  assert.equal(body.error.kind, 'ambiguous');
  assert.equal(body.candidates.length, 10);
});

test('--ip with --at: the machine that held the internal address then (also as the positional argument)', async () => {
  const at = demoInternalHolderAt(Date.now()).toISOString();
  for (const args of [['--ip', DEMO_INTERNAL_IP, '--at', at], [DEMO_INTERNAL_IP, '--at', at]]) {
    const r = await run([...args, '--json', '--lookback', '1d', ...endpoint()]);
    assert.equal(r.code, ExitCode.ok, r.err);
    const j = JSON.parse(r.out) as MachineJson;
    assert.equal(j.machineId, DEMO_HOLDER_ID);
    assert.equal(j.query.kind, 'ip');
    assert.equal(j.lookback, '1d');
  }
});

test('an unknown machine: exit 4 with the reason; with --json the machine is null', async () => {
  const byId = await run(['0'.repeat(40), '--json', ...endpoint()]);
  assert.equal(byId.code, ExitCode.nothingRetrieved, byId.err);
  assert.equal((JSON.parse(byId.out) as MachineJson).machine, null);
  assert.match(byId.err, /knows no machine/);
  const byName = await run(['no-such-host', '--json', ...endpoint()]);
  assert.equal(byName.code, ExitCode.nothingRetrieved);
  const j = JSON.parse(byName.out) as MachineJson;
  assert.equal(j.machine, null);
  assert.equal(j.problems[0]?.kind, 'not-found');
});

test('bad input is rejected with exit 2 before any request', async () => {
  sim.resetRequests();
  const cases: [string[], RegExp][] = [
    [["x' or 1 eq 1", ...endpoint()], /not a machine id/],
    [['<img src=x>.corp', ...endpoint()], /not a machine id/],
    [[DEMO_INTERNAL_IP, ...endpoint()], /needs --at/],
    [['--ip', DEMO_C2_IP, '--at', 'now', ...endpoint()], /not an internal address/],
    [['--ip', DEMO_INTERNAL_IP, '--at', '45d ago', ...endpoint()], /more than 30 days/],
    [['fin-ws-017', '--at', '2h ago', ...endpoint()], /--at goes with --ip/],
    [['fin-ws-017', '--ip', DEMO_INTERNAL_IP, '--at', 'now', ...endpoint()], /either a machine id or name, or --ip/],
    [['fin-ws-017', '--lookback', '90d', ...endpoint()], /--lookback must be one of/],
    [['a', 'b', ...endpoint()], /give one machine/],
    [[...endpoint()], /give a machine id or name/],
    [['fin-ws-017', '--bogus', ...endpoint()], /unknown option/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, ExitCode.usage, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.equal(r.out, '');
  }
  assert.equal(sim.requests().length, 0, 'no request was sent');
  assert.equal(parseMachineArgs(['--help']), 'help');
});

test('a missing permission degrades its section only and names it', async () => {
  const r = await run([DEMO_HOLDER_ID, '--json', ...endpoint()], envTokens(ALL_PERMISSIONS.filter((p) => p !== 'User.Read.All')));
  assert.equal(r.code, ExitCode.ok, r.err);
  const j = JSON.parse(r.out) as MachineJson;
  assert.equal(j.logonUsers, null);
  assert.match(j.problems.find((p) => p.source === 'logonUsers')?.permission ?? '', /User\.Read\.All/);
  assert.ok(j.machine && j.remoteAddresses, 'the other sections arrived');
});

test('readable output names the sections and is terminal-safe for the hostile machines', async () => {
  const hostile = sim.story.machineByName.get(DEMO_HOSTILE_MACHINE_NAMES[2].toLowerCase());
  assert.ok(hostile);
  const r = await run([hostile.id, '--lookback', '30d', ...endpoint()]);
  assert.equal(r.code, ExitCode.ok, r.err);
  for (const heading of ['Alerts on this machine', 'Logged-on users', 'Remote addresses, last 30d', 'Network timeline']) assert.ok(r.out.includes(heading), heading);
  // eslint-disable-next-line no-control-regex
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(r.out), 'no control or bidi characters');
  assert.match(r.out, /mac-des-\?txt\.exe/);
});
