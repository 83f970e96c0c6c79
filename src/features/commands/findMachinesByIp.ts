// "Defender IP: Find Machines by Internal IP…": which machines held an internal address within ±15 minutes of a time
// (findbyip). The address and the 30-day window are checked before any request; the answer lands in the Machines view.
import * as vscode from 'vscode';
import { addressFacts, findByIpTimeProblem } from '../../core/investigation/investigationService';
import { toastText } from '../../platform/runCommand';
import type { MachinesAtTime, Problem } from '../../shared/investigation';
import { addressInEditor } from '../hover/cursorAddress';
import { formatTime } from '../hover/hoverContent';
import { trackInvestigation } from '../tree/trackInvestigation';
import type { CommandDeps } from './commandDeps';
import { askAddress, askTime, readArgument, timeArgument } from './prompts';

export const FIND_MACHINES_BY_IP = 'ipInvestigator.findMachinesByIp';

/** A failed lookup, told with the action that helps. */
async function showProblem(deps: CommandDeps, p: Problem): Promise<void> {
  const signIn = vscode.l10n.t('Sign In');
  const openLog = vscode.l10n.t('Open Log');
  const actions = p.kind === 'auth' || p.kind === 'permission' ? [signIn, openLog] : [openLog];
  const choice = await deps.ui.showErrorMessage(toastText([p.message, p.remedy].filter(Boolean).join(' ')), ...actions);
  if (choice === signIn) await vscode.commands.executeCommand('ipInvestigator.signIn');
  else if (choice === openLog) deps.logger.show();
}

export async function findMachinesByIp(deps: CommandDeps, arg?: unknown): Promise<MachinesAtTime | undefined> {
  const a = readArgument(arg);
  const settings = deps.config.settings;
  const found = addressInEditor(vscode.window.activeTextEditor, settings.logTimeZone);
  const title = vscode.l10n.t('Find Machines by Internal IP');
  const ip = a.ip ?? (await askAddress(deps.ui, { title, prefill: found?.text, internalOnly: true }));
  const v = addressFacts(ip);
  if (!v.ok) throw new RangeError(v.error);
  if (!v.facts.internal) {
    throw new RangeError(vscode.l10n.t('{0} is not an internal address: Defender finds which machine held an address only for internal (private) addresses.', v.facts.ip));
  }
  let at = timeArgument(a.at);
  if (at === undefined) {
    at = await askTime(deps.ui, {
      title: vscode.l10n.t('Find machines that held {0}', v.facts.ip),
      prompt: vscode.l10n.t('When? Defender answers for the past 30 days, within ±15 minutes of this time.'),
      prefill: found?.ip === v.facts.ip ? found.lineTime : undefined,
      forFindByIp: true,
    });
  }
  if (!at) throw new RangeError(vscode.l10n.t('The time is not valid.'));
  const problem = findByIpTimeProblem(at, Date.now());
  if (problem) throw new RangeError(problem);

  const lookback = settings.lookback;
  const inv = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Finding machines that held {0} at {1}…', v.facts.ip, formatTime(at)), cancellable: true },
    (_progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      return trackInvestigation(deps.store, () => deps.session.getService(), { facts: v.facts, lookback, at: at.toISOString(), sections: ['machinesAtTime', 'machines', 'machineDetails'] }, controller.signal).finally(() => {
        sub.dispose();
      });
    },
  );
  const failed = inv.problems.find((p) => p.source === 'machinesAtTime');
  if (failed) {
    await showProblem(deps, failed);
    return undefined;
  }
  const result = inv.machinesAtTime;
  if (!result) return undefined;
  const names = result.machines.map((m) => m.computerDnsName ?? m.id);
  if (names.length === 0) {
    void deps.ui.showInformationMessage(vscode.l10n.t('No machine held {0} within ±15 minutes of {1}.', v.facts.ip, formatTime(at)));
  } else {
    const first = result.machines[0];
    const show = vscode.l10n.t('Show in Machines View');
    void deps.ui
      .showInformationMessage(
        toastText(vscode.l10n.t('{0} held {1} at {2}.', names.slice(0, 3).join(', ') + (names.length > 3 ? ` (+${names.length - 3})` : ''), v.facts.ip, formatTime(at))),
        show,
      )
      .then((choice) => (choice === show && first ? deps.tree.reveal(v.facts.ip, first.id) : undefined));
  }
  return result;
}
