// The users the simulated tenant says logged on to a machine (`GET /api/machines/{id}/logonusers`): the accounts
// that ran processes with network activity on it, its main user, and an IT admin on the story's compromised and
// server machines. Derived from the story (no randomness of its own), computed once per story.
import { createHash } from 'node:crypto';
import { DEMO_HOSTILE_MACHINE_NAMES, HOSTILE_STRINGS, toApiTime, type DemoStory, type StoryMachine } from './story';

/** Service accounts of the background traffic: processes, not people logging on. */
const SERVICE_ACCOUNTS = new Set(['', 'system', 'network service', 'local service', 'root', '_mdnsresponder', 'systemd-resolve']);
/** The story's IT administrator, who signed in to the compromised machines and the servers. */
export const DEMO_ADMIN_ACCOUNT = 'adm-rsingh';

interface AccountUse {
  /** Events per machine id. */
  machines: Map<string, number>;
  first: Map<string, number>;
  last: Map<string, number>;
}

interface Index {
  accounts: Map<string, AccountUse>;
  compromised: Set<string>;
}

const indexes = new WeakMap<DemoStory, Index>();

function note(index: Index, account: string, machineId: string, t: number): void {
  let use = index.accounts.get(account);
  if (!use) {
    use = { machines: new Map(), first: new Map(), last: new Map() };
    index.accounts.set(account, use);
  }
  use.machines.set(machineId, (use.machines.get(machineId) ?? 0) + 1);
  use.first.set(machineId, Math.min(use.first.get(machineId) ?? Infinity, t));
  use.last.set(machineId, Math.max(use.last.get(machineId) ?? -Infinity, t));
}

function indexOf(story: DemoStory): Index {
  const cached = indexes.get(story);
  if (cached) return cached;
  const index: Index = { accounts: new Map(), compromised: new Set() };
  for (const e of story.networkEvents) {
    const account = typeof e.InitiatingProcessAccountName === 'string' ? e.InitiatingProcessAccountName : '';
    if (SERVICE_ACCOUNTS.has(account.toLowerCase())) continue;
    note(index, account, e.DeviceId as string, e.Timestamp as number);
  }
  for (const m of story.machines) {
    if (!SERVICE_ACCOUNTS.has(m.account.toLowerCase())) note(index, m.account, m.id, Math.min(m.lastSeen, story.anchor));
  }
  for (const a of story.alerts) if (a.severity === 'High' || a.severity === 'Medium') index.compromised.add(a.machineId);
  for (const m of story.machines) {
    if (index.compromised.has(m.id) || m.kind === 'server') note(index, DEMO_ADMIN_ACCOUNT, m.id, Math.min(m.lastSeen, story.anchor) - 26 * 3_600_000);
  }
  indexes.set(story, index);
  return index;
}

function sid(account: string): string {
  const n = createHash('sha256').update(account).digest().readUInt32BE(0);
  return `S-1-5-21-1004336348-1177238915-682003330-${1000 + (n % 90000)}`;
}

/** The API's user entities for the machine, most recent first. */
export function logonUsersOf(story: DemoStory, machine: StoryMachine): Record<string, unknown>[] {
  const index = indexOf(story);
  const hostileMachine = (DEMO_HOSTILE_MACHINE_NAMES as readonly string[]).includes(machine.computerDnsName);
  const out: { last: number; json: Record<string, unknown> }[] = [];
  for (const [account, use] of index.accounts) {
    const count = use.machines.get(machine.id);
    if (count === undefined) continue;
    const ranked = [...use.machines.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const admin = account === DEMO_ADMIN_ACCOUNT;
    const primary = account === machine.account;
    // The story's hostile account signs in from a hostile domain name too: both must stay text everywhere.
    const domain = account === HOSTILE_STRINGS.img && hostileMachine ? HOSTILE_STRINGS.bold : 'contoso';
    const types = admin ? 'RemoteInteractive' : primary || machine.kind === 'workstation' || machine.kind === 'laptop' || machine.kind === 'mac' ? 'Interactive' : 'Network';
    const last = use.last.get(machine.id) ?? machine.lastSeen;
    out.push({
      last,
      json: {
        id: `${domain}\\${account}`,
        accountName: account,
        accountDomain: domain,
        accountSid: sid(`${domain}\\${account}`),
        firstSeen: toApiTime(use.first.get(machine.id) ?? machine.firstSeen),
        lastSeen: toApiTime(last),
        mostPrevalentMachineId: ranked[0]?.[0] ?? null,
        leastPrevalentMachineId: ranked[ranked.length - 1]?.[0] ?? null,
        logonTypes: types,
        logOnMachinesCount: use.machines.size,
        isDomainAdmin: admin,
        isOnlyNetworkUser: types === 'Network',
      },
    });
  }
  return out.sort((a, b) => b.last - a.last).map((u) => u.json);
}
