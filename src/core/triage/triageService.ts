// Bulk triage: extracts every address from files or text, routes each by class, and asks Defender's
// hunting engine in batches (public: sightings + alerts; internal: holders at the lines' times), streaming
// entries as batches finish. A failing batch degrades only its addresses; cancelling keeps what arrived.
import type { DefenderApi, HuntingResult, IndicatorApi, IndicatorList } from '../../shared/defenderModel';
import { briefOf, indicatorKey, ipIndicatorsByAddress } from '../indicators/indicatorRules';
import { AuthError, BadRequestError, TimeoutError, isCancellation } from '../defender/errors';
import { SUMMARY_QUERY_LISTS, batchAlertsQuery, batchInternalHoldersQuery, batchRemoteIpSummaryQuery, holderQueryWindow, type InternalLookup } from '../hunting/huntingQueries';
import { classify, isInternalClass, type IpClass } from '../ip/classify';
import { parseAddress } from '../ip/parseAddress';
import { describeError } from '../investigation/describeError';
import { FINDBYIP_MAX_AGE_MS } from '../investigation/investigationService';
import { HOLDER_WINDOW_MS, HOUR_MS, MAX_INFERRED_GAP_MS, holderReason, hourOf, lookupsForCells, matchHolders, rowsForHour, type PointAnswer } from './holderTimeline';
import { LOOKBACK_DAYS, type Lookback } from '../../shared/investigation';
import { AddressCollector, type CollectedAddress, type CollectorOptions, type TimeCell } from './addressCollector';
import {
  ALERTS_ROW_BYTES,
  HUNTING_MAX_ROWS,
  SUMMARY_ROW_BYTES,
  planAddressBatches,
  planHolderBatches,
  resolveLimits,
  splitBatch,
  splitHolderBatch,
  type TriageLimits,
} from './batchPlanner';
import { extractAddresses, type ExtractionResult, type ExtractionStep, type TriageInput } from './extractAddresses';
import type { LineTimeOptions } from '../ip/logTime';
import { TriageCache, addressPartKey, holderHourKey } from './triageCache';
import { isAlertSummary, isHolderRows, isSightingsPair, parseAlertsRow, parseHolderRow, parseSummaryRow, rowAddress, summarySide, type HolderRow } from './triageRows';
import {
  compareEntries,
  emptyVerdictCounts,
  type ExecutedQuery,
  type HolderMachine,
  type SourceSummary,
  type TriageCallCounts,
  type TriageEntry,
  type TriageEvent,
  type TriageProblem,
  type TriageProgress,
  type TriageReport,
  type TriageIndicators,
  type TriageSource,
} from '../../shared/triageModel';
import { runToEnd } from '../../shared/generators';

export interface TriageServiceOptions {
  /** Tenant and cloud: part of every cache key, so two tenants never share results. */
  scope: string;
  /** Shared results cache; a private in-memory one when absent. */
  cache?: TriageCache;
  now?: () => number;
  limits?: Partial<TriageLimits>;
  /** Hunting queries in flight at once (the client's budgets still apply). Default 2. */
  concurrency?: number;
  /** findbyip calls the internal fallback may spend in one triage (entity budget: 100/min). Default 40. */
  fallbackBudget?: number;
  /** How often a batch that timed out is halved and retried. Default 1. */
  maxTimeoutSplits?: number;
  collector?: CollectorOptions;
  /** How line timestamps without a zone are read (default UTC). */
  lineTime?: Omit<LineTimeOptions, 'now'>;
  /** Asks the tenant's indicators once per triage (one list query, not one per address) for the `indicator` column. */
  indicators?: Pick<IndicatorApi, 'listIndicators'>;
}

export interface TriageRequest {
  inputs: readonly TriageInput[];
  lookback: Lookback;
  signal?: AbortSignal;
  /** Ignore cached results (fresh answers still refresh the cache). */
  noCache?: boolean;
}

export type Route = 'public' | 'internal' | 'skip';

const SKIP_REASONS: Partial<Record<IpClass, string>> = {
  loopback: 'Loopback address: it never leaves the machine that uses it, so there is nothing to look up across the organisation.',
  unspecified: 'Unspecified address (0.0.0.0/8 or ::): a placeholder, not a peer.',
  multicast: 'Multicast group address: not a single host.',
  broadcast: 'Broadcast address: not a single host.',
  reserved: 'Reserved address: not routed on the internet, so not looked up.',
};

/**
 * Where an address goes. Documentation and benchmarking blocks are queried like public ones: labs and
 * the simulated tenant use them (the demo C2 is 198.51.100.23). Loopback, unspecified, multicast,
 * broadcast and reserved are never queried.
 */
export function routeFor(ipClass: string): Route {
  if (ipClass in SKIP_REASONS) return 'skip';
  return isInternalClass(ipClass as IpClass) ? 'internal' : 'public';
}

export function skipReason(ipClass: string, blockName?: string): string {
  const base = SKIP_REASONS[ipClass as IpClass] ?? 'Not looked up.';
  return ipClass === 'reserved' && blockName ? base.replace('Reserved address', `Reserved address (${blockName})`) : base;
}

