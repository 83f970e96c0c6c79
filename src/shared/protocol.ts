// The messages between the investigation panel's host (extension) and its webview: discriminated
// unions in both directions, with runtime validators both sides run on every message they receive.
import { parseAnnotation, type Annotation } from './annotation';
import type { Alert, Machine } from './defenderModel';
import {
  LOOKBACKS,
  type AddressFacts,
  type DailyPoint,
  type IpStatsView,
  type Lookback,
  type MachinesAtTime,
  type ObservedMachine,
  type Problem,
  type SectionName,
  type TimelineEvent,
} from './investigation';

import type { WriteCapability } from './indicatorModel';

// The webview may import only src/shared: it sees the API's data types through here.
export type { Alert, AlertEvidence, Machine, MachineIpAddress } from './defenderModel';
export type { AnalystVerdict, Annotation } from './annotation';

/** The small identity a panel is restored from after a reload (the serializer's state). */
export interface PanelIdentity {
  ip: string;
  /** ISO instant, e.g. the log line's time; drives "machines at a time". */
  at?: string;
  lookback: Lookback;
}

/** Registration data of a public address from RDAP (all strings untrusted). */
export interface RdapSummary {
  /** Which RDAP service answered (host name only). */
  server: string;
  handle?: string;
  name?: string;
  type?: string;
  country?: string;
  startAddress?: string;
  endAddress?: string;
  cidrs: string[];
  /** Organisation names of the registrant / owner entities. */
  organizations: string[];
  /** Origin AS numbers when the registry says (e.g. ARIN's originas0 extension). */
  originAutnums: number[];
  abuseEmails: string[];
  registered?: string;
  lastChanged?: string;
}

/** The panel's sections beyond the investigation's own: registration data and reverse DNS. */
export type EnrichmentSection = 'rdap' | 'reverseDns';
export type PanelSection = SectionName | EnrichmentSection;
export const PANEL_SECTIONS: readonly PanelSection[] = [
  'stats',
  'alerts',
  'machines',
  'timeline',
  'daily',
  'machinesAtTime',
  'machineDetails',
  'rdap',
  'reverseDns',
];

/** The data of one section, sent when it arrives (only that section's slice, never the whole). */
export type SectionPayload =
  | { section: 'stats'; stats: IpStatsView }
  | { section: 'alerts'; alerts: Alert[] }
  | { section: 'machines'; machines: ObservedMachine[] }
  | { section: 'timeline'; events: TimelineEvent[]; truncated: boolean }
  | { section: 'daily'; points: DailyPoint[] }
  | { section: 'machinesAtTime'; result: MachinesAtTime }
  | { section: 'machineDetails'; details: Record<string, Machine> }
  | { section: 'rdap'; rdap: RdapSummary }
  | { section: 'reverseDns'; names: string[] };

/** A failure of any panel section (the investigation's Problem, for the enrichment sections too). */
export type PanelProblem = Omit<Problem, 'source'> & { source: PanelSection };

export type SectionUpdate =
  | { section: PanelSection; state: 'loading' }
  | { section: PanelSection; state: 'ready'; payload: SectionPayload }
  | { section: PanelSection; state: 'failed'; problem: PanelProblem }
  | { section: PanelSection; state: 'skipped'; reason: string };

export type ExportFormat = 'markdownClipboard' | 'markdownDocument' | 'json' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['markdownClipboard', 'markdownDocument', 'json', 'csv'];

/** Tables the JSON/CSV export can write. */
export type ExportTable = 'alerts' | 'machines' | 'timeline' | 'daily' | 'machinesAtTime' | 'machineDetails';
export const EXPORT_TABLES: readonly ExportTable[] = ['alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails'];

/** One indicator of the address, as the Indicators section shows it (strings untrusted). */
export interface IndicatorView {
  id: string;
  action: string;
  title: string;
  description?: string;
  severity?: string;
  expirationTime?: string;
  createdBy?: string;
  creationTime?: string;
  lastUpdateTime?: string;
  generateAlert?: boolean;
  recommendedActions?: string;
  /** Empty: all devices. */
  rbacGroupNames: string[];
  application?: string;
}

