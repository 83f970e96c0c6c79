// The investigation history as it is kept per workspace: per tenant, every investigated address (when, with which
// look-back and time), the analyst's verdict and note, and the last investigation trimmed to what the surfaces show.
// The persisted form is versioned: `migrateHistory` reads any earlier version and drops what does not validate, one
// entry at a time, so a corrupt value never costs the rest. `boundHistory` keeps the whole within fixed limits (it is
// one workspaceState row, which VS Code loads at every start). Pure (no vscode).
import { parseAnnotation, type Annotation } from '../../shared/annotation';
import { LOOKBACKS, type Investigation, type Lookback, type Problem, type SectionName } from '../../shared/investigation';
import { isPanelProblem, isSectionPayload, type RdapSummary } from '../../shared/protocol';
import { addressFacts } from '../investigation/investigationService';

export const HISTORY_VERSION = 1;

/** The tenant a history belongs to (what was asked, never a credential). */
export interface TenantInfo {
  /** The key: `demo@simulator`, or `<tenant>@<cloud>[-<region>]` (the response cache's partition). */
  scope: string;
  mode: string;
  cloud: string;
  region?: string;
  tenantId?: string;
}

/** The last investigation of an address as the tree and the panel showed it (bounded, no raw responses). */
export interface KeptInvestigation {
  investigation: Investigation;
  rdap?: RdapSummary;
  reverseDns?: string[];
  /** ISO instant the oldest kept part was fetched from Defender: how old what a restore shows is. */
  fetchedAt: string;
  /** Events Defender returned when fewer were kept (the panel says so). */
  timelineTotal?: number;
}

export interface HistoryEntry {
  ip: string;
  /** The look-back and time of the latest investigation (absent for an address that was only annotated). */
  lookback?: Lookback;
  at?: string;
  firstInvestigatedAt?: string;
  lastInvestigatedAt?: string;
  annotation?: Annotation;
  kept?: KeptInvestigation;
  /** ISO instant of the latest change (investigation or annotation): the history is ordered by it, newest first. */
  updatedAt: string;
}

export interface ScopeHistory {
  tenant: TenantInfo;
  /** Newest first. */
  entries: HistoryEntry[];
  /** The addresses of the Machines view, top first (restored after a reload). */
  tree: string[];
  /** ISO instant this tenant was last used: the least recently used tenant goes first when there are too many. */
  usedAt: string;
}

export interface HistoryState {
  version: typeof HISTORY_VERSION;
  scopes: Record<string, ScopeHistory>;
}

export interface HistoryLimits {
  maxScopes: number;
  maxEntriesPerScope: number;
  /** The Machines view's list (its own cap is 50). */
  maxTree: number;
  /** One kept investigation, serialised. */
  maxKeptBytes: number;
  /** The whole state, serialised: kept investigations go, oldest first, until it fits. */
  maxTotalBytes: number;
}

/**
 * 512 KiB at most in all: workspaceState is a SQLite row read at every window start and rewritten on every update,
 * so it holds the index of what the analyst did, never bulk data (triage results go to a file, see triageStorage).
 */
export const HISTORY_LIMITS: HistoryLimits = { maxScopes: 10, maxEntriesPerScope: 500, maxTree: 50, maxKeptBytes: 48 * 1024, maxTotalBytes: 512 * 1024 };

/** Kept data younger than this is shown without asking Defender again; older data is fetched again when opened. */
export const HISTORY_FRESH_MS = 24 * 3_600_000;

// ---------------------------------------------------------------------------------------------------
// Keeping: an investigation trimmed to what the surfaces show.

const cut = (s: string | undefined, n: number): string | undefined => (s === undefined ? undefined : s.length > n ? `${s.slice(0, n - 1)}…` : s);
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Lists are cut to what the panel and the tree show at a glance; long texts (command lines, descriptions) shortened. */
const KEEP = { alerts: 50, evidence: 5, machines: 50, perMachine: 10, ports: 20, timeline: 50, daily: 31, machinesAtTime: 25, details: 25, problems: 10, names: 10 };

function keepMachine<M extends { machineTags: string[]; ipAddresses: { ipAddress: string }[] }>(m: M): M {
  return { ...m, machineTags: m.machineTags.slice(0, KEEP.perMachine), ipAddresses: m.ipAddresses.slice(0, KEEP.perMachine) };
}

