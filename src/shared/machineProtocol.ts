// The messages between the machine panel's host (extension) and its webview: discriminated unions in both directions,
// with total validators each side runs on every message it receives. No vscode, no DOM.
import type { Alert, LogonUser, Machine } from './defenderModel';
import { LOOKBACKS, type Lookback, type TimelineEvent } from './investigation';
import { MACHINE_SECTIONS, type MachineProblem, type MachineSection, type NetworkActivity, type RemoteAddress } from './machine';
import { isAlertData, isMachineData, isTimelineEventData } from './protocol';

export type { Alert, LogonUser, Machine } from './defenderModel';
export type { MachineProblem, MachineSection, NetworkActivity, RemoteAddress } from './machine';

/** The small identity a machine panel is restored from after a reload (the serializer's state). */
export interface MachineIdentity {
  /** Device id, 40 hex digits, lower case. */
  machineId: string;
  lookback: Lookback;
}

/** The data of one section, sent when it arrives. */
export type MachinePayload =
  /** null: Defender does not know the machine. */
  | { section: 'overview'; machine: Machine | null }
  | { section: 'alerts'; alerts: Alert[] }
  | { section: 'logonUsers'; users: LogonUser[] }
  | { section: 'network'; activity: NetworkActivity }
  | { section: 'timeline'; events: TimelineEvent[]; truncated: boolean };

export type MachineSectionUpdate =
  | { section: MachineSection; state: 'loading' }
  | { section: MachineSection; state: 'ready'; payload: MachinePayload }
  | { section: MachineSection; state: 'failed'; problem: MachineProblem }
  | { section: MachineSection; state: 'skipped'; reason: string };

export type MachineExportFormat = 'csv' | 'json';

/** What the webview asks of the host. Every request carries an id and gets one `response`. */
export type MachineRequest =
  | { type: 'refresh' }
  | { type: 'retry'; section: MachineSection }
  | { type: 'setLookback'; lookback: Lookback }
  | { type: 'openPortal'; target: 'machine' }
  | { type: 'openPortal'; target: 'alert'; id: string }
  | { type: 'copy'; what: 'id' | 'name' }
  /** Open the investigation of an address the view shows (remote address, evidence IP, the machine's own IPs). */
  | { type: 'investigateIp'; ip: string }
  /** Run the existing triage on these remote addresses (the host keeps only those it sent). */
  | { type: 'triage'; ips: string[] }
  /** Export the remote addresses (CSV) or the whole view (JSON); without a format the host asks. */
  | { type: 'export'; format?: MachineExportFormat };

export type MachineWebviewMessage = { kind: 'ready' } | { kind: 'request'; id: number; request: MachineRequest };

export type MachineHostMessage =
  | {
      kind: 'init';
      identity: MachineIdentity;
      demo: boolean;
      /** The host's clock (ISO), so relative times agree with the host. */
      now: string;
    }
  /** A new run started: its sections are replaced; updates of older runs are ignored. */
  | { kind: 'run'; runId: number; identity: MachineIdentity; sections: MachineSection[] }
  | ({ kind: 'section'; runId: number } & MachineSectionUpdate)
  | { kind: 'done'; runId: number; cachedAt?: string }
  | { kind: 'response'; id: number; ok: true; message?: string }
  | { kind: 'response'; id: number; ok: false; error: string };

/** The state the webview keeps with setState: the identity (for the serializer) and its UI state. */
export interface MachineViewState extends MachineIdentity {
  ui?: Record<string, unknown>;
}

/** The most addresses one triage request may carry (the network section's row limit). */
export const MAX_TRIAGE_ADDRESSES = 10_000;

// ---------------------------------------------------------------------------------------------------
// Validators: hand-written and total; anything that does not match exactly is refused (undefined).

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isCount = (x: unknown): x is number => isInt(x) && x >= 0;
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const oStr = (x: unknown): boolean => x === undefined || isStr(x);
const oBool = (x: unknown): boolean => x === undefined || isBool(x);
const oNum = (x: unknown): boolean => x === undefined || isNum(x);
const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);
const arrayOf =
  <T>(check: (v: unknown) => boolean) =>
  (x: unknown): x is T[] =>
    Array.isArray(x) && x.every(check);

export const isLookback = (x: unknown): x is Lookback => isStr(x) && (LOOKBACKS as readonly string[]).includes(x);
export const isMachineSection = (x: unknown): x is MachineSection => isStr(x) && (MACHINE_SECTIONS as readonly string[]).includes(x);
/** A device id as the webview or a restored state may name it. */
export const isDeviceIdText = (x: unknown): x is string => isStr(x) && /^[0-9a-f]{40}$/.test(x);
/** An address as the webview may name it: short and made of address characters only (the host checks it is shown). */
export const isAddressText = (x: unknown): x is string => isStr(x) && x.length > 0 && x.length <= 64 && /^[0-9A-Fa-f:.]+$/.test(x);
const isIsoLike = (x: unknown): x is string => isStr(x) && x.length <= 40 && !Number.isNaN(Date.parse(x));

function isProblem(x: unknown): x is MachineProblem {
  return isObj(x) && isMachineSection(x.source) && isStr(x.kind) && isStr(x.message) && oStr(x.remedy) && oStr(x.permission) && oStr(x.requestId);
}

