// The messages between the triage table's host (extension) and its webview: discriminated unions in both
// directions, with total validators each side runs on every message it receives. No vscode, no DOM.
import { isAnalystVerdict, type AnalystVerdict } from './annotation';
import { LOOKBACKS, type Lookback } from './investigation';
import { TRIAGE_VERDICTS, type TriagePhase, type TriageVerdict } from './triageModel';

/** One row of the table: a compact, display-ready view of a TriageEntry (never its occurrences). */
export interface TriageRow {
  /** Normalised address: the row's key. */
  ip: string;
  version: 4 | 6;
  ipClass: string;
  internal: boolean;
  verdict: TriageVerdict;
  /** Distinct machines: the prevalence of a public address, the holders of an internal one. */
  machines?: number;
  alertCount?: number;
  /** Distinct alert severities, highest first (untrusted text). */
  severities: string[];
  /** `High 2, Medium 1` when the alerts were counted per severity. */
  bySeverity?: string;
  firstSeen?: string;
  lastSeen?: string;
  occurrences: number;
  files: number;
  /** Where it first appears, `name:line:column`. */
  where?: string;
  /** One short line: the first alert title, the holders, the skip reason or the first problem (untrusted text). */
  detail?: string;
  problems: number;
  fromCache: boolean;
  /** The tenant's indicator for the address: its action (Block, Allowed...), title and expiry (untrusted text). */
  indicator?: string;
  indicatorTitle?: string;
  indicatorExpires?: string;
  /** The analyst's verdict (from the investigation history). */
  mark?: AnalystVerdict;
  /** The analyst's verdict and note as one plain line (the host words it). */
  markText?: string;
}

export type TriageRunState = 'idle' | 'running' | 'done' | 'cancelled';
export const TRIAGE_RUN_STATES: readonly TriageRunState[] = ['idle', 'running', 'done', 'cancelled'];

/** The header of the table: what ran, how far it is, what it cost. */
export interface TriageSummary {
  runId: number;
  state: TriageRunState;
  phase: TriagePhase;
  /** What was triaged, e.g. `firewall.log` or `42 files in the workspace` (may hold file names: untrusted). */
  source: string;
  lookback: Lookback;
  addresses: number;
  resolved: number;
  byVerdict: Record<TriageVerdict, number>;
  batchesDone: number;
  batchesTotal: number;
  calls: { hunting: number; findbyip: number; cacheHits: number };
  bytesScanned: number;
  occurrences: number;
  /** Short notes: the file list was capped, a file could not be read, the run failed... */
  notes: string[];
  demo: boolean;
  startedAt: string;
  finishedAt?: string;
  /** Read back from an earlier session (nothing ran now): when that triage finished. */
  restoredFrom?: string;
}

export type TriageExportFormat = 'csv' | 'json' | 'markdown' | 'stix';
export const TRIAGE_EXPORT_FORMATS: readonly TriageExportFormat[] = ['csv', 'json', 'markdown', 'stix'];

/** What the webview asks of the host. Every request carries an id and gets one `response`. */
export type TriageRequest =
  /** Open the investigation panel for an address of the table. */
  | { type: 'open'; ip: string }
  /** Show the address's first occurrence in its file. */
  | { type: 'reveal'; ip: string }
  | { type: 'copy'; ip: string }
  /** Open the machine view of a machine seen with (or holding) the address: the host offers the row's machines. */
  | { type: 'machines'; ip: string }
  /** Without a format the host asks which one. */
  | { type: 'export'; format?: TriageExportFormat }
  | { type: 'cancel' }
  /** Indicators for the selected rows (the host runs the form, the confirmation and the import). */
  | { type: 'addIndicators'; ips: string[] }
  | { type: 'removeIndicators'; ips: string[] }
  /** Ask the analyst for a verdict on an address of the table (the host prompts). */
  | { type: 'mark'; ip: string };

/** Most rows a selection may name (the tenant's cap is 15,000 indicators). */
export const MAX_SELECTION = 15_000;

export type TriageWebviewMessage = { kind: 'ready' } | { kind: 'request'; id: number; request: TriageRequest };

export type TriageHostMessage =
  /** A new run (or none): every row is dropped; rows of the run follow. */
  | { kind: 'reset'; summary: TriageSummary }
  /** Rows that are new or changed (merged by address). */
  | { kind: 'rows'; runId: number; rows: TriageRow[] }
  | { kind: 'summary'; summary: TriageSummary }
  | { kind: 'response'; id: number; ok: true; message?: string }
  | { kind: 'response'; id: number; ok: false; error: string };