/** Normalises an address from a result row the same way the scanner does (Defender may format IPv6 differently). */
export function normaliseRowIp(text: string): string | undefined {
  const p = parseAddress(text);
  return p.ok ? p.match.value : undefined;
}

type PartState = 'pending' | 'done' | 'failed';

interface PublicState {
  entry: TriageEntry;
  summary: PartState;
  alerts: PartState;
}

interface InternalState {
  entry: TriageEntry;
  /** Lookups still waiting for an answer, by ISO time. */
  pending: Set<string>;
  /** The line-time cells Defender can answer for (past 30 days), oldest first. */
  cells: TimeCell[];
  /** Occurrences with a line time, and the width of the cells in minutes. */
  timed: number;
  granularityMinutes: number;
  /** Holder rows from the queries and the cache (deduplicated by `rowKeys`). */
  rows: HolderRow[];
  rowKeys: Set<string>;
  /** Hours answered from the cache, asked by queries, and failed (a query or its fallback did not answer). */
  cachedHours: Set<number>;
  askedHours: Set<number>;
  failedHours: Set<number>;
  /** Hours whose query hit the row cap: answered, but not cached. */
  truncatedHours: Set<number>;
  /** findbyip answers where hunting failed. */
  points: PointAnswer[];
  /** Time windows of the holder queries that answered for this address (from the cache: the cached hours). */
  windows: [number, number][];
}

/** At most this many line times per internal address are listed in `entry.times` (the counts stay exact). */
const LISTED_TIMES = 48;

type Task =
  | { kind: 'summary'; ips: string[]; timeoutSplits: number }
  | { kind: 'alerts'; ips: string[]; timeoutSplits: number }
  | { kind: 'holders'; lookups: InternalLookup[]; timeoutSplits: number }
  | { kind: 'fallback'; lookups: InternalLookup[] };

type Outcome = { task: Task; result?: HuntingResult; query?: string; error?: unknown; fallback?: FallbackOutcome };
interface FallbackOutcome {
  answers: { lookup: InternalLookup; machines?: HolderMachine[]; error?: unknown }[];
}

/** Everything a run needs from its service, resolved once. */
interface RunConfig {
  api: DefenderApi;
  scope: string;
  cache: TriageCache;
  now: () => number;
  limits: TriageLimits;
  concurrency: number;
  fallbackBudget: number;
  maxTimeoutSplits: number;
  collectorOptions: CollectorOptions;
  lineTime: Omit<LineTimeOptions, 'now'>;
  indicators?: Pick<IndicatorApi, 'listIndicators'>;
}

export class TriageService {
  private readonly cfg: RunConfig;

  constructor(api: DefenderApi, options: TriageServiceOptions) {
    const now = options.now ?? Date.now;
    this.cfg = {
      api,
      scope: options.scope,
      now,
      cache: options.cache ?? new TriageCache({ now }),
      limits: resolveLimits(options.limits),
      concurrency: Math.max(1, Math.trunc(options.concurrency ?? 2)),
      fallbackBudget: Math.max(0, Math.trunc(options.fallbackBudget ?? 40)),
      maxTimeoutSplits: Math.max(0, Math.trunc(options.maxTimeoutSplits ?? 1)),
      collectorOptions: options.collector ?? {},
      lineTime: options.lineTime ?? {},
      ...(options.indicators ? { indicators: options.indicators } : {}),
    };
  }

  /** Runs a triage to the end and returns the report; `onEvent` sees every streamed step. */
  async triageAll(request: TriageRequest, onEvent?: (e: TriageEvent) => void): Promise<TriageReport> {
    return runToEnd(this.triage(request), onEvent);
  }

  /**
   * Streams a triage. Entries are live objects updated in place; each event names those that changed.
   * Invalid requests throw before any read or request. Cancellation (the signal) ends the stream
   * early with `cancelled: true` in the report and every answer received so far kept.
   */
  async *triage(request: TriageRequest): AsyncGenerator<TriageEvent, TriageReport> {
    if (!(request.lookback in LOOKBACK_DAYS)) throw new RangeError(`Look-back must be one of 1d, 7d, 30d, not '${String(request.lookback)}'.`);
    if (request.inputs.length === 0) throw new RangeError('Nothing to triage: give at least one file, stream or text.');
    return yield* new TriageRun(this.cfg, request).execute();
  }
}

/** The state of one triage run (kept out of the service so runs never share state). */
class TriageRun {
  private readonly cfg: RunConfig;
  private readonly startedAt: number;
  private readonly entries = new Map<string, TriageEntry>();
  private readonly publics = new Map<string, PublicState>();
  private readonly internals = new Map<string, InternalState>();
  private readonly queries: ExecutedQuery[] = [];
  private readonly calls: TriageCallCounts = { hunting: 0, findbyip: 0, cacheHits: 0 };
  private readonly fresh = new WeakSet<TriageEntry>();
  private sources: SourceSummary[] = [];
  private bytesScanned = 0;
  private bytesTotal: number | undefined;
  private occurrences = 0;
  private batchesDone = 0;
  private batchesTotal = 0;
  private fallbackLeft: number;
  private fatal: TriageProblem | undefined;
  private cancelled = false;
  private indicators: TriageIndicators | undefined;

