// The investigation of one address as every surface sees it (hover, panel, tree, CLI): plain data, no
// behaviour, serialisable as JSON so it can cross to the webview unchanged.
import type { Alert, Machine } from './defenderModel';

export type Lookback = '1d' | '7d' | '30d';
export const LOOKBACKS: readonly Lookback[] = ['1d', '7d', '30d'];
export const LOOKBACK_DAYS: Record<Lookback, number> = { '1d': 1, '7d': 7, '30d': 30 };

/** The independent sources of an investigation; each succeeds or fails on its own. */
export type SectionName = 'stats' | 'alerts' | 'machines' | 'timeline' | 'daily' | 'machinesAtTime' | 'machineDetails';

export interface Problem {
  source: SectionName;
  kind: string;
  message: string;
  remedy?: string;
  permission?: string;
  requestId?: string;
}

export interface AddressFacts {
  /** Normalised (refanged) address. */
  ip: string;
  version: 4 | 6;
  ipClass: string;
  block?: { prefix: string; name: string; rfc?: string };
  internal: boolean;
  defanged: boolean;
  leadingZeros: boolean;
  port?: number;
  prefix?: number;
  zone?: string;
}

export interface IpStatsView {
  prevalence: number;
  firstSeen?: string;
  lastSeen?: string;
  cachedAt: string;
}

export interface ObservedMachine {
  id: string;
  name: string;
  firstSeen?: string;
  lastSeen?: string;
  events: number;
  remotePorts: number[];
  localPorts: number[];
  processes: string[];
  files: string[];
}

export interface TimelineEvent {
  timestamp: string;
  deviceId: string;
  deviceName: string;
  actionType: string;
  localIp?: string;
  localPort?: number;
  remoteIp?: string;
  remotePort?: number;
  remoteUrl?: string;
  protocol?: string;
  process?: string;
  folder?: string;
  commandLine?: string;
  account?: string;
}

export interface DailyPoint {
  day: string;
  machines: number;
  events: number;
}

export interface MachinesAtTime {
  at: string;
  /** Start and end of the ±15 minute window that was asked. */
  from: string;
  to: string;
  machines: Machine[];
  cachedAt: string;
}

export interface Investigation {
  address: AddressFacts;
  lookback: Lookback;
  /** The time asked for (ISO), e.g. from the log line; drives machinesAtTime. */
  at?: string;
  stats?: IpStatsView;
  alerts?: Alert[];
  machines?: ObservedMachine[];
  timeline?: TimelineEvent[];
  /** True when the timeline hit its row limit (older events exist). */
  timelineTruncated?: boolean;
  daily?: DailyPoint[];
  machinesAtTime?: MachinesAtTime;
  /** Why machinesAtTime was not asked (public address, no time, outside the 30-day window). */
  machinesAtTimeNote?: string;
  /** Details (OS, risk, health...) of the most recently observed machines, by id. */
  machineDetails?: Record<string, Machine>;
  /** ISO instant the freshest data was fetched. */
  cachedAt?: string;
  problems: Problem[];
}

/** One step of a streamed investigation: a section starts, arrives, fails or is skipped. */
export type InvestigationUpdate =
  | { section: SectionName; state: 'loading' }
  | { section: SectionName; state: 'ready'; investigation: Investigation }
  | { section: SectionName; state: 'failed'; problem: Problem; investigation: Investigation }
  | { section: SectionName; state: 'skipped'; reason: string; investigation: Investigation };
