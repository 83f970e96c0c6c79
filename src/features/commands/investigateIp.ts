// "Defender IP: Investigate IP Address…": opens the investigation panel for an address (from a hover link, the tree, the
// selection or the cursor, or typed) and fills the Machines view as the data arrives.
import * as vscode from 'vscode';
import { addressFacts } from '../../core/investigation/investigationService';
import { reportFailure } from '../../platform/runCommand';
import type { Investigation } from '../../shared/investigation';
import { addressInEditor } from '../hover/cursorAddress';
import { trackInvestigation } from '../tree/trackInvestigation';
import type { CommandDeps } from './commandDeps';
import { askAddress, askTime, readArgument, timeArgument } from './prompts';

export const INVESTIGATE_IP = 'ipInvestigator.investigateIp';

/** Resolves when the Machines view has the finished investigation (the panel paints on its own). */
export async function investigateIp(deps: CommandDeps, arg?: unknown): Promise<Investigation | undefined> {
  const a = readArgument(arg);
  const settings = deps.config.settings;
  let address = a.ip;
  let at = timeArgument(a.at);
  if (address === undefined) {
    const found = addressInEditor(vscode.window.activeTextEditor, settings.logTimeZone);
    address = await askAddress(deps.ui, { title: vscode.l10n.t('Investigate IP Address'), prefill: found?.text });
    const facts = addressFacts(address);
    // The time matters only for internal addresses (which machine held it then).
    if (facts.ok && facts.facts.internal) {
      at = await askTime(deps.ui, {
        title: vscode.l10n.t('Investigate {0}: time (optional)', facts.facts.ip),
        prompt: vscode.l10n.t('Optional: a time to see which machine held this internal address then (within the past 30 days). Leave empty to skip.'),
        prefill: found?.ip === facts.facts.ip ? found.lineTime : undefined,
        optional: true,
      });
    }
  }
  const v = addressFacts(address);
  if (!v.ok) throw new RangeError(v.error);
  const lookback = a.lookback ?? settings.lookback;
  const request = { ip: v.facts.ip, lookback, ...(at ? { at: at.toISOString() } : {}) };
  deps.logger.info(`Investigating ${request.ip} (look-back ${lookback}${request.at ? `, at ${request.at}` : ''})`);
  const tracking = trackInvestigation(deps.store, () => deps.session.getService(), { facts: v.facts, lookback, ...(request.at ? { at: request.at } : {}) });
  await deps.panel.open(request);
  try {
    return await tracking;
  } catch (error) {
    // The panel shows its own state; a failure of the whole lookup (e.g. not signed in) is also said once here.
    await reportFailure(INVESTIGATE_IP, error, deps);
    return undefined;
  }
}