  constructor(
    cfg: RunConfig,
    private readonly request: TriageRequest,
  ) {
    this.cfg = cfg;
    this.startedAt = this.cfg.now();
    this.fallbackLeft = this.cfg.fallbackBudget;
  }

  private get signal(): AbortSignal | undefined {
    return this.request.signal;
  }

  async *execute(): AsyncGenerator<TriageEvent, TriageReport> {
    // 1. Extraction, streamed from disk in bounded memory.
    const collector = new AddressCollector(this.cfg.collectorOptions);
    const extraction = extractAddresses(this.request.inputs, collector, { signal: this.signal, lineTime: { now: new Date(this.cfg.now()), ...this.cfg.lineTime } });
    for (;;) {
      let step: IteratorResult<ExtractionStep, ExtractionResult>;
      try {
        step = await extraction.next();
      } catch (e) {
        if (!isCancellation(e) && !this.signal?.aborted) throw e;
        this.cancelled = true;
        break;
      }
      if (step.done) {
        this.sources = step.value.sources;
        this.bytesScanned = step.value.bytes;
        break;
      }
      const s = step.value;
      this.occurrences = collector.occurrences;
      if (s.type === 'source') {
        this.sources.push(s.source);
        yield { type: 'source', source: s.source, progress: this.progress('extracting') };
      } else {
        this.bytesScanned = s.bytesScanned;
        this.bytesTotal = s.bytesTotal;
        yield { type: 'progress', progress: this.progress('extracting') };
      }
    }
    this.occurrences = collector.occurrences;

    // 2. Classification, routing, cache; then the batch plan, so the first progress shows its size.
    const lookups = this.route(collector);
    const queue: Task[] = [];
    const needSummary = [...this.publics.values()].filter((p) => p.summary === 'pending').map((p) => p.entry.ip);
    const needAlerts = [...this.publics.values()].filter((p) => p.alerts === 'pending').map((p) => p.entry.ip);
    const summaryBatches = planAddressBatches(needSummary, this.cfg.limits, SUMMARY_ROW_BYTES, SUMMARY_QUERY_LISTS);
    const alertBatches = planAddressBatches(needAlerts, this.cfg.limits, ALERTS_ROW_BYTES);
    // Interleave so the first addresses get both answers (a final verdict) early.
    for (let i = 0; i < Math.max(summaryBatches.length, alertBatches.length); i++) {
      if (summaryBatches[i]) queue.push({ kind: 'summary', ips: summaryBatches[i], timeoutSplits: 0 });
      if (alertBatches[i]) queue.push({ kind: 'alerts', ips: alertBatches[i], timeoutSplits: 0 });
    }
    for (const b of planHolderBatches(lookups, this.cfg.limits, MAX_INFERRED_GAP_MS)) queue.push({ kind: 'holders', lookups: b, timeoutSplits: 0 });
    this.batchesTotal = queue.length;
    yield { type: 'extracted', entries: [...this.entries.values()], progress: this.progress('querying') };
    if (this.cancelled || this.signal?.aborted) {
      this.cancelled = true;
      return this.finish();
    }

    // 3. Batched queries, streamed as they finish.
    // Settled in completion order; each promise resolves with its own id so none is lost in the race.
    const inFlight = new Map<number, Promise<{ id: number; outcome: Outcome }>>();
    let nextId = 0;
    // The indicator list runs beside the hunting batches; it takes no hunting slot.
    const INDICATORS = -1;
    let listed: { list?: IndicatorList; error?: unknown } | undefined;
    if (this.cfg.indicators) {
      inFlight.set(
        INDICATORS,
        this.cfg.indicators.listIndicators({}, { signal: this.signal, noCache: this.request.noCache }).then(
          (r) => ((listed = { list: r.data }), { id: INDICATORS, outcome: undefined as unknown as Outcome }),
          (error: unknown) => ((listed = { error }), { id: INDICATORS, outcome: undefined as unknown as Outcome }),
        ),
      );
    }
    const hunting = (): number => inFlight.size - (inFlight.has(INDICATORS) ? 1 : 0);
    while (queue.length > 0 || inFlight.size > 0) {
      while (hunting() < this.cfg.concurrency && queue.length > 0 && !this.cancelled && !this.fatal) {
        const task = queue.shift()!;
        const id = nextId++;
        inFlight.set(
          id,
          this.runTask(task).then((outcome) => ({ id, outcome })),
        );
      }
      if (inFlight.size === 0) break;
      const { id, outcome } = await Promise.race(inFlight.values());
      inFlight.delete(id);
      if (id === INDICATORS) {
        yield { type: 'entries', entries: this.applyIndicators(listed ?? {}), progress: this.progress('querying') };
        continue;
      }
      const changed = this.settle(outcome, queue);
      yield { type: 'entries', entries: changed, progress: this.progress('querying') };
    }

    // Whatever was not asked (cancelled, or a fatal auth error) ends with a problem, not silently.
    const left: TriageEntry[] = [];
    const problem: TriageProblem = this.fatal ?? { source: 'summary', kind: 'cancelled', message: 'Cancelled before this address was looked up.' };
    for (const task of queue) left.push(...this.failTask(task, problem));
    for (const p of this.publics.values()) {
      for (const part of ['summary', 'alerts'] as const) {
        if (p[part] === 'pending') {
          p[part] = 'failed';
          p.entry.problems.push({ ...problem, source: part });
        }
      }
      this.finishPublic(p);
    }
    for (const s of this.internals.values()) {
      if (s.pending.size > 0) {
        for (const at of s.pending) s.failedHours.add(hourOf(Date.parse(at)));
        s.pending.clear();
        s.entry.problems.push({ ...problem, source: 'holders' });
      }
      this.finishInternal(s);
    }
    if (left.length > 0) yield { type: 'entries', entries: dedupe(left), progress: this.progress('querying') };
    return this.finish();
  }