/** A bounded copy of an investigation: the sections the surfaces show, each list capped. */
export function trimInvestigation(inv: Investigation): { investigation: Investigation; timelineTotal?: number } {
  const out: Investigation = defined({
    address: inv.address,
    lookback: inv.lookback,
    at: inv.at,
    stats: inv.stats,
    alerts: inv.alerts?.slice(0, KEEP.alerts).map((a) =>
      defined({ ...a, description: cut(a.description, 400), mitreTechniques: a.mitreTechniques.slice(0, KEEP.perMachine), evidence: a.evidence.slice(0, KEEP.evidence) }),
    ),
    machines: inv.machines?.slice(0, KEEP.machines).map((m) => ({
      ...m,
      remotePorts: m.remotePorts.slice(0, KEEP.ports),
      localPorts: m.localPorts.slice(0, KEEP.ports),
      processes: m.processes.slice(0, KEEP.perMachine),
      files: m.files.slice(0, KEEP.perMachine),
    })),
    timeline: inv.timeline?.slice(0, KEEP.timeline).map((e) => defined({ ...e, commandLine: cut(e.commandLine, 200) })),
    timelineTruncated: inv.timeline && (inv.timelineTruncated === true || inv.timeline.length > KEEP.timeline) ? true : undefined,
    daily: inv.daily?.slice(-KEEP.daily),
    machinesAtTime: inv.machinesAtTime ? { ...inv.machinesAtTime, machines: inv.machinesAtTime.machines.slice(0, KEEP.machinesAtTime).map(keepMachine) } : undefined,
    machinesAtTimeNote: inv.machinesAtTimeNote,
    machineDetails: inv.machineDetails ? Object.fromEntries(Object.entries(inv.machineDetails).slice(0, KEEP.details).map(([k, m]) => [k, keepMachine(m)])) : undefined,
    cachedAt: inv.cachedAt,
    problems: inv.problems.slice(0, KEEP.problems),
  });
  const total = inv.timeline && inv.timeline.length > KEEP.timeline ? inv.timeline.length : undefined;
  return total !== undefined ? { investigation: out, timelineTotal: total } : { investigation: out };
}

export function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * What is kept of an investigation: trimmed, then made smaller (timeline, then machine details dropped) until it fits
 * `maxBytes`. Undefined when it has no section data or still does not fit.
 */
export function keepInvestigation(
  inv: Investigation,
  extras: { rdap?: RdapSummary; reverseDns?: string[] } = {},
  now: number = Date.now(),
  maxBytes: number = HISTORY_LIMITS.maxKeptBytes,
): KeptInvestigation | undefined {
  if (!SECTION_FIELDS.some((f) => inv[f] !== undefined)) return undefined;
  const trimmed = trimInvestigation(inv);
  const kept: KeptInvestigation = {
    investigation: trimmed.investigation,
    ...(extras.rdap ? { rdap: { ...extras.rdap, cidrs: extras.rdap.cidrs.slice(0, KEEP.names), abuseEmails: extras.rdap.abuseEmails.slice(0, KEEP.names) } } : {}),
    ...(extras.reverseDns ? { reverseDns: extras.reverseDns.slice(0, KEEP.names) } : {}),
    fetchedAt: inv.cachedAt ?? new Date(now).toISOString(),
    ...(trimmed.timelineTotal !== undefined ? { timelineTotal: trimmed.timelineTotal } : {}),
  };
  if (byteSize(kept) <= maxBytes) return kept;
  delete kept.investigation.timeline;
  delete kept.investigation.timelineTruncated;
  delete kept.timelineTotal;
  if (byteSize(kept) <= maxBytes) return kept;
  delete kept.investigation.machineDetails;
  return byteSize(kept) <= maxBytes ? kept : undefined;
}

const SECTION_FIELDS = ['stats', 'alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails'] as const satisfies readonly SectionName[];

