// Exports of the latest triage: the Markdown report (with the hunting queries used) in a new untitled editor, and CSV,
// JSON or a STIX 2.1 bundle to a file the user picks (or a URI a caller passes).
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Annotation } from '../../shared/annotation';
import type { TriageReport } from '../../shared/triageModel';
import type { TriageExportFormat } from '../../shared/triageProtocol';

const EXTENSIONS: Record<Exclude<TriageExportFormat, 'markdown'>, { ext: string; filter: string }> = {
  csv: { ext: 'csv', filter: 'CSV' },
  json: { ext: 'json', filter: 'JSON' },
  stix: { ext: 'stix.json', filter: 'STIX 2.1 bundle' },
};

/** Asks which export; undefined when the user dismissed the pick. */
export async function pickTriageExportFormat(): Promise<TriageExportFormat | undefined> {
  const items: (vscode.QuickPickItem & { format: TriageExportFormat })[] = [
    { label: vscode.l10n.t('Markdown report'), description: vscode.l10n.t('in a new editor, with the hunting queries used'), format: 'markdown' },
    { label: vscode.l10n.t('CSV…'), description: vscode.l10n.t('one row per address'), format: 'csv' },
    { label: vscode.l10n.t('JSON…'), description: vscode.l10n.t('every address, its occurrences and the queries'), format: 'json' },
    { label: vscode.l10n.t('STIX 2.1 bundle…'), description: vscode.l10n.t('indicators of the addresses seen with alerts'), format: 'stix' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Export triage results') });
  return picked?.format;
}

export function exportFileName(report: TriageReport, format: Exclude<TriageExportFormat, 'markdown'>): string {
  const stamp = report.finishedAt.replace(/\.\d+Z$/, 'Z').replace(/[:]/g, '').replace('T', '-');
  return `ip-triage-${stamp}.${EXTENSIONS[format].ext}`;
}

async function render(report: TriageReport, format: TriageExportFormat, annotations: ReadonlyMap<string, Annotation> | undefined): Promise<string> {
  const a = annotations ? { annotations } : {};
  switch (format) {
    case 'csv':
      return (await import('../../core/triage/exportCsv')).exportCsv(report, a);
    case 'json':
      return (await import('../../core/triage/exportJson')).exportJson(report, a);
    case 'markdown':
      return (await import('../../core/triage/exportMarkdown')).exportMarkdown(report, { title: vscode.l10n.t('IP triage report'), ...a });
    case 'stix':
      return (await import('../../core/triage/exportStix')).exportStixJson(report, a);
  }
}

export interface ExportResult {
  /** Where it went: the file's URI, or the untitled document's. */
  uri: string;
  message: string;
}

/**
 * Writes one export. Markdown opens in a new untitled editor unless `target` is given; the others go to `target` or a
 * file the user picks. Undefined when the user cancelled the save dialog.
 */
export async function exportTriage(
  report: TriageReport,
  format: TriageExportFormat,
  target?: vscode.Uri,
  annotations?: ReadonlyMap<string, Annotation>,
): Promise<ExportResult | undefined> {
  const text = await render(report, format, annotations);
  if (format === 'markdown' && !target) {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
    await vscode.window.showTextDocument(doc, { preview: false });
    return { uri: doc.uri.toString(), message: vscode.l10n.t('Triage report opened in a new editor.') };
  }
  let uri = target;
  if (!uri) {
    const e = EXTENSIONS[format as Exclude<TriageExportFormat, 'markdown'>];
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    uri = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save triage results as {0}', e.filter),
      defaultUri: vscode.Uri.joinPath(folder, exportFileName(report, format as Exclude<TriageExportFormat, 'markdown'>)),
      filters: { [e.filter]: [e.ext.split('.').pop() ?? e.ext] },
    });
    if (!uri) return undefined;
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  const where = uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
  return { uri: uri.toString(), message: vscode.l10n.t('Saved {0} addresses to {1}.', report.entries.length, where) };
}
