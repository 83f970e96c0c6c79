import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { writeDemoSamples } from '../../src/simulator/demoSamples';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/simulator';
import { DEMO_C2_IP, DEMO_HOLDER_NAME, DEMO_INTERNAL_IP, DEMO_PREVIOUS_HOLDER_NAME } from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

const NOW = new Date('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let dir: string;
let files: string[];
let sim: SimulatorHandle;
const text = async (name: string): Promise<string> => readFile(join(dir, name), 'utf8');

/** Every timestamp of a demo file, whatever its format. */
function timestamps(name: string, content: string): number[] {
  const out: number[] = [];
  for (const line of content.split('\n').filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)/.exec(line))) out.push(Date.parse(m[1]));
    else if ((m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}) /.exec(line))) {
      const month = String(MONTHS.indexOf(m[1]) + 1).padStart(2, '0');
      out.push(Date.parse(`2026-${month}-${(m[2]).padStart(2, '0')}T${m[3]}Z`));
    } else if ((m = /^(\d{10}\.\d{3}) /.exec(line))) out.push(Number(m[1]) * 1000);
    else if ((m = /^(?:Start|End) time: (\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(line))) out.push(Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`));
  }
  assert.ok(out.length > 0, `${name} has timestamps`);
  return out;
}

async function findByIp(at: number): Promise<string[]> {
  const token = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW.getTime() });
  const stamp = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const r = await fetch(`${sim.url}/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${stamp})`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  return ((await r.json()) as { value: { computerDnsName: string }[] }).value.map((m) => m.computerDnsName);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipinv-samples-'));
  files = await writeDemoSamples(join(dir, 'recent'), NOW);
  dir = join(dir, 'recent');
  sim = await startSimulator({ now: () => NOW.getTime() });
});
after(async () => {
  await sim.close();
  await rm(join(dir, '..'), { recursive: true, force: true });
});

test('writes a firewall log, a proxy log, a DHCP log, an sshd auth.log and a PowerShell transcript', async () => {
  assert.deepEqual(files.map((f) => basename(f)).sort(), ['auth.log', 'dhcpd.log', 'firewall.log', 'powershell-transcript.txt', 'proxy-access.log']);
  for (const f of files) {
    const content = await readFile(f, 'utf8');
    assert.ok(content.length > 100 && content.length < 50_000, `${basename(f)} is small but not empty`);
  }
});

test('every timestamp is recent: within the past 30 days of now and never in the future', async () => {
  for (const f of files) {
    for (const t of timestamps(basename(f), await readFile(f, 'utf8'))) {
      assert.ok(t <= NOW.getTime() && t > NOW.getTime() - 30 * DAY, `${basename(f)}: ${new Date(t).toISOString()}`);
    }
  }
});

test('firewall lines from 10.248.240.38 to the C2 address name, via findbyip, the machine that held it then', async () => {
  const lines = (await text('firewall.log')).split('\n').filter((l) => l.includes(`${DEMO_INTERNAL_IP}:`) && l.includes(`${DEMO_C2_IP}:`));
  const holders = new Set<string>();
  for (const line of lines) {
    const at = Date.parse(line.slice(0, 20));
    const found = await findByIp(at);
    assert.equal(found.length, 1, line);
    holders.add(found[0]);
  }
  assert.deepEqual([...holders].sort(), [DEMO_HOLDER_NAME, DEMO_PREVIOUS_HOLDER_NAME].sort(), 'the log spans the DHCP reassignment');
});

test('the DHCP log hands 10.248.240.38 to the MAC address of each holder', async () => {
  const dhcp = await text('dhcpd.log');
  for (const name of [DEMO_HOLDER_NAME, DEMO_PREVIOUS_HOLDER_NAME]) {
    const m = sim.story.machineByName.get(name);
    const mac = (m?.macAddress ?? '').toLowerCase().replace(/(..)(?!$)/g, '$1:');
    assert.match(dhcp, new RegExp(`DHCPACK on ${DEMO_INTERNAL_IP.replaceAll('.', '\\.')} to ${mac} \\(${name.split('.')[0] ?? ''}\\)`));
  }
});

test('the transcript and the auth.log place 10.248.240.38 at times its holder had it', async () => {
  const transcript = await text('powershell-transcript.txt');
  assert.match(transcript, /Machine: FIN-WS-017/);
  assert.match(transcript, new RegExp(`SourceAddress +: ${DEMO_INTERNAL_IP.replaceAll('.', '\\.')}`));
  const [start] = timestamps('transcript', transcript);
  assert.deepEqual(await findByIp(start), [DEMO_HOLDER_NAME]);
  const auth = (await text('auth.log')).split('\n').filter((l) => l.includes(`from ${DEMO_INTERNAL_IP} `));
  assert.ok(auth.length > 0);
  for (const t of timestamps('auth.log', auth.join('\n'))) assert.deepEqual(await findByIp(t), [DEMO_HOLDER_NAME]);
});

test('an invalid date is refused', async () => {
  await assert.rejects(writeDemoSamples(join(dir, 'never'), new Date('nope')), RangeError);
});
