// A finished triage as it is saved between sessions: the run (what was triaged, when, the notes), the report (every
// entry, the queries, the counts), the files it read with their modification time and size, and what was extracted
// from each (so an unchanged file is not read again). One versioned JSON document; everything is validated when read
// back and a part that does not validate is dropped (an entry) or refused whole (the document). Pure (no vscode).
import { parseAddress } from '../ip/parseAddress';
import { LOOKBACKS, type Lookback } from '../../shared/investigation';
import {
  TRIAGE_VERDICTS,
  compareEntries,
  emptyVerdictCounts,
  type AlertSummary,
  type ExecutedQuery,
  type HolderCoverage,
  type HolderMachine,
  type HoldersAtTime,
  type Occurrence,
  type Sightings,
  type SourceSummary,
  type TriageEntry,
  type TriageIndicators,
  type TriageProblem,
  type TriageReport,
  type TriageVerdict,
} from '../../shared/triageModel';
import type { IndicatorBrief } from '../../shared/indicatorModel';
import { STORED_OCCURRENCES, decodeOccurrence, encodeOccurrence, isOccurrenceTuple, parseExtraction, type SourceExtraction } from './sourceExtraction';

export const SNAPSHOT_FORMAT = 'ipinv-triage-results';
export const SNAPSHOT_VERSION = 1;

/** A document a triage read, as the editors are matched to it. */
export interface SavedDocument {
  name: string;
  key: string;
  uri: string;
}

/** A file a triage read: its modification time and size when it was read, and what it yielded. */
export interface SavedInput {
  path: string;
  name: string;
  mtimeMs: number;
  size: number;
  /** What the extraction depended on besides the file (the time zone of line times, the caps): reused only when equal. */
  key?: string;
  extraction?: SourceExtraction;
}

export interface SavedTriage {
  scope: string;
  savedAt: string;
  source: string;
  demo: boolean;
  notes: string[];
  documents: SavedDocument[];
  report: TriageReport;
  inputs: SavedInput[];
}

export interface SnapshotLimits {
  maxEntries: number;
  /** Occurrences kept per entry (the count stays exact; editors locate the others by scanning). */
  maxOccurrences: number;
  /** The encoded document: extractions go first, then the least important entries, until it fits. */
  maxBytes: number;
}

export const SNAPSHOT_LIMITS: SnapshotLimits = { maxEntries: 20_000, maxOccurrences: STORED_OCCURRENCES, maxBytes: 32 * 1024 * 1024 };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const isIso = (x: unknown): x is string => isStr(x) && x.length <= 40 && !Number.isNaN(Date.parse(x));
const optStr = (x: unknown): boolean => x === undefined || isStr(x);
const optIso = (x: unknown): boolean => x === undefined || isIso(x);
const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);
const counts = (x: unknown): x is number[] => Array.isArray(x) && x.every(isCount);

function encodeEntry(e: TriageEntry, files: Map<string, number>, maxOccurrences: number): Obj {
  const { occurrences, ...rest } = e;
  const occ = occurrences.slice(0, maxOccurrences).map((o) => {
    let i = files.get(o.file);
    if (i === undefined) {
      i = files.size;
      files.set(o.file, i);
    }
    return [i, ...encodeOccurrence(o)];
  });
  return { ...rest, occurrencesTruncated: e.occurrencesTruncated || occurrences.length > maxOccurrences, occ };
}

/** Encodes a saved triage within `limits`; says what had to go to fit. */
export function encodeSavedTriage(t: SavedTriage, limits: SnapshotLimits = SNAPSHOT_LIMITS): { text: string; droppedEntries: number; droppedExtractions: boolean } {
  const sorted = [...t.report.entries].sort(compareEntries);
  let keep = Math.min(sorted.length, limits.maxEntries);
  let inputs = t.inputs;
  let droppedExtractions = false;
  for (;;) {
    const files = new Map<string, number>();
    const entries = sorted.slice(0, keep).map((e) => encodeEntry(e, files, limits.maxOccurrences));
    const doc = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      scope: t.scope,
      savedAt: t.savedAt,
      source: t.source,
      demo: t.demo,
      notes: t.notes,
      documents: t.documents,
      files: [...files.keys()],
      report: { ...t.report, entries },
      inputs,
    };
    const text = JSON.stringify(doc);
    if (text.length <= limits.maxBytes || keep === 0) return { text, droppedEntries: sorted.length - keep, droppedExtractions };
    if (!droppedExtractions && inputs.some((i) => i.extraction)) {
      // The extractions only save a re-read; the results are what the user looks at.
      inputs = inputs.map(({ extraction: _extraction, ...i }) => i);
      droppedExtractions = true;
      continue;
    }
    keep = Math.floor(keep / 2);
  }
}

