// The triage commands: every address in the active file (read from disk when it is saved: editors truncate big files),
// in the selections, or in the workspace files matching a glob; exports, cancel, clear and show. Each one prepares the
// inputs and hands them to the controller, which drives the core exactly as the CLI does.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TriageInput } from '../../core/triage/extractAddresses';
import { parseAddress } from '../../core/ip/parseAddress';
import type { Logger } from '../../platform/logger';
import { UserCancelled, toastText } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import type { TriageReport } from '../../shared/triageModel';
import type { TriageExportFormat } from '../../shared/triageProtocol';
import { count } from './tableRows';
import { documentKey } from './revealOccurrence';
import type { PreparedTriage, TriageController } from './triageController';
import { exportTriage, pickTriageExportFormat, type ExportResult } from './triageExport';
import { firstFatalProblem, nothingAnswered, type TriagedDocument } from './triageResults';
import { readTriageSettings } from './triageSettings';
import type { TriageAnnotations, TriageTable } from './triageTable';

export interface TriageCommandDeps {
  logger: Logger;
  ui: UserInput;
  controller: TriageController;
  table: TriageTable;
  /** The analyst's verdicts and notes, written into every export. */
  annotations?: TriageAnnotations;
}

/** What occurrences in a document are called: its workspace-relative path, or its title when untitled. */
export function documentName(uri: vscode.Uri): string {
  if (uri.scheme === 'untitled') return uri.path;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.some((f) => uri.toString().startsWith(`${f.uri.toString()}/`))) return vscode.workspace.asRelativePath(uri, folders.length > 1);
  return uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
}

function triagedDocument(uri: vscode.Uri): TriagedDocument {
  return { name: documentName(uri), key: documentKey(uri), uri: uri.toString() };
}

/** A file that is not on the local disk (virtual workspaces): read through VS Code's file system. */
async function* readThroughVsCode(uri: vscode.Uri): AsyncGenerator<Uint8Array> {
  yield await vscode.workspace.fs.readFile(uri);
}

function fileInput(uri: vscode.Uri, name: string): TriageInput {
  return uri.scheme === 'file' ? { kind: 'file', path: uri.fsPath, name } : { kind: 'stream', name, stream: readThroughVsCode(uri) };
}

/** A saved file is read from disk (complete even when the editor truncated it); unsaved text is read from the editor. */
export function documentInput(doc: vscode.TextDocument): { input: TriageInput; document: TriagedDocument } {
  const document = triagedDocument(doc.uri);
  const input: TriageInput = doc.uri.scheme === 'file' && !doc.isDirty && !doc.isUntitled ? fileInput(doc.uri, document.name) : { kind: 'text', name: document.name, text: doc.getText() };
  return { input, document };
}

function uriArguments(arg: unknown, all: unknown): vscode.Uri[] {
  if (Array.isArray(all) && all.length > 0 && all.every((u) => u instanceof vscode.Uri)) return all;
  return arg instanceof vscode.Uri ? [arg] : [];
}

async function start(deps: TriageCommandDeps, prepared: PreparedTriage): Promise<TriageReport> {
  deps.table.show(true);
  const report = await deps.controller.run(prepared);
  reportOutcome(deps, report);
  return report;
}

/** Says how it ended: a problem that stopped everything gets a message with its remedy; otherwise a status line. */
function reportOutcome(deps: TriageCommandDeps, report: TriageReport): void {
  if (report.cancelled) return;
  const fatal = firstFatalProblem(report);
  const signIn = vscode.l10n.t('Sign In');
  const openLog = vscode.l10n.t('Open Log');
  const act = (choice: string | undefined): void => {
    if (choice === signIn) void vscode.commands.executeCommand('ipInvestigator.signIn');
    else if (choice === openLog) deps.logger.show();
  };
  if (fatal) {
    deps.logger.warn(`Triage: ${fatal.message}`);
    void deps.ui.showErrorMessage(toastText(vscode.l10n.t('Triage: {0}', [fatal.message, fatal.remedy].filter(Boolean).join(' '))), signIn, openLog).then(act);
    return;
  }
  if (nothingAnswered(report)) {
    const p = report.entries.flatMap((e) => e.problems)[0];
    deps.logger.warn(`Triage: nothing could be retrieved: ${p?.message ?? ''}`);
    void deps.ui
      .showErrorMessage(toastText(vscode.l10n.t('Triage: nothing could be retrieved. {0}', [p?.message, p?.remedy].filter(Boolean).join(' '))), openLog)
      .then(act);
    return;
  }
  const v = report.counts.byVerdict;
  vscode.window.setStatusBarMessage(
    vscode.l10n.t('Triage: {0} addresses, {1} with alerts, {2} seen, {3} internal', count(report.counts.addresses), count(v.alerts), count(v.seen), count(v.internal)),
    8000,
  );
}

