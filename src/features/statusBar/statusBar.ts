// The status bar item: which tenant the lookups go to (demo, or mode, cloud and account); a click opens the account menu.
import * as vscode from 'vscode';
import { escapeMarkdown } from '../../shared/markdown';
import { DEMO_NOTICE } from '../hover/hoverContent';
import type { DefenderSession, SessionState } from '../session/defenderSession';

const CLOUD_LABELS: Record<string, string> = { commercial: 'Commercial', gcc: 'GCC', 'gcc-high': 'GCC High', dod: 'DoD' };
const MODE_LABELS: Record<string, string> = { delegated: 'Signed-in user', application: 'Application', environment: 'Environment token' };

/** Text and tooltip for a session state (exported for tests). */
export function statusText(s: SessionState): { text: string; tooltip: string } {
  if (s.demo) {
    return {
      text: `$(beaker) ${vscode.l10n.t(DEMO_NOTICE)}`,
      tooltip: vscode.l10n.t('Defender IP Investigator uses a simulated tenant on this machine. Click to sign in to your tenant.'),
    };
  }
  const cloud = `${CLOUD_LABELS[s.cloud] ?? s.cloud}${s.region ? ` (${s.region})` : ''}`;
  const who = s.signedIn ? (s.account ?? vscode.l10n.t('signed in')) : vscode.l10n.t('not signed in');
  return {
    text: `$(shield) ${who.replace(/\$/g, "")} · ${cloud}`,
    tooltip: vscode.l10n.t('Defender IP Investigator: {0}, {1} cloud, {2}. Click for the account menu.', MODE_LABELS[s.mode] ?? s.mode, cloud, who),
  };
}

export function registerStatusBar(context: vscode.ExtensionContext, session: DefenderSession): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('ipInvestigator.status', vscode.StatusBarAlignment.Right, 100);
  item.name = vscode.l10n.t('Defender IP Investigator');
  item.command = 'ipInvestigator.accountMenu';
  const update = () => {
    const { text, tooltip } = statusText(session.state());
    item.text = text;
    // The account name comes from the sign-in service: escaped like any other outside text.
    const md = new vscode.MarkdownString(escapeMarkdown(tooltip, 400));
    md.isTrusted = false;
    item.tooltip = md;
    item.accessibilityInformation = { label: tooltip };
  };
  update();
  item.show();
  context.subscriptions.push(item, session.onDidChangeState(update));
  return item;
}
