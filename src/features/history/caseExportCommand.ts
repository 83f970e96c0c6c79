// "Defender IP: Export Case…": the whole investigation of this workspace in the current tenant (the history's
// addresses, verdicts, notes, machines, alerts and queries, and the latest triage) as a Markdown report and as JSON,
// opened in editors or saved side by side where the user chooses. Built from what is kept: no request.
import * as vscode from 'vscode';
import { buildCase, caseAuditTrail, caseJson, caseMarkdown } from '../../core/history/caseExport';
import type { TenantInfo } from '../../core/history/historyModel';
import type { Logger } from '../../platform/logger';
import { UserCancelled } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import type { AuditEntry } from '../../shared/indicatorModel';
import type { TriageReport } from '../../shared/triageModel';
import { tenantLabel, type HistoryService } from './historyService';

export interface CaseExportDeps {
  logger: Logger;
  ui: UserInput;
  history: HistoryService;
  demo(): boolean;
  /** The latest finished triage of the current tenant, if any. */
  triage(): { source: string; report: TriageReport } | undefined;
  /** The workspace's indicator writes, newest first (every tenant's: the case keeps its own). */
  audit?(): readonly AuditEntry[];
}

export type CaseExportChoice = 'open' | 'save';

export interface CaseExportResult {
  markdown: string;
  json: string;
  /** Where they went: untitled documents or files. */
  uris: string[];
}

/** `ipinv-case-demo-simulator-2026-12-02T1200Z`: a file name from the tenant and the time. */
export function caseFileBase(tenant: TenantInfo, at: string): string {
  const scope = tenant.scope.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return `ipinv-case-${scope}-${at.slice(0, 16).replace(/:/g, '')}Z`;
}

/** Arguments a script may pass: `{ choice: 'open' }`, or `{ choice: 'save', target: Uri }` (the .md; the .json goes beside it). */
function readArgs(arg: unknown): { choice?: CaseExportChoice; target?: vscode.Uri } {
  if (arg === null || typeof arg !== 'object') return {};
  const o = arg as Record<string, unknown>;
  return {
    ...(o.choice === 'open' || o.choice === 'save' ? { choice: o.choice } : {}),
    ...(o.target instanceof vscode.Uri ? { target: o.target } : {}),
  };
}

export async function exportCase(deps: CaseExportDeps, arg?: unknown): Promise<CaseExportResult | undefined> {
  const args = readArgs(arg);
  const tenant = deps.history.tenant;
  const entries = deps.history.entries();
  const triage = deps.triage();
  if (entries.length === 0 && !triage) {
    throw new RangeError(vscode.l10n.t('Nothing to export for {0} yet: investigate or triage addresses first.', tenantLabel(tenant)));
  }
  let choice = args.choice;
  if (!choice) {
    type Item = vscode.QuickPickItem & { choice: CaseExportChoice };
    const picked = await deps.ui.showQuickPick<Item>(
      [
        { label: vscode.l10n.t('Open in editors'), description: vscode.l10n.t('the Markdown report and the JSON, unsaved'), choice: 'open' },
        { label: vscode.l10n.t('Save…'), description: vscode.l10n.t('the Markdown report, and the JSON beside it'), choice: 'save' },
      ],
      { title: vscode.l10n.t('Export the case: {0}', tenantLabel(tenant)) },
    );
    if (!picked) throw new UserCancelled();
    choice = picked.choice;
  }
  const generatedAt = new Date().toISOString();
  const audit = caseAuditTrail(tenant, deps.audit?.() ?? []);
  const doc = buildCase({ generatedAt, tenant, tenantLabel: tenantLabel(tenant), demo: deps.demo(), entries, ...(triage ? { triage } : {}), ...(audit ? { auditTrail: audit } : {}) });
  const markdown = caseMarkdown(doc, audit);
  const json = caseJson(doc);
  if (choice === 'open') {
    const jsonDoc = await vscode.workspace.openTextDocument({ language: 'json', content: json });
    await vscode.window.showTextDocument(jsonDoc, { preview: false, preserveFocus: true });
    const mdDoc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
    await vscode.window.showTextDocument(mdDoc, { preview: false });
    deps.logger.info(`Case export of ${tenant.scope}: ${doc.addresses.length} addresses, opened in editors.`);
    return { markdown, json, uris: [mdDoc.uri.toString(), jsonDoc.uri.toString()] };
  }
  let target = args.target;
  if (!target) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    target = await deps.ui.showSaveDialog({
      title: vscode.l10n.t('Save the case (the JSON goes beside it)'),
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${caseFileBase(tenant, generatedAt)}.md`) } : {}),
      filters: { Markdown: ['md'] },
    });
    if (!target) throw new UserCancelled();
  }
  const mdUri = /\.md$/i.test(target.path) ? target : target.with({ path: `${target.path}.md` });
  const jsonUri = mdUri.with({ path: mdUri.path.replace(/\.md$/i, '.json') });
  await vscode.workspace.fs.writeFile(mdUri, Buffer.from(markdown, 'utf8'));
  await vscode.workspace.fs.writeFile(jsonUri, Buffer.from(json, 'utf8'));
  const where = mdUri.scheme === 'file' ? mdUri.fsPath : mdUri.toString(true);
  deps.logger.info(`Case export of ${tenant.scope}: ${doc.addresses.length} addresses, saved to ${where} and its .json.`);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Case saved to {0} (and its .json).', where), 6000);
  return { markdown, json, uris: [mdUri.toString(), jsonUri.toString()] };
}