  /** Every entry's indicator from the one list; returns the entries that have one. */
  private applyIndicators(r: { list?: IndicatorList; error?: unknown }): TriageEntry[] {
    if (!r.list) {
      const d = describeError(r.error);
      this.indicators = { ok: false, error: d.message, ...(d.permission ? { permission: d.permission } : {}) };
      return [];
    }
    const byIp = ipIndicatorsByAddress(r.list.indicators);
    const changed: TriageEntry[] = [];
    for (const e of this.entries.values()) {
      const i = byIp.get(indicatorKey(e.ip));
      if (!i) continue;
      e.indicator = briefOf(i);
      changed.push(e);
    }
    this.indicators = { ok: true, count: byIp.size, matched: changed.length, complete: r.list.complete };
    return changed;
  }

  private route(collector: AddressCollector): InternalLookup[] {
    const lookups: InternalLookup[] = [];
    const now = this.cfg.now();
    const lookback = this.request.lookback;
    for (const a of collector.addresses.values()) {
      const entry = this.newEntry(a);
      this.entries.set(a.ip, entry);
      const route = routeFor(a.ipClass);
      if (route === 'skip') {
        entry.verdict = 'skipped';
        entry.reason = skipReason(a.ipClass, entry.block?.name);
        continue;
      }
      if (route === 'public') {
        const state: PublicState = { entry, summary: 'pending', alerts: 'pending' };
        if (!this.request.noCache) {
          const s = this.cfg.cache.get(addressPartKey(this.cfg.scope, lookback, 'sightings', a.ip));
          if (s && isSightingsPair(s.value)) {
            if (s.value.remote) entry.sightings = s.value.remote;
            if (s.value.local) entry.localSightings = s.value.local;
            state.summary = 'done';
            this.noteFetched(entry, s.cachedAt, true);
          }
          const al = this.cfg.cache.get(addressPartKey(this.cfg.scope, lookback, 'alerts', a.ip));
          if (al && (al.value === null || isAlertSummary(al.value))) {
            if (al.value) entry.alerts = al.value;
            state.alerts = 'done';
            this.noteFetched(entry, al.cachedAt, true);
          }
          if (state.summary === 'done' && state.alerts === 'done') this.calls.cacheHits++;
        }
        this.publics.set(a.ip, state);
        if (state.summary !== 'pending' && state.alerts !== 'pending') this.finishPublic(state);
        continue;
      }
      // Internal: which machine held it at each line time Defender can still answer for. The cells of its line times
      // become the lookups of one query per batch over their whole span; each cell is matched to the rows locally.
      entry.verdict = 'internal';
      const cells = a.times.list();
      entry.times = listedTimes(cells);
      const state: InternalState = {
        entry,
        pending: new Set(),
        cells: [],
        timed: a.times.seen,
        granularityMinutes: a.times.granularityMinutes,
        rows: [],
        rowKeys: new Set(),
        cachedHours: new Set(),
        askedHours: new Set(),
        failedHours: new Set(),
        truncatedHours: new Set(),
        points: [],
        windows: [],
      };
      this.internals.set(a.ip, state);
      if (cells.length === 0) {
        entry.reason = 'No time on its lines: Defender says which machine held an internal address only for a given time.';
        continue;
      }
      state.cells = cells.filter((c) => now - c.last <= FINDBYIP_MAX_AGE_MS && c.first <= now);
      if (state.cells.length === 0) {
        entry.reason = 'Its line times are outside the past 30 days: Defender answers "which machine held it" only for the past 30 days.';
        continue;
      }
      for (const [hour, hourLookups] of lookupsForCells(a.ip, state.cells)) {
        if (!this.request.noCache) {
          const c = this.cfg.cache.get(holderHourKey(this.cfg.scope, a.ip, hour));
          if (c && isHolderRows(c.value)) {
            addRows(state, c.value);
            state.cachedHours.add(hour);
            state.windows.push([hour - HOLDER_WINDOW_MS, hour + HOUR_MS + HOLDER_WINDOW_MS]);
            this.noteFetched(entry, c.cachedAt, true);
            continue;
          }
        }
        state.askedHours.add(hour);
        for (const l of hourLookups) {
          state.pending.add(l.at.toISOString());
          lookups.push(l);
        }
      }
      if (state.pending.size === 0) {
        this.calls.cacheHits++;
        this.finishInternal(state);
      }
    }
    for (const p of this.publics.values()) if (p.summary === 'pending' || p.alerts === 'pending') p.entry.verdict = 'pending';
    for (const s of this.internals.values()) if (s.pending.size > 0) s.entry.verdict = 'pending';
    return lookups;
  }

