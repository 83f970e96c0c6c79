// Bulk triage in VS Code: the controller, the table, the editor decorations, the Machines view's "Triage" group and
// the commands (through the one error policy, runCommand). Returns what the composition root and the API need.
import * as vscode from 'vscode';
import type { Logger } from '../../platform/logger';
import { runCommand } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import type { StateStore } from '../../platform/workspaceState';
import type { TriageEntry, TriageProgress, TriageReport } from '../../shared/triageModel';
import type { TriageExportFormat } from '../../shared/triageProtocol';
import type { DefenderSession } from '../session/defenderSession';
import type { IndicatorService } from '../indicators/indicatorService';
import { briefOf } from '../../core/indicators/indicatorRules';
import type { TreeSection } from '../tree/treeSection';
import type { DecoratedVerdict } from './decorationRanges';
import { revealOccurrence } from './revealOccurrence';
import { cancelTriage, clearTriage, exportTriageResults, showTriage, triageAddresses, triageFile, triageSelection, triageWorkspace, type TriageCommandDeps } from './triageCommands';
import { TriageController } from './triageController';
import { TriageDecorations } from './triageDecorations';
import { TRIAGE_VIEW_TYPE, TriageTable, type TriageAnnotations } from './triageTable';
import { TriageStorage } from './triageStorage';
import { ownsTriageNode, triageChildren, triageParent, triageRoots } from './triageTreeModel';

export const TRIAGE_COMMANDS = {
  triageFile: 'ipInvestigator.triageFile',
  triageSelection: 'ipInvestigator.triageSelection',
  triageWorkspace: 'ipInvestigator.triageWorkspace',
  exportCsv: 'ipInvestigator.exportTriageCsv',
  exportJson: 'ipInvestigator.exportTriageJson',
  exportMarkdown: 'ipInvestigator.exportTriageMarkdown',
  exportStix: 'ipInvestigator.exportTriageStix',
  clear: 'ipInvestigator.clearTriage',
  cancel: 'ipInvestigator.cancelTriage',
  show: 'ipInvestigator.showTriage',
  triageAddresses: 'ipInvestigator.triageAddresses',
} as const;

/** Context keys of the manifest's `when` clauses. */
const HAS_TRIAGE = 'ipInvestigator.hasTriage';
const TRIAGE_RUNNING = 'ipInvestigator.triageRunning';

/** What the extension's API says about the triage (diagnostics and the integration suite). */
export interface TriageSnapshot {
  state: 'none' | 'running' | 'done' | 'cancelled';
  source?: string;
  /** Every entry, most important first (live objects of the running extension). */
  entries: TriageEntry[];
  progress?: TriageProgress;
  report?: Pick<TriageReport, 'cancelled' | 'calls' | 'counts' | 'lookback'>;
  notes: string[];
  /** Decorations set in visible editors: ranges per verdict, by document URI. */
  decorations: Record<string, Record<DecoratedVerdict, number>>;
  /** Decorated ranges whose hover message carries the analyst's verdict or note, by document URI. */
  markedDecorations: Record<string, number>;
  /** Set when the results were read back from an earlier session: when that triage finished. */
  restoredFrom?: string;
  table: { open: boolean; ready: boolean; visible: boolean; rowsPosted: number };
}

export interface TriageFeature {
  readonly treeSection: TreeSection;
  snapshot(): TriageSnapshot;
  readonly onDidProgress: vscode.Event<TriageProgress>;
  /** The latest finished triage of the current tenant (for the case export). */
  currentReport(): { source: string; report: TriageReport } | undefined;
  /** Reads the current tenant's saved triage again, over what is shown (the integration suite's stand-in for a reload). */
  reloadSaved(): Promise<boolean>;
  /** Waits until what was saved is on disk. */
  flush(): Promise<void>;
}

export interface TriageDeps {
  logger: Logger;
  ui: UserInput;
  session: DefenderSession;
  /** The tenant's indicators: the table's Indicator column and the "Add indicators" action on selected rows. */
  indicators?: IndicatorService;
  /** The analyst's verdicts and notes: a column of the table, the tree, the decorations' hover, the exports. */
  annotations?: TriageAnnotations;
  /** Where the latest triage of each tenant is kept across sessions (absent: nothing is kept). */
  storage?: { storageUri: vscode.Uri | undefined; state: StateStore };
}

