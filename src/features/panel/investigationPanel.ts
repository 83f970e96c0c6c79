// The investigation panels: one per address (investigating it again reveals it), restored after a
// reload by a serializer from `{ ip, at, lookback }` (and re-fetched), plus the panel's own commands.
import * as vscode from 'vscode';
import { RdapClient } from '../../core/enrichment/rdapClient';
import { addressFacts } from '../../core/investigation/investigationService';
import type { Logger } from '../../platform/logger';
import { runCommand } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import { LOOKBACKS, type AddressFacts, type Lookback } from '../../shared/investigation';
import { parsePanelIdentity, type PanelIdentity } from '../../shared/protocol';
import type { DefenderSession } from '../session/defenderSession';
import type { MachinesStore } from '../tree/machinesStore';
import type { KeptInvestigation } from '../../core/history/historyModel';
import type { IndicatorsFeature } from '../indicators/registerIndicators';
import { InvestigationView, PANEL_VIEW_TYPE, type PanelHistorySource, type ViewDeps } from './investigationView';
import { PORTAL_ID } from './panelRuns';

export { PANEL_VIEW_TYPE } from './investigationView';

export interface PanelController {
  /** Opens (or reveals) the panel of an address; `seed` shows what the history kept instead of asking again. */
  open(request: { ip: string; at?: string; lookback: Lookback }, options?: { seed?: KeptInvestigation }): Promise<void>;
  selectMachine(ip: string, machineId: string): void;
}

export interface PanelDeps {
  logger: Logger;
  /** Prompts and messages (scripted by the integration suite). */
  ui: UserInput;
  session: DefenderSession;
  store: MachinesStore;
  revealMachine(ip: string, machineId: string): Promise<void>;
  openMachine(machineId: string, lookback: Lookback): Promise<void>;
  /** The Indicators section's service and flows. */
  indicators?: IndicatorsFeature;
  /** The investigation history: restored panels show what it kept (no request) while it is fresh. */
  history?: PanelHistorySource;
}

export const REFRESH_PANEL = 'ipInvestigator.refreshInvestigation';
export const EXPORT_PANEL = 'ipInvestigator.exportInvestigation';

/**
 * `ipInvestigator.enrichment.rdap` (scope application): read from user settings and the default only,
 * so a workspace cannot make the extension send addresses to a third party.
 */
export function rdapEnabled(): boolean {
  const i = vscode.workspace.getConfiguration('ipInvestigator').inspect<boolean>('enrichment.rdap');
  const v = i?.globalValue ?? i?.defaultValue;
  return typeof v === 'boolean' ? v : true;
}

/** The identity in a restored state, with the address validated and normalised; undefined otherwise. */
export function validIdentity(x: unknown): { identity: PanelIdentity; facts: AddressFacts } | undefined {
  const identity = parsePanelIdentity(x);
  if (!identity) return undefined;
  const v = addressFacts(identity.ip);
  if (!v.ok) return undefined;
  return { identity: { ...identity, ip: v.facts.ip }, facts: v.facts };
}

class PanelManager implements vscode.Disposable {
  private readonly views = new Map<string, InvestigationView>();
  private readonly viewDeps: ViewDeps;
  private active: InvestigationView | undefined;

  constructor(context: vscode.ExtensionContext, private readonly deps: PanelDeps) {
    this.viewDeps = {
      logger: deps.logger,
      session: deps.session,
      store: deps.store,
      revealMachine: (ip, id) => deps.revealMachine(ip, id),
      openMachine: (id, lookback) => deps.openMachine(id, lookback),
      rdap: new RdapClient({ enabled: rdapEnabled }),
      rdapEnabled,
      extensionUri: context.extensionUri,
      ...(deps.indicators ? { indicators: deps.indicators } : {}),
      ...(deps.history ? { history: deps.history } : {}),
    };
  }

