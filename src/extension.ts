// Composition root: creates the shared pieces and registers the extension's surfaces. Nothing else lives here.
import type * as vscode from 'vscode';
import { Configuration } from './platform/configuration';
import { createLogger } from './platform/logger';
import { Secrets } from './platform/secrets';
import { SwitchableUserInput, type UserInput } from './platform/userInput';
import { registerCommands } from './features/commands/registerCommands';
import { registerCursorContext } from './features/hover/cursorAddress';
import { registerHover } from './features/hover/hoverProvider';
import { registerMachinePanel } from './features/machine/machinePanel';
import { registerIndicators } from './features/indicators/registerIndicators';
import { registerPanel } from './features/panel/investigationPanel';
import { DefenderSession } from './features/session/defenderSession';
import { registerStatusBar } from './features/statusBar/statusBar';
import { MachineActivity } from './features/tree/machineActivity';
import { MachinesStore } from './features/tree/machinesStore';
import { registerTree, type RenderedNode } from './features/tree/machinesTree';
import { registerTriage, type TriageSnapshot } from './features/triage/registerTriage';
import type { MachineIdentity } from './shared/machineProtocol';
import { HistoryService } from './features/history/historyService';
import { historyTreeSection, panelHistorySource, registerHistoryCommands } from './features/history/registerHistory';
import { workspaceStateStore } from './platform/workspaceState';
import type { TriageProgress } from './shared/triageModel';

/** What activate() returns: facts for diagnostics, and a way for the integration suite to script the prompts. */
export interface ExtensionApi {
  readonly activationMs: number;
  readonly globalStorageUri: vscode.Uri;
  useUserInput(ui: UserInput | undefined): void;
  /** What the status bar item and the Machines view show now. */
  surfaces(): { statusBar: string; machinesDescription?: string; machines: RenderedNode[] };
  /** The current triage: entries, the decorations set in visible editors, the table. */
  triage(): TriageSnapshot;
  /** Every step of a running triage, as it streams. */
  readonly onDidTriageProgress: vscode.Event<TriageProgress>;
  /** The machine panels that are open. */
  machinePanels(): MachineIdentity[];
  /** Reads the kept history and triage again, as after a reload (what is shown is replaced): the integration suite's reload. */
  restoreState(): Promise<void>;
  /** The demo tenant's base URL (it serves its request log at SIMULATOR_REQUESTS_PATH); undefined on a real tenant. */
  simulatorUrl(): Promise<string | undefined>;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const logger = createLogger(context);
  const ui = new SwitchableUserInput();
  const config = new Configuration(logger);
  const session = new DefenderSession({ logger, config, secrets: new Secrets(context.secrets), ui });
  const store = new MachinesStore();
  const state = workspaceStateStore(context);
  const history = new HistoryService({ logger, session, store, state });
  context.subscriptions.push(config, session, history);

  // The addresses each machine talked to, shared by the machine panels and the tree's "Talked to" groups.
  const activity = new MachineActivity((id, lookback, signal) => session.getMachineService().then((s) => s.networkActivity(id, lookback, { signal })));
  context.subscriptions.push(activity, session.onDidChange(() => activity.clear()));

  const indicators = registerIndicators(context, { logger, ui, session, config });
  const triage = registerTriage(context, { logger, ui, session, indicators: indicators.service, annotations: history, storage: { storageUri: context.storageUri, state } });
  const tree = registerTree(context, { store, session, sections: [triage.treeSection, historyTreeSection(history)], activity, annotationOf: (ip) => history.annotation(ip) });
  const machinePanel = registerMachinePanel(context, { logger, ui, session, activity });
  const panel = registerPanel(context, {
    logger,
    ui,
    session,
    store,
    revealMachine: (ip, id) => tree.reveal(ip, id),
    openMachine: async (machineId, lookback) => void (await machinePanel.open({ machineId, lookback })),
    indicators,
    history: panelHistorySource(history),
  });
  context.subscriptions.push(tree.onDidSelectMachine((m) => panel.selectMachine(m.ip, m.machineId)));
  registerHistoryCommands(context, { logger, ui, config, session, history, panel, triage: () => triage.currentReport(), audit: () => indicators.service.audit.entries() });
  registerHover(context, { logger, config, session, indicators: indicators.service, annotationOf: (ip) => history.annotation(ip) });
  registerCursorContext(context);
  registerCommands(context, { logger, ui, config, session, store, panel, tree, machinePanel });
  const status = registerStatusBar(context, session);

  const activationMs = performance.now() - started;
  logger.info(`Activated in ${activationMs.toFixed(1)} ms (${session.isDemo ? 'demo tenant: simulated data' : `mode ${config.settings.mode}`})`);
  return {
    activationMs,
    globalStorageUri: context.globalStorageUri,
    useUserInput: (u) => ui.use(u),
    surfaces: () => ({ statusBar: status.text, machinesDescription: tree.view.description, machines: tree.render(4) }),
    triage: () => triage.snapshot(),
    onDidTriageProgress: triage.onDidProgress,
    machinePanels: () => machinePanel.openPanels(),
    restoreState: async () => {
      history.flush();
      history.load({ replaceTree: true });
      await triage.reloadSaved();
    },
    simulatorUrl: () => session.simulatorUrl(),
  };
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
