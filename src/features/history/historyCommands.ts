// The history's commands: set a verdict, edit a note (from the Machines view, the panel, the triage table or the
// command palette with the address under the cursor), search the history, open an address from it (from what was kept,
// without a request while fresh), remove one, clear the tenant's history (confirmed), and export the case. Every prompt
// goes through UserInput, every failure through the runCommand policy.
import * as vscode from 'vscode';
import { isFresh } from '../../core/history/historyModel';
import { addressFacts } from '../../core/investigation/investigationService';
import type { Configuration } from '../../platform/configuration';
import type { Logger } from '../../platform/logger';
import { UserCancelled } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import { ANALYST_VERDICTS, MAX_NOTE_CHARS, type AnalystVerdict, type Annotation } from '../../shared/annotation';
import { LOOKBACK_DAYS } from '../../shared/investigation';
import { askAddress, readArgument } from '../commands/prompts';
import { addressInEditor } from '../hover/cursorAddress';
import { localize } from '../hover/hoverProvider';
import type { PanelController } from '../panel/investigationPanel';
import { plain } from '../tree/plainText';
import { relativeTime } from '../tree/treeModel';
import { verdictLabel } from './annotationText';
import { tenantLabel, type HistoryService } from './historyService';

export const HISTORY_COMMANDS = {
  setVerdict: 'ipInvestigator.setVerdict',
  editNote: 'ipInvestigator.editNote',
  search: 'ipInvestigator.history.search',
  open: 'ipInvestigator.history.open',
  remove: 'ipInvestigator.history.remove',
  clear: 'ipInvestigator.history.clear',
  exportCase: 'ipInvestigator.exportCase',
} as const;

export interface HistoryCommandDeps {
  logger: Logger;
  ui: UserInput;
  config: Configuration;
  history: HistoryService;
  panel: PanelController;
}

/** The address a command acts on: its argument (a tree node, a hover or panel link, a string), the one under the cursor, or asked. */
async function targetAddress(deps: HistoryCommandDeps, arg: unknown, title: string): Promise<string> {
  const given = readArgument(arg).ip ?? addressInEditor(vscode.window.activeTextEditor, deps.config.settings.logTimeZone)?.ip ?? (await askAddress(deps.ui, { title }));
  const v = addressFacts(given);
  if (!v.ok) throw new RangeError(v.error);
  return v.facts.ip;
}

/** A verdict given by a script (`{ ip, verdict }`), validated; undefined when none was given. */
function verdictArgument(arg: unknown): AnalystVerdict | null | undefined {
  if (arg === null || typeof arg !== 'object') return undefined;
  const v = (arg as Record<string, unknown>).verdict;
  if (v === undefined) return undefined;
  if (v === null || v === 'none') return null;
  if (typeof v === 'string' && (ANALYST_VERDICTS as readonly string[]).includes(v)) return v as AnalystVerdict;
  throw new RangeError(vscode.l10n.t('Unknown verdict: use malicious, suspicious, benign, false-positive or unknown.'));
}

/** "Defender IP: Set Verdict…": the analyst's verdict on an address, kept with the history of this tenant. */
export async function setVerdict(deps: HistoryCommandDeps, arg?: unknown): Promise<Annotation | undefined> {
  const ip = await targetAddress(deps, arg, vscode.l10n.t('Set Verdict'));
  let verdict = verdictArgument(arg);
  if (verdict === undefined) {
    const current = deps.history.annotation(ip)?.verdict;
    type Item = vscode.QuickPickItem & { verdict: AnalystVerdict | null };
    const items: Item[] = ANALYST_VERDICTS.map((v) => ({ label: verdictLabel(v, localize), ...(v === current ? { description: vscode.l10n.t('current') } : {}), verdict: v }));
    if (current) items.push({ label: vscode.l10n.t('Remove the verdict'), verdict: null });
    const picked = await deps.ui.showQuickPick(items, { title: vscode.l10n.t('Verdict on {0}', ip), placeHolder: vscode.l10n.t('Your verdict, kept with the investigation history of this tenant') });
    if (!picked) throw new UserCancelled();
    verdict = picked.verdict;
  }
  const entry = deps.history.annotate(ip, { verdict });
  deps.logger.info(`History: ${ip} ${verdict ? `marked ${verdict}` : 'verdict removed'} (${deps.history.tenant.scope}).`);
  vscode.window.setStatusBarMessage(verdict ? vscode.l10n.t('{0} marked {1}', ip, verdictLabel(verdict, localize)) : vscode.l10n.t('Verdict on {0} removed', ip), 4000);
  return entry?.annotation;
}

