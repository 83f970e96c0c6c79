// The address at the cursor or in the selection of the active editor: it prefills the commands' input boxes and drives
// the context key that shows the editor's context-menu entries.
import * as vscode from 'vscode';
import { parseAddress } from '../../core/ip/parseAddress';
import { matchAt, scanText } from '../../core/ip/scanner';
import { ContextKey, setContext } from '../../platform/contextKeys';
import { lineTimeOf } from './hoverProvider';
import { HOVER_WINDOW, findHoverTarget } from './hoverTarget';

export interface EditorAddress {
  /** The address as written (may be defanged, with a port). */
  text: string;
  /** Normalised value. */
  ip: string;
  /** The timestamp of the line it is on. */
  lineTime?: Date;
}

/** The selected address (or the first one in a short selection), else the one under the cursor. */
export function addressInEditor(editor: vscode.TextEditor | undefined, logTimeZone: string): EditorAddress | undefined {
  if (!editor) return undefined;
  const doc = editor.document;
  const sel = editor.selection;
  const line = doc.lineAt(sel.active.line).text;
  const lineTime = lineTimeOf(line, logTimeZone)?.time;
  const withTime = (e: Omit<EditorAddress, 'lineTime'>): EditorAddress => (lineTime ? { ...e, lineTime } : e);
  if (!sel.isEmpty) {
    const text = doc.getText(sel);
    if (text.length <= HOVER_WINDOW) {
      const parsed = parseAddress(text);
      if (parsed.ok) return withTime({ text: text.trim(), ip: parsed.match.value });
      const first = scanText(text)[0];
      if (first) return withTime({ text: text.slice(first.start, first.end), ip: first.value });
    }
  }
  const t = findHoverTarget(line, sel.active.character, matchAt);
  return t ? withTime({ text: t.text, ip: t.match.value }) : undefined;
}

/** Keeps `ipInvestigator.addressUnderCursor` true while an address is under the cursor or selected. */
export function registerCursorContext(context: vscode.ExtensionContext): void {
  const update = (editor: vscode.TextEditor | undefined) => {
    const found = editor ? addressAtSelection(editor) : false;
    setContext(ContextKey.addressUnderCursor, found);
  };
  context.subscriptions.push(
    vscode.window.onDidChangeTextEditorSelection((e) => update(e.textEditor)),
    vscode.window.onDidChangeActiveTextEditor((e) => update(e)),
  );
  update(vscode.window.activeTextEditor);
}

function addressAtSelection(editor: vscode.TextEditor): boolean {
  const sel = editor.selection;
  if (!sel.isEmpty && sel.start.line === sel.end.line) {
    const text = editor.document.getText(sel);
    if (text.length <= HOVER_WINDOW && scanText(text).length > 0) return true;
  }
  const line = editor.document.lineAt(sel.active.line).text;
  return findHoverTarget(line, sel.active.character, matchAt) !== undefined;
}
