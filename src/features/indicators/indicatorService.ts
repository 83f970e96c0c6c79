// Indicators for the extension's surfaces: what the tenant has per address (cached for the session, one list for
// a triage), whether the signed-in identity may write (its token's roles or scopes, or a 403 learnt), and the writes
// themselves, each recorded in the audit trail and announced so the panel, the hover and the triage table update.
import * as vscode from 'vscode';
import { auditEntry, type AuditFacts } from '../../core/indicators/auditTrail';
import type { BulkPlan } from '../../core/indicators/bulkPlan';
import { INDICATOR_PERMISSION_REASON } from '../../core/defender/permissions';
import { PermissionError } from '../../core/defender/errors';
import { describeSubmission, indicatorKey, ipIndicatorsByAddress, remainingRoom, type Expiry } from '../../core/indicators/indicatorRules';
import { expireOne, removeOne, runBulk, submitOne, type BulkProgress, type SingleWrite } from '../../core/indicators/indicatorWrites';
import type { Logger } from '../../platform/logger';
import type { Indicator, IndicatorList, IndicatorSubmission } from '../../shared/defenderModel';
import type { AuditKind, BulkReport, WriteCapability, WriteOutcome } from '../../shared/indicatorModel';
import type { DefenderSession } from '../session/defenderSession';
import { AuditLog } from './auditLog';

/** The IP indicators of one address, as last fetched. */
export interface AddressIndicators {
  ip: string;
  indicators: Indicator[];
  fetchedAt: number;
}

/** Addresses whose indicators changed (a write, or a fresh list). */
export interface IndicatorChange {
  ips: readonly string[];
}

export interface Capability extends WriteCapability {
  /** The identity's list covers the whole tenant (so the room under the cap can be told). */
  seesAll: boolean;
}

const MAX_CACHED = 5_000;

