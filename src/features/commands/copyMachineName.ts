// Machines view "Copy Name" on a machine.
import * as vscode from 'vscode';
import type { CommandDeps } from './commandDeps';
import { readArgument } from './prompts';

export async function copyMachineName(deps: CommandDeps, node?: unknown): Promise<string | undefined> {
  const { ip, machineId } = readArgument(node);
  const m = ip && machineId ? deps.store.findMachine(ip, machineId) : undefined;
  if (!m) return undefined;
  await deps.ui.writeClipboard(m.name);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied the machine name'), 3000);
  return m.name;
}