/** A write of this workspace that named the address (the audit trail, newest first). */
export interface IndicatorHistoryItem {
  at: string;
  kind: string;
  action?: string;
  outcome: string;
  identity: string;
  requestIds: string[];
}

/** The Indicators section: the address's indicators, whether the identity may write, and this workspace's writes. */
export interface IndicatorsView {
  state: 'loading' | 'ready' | 'failed';
  indicators: IndicatorView[];
  problem?: { message: string; remedy?: string; permission?: string; requestId?: string };
  write: WriteCapability;
  /** Why this address cannot get an indicator at all (internal, not a single host...). */
  refusal?: string;
  history: IndicatorHistoryItem[];
  /** ISO instant the list was fetched. */
  fetchedAt?: string;
}

/** What the webview asks of the host. Every request carries an id and gets one `response`. */
export type PanelRequest =
  | { type: 'refresh' }
  | { type: 'retry'; section: PanelSection }
  | { type: 'setLookback'; lookback: Lookback }
  /** A time as the user typed it; the host parses it and applies the 30-day rule before any request. */
  | { type: 'lookupAt'; at: string }
  | { type: 'openPortal'; target: 'ip' }
  | { type: 'openPortal'; target: 'machine' | 'alert'; id: string }
  | { type: 'copy'; what: 'address' | 'kql' }
  | { type: 'export'; format?: ExportFormat; table?: ExportTable }
  | { type: 'revealMachine'; machineId: string }
  /** Open the machine view of a machine the panel shows (the host checks it knows the id). */
  | { type: 'openMachine'; machineId: string }
  // The Indicators section: the host runs the form and the confirmation; the webview only names what to act on.
  | { type: 'indicatorAdd' }
  | { type: 'indicatorRemove'; id: string }
  | { type: 'indicatorExpire'; id: string }
  | { type: 'indicatorsRefresh' }
  /** Ask the analyst for a verdict, or a note, on this panel's address (the host prompts). */
  | { type: 'setVerdict' }
  | { type: 'editNote' };

/** What the panel's header says about the address beyond the tenant's data: the analyst's verdict and note, and
 * whether what is shown was restored from the investigation history (and how old it is). */
export interface PanelHistory {
  annotation?: Annotation;
  /** The annotation as the host words it (localized, one plain line): "You marked this malicious on 2026-12-02: '…'". */
  mark?: string;
  /** ISO instant the restored data was fetched from Defender; absent when the panel fetched it itself. */
  restoredFrom?: string;
  /** Timeline events Defender returned when only the newest were kept in the history. */
  timelineTotal?: number;
}

export type WebviewMessage = { kind: 'ready' } | { kind: 'request'; id: number; request: PanelRequest };

export type HostMessage =
  | {
      kind: 'init';
      identity: PanelIdentity;
      facts: AddressFacts;
      demo: boolean;
      /** Whether RDAP lookups are allowed by the setting (so the header can say why there are none). */
      rdapEnabled: boolean;
      /** The host's clock (ISO), so relative times and the 30-day rule agree with the host. */
      now: string;
    }
  /** A new run started: its sections will be replaced; updates of older runs are ignored. */
  | { kind: 'run'; runId: number; identity: PanelIdentity; sections: PanelSection[] }
  | ({ kind: 'section'; runId: number } & SectionUpdate)
  | { kind: 'done'; runId: number; cachedAt?: string }
  | { kind: 'response'; id: number; ok: true; message?: string }
  | { kind: 'response'; id: number; ok: false; error: string }
  | { kind: 'selectMachine'; machineId: string }
  | { kind: 'indicators'; view: IndicatorsView }
  | { kind: 'history'; history: PanelHistory };

// ---------------------------------------------------------------------------------------------------
// Validators. Hand-written and total: anything that does not match exactly is refused (undefined).

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const optional =
  (check: (x: unknown) => boolean) =>
  (x: unknown): boolean =>
    x === undefined || check(x);
const arrayOf =
  (check: (x: unknown) => boolean) =>
  (x: unknown): boolean =>
    Array.isArray(x) && x.every(check);

