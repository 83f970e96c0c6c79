// Machines view "Copy Id" on a machine: the Defender machine id (40 hex digits).
import * as vscode from 'vscode';
import type { CommandDeps } from './commandDeps';
import { readArgument } from './prompts';

export async function copyMachineId(deps: CommandDeps, node?: unknown): Promise<string | undefined> {
  const { machineId } = readArgument(node);
  if (!machineId) return undefined;
  await deps.ui.writeClipboard(machineId);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied the machine id'), 3000);
  return machineId;
}
