// The machine panel host's bookkeeping, pure (no vscode): the merged machine view, the last update of each section
// (replayed when the webview reloads), and the values a request may name (addresses it shows, alert ids), so the
// webview never decides what the host acts on. Runs and section ownership reuse the investigation panel's RunBook.
import { MACHINE_SECTIONS, machineDisplayName, type MachineInvestigation, type MachineProblem, type MachineSection, type MachineUpdate } from '../../shared/machine';
import { parseMachineIdentity, type MachineHostMessage, type MachineIdentity, type MachinePayload, type MachineSectionUpdate } from '../../shared/machineProtocol';
import type { RunBook } from '../panel/panelRuns';
import { PORTAL_ID } from '../panel/panelRuns';

export { parseMachineIdentity as validMachineIdentity };

/** The slice of the view one section shows, as sent to the webview. */
export function machinePayloadOf(section: MachineSection, v: MachineInvestigation): MachinePayload | undefined {
  switch (section) {
    case 'overview':
      return v.machine !== undefined ? { section, machine: v.machine } : undefined;
    case 'alerts':
      return v.alerts ? { section, alerts: v.alerts } : undefined;
    case 'logonUsers':
      return v.logonUsers ? { section, users: v.logonUsers } : undefined;
    case 'network':
      return v.network ? { section, activity: v.network } : undefined;
    case 'timeline':
      return v.timeline ? { section, events: v.timeline, truncated: v.timelineTruncated === true } : undefined;
  }
}

function copySection(target: MachineInvestigation, section: MachineSection, from: Partial<MachineInvestigation>): void {
  switch (section) {
    case 'overview':
      target.machine = from.machine;
      return;
    case 'alerts':
      target.alerts = from.alerts;
      return;
    case 'logonUsers':
      target.logonUsers = from.logonUsers;
      return;
    case 'network':
      target.network = from.network;
      return;
    case 'timeline':
      target.timeline = from.timeline;
      target.timelineTruncated = from.timelineTruncated;
      return;
  }
}

function isMachineSection(s: string): s is MachineSection {
  return (MACHINE_SECTIONS as readonly string[]).includes(s);
}

/** The merged view a machine panel shows and exports, and the last update of every section. */
export class MachinePanelState {
  readonly view: MachineInvestigation;
  private readonly updates = new Map<MachineSection, MachineSectionUpdate>();
  private readonly problems = new Map<MachineSection, MachineProblem>();
  private readonly freshness = new Map<MachineSection, string>();

  constructor(public identity: MachineIdentity) {
    this.view = { machineId: identity.machineId, lookback: identity.lookback, problems: [] };
  }

  setLookback(lookback: MachineIdentity['lookback']): void {
    this.identity = { ...this.identity, lookback };
    this.view.lookback = lookback;
  }

  /** The machine's name once the overview arrived, else its id. */
  get name(): string {
    return this.view.machine ? machineDisplayName(this.view.machine) : this.view.machineId;
  }

  /** A run takes over these sections: their data is cleared and they show as loading. */
  begin(sections: readonly MachineSection[]): void {
    for (const s of sections) {
      copySection(this.view, s, {});
      this.problems.delete(s);
      this.freshness.delete(s);
      this.updates.set(s, { section: s, state: 'loading' });
    }
    this.sync();
  }

  /** Applies an update of the machine service; returns what to send to the webview. */
  fromService(u: MachineUpdate): MachineSectionUpdate {
    const s = u.section;
    switch (u.state) {
      case 'loading':
        return this.record({ section: s, state: 'loading' });
      case 'ready': {
        copySection(this.view, s, u.investigation);
        if (u.investigation.cachedAt) this.freshness.set(s, u.investigation.cachedAt);
        const payload = machinePayloadOf(s, u.investigation);
        if (!payload) return this.failed({ source: s, kind: 'internal', message: 'The section arrived without data.' });
        return this.record({ section: s, state: 'ready', payload });
      }
      case 'failed':
        copySection(this.view, s, {});
        return this.failed(u.problem);
      case 'skipped':
        copySection(this.view, s, {});
        return this.record({ section: s, state: 'skipped', reason: u.reason });
    }
  }

  failed(problem: MachineProblem): MachineSectionUpdate {
    this.problems.set(problem.source, problem);
    return this.record({ section: problem.source, state: 'failed', problem });
  }

  private record(u: MachineSectionUpdate): MachineSectionUpdate {
    if (u.state !== 'failed') this.problems.delete(u.section);
    this.updates.set(u.section, u);
    this.sync();
    return u;
  }

  private sync(): void {
    this.view.problems = [...this.problems.values()];
    const times = [...this.freshness.values()].sort();
    if (times.length > 0) this.view.cachedAt = times[0];
    else delete this.view.cachedAt;
  }

  update(section: MachineSection): MachineSectionUpdate | undefined {
    return this.updates.get(section);
  }

  /** Messages that repaint a fresh webview: one `run` per owning run, then each section's last update. */
  replay(book: RunBook<MachineSection>): MachineHostMessage[] {
    const byRun = new Map<number, MachineSection[]>();
    for (const s of this.updates.keys()) {
      const runId = book.ownerOf(s);
      if (runId === undefined || !isMachineSection(s)) continue;
      byRun.set(runId, [...(byRun.get(runId) ?? []), s]);
    }
    const out: MachineHostMessage[] = [];
    for (const [runId, sections] of [...byRun.entries()].sort((a, b) => a[0] - b[0])) {
      out.push({ kind: 'run', runId, identity: this.identity, sections });
      for (const s of sections) {
        const u = this.updates.get(s);
        if (u) out.push({ kind: 'section', runId, ...u });
      }
    }
    if (book.running() === 0 && this.view.cachedAt) out.push({ kind: 'done', runId: 0, cachedAt: this.view.cachedAt });
    return out;
  }
}

/** Every address the view shows: a request may investigate only one of these. */
export function knownAddresses(v: MachineInvestigation): Set<string> {
  const out = new Set<string>();
  for (const r of v.network?.remotes ?? []) out.add(r.ip);
  for (const a of v.alerts ?? []) for (const e of a.evidence) if (e.ipAddress) out.add(e.ipAddress);
  for (const e of v.timeline ?? []) {
    if (e.remoteIp) out.add(e.remoteIp);
    if (e.localIp) out.add(e.localIp);
  }
  const m = v.machine;
  if (m) {
    if (m.lastIpAddress) out.add(m.lastIpAddress);
    if (m.lastExternalIpAddress) out.add(m.lastExternalIpAddress);
    for (const a of m.ipAddresses) out.add(a.ipAddress);
  }
  return out;
}

/** The alert id if it is well-formed and one the view shows. */
export function validAlertOf(v: MachineInvestigation, id: string): string | undefined {
  return PORTAL_ID.test(id) && (v.alerts ?? []).some((a) => a.id === id) ? id : undefined;
}