  private newEntry(a: CollectedAddress): TriageEntry {
    const c = classify(a.ip);
    return {
      ip: a.ip,
      version: a.version,
      ipClass: a.ipClass,
      ...(c.block ? { block: { prefix: c.block.prefix, name: c.block.name, ...(c.block.rfc ? { rfc: c.block.rfc } : {}) } } : {}),
      internal: isInternalClass(a.ipClass as IpClass),
      verdict: 'unknown',
      occurrenceCount: a.occurrenceCount,
      occurrences: a.occurrences,
      occurrencesTruncated: a.occurrencesTruncated,
      files: a.files,
      defanged: a.defanged,
      problems: [],
      fromCache: false,
    };
  }

  private async runTask(task: Task): Promise<Outcome> {
    if (task.kind === 'fallback') return { task, fallback: await this.runFallback(task.lookups) };
    const days = LOOKBACK_DAYS[this.request.lookback];
    let query: string;
    try {
      query =
        task.kind === 'summary'
          ? batchRemoteIpSummaryQuery(task.ips, days)
          : task.kind === 'alerts'
            ? batchAlertsQuery(task.ips, days)
            : batchInternalHoldersQuery(task.lookups, MAX_INFERRED_GAP_MS);
    } catch (error) {
      return { task, error };
    }
    this.calls.hunting++;
    try {
      const r = await this.cfg.api.runHuntingQuery(query, { signal: this.signal, noCache: this.request.noCache });
      return { task, query, result: r.data };
    } catch (error) {
      return { task, query, error };
    }
  }

  private async runFallback(lookups: InternalLookup[]): Promise<FallbackOutcome> {
    const answers: FallbackOutcome['answers'] = [];
    // A few at a time: the entity budget (100/min) is shared with everything else the user does.
    const width = 4;
    for (let i = 0; i < lookups.length; i += width) {
      if (this.signal?.aborted) break;
      const slice = lookups.slice(i, i + width);
      this.calls.findbyip += slice.length;
      const results = await Promise.allSettled(slice.map((l) => this.cfg.api.findMachinesByIp(l.ip, l.at, { signal: this.signal, noCache: this.request.noCache })));
      results.forEach((r, k) => {
        const lookup = slice[k];
        if (r.status === 'fulfilled') {
          answers.push({ lookup, machines: r.value.data.map((m) => ({ id: m.id, name: m.computerDnsName ?? m.id, ...(m.lastSeen ? { lastSeen: m.lastSeen } : {}) })) });
        } else answers.push({ lookup, error: r.reason });
      });
    }
    return { answers };
  }

  /** Applies one finished task; may queue splits or a fallback. Returns the entries that changed. */
  private settle(o: Outcome, queue: Task[]): TriageEntry[] {
    const { task } = o;
    if (task.kind === 'fallback') {
      this.batchesDone++;
      return this.settleFallback(task.lookups, o.fallback!);
    }
    const record: ExecutedQuery = { purpose: task.kind, query: o.query ?? '', addresses: task.kind === 'holders' ? new Set(task.lookups.map((l) => l.ip)).size : task.ips.length, ok: o.error === undefined };
    if (o.query) this.queries.push(record);

    if (o.error !== undefined) {
      record.error = describeError(o.error).message;
      if (isCancellation(o.error)) {
        this.cancelled = true;
        queue.unshift(task);
        return [];
      }
      const size = task.kind === 'holders' ? task.lookups.length : task.ips.length;
      const timedOut = o.error instanceof TimeoutError;
      if (size > 1 && (isSizeError(o.error) || (timedOut && task.timeoutSplits < this.cfg.maxTimeoutSplits))) {
        this.requeueSplit(task, queue, timedOut);
        return [];
      }
      this.batchesDone++;
      const problem = toTriageProblem(task.kind, o.error);
      if (o.error instanceof AuthError) this.fatal = problem;
      if (task.kind === 'holders' && !(o.error instanceof AuthError)) {
        // Hunting failed for these internal lookups: ask findbyip, within its budget.
        const take = Math.min(this.fallbackLeft, task.lookups.length);
        if (take > 0) {
          const ordered = fallbackOrder(task.lookups);
          this.fallbackLeft -= take;
          queue.unshift({ kind: 'fallback', lookups: ordered.slice(0, take) });
          this.batchesTotal++;
          const rest = ordered.slice(take);
          const note: TriageProblem = { ...problem, message: `${problem.message} The findbyip fallback budget (${this.cfg.fallbackBudget} calls) is spent; this time was not looked up.` };
          return rest.length > 0 ? this.failTask({ kind: 'holders', lookups: rest, timeoutSplits: 0 }, note) : [];
        }
      }
      return this.failTask(task, problem);
    }

    const result = o.result!;
    record.rows = result.results.length;
    record.source = result.source;
    const truncated = result.results.length >= Math.min(this.cfg.limits.maxRows, HUNTING_MAX_ROWS);
    const size = task.kind === 'holders' ? task.lookups.length : task.ips.length;
    if (truncated && size > 1) {
      record.ok = false;
      record.error = `Result hit the ${result.results.length}-row cap; the batch was split.`;
      this.requeueSplit(task, queue, false);
      return [];
    }
    this.batchesDone++;
    const fetchedAt = this.cfg.now();
    if (task.kind === 'holders') return this.settleHolders(task.lookups, result, truncated, fetchedAt);
    return this.settleAddresses(task.kind, task.ips, result, fetchedAt);
  }

