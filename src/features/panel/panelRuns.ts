// The panel host's bookkeeping, pure (no vscode): which run owns each section (a newer run supersedes an
// older one section by section, and an older run with nothing left to do is aborted), the merged
// investigation, the last update of each section (replayed when the webview reloads), and the ids a
// portal link may be built from.
import type { Investigation, InvestigationUpdate, SectionName } from '../../shared/investigation';
import type { HostMessage, PanelIdentity, PanelProblem, PanelSection, SectionPayload, SectionUpdate } from '../../shared/protocol';

export const INVESTIGATION_SECTIONS: readonly SectionName[] = ['stats', 'alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails'];
export const ENRICHMENT_SECTIONS = ['rdap', 'reverseDns'] as const;
/** What a change of period re-queries (alerts and "machines at a time" do not depend on it). */
export const PERIOD_SECTIONS: readonly SectionName[] = ['stats', 'machines', 'timeline', 'daily', 'machineDetails'];

export function isInvestigationSection(s: PanelSection): s is SectionName {
  return (INVESTIGATION_SECTIONS as readonly string[]).includes(s);
}

interface Run<S extends string> {
  controller: AbortController;
  pending: Set<S>;
}

/** Runs and the sections they own (the investigation panel's by default; the machine panel has its own). */
export class RunBook<S extends string = PanelSection> {
  private nextId = 1;
  private readonly owner = new Map<S, number>();
  private readonly runs = new Map<number, Run<S>>();

  /** Starts a run for `sections`; earlier runs lose those sections and are aborted when left with none. */
  start(sections: readonly S[]): { runId: number; signal: AbortSignal } {
    const runId = this.nextId++;
    const run: Run<S> = { controller: new AbortController(), pending: new Set(sections) };
    for (const s of sections) {
      const previous = this.owner.get(s);
      if (previous !== undefined) this.release(previous, s);
      this.owner.set(s, runId);
    }
    this.runs.set(runId, run);
    return { runId, signal: run.controller.signal };
  }

  private release(runId: number, section: S): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.pending.delete(section);
    if (run.pending.size === 0) {
      run.controller.abort(new DOMException('Superseded by a newer run', 'AbortError'));
      this.runs.delete(runId);
    }
  }

  /** True when `runId` still owns `section` (its updates are shown). */
  owns(runId: number, section: S): boolean {
    return this.owner.get(section) === runId;
  }

  /** The section got its final state in this run. */
  settle(runId: number, section: S): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.pending.delete(section);
    if (run.pending.size === 0) this.runs.delete(runId);
  }

  /** Sections this run still owns and has not settled. */
  unsettled(runId: number): S[] {
    const run = this.runs.get(runId);
    return run ? [...run.pending].filter((s) => this.owns(runId, s)) : [];
  }

  ownerOf(section: S): number | undefined {
    return this.owner.get(section);
  }

  running(): number {
    return this.runs.size;
  }

  abortAll(): void {
    for (const run of this.runs.values()) run.controller.abort(new DOMException('Panel closed', 'AbortError'));
    this.runs.clear();
  }
}

/** The slice of an investigation one section shows, as sent to the webview. */
export function payloadOf(section: SectionName, inv: Investigation): SectionPayload | undefined {
  switch (section) {
    case 'stats':
      return inv.stats ? { section, stats: inv.stats } : undefined;
    case 'alerts':
      return inv.alerts ? { section, alerts: inv.alerts } : undefined;
    case 'machines':
      return inv.machines ? { section, machines: inv.machines } : undefined;
    case 'timeline':
      return inv.timeline ? { section, events: inv.timeline, truncated: inv.timelineTruncated === true } : undefined;
    case 'daily':
      return inv.daily ? { section, points: inv.daily } : undefined;
    case 'machinesAtTime':
      return inv.machinesAtTime ? { section, result: inv.machinesAtTime } : undefined;
    case 'machineDetails':
      return inv.machineDetails ? { section, details: inv.machineDetails } : undefined;
  }
}

/** Copies one section's data from a run's investigation into the merged one. */
export function copySection(target: Investigation, section: SectionName, from: Investigation): void {
  switch (section) {
    case 'stats':
      target.stats = from.stats;
      return;
    case 'alerts':
      target.alerts = from.alerts;
      return;
    case 'machines':
      target.machines = from.machines;
      return;
    case 'timeline':
      target.timeline = from.timeline;
      target.timelineTruncated = from.timelineTruncated;
      return;
    case 'daily':
      target.daily = from.daily;
      return;
    case 'machinesAtTime':
      target.machinesAtTime = from.machinesAtTime;
      target.machinesAtTimeNote = from.machinesAtTimeNote;
      return;
    case 'machineDetails':
      target.machineDetails = from.machineDetails;
      return;
  }
}

export function clearSection(target: Investigation, section: SectionName): void {
  copySection(target, section, { address: target.address, lookback: target.lookback, problems: [] });
}

/**
 * The merged investigation a panel shows and exports, and the last update of every section. Runs feed
 * it; the webview is (re)painted from it.
 */
