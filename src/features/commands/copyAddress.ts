// "Defender IP: Copy Address": copies the normalised (refanged) address from a hover link, the tree, or the editor.
import * as vscode from 'vscode';
import { addressFacts } from '../../core/investigation/investigationService';
import { addressInEditor } from '../hover/cursorAddress';
import type { CommandDeps } from './commandDeps';
import { askAddress, readArgument } from './prompts';

export async function copyAddress(deps: CommandDeps, arg?: unknown): Promise<string> {
  const given = readArgument(arg).ip;
  const ip =
    given ??
    addressInEditor(vscode.window.activeTextEditor, deps.config.settings.logTimeZone)?.ip ??
    (await askAddress(deps.ui, { title: vscode.l10n.t('Copy IP Address') }));
  const v = addressFacts(ip);
  if (!v.ok) throw new RangeError(v.error);
  await deps.ui.writeClipboard(v.facts.ip);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', v.facts.ip), 3000);
  return v.facts.ip;
}