function parseBlock(x: unknown): TriageEntry['block'] | undefined | false {
  if (x === undefined) return undefined;
  return isObj(x) && isStr(x.prefix) && isStr(x.name) && optStr(x.rfc) ? { prefix: x.prefix, name: x.name, ...(isStr(x.rfc) ? { rfc: x.rfc } : {}) } : false;
}

function parseSightings(x: unknown): Sightings | undefined | false {
  if (x === undefined) return undefined;
  if (!isObj(x) || !isCount(x.machines) || !isCount(x.events) || !optIso(x.firstSeen) || !optIso(x.lastSeen) || !counts(x.ports) || !strings(x.processes) || !strings(x.deviceNames)) return false;
  return x as unknown as Sightings;
}

function parseAlerts(x: unknown): AlertSummary | undefined | false {
  if (x === undefined) return undefined;
  if (!isObj(x) || !isCount(x.count) || !strings(x.titles) || !strings(x.severities) || !optStr(x.highestSeverity) || !optIso(x.lastAlert)) return false;
  if (x.bySeverity !== undefined && !(isObj(x.bySeverity) && Object.values(x.bySeverity).every(isCount))) return false;
  return x as unknown as AlertSummary;
}

const isHolder = (x: unknown): x is HolderMachine => isObj(x) && isStr(x.id) && isStr(x.name) && optIso(x.firstSeen) && optIso(x.lastSeen);
const optCount = (x: unknown): boolean => x === undefined || isCount(x);
const isHoldersAt = (x: unknown): x is HoldersAtTime =>
  isObj(x) &&
  isIso(x.at) &&
  optIso(x.until) &&
  optCount(x.times) &&
  optCount(x.occurrences) &&
  (x.inferred === undefined || isBool(x.inferred)) &&
  Array.isArray(x.machines) &&
  x.machines.every(isHolder) &&
  (x.via === 'hunting' || x.via === 'findbyip');

function parseCoverage(x: unknown): HolderCoverage | undefined | false {
  if (x === undefined) return undefined;
  if (!isObj(x) || !isCount(x.timedOccurrences) || !isCount(x.askedOccurrences) || !isCount(x.answeredOccurrences) || !isCount(x.heldOccurrences) || !optCount(x.inferredOccurrences) || !isCount(x.times) || !isCount(x.granularityMinutes)) return false;
  return {
    timedOccurrences: x.timedOccurrences,
    askedOccurrences: x.askedOccurrences,
    answeredOccurrences: x.answeredOccurrences,
    heldOccurrences: x.heldOccurrences,
    ...(isCount(x.inferredOccurrences) ? { inferredOccurrences: x.inferredOccurrences } : {}),
    times: x.times,
    granularityMinutes: x.granularityMinutes,
  };
}

/** The tenant's indicator as the triage listed it (shown as it was then, like the rest of a kept triage). */
function parseIndicator(x: unknown): IndicatorBrief | undefined | false {
  if (x === undefined) return undefined;
  if (!isObj(x) || !isStr(x.id) || !isStr(x.action) || !isStr(x.title) || !optStr(x.severity) || !optIso(x.expirationTime) || !optStr(x.createdBy) || !(x.generateAlert === undefined || isBool(x.generateAlert)) || !strings(x.rbacGroupNames)) return false;
  return {
    id: x.id,
    action: x.action,
    title: x.title,
    ...(isStr(x.severity) ? { severity: x.severity } : {}),
    ...(isStr(x.expirationTime) ? { expirationTime: x.expirationTime } : {}),
    ...(isStr(x.createdBy) ? { createdBy: x.createdBy } : {}),
    ...(isBool(x.generateAlert) ? { generateAlert: x.generateAlert } : {}),
    rbacGroupNames: x.rbacGroupNames,
  };
}
const isProblem = (x: unknown): x is TriageProblem =>
  isObj(x) && (x.source === 'summary' || x.source === 'alerts' || x.source === 'holders' || x.source === 'extraction') && isStr(x.kind) && isStr(x.message) && optStr(x.remedy) && optStr(x.requestId);

