// Decorates triaged addresses in the visible editors of the documents a triage read, by verdict (theme colours the
// extension contributes, with overview ruler marks), re-applied as results stream in, as editors become visible and as
// documents change (located again by scanning, never by stale offsets).
import * as vscode from 'vscode';
import { LOOKBACK_DAYS } from '../../shared/investigation';
import { annotationMarkdown } from '../history/annotationText';
import { localize } from '../hover/hoverProvider';
import { DECORATED_VERDICTS, SlicedLocator, decoratedVerdict, locateAddresses, locateInRange, type DecoratedVerdict, type OffsetRange } from './decorationRanges';
import { documentKey } from './revealOccurrence';
import { verdictLabel } from './tableRows';
import type { TriageController } from './triageController';
import type { TriageResults } from './triageResults';
import type { TriageAnnotations } from './triageTable';

/** Theme colours contributed in package.json (`contributes.colors`). */
export const TRIAGE_COLORS = {
  alertsBackground: 'ipInvestigator.triageAlertsBackground',
  alertsBorder: 'ipInvestigator.triageAlertsBorder',
  alertsRuler: 'ipInvestigator.triageAlertsRuler',
  seenBackground: 'ipInvestigator.triageSeenBackground',
  seenBorder: 'ipInvestigator.triageSeenBorder',
  seenRuler: 'ipInvestigator.triageSeenRuler',
  notSeenBorder: 'ipInvestigator.triageNotSeenBorder',
  internalBackground: 'ipInvestigator.triageInternalBackground',
  internalBorder: 'ipInvestigator.triageInternalBorder',
  internalRuler: 'ipInvestigator.triageInternalRuler',
} as const;

function decorationTypes(): Record<DecoratedVerdict, vscode.TextEditorDecorationType> {
  const c = (id: string) => new vscode.ThemeColor(id);
  const common = { rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed, borderRadius: '2px' };
  return {
    alerts: vscode.window.createTextEditorDecorationType({
      ...common,
      backgroundColor: c(TRIAGE_COLORS.alertsBackground),
      border: '1px solid',
      borderColor: c(TRIAGE_COLORS.alertsBorder),
      fontWeight: 'bold',
      overviewRulerColor: c(TRIAGE_COLORS.alertsRuler),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    }),
    seen: vscode.window.createTextEditorDecorationType({
      ...common,
      backgroundColor: c(TRIAGE_COLORS.seenBackground),
      border: '1px solid',
      borderColor: c(TRIAGE_COLORS.seenBorder),
      overviewRulerColor: c(TRIAGE_COLORS.seenRuler),
      overviewRulerLane: vscode.OverviewRulerLane.Center,
    }),
    'not-seen': vscode.window.createTextEditorDecorationType({
      ...common,
      borderWidth: '0 0 1px 0',
      borderStyle: 'dotted',
      borderColor: c(TRIAGE_COLORS.notSeenBorder),
    }),
    internal: vscode.window.createTextEditorDecorationType({
      ...common,
      backgroundColor: c(TRIAGE_COLORS.internalBackground),
      borderWidth: '0 0 1px 0',
      borderStyle: 'dashed',
      borderColor: c(TRIAGE_COLORS.internalBorder),
      overviewRulerColor: c(TRIAGE_COLORS.internalRuler),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
  };
}

function sameKey(a: LocationKey, b: LocationKey): boolean {
  return a.runId === b.runId && a.version === b.version && a.entries === b.entries;
}

function toRange(doc: vscode.TextDocument, r: OffsetRange): vscode.Range {
  return new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end));
}

interface LocatedDocument {
  runId: number;
  version: number;
  /** Entries known when located: extraction adds them all at once, after the run started. */
  entries: number;
  /** Ranges of each triaged address in the document (converted once per version). */
  byIp: Map<string, vscode.Range[]>;
  rescanned: boolean;
}

/** Documents edited within this long are located again once, after the typing stops. */
const EDIT_DEBOUNCE_MS = 300;
/**
 * Larger documents are located in slices, one per turn of the event loop, after their visible lines: the host's
 * thread never waits long (a 100,000-line log takes some 100 ms to locate in one go).
 */
