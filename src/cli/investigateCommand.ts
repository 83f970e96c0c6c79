// `ipinv investigate <address>`: one address through the same InvestigationService as the panel, printed
// as readable text or one JSON object. Input is validated before any connection is opened.
import { ExitCode, UsageError, terminalSafe, writeOut, type CliIo } from './io';
import { CONNECTION_HELP, connectOrExit, interruptSignal, parseConnectionFlags, type Connection, type ConnectionFlags } from './connection';
import { isCancellation } from '../core/defender/errors';
import { portalIpUrl } from '../core/defender/clouds';
import { addressFacts, type InvestigateOptions } from '../core/investigation/investigationService';
import { parseTimeInput } from '../core/ip/logTime';
import { LOOKBACKS, type AddressFacts, type Investigation, type Lookback, type SectionName } from '../shared/investigation';

export const INVESTIGATE_HELP = `Usage: ipinv investigate <address> [--at TIME] [--lookback 1d|7d|30d] [--json] [options]

Asks Defender what it knows about one address: how many machines in the organisation talked to it
and when (prevalence), related alerts, the machines observed with it, and, for an internal address
with --at, which machine held it then (+/- 15 minutes, within the past 30 days).

The address may be plain, bracketed, with a port, prefix or zone, or defanged (198[.]51[.]100[.]23).

Options:
  --at TIME       when: ISO 8601 (2026-11-20T08:44:05Z, or with an offset; no zone means UTC),
                  'now', or relative ('2h ago', '-30m')
  --lookback P    1d | 7d | 30d (default 30d): the prevalence and observed-machines period
  --json          one JSON object on stdout instead of the readable text
  --help          this text

${CONNECTION_HELP}
Exit codes: 0 done (problems of single sections are reported, not fatal), 1 cancelled or internal
error, 2 bad input (rejected before any request), 3 authentication failed, 4 nothing could be retrieved.
`;

export interface InvestigateArgs {
  address: string;
  facts: AddressFacts;
  at?: Date;
  lookback: Lookback;
  json: boolean;
  connection: ConnectionFlags;
}

export interface InvestigateDeps {
  /** Replaces openConnection (tests). */
  openConnection?: (flags: ConnectionFlags, io: CliIo) => Promise<Connection>;
  /** Cancels the investigation (Ctrl-C); what arrived is still printed. */
  signal?: AbortSignal;
  now?: () => Date;
}

/** Parses and validates everything; an invalid address or time is a UsageError (exit 2) before any request. */
export function parseInvestigateArgs(args: readonly string[], now: Date = new Date()): InvestigateArgs | 'help' {
  const { flags, rest } = parseConnectionFlags(args);
  let address: string | undefined;
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
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--json':
        if (eq > 0) throw new UsageError('--json takes no value.');
        json = true;
        break;
      case '--at':
        if (atText !== undefined) throw new UsageError('--at was given twice.');
        atText = value();
        break;
      case '--lookback': {
        if (lookback !== undefined) throw new UsageError('--lookback was given twice.');
        const v = value();
        if (!(LOOKBACKS as readonly string[]).includes(v)) throw new UsageError(`--lookback must be one of ${LOOKBACKS.join(', ')}, not '${terminalSafe(v, 20)}'.`);
        lookback = v as Lookback;
        break;
      }
      case '--':
        if (address !== undefined || i + 2 !== rest.length) throw new UsageError('give exactly one address.');
        address = rest[++i];
        break;
      default:
        // A negative relative time is not an option, but a bare '-1.2.3.4' is no address either.
        if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${terminalSafe(a, 40)}'. Run 'ipinv investigate --help'.`);
        if (address !== undefined) throw new UsageError(`give one address (got '${terminalSafe(address, 60)}' and '${terminalSafe(a, 60)}').`);
        address = a;
    }
  }
  if (address === undefined) throw new UsageError("give an address, e.g. 'ipinv investigate 198.51.100.23 --demo'.");
  const v = addressFacts(address);
  if (!v.ok) throw new UsageError(terminalSafe(v.error, 200));
  let at: Date | undefined;
  if (atText !== undefined) {
    const t = parseTimeInput(atText, now);
    if (!t.ok) throw new UsageError(`--at: ${t.error}`);
    if (t.time.getTime() > now.getTime() + 60_000) throw new UsageError('--at is in the future.');
    at = t.time;
  }
  return { address, facts: v.facts, ...(at ? { at } : {}), lookback: lookback ?? '30d', json, connection: flags };
}

