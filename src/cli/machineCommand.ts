// `ipinv machine <id | name>`: one machine through the same MachineService as the machine panel (overview, alerts,
// logged-on users, remote addresses rarest first, network timeline), as readable text or one JSON object. Input is
// validated before any connection is opened; a name that matches several machines lists them and exits 2.
import { ExitCode, UsageError, terminalSafe, writeOut, type CliIo } from './io';
import { CONNECTION_HELP, openConnection, parseConnectionFlags, type Connection, type ConnectionFlags } from './connection';
import { portalMachineUrl } from '../core/defender/clouds';
import { AuthError, isCancellation } from '../core/defender/errors';
import { describeError } from '../core/investigation/describeError';
import { addressFacts, findByIpTimeProblem } from '../core/investigation/investigationService';
import { parseTimeInput } from '../core/ip/logTime';
import { MachineService, readTypedMachine } from '../core/machine/machineService';
import type { Machine } from '../shared/defenderModel';
import { LOOKBACKS, type Lookback } from '../shared/investigation';
import { machineDisplayName, type MachineInvestigation, type MachineQuery, type MachineSection } from '../shared/machine';

export const MACHINE_HELP = `Usage: ipinv machine <id | name> [--lookback 1d|7d|30d] [--json] [options]
       ipinv machine --ip ADDRESS --at TIME [--lookback ...] [--json] [options]

The machine view of one Defender machine: its overview (OS, health, risk, exposure, addresses,
group, tags), its alerts, the users logged on to it, the remote addresses it talked to in the
period (connections, ports, processes, and how many machines of the organisation talked to each:
rarest first), and its most recent network events.

The machine is a device id (40 hexadecimal digits), a DNS name or the start of one (fin-ws-017 or
fin-ws-017.corp.contoso.com; a name that matches several machines lists them and exits 2), or the
internal address it held at a time (--ip with --at, within the past 30 days).

Options:
  --ip ADDRESS    an internal address the machine held at --at (findbyip, +/- 15 minutes)
  --at TIME       when: ISO 8601, 'now', or relative ('2h ago')
  --lookback P    1d | 7d | 30d (default 7d): the period of the remote addresses and the timeline
  --json          one JSON object on stdout instead of the readable text
  --help          this text

${CONNECTION_HELP}
Exit codes: 0 done (problems of single sections are reported, not fatal), 1 cancelled or internal
error, 2 bad input or a name matching several machines (rejected before the machine view is
asked), 3 authentication failed, 4 no such machine, or nothing could be retrieved.
`;

export interface MachineArgs {
  query: MachineQuery;
  lookback: Lookback;
  json: boolean;
  connection: ConnectionFlags;
}

export interface MachineDeps {
  openConnection?: (flags: ConnectionFlags, io: CliIo) => Promise<Connection>;
  signal?: AbortSignal;
  now?: () => Date;
}

