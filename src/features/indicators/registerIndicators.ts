// Indicators in VS Code: the service (per-address lookups, permission, writes, audit trail) and the commands that
// start the write flows, all through the one error policy (runCommand). The panel, the hover and the triage table
// get the service from here.
import * as vscode from 'vscode';
import { isAddressText } from '../../shared/triageProtocol';
import type { Logger } from '../../platform/logger';
import { runCommand } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import type { Configuration } from '../../platform/configuration';
import { addressInEditor } from '../hover/cursorAddress';
import { askAddress, readArgument } from '../commands/prompts';
import type { DefenderSession } from '../session/defenderSession';
import { addIndicatorFlow, bulkAddFlow, bulkRemoveFlow, expireIndicatorFlow, removeIndicatorFlow, showIndicatorHistory, type FlowDeps } from './indicatorFlows';
import { IndicatorService } from './indicatorService';

export const INDICATOR_COMMANDS = {
  add: 'ipInvestigator.addIndicator',
  remove: 'ipInvestigator.removeIndicator',
  expire: 'ipInvestigator.expireIndicator',
  addForAddresses: 'ipInvestigator.addIndicatorsForAddresses',
  removeForAddresses: 'ipInvestigator.removeIndicatorsForAddresses',
  history: 'ipInvestigator.showIndicatorHistory',
} as const;

export interface IndicatorsFeature {
  service: IndicatorService;
  flows: FlowDeps;
}

const MAX_ADDRESSES = 15_000;

/** `{ ips: [...], source?, descriptions? }` from the triage table (its host validated the rows); checked again here. */
function readAddresses(arg: unknown): { ips: string[]; source: string; descriptions: Map<string, string> } {
  const o = (typeof arg === 'object' && arg !== null ? arg : {}) as Record<string, unknown>;
  const ips = Array.isArray(o.ips) ? o.ips.filter(isAddressText) : [];
  if (ips.length === 0) throw new RangeError(vscode.l10n.t('Select the addresses first.'));
  if (ips.length > MAX_ADDRESSES) throw new RangeError(vscode.l10n.t('At most {0} addresses at once.', MAX_ADDRESSES));
  const descriptions = new Map<string, string>();
  if (typeof o.descriptions === 'object' && o.descriptions !== null) {
    for (const [k, v] of Object.entries(o.descriptions as Record<string, unknown>)) if (typeof v === 'string' && isAddressText(k)) descriptions.set(k, v.slice(0, 1_900));
  }
  return { ips, source: typeof o.source === 'string' ? o.source.slice(0, 120) : vscode.l10n.t('the selection'), descriptions };
}

export function registerIndicators(
  context: vscode.ExtensionContext,
  deps: { logger: Logger; ui: UserInput; session: DefenderSession; config: Configuration },
): IndicatorsFeature {
  const service = new IndicatorService({ logger: deps.logger, session: deps.session, state: context.workspaceState });
  const flows: FlowDeps = { logger: deps.logger, ui: deps.ui, session: deps.session, indicators: service };
  const addressOf = async (arg: unknown, title: string): Promise<string> => {
    const a = readArgument(arg);
    if (a.ip !== undefined) return a.ip;
    const found = addressInEditor(vscode.window.activeTextEditor, deps.config.settings.logTimeZone);
    return askAddress(deps.ui, { title, prefill: found?.text });
  };
  const idOf = (arg: unknown): string | undefined => {
    const id = (typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>).id : undefined);
    return typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
  };
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [INDICATOR_COMMANDS.add]: async (arg) => addIndicatorFlow(flows, { ip: await addressOf(arg, vscode.l10n.t('Add Indicator')) }),
    [INDICATOR_COMMANDS.remove]: async (arg) => {
      const id = idOf(arg);
      return removeIndicatorFlow(flows, { ip: await addressOf(arg, vscode.l10n.t('Remove Indicator')), ...(id ? { id } : {}) });
    },
    [INDICATOR_COMMANDS.expire]: async (arg) => {
      const id = idOf(arg);
      return expireIndicatorFlow(flows, { ip: await addressOf(arg, vscode.l10n.t('Change Indicator Expiry')), ...(id ? { id } : {}) });
    },
    [INDICATOR_COMMANDS.addForAddresses]: (arg) => {
      const a = readAddresses(arg);
      return bulkAddFlow(flows, { targets: a.ips.map((ip) => ({ ip, ...(a.descriptions.has(ip) ? { description: a.descriptions.get(ip) } : {}) })), source: a.source });
    },
    [INDICATOR_COMMANDS.removeForAddresses]: (arg) => bulkRemoveFlow(flows, { ips: readAddresses(arg).ips }),
    [INDICATOR_COMMANDS.history]: () => showIndicatorHistory(flows),
  };
  for (const [id, handler] of Object.entries(handlers)) context.subscriptions.push(runCommand(id, handler, deps));
  context.subscriptions.push(service);
  return { service, flows };
}