const LARGE_DOCUMENT_CHARS = 2_000_000;
/** Characters scanned, and ranges converted to positions, per turn when locating a large document. */
const SLICE_CHARS = 1 << 20;
const SLICE_RANGES = 20_000;

/** What a location was made for: a new run, a new version of the document or new entries make it stale. */
interface LocationKey {
  runId: number;
  version: number;
  entries: number;
}

export class TriageDecorations implements vscode.Disposable {
  private readonly types = decorationTypes();
  private readonly located = new Map<string, LocatedDocument>();
  /** Ranges per verdict currently set, by document URI (for diagnostics and the integration suite). */
  private readonly applied = new Map<string, Record<DecoratedVerdict, number>>();
  /** Ranges that carry the analyst's verdict or note as their hover message, by document URI. */
  private readonly marked = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  /** Large documents being located in slices, by URI, with what their visible lines showed when it started. */
  private readonly locating = new Map<string, { key: LocationKey; visible: Map<string, vscode.Range[]> }>();
  private disposed = false;

  constructor(
    private readonly controller: TriageController,
    private readonly annotations?: TriageAnnotations,
  ) {
    if (annotations) this.disposables.push(annotations.onDidChange((c) => c.annotation && this.applyAll()));
    this.disposables.push(
      controller.onDidChange((c) => {
        if (c.kind === 'reset') this.located.clear();
        this.applyAll();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyAll()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const r = this.controller.current;
        if (!r || e.contentChanges.length === 0 || !r.namesFor(documentKey(e.document.uri))) return;
        clearTimeout(this.editTimer);
        this.editTimer = setTimeout(() => this.applyAll(), EDIT_DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.located.delete(d.uri.toString());
        this.applied.delete(d.uri.toString());
        this.marked.delete(d.uri.toString());
      }),
    );
    this.applyAll();
  }

  /** Ranges per verdict set in each decorated document, by URI. */
  counts(): Record<string, Record<DecoratedVerdict, number>> {
    return Object.fromEntries(this.applied);
  }

  /** Ranges with the analyst's verdict or note as hover message, by URI. */
  markedCounts(): Record<string, number> {
    return Object.fromEntries(this.marked);
  }

  applyAll(): void {
    const seen = new Set<string>();
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri.toString();
      this.apply(editor);
      seen.add(uri);
    }
    for (const uri of [...this.applied.keys()]) if (!seen.has(uri)) this.applied.delete(uri);
  }

  private apply(editor: vscode.TextEditor): void {
    const doc = editor.document;
    const uri = doc.uri.toString();
    const results = this.controller.current;
    const names = results?.namesFor(documentKey(doc.uri));
    if (!results || !names) {
      if (this.applied.has(uri)) for (const v of DECORATED_VERDICTS) editor.setDecorations(this.types[v], []);
      this.applied.delete(uri);
      this.marked.delete(uri);
      return;
    }
    let loc = this.located.get(uri);
    if (!loc || loc.runId !== results.id || loc.version !== doc.version || loc.entries !== results.entries.size) {
      const key: LocationKey = { runId: results.id, version: doc.version, entries: results.entries.size };
      const running = this.locating.get(uri);
      if (running && sameKey(running.key, key)) {
        // Still locating: the visible lines found when it started, with the verdicts they have now.
        this.setGroups(editor, running.visible, results);
        return;
      }
      const text = doc.getText();
      if (text.length > LARGE_DOCUMENT_CHARS) {
        // The visible lines now, the whole document (and its overview ruler marks) a slice at a time.
        const known = new Set(results.entries.keys());
        const visible = new Map<string, vscode.Range[]>();
        for (const r of editor.visibleRanges) {
          const from = doc.offsetAt(new vscode.Position(r.start.line, 0));
          const to = doc.offsetAt(new vscode.Position(r.end.line + 1, 0));
          for (const [ip, ranges] of locateInRange(known, text, from, to)) visible.set(ip, [...(visible.get(ip) ?? []), ...ranges.map((x) => toRange(doc, x))]);
        }
        this.setGroups(editor, visible, results);
        this.locateLater(doc, text, known, key, visible);
        return;
      }
      const found = locateAddresses(results.entries.values(), names, text);
      const byIp = new Map<string, vscode.Range[]>();
      for (const [ip, ranges] of found.byIp) byIp.set(ip, ranges.map((r: OffsetRange) => toRange(doc, r)));
      loc = { ...key, byIp, rescanned: found.rescanned };
      this.located.set(uri, loc);
    }
    this.setGroups(editor, loc.byIp, results);
  }