/** Parses and validates everything; bad input is a UsageError (exit 2) before any request. */
export function parseMachineArgs(args: readonly string[], now: Date = new Date()): MachineArgs | 'help' {
  const { flags, rest } = parseConnectionFlags(args);
  let target: string | undefined;
  let ipText: string | undefined;
  let atText: string | undefined;
  let lookback: Lookback | undefined;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${name} needs a value.`);
      return v;
    };
    const once = (current: string | undefined): void => {
      if (current !== undefined) throw new UsageError(`${name} was given twice.`);
    };
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--json':
        if (eq > 0) throw new UsageError('--json takes no value.');
        json = true;
        break;
      case '--ip':
        once(ipText);
        ipText = value();
        break;
      case '--at':
        once(atText);
        atText = value();
        break;
      case '--lookback': {
        once(lookback);
        const v = value();
        if (!(LOOKBACKS as readonly string[]).includes(v)) throw new UsageError(`--lookback must be one of ${LOOKBACKS.join(', ')}, not '${terminalSafe(v, 20)}'.`);
        lookback = v as Lookback;
        break;
      }
      case '--':
        if (target !== undefined || i + 2 !== rest.length) throw new UsageError('give exactly one machine.');
        target = rest[++i];
        break;
      default:
        if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${terminalSafe(a, 40)}'. Run 'ipinv machine --help'.`);
        if (target !== undefined) throw new UsageError(`give one machine (got '${terminalSafe(target, 60)}' and '${terminalSafe(a, 60)}').`);
        target = a;
    }
  }
  const base = { lookback: lookback ?? '7d', json, connection: flags };
  const typed = target !== undefined ? readTypedMachine(target) : undefined;
  // A positional address is the same as --ip.
  if (typed?.kind === 'address') {
    if (ipText !== undefined) throw new UsageError('give the address once (as the machine or with --ip).');
    ipText = target;
  }
  if (ipText !== undefined) {
    if (target !== undefined && typed?.kind !== 'address') throw new UsageError('give either a machine id or name, or --ip with --at, not both.');
    const v = addressFacts(ipText);
    if (!v.ok) throw new UsageError(`--ip: ${terminalSafe(v.error, 200)}`);
    if (!v.facts.internal) throw new UsageError(`${v.facts.ip} is not an internal address: Defender finds which machine held an address only for internal (private) addresses.`);
    if (atText === undefined) throw new UsageError(`an address needs --at TIME: which machine held ${v.facts.ip} when?`);
    const t = parseTimeInput(atText, now);
    if (!t.ok) throw new UsageError(`--at: ${t.error}`);
    const problem = findByIpTimeProblem(t.time, now.getTime());
    if (problem) throw new UsageError(`--at: ${problem}`);
    return { ...base, query: { kind: 'ip', ip: v.facts.ip, at: t.time.toISOString() } };
  }
  if (atText !== undefined) throw new UsageError('--at goes with --ip (the internal address the machine held then).');
  if (!typed) throw new UsageError("give a machine id or name, e.g. 'ipinv machine fin-ws-017 --demo', or --ip ADDRESS --at TIME.");
  switch (typed.kind) {
    case 'invalid':
      throw new UsageError(terminalSafe(typed.error, 200));
    case 'id':
      return { ...base, query: { kind: 'id', id: typed.id } };
    case 'name':
      return { ...base, query: { kind: 'name', name: typed.name } };
    case 'address':
      throw new UsageError('an address needs --at TIME.');
  }
}

export async function runMachine(args: string[], io: CliIo, deps: MachineDeps = {}): Promise<number> {
  const parsed = parseMachineArgs(args, deps.now?.() ?? new Date());
  if (parsed === 'help') {
    io.stdout.write(MACHINE_HELP);
    return ExitCode.ok;
  }
  let connection: Connection;
  try {
    connection = await (deps.openConnection ?? openConnection)(parsed.connection, io);
  } catch (e) {
    if (e instanceof AuthError) {
      io.stderr.write(`ipinv machine: ${e.message}\n`);
      return ExitCode.auth;
    }
    throw e;
  }
  let signal = deps.signal;
  let stopListening = (): void => undefined;
  if (!signal && io.stderr === process.stderr) {
    const ac = new AbortController();
    const onInt = (): void => ac.abort();
    process.once('SIGINT', onInt);
    stopListening = () => process.removeListener('SIGINT', onInt);
    signal = ac.signal;
  }
  try {
    const service = new MachineService(connection.api);
    const call = signal ? { signal } : {};
    let machineId: string;
    try {
      const found = await service.resolve(parsed.query, call);
      if (found.kind === 'ambiguous') return await reportAmbiguous(io, parsed, found.message, found.candidates, found.truncated);
      if (found.kind === 'notFound') {
        io.stderr.write(`ipinv machine: ${terminalSafe(found.message, 300)}\n`);
        if (parsed.json) await writeOut(io, `${JSON.stringify(toJson(emptyView(parsed), parsed.query, [{ source: 'overview', kind: 'not-found', message: found.message }]), null, 2)}\n`);
        return ExitCode.nothingRetrieved;
      }
      machineId = found.machine.id;
    } catch (e) {
      if (isCancellation(e) || signal?.aborted) {
        io.stderr.write('ipinv machine: cancelled.\n');
        return ExitCode.failure;
      }
      const d = describeError(e);
      if (d.kind === 'invalid') throw new UsageError(terminalSafe(d.message, 300));
      io.stderr.write(`ipinv machine: could not find the machine: ${terminalSafe(d.message, 300)}${d.remedy ? ` ${terminalSafe(d.remedy, 200)}` : ''}\n`);
      return d.kind === 'auth' ? ExitCode.auth : ExitCode.nothingRetrieved;
    }
    let view: MachineInvestigation;
    try {
      view = await service.investigateAll({ machineId, lookback: parsed.lookback }, call);
    } catch (e) {
      if (!isCancellation(e) && !signal?.aborted) throw e;
      io.stderr.write('ipinv machine: cancelled.\n');
      return ExitCode.failure;
    }
    const code = exitCodeFor(view, signal, io);
    if (parsed.json || code === ExitCode.ok || code === ExitCode.failure) {
      const portal = parsed.connection.demo ? undefined : portalMachineUrl(parsed.connection.cloud, view.machineId);
      await writeOut(io, parsed.json ? `${JSON.stringify(toJson(view, parsed.query), null, 2)}\n` : renderText(view, connection.describe, portal));
    }
    return code;
  } finally {
    stopListening();
    await connection.close();
  }
}