/** Field checks of a plain record: required unless the check accepts undefined. */
type Shape = Record<string, (x: unknown) => boolean>;
const S = isStr;
const oS = optional(isStr);
const oN = optional(isNum);
const oI = optional(isInt);
const strings = arrayOf(isStr);
const numbers = arrayOf(isNum);

function matches(x: unknown, shape: Shape): boolean {
  if (!isObj(x)) return false;
  for (const key in shape) if (!shape[key](x[key])) return false;
  return true;
}
const shaped = (shape: Shape) => (x: unknown) => matches(x, shape);

const isLookback = (x: unknown): x is Lookback => isStr(x) && (LOOKBACKS as readonly string[]).includes(x);
const isSection = (x: unknown): x is PanelSection => isStr(x) && (PANEL_SECTIONS as readonly string[]).includes(x);
const isIsoLike = (x: unknown): x is string => isStr(x) && x.length <= 40 && !Number.isNaN(Date.parse(x));

const problemShape: Shape = { source: isSection, kind: S, message: S, remedy: oS, permission: oS, requestId: oS };
const factsShape: Shape = {
  ip: S,
  version: (x) => x === 4 || x === 6,
  ipClass: S,
  block: optional(shaped({ prefix: S, name: S, rfc: oS })),
  internal: isBool,
  defanged: isBool,
  leadingZeros: isBool,
  port: oI,
  prefix: oI,
  zone: oS,
};
const statsShape: Shape = { prevalence: isNum, firstSeen: oS, lastSeen: oS, cachedAt: S };
const evidenceShape: Shape = {
  entityType: oS,
  ipAddress: oS,
  fileName: oS,
  filePath: oS,
  sha1: oS,
  processCommandLine: oS,
  url: oS,
  accountName: oS,
};
const alertShape: Shape = {
  id: S,
  title: S,
  description: oS,
  severity: S,
  status: S,
  category: oS,
  detectionSource: oS,
  classification: oS,
  determination: oS,
  incidentId: oN,
  machineId: oS,
  computerDnsName: oS,
  alertCreationTime: oS,
  firstEventTime: oS,
  lastEventTime: oS,
  lastUpdateTime: oS,
  resolvedTime: oS,
  assignedTo: oS,
  mitreTechniques: strings,
  evidence: arrayOf(shaped(evidenceShape)),
};
const machineShape: Shape = {
  id: S,
  computerDnsName: oS,
  firstSeen: oS,
  lastSeen: oS,
  osPlatform: oS,
  version: oS,
  osBuild: oN,
  lastIpAddress: oS,
  lastExternalIpAddress: oS,
  healthStatus: oS,
  onboardingStatus: oS,
  riskScore: oS,
  exposureLevel: oS,
  deviceValue: oS,
  rbacGroupName: oS,
  aadDeviceId: oS,
  machineTags: strings,
  ipAddresses: arrayOf(shaped({ ipAddress: S, macAddress: oS, type: oS, operationalStatus: oS })),
};
const observedShape: Shape = {
  id: S,
  name: S,
  firstSeen: oS,
  lastSeen: oS,
  events: isNum,
  remotePorts: numbers,
  localPorts: numbers,
  processes: strings,
  files: strings,
};
const eventShape: Shape = {
  timestamp: S,
  deviceId: S,
  deviceName: S,
  actionType: S,
  localIp: oS,
  localPort: oN,
  remoteIp: oS,
  remotePort: oN,
  remoteUrl: oS,
  protocol: oS,
  process: oS,
  folder: oS,
  commandLine: oS,
  account: oS,
};
const dailyShape: Shape = { day: S, machines: isNum, events: isNum };
const atTimeShape: Shape = { at: S, from: S, to: S, machines: arrayOf(shaped(machineShape)), cachedAt: S };
const rdapShape: Shape = {
  server: S,
  handle: oS,
  name: oS,
  type: oS,
  country: oS,
  startAddress: oS,
  endAddress: oS,
  cidrs: strings,
  organizations: strings,
  originAutnums: numbers,
  abuseEmails: strings,
  registered: oS,
  lastChanged: oS,
};
const identityShape: Shape = { ip: (x) => isStr(x) && x.length > 0 && x.length <= 100, at: optional(isIsoLike), lookback: isLookback };

