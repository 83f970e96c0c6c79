// The machine view of one Defender machine from independent sources (the machine, its alerts, its logged-on users, its
// remote addresses with their prevalence in one hunting query, its recent network events), streamed section by section;
// a failing source becomes a problem of its section only. Also resolves what a user typed (id, name, internal IP at a
// time) to one machine, listing the candidates instead of guessing. Shared by the panel, the tree and the CLI.
import type { CallOptions, HuntingRow, Machine, MachineApi } from '../../shared/defenderModel';
import { LOOKBACK_DAYS, LOOKBACKS, type Lookback, type TimelineEvent } from '../../shared/investigation';
import {
  MACHINE_SECTIONS,
  type MachineInvestigation,
  type MachineProblem,
  type MachineQuery,
  type MachineResolution,
  type MachineSection,
  type MachineUpdate,
  type NetworkActivity,
  type RemoteAddress,
} from '../../shared/machine';
import { normaliseDeviceId, normaliseMachineName } from '../defender/validate';
import { rowList, rowNumber, rowText } from '../hunting/huntingRow';
import { machineNetworkActivityQuery, machineTimelineQuery } from '../hunting/machineQueries';
import { describeError } from '../investigation/describeError';
import { addressFacts, findByIpTimeProblem, toTimelineEvent } from '../investigation/investigationService';
import { runToEnd } from '../../shared/generators';

export interface MachineRequest {
  /** A Defender device id (40 hex digits). */
  machineId: string;
  lookback: Lookback;
}

export interface MachineViewOptions {
  signal?: AbortSignal;
  /** Sections to fetch; default all. */
  sections?: readonly MachineSection[];
  noCache?: boolean;
}

export interface MachineServiceOptions {
  now?: () => number;
  /** Rows of the timeline query (newest first); default 10,000. */
  timelineLimit?: number;
  /** Rows of the network-activity query (rarest first); default 10,000. */
  networkLimit?: number;
  /** Machines a name lookup lists at most; default 50. */
  candidateLimit?: number;
}

/** What a user typed to find a machine, read without any request. */
export type TypedMachine =
  | { kind: 'id'; id: string }
  | { kind: 'name'; name: string }
  | { kind: 'address'; ip: string; internal: boolean }
  | { kind: 'invalid'; error: string };

/** A device id, an IP address (defanged forms too), or a machine name (or the start of one). */
export function readTypedMachine(text: string): TypedMachine {
  const s = text.trim();
  if (s === '') return { kind: 'invalid', error: 'Enter a machine id, a machine name (or the start of one), or an internal IP address.' };
  const id = normaliseDeviceId(s);
  if (id) return { kind: 'id', id };
  // An address before a name: "10.1.2.3" is also a valid DNS-label string.
  const facts = addressFacts(s);
  if (facts.ok) return { kind: 'address', ip: facts.facts.ip, internal: facts.facts.internal };
  const name = normaliseMachineName(s);
  if (name) return { kind: 'name', name };
  return { kind: 'invalid', error: `'${s.slice(0, 60)}' is not a machine id (40 hexadecimal digits), a machine name (letters, digits, '-', '_' and dots) or an IP address.` };
}

const strings = (xs: unknown[], max: number): string[] => [
  ...new Set(xs.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => (x.length > max ? x.slice(0, max) : x))),
];
const ports = (xs: unknown[]): number[] => [
  ...new Set(xs.map((x) => (typeof x === 'string' ? Number(x) : x)).filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 65535)),
];