/** One entry read back, with its occurrences named by `files`; undefined when any part does not validate. */
function parseEntry(x: unknown, files: readonly string[]): TriageEntry | undefined {
  if (!isObj(x) || !isStr(x.ip)) return undefined;
  const p = parseAddress(x.ip);
  if (!p.ok || p.match.value !== x.ip) return undefined;
  if ((x.version !== 4 && x.version !== 6) || !isStr(x.ipClass) || !isBool(x.internal) || !isStr(x.verdict) || !(TRIAGE_VERDICTS as readonly string[]).includes(x.verdict)) return undefined;
  if (!optStr(x.reason) || !isCount(x.occurrenceCount) || !isBool(x.occurrencesTruncated) || !strings(x.files) || !isBool(x.defanged) || !isBool(x.fromCache) || !optIso(x.cachedAt)) return undefined;
  if (x.times !== undefined && !(Array.isArray(x.times) && x.times.every(isIso))) return undefined;
  if (!Array.isArray(x.occ) || !Array.isArray(x.problems) || !x.problems.every(isProblem)) return undefined;
  const occurrences: Occurrence[] = [];
  for (const o of x.occ) {
    if (!Array.isArray(o) || !isCount(o[0]) || (o[0]) >= files.length) return undefined;
    const tuple = o.slice(1);
    if (!isOccurrenceTuple(tuple)) return undefined;
    occurrences.push(decodeOccurrence(tuple, files[o[0]]));
  }
  const block = parseBlock(x.block);
  const sightings = parseSightings(x.sightings);
  const localSightings = parseSightings(x.localSightings);
  const alerts = parseAlerts(x.alerts);
  const holderCoverage = parseCoverage(x.holderCoverage);
  const indicator = parseIndicator(x.indicator);
  if (block === false || sightings === false || localSightings === false || alerts === false || holderCoverage === false || indicator === false) return undefined;
  if (x.holdersAt !== undefined && !(Array.isArray(x.holdersAt) && x.holdersAt.every(isHoldersAt))) return undefined;
  if (x.holders !== undefined && !(Array.isArray(x.holders) && x.holders.every(isHolder))) return undefined;
  // A saved run is finished: an address still pending when it was saved was never answered.
  const verdict: TriageVerdict = x.verdict === 'pending' ? 'unknown' : (x.verdict as TriageVerdict);
  return {
    ip: x.ip,
    version: x.version,
    ipClass: x.ipClass,
    ...(block ? { block } : {}),
    internal: x.internal,
    verdict,
    ...(isStr(x.reason) ? { reason: x.reason } : {}),
    occurrenceCount: x.occurrenceCount,
    occurrences,
    occurrencesTruncated: x.occurrencesTruncated,
    files: x.files,
    defanged: x.defanged,
    ...(x.times !== undefined ? { times: x.times } : {}),
    ...(sightings ? { sightings } : {}),
    ...(localSightings ? { localSightings } : {}),
    ...(alerts ? { alerts } : {}),
    ...(x.holdersAt !== undefined ? { holdersAt: x.holdersAt } : {}),
    ...(x.holders !== undefined ? { holders: x.holders } : {}),
    ...(holderCoverage ? { holderCoverage } : {}),
    ...(indicator ? { indicator } : {}),
    problems: x.problems,
    ...(isIso(x.cachedAt) ? { cachedAt: x.cachedAt } : {}),
    fromCache: x.fromCache,
  };
}

const isTriageIndicators = (x: unknown): x is TriageIndicators =>
  isObj(x) && isBool(x.ok) && optCount(x.count) && optCount(x.matched) && (x.complete === undefined || isBool(x.complete)) && optStr(x.error) && optStr(x.permission);

const isQuery = (x: unknown): x is ExecutedQuery =>
  isObj(x) && (x.purpose === 'summary' || x.purpose === 'alerts' || x.purpose === 'holders') && isStr(x.query) && isCount(x.addresses) && isBool(x.ok) && (x.rows === undefined || isCount(x.rows)) && optStr(x.source) && optStr(x.error);
