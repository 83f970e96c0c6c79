// The data of a bulk triage as every consumer sees it (CLI, exports, the future triage table and editor
// decorations): plain, JSON-serialisable shapes keyed by the normalised address. No behaviour here.
import type { IndicatorBrief } from './indicatorModel';
import type { Lookback } from './investigation';

/**
 * What triage concluded about one address.
 * - `alerts`: seen with Defender alerts whose evidence names it;
 * - `seen`: machines of the organisation talked to it, no alerts;
 * - `not-seen`: asked, and nothing in the look-back period;
 * - `internal`: an internal address; `holders` says which machines held it at the lines' times;
 * - `skipped`: not queried (loopback, multicast, reserved...): `reason` says why;
 * - `unknown`: the queries for it failed or were cancelled: `problems` says why;
 * - `pending`: still being looked up (only while a triage streams; never in a finished report).
 */
export type TriageVerdict = 'alerts' | 'seen' | 'not-seen' | 'internal' | 'skipped' | 'unknown' | 'pending';
export const TRIAGE_VERDICTS: readonly TriageVerdict[] = ['alerts', 'seen', 'not-seen', 'internal', 'skipped', 'unknown', 'pending'];

/** Where an address was found. Offsets let an editor decorate the exact text without rescanning. */
export interface Occurrence {
  /** File path as given (or the stream's name, e.g. `-` for stdin). */
  file: string;
  /** 1-based line and column (UTF-16 code units), as the scanner reports them. */
  line: number;
  column: number;
  /** UTF-16 offsets into the whole file text, end exclusive; cover the address text (defanged text included). */
  start: number;
  end: number;
  /** ISO instant of the line's timestamp, when the line had one. */
  time?: string;
  port?: number;
  defanged?: boolean;
}

/** Which source of the triage a problem belongs to. */
export type TriageSource = 'summary' | 'alerts' | 'holders' | 'extraction';

export interface TriageProblem {
  source: TriageSource;
  kind: string;
  message: string;
  remedy?: string;
  requestId?: string;
}

/** Organisation-wide sightings of a public address (one row of the batched summary). */
export interface Sightings {
  /** Distinct machines that talked to the address: the prevalence. */
  machines: number;
  events: number;
  firstSeen?: string;
  lastSeen?: string;
  ports: number[];
  processes: string[];
  /** A few machine names (untrusted text). */
  deviceNames: string[];
}

export interface AlertSummary {
  count: number;
  /** Up to 5 titles (untrusted text). */
  titles: string[];
  severities: string[];
  /** Distinct alerts per severity (High, Medium, Low, Informational), when the query counted them. */
  bySeverity?: Record<string, number>;
  /** Highest of `severities` by Defender's order (High > Medium > Low > Informational). */
  highestSeverity?: string;
  lastAlert?: string;
}

export interface HolderMachine {
  id: string;
  name: string;
  /** First and last report of the address by this machine near the asked times. */
  firstSeen?: string;
  lastSeen?: string;
  /** In `holders`: the occurrences (line times) at which this machine held the address. */
  occurrences?: number;
}

/**
 * The machines that held an internal address within ±15 minutes of its line times: one entry per run of consecutive
 * line times with the same holders (none: no machine reported the address then).
 */
export interface HoldersAtTime {
  /** The run's first line time. */
  at: string;
  /** The run's last line time, when the run has more than one. */
  until?: string;
  /** Distinct line times (minutes, or wider cells) in the run, and the occurrences they count. */
  times?: number;
  occurrences?: number;
  machines: HolderMachine[];
  /** 'hunting' (batched DeviceNetworkInfo) or 'findbyip' (the per-address fallback). */
  via: 'hunting' | 'findbyip';
  /**
   * True when no report fell within 15 minutes of these times and the holder is inferred: it reported the address
   * before and after (at most a day apart) and no other machine reported it in between.
   */
  inferred?: boolean;
}

/** How the line times of an internal address were answered, counted in occurrences. */
export interface HolderCoverage {
  /** Occurrences with a line time. */
  timedOccurrences: number;
  /** Of those, within Defender's past 30 days (so asked about). */
  askedOccurrences: number;
  /** Of those, answered by a query or findbyip, and held by some machine. */
  answeredOccurrences: number;
  heldOccurrences: number;
  /** Of the held ones, those held by inference (see `HoldersAtTime.inferred`). */
  inferredOccurrences?: number;
  /** Distinct line-time cells asked about, and their width in minutes (1: every minute on its own). */
  times: number;
  granularityMinutes: number;
}