function isLogonUser(x: unknown): x is LogonUser {
  return (
    isObj(x) &&
    isStr(x.id) &&
    isStr(x.accountName) &&
    oStr(x.accountDomain) &&
    oStr(x.accountSid) &&
    oStr(x.firstSeen) &&
    oStr(x.lastSeen) &&
    strings(x.logonTypes) &&
    oBool(x.isDomainAdmin) &&
    oBool(x.isOnlyNetworkUser) &&
    oNum(x.logOnMachinesCount) &&
    oStr(x.mostPrevalentMachineId) &&
    oStr(x.leastPrevalentMachineId)
  );
}

export function isRemoteAddress(x: unknown): x is RemoteAddress {
  return (
    isObj(x) &&
    isAddressText(x.ip) &&
    (x.version === 4 || x.version === 6) &&
    isStr(x.ipClass) &&
    isBool(x.internal) &&
    isCount(x.connections) &&
    isCount(x.failed) &&
    isCount(x.inbound) &&
    oStr(x.firstSeen) &&
    oStr(x.lastSeen) &&
    Array.isArray(x.ports) &&
    x.ports.every(isCount) &&
    strings(x.processes) &&
    strings(x.urls) &&
    isCount(x.orgPrevalence)
  );
}

function isNetworkActivity(x: unknown): x is NetworkActivity {
  return isObj(x) && isLookback(x.lookback) && arrayOf(isRemoteAddress)(x.remotes) && isBool(x.truncated) && isCount(x.dropped) && isStr(x.cachedAt);
}

function isPayload(x: unknown): x is MachinePayload {
  if (!isObj(x)) return false;
  switch (x.section) {
    case 'overview':
      return x.machine === null || isMachineData(x.machine);
    case 'alerts':
      return arrayOf(isAlertData)(x.alerts);
    case 'logonUsers':
      return arrayOf(isLogonUser)(x.users);
    case 'network':
      return isNetworkActivity(x.activity);
    case 'timeline':
      return isBool(x.truncated) && arrayOf(isTimelineEventData)(x.events);
    default:
      return false;
  }
}

/** The identity of a machine panel from a serializer state or a message; undefined when malformed. */
export function parseMachineIdentity(x: unknown): MachineIdentity | undefined {
  if (!isObj(x) || !isLookback(x.lookback) || !isStr(x.machineId)) return undefined;
  const machineId = x.machineId.toLowerCase();
  return isDeviceIdText(machineId) ? { machineId, lookback: x.lookback } : undefined;
}

function parseRequest(x: unknown): MachineRequest | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'refresh':
      return { type: 'refresh' };
    case 'retry':
      return isMachineSection(x.section) ? { type: 'retry', section: x.section } : undefined;
    case 'setLookback':
      return isLookback(x.lookback) ? { type: 'setLookback', lookback: x.lookback } : undefined;
    case 'openPortal':
      if (x.target === 'machine') return { type: 'openPortal', target: 'machine' };
      return x.target === 'alert' && isStr(x.id) && x.id.length > 0 && x.id.length <= 200 ? { type: 'openPortal', target: 'alert', id: x.id } : undefined;
    case 'copy':
      return x.what === 'id' || x.what === 'name' ? { type: 'copy', what: x.what } : undefined;
    case 'investigateIp':
      return isAddressText(x.ip) ? { type: 'investigateIp', ip: x.ip } : undefined;
    case 'triage':
      return Array.isArray(x.ips) && x.ips.length > 0 && x.ips.length <= MAX_TRIAGE_ADDRESSES && x.ips.every(isAddressText) ? { type: 'triage', ips: [...x.ips] } : undefined;
    case 'export':
      if (x.format === undefined) return { type: 'export' };
      return x.format === 'csv' || x.format === 'json' ? { type: 'export', format: x.format } : undefined;
    default:
      return undefined;
  }
}

/** Validates a message from the webview (run by the host). Returns a fresh object holding only known fields. */
export function parseMachineWebviewMessage(x: unknown): MachineWebviewMessage | undefined {
  if (!isObj(x)) return undefined;
  if (x.kind === 'ready') return { kind: 'ready' };
  if (x.kind !== 'request' || !isCount(x.id)) return undefined;
  const request = parseRequest(x.request);
  return request ? { kind: 'request', id: x.id, request } : undefined;
}

function isSectionUpdate(x: Obj): boolean {
  if (!isMachineSection(x.section)) return false;
  switch (x.state) {
    case 'loading':
      return true;
    case 'ready':
      return isPayload(x.payload) && (x.payload as { section: string }).section === x.section;
    case 'failed':
      return isProblem(x.problem) && x.problem.source === x.section;
    case 'skipped':
      return isStr(x.reason);
    default:
      return false;
  }
}

/** Validates a message from the host (run by the webview). */
export function parseMachineHostMessage(x: unknown): MachineHostMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.kind) {
    case 'init':
      return parseMachineIdentity(x.identity) && isBool(x.demo) && isIsoLike(x.now) ? (x as unknown as MachineHostMessage) : undefined;
    case 'run':
      return isInt(x.runId) && parseMachineIdentity(x.identity) && arrayOf(isMachineSection)(x.sections) ? (x as unknown as MachineHostMessage) : undefined;
    case 'section':
      return isInt(x.runId) && isSectionUpdate(x) ? (x as unknown as MachineHostMessage) : undefined;
    case 'done':
      return isInt(x.runId) && oStr(x.cachedAt) ? (x as unknown as MachineHostMessage) : undefined;
    case 'response':
      if (!isInt(x.id)) return undefined;
      if (x.ok === true) return oStr(x.message) ? (x as unknown as MachineHostMessage) : undefined;
      return x.ok === false && isStr(x.error) ? (x as unknown as MachineHostMessage) : undefined;
    default:
      return undefined;
  }
}
