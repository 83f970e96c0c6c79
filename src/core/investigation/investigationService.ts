// Builds one Investigation of an address from independent sources (stats, alerts, hunting, findbyip),
// streaming each section as it arrives; a failing source becomes a Problem of its section only.
import type { CallOptions, DefenderApi, HuntingRow, Machine } from '../../shared/defenderModel';
import { rowList as list, rowNumber as num, rowText as str } from '../hunting/huntingRow';
import { dailyPrevalenceQuery, observedMachinesQuery, timelineQuery } from '../hunting/huntingQueries';
import { parseAddress } from '../ip/parseAddress';
import { classify, isInternalClass } from '../ip/classify';
import type { IpMatch } from '../ip/ipMatch';
import { describeError } from './describeError';
import {
  LOOKBACK_DAYS,
  type AddressFacts,
  type DailyPoint,
  type Investigation,
  type InvestigationUpdate,
  type Lookback,
  type ObservedMachine,
  type Problem,
  type SectionName,
  type TimelineEvent,
} from '../../shared/investigation';
import { runToEnd } from '../../shared/generators';

export const FINDBYIP_WINDOW_MS = 15 * 60_000;
export const FINDBYIP_MAX_AGE_MS = 30 * 24 * 3600_000;
const ALL_SECTIONS: readonly SectionName[] = ['stats', 'alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails'];

export interface InvestigationRequest {
  /** Any form the scanner accepts: plain, bracketed, with port/prefix/zone, defanged. */
  address: string;
  at?: Date;
  lookback: Lookback;
}

export interface InvestigateOptions {
  signal?: AbortSignal;
  /** Sections to fetch; default all. The hover asks for a few. */
  sections?: readonly SectionName[];
  noCache?: boolean;
  timelineLimit?: number;
}

export type Validated = { ok: true; facts: AddressFacts } | { ok: false; error: string };

/** Validates and classifies an address without any request. */
export function addressFacts(input: string): Validated {
  const parsed = parseAddress(input);
  return parsed.ok ? { ok: true, facts: matchFacts(parsed.match) } : { ok: false, error: parsed.error };
}

/** The facts of an address the scanner or parser already refanged and normalised. */
export function matchFacts(m: IpMatch): AddressFacts {
  const c = classify(m.value);
  return {
    ip: m.value,
    version: m.version,
    ipClass: c.ipClass,
    ...(c.block ? { block: c.block } : {}),
    internal: isInternalClass(c.ipClass),
    defanged: m.defanged,
    leadingZeros: m.leadingZeros,
    ...(m.port !== undefined ? { port: m.port } : {}),
    ...(m.prefix !== undefined ? { prefix: m.prefix } : {}),
    ...(m.zone !== undefined ? { zone: m.zone } : {}),
  };
}

/** Why findbyip cannot be asked for this time, or undefined when it can. */
export function findByIpTimeProblem(at: Date, now: number): string | undefined {
  const t = at.getTime();
  if (Number.isNaN(t)) return 'The time is not valid.';
  if (t > now) return 'The time is in the future: Defender can only say which machine held an address in the past 30 days.';
  if (now - t > FINDBYIP_MAX_AGE_MS) return 'The time is more than 30 days ago: Defender only answers "which machine held this address" for the past 30 days.';
  return undefined;
}

export class InvestigationService {
  private readonly now: () => number;
  private readonly maxMachineDetails: number;