export interface TriageEntry {
  /** Normalised address: the key of the entry. */
  ip: string;
  version: 4 | 6;
  ipClass: string;
  block?: { prefix: string; name: string; rfc?: string };
  internal: boolean;
  verdict: TriageVerdict;
  /** Why the address was skipped or not looked up (e.g. internal without a line time). */
  reason?: string;
  /** Total occurrences found; `occurrences` keeps up to the configured cap. */
  occurrenceCount: number;
  occurrences: Occurrence[];
  occurrencesTruncated: boolean;
  /** Distinct files the address appeared in (capped like occurrences). */
  files: string[];
  /** True when at least one occurrence was defanged. */
  defanged: boolean;
  /** Line times (ISO, minute precision) for internal addresses: a bounded selection spanning first to last. */
  times?: string[];
  sightings?: Sightings;
  /**
   * Public addresses that Defender records as a machine's own address (`LocalIP`: a public NIC, the organisation's
   * egress): those machines and events. An address can have both this and `sightings`.
   */
  localSightings?: Sightings;
  alerts?: AlertSummary;
  /** Internal addresses: the holder timeline over the line times that were looked up. */
  holdersAt?: HoldersAtTime[];
  /** Internal addresses: the distinct holders over all looked-up times. */
  holders?: HolderMachine[];
  /** Internal addresses: how many occurrences were looked up, answered and held. */
  holderCoverage?: HolderCoverage;
  problems: TriageProblem[];
  /** ISO instant the oldest part of this entry was fetched; absent when nothing was fetched. */
  cachedAt?: string;
  /** True when every fetched part came from the triage cache. */
  fromCache: boolean;
  /** The tenant's indicator for the address, from the triage's one indicator list (absent: none, or not asked). */
  indicator?: IndicatorBrief;
}

/** The triage's one indicator list: whether it answered, and how many IP indicators the tenant has. */
export interface TriageIndicators {
  ok: boolean;
  /** IP indicators listed. */
  count?: number;
  /** Addresses of the triage that have one. */
  matched?: number;
  complete?: boolean;
  error?: string;
  permission?: string;
}

/** One hunting query the triage ran, kept verbatim so an analyst can re-run it in the portal. */
export interface ExecutedQuery {
  purpose: 'summary' | 'alerts' | 'holders';
  query: string;
  addresses: number;
  ok: boolean;
  rows?: number;
  /** 'graph' or 'defender' when the client says which endpoint answered. */
  source?: string;
  error?: string;
}

export interface TriageCounts {
  files: number;
  bytes: number;
  occurrences: number;
  addresses: number;
  byVerdict: Record<TriageVerdict, number>;
}

export interface TriageCallCounts {
  /** Hunting queries sent through the client (batched). */
  hunting: number;
  /** findbyip calls of the internal fallback. */
  findbyip: number;
  /** Entries answered from the triage cache. */
  cacheHits: number;
}

export type TriagePhase = 'extracting' | 'querying' | 'done';

export interface TriageProgress {
  phase: TriagePhase;
  bytesScanned: number;
  /** Total bytes when known (files), for a percentage. */
  bytesTotal?: number;
  occurrences: number;
  addresses: number;
  /** Addresses with a final verdict. */
  resolved: number;
  batchesDone: number;
  batchesTotal: number;
  calls: TriageCallCounts;
  byVerdict: Record<TriageVerdict, number>;
}

export interface SourceSummary {
  name: string;
  bytes: number;
  matches: number;
  error?: string;
  /** Not read: the file had not changed since an earlier triage, whose extraction was reused. */
  reused?: boolean;
}

export interface TriageReport {
  lookback: Lookback;
  startedAt: string;
  finishedAt: string;
  cancelled: boolean;
  /** Every extracted address, most important first (alerts, seen, internal, not-seen, unknown, skipped). */
  entries: TriageEntry[];
  queries: ExecutedQuery[];
  sources: SourceSummary[];
  counts: TriageCounts;
  calls: TriageCallCounts;
  /** Present when the indicators were asked (one list query for the whole triage). */
  indicators?: TriageIndicators;
}

/** One step of a streamed triage. `entries` are the entries that just changed (new or final). */
export type TriageEvent =
  | { type: 'source'; source: SourceSummary; progress: TriageProgress }
  | { type: 'extracted'; entries: TriageEntry[]; progress: TriageProgress }
  | { type: 'progress'; progress: TriageProgress }
  | { type: 'entries'; entries: TriageEntry[]; progress: TriageProgress };

export function emptyVerdictCounts(): Record<TriageVerdict, number> {
  return { alerts: 0, seen: 0, 'not-seen': 0, internal: 0, skipped: 0, unknown: 0, pending: 0 };
}

const VERDICT_ORDER: Record<TriageVerdict, number> = { alerts: 0, seen: 1, internal: 2, pending: 3, 'not-seen': 4, unknown: 5, skipped: 6 };
const SEVERITY_ORDER: Record<string, number> = { High: 4, Medium: 3, Low: 2, Informational: 1, UnSpecified: 0 };

export function severityRank(severity: string | undefined): number {
  return severity === undefined ? -1 : (SEVERITY_ORDER[severity] ?? 0);
}

/** `High 2, Medium 1`: the per-severity alert counts, highest first; empty when none were counted. */
export function severityCountsText(a: AlertSummary | undefined): string {
  if (!a?.bySeverity) return '';
  return Object.entries(a.bySeverity)
    .filter(([, n]) => n > 0)
    .sort(([x], [y]) => severityRank(y) - severityRank(x))
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
}

export function highestSeverity(severities: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const s of severities) if (best === undefined || severityRank(s) > severityRank(best)) best = s;
  return best;
}

/** Most important first: verdict, then alert severity and count, prevalence, occurrences, address. */
export function compareEntries(a: TriageEntry, b: TriageEntry): number {
  return (
    VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
    severityRank(b.alerts?.highestSeverity) - severityRank(a.alerts?.highestSeverity) ||
    (b.alerts?.count ?? 0) - (a.alerts?.count ?? 0) ||
    (b.sightings?.machines ?? 0) - (a.sightings?.machines ?? 0) ||
    b.occurrenceCount - a.occurrenceCount ||
    (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)
  );
}