/** "Triage All IPs in File": the active editor's file, or the files selected in the Explorer. */
export async function triageFile(deps: TriageCommandDeps, arg?: unknown, all?: unknown): Promise<TriageReport | undefined> {
  const lookback = readTriageSettings().lookback;
  const uris = uriArguments(arg, all);
  if (uris.length > 0) {
    const notes: string[] = [];
    const files: vscode.Uri[] = [];
    for (const uri of uris) {
      const stat = await vscode.workspace.fs.stat(uri).then(
        (s) => s,
        () => undefined,
      );
      if (stat && stat.type & vscode.FileType.Directory) notes.push(vscode.l10n.t('{0} is a folder: use "Triage All IPs in Workspace…" for folders.', documentName(uri)));
      else files.push(uri);
    }
    if (files.length === 0) throw new RangeError(notes[0] ?? vscode.l10n.t('Choose a file to triage.'));
    // An open, modified document is triaged as the editor shows it.
    const inputs: TriageInput[] = [];
    const documents: TriagedDocument[] = [];
    for (const uri of files) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (open?.isDirty) {
        const d = documentInput(open);
        inputs.push(d.input);
        documents.push(d.document);
      } else {
        const d = triagedDocument(uri);
        inputs.push(fileInput(uri, d.name));
        documents.push(d);
      }
    }
    const source = files.length === 1 ? documents[0].name : vscode.l10n.t('{0} files', files.length);
    return start(deps, { source, inputs, documents, notes, lookback });
  }
  // With the table (a webview) active there is no active text editor: the only visible one is meant.
  const visible = vscode.window.visibleTextEditors;
  const editor = vscode.window.activeTextEditor ?? (visible.length === 1 ? visible[0] : undefined);
  if (!editor) throw new RangeError(vscode.l10n.t('Open a file first: "Triage All IPs in File" reads the active editor\'s file.'));
  const { input, document } = documentInput(editor.document);
  return start(deps, { source: document.name, inputs: [input], documents: [document], lookback });
}

/** "Triage All IPs in Selection": every selection of the active editor, occurrences at their places in the document. */
export async function triageSelection(deps: TriageCommandDeps): Promise<TriageReport | undefined> {
  const visible = vscode.window.visibleTextEditors;
  const editor = vscode.window.activeTextEditor ?? (visible.length === 1 ? visible[0] : undefined);
  if (!editor) throw new RangeError(vscode.l10n.t('Open a file and select text first.'));
  const doc = editor.document;
  const selections = editor.selections.filter((s) => !s.isEmpty).sort((a, b) => a.start.compareTo(b.start));
  if (selections.length === 0) throw new RangeError(vscode.l10n.t('Select the text to triage first (or use "Triage All IPs in File").'));
  const document = triagedDocument(doc.uri);
  const inputs: TriageInput[] = selections.map((s) => ({
    kind: 'text',
    name: document.name,
    text: doc.getText(s),
    base: { offset: doc.offsetAt(s.start), line: s.start.line + 1, column: s.start.character + 1 },
  }));
  const source = selections.length === 1 ? vscode.l10n.t('selection in {0}', document.name) : vscode.l10n.t('{0} selections in {1}', selections.length, document.name);
  return start(deps, { source, inputs, documents: [document], lookback: readTriageSettings().lookback });
}

