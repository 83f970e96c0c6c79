// Shows an address's first occurrence in its document: located again in the text as it is now (the file may have
// changed since the triage), falling back to the recorded line and column.
import * as vscode from 'vscode';
import { locateAddresses } from './decorationRanges';
import type { TriageResults } from './triageResults';

/** How editors are matched to the documents a triage read: the path for files, the URI for everything else. */
export function documentKey(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

export async function revealOccurrence(results: TriageResults, ip: string): Promise<string | undefined> {
  const entry = results.entries.get(ip);
  const first = entry?.occurrences[0];
  const doc = first ? results.document(first.file) : undefined;
  if (!entry || !first || !doc) throw new RangeError(vscode.l10n.t('No occurrence of {0} to show.', ip));
  const uri = vscode.Uri.parse(doc.uri, true);
  let document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === doc.uri);
  if (!document) {
    if (uri.scheme === 'untitled') throw new RangeError(vscode.l10n.t('The document {0} was closed.', doc.name));
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch {
      // Too large for the extension host to read: open it in the editor at the recorded line.
      const at = new vscode.Position(first.line - 1, first.column - 1);
      await vscode.commands.executeCommand('vscode.open', uri, { selection: new vscode.Range(at, at), preview: false });
      return undefined;
    }
  }
  const names = results.namesFor(documentKey(document.uri)) ?? new Set([first.file]);
  const located = locateAddresses([entry], names, document.getText()).byIp.get(ip)?.[0];
  const range = located
    ? new vscode.Range(document.positionAt(located.start), document.positionAt(located.end))
    : new vscode.Range(first.line - 1, first.column - 1, first.line - 1, first.column - 1);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: range, preview: false });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return located ? undefined : vscode.l10n.t('{0} is no longer at its place in {1}: showing the line it was on.', ip, doc.name);
}
