// Host messages of one finished machine view, for bench:machine and the machine webview's e2e suite: a C2 machine with
// `remotes` remote addresses (a few seen by this machine alone), `events` timeline events, alerts with evidence IPs,
// logged-on users, and the story's hostile strings in names, processes and command lines.
import type { TimelineEvent } from '../src/shared/investigation';
import type { RemoteAddress } from '../src/shared/machine';
import type { Alert, LogonUser, Machine, MachineHostMessage, MachineIdentity } from '../src/shared/machineProtocol';
import { rng } from './rng';

export const MACHINE_ID = 'b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02';
export const MACHINE_HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[link](command:workbench.action.terminal.new)', '\u202Etxt.exe', '**bold**'];
/** The remote address only this machine talked to (first, rarest). */
export const RARE_IP = '198.51.100.161';

export interface MachineShape {
  remotes: number;
  events: number;
}

export function machineMessages(shape: MachineShape, nowMs = Date.now()): MachineHostMessage[] {
  const r = rng(7);
  const identity: MachineIdentity = { machineId: MACHINE_ID, lookback: '7d' };
  const iso = (msAgo: number) => new Date(nowMs - msAgo).toISOString();
  const machine: Machine = {
    id: MACHINE_ID,
    computerDnsName: 'fin-ws-017.corp.contoso.com',
    firstSeen: iso(200 * 86_400_000),
    lastSeen: iso(3_600_000),
    osPlatform: 'Windows11',
    version: '23H2',
    osBuild: 22631,
    lastIpAddress: '10.248.240.38',
    lastExternalIpAddress: '192.0.2.10',
    healthStatus: 'Active',
    onboardingStatus: 'Onboarded',
    riskScore: 'High',
    exposureLevel: 'Medium',
    deviceValue: 'Normal',
    rbacGroupName: 'Finance-Workstations',
    aadDeviceId: '8daf757e-1db9-4870-8a3b-ed8d1d46081b',
    machineTags: ['finance', MACHINE_HOSTILE[0]],
    ipAddresses: [{ ipAddress: '10.248.240.38' }, { ipAddress: 'fe80::1c2d:3e4f' }],
  };
  const remotes: RemoteAddress[] = [];
  for (let i = 0; i < shape.remotes; i++) {
    const internal = i % 9 === 4;
    const ip = i === 0 ? RARE_IP : internal ? `10.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` : `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const prevalence = i === 0 ? 1 : Math.max(1, Math.floor(r() * r() * 300));
    remotes.push({
      ip,
      version: 4,
      ipClass: i === 0 ? 'documentation' : internal ? 'private' : 'benchmarking',
      internal,
      connections: 1 + Math.floor(r() * 400),
      failed: r() < 0.1 ? 1 : 0,
      inbound: r() < 0.2 ? 2 : 0,
      firstSeen: iso(Math.floor(r() * 7 * 86_400_000)),
      // The rarest address is also the most recent one: first in the host's order.
      lastSeen: i === 0 ? iso(1_000) : iso(60_000 + Math.floor(r() * 86_400_000)),
      ports: r() < 0.5 ? [443] : [80, 443, 8443],
      processes: i % 50 === 7 ? [`${MACHINE_HOSTILE[4]}.exe`, `invoice${MACHINE_HOSTILE[3]}`] : r() < 0.5 ? ['chrome.exe'] : ['svchost.exe', 'rundll32.exe'],
      urls: i % 77 === 3 ? [`${MACHINE_HOSTILE[2]}.example`] : r() < 0.3 ? ['static.fabrikam-cdn.example'] : [],
      orgPrevalence: prevalence,
    });
  }
  remotes.sort((a, b) => a.orgPrevalence - b.orgPrevalence || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
  const timeline: TimelineEvent[] = [];
  for (let i = 0; i < shape.events; i++) {
    const remote = remotes[Math.floor(r() * remotes.length)] ?? remotes[0];
    const ps = r() < 0.2;
    timeline.push({
      timestamp: iso(i * 60_000),
      deviceId: MACHINE_ID,
      deviceName: machine.computerDnsName ?? MACHINE_ID,
      actionType: r() < 0.85 ? 'ConnectionSuccess' : 'ConnectionFailed',
      localIp: '10.248.240.38',
      localPort: 49152 + Math.floor(r() * 16000),
      ...(remote ? { remoteIp: remote.ip } : {}),
      remotePort: [443, 80, 8443][Math.floor(r() * 3)],
      protocol: 'Tcp',
      process: ps ? 'powershell.exe' : 'rundll32.exe',
      folder: ps ? 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' : 'C:\\Windows\\System32\\rundll32.exe',
      commandLine: ps ? `powershell -nop -w hidden -c "${MACHINE_HOSTILE[0]}${MACHINE_HOSTILE[1]}"` : 'rundll32.exe upd.dll,#1',
      account: i % 13 === 0 ? MACHINE_HOSTILE[1] : 'jdoe',
    });
  }
  const alerts: Alert[] = Array.from({ length: 12 }, (_, i) => ({
    id: `da63877${i}_${1000 + i}`,
    title: i === 2 ? `${MACHINE_HOSTILE[0]} Connection to ${MACHINE_HOSTILE[4]} host ${MACHINE_HOSTILE[2]}` : `Suspicious beaconing to a remote host #${i}`,
    severity: ['High', 'Medium', 'Low', 'Informational'][i % 4],
    status: i % 3 ? 'New' : 'InProgress',
    category: 'CommandAndControl',
    detectionSource: 'WindowsDefenderAtp',
    machineId: MACHINE_ID,
    computerDnsName: machine.computerDnsName,
    firstEventTime: iso((i + 5) * 3_600_000),
    lastEventTime: iso(i * 3_600_000),
    incidentId: 44800 + i,
    mitreTechniques: ['T1071'],
    evidence: i % 2 === 0 ? [{ entityType: 'Ip', ipAddress: '198.51.100.23' }, { entityType: 'Ip', ipAddress: RARE_IP }] : [{ entityType: 'Process', fileName: 'rundll32.exe' }],
  }));
  const users: LogonUser[] = [
    { id: 'contoso\\jdoe', accountName: 'jdoe', accountDomain: 'contoso', logonTypes: ['Interactive'], firstSeen: iso(30 * 86_400_000), lastSeen: iso(3_600_000), isDomainAdmin: false, isOnlyNetworkUser: false, logOnMachinesCount: 2 },
    { id: 'contoso\\adm-rsingh', accountName: 'adm-rsingh', accountDomain: 'contoso', logonTypes: ['RemoteInteractive'], lastSeen: iso(26 * 3_600_000), isDomainAdmin: true, logOnMachinesCount: 41 },
    { id: `${MACHINE_HOSTILE[4]}\\${MACHINE_HOSTILE[1]}`, accountName: MACHINE_HOSTILE[1], accountDomain: MACHINE_HOSTILE[4], logonTypes: ['Network'], lastSeen: iso(2 * 86_400_000), isOnlyNetworkUser: true },
  ];
  const cachedAt = new Date(nowMs).toISOString();
  const runId = 1;
  return [
    { kind: 'init', identity, demo: true, now: cachedAt },
    { kind: 'run', runId, identity, sections: ['overview', 'alerts', 'logonUsers', 'network', 'timeline'] },
    { kind: 'section', runId, section: 'overview', state: 'ready', payload: { section: 'overview', machine } },
    { kind: 'section', runId, section: 'alerts', state: 'ready', payload: { section: 'alerts', alerts } },
    { kind: 'section', runId, section: 'logonUsers', state: 'ready', payload: { section: 'logonUsers', users } },
    { kind: 'section', runId, section: 'network', state: 'ready', payload: { section: 'network', activity: { lookback: '7d', remotes, truncated: false, dropped: 0, cachedAt } } },
    { kind: 'section', runId, section: 'timeline', state: 'ready', payload: { section: 'timeline', events: timeline, truncated: shape.events >= 10_000 } },
    { kind: 'done', runId, cachedAt },
  ];
}