/** What the webview keeps with setState: its view settings only (the rows come from the host). */
export interface TriageViewState {
  sort?: { key: string; dir: 'asc' | 'desc' };
  filter?: string;
  verdicts?: TriageVerdict[];
  /** Only rows with an indicator. */
  withIndicator?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Validators: hand-written and total; anything that does not match exactly is refused (undefined).

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isCount = (x: unknown): x is number => isInt(x) && x >= 0;
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const optStr = (x: unknown): boolean => x === undefined || isStr(x);
const optCount = (x: unknown): boolean => x === undefined || isCount(x);
const isVerdict = (x: unknown): x is TriageVerdict => isStr(x) && (TRIAGE_VERDICTS as readonly string[]).includes(x);
const isLookback = (x: unknown): x is Lookback => isStr(x) && (LOOKBACKS as readonly string[]).includes(x);

/** An address as the webview may name it: short and made of address characters only (the host checks it is a row). */
export function isAddressText(x: unknown): x is string {
  return isStr(x) && x.length > 0 && x.length <= 64 && /^[0-9A-Fa-f:.]+$/.test(x);
}

function isVerdictCounts(x: unknown): x is Record<TriageVerdict, number> {
  return isObj(x) && TRIAGE_VERDICTS.every((v) => isCount(x[v]));
}

export function isTriageRow(x: unknown): x is TriageRow {
  return (
    isObj(x) &&
    isAddressText(x.ip) &&
    (x.version === 4 || x.version === 6) &&
    isStr(x.ipClass) &&
    isBool(x.internal) &&
    isVerdict(x.verdict) &&
    optCount(x.machines) &&
    optCount(x.alertCount) &&
    Array.isArray(x.severities) &&
    x.severities.every(isStr) &&
    optStr(x.bySeverity) &&
    optStr(x.firstSeen) &&
    optStr(x.lastSeen) &&
    isCount(x.occurrences) &&
    isCount(x.files) &&
    optStr(x.where) &&
    optStr(x.detail) &&
    isCount(x.problems) &&
    isBool(x.fromCache) &&
    optStr(x.indicator) &&
    optStr(x.indicatorTitle) &&
    optStr(x.indicatorExpires) &&
    (x.mark === undefined || isAnalystVerdict(x.mark)) &&
    optStr(x.markText)
  );
}

export function isTriageSummary(x: unknown): x is TriageSummary {
  if (!isObj(x)) return false;
  const calls = x.calls;
  return (
    isCount(x.runId) &&
    isStr(x.state) &&
    (TRIAGE_RUN_STATES as readonly string[]).includes(x.state) &&
    (x.phase === 'extracting' || x.phase === 'querying' || x.phase === 'done') &&
    isStr(x.source) &&
    isLookback(x.lookback) &&
    isCount(x.addresses) &&
    isCount(x.resolved) &&
    isVerdictCounts(x.byVerdict) &&
    isCount(x.batchesDone) &&
    isCount(x.batchesTotal) &&
    isObj(calls) &&
    isCount(calls.hunting) &&
    isCount(calls.findbyip) &&
    isCount(calls.cacheHits) &&
    isCount(x.bytesScanned) &&
    isCount(x.occurrences) &&
    Array.isArray(x.notes) &&
    x.notes.every(isStr) &&
    isBool(x.demo) &&
    isStr(x.startedAt) &&
    optStr(x.finishedAt) &&
    optStr(x.restoredFrom)
  );
}

function parseRequest(x: unknown): TriageRequest | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'open':
    case 'reveal':
    case 'copy':
    case 'machines':
    case 'mark':
      return isAddressText(x.ip) ? { type: x.type, ip: x.ip } : undefined;
    case 'export':
      if (x.format === undefined) return { type: 'export' };
      return (TRIAGE_EXPORT_FORMATS as readonly unknown[]).includes(x.format) ? { type: 'export', format: x.format as TriageExportFormat } : undefined;
    case 'cancel':
      return { type: 'cancel' };
    case 'addIndicators':
    case 'removeIndicators':
      return Array.isArray(x.ips) && x.ips.length > 0 && x.ips.length <= MAX_SELECTION && x.ips.every(isAddressText) ? { type: x.type, ips: [...new Set(x.ips)] } : undefined;
    default:
      return undefined;
  }
}

/** Validates a message from the webview (run by the host). Returns a fresh object holding only known fields. */
export function parseTriageWebviewMessage(x: unknown): TriageWebviewMessage | undefined {
  if (!isObj(x)) return undefined;
  if (x.kind === 'ready') return { kind: 'ready' };
  if (x.kind !== 'request' || !isCount(x.id)) return undefined;
  const request = parseRequest(x.request);
  return request ? { kind: 'request', id: x.id, request } : undefined;
}

/** Validates a message from the host (run by the webview). */
export function parseTriageHostMessage(x: unknown): TriageHostMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.kind) {
    case 'reset':
    case 'summary':
      return isTriageSummary(x.summary) ? (x as unknown as TriageHostMessage) : undefined;
    case 'rows':
      return isCount(x.runId) && Array.isArray(x.rows) && x.rows.every(isTriageRow) ? (x as unknown as TriageHostMessage) : undefined;
    case 'response':
      if (!isCount(x.id)) return undefined;
      if (x.ok === true) return optStr(x.message) ? (x as unknown as TriageHostMessage) : undefined;
      return x.ok === false && isStr(x.error) ? (x as unknown as TriageHostMessage) : undefined;
    default:
      return undefined;
  }
}

/** A saved view state, with anything unknown dropped. */
export function sanitizeTriageViewState(x: unknown): TriageViewState {
  if (!isObj(x)) return {};
  const out: TriageViewState = {};
  const sort = x.sort;
  if (isObj(sort) && isStr(sort.key) && sort.key.length <= 40 && (sort.dir === 'asc' || sort.dir === 'desc')) out.sort = { key: sort.key, dir: sort.dir };
  if (isStr(x.filter)) out.filter = x.filter.slice(0, 200);
  if (Array.isArray(x.verdicts)) out.verdicts = [...new Set(x.verdicts.filter(isVerdict))];
  if (x.withIndicator === true) out.withIndicator = true;
  return out;
}