  constructor(
    private readonly api: DefenderApi,
    options: { now?: () => number; maxMachineDetails?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxMachineDetails = options.maxMachineDetails ?? 10;
  }

  /** Runs every section and returns the finished investigation. Throws only on invalid input. */
  async investigateAll(request: InvestigationRequest, options: InvestigateOptions = {}): Promise<Investigation> {
    return runToEnd(this.investigate(request, options));
  }

  /**
   * Streams the sections as they arrive. Invalid input throws a RangeError before any request.
   * The generator's return value is the finished investigation.
   */
  async *investigate(request: InvestigationRequest, options: InvestigateOptions = {}): AsyncGenerator<InvestigationUpdate, Investigation> {
    const v = addressFacts(request.address);
    if (!v.ok) throw new RangeError(v.error);
    if (!(request.lookback in LOOKBACK_DAYS)) throw new RangeError(`Look-back must be one of 1d, 7d, 30d, not '${String(request.lookback)}'.`);
    if (request.at && Number.isNaN(request.at.getTime())) throw new RangeError('The time is not valid.');

    const facts = v.facts;
    const inv: Investigation = { address: facts, lookback: request.lookback, problems: [] };
    if (request.at) inv.at = request.at.toISOString();
    const wanted = new Set(options.sections ?? ALL_SECTIONS);
    const call: CallOptions = { signal: options.signal, noCache: options.noCache };
    const days = LOOKBACK_DAYS[request.lookback];
    const ip = facts.ip;

    type Task = { section: SectionName; run: () => Promise<void> };
    const tasks: Task[] = [];
    const skipped: { section: SectionName; reason: string }[] = [];

    if (wanted.has('stats')) {
      tasks.push({
        section: 'stats',
        run: async () => {
          const r = await this.api.getIpStats(ip, days * 24, call);
          inv.stats = {
            prevalence: r.data.organizationPrevalence,
            ...(r.data.orgFirstSeen ? { firstSeen: r.data.orgFirstSeen } : {}),
            ...(r.data.orgLastSeen ? { lastSeen: r.data.orgLastSeen } : {}),
            cachedAt: r.cachedAt,
          };
          noteFreshness(inv, r.cachedAt);
        },
      });
    }
    if (wanted.has('alerts')) {
      tasks.push({
        section: 'alerts',
        run: async () => {
          const r = await this.api.getIpAlerts(ip, call);
          inv.alerts = [...r.data].sort((a, b) => (b.alertCreationTime ?? '').localeCompare(a.alertCreationTime ?? ''));
          noteFreshness(inv, r.cachedAt);
        },
      });
    }
    if (wanted.has('machines') || wanted.has('machineDetails')) {
      tasks.push({
        section: 'machines',
        run: async () => {
          const r = await this.api.runHuntingQuery(observedMachinesQuery(ip, days), call);
          inv.machines = r.data.results.map(toObservedMachine).filter((m): m is ObservedMachine => m !== undefined);
          noteFreshness(inv, r.cachedAt);
        },
      });
    }
    if (wanted.has('timeline')) {
      const limit = options.timelineLimit ?? 10000;
      tasks.push({
        section: 'timeline',
        run: async () => {
          const r = await this.api.runHuntingQuery(timelineQuery(ip, days, limit), call);
          inv.timeline = r.data.results.map(toTimelineEvent).filter((e): e is TimelineEvent => e !== undefined);
          inv.timelineTruncated = r.data.results.length >= limit;
          noteFreshness(inv, r.cachedAt);
        },
      });
    }
    if (wanted.has('daily')) {
      tasks.push({
        section: 'daily',
        run: async () => {
          const r = await this.api.runHuntingQuery(dailyPrevalenceQuery(ip, days), call);
          inv.daily = r.data.results.map(toDailyPoint).filter((d): d is DailyPoint => d !== undefined);
          noteFreshness(inv, r.cachedAt);
        },
      });
    }
    if (wanted.has('machinesAtTime')) {
      const reason = !facts.internal
        ? 'Only internal addresses are looked up by time: a public address is not assigned to a machine.'
        : !request.at
          ? 'No time given: choose a time to see which machine held this address then.'
          : findByIpTimeProblem(request.at, this.now());
      if (reason) {
        inv.machinesAtTimeNote = reason;
        skipped.push({ section: 'machinesAtTime', reason });
      } else {
        const at = request.at!;
        tasks.push({
          section: 'machinesAtTime',
          run: async () => {
            const r = await this.api.findMachinesByIp(ip, at, call);
            inv.machinesAtTime = {
              at: at.toISOString(),
              from: new Date(at.getTime() - FINDBYIP_WINDOW_MS).toISOString(),
              to: new Date(at.getTime() + FINDBYIP_WINDOW_MS).toISOString(),
              machines: r.data,
              cachedAt: r.cachedAt,
            };
            noteFreshness(inv, r.cachedAt);
          },
        });
      }
    }

    for (const s of skipped) yield { section: s.section, state: 'skipped', reason: s.reason, investigation: inv };
    for (const t of tasks) yield { section: t.section, state: 'loading' };

    // Settle tasks in completion order; machineDetails starts once the observed machines are known.
    const pending = new Map<SectionName, Promise<{ section: SectionName; error?: unknown }>>();
    const start = (t: Task) =>
      pending.set(
        t.section,
        t.run().then(
          () => ({ section: t.section }),
          (error: unknown) => ({ section: t.section, error }),
        ),
      );
    tasks.forEach(start);

    while (pending.size > 0) {
      const done = await Promise.race(pending.values());
      pending.delete(done.section);
      if (done.error !== undefined) {
        const problem = toProblem(done.section, done.error);
        if (problem.kind === 'cancelled') throw done.error instanceof Error ? done.error : new Error('Cancelled.');
        inv.problems.push(problem);
        yield { section: done.section, state: 'failed', problem, investigation: inv };
        if (done.section === 'machines' && wanted.has('machineDetails')) {
          const reason = 'Machine details need the list of observed machines, which failed.';
          yield { section: 'machineDetails', state: 'skipped', reason, investigation: inv };
        }
        continue;
      }
      if (done.section !== 'machines' || wanted.has('machines')) {
        yield { section: done.section, state: 'ready', investigation: inv };
      }
      if (done.section === 'machines' && wanted.has('machineDetails')) {
        const ids = (inv.machines ?? []).slice(0, this.maxMachineDetails).map((m) => m.id);
        const details = { section: 'machineDetails' as const, run: () => this.loadDetails(ids, inv, call) };
        yield { section: 'machineDetails', state: 'loading' };
        start(details);
      }
    }
    return inv;
  }

  private async loadDetails(ids: string[], inv: Investigation, call: CallOptions): Promise<void> {
    const results = await Promise.allSettled(ids.map((id) => this.api.getMachine(id, call)));
    const details: Record<string, Machine> = {};
    let firstError: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') {
        if (r.value.data) details[r.value.data.id] = r.value.data;
      } else firstError ??= r.reason;
    }
    inv.machineDetails = details;
    // Some details are better than none; fail the section only when every lookup failed.
    if (firstError !== undefined && Object.keys(details).length === 0 && ids.length > 0) throw firstError instanceof Error ? firstError : new Error('Machine details could not be read.');
  }
}