function emptyView(parsed: MachineArgs): MachineInvestigation {
  return { machineId: '', lookback: parsed.lookback, problems: [] };
}

async function reportAmbiguous(io: CliIo, parsed: MachineArgs, message: string, candidates: readonly Machine[], truncated: boolean): Promise<number> {
  const lines = candidates.map((m) => `  ${terminalSafe(machineDisplayName(m), 70).padEnd(44)} ${m.id}${m.lastSeen ? `  last seen ${terminalSafe(m.lastSeen.slice(0, 16).replace('T', ' '), 20)}Z` : ''}`);
  io.stderr.write(`ipinv machine: ${terminalSafe(message, 300)}\n${lines.join('\n')}\n${truncated ? '  … and more: give more of the name.\n' : ''}`);
  if (parsed.json) {
    const body = {
      error: { kind: 'ambiguous', message },
      candidates: candidates.map((m) => ({ id: m.id, name: m.computerDnsName ?? null, lastSeen: m.lastSeen ?? null, lastIpAddress: m.lastIpAddress ?? null })),
      truncated,
    };
    await writeOut(io, `${JSON.stringify(body, null, 2)}\n`);
  }
  return ExitCode.usage;
}

function exitCodeFor(view: MachineInvestigation, signal: AbortSignal | undefined, io: CliIo): number {
  if (signal?.aborted) {
    io.stderr.write('ipinv machine: cancelled; the output has what arrived before.\n');
    return ExitCode.failure;
  }
  const got = (view.machine !== undefined && view.machine !== null) || (view.alerts?.length ?? 0) > 0 || (view.network?.remotes.length ?? 0) > 0 || (view.timeline?.length ?? 0) > 0;
  if (got) return ExitCode.ok;
  if (view.machine === null) {
    io.stderr.write(`ipinv machine: Defender knows no machine with id ${view.machineId}.\n`);
    return ExitCode.nothingRetrieved;
  }
  if (view.problems.length === 0) return ExitCode.ok;
  const auth = view.problems.find((p) => p.kind === 'auth');
  const first = auth ?? view.problems[0];
  io.stderr.write(`ipinv machine: nothing could be retrieved: ${terminalSafe(first.message, 300)}${first.remedy ? ` ${terminalSafe(first.remedy, 300)}` : ''}\n`);
  return auth ? ExitCode.auth : ExitCode.nothingRetrieved;
}