/** One network-activity row as a classified remote address; undefined when its address cannot be read. */
export function toRemoteAddress(row: HuntingRow): RemoteAddress | undefined {
  const text = rowText(row, 'RemoteIP', 100);
  if (!text) return undefined;
  const v = addressFacts(text);
  if (!v.ok) return undefined;
  const f = v.facts;
  const count = (key: string): number => Math.max(0, Math.floor(rowNumber(row, key) ?? 0));
  const firstSeen = rowText(row, 'FirstSeen', 40);
  const lastSeen = rowText(row, 'LastSeen', 40);
  return {
    ip: f.ip,
    version: f.version,
    ipClass: f.ipClass,
    internal: f.internal,
    connections: count('Connections'),
    failed: count('Failed'),
    inbound: count('Inbound'),
    ...(firstSeen ? { firstSeen } : {}),
    ...(lastSeen ? { lastSeen } : {}),
    ports: ports(rowList(row, 'Ports')),
    processes: strings(rowList(row, 'Processes'), 260),
    urls: strings(rowList(row, 'Urls'), 500),
    // The machine itself talked to it: at least 1, even when the prevalence side found nothing.
    orgPrevalence: Math.max(1, count('OrgMachines')),
  };
}

/** Rarest first (this machine alone), then the most recent, then by address: a stable order for every surface. */
export function compareRarity(a: RemoteAddress, b: RemoteAddress): number {
  return a.orgPrevalence - b.orgPrevalence || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || a.ip.localeCompare(b.ip);
}

/** Rows that name the same address in two spellings (e.g. upper-case IPv6) are merged into one. */
function mergeRemote(into: RemoteAddress, r: RemoteAddress): void {
  into.connections += r.connections;
  into.failed += r.failed;
  into.inbound += r.inbound;
  if (r.firstSeen && (!into.firstSeen || r.firstSeen < into.firstSeen)) into.firstSeen = r.firstSeen;
  if (r.lastSeen && (!into.lastSeen || r.lastSeen > into.lastSeen)) into.lastSeen = r.lastSeen;
  into.ports = [...new Set([...into.ports, ...r.ports])];
  into.processes = [...new Set([...into.processes, ...r.processes])];
  into.urls = [...new Set([...into.urls, ...r.urls])];
  into.orgPrevalence = Math.max(into.orgPrevalence, r.orgPrevalence);
}

/** The network-activity rows as remote addresses, merged by address and sorted by rarity. */
export function remoteAddressesOf(rows: readonly HuntingRow[]): { remotes: RemoteAddress[]; dropped: number } {
  const byIp = new Map<string, RemoteAddress>();
  let dropped = 0;
  for (const row of rows) {
    const r = toRemoteAddress(row);
    if (!r) {
      dropped++;
      continue;
    }
    const known = byIp.get(r.ip);
    if (known) mergeRemote(known, r);
    else byIp.set(r.ip, r);
  }
  return { remotes: [...byIp.values()].sort(compareRarity), dropped };
}

export function machineProblem(source: MachineSection, e: unknown): MachineProblem {
  const d = describeError(e);
  return {
    source,
    kind: d.kind,
    message: d.message,
    ...(d.remedy ? { remedy: d.remedy } : {}),
    ...(d.permission ? { permission: d.permission } : {}),
    ...(d.requestId ? { requestId: d.requestId } : {}),
  };
}

function noteFreshness(m: MachineInvestigation, cachedAt: string): void {
  if (!m.cachedAt || cachedAt < m.cachedAt) m.cachedAt = cachedAt;
}

export class MachineService {
  private readonly now: () => number;
  private readonly timelineLimit: number;
  private readonly networkLimit: number;
  private readonly candidateLimit: number;
  /** The last network activity built per machine and period: a cached hunting answer is not classified twice. */
  private readonly built = new Map<string, { cachedAt: string; activity: NetworkActivity }>();

  constructor(
    private readonly api: MachineApi,
    options: MachineServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.timelineLimit = options.timelineLimit ?? 10_000;
    this.networkLimit = options.networkLimit ?? 10_000;
    this.candidateLimit = options.candidateLimit ?? 50;
  }

  /** Runs every section and returns the finished view. Throws only on invalid input (or when cancelled). */
  async investigateAll(request: MachineRequest, options: MachineViewOptions = {}): Promise<MachineInvestigation> {
    return runToEnd(this.investigate(request, options));
  }