/** Sections of `next` replace those of `prev` (same look-back and time); the others stay; problems follow their section. */
export function mergeKept(prev: KeptInvestigation, next: KeptInvestigation): KeptInvestigation {
  const a = prev.investigation;
  const b = next.investigation;
  if (a.lookback !== b.lookback || a.at !== b.at) return next;
  const merged: Investigation = { ...a, ...defined({ ...b }), problems: [] };
  const answered = new Set<string>([...SECTION_FIELDS.filter((f) => b[f] !== undefined), ...b.problems.map((p) => p.source)]);
  merged.problems = [...a.problems.filter((p) => !answered.has(p.source)), ...b.problems].slice(0, KEEP.problems);
  const survived = SECTION_FIELDS.some((f) => a[f] !== undefined && b[f] === undefined);
  const fetchedAt = survived && prev.fetchedAt < next.fetchedAt ? prev.fetchedAt : next.fetchedAt;
  if (b.timeline === undefined && a.timeline !== undefined) merged.timelineTruncated = a.timelineTruncated;
  const out: KeptInvestigation = { investigation: merged, fetchedAt, ...defined({ rdap: next.rdap ?? prev.rdap, reverseDns: next.reverseDns ?? prev.reverseDns }) };
  const total = b.timeline !== undefined ? next.timelineTotal : prev.timelineTotal;
  if (total !== undefined) out.timelineTotal = total;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reading back: validation of every part, migration of earlier versions.

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isIso = (x: unknown): x is string => isStr(x) && x.length <= 40 && !Number.isNaN(Date.parse(x));
const isLookback = (x: unknown): x is Lookback => isStr(x) && (LOOKBACKS as readonly string[]).includes(x);
const isScope = (x: unknown): x is string => isStr(x) && x.length > 0 && x.length <= 300;

/** The payload a section of a kept investigation would send to the panel, for validation with the panel's own checks. */
function payload(section: (typeof SECTION_FIELDS)[number], inv: Obj): unknown {
  switch (section) {
    case 'stats':
      return { section, stats: inv.stats };
    case 'alerts':
      return { section, alerts: inv.alerts };
    case 'machines':
      return { section, machines: inv.machines };
    case 'timeline':
      return { section, events: inv.timeline, truncated: inv.timelineTruncated === true };
    case 'daily':
      return { section, points: inv.daily };
    case 'machinesAtTime':
      return { section, result: inv.machinesAtTime };
    case 'machineDetails':
      return { section, details: inv.machineDetails };
  }
}

/** A kept investigation read back: the address is parsed again, each section validated on its own (a bad one is dropped). */
export function parseKept(x: unknown, ip: string): KeptInvestigation | undefined {
  if (!isObj(x) || !isObj(x.investigation) || !isIso(x.fetchedAt)) return undefined;
  const raw = x.investigation;
  const v = addressFacts(ip);
  if (!v.ok || !isLookback(raw.lookback) || (raw.at !== undefined && !isIso(raw.at))) return undefined;
  const inv: Investigation = { address: v.facts, lookback: raw.lookback, ...(raw.at !== undefined ? { at: raw.at } : {}), problems: [] };
  const target = inv as unknown as Obj;
  for (const f of SECTION_FIELDS) {
    if (raw[f] === undefined) continue;
    if (!isSectionPayload(payload(f, raw))) continue;
    target[f] = raw[f];
    if (f === 'timeline' && raw.timelineTruncated === true) inv.timelineTruncated = true;
  }
  if (isStr(raw.machinesAtTimeNote)) inv.machinesAtTimeNote = raw.machinesAtTimeNote;
  if (isIso(raw.cachedAt)) inv.cachedAt = raw.cachedAt;
  if (Array.isArray(raw.problems)) inv.problems = raw.problems.filter((p): p is Problem => isPanelProblem(p) && (SECTION_FIELDS as readonly string[]).includes(p.source)).slice(0, KEEP.problems);
  if (!SECTION_FIELDS.some((f) => inv[f] !== undefined)) return undefined;
  const out: KeptInvestigation = { investigation: inv, fetchedAt: x.fetchedAt };
  if (x.rdap !== undefined && isSectionPayload({ section: 'rdap', rdap: x.rdap })) out.rdap = x.rdap as RdapSummary;
  if (Array.isArray(x.reverseDns) && x.reverseDns.every(isStr)) out.reverseDns = x.reverseDns.slice(0, KEEP.names);
  if (Number.isSafeInteger(x.timelineTotal) && (x.timelineTotal as number) > 0) out.timelineTotal = x.timelineTotal as number;
  return out;
}

export function parseTenant(x: unknown, scope: string): TenantInfo | undefined {
  if (!isObj(x) || x.scope !== scope || !isStr(x.mode) || !isStr(x.cloud)) return undefined;
  return { scope, mode: x.mode.slice(0, 40), cloud: x.cloud.slice(0, 40), ...(isStr(x.region) ? { region: x.region.slice(0, 40) } : {}), ...(isStr(x.tenantId) ? { tenantId: x.tenantId.slice(0, 200) } : {}) };
}

/** One entry read back; undefined when its address does not parse (the entry is dropped, the others stay). */
export function parseEntry(x: unknown): HistoryEntry | undefined {
  if (!isObj(x) || !isStr(x.ip) || x.ip.length > 100) return undefined;
  const v = addressFacts(x.ip);
  if (!v.ok) return undefined;
  const ip = v.facts.ip;
  const annotation = parseAnnotation(x.annotation);
  const kept = parseKept(x.kept, ip);
  const investigated = isIso(x.lastInvestigatedAt) && isLookback(x.lookback);
  if (!investigated && !annotation) return undefined;
  const updatedAt = isIso(x.updatedAt) ? x.updatedAt : investigated ? (x.lastInvestigatedAt as string) : (annotation?.verdictAt ?? annotation?.noteAt ?? new Date(0).toISOString());
  const entry: HistoryEntry = { ip, updatedAt };
  if (investigated) {
    entry.lookback = x.lookback as Lookback;
    entry.lastInvestigatedAt = x.lastInvestigatedAt as string;
    entry.firstInvestigatedAt = isIso(x.firstInvestigatedAt) ? x.firstInvestigatedAt : entry.lastInvestigatedAt;
    if (isIso(x.at)) entry.at = x.at;
  }
  if (annotation) entry.annotation = annotation;
  // A kept investigation must be the one the entry describes.
  if (kept && investigated && kept.investigation.lookback === entry.lookback && kept.investigation.at === entry.at) entry.kept = kept;
  return entry;
}

function parseScope(scope: string, x: unknown): { history?: ScopeHistory; dropped: number } {
  if (!isScope(scope) || !isObj(x)) return { dropped: 1 };
  const tenant = parseTenant(x.tenant, scope);
  if (!tenant || !Array.isArray(x.entries)) return { dropped: 1 };
  const entries: HistoryEntry[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const raw of x.entries) {
    const e = parseEntry(raw);
    if (!e || seen.has(e.ip)) {
      dropped++;
      continue;
    }
    seen.add(e.ip);
    entries.push(e);
  }
  entries.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const tree = Array.isArray(x.tree) ? [...new Set(x.tree.filter((ip): ip is string => isStr(ip) && entries.some((e) => e.ip === ip && e.kept !== undefined)))] : [];
  return { history: { tenant, entries, tree, usedAt: isIso(x.usedAt) ? x.usedAt : (entries[0]?.updatedAt ?? new Date(0).toISOString()) }, dropped };
}

export interface MigrationResult {
  state: HistoryState;
  /** The version read: a number, 'none' (nothing stored) or 'foreign' (not a history at all). */
  from: number | 'none' | 'foreign';
  /** Values that did not validate and were left out (whole scopes or single entries). */
  dropped: number;
  /** Written by a newer version of the extension: shown as empty and not overwritten until the user changes something. */
  newer?: boolean;
}

export function emptyHistory(): HistoryState {
  return { version: HISTORY_VERSION, scopes: {} };
}

/**
 * Version 0 was the first preview's format: one flat list for whichever tenant was signed in, epoch-millisecond times,
 * `false_positive` spelled with an underscore, nothing kept of the investigations. Its entries move to the tenant given
 * (the one signed in when it is first read), or to the tenant they name.
 */
function fromV0(x: Obj, fallback: TenantInfo): { state: HistoryState; dropped: number } {
  const list = Array.isArray(x.entries) ? x.entries : [];
  const scopes: Record<string, Obj> = {};
  let dropped = 0;
  for (const raw of list) {
    if (!isObj(raw) || !isStr(raw.ip)) {
      dropped++;
      continue;
    }
    const scope = isScope(raw.tenant) ? raw.tenant : fallback.scope;
    const bucket = (scopes[scope] ??= { tenant: scope === fallback.scope ? fallback : { scope, mode: 'unknown', cloud: 'unknown' }, entries: [], tree: [] });
    const when = typeof raw.investigatedAt === 'number' && Number.isFinite(raw.investigatedAt) ? new Date(raw.investigatedAt).toISOString() : undefined;
    const verdict = isStr(raw.verdict) ? raw.verdict.toLowerCase().replace(/_/g, '-') : undefined;
    (bucket.entries as unknown[]).push({
      ip: raw.ip,
      ...(when ? { lastInvestigatedAt: when, firstInvestigatedAt: when, updatedAt: when } : {}),
      lookback: isLookback(raw.lookback) ? raw.lookback : '7d',
      annotation: { verdict, verdictAt: when, note: raw.note, noteAt: when },
    });
  }
  const v1 = { version: 1, scopes };
  const read = readV1(v1);
  return { state: read.state, dropped: dropped + read.dropped };
}

function readV1(x: Obj): { state: HistoryState; dropped: number } {
  const state = emptyHistory();
  let dropped = 0;
  if (!isObj(x.scopes)) return { state, dropped: 1 };
  for (const [scope, raw] of Object.entries(x.scopes)) {
    const r = parseScope(scope, raw);
    dropped += r.dropped;
    if (r.history) state.scopes[scope] = r.history;
  }
  return { state, dropped };
}

/** Reads whatever is stored under the history key into the current version. Never throws. */
export function migrateHistory(raw: unknown, fallback: TenantInfo): MigrationResult {
  if (raw === undefined || raw === null) return { state: emptyHistory(), from: 'none', dropped: 0 };
  if (!isObj(raw)) return { state: emptyHistory(), from: 'foreign', dropped: 1 };
  if (raw.version === undefined && Array.isArray(raw.entries)) return { ...fromV0(raw, fallback), from: 0 };
  if (raw.version === HISTORY_VERSION) return { ...readV1(raw), from: HISTORY_VERSION };
  if (Number.isSafeInteger(raw.version) && (raw.version as number) > HISTORY_VERSION) return { state: emptyHistory(), from: raw.version as number, dropped: 0, newer: true };
  return { state: emptyHistory(), from: 'foreign', dropped: 1 };
}

// ---------------------------------------------------------------------------------------------------
// Bounds.

function entryWeight(e: HistoryEntry): number {
  return e.annotation ? 1 : 0;
}

/**
 * A copy of `state` within `limits`: the least recently used tenants beyond `maxScopes` go; per tenant, beyond
 * `maxEntriesPerScope`, the oldest entries without a verdict or note go first; then kept investigations are dropped
 * (those not in a Machines view first, oldest first) until the whole fits `maxTotalBytes`. Verdicts and notes are the
 * last thing to go.
 */
export function boundHistory(state: HistoryState, limits: HistoryLimits = HISTORY_LIMITS): HistoryState {
  const scopes = Object.values(state.scopes)
    .sort((a, b) => b.usedAt.localeCompare(a.usedAt))
    .slice(0, limits.maxScopes)
    .map((s): ScopeHistory => {
      let entries = s.entries;
      if (entries.length > limits.maxEntriesPerScope) {
        const ranked = [...entries].sort((a, b) => entryWeight(b) - entryWeight(a) || b.updatedAt.localeCompare(a.updatedAt)).slice(0, limits.maxEntriesPerScope);
        const keep = new Set(ranked);
        entries = entries.filter((e) => keep.has(e));
      }
      entries = entries.map((e) => ({ ...e }));
      const withKept = new Set(entries.filter((e) => e.kept).map((e) => e.ip));
      return { ...s, entries, tree: s.tree.filter((ip) => withKept.has(ip)).slice(0, limits.maxTree) };
    });
  let total = byteSize({ version: HISTORY_VERSION, scopes: Object.fromEntries(scopes.map((s) => [s.tenant.scope, s])) });
  if (total > limits.maxTotalBytes) {
    const candidates = scopes
      .flatMap((s) => s.entries.filter((e) => e.kept).map((e) => ({ s, e, inTree: s.tree.includes(e.ip), size: byteSize(e.kept) + 12 })))
      .sort((a, b) => Number(a.inTree) - Number(b.inTree) || (a.e.lastInvestigatedAt ?? '').localeCompare(b.e.lastInvestigatedAt ?? ''));
    for (const c of candidates) {
      if (total <= limits.maxTotalBytes) break;
      delete c.e.kept;
      c.s.tree = c.s.tree.filter((ip) => ip !== c.e.ip);
      total -= c.size;
    }
  }
  return { version: HISTORY_VERSION, scopes: Object.fromEntries(scopes.map((s) => [s.tenant.scope, s])) };
}

/** The tenant a history belongs to, from the connection settings (the same partition as the response cache). */
export function historyTenant(s: { mode: string; tenantId?: string; cloud: string; region?: string }): TenantInfo {
  if (s.mode === 'demo') return { scope: 'demo@simulator', mode: 'demo', cloud: 'simulated' };
  const scope = `${s.tenantId || 'environment'}@${s.cloud}${s.region ? `-${s.region}` : ''}`;
  return { scope, mode: s.mode, cloud: s.cloud, ...(s.region ? { region: s.region } : {}), ...(s.tenantId ? { tenantId: s.tenantId } : {}) };
}

/** True when kept data may be shown without asking Defender again. */
export function isFresh(kept: KeptInvestigation | undefined, now: number = Date.now(), maxAgeMs: number = HISTORY_FRESH_MS): kept is KeptInvestigation {
  if (!kept) return false;
  const age = now - Date.parse(kept.fetchedAt);
  return Number.isFinite(age) && age >= -60_000 && age <= maxAgeMs;
}