  private requeueSplit(task: Exclude<Task, { kind: 'fallback' }>, queue: Task[], timedOut: boolean): void {
    const splits = task.timeoutSplits + (timedOut ? 1 : 0);
    if (task.kind === 'holders') {
      const [a, b] = splitHolderBatch(task.lookups);
      queue.unshift({ kind: 'holders', lookups: a, timeoutSplits: splits }, { kind: 'holders', lookups: b, timeoutSplits: splits });
    } else {
      const [a, b] = splitBatch(task.ips);
      queue.unshift({ kind: task.kind, ips: a, timeoutSplits: splits }, { kind: task.kind, ips: b, timeoutSplits: splits });
    }
    this.batchesTotal++;
  }

  private settleAddresses(part: 'summary' | 'alerts', ips: string[], result: HuntingResult, fetchedAt: number): TriageEntry[] {
    // Summary rows come per address and side (as a peer, as an own address); alert rows per address.
    const byIp = new Map<string, HuntingResult['results'][number]>();
    const localByIp = new Map<string, HuntingResult['results'][number]>();
    for (const row of result.results) {
      const ip = rowAddress(row, part === 'summary' ? 'Ip' : 'RemoteIP', normaliseRowIp);
      if (!ip) continue;
      const into = part === 'summary' && summarySide(row) === 'local' ? localByIp : byIp;
      if (!into.has(ip)) into.set(ip, row);
    }
    const changed: TriageEntry[] = [];
    for (const ip of ips) {
      const p = this.publics.get(ip);
      if (!p || p[part] !== 'pending') continue;
      const row = byIp.get(ip);
      if (part === 'summary') {
        const remote = row ? parseSummaryRow(row) : undefined;
        const localRow = localByIp.get(ip);
        const local = localRow ? parseSummaryRow(localRow) : undefined;
        if (remote) p.entry.sightings = remote;
        else delete p.entry.sightings;
        if (local) p.entry.localSightings = local;
        else delete p.entry.localSightings;
        this.cfg.cache.set(addressPartKey(this.cfg.scope, this.request.lookback, 'sightings', ip), { remote: remote ?? null, local: local ?? null }, fetchedAt);
      } else {
        const a = row ? parseAlertsRow(row) : undefined;
        if (a && a.count > 0) p.entry.alerts = a;
        else delete p.entry.alerts;
        this.cfg.cache.set(addressPartKey(this.cfg.scope, this.request.lookback, 'alerts', ip), a && a.count > 0 ? a : null, fetchedAt);
      }
      p[part] = 'done';
      this.noteFetched(p.entry, new Date(fetchedAt).toISOString(), false);
      if (this.finishPublic(p)) changed.push(p.entry);
    }
    return changed;
  }

  private settleHolders(lookups: InternalLookup[], result: HuntingResult, truncated: boolean, fetchedAt: number): TriageEntry[] {
    const byIp = new Map<string, HolderRow[]>();
    for (const r of result.results) {
      const h = parseHolderRow(r, normaliseRowIp);
      if (!h) continue;
      const list = byIp.get(h.ip);
      if (list) list.push(h);
      else byIp.set(h.ip, [h]);
    }
    const changed = new Set<TriageEntry>();
    const added = new Set<InternalState>();
    // The window the query covered: the batch's times ±15 minutes and the margin that shows the reports around them.
    const window = holderQueryWindow(lookups, MAX_INFERRED_GAP_MS);
    for (const l of lookups) {
      const s = this.internals.get(l.ip);
      if (!s) continue;
      if (!added.has(s)) {
        added.add(s);
        addRows(s, byIp.get(l.ip) ?? []);
        if (!truncated) s.windows.push(window);
      }
      s.pending.delete(l.at.toISOString());
      if (truncated) s.truncatedHours.add(hourOf(l.at.getTime()));
      this.noteFetched(s.entry, new Date(fetchedAt).toISOString(), false);
      if (truncated && !s.entry.problems.some((p) => p.kind === 'truncated')) {
        s.entry.problems.push({ source: 'holders', kind: 'truncated', message: 'The holder lookup hit the row cap: the list of machines may be incomplete.' });
      }
      if (this.finishInternal(s)) changed.add(s.entry);
    }
    return [...changed];
  }

