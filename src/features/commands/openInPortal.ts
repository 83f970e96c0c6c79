// Opens an address or a machine in the Defender portal of the current cloud. URLs are built here, from validated values.
import * as vscode from 'vscode';
import { addressFacts } from '../../core/investigation/investigationService';
import type { CommandDeps } from './commandDeps';
import { readArgument } from './prompts';

/** Defender machine ids are 40 hex digits; a computer name is accepted by the portal too. */
const MACHINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

export async function openInPortal(deps: CommandDeps, arg?: unknown): Promise<string> {
  const a = readArgument(arg);
  let url: string;
  if (a.machineId !== undefined && (arg as { kind?: unknown }).kind !== 'address') {
    if (!MACHINE_ID.test(a.machineId)) throw new RangeError(vscode.l10n.t('Not a machine id.'));
    url = deps.session.portalMachineUrl(a.machineId);
  } else {
    const v = addressFacts(a.ip ?? '');
    if (!v.ok) throw new RangeError(v.error);
    url = deps.session.portalIpUrl(v.facts.ip);
  }
  await deps.ui.openExternal(vscode.Uri.parse(url, true));
  if (deps.session.isDemo) void deps.ui.showInformationMessage(vscode.l10n.t('Opened the Defender portal. The demo tenant is simulated: the portal does not know its records.'));
  return url;
}
