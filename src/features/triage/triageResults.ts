// The results of one triage run as the surfaces read them: live entries by address, progress, the final report, which
// occurrence names belong to which document, and the table's summary. Pure (no vscode import).
import { compareEntries, emptyVerdictCounts, type TriageEntry, type TriageProgress, type TriageReport } from '../../shared/triageModel';
import type { Lookback } from '../../shared/investigation';
import type { TriageRunState, TriageSummary } from '../../shared/triageProtocol';

/** A document the run read: the name its occurrences carry, the key editors are matched by, and its URI. */
export interface TriagedDocument {
  /** `Occurrence.file` of its occurrences. */
  name: string;
  /** The file system path for files, the URI text for anything else (untitled documents). */
  key: string;
  /** The URI as text (`vscode.Uri.toString()`), to open it again. */
  uri: string;
}

export interface TriageRunInput {
  source: string;
  lookback: Lookback;
  documents: readonly TriagedDocument[];
  notes?: readonly string[];
  demo: boolean;
}

export class TriageResults {
  readonly entries = new Map<string, TriageEntry>();
  readonly source: string;
  readonly lookback: Lookback;
  readonly demo: boolean;
  readonly startedAt: string;
  readonly notes: string[];
  readonly abort = new AbortController();
  state: Exclude<TriageRunState, 'idle'> = 'running';
  progress: TriageProgress | undefined;
  report: TriageReport | undefined;
  finishedAt: string | undefined;
  private readonly namesByKey = new Map<string, Set<string>>();
  private readonly docsByName = new Map<string, TriagedDocument>();
  private sorted: TriageEntry[] | undefined;

  constructor(
    readonly id: number,
    input: TriageRunInput,
    now: () => number = Date.now,
  ) {
    this.source = input.source;
    this.lookback = input.lookback;
    this.demo = input.demo;
    this.notes = [...(input.notes ?? [])];
    this.startedAt = new Date(now()).toISOString();
    for (const d of input.documents) {
      this.docsByName.set(d.name, d);
      const names = this.namesByKey.get(d.key);
      if (names) names.add(d.name);
      else this.namesByKey.set(d.key, new Set([d.name]));
    }
  }

  /** The occurrence names that belong to the document with this key; undefined when the run did not read it. */
  namesFor(key: string): ReadonlySet<string> | undefined {
    return this.namesByKey.get(key);
  }

  document(name: string): TriagedDocument | undefined {
    return this.docsByName.get(name);
  }

  documents(): TriagedDocument[] {
    return [...this.docsByName.values()];
  }

  /** Takes entries from a streamed event (live objects the service keeps updating). */
  upsert(entries: readonly TriageEntry[]): void {
    for (const e of entries) this.entries.set(e.ip, e);
    if (entries.length > 0) this.sorted = undefined;
  }

  /** Ends the run with the service's report (its entries are the same objects, some finalised without an event). */
  finish(report: TriageReport, now: () => number = Date.now): void {
    this.report = report;
    this.upsert(report.entries);
    this.sorted = undefined;
    this.state = report.cancelled ? 'cancelled' : 'done';
    this.finishedAt = new Date(now()).toISOString();
    for (const s of report.sources) if (s.error) this.notes.push(`${s.name}: ${s.error}`);
    const fatal = firstFatalProblem(report);
    if (fatal) this.notes.push(`${fatal.message}${fatal.remedy ? ` ${fatal.remedy}` : ''}`);
  }

  /**
   * A finished triage read back from storage (a reload, another day): its report, entries and notes as they were
   * saved; nothing runs. `notes` may add what changed since (a file modified after it was read).
   */
  static restored(id: number, saved: { source: string; demo: boolean; notes: readonly string[]; documents: readonly TriagedDocument[]; report: TriageReport }, notes: readonly string[] = []): TriageResults {
    const r = new TriageResults(id, { source: saved.source, lookback: saved.report.lookback, documents: saved.documents, notes: [...saved.notes, ...notes], demo: saved.demo }, () => Date.parse(saved.report.startedAt));
    r.report = saved.report;
    r.upsert(saved.report.entries);
    r.state = saved.report.cancelled ? 'cancelled' : 'done';
    r.finishedAt = saved.report.finishedAt;
    r.restoredFrom = saved.report.finishedAt;
    return r;
  }

  /** Set for results read back from storage: when that triage finished (the surfaces say how old it is). */
  restoredFrom: string | undefined;

  /** Ends a run that threw (an internal error): whatever arrived stays. */
  fail(message: string, now: () => number = Date.now): void {
    this.state = 'done';
    this.finishedAt = new Date(now()).toISOString();
    this.notes.push(message);
    this.sorted = undefined;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Every entry, most important first. */
  sortedEntries(): TriageEntry[] {
    this.sorted ??= [...this.entries.values()].sort(compareEntries);
    return this.sorted;
  }

  summary(): TriageSummary {
    const p = this.progress;
    const byVerdict = emptyVerdictCounts();
    let resolved = 0;
    for (const e of this.entries.values()) {
      byVerdict[e.verdict]++;
      if (e.verdict !== 'pending') resolved++;
    }
    const calls = this.report?.calls ?? p?.calls ?? { hunting: 0, findbyip: 0, cacheHits: 0 };
    return {
      runId: this.id,
      state: this.state,
      phase: this.state === 'running' ? (p?.phase ?? 'extracting') : 'done',
      source: this.source,
      lookback: this.lookback,
      addresses: this.entries.size,
      resolved,
      byVerdict,
      batchesDone: p?.batchesDone ?? 0,
      batchesTotal: p?.batchesTotal ?? 0,
      calls: { hunting: calls.hunting, findbyip: calls.findbyip, cacheHits: calls.cacheHits },
      bytesScanned: this.report?.counts.bytes ?? p?.bytesScanned ?? 0,
      occurrences: this.report?.counts.occurrences ?? p?.occurrences ?? 0,
      notes: [...this.notes],
      demo: this.demo,
      startedAt: this.startedAt,
      ...(this.finishedAt ? { finishedAt: this.finishedAt } : {}),
      ...(this.restoredFrom ? { restoredFrom: this.restoredFrom } : {}),
    };
  }
}

/** The problem that stopped a whole triage (sign-in or permission), if any. */
export function firstFatalProblem(report: TriageReport): { kind: string; message: string; remedy?: string } | undefined {
  for (const e of report.entries) for (const p of e.problems) if (p.kind === 'auth' || p.kind === 'permission') return p;
  return undefined;
}

/** True when addresses needed Defender and not one answer came back (everything failed). */
export function nothingAnswered(report: TriageReport): boolean {
  const asked = report.entries.some((e) => e.verdict !== 'skipped' && !(e.verdict === 'internal' && !e.holdersAt?.length && e.problems.length === 0));
  const answered = report.queries.some((q) => q.ok) || report.calls.cacheHits > 0 || report.entries.some((e) => e.holdersAt?.some((h) => h.via === 'findbyip'));
  return asked && !answered && report.entries.some((e) => e.problems.length > 0);
}
