// Exports of a panel's investigation: the Markdown report to the clipboard or a new untitled document,
// and any table as JSON or CSV to a file the user picks.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { exportFileName, exportRecords, markdownReport, toCsv, toJson, type ReportOptions } from '../../core/investigation/report';
import type { Investigation } from '../../shared/investigation';
import { EXPORT_TABLES, type ExportFormat, type ExportTable } from '../../shared/protocol';

const TABLE_LABELS: Record<ExportTable, string> = {
  alerts: 'Alerts',
  machines: 'Observed machines',
  timeline: 'Timeline events',
  daily: 'Machines per day',
  machinesAtTime: 'Machines at a time',
  machineDetails: 'Machine details',
};

/** Asks how to export when the webview did not say. Undefined when the user dismissed the pick. */
export async function pickExportFormat(): Promise<ExportFormat | undefined> {
  const items: (vscode.QuickPickItem & { format: ExportFormat })[] = [
    { label: vscode.l10n.t('Copy Markdown report'), description: vscode.l10n.t('to the clipboard'), format: 'markdownClipboard' },
    { label: vscode.l10n.t('Open Markdown report'), description: vscode.l10n.t('in a new untitled editor'), format: 'markdownDocument' },
    { label: vscode.l10n.t('Save a table as CSV…'), format: 'csv' },
    { label: vscode.l10n.t('Save a table as JSON…'), format: 'json' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Export investigation') });
  return picked?.format;
}

async function pickTable(inv: Investigation): Promise<ExportTable | undefined> {
  const items = EXPORT_TABLES.map((t) => ({ t, n: exportRecords(inv, t).length }))
    .filter((x) => x.n > 0)
    .map((x) => ({ label: vscode.l10n.t(TABLE_LABELS[x.t]), description: vscode.l10n.t('{0} rows', x.n), table: x.t }));
  if (items.length === 0) throw new RangeError(vscode.l10n.t('There is no table to export yet.'));
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Which table?') });
  return picked?.table;
}

function defaultFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}

/** Runs one export; returns a short confirmation, or undefined when the user cancelled a prompt. */
export async function runExport(inv: Investigation, report: Omit<ReportOptions, 'generatedAt'>, format?: ExportFormat, table?: ExportTable): Promise<string | undefined> {
  const chosen = format ?? (await pickExportFormat());
  if (!chosen) return undefined;
  if (chosen === 'markdownClipboard' || chosen === 'markdownDocument') {
    const text = markdownReport(inv, { ...report, generatedAt: new Date().toISOString() });
    if (chosen === 'markdownClipboard') {
      await vscode.env.clipboard.writeText(text);
      return vscode.l10n.t('Markdown report copied to the clipboard.');
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
    await vscode.window.showTextDocument(doc, { preview: false });
    return vscode.l10n.t('Markdown report opened in a new editor.');
  }
  const which = table ?? (await pickTable(inv));
  if (!which) return undefined;
  const rows = exportRecords(inv, which).length;
  const ext = chosen === 'csv' ? 'csv' : 'json';
  const target = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save {0} as {1}', vscode.l10n.t(TABLE_LABELS[which]), ext.toUpperCase()),
    defaultUri: vscode.Uri.joinPath(defaultFolder(), exportFileName(inv.address.ip, which, ext)),
    filters: chosen === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
  });
  if (!target) return undefined;
  const text = chosen === 'csv' ? toCsv(inv, which) : toJson(inv, which);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  return vscode.l10n.t('Saved {0} rows to {1}.', rows, target.scheme === 'file' ? target.fsPath : target.toString(true));
}