function isRecordOf(x: unknown, check: (v: unknown) => boolean): boolean {
  if (!isObj(x)) return false;
  for (const key of Object.keys(x)) if (!check(x[key])) return false;
  return true;
}

function isPayload(x: unknown): x is SectionPayload {
  if (!isObj(x)) return false;
  switch (x.section) {
    case 'stats':
      return matches(x.stats, statsShape);
    case 'alerts':
      return arrayOf(shaped(alertShape))(x.alerts);
    case 'machines':
      return arrayOf(shaped(observedShape))(x.machines);
    case 'timeline':
      return isBool(x.truncated) && arrayOf(shaped(eventShape))(x.events);
    case 'daily':
      return arrayOf(shaped(dailyShape))(x.points);
    case 'machinesAtTime':
      return matches(x.result, atTimeShape);
    case 'machineDetails':
      return isRecordOf(x.details, shaped(machineShape));
    case 'rdap':
      return matches(x.rdap, rdapShape);
    case 'reverseDns':
      return strings(x.names);
    default:
      return false;
  }
}

/** The identity of a panel, from a serializer state or a message; undefined when malformed. */
export function parsePanelIdentity(x: unknown): PanelIdentity | undefined {
  if (!matches(x, identityShape)) return undefined;
  const o = x as Obj;
  const identity: PanelIdentity = { ip: o.ip as string, lookback: o.lookback as Lookback };
  if (o.at !== undefined) identity.at = o.at as string;
  return identity;
}

function isRequest(x: unknown): x is PanelRequest {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'refresh':
      return true;
    case 'retry':
      return isSection(x.section);
    case 'setLookback':
      return isLookback(x.lookback);
    case 'lookupAt':
      return isStr(x.at) && x.at.length <= 200;
    case 'openPortal':
      if (x.target === 'ip') return true;
      return (x.target === 'machine' || x.target === 'alert') && isStr(x.id) && x.id.length > 0 && x.id.length <= 200;
    case 'copy':
      return x.what === 'address' || x.what === 'kql';
    case 'export':
      return (
        (x.format === undefined || (EXPORT_FORMATS as readonly unknown[]).includes(x.format)) &&
        (x.table === undefined || (EXPORT_TABLES as readonly unknown[]).includes(x.table))
      );
    case 'revealMachine':
      return isStr(x.machineId) && x.machineId.length > 0 && x.machineId.length <= 200;
    case 'openMachine':
      return isStr(x.machineId) && x.machineId.length > 0 && x.machineId.length <= 200;
    case 'indicatorAdd':
    case 'indicatorsRefresh':
      return true;
    case 'indicatorRemove':
    case 'indicatorExpire':
      return isStr(x.id) && /^[A-Za-z0-9_-]{1,64}$/.test(x.id);
    case 'setVerdict':
    case 'editNote':
      return true;
    default:
      return false;
  }
}

const indicatorViewShape: Shape = {
  id: S,
  action: S,
  title: S,
  description: oS,
  severity: oS,
  expirationTime: oS,
  createdBy: oS,
  creationTime: oS,
  lastUpdateTime: oS,
  generateAlert: optional(isBool),
  recommendedActions: oS,
  rbacGroupNames: strings,
  application: oS,
};
const indicatorsViewShape: Shape = {
  state: (x) => x === 'loading' || x === 'ready' || x === 'failed',
  indicators: arrayOf(shaped(indicatorViewShape)),
  problem: optional(shaped({ message: S, remedy: oS, permission: oS, requestId: oS })),
  write: shaped({ enabled: isBool, reason: oS }),
  refusal: oS,
  history: arrayOf(shaped({ at: S, kind: S, action: oS, outcome: S, identity: S, requestIds: strings })),
  fetchedAt: oS,
};

