// Pure model of the panel: applies validated host messages (runs, section updates) to the data and
// the state of each source, ignores updates of superseded runs, and says which sections changed.
import type { AddressFacts, DailyPoint, IpStatsView, MachinesAtTime, ObservedMachine, TimelineEvent } from '../../src/shared/investigation';
import { PANEL_SECTIONS, type Alert, type HostMessage, type Machine, type PanelHistory, type PanelIdentity, type PanelSection, type RdapSummary, type SectionPayload } from '../../src/shared/protocol';
import type { SourceState } from './sectionStatus';

export interface PanelData {
  stats?: IpStatsView;
  alerts?: Alert[];
  machines?: ObservedMachine[];
  timeline?: TimelineEvent[];
  timelineTruncated: boolean;
  daily?: DailyPoint[];
  machinesAtTime?: MachinesAtTime;
  machineDetails?: Record<string, Machine>;
  rdap?: RdapSummary;
  reverseDns?: string[];
}

/** What changed after a message: nothing, some sections, or everything (a new init). */
export type Change = { kind: 'none' } | { kind: 'init' } | { kind: 'sections'; sections: PanelSection[] } | { kind: 'done' } | { kind: 'history' };

function isEmpty(p: SectionPayload): boolean {
  switch (p.section) {
    case 'stats':
      return p.stats.prevalence === 0;
    case 'alerts':
      return p.alerts.length === 0;
    case 'machines':
      return p.machines.length === 0;
    case 'timeline':
      return p.events.length === 0;
    case 'daily':
      return p.points.every((d) => d.machines === 0);
    case 'machinesAtTime':
      return p.result.machines.length === 0;
    case 'machineDetails':
      return Object.keys(p.details).length === 0;
    case 'rdap':
      return false;
    case 'reverseDns':
      return p.names.length === 0;
  }
}

const idle = (): Record<PanelSection, SourceState> =>
  Object.fromEntries(PANEL_SECTIONS.map((s): [PanelSection, SourceState] => [s, { state: 'idle' }])) as Record<PanelSection, SourceState>;

export class PanelModel {
  identity?: PanelIdentity;
  facts?: AddressFacts;
  demo = false;
  rdapEnabled = true;
  /** Host clock minus ours, so relative times agree with the host. */
  private clockOffset = 0;
  sources: Record<PanelSection, SourceState> = idle();
  data: PanelData = { timelineTruncated: false };
  cachedAt?: string;
  /** The analyst's verdict and note, and whether the data shown came from the investigation history. */
  history: PanelHistory = {};
  /** Bumped whenever a section's data is replaced (views cache derived data by it). */
  readonly versions: Record<PanelSection, number> = Object.fromEntries(PANEL_SECTIONS.map((s) => [s, 0])) as Record<PanelSection, number>;
  private readonly sectionRun = Object.fromEntries(PANEL_SECTIONS.map((s) => [s, -1])) as Record<PanelSection, number>;

  now(): number {
    return Date.now() + this.clockOffset;
  }

  apply(msg: HostMessage): Change {
    switch (msg.kind) {
      case 'init':
        this.identity = msg.identity;
        this.facts = msg.facts;
        this.demo = msg.demo;
        this.rdapEnabled = msg.rdapEnabled;
        this.clockOffset = Date.parse(msg.now) - Date.now();
        this.sources = idle();
        this.data = { timelineTruncated: false };
        this.cachedAt = undefined;
        this.history = {};
        for (const s of PANEL_SECTIONS) {
          this.sectionRun[s] = -1;
          this.versions[s]++;
        }
        return { kind: 'init' };
      case 'run': {
        this.identity = msg.identity;
        const changed: PanelSection[] = [];
        for (const s of msg.sections) {
          if (msg.runId < this.sectionRun[s]) continue;
          this.sectionRun[s] = msg.runId;
          this.sources[s] = { state: 'loading' };
          this.clear(s);
          changed.push(s);
        }
        return { kind: 'sections', sections: changed };
      }
      case 'section': {
        if (msg.runId !== this.sectionRun[msg.section]) return { kind: 'none' };
        switch (msg.state) {
          case 'loading':
            this.sources[msg.section] = { state: 'loading' };
            break;
          case 'ready':
            this.store(msg.payload);
            this.sources[msg.section] = { state: 'ready', empty: isEmpty(msg.payload) };
            break;
          case 'failed':
            this.clear(msg.section);
            this.sources[msg.section] = { state: 'failed', problem: msg.problem };
            break;
          case 'skipped':
            this.clear(msg.section);
            this.sources[msg.section] = { state: 'skipped', reason: msg.reason };
            break;
        }
        return { kind: 'sections', sections: [msg.section] };
      }
      case 'done':
        if (msg.cachedAt) this.cachedAt = msg.cachedAt;
        return { kind: 'done' };
      case 'history':
        this.history = msg.history;
        return { kind: 'history' };
      default:
        return { kind: 'none' };
    }
  }

  private clear(section: PanelSection): void {
    this.versions[section]++;
    switch (section) {
      case 'timeline':
        this.data.timeline = undefined;
        this.data.timelineTruncated = false;
        return;
      default:
        this.data[section] = undefined;
    }
  }

  private store(p: SectionPayload): void {
    this.versions[p.section]++;
    switch (p.section) {
      case 'stats':
        this.data.stats = p.stats;
        break;
      case 'alerts':
        this.data.alerts = p.alerts;
        break;
      case 'machines':
        this.data.machines = p.machines;
        break;
      case 'timeline':
        this.data.timeline = p.events;
        this.data.timelineTruncated = p.truncated;
        break;
      case 'daily':
        this.data.daily = p.points;
        break;
      case 'machinesAtTime':
        this.data.machinesAtTime = p.result;
        break;
      case 'machineDetails':
        this.data.machineDetails = p.details;
        break;
      case 'rdap':
        this.data.rdap = p.rdap;
        break;
      case 'reverseDns':
        this.data.reverseDns = p.names;
        break;
    }
  }

  /** Every machine the panel knows by id (details first, then findbyip, hunting and alerts). */
  machineName(id: string): string | undefined {
    return (
      this.data.machineDetails?.[id]?.computerDnsName ??
      this.data.machinesAtTime?.machines.find((m) => m.id === id)?.computerDnsName ??
      this.data.machines?.find((m) => m.id === id)?.name ??
      this.data.alerts?.find((a) => a.machineId === id)?.computerDnsName
    );
  }
}