/** "Triage All IPs in Workspace…": the files matching an include glob (minus an exclude glob), up to the file cap. */
export async function triageWorkspace(deps: TriageCommandDeps, arg?: unknown): Promise<TriageReport | undefined> {
  const settings = readTriageSettings();
  const folder = arg instanceof vscode.Uri ? arg : undefined;
  if (!folder && !(vscode.workspace.workspaceFolders?.length ?? 0)) throw new RangeError(vscode.l10n.t('Open a folder first: this command triages the files of the workspace.'));
  const where = folder ? documentName(folder) : vscode.l10n.t('the workspace');
  const include = await deps.ui.showInputBox({
    title: vscode.l10n.t('Triage All IPs in {0} (1/2)', where),
    prompt: vscode.l10n.t('Files to read (glob pattern).'),
    value: settings.include,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Enter a glob pattern, for example **/*.log') : undefined),
  });
  if (include === undefined) throw new UserCancelled();
  const exclude = await deps.ui.showInputBox({
    title: vscode.l10n.t('Triage All IPs in {0} (2/2)', where),
    prompt: vscode.l10n.t('Files to leave out (glob pattern; empty: only the files.exclude setting).'),
    value: settings.exclude,
    ignoreFocusOut: true,
  });
  if (exclude === undefined) throw new UserCancelled();
  const pattern: vscode.GlobPattern = folder ? new vscode.RelativePattern(folder, include.trim()) : include.trim();
  const excluded: vscode.GlobPattern | undefined = exclude.trim() === '' ? undefined : folder ? new vscode.RelativePattern(folder, exclude.trim()) : exclude.trim();
  const found = await vscode.workspace.findFiles(pattern, excluded, settings.maxFiles + 1);
  if (found.length === 0) {
    void deps.ui.showInformationMessage(vscode.l10n.t('No file in {0} matches {1}.', where, include.trim()));
    return undefined;
  }
  found.sort((a, b) => a.toString().localeCompare(b.toString()));
  const notes: string[] = [];
  let files = found;
  if (found.length > settings.maxFiles) {
    files = found.slice(0, settings.maxFiles);
    const note = vscode.l10n.t(
      'More than {0} files match: the first {0} were triaged. Narrow the pattern, or raise the setting ipInvestigator.triage.maxFiles.',
      settings.maxFiles,
    );
    notes.push(note);
    void deps.ui.showWarningMessage(note);
  }
  const documents = files.map(triagedDocument);
  const inputs = files.map((uri, i) => fileInput(uri, documents[i].name));
  deps.logger.info(`Triage: ${files.length} files match ${include.trim()} in ${where}${folder ? ` (${path.basename(folder.fsPath)})` : ''}.`);
  return start(deps, { source: vscode.l10n.t('{0} files in {1}', files.length, where), inputs, documents, notes, lookback: settings.lookback });
}

/** Addresses one "Triage these addresses" may carry (the machine view's network section lists at most this many). */
const MAX_LISTED_ADDRESSES = 10_000;

/**
 * "Triage these addresses" (the machine view): a list of addresses triaged as one text, one per line. Every entry is
 * parsed and normalised first; anything that is not one address is refused before the triage starts.
 */
export async function triageAddresses(deps: TriageCommandDeps, arg?: unknown): Promise<TriageReport | undefined> {
  const o = arg !== null && typeof arg === 'object' ? (arg as Record<string, unknown>) : {};
  const raw = Array.isArray(o.addresses) ? o.addresses : [];
  if (raw.length === 0) throw new RangeError(vscode.l10n.t('There are no addresses to triage.'));
  if (raw.length > MAX_LISTED_ADDRESSES) throw new RangeError(vscode.l10n.t('At most {0} addresses can be triaged from a list.', count(MAX_LISTED_ADDRESSES)));
  const addresses = new Set<string>();
  for (const x of raw) {
    const parsed = typeof x === 'string' ? parseAddress(x) : undefined;
    if (!parsed?.ok) throw new RangeError(vscode.l10n.t('{0} is not an IP address.', String(x).slice(0, 60)));
    addresses.add(parsed.match.value);
  }
  const source = typeof o.source === 'string' && o.source.trim() !== '' ? o.source.trim().slice(0, 200) : vscode.l10n.t('{0} addresses', count(addresses.size));
  return start(deps, { source, inputs: [{ kind: 'text', name: source, text: [...addresses].join('\n') }], documents: [], lookback: readTriageSettings().lookback });
}

/** Export commands: `target` (a URI) skips the save dialog, for scripts and tests. */
export async function exportTriageResults(deps: TriageCommandDeps, format: TriageExportFormat | undefined, target?: unknown): Promise<ExportResult | undefined> {
  const report = deps.controller.report;
  if (!report) {
    throw new RangeError(
      deps.controller.running
        ? vscode.l10n.t('A triage is running: export when it finishes, or cancel it to export what arrived.')
        : vscode.l10n.t('There are no triage results to export: run "Triage All IPs in File" first.'),
    );
  }
  const chosen = format ?? (await pickTriageExportFormat());
  if (!chosen) return undefined;
  const result = await exportTriage(report, chosen, target instanceof vscode.Uri ? target : undefined, deps.annotations?.annotations());
  if (!result) return undefined;
  vscode.window.setStatusBarMessage(result.message, 5000);
  deps.logger.info(`Triage export (${chosen}): ${result.uri}`);
  return result;
}

/** Clear Triage Results: the table, the decorations, the tree group, and the saved copy of this tenant's triage. */
export async function clearTriage(deps: TriageCommandDeps): Promise<boolean> {
  const had = deps.controller.current !== undefined;
  deps.controller.clear();
  await deps.controller.forgetSaved();
  return had;
}

export function cancelTriage(deps: TriageCommandDeps): boolean {
  return deps.controller.cancel();
}

export function showTriage(deps: TriageCommandDeps): void {
  deps.table.show(false);
}