  /**
   * Streams the sections as they arrive. An invalid id or period throws a RangeError before any request; the
   * generator's return value is the finished view.
   */
  async *investigate(request: MachineRequest, options: MachineViewOptions = {}): AsyncGenerator<MachineUpdate, MachineInvestigation> {
    const id = normaliseDeviceId(request.machineId);
    if (!id) throw new RangeError(`'${String(request.machineId).slice(0, 60)}' is not a Defender device id (40 hexadecimal digits).`);
    if (!LOOKBACKS.includes(request.lookback)) throw new RangeError(`Look-back must be one of ${LOOKBACKS.join(', ')}, not '${String(request.lookback)}'.`);
    const view: MachineInvestigation = { machineId: id, lookback: request.lookback, problems: [] };
    const wanted = new Set(options.sections ?? MACHINE_SECTIONS);
    const call: CallOptions = { signal: options.signal, ...(options.noCache ? { noCache: true } : {}) };
    const days = LOOKBACK_DAYS[request.lookback];

    const runs: Record<MachineSection, () => Promise<void>> = {
      overview: async () => {
        const r = await this.api.getMachine(id, call);
        view.machine = r.data ?? null;
        noteFreshness(view, r.cachedAt);
      },
      alerts: async () => {
        const r = await this.api.getMachineAlerts(id, call);
        view.alerts = [...r.data].sort((a, b) => (b.lastEventTime ?? b.alertCreationTime ?? '').localeCompare(a.lastEventTime ?? a.alertCreationTime ?? ''));
        noteFreshness(view, r.cachedAt);
      },
      logonUsers: async () => {
        const r = await this.api.getMachineLogonUsers(id, call);
        view.logonUsers = [...r.data].sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || a.id.localeCompare(b.id));
        noteFreshness(view, r.cachedAt);
      },
      network: async () => {
        view.network = await this.networkActivity(id, request.lookback, call);
        noteFreshness(view, view.network.cachedAt);
      },
      timeline: async () => {
        const r = await this.api.runHuntingQuery(machineTimelineQuery(id, days, this.timelineLimit), call);
        view.timeline = r.data.results.map(toTimelineEvent).filter((e): e is TimelineEvent => e !== undefined);
        view.timelineTruncated = r.data.results.length >= this.timelineLimit;
        noteFreshness(view, r.cachedAt);
      },
    };
    const sections = MACHINE_SECTIONS.filter((s) => wanted.has(s));
    for (const s of sections) yield { section: s, state: 'loading' };