/** A section's data as the panel would receive it (kept investigations are checked with it when read back). */
export function isSectionPayload(x: unknown): x is SectionPayload {
  return isPayload(x);
}

/** A problem of a panel section, with every field of the right type. */
export function isPanelProblem(x: unknown): x is PanelProblem {
  return matches(x, problemShape);
}

/** The history message's content, validated: unknown fields dropped. */
export function parsePanelHistory(x: unknown): PanelHistory | undefined {
  if (!isObj(x)) return undefined;
  const out: PanelHistory = {};
  if (x.annotation !== undefined) {
    const a = parseAnnotation(x.annotation);
    if (!a) return undefined;
    out.annotation = a;
  }
  if (x.restoredFrom !== undefined) {
    if (!isIsoLike(x.restoredFrom)) return undefined;
    out.restoredFrom = x.restoredFrom;
  }
  if (x.mark !== undefined) {
    if (!isStr(x.mark) || x.mark.length > 3000) return undefined;
    out.mark = x.mark;
  }
  if (x.timelineTotal !== undefined) {
    if (!isInt(x.timelineTotal) || x.timelineTotal < 0) return undefined;
    out.timelineTotal = x.timelineTotal;
  }
  return out;
}

/** Validates a message from the webview (run by the host). */
export function parseWebviewMessage(x: unknown): WebviewMessage | undefined {
  if (!isObj(x)) return undefined;
  if (x.kind === 'ready') return { kind: 'ready' };
  if (x.kind === 'request' && isInt(x.id) && x.id >= 0 && isRequest(x.request)) return { kind: 'request', id: x.id, request: x.request };
  return undefined;
}

function isSectionUpdate(x: Obj): boolean {
  if (!isSection(x.section)) return false;
  switch (x.state) {
    case 'loading':
      return true;
    case 'ready':
      // The payload must be the section's own.
      return isPayload(x.payload) && (x.payload as { section: string }).section === x.section;
    case 'failed':
      return matches(x.problem, problemShape);
    case 'skipped':
      return isStr(x.reason);
    default:
      return false;
  }
}

/** Validates a message from the host (run by the webview). */
export function parseHostMessage(x: unknown): HostMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.kind) {
    case 'init':
      return matches(x.identity, identityShape) && matches(x.facts, factsShape) && isBool(x.demo) && isBool(x.rdapEnabled) && isIsoLike(x.now)
        ? (x as unknown as HostMessage)
        : undefined;
    case 'run':
      return isInt(x.runId) && matches(x.identity, identityShape) && arrayOf(isSection)(x.sections) ? (x as unknown as HostMessage) : undefined;
    case 'section':
      return isInt(x.runId) && isSectionUpdate(x) ? (x as unknown as HostMessage) : undefined;
    case 'done':
      return isInt(x.runId) && (x.cachedAt === undefined || isStr(x.cachedAt)) ? (x as unknown as HostMessage) : undefined;
    case 'response':
      if (!isInt(x.id)) return undefined;
      if (x.ok === true) return x.message === undefined || isStr(x.message) ? (x as unknown as HostMessage) : undefined;
      return x.ok === false && isStr(x.error) ? (x as unknown as HostMessage) : undefined;
    case 'selectMachine':
      return isStr(x.machineId) && x.machineId.length <= 200 ? (x as unknown as HostMessage) : undefined;
    case 'indicators':
      return matches(x.view, indicatorsViewShape) ? (x as unknown as HostMessage) : undefined;
    case 'history': {
      const history = parsePanelHistory(x.history);
      return history ? { kind: 'history', history } : undefined;
    }
    default:
      return undefined;
  }
}

/** The state the webview keeps with `setState`: the identity (for the serializer) and its UI state. */
export interface PanelViewState extends PanelIdentity {
  ui?: Record<string, unknown>;
}

/** The API's data shapes as total validators, for the other webview protocols (the machine view) to reuse. */
export const isAlertData = shaped(alertShape) as (x: unknown) => x is Alert;
export const isMachineData = shaped(machineShape) as (x: unknown) => x is Machine;
export const isTimelineEventData = shaped(eventShape) as (x: unknown) => x is TimelineEvent;