/** "Defender IP: Edit Note…": a free-text note on an address (empty removes it). */
export async function editNote(deps: HistoryCommandDeps, arg?: unknown): Promise<Annotation | undefined> {
  const ip = await targetAddress(deps, arg, vscode.l10n.t('Edit Note'));
  const given = arg !== null && typeof arg === 'object' ? (arg as Record<string, unknown>).note : undefined;
  let note: string;
  if (typeof given === 'string') note = given;
  else {
    const typed = await deps.ui.showInputBox({
      title: vscode.l10n.t('Note on {0}', ip),
      prompt: vscode.l10n.t('A note for the case, kept with the investigation history of this tenant. Leave empty to remove it. Do not paste secrets.'),
      value: deps.history.annotation(ip)?.note ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => (v.length > MAX_NOTE_CHARS ? vscode.l10n.t('At most {0} characters ({1} now).', MAX_NOTE_CHARS, v.length) : undefined),
    });
    if (typed === undefined) throw new UserCancelled();
    note = typed;
  }
  if (note.length > MAX_NOTE_CHARS) throw new RangeError(vscode.l10n.t('At most {0} characters ({1} now).', MAX_NOTE_CHARS, note.length));
  const entry = deps.history.annotate(ip, { note });
  deps.logger.info(`History: note on ${ip} ${note.trim() ? 'saved' : 'removed'} (${deps.history.tenant.scope}).`);
  return entry?.annotation;
}

/** "Defender IP: Open from History": the tree and the panel from what was kept while it is fresh; otherwise asked again. */
export async function openFromHistory(deps: HistoryCommandDeps, arg?: unknown): Promise<'restored' | 'investigated'> {
  const ip = readArgument(arg).ip;
  const v = ip !== undefined ? addressFacts(ip) : undefined;
  if (!v?.ok) throw new RangeError(vscode.l10n.t('Choose an address of the history.'));
  const entry = deps.history.get(v.facts.ip);
  if (!entry) throw new RangeError(vscode.l10n.t('{0} is not in the investigation history of this tenant.', v.facts.ip));
  const lookback = entry.lookback ?? deps.config.settings.lookback;
  const request = { ip: entry.ip, lookback, ...(entry.at ? { at: entry.at } : {}) };
  if (entry.kept && isFresh(entry.kept)) {
    deps.history.restoreEntry(entry.ip);
    await deps.panel.open(request, { seed: entry.kept });
    return 'restored';
  }
  // Nothing kept, or too old to show as it was: investigate again (the tree and the panel fill as it arrives).
  await vscode.commands.executeCommand('ipInvestigator.investigateIp', request);
  return 'investigated';
}

/** "Defender IP: Search Investigation History…": every address of this tenant, by address, verdict or note. */
export async function searchHistory(deps: HistoryCommandDeps): Promise<string | undefined> {
  const entries = deps.history.entries();
  if (entries.length === 0) {
    void deps.ui.showInformationMessage(vscode.l10n.t('The investigation history of {0} is empty: investigate an address first.', tenantLabel(deps.history.tenant)));
    return undefined;
  }
  const now = Date.now();
  type Item = vscode.QuickPickItem & { ip: string };
  const items: Item[] = entries.map((e) => {
    const parts: string[] = [];
    if (e.annotation?.verdict) parts.push(verdictLabel(e.annotation.verdict, localize));
    parts.push(e.lastInvestigatedAt ? vscode.l10n.t('investigated {0}', relativeTime(e.lastInvestigatedAt, now, localize)) : vscode.l10n.t('not investigated'));
    if (e.lookback) parts.push(vscode.l10n.t('{0} d', LOOKBACK_DAYS[e.lookback]));
    if (e.kept) parts.push(vscode.l10n.t('data from {0}', relativeTime(e.kept.fetchedAt, now, localize)));
    const note = e.annotation?.note;
    return { label: e.ip, description: parts.join(' · '), ...(note ? { detail: plain(note, 200) } : {}), ip: e.ip };
  });
  const picked = await deps.ui.showQuickPick(items, {
    title: vscode.l10n.t('Investigation history: {0}', tenantLabel(deps.history.tenant)),
    placeHolder: vscode.l10n.t('Address, verdict or words of a note'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) throw new UserCancelled();
  await openFromHistory(deps, { ip: picked.ip });
  return picked.ip;
}

/** "Remove from History" on an address: its verdict and note go too; it leaves the Machines view. */
export function removeFromHistory(deps: HistoryCommandDeps, arg?: unknown): boolean {
  const ip = readArgument(arg).ip;
  const v = ip !== undefined ? addressFacts(ip) : undefined;
  if (!v?.ok) throw new RangeError(vscode.l10n.t('Choose an address of the history.'));
  return deps.history.remove(v.facts.ip);
}

/** "Defender IP: Clear History…": this tenant's history (verdicts and notes too), after a confirmation. */
export async function clearHistory(deps: HistoryCommandDeps): Promise<number> {
  const entries = deps.history.entries();
  if (entries.length === 0) {
    void deps.ui.showInformationMessage(vscode.l10n.t('The investigation history of {0} is already empty.', tenantLabel(deps.history.tenant)));
    return 0;
  }
  const marked = entries.filter((e) => e.annotation).length;
  const action = vscode.l10n.t('Clear History');
  const ok = await deps.ui.confirm(
    vscode.l10n.t('Clear the investigation history of {0}?', tenantLabel(deps.history.tenant)),
    vscode.l10n.t('{0} addresses, {1} with your verdict or note, and the Machines view. Other tenants keep theirs. This cannot be undone.', entries.length, marked),
    action,
  );
  if (!ok) throw new UserCancelled();
  const n = deps.history.clear();
  deps.logger.info(`History: cleared ${n} addresses of ${deps.history.tenant.scope}.`);
  return n;
}
