// The investigation history in VS Code: the Machines view's "History" group, what the panels read from it, and its
// commands (through the one error policy, runCommand). The service itself is created by the composition root, since
// the triage, the tree, the panels and the hover all read it.
import * as vscode from 'vscode';
import { runCommand } from '../../platform/runCommand';
import type { Logger } from '../../platform/logger';
import type { UserInput } from '../../platform/userInput';
import type { Configuration } from '../../platform/configuration';
import type { TriageReport } from '../../shared/triageModel';
import type { AuditEntry } from '../../shared/indicatorModel';
import { localize } from '../hover/hoverProvider';
import type { PanelController } from '../panel/investigationPanel';
import type { PanelHistorySource } from '../panel/investigationView';
import type { DefenderSession } from '../session/defenderSession';
import type { TreeSection } from '../tree/treeSection';
import { exportCase } from './caseExportCommand';
import { HISTORY_COMMANDS, clearHistory, editNote, openFromHistory, removeFromHistory, searchHistory, setVerdict, type HistoryCommandDeps } from './historyCommands';
import { tenantLabel, type HistoryService } from './historyService';
import { HISTORY_ROOT_ID, historyChildren, historyRoots, ownsHistoryNode } from './historyTreeModel';

const HAS_HISTORY = 'ipInvestigator.hasHistory';

/** The "History" group, below the investigated addresses. */
export function historyTreeSection(history: HistoryService): TreeSection {
  return {
    position: 'below',
    roots: () => historyRoots(history.entries(), tenantLabel(history.tenant), localize),
    owns: ownsHistoryNode,
    children: (node) => historyChildren(history.entries(), node, Date.now(), localize),
    parent: (node) => (node.id === HISTORY_ROOT_ID ? undefined : historyRoots(history.entries(), tenantLabel(history.tenant), localize)[0]),
    onDidChange: (listener) => history.onDidChange(() => listener()),
  };
}

/** What the panels read from the history and give to it. */
export function panelHistorySource(history: HistoryService): PanelHistorySource {
  return {
    kept: (request) => history.kept(request),
    annotation: (ip) => history.annotation(ip),
    keepExtras: (inv, extras) => history.keepExtras(inv, extras),
    onDidChange: (listener, thisArgs, disposables) => history.onDidChange(listener, thisArgs, disposables),
  };
}

export interface HistoryCommandsDeps {
  logger: Logger;
  ui: UserInput;
  config: Configuration;
  session: DefenderSession;
  history: HistoryService;
  panel: PanelController;
  triage(): { source: string; report: TriageReport } | undefined;
  /** The indicator writes of the workspace, for the case's audit trail. */
  audit?(): readonly AuditEntry[];
}

export function registerHistoryCommands(context: vscode.ExtensionContext, deps: HistoryCommandsDeps): void {
  const d: HistoryCommandDeps = { logger: deps.logger, ui: deps.ui, config: deps.config, history: deps.history, panel: deps.panel };
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [HISTORY_COMMANDS.setVerdict]: (arg) => setVerdict(d, arg),
    [HISTORY_COMMANDS.editNote]: (arg) => editNote(d, arg),
    [HISTORY_COMMANDS.search]: () => searchHistory(d),
    [HISTORY_COMMANDS.open]: (arg) => openFromHistory(d, arg),
    [HISTORY_COMMANDS.remove]: (arg) => removeFromHistory(d, arg),
    [HISTORY_COMMANDS.clear]: () => clearHistory(d),
    [HISTORY_COMMANDS.exportCase]: (arg) => exportCase({ logger: deps.logger, ui: deps.ui, history: deps.history, demo: () => deps.session.isDemo, triage: () => deps.triage(), ...(deps.audit ? { audit: () => deps.audit?.() ?? [] } : {}) }, arg),
  };
  for (const [id, handler] of Object.entries(handlers)) context.subscriptions.push(runCommand(id, handler, deps));
  let has: boolean | undefined;
  const update = (): void => {
    const now = deps.history.entries().length > 0;
    if (now === has) return;
    has = now;
    void vscode.commands.executeCommand('setContext', HAS_HISTORY, now);
  };
  context.subscriptions.push(deps.history.onDidChange(update));
  // Read right after activation, off its path (activation is measured), so the Machines view comes back at once.
  const timer = setTimeout(() => {
    deps.history.ensureLoaded();
    update();
  }, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
}