  private setGroups(editor: vscode.TextEditor, byIp: ReadonlyMap<string, readonly vscode.Range[]>, results: TriageResults): void {
    const uri = editor.document.uri.toString();
    // Each decorated range; an address the analyst marked also says so when hovered (its triage verdict with it).
    const groups: Record<DecoratedVerdict, vscode.DecorationOptions[]> = { alerts: [], seen: [], 'not-seen': [], internal: [] };
    let marked = 0;
    const marks = this.annotations?.annotations();
    for (const [ip, ranges] of byIp) {
      const entry = results.entries.get(ip);
      const v = decoratedVerdict(entry?.verdict);
      if (!v || !entry) continue;
      const mark = annotationMarkdown(marks?.get(ip), localize);
      let hoverMessage: vscode.MarkdownString | undefined;
      if (mark) {
        hoverMessage = new vscode.MarkdownString(`**${localize('Triage ({0} d)', LOOKBACK_DAYS[results.lookback])}:** ${verdictLabel(entry.verdict, localize)}  \n${mark}`, true);
        hoverMessage.isTrusted = false;
        hoverMessage.supportHtml = false;
        marked += ranges.length;
      }
      for (const range of ranges) groups[v].push(hoverMessage ? { range, hoverMessage } : { range });
    }
    const counts = { alerts: 0, seen: 0, 'not-seen': 0, internal: 0 };
    for (const v of DECORATED_VERDICTS) {
      const ranges = groups[v];
      editor.setDecorations(this.types[v], ranges);
      counts[v] = ranges.length;
    }
    this.applied.set(uri, counts);
    this.marked.set(uri, marked);
  }

  /** Locates a large document a slice per turn of the event loop, then decorates it whole; dropped once stale. */
  private locateLater(doc: vscode.TextDocument, text: string, known: ReadonlySet<string>, key: LocationKey, visible: Map<string, vscode.Range[]>): void {
    const uri = doc.uri.toString();
    const entry = { key, visible };
    this.locating.set(uri, entry);
    const job = this.locateJob(doc, text, known, key);
    const turn = (): void => {
      if (this.disposed || this.locating.get(uri) !== entry) return;
      if (doc.version !== key.version || this.controller.current?.id !== key.runId) {
        this.locating.delete(uri); // stale: the next apply starts over
        return;
      }
      const r = job.next();
      if (!r.done) {
        setImmediate(turn);
        return;
      }
      this.locating.delete(uri);
      if (doc.version !== key.version) return;
      this.located.set(uri, { ...key, byIp: r.value, rescanned: true });
      this.applyAll();
    };
    setImmediate(turn);
  }

  private *locateJob(doc: vscode.TextDocument, text: string, known: ReadonlySet<string>, key: LocationKey): Generator<void, Map<string, vscode.Range[]>> {
    const locator = new SlicedLocator(known, text, 0, text.length);
    while (!locator.step(SLICE_CHARS)) yield;
    const byIp = new Map<string, vscode.Range[]>();
    let n = 0;
    for (const [ip, ranges] of locator.byIp) {
      const out: vscode.Range[] = [];
      for (const r of ranges) {
        out.push(toRange(doc, r));
        if (++n % SLICE_RANGES === 0) {
          yield;
          if (doc.version !== key.version) return byIp; // the caller drops it
        }
      }
      byIp.set(ip, out);
    }
    return byIp;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.editTimer);
    for (const d of this.disposables) d.dispose();
    for (const t of Object.values(this.types)) t.dispose();
  }
}