  async open(request: { ip: string; at?: string; lookback: Lookback }, options: { seed?: KeptInvestigation } = {}): Promise<void> {
    const v = addressFacts(request.ip);
    if (!v.ok) throw new RangeError(v.error);
    if (!LOOKBACKS.includes(request.lookback)) throw new RangeError(`Look-back must be one of ${LOOKBACKS.join(', ')}.`);
    if (request.at !== undefined && Number.isNaN(Date.parse(request.at))) throw new RangeError('The time is not valid.');
    const ip = v.facts.ip;
    const at = request.at !== undefined ? new Date(request.at).toISOString() : undefined;
    const existing = this.views.get(ip);
    if (existing) {
      existing.panel.reveal(undefined, false);
      existing.reinvestigate({ lookback: request.lookback, ...(at ? { at } : {}) });
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `IP ${ip}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {});
    this.adopt(panel, v.facts, { ip, lookback: request.lookback, ...(at ? { at } : {}) }, options.seed);
    await Promise.resolve();
  }

  /** Restores a panel after a reload; a state that does not validate closes it. */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const valid = validIdentity(state);
    if (!valid || this.views.has(valid.identity.ip)) {
      this.deps.logger.info(valid ? `Panel ${valid.identity.ip} is already open; closing the restored copy.` : 'Closing a restored panel without a valid state.');
      panel.dispose();
      return Promise.resolve();
    }
    // After a reload: what the history kept for this identity, while it is fresh, instead of asking again.
    this.adopt(panel, valid.facts, valid.identity, this.deps.history?.kept(valid.identity));
    return Promise.resolve();
  }

  private adopt(panel: vscode.WebviewPanel, facts: AddressFacts, identity: PanelIdentity, seed?: KeptInvestigation): void {
    const view = new InvestigationView(panel, facts, identity, this.viewDeps);
    this.views.set(facts.ip, view);
    view.onDidDispose(() => {
      this.views.delete(facts.ip);
      if (this.active === view) this.active = undefined;
    });
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.active = view;
    });
    if (panel.active) this.active = view;
    this.deps.logger.info(`Panel ${facts.ip} opened (look-back ${identity.lookback}${identity.at ? `, at ${identity.at}` : ''})`);
    const matching = seed && seed.investigation.lookback === identity.lookback && seed.investigation.at === identity.at ? seed : undefined;
    if (matching) view.restore(matching);
    else view.refresh(false);
  }

  selectMachine(ip: string, machineId: string): void {
    const v = addressFacts(ip);
    if (!v.ok || !PORTAL_ID.test(machineId)) return;
    this.views.get(v.facts.ip)?.selectMachine(machineId);
  }

  /** The panel a title-bar command acts on: the active one, else the only one. */
  current(): InvestigationView | undefined {
    if (this.active) return this.active;
    return this.views.size === 1 ? [...this.views.values()][0] : undefined;
  }

  dispose(): void {
    for (const v of [...this.views.values()]) v.dispose();
    this.views.clear();
  }
}

function command(id: string, deps: PanelDeps, handler: () => Promise<unknown>): vscode.Disposable {
  return runCommand(id, () => handler(), { logger: deps.logger, ui: deps.ui });
}

/** Registers the panel serializer and commands; the returned controller opens and drives panels. */
export function registerPanel(context: vscode.ExtensionContext, deps: PanelDeps): PanelController {
  const manager = new PanelManager(context, deps);
  const noPanel = () => new RangeError(vscode.l10n.t('Open an investigation panel first.'));
  context.subscriptions.push(
    manager,
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => manager.restore(panel, state),
    }),
    command(REFRESH_PANEL, deps, () => {
      const view = manager.current();
      if (!view) throw noPanel();
      view.refresh(true);
      return Promise.resolve();
    }),
    command(EXPORT_PANEL, deps, async () => {
      const view = manager.current();
      if (!view) throw noPanel();
      await view.exportFromCommand();
    }),
  );
  return {
    open: (request, options) => manager.open(request, options),
    selectMachine: (ip, machineId) => manager.selectMachine(ip, machineId),
  };
}