  private settleFallback(_lookups: InternalLookup[], outcome: FallbackOutcome): TriageEntry[] {
    const changed = new Set<TriageEntry>();
    const fetchedAt = this.cfg.now();
    for (const a of outcome.answers) {
      const s = this.internals.get(a.lookup.ip);
      if (!s) continue;
      s.pending.delete(a.lookup.at.toISOString());
      // Hunting did not answer this hour; findbyip answers for ±15 minutes around this one time.
      s.failedHours.add(hourOf(a.lookup.at.getTime()));
      if (a.machines) {
        s.points.push({ at: a.lookup.at.getTime(), machines: a.machines });
        this.noteFetched(s.entry, new Date(fetchedAt).toISOString(), false);
      } else {
        if (isCancellation(a.error)) this.cancelled = true;
        pushProblem(s.entry, toTriageProblem('holders', a.error));
      }
      if (this.finishInternal(s)) changed.add(s.entry);
    }
    return [...changed];
  }

  /** Marks a task's addresses as failed with `problem`; returns those whose entries are now final. */
  private failTask(task: Task, problem: TriageProblem): TriageEntry[] {
    const changed = new Set<TriageEntry>();
    if (task.kind === 'summary' || task.kind === 'alerts') {
      for (const ip of task.ips) {
        const p = this.publics.get(ip);
        if (!p || p[task.kind] !== 'pending') continue;
        p[task.kind] = 'failed';
        pushProblem(p.entry, { ...problem, source: task.kind });
        if (this.finishPublic(p)) changed.add(p.entry);
      }
    } else {
      for (const l of task.lookups) {
        const s = this.internals.get(l.ip);
        if (!s || !s.pending.has(l.at.toISOString())) continue;
        s.pending.delete(l.at.toISOString());
        s.failedHours.add(hourOf(l.at.getTime()));
        pushProblem(s.entry, { ...problem, source: 'holders' });
        if (this.finishInternal(s)) changed.add(s.entry);
      }
    }
    return [...changed];
  }

  /** Sets the verdict once both parts are settled; true when the entry just became final. */
  private finishPublic(p: PublicState): boolean {
    if (p.summary === 'pending' || p.alerts === 'pending') return false;
    const e = p.entry;
    const before = e.verdict;
    if (e.alerts && e.alerts.count > 0) e.verdict = 'alerts';
    else if ((e.sightings?.machines ?? 0) > 0 || (e.localSightings?.machines ?? 0) > 0) e.verdict = 'seen';
    else if (p.summary === 'done' && p.alerts === 'done') e.verdict = 'not-seen';
    else e.verdict = 'unknown';
    const own = e.localSightings?.machines ?? 0;
    if (own > 0) {
      // Not a peer anyone talked to: an address of the organisation itself (a public network card, the egress).
      const who = own === 1 ? `1 machine (${e.localSightings?.deviceNames[0] ?? 'unnamed'})` : `${own} machines`;
      e.reason = (e.sightings?.machines ?? 0) > 0 ? `Also the own address (LocalIP) of ${who}.` : `Your own address: Defender records it as the LocalIP of ${who}, not as a peer they talked to.`;
    }
    return before === 'pending' || before !== e.verdict;
  }

  private finishInternal(s: InternalState): boolean {
    if (s.pending.size > 0) return false;
    const e = s.entry;
    const before = e.verdict;
    e.verdict = 'internal';
    if (s.cells.length > 0) {
      const answeredHours = new Set(s.cachedHours);
      for (const h of s.askedHours) if (!s.failedHours.has(h)) answeredHours.add(h);
      const timeline = matchHolders(s.cells, { rows: s.rows, windows: s.windows, answeredHours, points: s.points });
      e.holdersAt = timeline.runs;
      e.holders = timeline.holders;
      e.holderCoverage = {
        timedOccurrences: s.timed,
        askedOccurrences: s.cells.reduce((n, c) => n + c.count, 0),
        answeredOccurrences: timeline.answeredOccurrences,
        heldOccurrences: timeline.heldOccurrences,
        inferredOccurrences: timeline.inferredOccurrences,
        times: s.cells.length,
        granularityMinutes: s.granularityMinutes,
      };
      const reason = holderReason(e.holderCoverage, timeline.cut);
      if (reason) e.reason = reason;
      else delete e.reason;
      // Each fully answered hour is kept for the next run (the rows within 15 minutes of it).
      const fetchedAt = this.cfg.now();
      for (const h of s.askedHours) {
        if (!s.failedHours.has(h) && !s.truncatedHours.has(h)) this.cfg.cache.set(holderHourKey(this.cfg.scope, e.ip, h), rowsForHour(s.rows, h), fetchedAt);
      }
    }
    return before === 'pending' || before !== e.verdict;
  }

