// "Defender IP: Sign Out": forgets the account, the token cache and the client secret; lookups go to the demo tenant.
import * as vscode from 'vscode';
import type { CommandDeps } from './commandDeps';

export async function signOut(deps: CommandDeps): Promise<void> {
  await deps.session.signOut();
  deps.logger.info('Signed out.');
  void deps.ui.showInformationMessage(vscode.l10n.t('Signed out of Microsoft Defender. Lookups use the demo tenant (simulated data) until you sign in again.'));
}