export async function runInvestigate(args: string[], io: CliIo, deps: InvestigateDeps = {}): Promise<number> {
  const parsed = parseInvestigateArgs(args, deps.now?.() ?? new Date());
  if (parsed === 'help') {
    io.stdout.write(INVESTIGATE_HELP);
    return ExitCode.ok;
  }

  const opened = await connectOrExit('investigate', parsed.connection, io, deps.openConnection);
  if (typeof opened === 'number') return opened;
  const connection = opened;

  const interrupt = interruptSignal(io, deps.signal);
  const signal = interrupt.signal;
  try {
    const options: InvestigateOptions = signal ? { signal } : {};
    let inv: Investigation;
    try {
      inv = await connection.service.investigateAll({ address: parsed.address, lookback: parsed.lookback, ...(parsed.at ? { at: parsed.at } : {}) }, options);
    } catch (e) {
      if (!isCancellation(e) && !signal?.aborted) throw e;
      io.stderr.write('ipinv investigate: cancelled.\n');
      return ExitCode.failure;
    }
    const portal = parsed.connection.demo ? undefined : portalIpUrl(parsed.connection.cloud, inv.address.ip);
    const code = exitCodeFor(inv, signal, io);
    // With nothing retrieved, the readable text would repeat one error per section: stderr said it once.
    if (parsed.json || code === ExitCode.ok || code === ExitCode.failure) {
      const text = parsed.json ? `${JSON.stringify(toJson(inv), null, 2)}\n` : renderText(inv, connection.describe, portal);
      await writeOut(io, text);
    }
    return code;
  } finally {
    interrupt.dispose();
    await connection.close();
  }
}

/** The sections that were asked and failed, against those that were asked at all. */
function exitCodeFor(inv: Investigation, signal: AbortSignal | undefined, io: CliIo): number {
  if (signal?.aborted) {
    io.stderr.write('ipinv investigate: cancelled; the output has what arrived before.\n');
    return ExitCode.failure;
  }
  const failed = new Set<SectionName>(inv.problems.map((p) => p.source));
  const got =
    inv.stats !== undefined ||
    inv.alerts !== undefined ||
    inv.machines !== undefined ||
    inv.timeline !== undefined ||
    inv.daily !== undefined ||
    inv.machinesAtTime !== undefined;
  if (got || failed.size === 0) return ExitCode.ok;
  const auth = inv.problems.find((p) => p.kind === 'auth');
  const first = auth ?? inv.problems[0];
  io.stderr.write(`ipinv investigate: nothing could be retrieved: ${terminalSafe(first.message, 300)}${first.remedy ? ` ${terminalSafe(first.remedy, 300)}` : ''}\n`);
  return auth ? ExitCode.auth : ExitCode.nothingRetrieved;
}

export interface InvestigationJson {
  ip: string;
  version: 4 | 6;
  classification: string;
  block: { prefix: string; name: string; rfc?: string } | null;
  internal: boolean;
  lookback: Lookback;
  at: string | null;
  prevalence: number | null;
  firstSeen: string | null;
  lastSeen: string | null;
  alerts: {
    id: string;
    title: string;
    severity: string;
    status: string;
    machineId: string | null;
    computerDnsName: string | null;
    category: string | null;
    alertCreationTime: string | null;
  }[];
  machines: { id: string; name: string; firstSeen: string | null; lastSeen: string | null; events: number; processes: string[]; remotePorts: number[] }[];
  machinesAtTime: { at: string; from: string; to: string; machines: { id: string; name: string; lastIpAddress: string | null; lastSeen: string | null }[] } | null;
  machinesAtTimeNote: string | null;
  daily: { day: string; machines: number; events: number }[] | null;
  retrievedAt: string | null;
  problems: { source: string; kind: string; message: string; remedy: string | null; permission: string | null }[];
}

/** The stable JSON contract of `ipinv investigate --json`; absent data is null, never omitted. */
export function toJson(inv: Investigation): InvestigationJson {
  const a = inv.address;
  return {
    ip: a.ip,
    version: a.version,
    classification: a.ipClass,
    block: a.block ?? null,
    internal: a.internal,
    lookback: inv.lookback,
    at: inv.at ?? null,
    prevalence: inv.stats ? inv.stats.prevalence : null,
    firstSeen: inv.stats?.firstSeen ?? null,
    lastSeen: inv.stats?.lastSeen ?? null,
    alerts: (inv.alerts ?? []).map((x) => ({
      id: x.id,
      title: x.title,
      severity: x.severity,
      status: x.status,
      machineId: x.machineId ?? null,
      computerDnsName: x.computerDnsName ?? null,
      category: x.category ?? null,
      alertCreationTime: x.alertCreationTime ?? null,
    })),
    machines: (inv.machines ?? []).map((m) => ({
      id: m.id,
      name: m.name,
      firstSeen: m.firstSeen ?? null,
      lastSeen: m.lastSeen ?? null,
      events: m.events,
      processes: m.processes,
      remotePorts: m.remotePorts,
    })),
    machinesAtTime: inv.machinesAtTime
      ? {
          at: inv.machinesAtTime.at,
          from: inv.machinesAtTime.from,
          to: inv.machinesAtTime.to,
          machines: inv.machinesAtTime.machines.map((m) => ({ id: m.id, name: m.computerDnsName ?? m.id, lastIpAddress: m.lastIpAddress ?? null, lastSeen: m.lastSeen ?? null })),
        }
      : null,
    machinesAtTimeNote: inv.machinesAtTimeNote ?? null,
    daily: inv.daily ?? null,
    retrievedAt: inv.cachedAt ?? null,
    problems: inv.problems.map((p) => ({ source: p.source, kind: p.kind, message: p.message, remedy: p.remedy ?? null, permission: p.permission ?? null })),
  };
}

