// The machine view of one Defender machine as every surface sees it (panel, tree, CLI): plain data, no behaviour,
// serialisable as JSON so it crosses to the webview unchanged. Strings from the API are untrusted text.
import type { Alert, LogonUser, Machine } from './defenderModel';
import type { Lookback, TimelineEvent } from './investigation';

/** The independent sources of the machine view; each succeeds or fails on its own. */
export type MachineSection = 'overview' | 'alerts' | 'logonUsers' | 'network' | 'timeline';
export const MACHINE_SECTIONS: readonly MachineSection[] = ['overview', 'alerts', 'logonUsers', 'network', 'timeline'];
/** What a change of period re-queries (the overview, alerts and logged-on users do not depend on it). */
export const MACHINE_PERIOD_SECTIONS: readonly MachineSection[] = ['network', 'timeline'];

export interface MachineProblem {
  source: MachineSection;
  kind: string;
  message: string;
  remedy?: string;
  permission?: string;
  requestId?: string;
}

/** One remote address the machine talked to in the period, classified by our engine. */
export interface RemoteAddress {
  /** Normalised address. */
  ip: string;
  version: 4 | 6;
  ipClass: string;
  internal: boolean;
  connections: number;
  /** Connections that failed (ActionType ConnectionFailed). */
  failed: number;
  /** Connections the remote address opened to this machine (InboundConnectionAccepted). */
  inbound: number;
  firstSeen?: string;
  lastSeen?: string;
  ports: number[];
  processes: string[];
  /** Host names or URLs the machine used for the address (untrusted text). */
  urls: string[];
  /** Distinct machines of the organisation that talked to the address in the period, this one included (1 = only this one). */
  orgPrevalence: number;
}

export interface NetworkActivity {
  lookback: Lookback;
  /** Rarest first (seen by this machine alone), then the most recent. */
  remotes: RemoteAddress[];
  /** True when the query hit its row limit: more addresses exist. */
  truncated: boolean;
  /** Rows whose address could not be read (not an IP address): left out. */
  dropped: number;
  cachedAt: string;
}

export interface MachineInvestigation {
  /** The device id asked for (lower case). */
  machineId: string;
  lookback: Lookback;
  /** The overview; null when Defender does not know the machine; undefined until it arrived (or when it failed). */
  machine?: Machine | null;
  alerts?: Alert[];
  logonUsers?: LogonUser[];
  network?: NetworkActivity;
  timeline?: TimelineEvent[];
  /** True when the timeline hit its row limit (older events exist). */
  timelineTruncated?: boolean;
  /** ISO instant the oldest shown data was fetched. */
  cachedAt?: string;
  problems: MachineProblem[];
}

/** One step of a streamed machine view: a section starts, arrives, fails or is skipped. */
export type MachineUpdate =
  | { section: MachineSection; state: 'loading' }
  | { section: MachineSection; state: 'ready'; investigation: MachineInvestigation }
  | { section: MachineSection; state: 'failed'; problem: MachineProblem; investigation: MachineInvestigation }
  | { section: MachineSection; state: 'skipped'; reason: string; investigation: MachineInvestigation };

/** Who the user meant: a device id, a DNS name (or the start of one), or an internal address at a time. */
export type MachineQuery = { kind: 'id'; id: string } | { kind: 'name'; name: string } | { kind: 'ip'; ip: string; at: string };

/** What a query found: one machine, none, or several (listed, never guessed). */
export type MachineResolution =
  | { kind: 'found'; machine: Machine }
  | { kind: 'notFound'; message: string }
  | { kind: 'ambiguous'; candidates: Machine[]; /** More machines match than were listed. */ truncated: boolean; message: string };

/** The machine's display name: its DNS name when known, else its id. */
export function machineDisplayName(m: Pick<Machine, 'id' | 'computerDnsName'>): string {
  return m.computerDnsName ?? m.id;
}
