// "Defender IP: Use Demo Tenant": switches lookups to the simulated tenant; the real tenant's sign-in is kept.
import * as vscode from 'vscode';
import type { CommandDeps } from './commandDeps';

export async function useDemoTenant(deps: CommandDeps): Promise<void> {
  await deps.session.useDemo();
  void deps.ui.showInformationMessage(vscode.l10n.t('Using the demo tenant: simulated data. Run "Defender IP: Sign In" to use your tenant.'));
}