const SEVERITY_ORDER = ['High', 'Medium', 'Low', 'Informational', 'UnSpecified'];

function when(iso: string | undefined): string {
  return iso ? terminalSafe(iso.slice(0, 16).replace('T', ' '), 20) + 'Z' : '?';
}

/** Readable output: the portal's sections in its order; every value from the API made terminal-safe. */
export function renderText(inv: Investigation, source: string, portalUrl?: string): string {
  const a = inv.address;
  const out: string[] = [];
  const block = a.block ? ` (${a.block.name}${a.block.rfc ? `, ${a.block.rfc}` : ''})` : '';
  out.push(`${a.ip}  IPv${a.version} · ${a.ipClass}${block}${a.internal ? ' · internal' : ''}`);
  out.push(`Source: ${terminalSafe(source, 200)}`);
  const problemOf = (s: SectionName): string | undefined => {
    const p = inv.problems.find((x) => x.source === s);
    return p ? `unavailable: ${terminalSafe(p.message, 200)}${p.remedy ? ` ${terminalSafe(p.remedy, 200)}` : ''}` : undefined;
  };

  out.push('', `In organization (last ${inv.lookback})`);
  if (inv.stats) {
    out.push(`  ${inv.stats.prevalence} machine${inv.stats.prevalence === 1 ? '' : 's'} · first seen ${when(inv.stats.firstSeen)} · last seen ${when(inv.stats.lastSeen)}`);
  } else out.push(`  ${problemOf('stats') ?? 'not asked'}`);

  out.push('', `Alerts related to this IP${inv.alerts ? ` (${inv.alerts.length})` : ''}`);
  if (inv.alerts) {
    if (inv.alerts.length === 0) out.push('  none');
    const sorted = [...inv.alerts].sort((x, y) => rank(x.severity) - rank(y.severity) || (y.alertCreationTime ?? '').localeCompare(x.alertCreationTime ?? ''));
    for (const al of sorted.slice(0, 20)) {
      out.push(`  ${terminalSafe(al.severity, 13).padEnd(13)} ${terminalSafe(al.status, 10).padEnd(10)} ${when(al.alertCreationTime)}  ${terminalSafe(al.title, 90)}${al.computerDnsName ? `  on ${terminalSafe(al.computerDnsName, 60)}` : ''}`);
    }
    if (sorted.length > 20) out.push(`  … and ${sorted.length - 20} more (use --json for all)`);
  } else out.push(`  ${problemOf('alerts') ?? 'not asked'}`);

  out.push('', `Observed machines${inv.machines ? ` (${inv.machines.length})` : ''}`);
  if (inv.machines) {
    if (inv.machines.length === 0) out.push('  none in this period');
    for (const m of inv.machines.slice(0, 20)) {
      const procs = m.processes.length ? `  ${m.processes.slice(0, 3).map((p) => terminalSafe(p, 40)).join(', ')}` : '';
      out.push(`  ${terminalSafe(m.name, 32).padEnd(32)} ${when(m.firstSeen)} – ${when(m.lastSeen)}  ${m.events} event${m.events === 1 ? '' : 's'}${procs}`);
    }
    if (inv.machines.length > 20) out.push(`  … and ${inv.machines.length - 20} more (use --json for all)`);
  } else out.push(`  ${problemOf('machines') ?? 'not asked'}`);

  if (inv.machinesAtTime || inv.machinesAtTimeNote || inv.problems.some((p) => p.source === 'machinesAtTime')) {
    out.push('', inv.at ? `Machines that held it at ${when(inv.at)} (±15 min)` : 'Machines by internal IP');
    if (inv.machinesAtTime) {
      if (inv.machinesAtTime.machines.length === 0) out.push('  none reported this address then');
      for (const m of inv.machinesAtTime.machines) out.push(`  ${terminalSafe(m.computerDnsName ?? m.id, 60)}  (id ${terminalSafe(m.id, 60)}${m.osPlatform ? `, ${terminalSafe(m.osPlatform, 30)}` : ''})`);
    } else out.push(`  ${problemOf('machinesAtTime') ?? terminalSafe(inv.machinesAtTimeNote ?? '', 300)}`);
  }

  const others = inv.problems.filter((p) => !['stats', 'alerts', 'machines', 'machinesAtTime'].includes(p.source));
  if (others.length) {
    out.push('', 'Problems');
    for (const p of others) out.push(`  ${p.source}: ${terminalSafe(p.message, 200)}${p.remedy ? ` ${terminalSafe(p.remedy, 200)}` : ''}`);
  }
  if (portalUrl) out.push('', `Portal: ${portalUrl}`);
  return `${out.join('\n')}\n`;
}

function rank(severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
}