export class PanelState {
  readonly investigation: Investigation;
  private readonly updates = new Map<PanelSection, SectionUpdate>();
  private readonly problems = new Map<PanelSection, PanelProblem>();
  private readonly freshness = new Map<PanelSection, string>();

  constructor(
    public identity: PanelIdentity,
    facts: Investigation['address'],
  ) {
    this.investigation = { address: facts, lookback: identity.lookback, ...(identity.at ? { at: identity.at } : {}), problems: [] };
  }

  setIdentity(identity: PanelIdentity): void {
    this.identity = identity;
    this.investigation.lookback = identity.lookback;
    if (identity.at) this.investigation.at = identity.at;
    else delete this.investigation.at;
  }

  /** A run takes over these sections: their data is cleared and they show as loading. */
  begin(sections: readonly PanelSection[]): void {
    for (const s of sections) {
      if (isInvestigationSection(s)) clearSection(this.investigation, s);
      this.problems.delete(s);
      this.freshness.delete(s);
      this.updates.set(s, { section: s, state: 'loading' });
    }
    this.syncDerived();
  }

  /** Applies an update of the investigation service; returns what to send to the webview. */
  fromService(u: InvestigationUpdate): SectionUpdate {
    const s = u.section;
    switch (u.state) {
      case 'loading':
        return this.record({ section: s, state: 'loading' });
      case 'ready': {
        copySection(this.investigation, s, u.investigation);
        if (u.investigation.cachedAt) this.freshness.set(s, u.investigation.cachedAt);
        const payload = payloadOf(s, u.investigation);
        if (!payload) return this.failed({ source: s, kind: 'internal', message: 'The section arrived without data.' });
        return this.record({ section: s, state: 'ready', payload });
      }
      case 'failed':
        clearSection(this.investigation, s);
        return this.failed(u.problem);
      case 'skipped':
        clearSection(this.investigation, s);
        if (s === 'machinesAtTime') this.investigation.machinesAtTimeNote = u.reason;
        return this.record({ section: s, state: 'skipped', reason: u.reason });
    }
  }

  ready(payload: SectionPayload): SectionUpdate {
    return this.record({ section: payload.section, state: 'ready', payload });
  }

  skipped(section: PanelSection, reason: string): SectionUpdate {
    return this.record({ section, state: 'skipped', reason });
  }

  failed(problem: PanelProblem): SectionUpdate {
    this.problems.set(problem.source, problem);
    return this.record({ section: problem.source, state: 'failed', problem });
  }

  private record(u: SectionUpdate): SectionUpdate {
    if (u.state !== 'failed') this.problems.delete(u.section);
    this.updates.set(u.section, u);
    this.syncDerived();
    return u;
  }

  private syncDerived(): void {
    this.investigation.problems = [...this.problems.values()].flatMap((p) => (isInvestigationSection(p.source) ? [{ ...p, source: p.source }] : []));
    const times = [...this.freshness.values()].sort();
    if (times.length > 0) this.investigation.cachedAt = times[0];
    else delete this.investigation.cachedAt;
  }

  update(section: PanelSection): SectionUpdate | undefined {
    return this.updates.get(section);
  }

  /** Messages that repaint a fresh webview: one `run` per owning run, then each section's last update. */
  replay(book: RunBook): HostMessage[] {
    const byRun = new Map<number, PanelSection[]>();
    for (const s of this.updates.keys()) {
      const runId = book.ownerOf(s);
      if (runId === undefined) continue;
      byRun.set(runId, [...(byRun.get(runId) ?? []), s]);
    }
    const out: HostMessage[] = [];
    for (const [runId, sections] of [...byRun.entries()].sort((a, b) => a[0] - b[0])) {
      out.push({ kind: 'run', runId, identity: this.identity, sections });
      for (const s of sections) {
        const u = this.updates.get(s);
        if (u) out.push({ kind: 'section', runId, ...u });
      }
    }
    if (book.running() === 0 && this.investigation.cachedAt) out.push({ kind: 'done', runId: 0, cachedAt: this.investigation.cachedAt });
    return out;
  }
}

/** Machine ids the panel has seen (a portal link or a reveal is built only for one of these). */
export function knownMachineIds(inv: Investigation): Set<string> {
  const ids = new Set<string>();
  for (const m of inv.machines ?? []) ids.add(m.id);
  for (const e of inv.timeline ?? []) ids.add(e.deviceId);
  for (const a of inv.alerts ?? []) if (a.machineId) ids.add(a.machineId);
  for (const id of Object.keys(inv.machineDetails ?? {})) ids.add(id);
  for (const m of inv.machinesAtTime?.machines ?? []) ids.add(m.id);
  return ids;
}

/** Defender ids are 40 hex digits; the portal also takes computer names. Nothing else becomes a URL. */
export const PORTAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** The id if it is well-formed and one the panel knows; otherwise undefined. */
export function validMachineId(inv: Investigation, id: string): string | undefined {
  return PORTAL_ID.test(id) && knownMachineIds(inv).has(id) ? id : undefined;
}

export function validAlertId(inv: Investigation, id: string): string | undefined {
  return PORTAL_ID.test(id) && (inv.alerts ?? []).some((a) => a.id === id) ? id : undefined;
}