  private noteFetched(entry: TriageEntry, cachedAt: string, fromCache: boolean): void {
    if (!entry.cachedAt || cachedAt < entry.cachedAt) entry.cachedAt = cachedAt;
    // fromCache: every part fetched so far came from the triage cache.
    if (!fromCache) this.fresh.add(entry);
    entry.fromCache = !this.fresh.has(entry);
  }

  private progress(phase: TriageProgress['phase']): TriageProgress {
    const byVerdict = emptyVerdictCounts();
    let resolved = 0;
    for (const e of this.entries.values()) {
      byVerdict[e.verdict]++;
      if (e.verdict !== ('pending')) resolved++;
    }
    return {
      phase,
      bytesScanned: this.bytesScanned,
      ...(this.bytesTotal !== undefined ? { bytesTotal: this.bytesTotal } : {}),
      occurrences: this.occurrences,
      addresses: this.entries.size,
      resolved,
      batchesDone: this.batchesDone,
      batchesTotal: this.batchesTotal,
      calls: { ...this.calls },
      byVerdict,
    };
  }

  private finish(): TriageReport {
    const entries = [...this.entries.values()];
    for (const e of entries) {
      if (e.verdict === ('pending')) {
        e.verdict = 'unknown';
        pushProblem(e, { source: e.internal ? 'holders' : 'summary', kind: 'cancelled', message: 'Cancelled before this address was looked up.' });
      }
    }
    entries.sort(compareEntries);
    const p = this.progress('done');
    return {
      lookback: this.request.lookback,
      startedAt: new Date(this.startedAt).toISOString(),
      finishedAt: new Date(this.cfg.now()).toISOString(),
      cancelled: this.cancelled,
      entries,
      queries: this.queries,
      sources: this.sources,
      counts: { files: this.sources.length, bytes: this.bytesScanned, occurrences: this.occurrences, addresses: entries.length, byVerdict: p.byVerdict },
      calls: { ...this.calls },
      ...(this.indicators ? { indicators: this.indicators } : {}),
    };
  }
}

/** One lookup per address first (most recent time first), then the second of each, and so on. */
function fallbackOrder(lookups: readonly InternalLookup[]): InternalLookup[] {
  const byIp = new Map<string, InternalLookup[]>();
  for (const l of lookups) {
    const list = byIp.get(l.ip);
    if (list) list.push(l);
    else byIp.set(l.ip, [l]);
  }
  for (const list of byIp.values()) list.sort((a, b) => b.at.getTime() - a.at.getTime());
  const out: InternalLookup[] = [];
  for (let round = 0; out.length < lookups.length; round++) {
    for (const list of byIp.values()) if (list[round]) out.push(list[round]);
  }
  return out;
}

/** A failure that a smaller batch may avoid: result too large, too many rows, query too long. */
export function isSizeError(e: unknown): boolean {
  if (!(e instanceof BadRequestError)) return false;
  if (e.code === 'MaximumBatchSizeExceeded') return true;
  return /result size|too (?:large|long|many)|exceed(?:s|ed)? the (?:allowed|maximum)|row limit|query (?:is )?too/i.test(`${e.serviceMessage ?? ''} ${e.message}`);
}

function toTriageProblem(source: TriageSource | 'fallback', e: unknown): TriageProblem {
  const d = describeError(e);
  return {
    source: source === 'fallback' ? 'holders' : source,
    kind: d.kind,
    message: d.message,
    ...(d.remedy ? { remedy: d.remedy } : {}),
    ...(d.requestId ? { requestId: d.requestId } : {}),
  };
}

function pushProblem(entry: TriageEntry, p: TriageProblem): void {
  if (!entry.problems.some((q) => q.source === p.source && q.kind === p.kind && q.message === p.message)) entry.problems.push(p);
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Adds holder rows to an address's state, each once (the cache and overlapping batches may repeat a row). */
function addRows(s: InternalState, rows: readonly HolderRow[]): void {
  for (const r of rows) {
    const key = `${r.machine.id}\u0000${r.from}\u0000${r.to}`;
    if (s.rowKeys.has(key)) continue;
    s.rowKeys.add(key);
    s.rows.push(r);
  }
}

/** A bounded list of line times for display: the first minute of cells spread over the span, first and last kept. */
function listedTimes(cells: readonly TimeCell[]): string[] {
  if (cells.length <= LISTED_TIMES) return cells.map((c) => new Date(c.first).toISOString());
  const picked: string[] = [];
  for (let i = 0; i < LISTED_TIMES; i++) picked.push(new Date(cells[Math.round((i * (cells.length - 1)) / (LISTED_TIMES - 1))].first).toISOString());
  return picked;
}
