// The machine panels: one per machine (opening it again reveals it), restored after a reload by a serializer from
// `{ machineId, lookback }` (and fetched again), plus the panel's title-bar commands.
import * as vscode from 'vscode';
import type { Logger } from '../../platform/logger';
import { runCommand } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import { LOOKBACKS, type Lookback } from '../../shared/investigation';
import type { MachineIdentity } from '../../shared/machineProtocol';
import type { DefenderSession } from '../session/defenderSession';
import type { MachineActivity } from '../tree/machineActivity';
import { validMachineIdentity } from './machineRuns';
import { MACHINE_VIEW_TYPE, MachineView, type MachineViewDeps } from './machineView';

export { MACHINE_VIEW_TYPE } from './machineView';

export const REFRESH_MACHINE = 'ipInvestigator.refreshMachine';
export const EXPORT_MACHINE = 'ipInvestigator.exportMachine';

export interface MachinePanelController {
  /** Opens (or reveals) the machine's panel; the id must be a device id (40 hex digits). */
  open(request: { machineId: string; lookback: Lookback }, options?: { preserveFocus?: boolean }): Promise<MachineIdentity>;
  /** The identities of the open machine panels (diagnostics and the integration suite). */
  openPanels(): MachineIdentity[];
}

export interface MachinePanelDeps {
  logger: Logger;
  ui: UserInput;
  session: DefenderSession;
  activity: MachineActivity;
}

class MachinePanelManager implements vscode.Disposable {
  private readonly views = new Map<string, MachineView>();
  private readonly viewDeps: MachineViewDeps;
  private active: MachineView | undefined;

  constructor(context: vscode.ExtensionContext, private readonly deps: MachinePanelDeps) {
    this.viewDeps = {
      logger: deps.logger,
      session: deps.session,
      extensionUri: context.extensionUri,
      activity: deps.activity,
      investigateIp: (ip, lookback) => vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip, lookback }),
      triage: (addresses, source) => vscode.commands.executeCommand('ipInvestigator.triageAddresses', { addresses, source }),
    };
  }

  open(request: { machineId: string; lookback: Lookback }, options: { preserveFocus?: boolean } = {}): Promise<MachineIdentity> {
    const identity = validMachineIdentity(request);
    if (!identity) {
      if (!LOOKBACKS.includes(request.lookback)) throw new RangeError(`Look-back must be one of ${LOOKBACKS.join(', ')}.`);
      throw new RangeError(vscode.l10n.t("'{0}' is not a Defender device id (40 hexadecimal digits).", String(request.machineId).slice(0, 60)));
    }
    const existing = this.views.get(identity.machineId);
    if (existing) {
      existing.panel.reveal(undefined, options.preserveFocus === true);
      existing.setLookback(identity.lookback);
      return Promise.resolve(existing.identity);
    }
    const panel = vscode.window.createWebviewPanel(MACHINE_VIEW_TYPE, vscode.l10n.t('Machine {0}…', identity.machineId.slice(0, 8)), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus === true }, {});
    this.adopt(panel, identity);
    return Promise.resolve(identity);
  }

  /** Restores a panel after a reload; a state that does not validate (or a machine already open) closes it. */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const identity = validMachineIdentity(state);
    if (!identity || this.views.has(identity.machineId)) {
      this.deps.logger.info(identity ? `Machine ${identity.machineId} is already open; closing the restored copy.` : 'Closing a restored machine panel without a valid state.');
      panel.dispose();
      return Promise.resolve();
    }
    this.adopt(panel, identity);
    return Promise.resolve();
  }

  private adopt(panel: vscode.WebviewPanel, identity: MachineIdentity): void {
    const view = new MachineView(panel, identity, this.viewDeps);
    this.views.set(identity.machineId, view);
    view.onDidDispose(() => {
      this.views.delete(identity.machineId);
      if (this.active === view) this.active = undefined;
    });
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.active = view;
    });
    if (panel.active) this.active = view;
    this.deps.logger.info(`Machine panel ${identity.machineId} opened (look-back ${identity.lookback})`);
    view.refresh(false);
  }

  current(): MachineView | undefined {
    if (this.active) return this.active;
    return this.views.size === 1 ? [...this.views.values()][0] : undefined;
  }

  identities(): MachineIdentity[] {
    return [...this.views.values()].map((v) => v.identity);
  }

  dispose(): void {
    for (const v of [...this.views.values()]) v.dispose();
    this.views.clear();
  }
}

/** Registers the machine panel's serializer and commands; the returned controller opens panels. */
export function registerMachinePanel(context: vscode.ExtensionContext, deps: MachinePanelDeps): MachinePanelController {
  const manager = new MachinePanelManager(context, deps);
  const noPanel = () => new RangeError(vscode.l10n.t('Open a machine view first.'));
  context.subscriptions.push(
    manager,
    vscode.window.registerWebviewPanelSerializer(MACHINE_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => manager.restore(panel, state),
    }),
    runCommand(
      REFRESH_MACHINE,
      () => {
        const view = manager.current();
        if (!view) throw noPanel();
        view.refresh(true);
      },
      deps,
    ),
    runCommand(
      EXPORT_MACHINE,
      async () => {
        const view = manager.current();
        if (!view) throw noPanel();
        const message = await view.answer({ type: 'export' });
        if (message) void vscode.window.setStatusBarMessage(message, 5000);
      },
      deps,
    ),
  );
  return {
    open: (request, options) => manager.open(request, options),
    openPanels: () => manager.identities(),
  };
}
