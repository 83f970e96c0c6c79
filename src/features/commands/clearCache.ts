// "Defender IP: Clear Cache": the next hover or investigation asks Defender again.
import * as vscode from 'vscode';
import type { CommandDeps } from './commandDeps';

export async function clearCache(deps: CommandDeps): Promise<void> {
  await deps.session.clearCache();
  void deps.ui.showInformationMessage(vscode.l10n.t('Cleared the cached Defender results.'));
}