    const pending = new Map<MachineSection, Promise<{ section: MachineSection; error?: unknown }>>();
    for (const s of sections) {
      pending.set(
        s,
        runs[s]().then(
          () => ({ section: s }),
          (error: unknown) => ({ section: s, error }),
        ),
      );
    }
    while (pending.size > 0) {
      const done = await Promise.race(pending.values());
      pending.delete(done.section);
      if (done.error !== undefined) {
        const problem = machineProblem(done.section, done.error);
        if (problem.kind === 'cancelled') throw done.error instanceof Error ? done.error : new Error('Cancelled.');
        view.problems.push(problem);
        yield { section: done.section, state: 'failed', problem, investigation: view };
        continue;
      }
      yield { section: done.section, state: 'ready', investigation: view };
    }
    return view;
  }

  /** The machine's remote addresses with their prevalence: one hunting query, whatever their number. */
  async networkActivity(machineId: string, lookback: Lookback, call: CallOptions = {}): Promise<NetworkActivity> {
    const id = normaliseDeviceId(machineId);
    if (!id) throw new RangeError(`'${String(machineId).slice(0, 60)}' is not a Defender device id (40 hexadecimal digits).`);
    if (!LOOKBACKS.includes(lookback)) throw new RangeError(`Look-back must be one of ${LOOKBACKS.join(', ')}.`);
    const r = await this.api.runHuntingQuery(machineNetworkActivityQuery(id, LOOKBACK_DAYS[lookback], this.networkLimit), call);
    const key = `${id}|${lookback}`;
    const known = this.built.get(key);
    if (r.fromCache && known?.cachedAt === r.cachedAt) return known.activity;
    const { remotes, dropped } = remoteAddressesOf(r.data.results);
    const activity: NetworkActivity = { lookback, remotes, truncated: r.data.results.length >= this.networkLimit, dropped, cachedAt: r.cachedAt };
    this.built.delete(key);
    this.built.set(key, { cachedAt: r.cachedAt, activity });
    // A few machines' worth: the panels open at once, not every machine ever viewed.
    while (this.built.size > 20) this.built.delete(this.built.keys().next().value as string);
    return activity;
  }

  /**
   * The machine a query means. An id is looked up; a name (or the start of one) is matched with one `startswith`
   * lookup, where an exact name, or a short name before the first dot, wins over longer names; an internal address is
   * asked of findbyip at its time. Several matches are listed, never guessed. Invalid input throws a RangeError
   * before any request.
   */
  async resolve(query: MachineQuery, call: CallOptions = {}): Promise<MachineResolution> {
    switch (query.kind) {
      case 'id': {
        const id = normaliseDeviceId(query.id);
        if (!id) throw new RangeError(`'${String(query.id).slice(0, 60)}' is not a Defender device id (40 hexadecimal digits).`);
        const r = await this.api.getMachine(id, call);
        return r.data ? { kind: 'found', machine: r.data } : { kind: 'notFound', message: `Defender knows no machine with id ${id} (it may be outside the retention period or your device groups).` };
      }
      case 'name': {
        const name = normaliseMachineName(query.name);
        if (!name) throw new RangeError(`'${String(query.name).slice(0, 60)}' is not a machine name (letters, digits, '-', '_' and dots, as in a DNS name).`);
        const r = await this.api.findMachinesByName(name, { ...call, match: 'prefix', limit: this.candidateLimit + 1 });
        const truncated = r.data.length > this.candidateLimit;
        const all = r.data.slice(0, this.candidateLimit);
        const lower = (m: Machine) => (m.computerDnsName ?? '').toLowerCase();
        const exact = all.filter((m) => lower(m) === name || lower(m).startsWith(`${name}.`));
        if (exact.length === 1) return { kind: 'found', machine: exact[0] };
        if (all.length === 1 && !truncated) return { kind: 'found', machine: all[0] };
        if (all.length === 0) return { kind: 'notFound', message: `No machine's name starts with '${name}'.` };
        const candidates = exact.length > 1 ? exact : all;
        return {
          kind: 'ambiguous',
          candidates,
          truncated: exact.length > 1 ? false : truncated,
          message: `'${name}' matches ${truncated && exact.length <= 1 ? `more than ${this.candidateLimit}` : candidates.length} machines: give the full name or the machine id.`,
        };
      }
      case 'ip': {
        const v = addressFacts(query.ip);
        if (!v.ok) throw new RangeError(v.error);
        if (!v.facts.internal) throw new RangeError(`${v.facts.ip} is not an internal address: Defender finds which machine held an address only for internal (private) addresses.`);
        const at = new Date(query.at);
        const problem = findByIpTimeProblem(at, this.now());
        if (problem) throw new RangeError(problem);
        const r = await this.api.findMachinesByIp(v.facts.ip, at, call);
        const when = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
        if (r.data.length === 1) return { kind: 'found', machine: r.data[0] };
        if (r.data.length === 0) return { kind: 'notFound', message: `No machine reported holding ${v.facts.ip} within ±15 minutes of ${when}.` };
        return {
          kind: 'ambiguous',
          candidates: r.data,
          truncated: false,
          message: `${r.data.length} machines held ${v.facts.ip} within ±15 minutes of ${when}: choose one.`,
        };
      }
    }
  }
}