export function registerTriage(context: vscode.ExtensionContext, deps: TriageDeps): TriageFeature {
  const storage = deps.storage ? new TriageStorage({ ...deps.storage, logger: deps.logger }) : undefined;
  const controller = new TriageController({
    logger: deps.logger,
    session: deps.session,
    ...(deps.indicators ? { indicators: deps.indicators } : {}),
    ...(storage ? { storage } : {}),
  });
  const table: TriageTable = new TriageTable({
    logger: deps.logger,
    controller,
    extensionUri: context.extensionUri,
    reveal: (results, ip) => revealOccurrence(results, ip),
    export: async (format?: TriageExportFormat) => (await exportTriageResults(d, format))?.message,
    ...(deps.annotations ? { annotations: deps.annotations } : {}),
  });
  const d: TriageCommandDeps = { logger: deps.logger, ui: deps.ui, controller, table, ...(deps.annotations ? { annotations: deps.annotations } : {}) };
  const decorations = new TriageDecorations(controller, deps.annotations);
  const exporter = (format: TriageExportFormat) => async (target?: unknown) => (await exportTriageResults(d, format, target))?.uri;
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [TRIAGE_COMMANDS.triageFile]: (arg, all) => triageFile(d, arg, all),
    [TRIAGE_COMMANDS.triageSelection]: () => triageSelection(d),
    [TRIAGE_COMMANDS.triageWorkspace]: (arg) => triageWorkspace(d, arg),
    [TRIAGE_COMMANDS.exportCsv]: exporter('csv'),
    [TRIAGE_COMMANDS.exportJson]: exporter('json'),
    [TRIAGE_COMMANDS.exportMarkdown]: exporter('markdown'),
    [TRIAGE_COMMANDS.exportStix]: exporter('stix'),
    [TRIAGE_COMMANDS.clear]: () => clearTriage(d),
    [TRIAGE_COMMANDS.cancel]: () => cancelTriage(d),
    [TRIAGE_COMMANDS.show]: () => showTriage(d),
    [TRIAGE_COMMANDS.triageAddresses]: (arg) => triageAddresses(d, arg),
  };
  for (const [id, handler] of Object.entries(handlers)) context.subscriptions.push(runCommand(id, handler, deps));

  const contexts = new Map<string, boolean>();
  const setContext = (key: string, value: boolean): void => {
    if (contexts.get(key) === value) return;
    contexts.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  setContext(HAS_TRIAGE, false);
  setContext(TRIAGE_RUNNING, false);
  const treeChanged = new vscode.EventEmitter<void>();
  const indicators = deps.indicators;
  if (indicators) {
    // A write (or a fresh list) changed addresses of the current results: their indicator column follows.
    context.subscriptions.push(
      indicators.onDidChange((c) => void followIndicators(c.ips)),
    );
    const followIndicators = async (changed: readonly string[]): Promise<void> => {
        const r = controller.current;
        if (!r || r.running) return;
        const ips = changed.filter((ip) => r.entries.has(ip));
        if (ips.length === 0) return;
        if (ips.some((ip) => !indicators.peek(ip))) await indicators.listAll().catch(() => undefined);
        for (const ip of ips) {
          const known = indicators.peek(ip);
          const e = r.entries.get(ip);
          if (!known || !e) continue;
          if (known.indicators[0]) e.indicator = briefOf(known.indicators[0]);
          else delete e.indicator;
        }
        controller.touch(ips);
    };
  }
  context.subscriptions.push(
    controller,
    table,
    decorations,
    treeChanged,
    controller.onDidChange((c) => {
      setContext(HAS_TRIAGE, c.results !== undefined);
      setContext(TRIAGE_RUNNING, c.results?.running === true);
      treeChanged.fire();
    }),
    // A table open before a reload comes back (its state, the sort and filter, with it); the rows follow the results.
    vscode.window.registerWebviewPanelSerializer(TRIAGE_VIEW_TYPE, {
      deserializeWebviewPanel: (panel) => {
        table.adopt(panel);
        return Promise.resolve();
      },
    }),
  );
  if (deps.annotations) context.subscriptions.push(deps.annotations.onDidChange((c) => c.annotation && treeChanged.fire()));
  // The saved triage is read after activation, off its path (activation is measured).
  const restoreTimer = setTimeout(() => void controller.restoreSaved(), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(restoreTimer) });

  const localize = (message: string, ...args: (string | number)[]): string => vscode.l10n.t(message, ...args);
  const annotationOf = deps.annotations ? (ip: string) => deps.annotations?.annotation(ip) : undefined;
  const treeSection: TreeSection = {
    roots: () => triageRoots(controller.current, localize),
    owns: ownsTriageNode,
    children: (node) => triageChildren(controller.current, node, localize, annotationOf),
    parent: (node) => triageParent(controller.current, node, localize),
    onDidChange: (listener) => treeChanged.event(listener),
  };

  return {
    treeSection,
    onDidProgress: controller.onDidProgress,
    snapshot: () => {
      const r = controller.current;
      return {
        state: r ? r.state : 'none',
        ...(r ? { source: r.source } : {}),
        entries: r ? r.sortedEntries() : [],
        ...(r?.progress ? { progress: r.progress } : {}),
        ...(r?.report ? { report: { cancelled: r.report.cancelled, calls: r.report.calls, counts: r.report.counts, lookback: r.report.lookback } } : {}),
        notes: r ? [...r.notes] : [],
        decorations: decorations.counts(),
        markedDecorations: decorations.markedCounts(),
        ...(r?.restoredFrom ? { restoredFrom: r.restoredFrom } : {}),
        table: { open: table.isOpen, ready: table.isReady, visible: table.isVisible, rowsPosted: table.rowsPosted },
      };
    },
    currentReport: () => {
      const r = controller.current;
      return r?.report && !r.running ? { source: r.source, report: r.report } : undefined;
    },
    reloadSaved: async () => {
      await storage?.flush();
      controller.clear();
      // As a new session would: nothing in memory, everything from storage.
      controller.forgetMemory();
      return controller.restoreSaved();
    },
    flush: () => storage?.flush() ?? Promise.resolve(),
  };
}
