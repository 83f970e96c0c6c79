// The status bar's menu: the account actions in one place.
import * as vscode from 'vscode';
import type { CommandDeps } from './commandDeps';

export async function accountMenu(deps: CommandDeps): Promise<void> {
  const demo = deps.session.isDemo;
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: `$(sign-in) ${vscode.l10n.t('Sign In…')}`, command: 'ipInvestigator.signIn' },
    ...(demo ? [] : [{ label: `$(sign-out) ${vscode.l10n.t('Sign Out')}`, command: 'ipInvestigator.signOut' }]),
    ...(demo ? [] : [{ label: `$(beaker) ${vscode.l10n.t('Use Demo Tenant')}`, command: 'ipInvestigator.useDemoTenant' }]),
    { label: `$(cloud) ${vscode.l10n.t('Select Cloud…')}`, command: 'ipInvestigator.selectCloud' },
    { label: `$(clear-all) ${vscode.l10n.t('Clear Cache')}`, command: 'ipInvestigator.clearCache' },
    { label: `$(output) ${vscode.l10n.t('Show Log')}`, command: 'ipInvestigator.showLog' },
  ];
  const pick = await deps.ui.showQuickPick(items, { title: vscode.l10n.t('Defender IP Investigator') });
  if (pick) await vscode.commands.executeCommand(pick.command);
}
