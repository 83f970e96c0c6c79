// Pure model of the machine panel: applies validated host messages (runs, section updates) to the data and the state
// of each source, ignores updates of superseded runs, and says which sections changed.
import type { TimelineEvent } from '../../src/shared/investigation';
import { MACHINE_SECTIONS, type MachineSection, type NetworkActivity } from '../../src/shared/machine';
import type { Alert, LogonUser, Machine, MachineHostMessage, MachineIdentity, MachinePayload } from '../../src/shared/machineProtocol';
import type { SourceState } from '../viewModel/sectionStatus';

export interface MachineData {
  /** null: Defender does not know the machine. */
  machine?: Machine | null;
  alerts?: Alert[];
  users?: LogonUser[];
  network?: NetworkActivity;
  timeline?: TimelineEvent[];
  timelineTruncated: boolean;
}

export type MachineChange = { kind: 'none' } | { kind: 'init' } | { kind: 'sections'; sections: MachineSection[] } | { kind: 'done' };

function isEmpty(p: MachinePayload): boolean {
  switch (p.section) {
    case 'overview':
      return p.machine === null;
    case 'alerts':
      return p.alerts.length === 0;
    case 'logonUsers':
      return p.users.length === 0;
    case 'network':
      return p.activity.remotes.length === 0;
    case 'timeline':
      return p.events.length === 0;
  }
}

const record = <T>(make: (s: MachineSection) => T): Record<MachineSection, T> =>
  Object.fromEntries(MACHINE_SECTIONS.map((s) => [s, make(s)])) as Record<MachineSection, T>;

export class MachineModel {
  identity?: MachineIdentity;
  demo = false;
  private clockOffset = 0;
  sources: Record<MachineSection, SourceState> = record(() => ({ state: 'idle' }));
  data: MachineData = { timelineTruncated: false };
  cachedAt?: string;
  /** Bumped whenever a section's data is replaced (views cache derived data by it). */
  readonly versions: Record<MachineSection, number> = record(() => 0);
  private readonly sectionRun: Record<MachineSection, number> = record(() => -1);

  now(): number {
    return Date.now() + this.clockOffset;
  }

  /** The machine's name when the overview arrived, else its id. */
  name(): string {
    return this.data.machine?.computerDnsName ?? this.identity?.machineId ?? '';
  }

  apply(msg: MachineHostMessage): MachineChange {
    switch (msg.kind) {
      case 'init':
        this.identity = msg.identity;
        this.demo = msg.demo;
        this.clockOffset = Date.parse(msg.now) - Date.now();
        this.sources = record(() => ({ state: 'idle' }));
        this.data = { timelineTruncated: false };
        this.cachedAt = undefined;
        for (const s of MACHINE_SECTIONS) {
          this.sectionRun[s] = -1;
          this.versions[s]++;
        }
        return { kind: 'init' };
      case 'run': {
        this.identity = msg.identity;
        const changed: MachineSection[] = [];
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
      default:
        return { kind: 'none' };
    }
  }

  private clear(section: MachineSection): void {
    this.versions[section]++;
    switch (section) {
      case 'overview':
        this.data.machine = undefined;
        return;
      case 'alerts':
        this.data.alerts = undefined;
        return;
      case 'logonUsers':
        this.data.users = undefined;
        return;
      case 'network':
        this.data.network = undefined;
        return;
      case 'timeline':
        this.data.timeline = undefined;
        this.data.timelineTruncated = false;
        return;
    }
  }

  private store(p: MachinePayload): void {
    this.versions[p.section]++;
    switch (p.section) {
      case 'overview':
        this.data.machine = p.machine;
        return;
      case 'alerts':
        this.data.alerts = p.alerts;
        return;
      case 'logonUsers':
        this.data.users = p.users;
        return;
      case 'network':
        this.data.network = p.activity;
        return;
      case 'timeline':
        this.data.timeline = p.events;
        this.data.timelineTruncated = p.truncated;
        return;
    }
  }
}