function noteFreshness(inv: Investigation, cachedAt: string): void {
  if (!inv.cachedAt || cachedAt < inv.cachedAt) inv.cachedAt = cachedAt;
}

export function toProblem(source: SectionName, e: unknown): Problem {
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


const strings = (xs: unknown[]): string[] => xs.filter((x): x is string => typeof x === 'string' && x !== '');
const numbers = (xs: unknown[]): number[] =>
  xs.map((x) => (typeof x === 'string' ? Number(x) : x)).filter((x): x is number => typeof x === 'number' && Number.isInteger(x));

function toObservedMachine(row: HuntingRow): ObservedMachine | undefined {
  const id = str(row, 'DeviceId');
  if (!id) return undefined;
  return {
    id,
    name: str(row, 'DeviceName') ?? id,
    ...(str(row, 'FirstSeen') ? { firstSeen: str(row, 'FirstSeen') } : {}),
    ...(str(row, 'LastSeen') ? { lastSeen: str(row, 'LastSeen') } : {}),
    events: num(row, 'Events') ?? 0,
    remotePorts: numbers(list(row, 'RemotePorts')),
    localPorts: numbers(list(row, 'LocalPorts')),
    processes: strings(list(row, 'Processes')),
    files: strings(list(row, 'Files')),
  };
}

export function toTimelineEvent(row: HuntingRow): TimelineEvent | undefined {
  const timestamp = str(row, 'Timestamp');
  const deviceId = str(row, 'DeviceId');
  if (!timestamp || !deviceId) return undefined;
  const e: TimelineEvent = { timestamp, deviceId, deviceName: str(row, 'DeviceName') ?? deviceId, actionType: str(row, 'ActionType') ?? '' };
  const opt: [keyof TimelineEvent, string, 'n' | 's'][] = [
    ['localIp', 'LocalIP', 's'],
    ['localPort', 'LocalPort', 'n'],
    ['remoteIp', 'RemoteIP', 's'],
    ['remotePort', 'RemotePort', 'n'],
    ['remoteUrl', 'RemoteUrl', 's'],
    ['protocol', 'Protocol', 's'],
    ['process', 'InitiatingProcessFileName', 's'],
    ['folder', 'InitiatingProcessFolderPath', 's'],
    ['commandLine', 'InitiatingProcessCommandLine', 's'],
    ['account', 'InitiatingProcessAccountName', 's'],
  ];
  for (const [field, column, type] of opt) {
    const value = type === 'n' ? num(row, column) : str(row, column);
    if (value !== undefined && value !== '') (e as unknown as Record<string, unknown>)[field] = value;
  }
  return e;
}

function toDailyPoint(row: HuntingRow): DailyPoint | undefined {
  const day = str(row, 'Day');
  if (!day) return undefined;
  return { day, machines: num(row, 'Machines') ?? 0, events: num(row, 'Events') ?? 0 };
}