export class IndicatorService implements vscode.Disposable {
  readonly audit: AuditLog;
  private readonly cache = new Map<string, AddressIndicators>();
  /** A complete list of the tenant's IP indicators (a triage or a bulk run asked for it). */
  private full: { byIp: Map<string, Indicator>; fetchedAt: number; list: IndicatorList } | undefined;
  private readonly inflight = new Map<string, Promise<AddressIndicators>>();
  private access: Promise<Capability> | undefined;
  private refused: string | undefined;
  private readonly emitter = new vscode.EventEmitter<IndicatorChange>();
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly deps: { logger: Logger; session: DefenderSession; state: vscode.Memento },
  ) {
    this.audit = new AuditLog(deps.state, deps.logger);
    this.subscriptions.push(
      this.audit,
      this.emitter,
      // Another tenant, account or sign-in: what was fetched, and what the identity may do, no longer holds.
      deps.session.onDidChange(() => {
        this.cache.clear();
        this.full = undefined;
        this.access = undefined;
        this.refused = undefined;
      }),
    );
  }

  private get ttlMs(): number {
    return Math.max(60_000, this.deps.session.settings.cacheTtlMinutes * 60_000);
  }

  /** Whether write actions are offered, with the reason when not. Asks the token once per connection. */
  capability(): Promise<Capability> {
    if (this.refused !== undefined) return Promise.resolve({ enabled: false, reason: this.refused, seesAll: false });
    if (this.deps.session.isDemo) return Promise.resolve({ enabled: true, seesAll: true });
    this.access ??= this.deps.session.indicatorAccess(AbortSignal.timeout(10_000)).then(
      (a): Capability => (a === undefined ? { enabled: true, seesAll: false } : a.write ? { enabled: true, seesAll: a.seesAll } : { enabled: false, reason: INDICATOR_PERMISSION_REASON, seesAll: false }),
      (): Capability => ({ enabled: true, seesAll: false }),
    );
    return this.access;
  }

  /** Throws the permission error a disabled write action names (the command's error policy shows it with Sign In). */
  async requireWrite(): Promise<Capability> {
    const c = await this.capability();
    if (!c.enabled) throw new PermissionError(`Writing indicators ${c.reason ?? INDICATOR_PERMISSION_REASON}.`, 'Ti.ReadWrite / Ti.ReadWrite.All', { operation: 'submitIndicator' });
    return c;
  }

  /** A 403 from any indicator route: the actions turn disabled with the reason until the session changes. */
  private learn(e: unknown): void {
    if (e instanceof PermissionError && this.refused === undefined) {
      this.refused = INDICATOR_PERMISSION_REASON;
      this.deps.logger.warn('Indicators: the identity lacks Ti.ReadWrite; write actions are disabled until the sign-in changes.');
      this.emitter.fire({ ips: [] });
    }
  }

  /** What is known about an address without any request (the hover's first look). */
  peek(ip: string): AddressIndicators | undefined {
    const key = indicatorKey(ip);
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.fetchedAt <= this.ttlMs) return hit;
    if (this.full && now - this.full.fetchedAt <= this.ttlMs) {
      const i = this.full.byIp.get(key);
      return { ip: key, indicators: i ? [i] : [], fetchedAt: this.full.fetchedAt };
    }
    return undefined;
  }

  /** The address's IP indicators (one list query filtered by value; concurrent askers share it). */
  lookup(ip: string, options: { signal?: AbortSignal; noCache?: boolean } = {}): Promise<AddressIndicators> {
    const key = indicatorKey(ip);
    if (!options.noCache) {
      const hit = this.peek(key);
      if (hit) return Promise.resolve(hit);
    }
    const running = this.inflight.get(key);
    if (running && !options.noCache) return running;
    const p = (async () => {
      try {
        const client = await this.deps.session.getClient();
        const r = await client.listIndicators({ value: key }, { signal: options.signal, noCache: options.noCache });
        const found = r.data.indicators.filter((i) => i.indicatorType === 'IpAddress' && indicatorKey(i.indicatorValue) === key);
        return this.remember(key, found);
      } catch (e) {
        this.learn(e);
        throw e;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, p);
    return p;
  }

  /** Every indicator of the tenant (one list, paged): the map by address and, when it tells, the room left. */
  async listAll(options: { signal?: AbortSignal; noCache?: boolean } = {}): Promise<{ byIp: Map<string, Indicator>; room?: number; list: IndicatorList }> {
    if (!options.noCache && this.full && Date.now() - this.full.fetchedAt <= this.ttlMs) return { ...this.full, ...this.roomOf(this.full.list, await this.capability()) };
    try {
      const client = await this.deps.session.getClient();
      const r = await client.listIndicators({}, { signal: options.signal, noCache: options.noCache });
      this.noteList(r.data);
      return { byIp: ipIndicatorsByAddress(r.data.indicators), list: r.data, ...this.roomOf(r.data, await this.capability()) };
    } catch (e) {
      this.learn(e);
      throw e;
    }
  }

  private roomOf(list: IndicatorList, c: Capability): { room?: number } {
    const room = remainingRoom(list, c.seesAll);
    return room === undefined ? {} : { room };
  }

  /** A complete list fetched elsewhere (a triage's one list query) feeds the cache too. */
  noteList(list: IndicatorList): void {
    if (!list.complete) return;
    const byIp = ipIndicatorsByAddress(list.indicators);
    this.full = { byIp, fetchedAt: Date.now(), list };
    this.cache.clear();
    this.emitter.fire({ ips: [...byIp.keys()] });
  }

  private remember(key: string, indicators: Indicator[]): AddressIndicators {
    const entry = { ip: key, indicators, fetchedAt: Date.now() };
    this.cache.delete(key);
    this.cache.set(key, entry);
    while (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    return entry;
  }

  /** After a write: the address's entry reflects it at once, the full list is dropped, listeners hear of it. */
  private changed(ips: readonly string[], after: Map<string, Indicator | undefined>): void {
    this.full = undefined;
    for (const ip of ips) {
      const key = indicatorKey(ip);
      if (after.has(key)) {
        const i = after.get(key);
        this.remember(key, i ? [i] : []);
      } else this.cache.delete(key);
    }
    this.emitter.fire({ ips: ips.map(indicatorKey) });
  }

  private context() {
    const state = this.deps.session.state();
    return { identity: state.account ?? (state.demo ? 'demo-analyst' : 'unknown'), ...(state.tenantId ? { tenant: state.tenantId } : {}), demo: state.demo, now: Date.now };
  }

  private async record(facts: AuditFacts): Promise<void> {
    await this.audit.record(auditEntry(this.context(), facts));
  }

  private async writeOne(kind: AuditKind, s: IndicatorSubmission, run: () => Promise<SingleWrite>): Promise<SingleWrite> {
    let w: SingleWrite;
    try {
      w = await run();
    } catch (e) {
      this.learn(e);
      const d = e instanceof Error ? e.message : String(e);
      const requestId = (e as { requestId?: unknown }).requestId;
      await this.record({
        kind,
        addresses: [s.indicatorValue],
        action: s.action,
        title: s.title,
        expires: s.expirationTime ?? null,
        outcomes: { failed: 1 },
        ...(typeof requestId === 'string' ? { requestIds: [requestId] } : {}),
        note: d,
      });
      this.changed([s.indicatorValue], new Map<string, Indicator | undefined>());
      throw e;
    }
    await this.record({
      kind,
      addresses: [w.ip],
      action: s.action,
      title: s.title,
      expires: s.expirationTime ?? null,
      indicatorIds: w.indicatorId ? [w.indicatorId] : [],
      outcomes: { [w.outcome]: 1 },
      requestIds: w.requestIds,
      clientRequestIds: w.clientRequestIds,
      ...(w.reason ? { note: w.reason } : {}),
    });
    this.changed([w.ip], w.indicator && (w.outcome === 'created' || w.outcome === 'updated') ? new Map([[indicatorKey(w.ip), w.indicator]]) : new Map<string, Indicator | undefined>());
    return w;
  }

  /** Creates or updates the indicator of one address (`existed`: it had one). */
  async add(s: IndicatorSubmission, existed: boolean): Promise<SingleWrite> {
    const client = await this.deps.session.getClient();
    return this.writeOne(existed ? 'update' : 'create', s, () => submitOne(client, s, { existed }));
  }

  async expire(existing: Indicator, expiry: Expiry, s: IndicatorSubmission): Promise<SingleWrite> {
    const client = await this.deps.session.getClient();
    return this.writeOne('expire', s, () => expireOne(client, existing, expiry));
  }

  async remove(existing: Indicator): Promise<SingleWrite> {
    const client = await this.deps.session.getClient();
    const ip = indicatorKey(existing.indicatorValue);
    let w: SingleWrite;
    try {
      w = await removeOne(client, existing);
    } catch (e) {
      this.learn(e);
      const requestId = (e as { requestId?: unknown }).requestId;
      await this.record({ kind: 'remove', addresses: [ip], action: existing.action, title: existing.title, indicatorIds: [existing.id], outcomes: { failed: 1 }, ...(typeof requestId === 'string' ? { requestIds: [requestId] } : {}), note: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    await this.record({ kind: 'remove', addresses: [ip], action: existing.action, title: existing.title, indicatorIds: [existing.id], outcomes: { [w.outcome]: 1 }, requestIds: w.requestIds, clientRequestIds: w.clientRequestIds, ...(w.reason ? { note: w.reason } : {}) });
    this.changed([ip], new Map([[ip, undefined]]));
    return w;
  }

  /** A bulk run through the import route: one audit entry per batch, every address's result, listeners told. */
  async bulk(plan: Extract<BulkPlan, { ok: true }>, options: { signal?: AbortSignal; onProgress?: (p: BulkProgress) => void } = {}): Promise<BulkReport> {
    const client = await this.deps.session.getClient();
    const first = plan.items[0].submission;
    const pending: Promise<void>[] = [];
    const report = await runBulk(client, plan.items, {
      ...options,
      onBatch: (b, results) => {
        const outcomes: Partial<Record<WriteOutcome, number>> = {};
        for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        if (b.outcome === 'not-sent') return;
        pending.push(
          this.record({
            kind: 'import',
            addresses: results.map((r) => r.ip),
            action: first.action,
            title: first.title,
            expires: first.expirationTime ?? null,
            indicatorIds: results.flatMap((r) => (r.indicatorId ? [r.indicatorId] : [])),
            outcomes,
            requestIds: b.requestId ? [b.requestId] : [],
            clientRequestIds: b.clientRequestId ? [b.clientRequestId] : [],
            note: `batch ${b.index} of ${Math.ceil(plan.items.length / 500)}: ${describeSubmission(first, undefined, b.size)}${b.error ? `; ${b.error}` : ''}`,
          }),
        );
      },
    });
    await Promise.all(pending);
    if (report.batches.some((b) => b.outcome === 'failed' && /Ti\.ReadWrite/.test(b.error ?? ''))) this.learn(new PermissionError('', 'Ti.ReadWrite'));
    this.changed(
      plan.items.map((i) => i.ip),
      new Map<string, Indicator | undefined>(),
    );
    return report;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