const isSource = (x: unknown): x is SourceSummary => isObj(x) && isStr(x.name) && isCount(x.bytes) && isCount(x.matches) && optStr(x.error) && (x.reused === undefined || isBool(x.reused));
const isDocument = (x: unknown): x is SavedDocument => isObj(x) && isStr(x.name) && isStr(x.key) && isStr(x.uri);

function parseInput(x: unknown): SavedInput | undefined {
  if (!isObj(x) || !isStr(x.path) || !isStr(x.name) || typeof x.mtimeMs !== 'number' || !Number.isFinite(x.mtimeMs) || !isCount(x.size)) return undefined;
  const extraction = x.extraction === undefined ? undefined : parseExtraction(x.extraction);
  const key = isStr(x.key) && x.key.length <= 200 ? x.key : undefined;
  return { path: x.path, name: x.name, mtimeMs: x.mtimeMs, size: x.size, ...(key !== undefined ? { key } : {}), ...(extraction ? { extraction } : {}) };
}

export interface DecodeResult {
  triage?: SavedTriage;
  /** Why nothing came back (a foreign or broken document, another tenant, a newer version). */
  refused?: string;
  /** Entries (or inputs) that did not validate and were left out. */
  dropped: number;
}

/** Reads a saved triage of tenant `scope`. Never throws. */
export function decodeSavedTriage(text: string, scope: string): DecodeResult {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    return { refused: 'not JSON', dropped: 0 };
  }
  if (!isObj(x) || x.format !== SNAPSHOT_FORMAT) return { refused: 'not a saved triage', dropped: 0 };
  if (x.version !== SNAPSHOT_VERSION) return { refused: `version ${String(x.version)}`, dropped: 0 };
  if (x.scope !== scope) return { refused: 'another tenant', dropped: 0 };
  const r = x.report;
  if (!isObj(r) || !isStr(r.lookback) || !(LOOKBACKS as readonly string[]).includes(r.lookback) || !isIso(r.startedAt) || !isIso(r.finishedAt) || !isBool(r.cancelled)) return { refused: 'no report', dropped: 0 };
  if (!isIso(x.savedAt) || !isStr(x.source) || !isBool(x.demo) || !strings(x.notes) || !Array.isArray(x.documents) || !strings(x.files) || !Array.isArray(r.entries)) return { refused: 'incomplete', dropped: 0 };
  const calls = r.calls;
  if (!isObj(calls) || !isCount(calls.hunting) || !isCount(calls.findbyip) || !isCount(calls.cacheHits) || !isObj(r.counts)) return { refused: 'incomplete', dropped: 0 };
  let dropped = 0;
  const entries: TriageEntry[] = [];
  const seen = new Set<string>();
  for (const raw of r.entries) {
    const e = parseEntry(raw, x.files);
    if (!e || seen.has(e.ip)) {
      dropped++;
      continue;
    }
    seen.add(e.ip);
    entries.push(e);
  }
  entries.sort(compareEntries);
  const inputs: SavedInput[] = [];
  for (const raw of Array.isArray(x.inputs) ? x.inputs : []) {
    const i = parseInput(raw);
    if (i) inputs.push(i);
    else dropped++;
  }
  const byVerdict = emptyVerdictCounts();
  for (const e of entries) byVerdict[e.verdict]++;
  const c = r.counts;
  const report: TriageReport = {
    lookback: r.lookback as Lookback,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    cancelled: r.cancelled,
    entries,
    queries: Array.isArray(r.queries) ? r.queries.filter(isQuery) : [],
    sources: Array.isArray(r.sources) ? r.sources.filter(isSource) : [],
    counts: { files: isCount(c.files) ? c.files : 0, bytes: isCount(c.bytes) ? c.bytes : 0, occurrences: isCount(c.occurrences) ? c.occurrences : 0, addresses: entries.length, byVerdict },
    calls: { hunting: calls.hunting, findbyip: calls.findbyip, cacheHits: calls.cacheHits },
    ...(isTriageIndicators(r.indicators) ? { indicators: r.indicators } : {}),
  };
  return {
    triage: { scope, savedAt: x.savedAt, source: x.source, demo: x.demo, notes: x.notes, documents: x.documents.filter(isDocument), report, inputs },
    dropped,
  };
}
