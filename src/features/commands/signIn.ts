// "Defender IP: Sign In": choose how (your account, an application with a secret or a certificate, or tokens from the
// environment), enter the tenant and client ids, then sign in. Ids go to user settings; the secret only to SecretStorage.
import * as vscode from 'vscode';
import { validateClientId, validateTenantId } from '../../core/auth/authConfig';
import { UserCancelled } from '../../platform/runCommand';
import type { SessionMode } from '../../platform/settings';
import type { SessionState } from '../session/defenderSession';
import type { CommandDeps } from './commandDeps';

export const SIGN_IN = 'ipInvestigator.signIn';

type Method = 'delegated' | 'secret' | 'certificate' | 'environment';

interface MethodItem extends vscode.QuickPickItem {
  method: Method;
}

function problem(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

async function ask(deps: CommandDeps, options: vscode.InputBoxOptions): Promise<string> {
  const value = await deps.ui.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) throw new UserCancelled();
  return value.trim();
}

export async function signIn(deps: CommandDeps): Promise<SessionState> {
  const s = deps.config.settings;
  const title = vscode.l10n.t('Sign In to Microsoft Defender');
  const envSet = Boolean(process.env.DEFENDER_ACCESS_TOKEN?.trim());
  const items: MethodItem[] = [
    { method: 'delegated', label: `$(account) ${vscode.l10n.t('Sign in with your account')}`, detail: vscode.l10n.t('Your own permissions, through your app registration (browser, or a device code on remote machines).') },
    { method: 'secret', label: `$(key) ${vscode.l10n.t('Sign in as an application with a client secret')}`, detail: vscode.l10n.t('The secret is kept in the OS keychain (VS Code SecretStorage), never in settings.') },
    { method: 'certificate', label: `$(file-binary) ${vscode.l10n.t('Sign in as an application with a certificate')}`, detail: vscode.l10n.t('A PEM file with the certificate and its private key.') },
    {
      method: 'environment',
      label: `$(terminal) ${vscode.l10n.t('Use access tokens from the environment')}`,
      detail: envSet ? vscode.l10n.t('DEFENDER_ACCESS_TOKEN is set (GRAPH_ACCESS_TOKEN for hunting through Graph).') : vscode.l10n.t('Set DEFENDER_ACCESS_TOKEN (and GRAPH_ACCESS_TOKEN) before starting VS Code.'),
    },
  ];
  const current: Method | undefined = s.mode === 'application' ? (s.certificatePath ? 'certificate' : 'secret') : s.mode === 'demo' ? undefined : s.mode;
  const ordered = current ? [...items.filter((i) => i.method === current), ...items.filter((i) => i.method !== current)] : items;
  const pick = await deps.ui.showQuickPick(ordered, { title, placeHolder: vscode.l10n.t('How do you want to sign in?'), ignoreFocusOut: true });
  if (!pick) throw new UserCancelled();

  let mode: SessionMode = 'environment';
  if (pick.method !== 'environment') {
    const tenantId = await ask(deps, {
      title,
      prompt: vscode.l10n.t('Directory (tenant) ID of your organisation: a GUID, or a domain such as contoso.onmicrosoft.com.'),
      value: s.tenantId,
      validateInput: (v) => problem(() => validateTenantId(v, vscode.l10n.t('This'), pick.method === 'delegated')),
    });
    const clientId = await ask(deps, {
      title,
      prompt: vscode.l10n.t('Application (client) ID of the app registration that has the Defender API permissions.'),
      value: s.clientId,
      validateInput: (v) => problem(() => validateClientId(v, vscode.l10n.t('This'))),
    });
    let certificatePath = '';
    if (pick.method === 'secret') {
      const secret = await deps.ui.showInputBox({
        title,
        prompt: vscode.l10n.t('Client secret value. It is stored in the OS keychain through VS Code, never in settings or logs.'),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Enter the client secret.') : undefined),
      });
      if (secret === undefined) throw new UserCancelled();
      await deps.session.storeClientSecret(secret.trim());
    } else if (pick.method === 'certificate') {
      const files = await deps.ui.showOpenDialog({
        title,
        canSelectMany: false,
        openLabel: vscode.l10n.t('Use This Certificate'),
        filters: { [vscode.l10n.t('PEM certificate')]: ['pem', 'crt', 'cer'] },
      });
      const file = files?.[0];
      if (!file) throw new UserCancelled();
      certificatePath = file.fsPath;
    }
    await deps.config.update('tenantId', tenantId);
    await deps.config.update('clientId', clientId);
    await deps.config.update('certificatePath', certificatePath);
    mode = pick.method === 'delegated' ? 'delegated' : 'application';
  }
  await deps.config.update('mode', mode);

  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Signing in to Microsoft Defender…'), cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        await deps.session.signIn(controller.signal);
      } finally {
        sub.dispose();
      }
    },
  );
  const state = deps.session.state();
  deps.logger.info(`Signed in (mode ${state.mode}, cloud ${state.cloud}).`);
  void deps.ui.showInformationMessage(vscode.l10n.t('Signed in to Microsoft Defender as {0} ({1} cloud).', state.account ?? state.mode, state.cloud));
  return state;
}