export interface MachineJson {
  query: { kind: MachineQuery['kind']; value: string; at: string | null };
  machineId: string | null;
  lookback: Lookback;
  machine: {
    id: string;
    name: string | null;
    osPlatform: string | null;
    version: string | null;
    osBuild: number | null;
    healthStatus: string | null;
    riskScore: string | null;
    exposureLevel: string | null;
    deviceValue: string | null;
    onboardingStatus: string | null;
    firstSeen: string | null;
    lastSeen: string | null;
    lastIpAddress: string | null;
    lastExternalIpAddress: string | null;
    rbacGroupName: string | null;
    tags: string[];
    aadDeviceId: string | null;
  } | null;
  alerts: { id: string; title: string; severity: string; status: string; category: string | null; detectionSource: string | null; incidentId: number | null; firstActivity: string | null; lastActivity: string | null; evidenceIps: string[] }[] | null;
  logonUsers: { id: string; accountName: string; accountDomain: string | null; logonTypes: string[]; firstSeen: string | null; lastSeen: string | null; isDomainAdmin: boolean | null; isOnlyNetworkUser: boolean | null }[] | null;
  remoteAddresses:
    | { ip: string; class: string; internal: boolean; connections: number; failed: number; inbound: number; firstSeen: string | null; lastSeen: string | null; ports: number[]; processes: string[]; urls: string[]; orgPrevalence: number }[]
    | null;
  remoteAddressesTruncated: boolean;
  timeline:
    | { timestamp: string; actionType: string; localIp: string | null; localPort: number | null; remoteIp: string | null; remotePort: number | null; remoteUrl: string | null; protocol: string | null; process: string | null; commandLine: string | null; folder: string | null; account: string | null }[]
    | null;
  timelineTruncated: boolean;
  retrievedAt: string | null;
  problems: { source: string; kind: string; message: string; remedy: string | null; permission: string | null }[];
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** The stable JSON contract of `ipinv machine --json`: a section that was not retrieved is null (its problem says why). */
export function toJson(view: MachineInvestigation, query: MachineQuery, extraProblems: MachineInvestigation['problems'] = []): MachineJson {
  const m = view.machine;
  return {
    query: { kind: query.kind, value: query.kind === 'id' ? query.id : query.kind === 'name' ? query.name : query.ip, at: query.kind === 'ip' ? query.at : null },
    machineId: view.machineId || null,
    lookback: view.lookback,
    machine: m
      ? {
          id: m.id,
          name: nul(m.computerDnsName),
          osPlatform: nul(m.osPlatform),
          version: nul(m.version),
          osBuild: nul(m.osBuild),
          healthStatus: nul(m.healthStatus),
          riskScore: nul(m.riskScore),
          exposureLevel: nul(m.exposureLevel),
          deviceValue: nul(m.deviceValue),
          onboardingStatus: nul(m.onboardingStatus),
          firstSeen: nul(m.firstSeen),
          lastSeen: nul(m.lastSeen),
          lastIpAddress: nul(m.lastIpAddress),
          lastExternalIpAddress: nul(m.lastExternalIpAddress),
          rbacGroupName: nul(m.rbacGroupName),
          tags: m.machineTags,
          aadDeviceId: nul(m.aadDeviceId),
        }
      : null,
    alerts: view.alerts
      ? view.alerts.map((a) => ({
          id: a.id,
          title: a.title,
          severity: a.severity,
          status: a.status,
          category: nul(a.category),
          detectionSource: nul(a.detectionSource),
          incidentId: nul(a.incidentId),
          firstActivity: a.firstEventTime ?? a.alertCreationTime ?? null,
          lastActivity: a.lastEventTime ?? a.lastUpdateTime ?? a.alertCreationTime ?? null,
          evidenceIps: [...new Set(a.evidence.map((e) => e.ipAddress).filter((x): x is string => x !== undefined))],
        }))
      : null,
    logonUsers: view.logonUsers
      ? view.logonUsers.map((u) => ({
          id: u.id,
          accountName: u.accountName,
          accountDomain: nul(u.accountDomain),
          logonTypes: u.logonTypes,
          firstSeen: nul(u.firstSeen),
          lastSeen: nul(u.lastSeen),
          isDomainAdmin: nul(u.isDomainAdmin),
          isOnlyNetworkUser: nul(u.isOnlyNetworkUser),
        }))
      : null,
    remoteAddresses: view.network
      ? view.network.remotes.map((r) => ({
          ip: r.ip,
          class: r.ipClass,
          internal: r.internal,
          connections: r.connections,
          failed: r.failed,
          inbound: r.inbound,
          firstSeen: nul(r.firstSeen),
          lastSeen: nul(r.lastSeen),
          ports: r.ports,
          processes: r.processes,
          urls: r.urls,
          orgPrevalence: r.orgPrevalence,
        }))
      : null,
    remoteAddressesTruncated: view.network?.truncated === true,
    timeline: view.timeline
      ? view.timeline.map((e) => ({
          timestamp: e.timestamp,
          actionType: e.actionType,
          localIp: nul(e.localIp),
          localPort: nul(e.localPort),
          remoteIp: nul(e.remoteIp),
          remotePort: nul(e.remotePort),
          remoteUrl: nul(e.remoteUrl),
          protocol: nul(e.protocol),
          process: nul(e.process),
          commandLine: nul(e.commandLine),
          folder: nul(e.folder),
          account: nul(e.account),
        }))
      : null,
    timelineTruncated: view.timelineTruncated === true,
    retrievedAt: view.cachedAt ?? null,
    problems: [...extraProblems, ...view.problems].map((p) => ({ source: p.source, kind: p.kind, message: p.message, remedy: p.remedy ?? null, permission: p.permission ?? null })),
  };
}

function when(iso: string | undefined): string {
  return iso ? `${terminalSafe(iso.slice(0, 16).replace('T', ' '), 20)}Z` : '?';
}

/** Readable output in the panel's order; every value from the API is made terminal-safe. */
export function renderText(view: MachineInvestigation, source: string, portalUrl?: string): string {
  const out: string[] = [];
  const m = view.machine;
  const problemOf = (s: MachineSection): string | undefined => {
    const p = view.problems.find((x) => x.source === s);
    return p ? `unavailable: ${terminalSafe(p.message, 200)}${p.remedy ? ` ${terminalSafe(p.remedy, 200)}` : ''}` : undefined;
  };
  if (m) {
    const os = [m.osPlatform, m.version, m.osBuild !== undefined ? `build ${m.osBuild}` : undefined].filter(Boolean).map((x) => terminalSafe(String(x), 30)).join(' ');
    out.push(`${terminalSafe(machineDisplayName(m), 120)}  (id ${m.id})`);
    out.push(`  ${[os, m.healthStatus && `health ${terminalSafe(m.healthStatus, 30)}`, m.riskScore && `risk ${terminalSafe(m.riskScore, 20)}`, m.exposureLevel && `exposure ${terminalSafe(m.exposureLevel, 20)}`, m.onboardingStatus && terminalSafe(m.onboardingStatus, 30)].filter(Boolean).join(' · ')}`);
    out.push(`  first seen ${when(m.firstSeen)} · last seen ${when(m.lastSeen)} · last IP ${terminalSafe(m.lastIpAddress ?? '?', 50)} · external ${terminalSafe(m.lastExternalIpAddress ?? '?', 50)}`);
    const extra = [m.rbacGroupName && `group ${terminalSafe(m.rbacGroupName, 60)}`, m.machineTags.length > 0 && `tags ${m.machineTags.map((t) => terminalSafe(t, 40)).join(', ')}`, m.aadDeviceId && `Azure AD device ${terminalSafe(m.aadDeviceId, 40)}`].filter(Boolean);
    if (extra.length > 0) out.push(`  ${extra.join(' · ')}`);
  } else if (m === null) {
    out.push(`Machine ${view.machineId}: not known to Defender (outside the retention period or your device groups?)`);
  } else {
    out.push(`Machine ${view.machineId}`, `  ${problemOf('overview') ?? 'overview not asked'}`);
  }
  out.push(`Source: ${terminalSafe(source, 200)}`);

  out.push('', `Alerts on this machine${view.alerts ? ` (${view.alerts.length})` : ''}`);
  if (view.alerts) {
    if (view.alerts.length === 0) out.push('  none');
    for (const a of view.alerts.slice(0, 20)) {
      const ips = [...new Set(a.evidence.map((e) => e.ipAddress).filter((x): x is string => x !== undefined))];
      out.push(
        `  ${terminalSafe(a.severity, 13).padEnd(13)} ${terminalSafe(a.status, 10).padEnd(10)} ${when(a.lastEventTime ?? a.alertCreationTime)}  ${terminalSafe(a.title, 90)}${a.incidentId !== undefined ? `  incident ${a.incidentId}` : ''}${ips.length > 0 ? `  evidence ${ips.slice(0, 4).map((ip) => terminalSafe(ip, 45)).join(', ')}` : ''}`,
      );
    }
    if (view.alerts.length > 20) out.push(`  … and ${view.alerts.length - 20} more (use --json for all)`);
  } else out.push(`  ${problemOf('alerts') ?? 'not asked'}`);

  out.push('', `Logged-on users${view.logonUsers ? ` (${view.logonUsers.length})` : ''}`);
  if (view.logonUsers) {
    if (view.logonUsers.length === 0) out.push('  none reported');
    for (const u of view.logonUsers.slice(0, 20)) {
      const who = u.accountDomain ? `${u.accountDomain}\\${u.accountName}` : u.accountName;
      out.push(`  ${terminalSafe(who, 40).padEnd(40)} ${terminalSafe(u.logonTypes.join(', ') || '?', 30).padEnd(20)} ${when(u.firstSeen)} – ${when(u.lastSeen)}${u.isDomainAdmin ? '  domain admin' : ''}`);
    }
    if (view.logonUsers.length > 20) out.push(`  … and ${view.logonUsers.length - 20} more (use --json for all)`);
  } else out.push(`  ${problemOf('logonUsers') ?? 'not asked'}`);

  const n = view.network;
  out.push('', `Remote addresses, last ${view.lookback}${n ? ` (${n.remotes.length}: ${n.remotes.filter((r) => !r.internal).length} public, ${n.remotes.filter((r) => r.internal).length} internal; rarest first)` : ''}`);
  if (n) {
    if (n.remotes.length === 0) out.push('  none in this period');
    for (const r of n.remotes.slice(0, 30)) {
      const seen = r.orgPrevalence === 1 ? 'only this machine' : `${r.orgPrevalence} machines`;
      const procs = r.processes.slice(0, 3).map((p) => terminalSafe(p, 40)).join(', ');
      out.push(`  ${r.ip.padEnd(22)} ${terminalSafe(r.ipClass, 13).padEnd(13)} ${seen.padEnd(18)} ${String(r.connections).padStart(5)} conn  ${when(r.firstSeen)} – ${when(r.lastSeen)}  ${r.ports.slice(0, 5).join(',')}  ${procs}`);
    }
    if (n.remotes.length > 30) out.push(`  … and ${n.remotes.length - 30} more (use --json for all)`);
    if (n.truncated) out.push('  (the query hit its row limit: more addresses exist; narrow the period)');
  } else out.push(`  ${problemOf('network') ?? 'not asked'}`);

  out.push('', `Network timeline${view.timeline ? ` (${view.timeline.length} events, newest first)` : ''}`);
  if (view.timeline) {
    if (view.timeline.length === 0) out.push('  none in this period');
    for (const e of view.timeline.slice(0, 15)) {
      const remote = e.remoteIp ? `${e.remoteIp}${e.remotePort !== undefined ? `:${e.remotePort}` : ''}` : '';
      out.push(`  ${when(e.timestamp)}  ${terminalSafe(e.actionType, 26).padEnd(26)} ${remote.padEnd(28)} ${terminalSafe(e.process ?? '', 40)}`);
    }
    if (view.timeline.length > 15) out.push(`  … and ${view.timeline.length - 15} more (use --json for all)`);
  } else out.push(`  ${problemOf('timeline') ?? 'not asked'}`);
  if (portalUrl) out.push('', `Portal: ${portalUrl}`);
  return `${out.join('\n')}\n`;
}
