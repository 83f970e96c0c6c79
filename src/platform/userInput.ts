// Every prompt, message, dialog, clipboard write and external link of the extension goes through one UserInput.
// The window implements it; integration tests swap in a scripted one (through the extension's exported API) so
// commands run end to end in the real extension host without a person typing.
import * as vscode from 'vscode';

export interface UserInput {
  showInputBox(options: vscode.InputBoxOptions, token?: vscode.CancellationToken): Thenable<string | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions, token?: vscode.CancellationToken): Thenable<T | undefined>;
  showInformationMessage(message: string, ...actions: string[]): Thenable<string | undefined>;
  showWarningMessage(message: string, ...actions: string[]): Thenable<string | undefined>;
  showErrorMessage(message: string, ...actions: string[]): Thenable<string | undefined>;
  /** A modal warning (writes to the tenant are confirmed this way): `detail` under the message, Cancel added by VS Code. */
  showModalWarning(message: string, detail: string, ...actions: string[]): Thenable<string | undefined>;
  showOpenDialog(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined>;
  showSaveDialog(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined>;
  /** A modal question before something that cannot be undone; true when the user chose `action`. */
  confirm(message: string, detail: string, action: string): Thenable<boolean>;
  openExternal(uri: vscode.Uri): Thenable<boolean>;
  writeClipboard(text: string): Thenable<void>;
}

export const windowUserInput: UserInput = {
  showInputBox: (options, token) => vscode.window.showInputBox(options, token),
  showQuickPick: (items, options, token) => vscode.window.showQuickPick(items, options, token),
  showInformationMessage: (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
  showWarningMessage: (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
  showErrorMessage: (message, ...actions) => vscode.window.showErrorMessage(message, ...actions),
  showModalWarning: (message, detail, ...actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
  showOpenDialog: (options) => vscode.window.showOpenDialog(options),
  showSaveDialog: (options) => vscode.window.showSaveDialog(options),
  confirm: (message, detail, action) => vscode.window.showWarningMessage(message, { modal: true, detail }, action).then((choice) => choice === action),
  openExternal: (uri) => vscode.env.openExternal(uri),
  writeClipboard: (text) => vscode.env.clipboard.writeText(text),
};

/** Forwards to the window, or to a replacement while one is set. */
export class SwitchableUserInput implements UserInput {
  private target: UserInput = windowUserInput;

  use(replacement: UserInput | undefined): void {
    this.target = replacement ?? windowUserInput;
  }

  showInputBox(options: vscode.InputBoxOptions, token?: vscode.CancellationToken): Thenable<string | undefined> {
    return this.target.showInputBox(options, token);
  }
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions, token?: vscode.CancellationToken): Thenable<T | undefined> {
    return this.target.showQuickPick(items, options, token);
  }
  showInformationMessage(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.target.showInformationMessage(message, ...actions);
  }
  showWarningMessage(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.target.showWarningMessage(message, ...actions);
  }
  showErrorMessage(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.target.showErrorMessage(message, ...actions);
  }
  showModalWarning(message: string, detail: string, ...actions: string[]): Thenable<string | undefined> {
    return this.target.showModalWarning(message, detail, ...actions);
  }
  showOpenDialog(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined> {
    return this.target.showOpenDialog(options);
  }
  showSaveDialog(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined> {
    return this.target.showSaveDialog(options);
  }
  confirm(message: string, detail: string, action: string): Thenable<boolean> {
    return this.target.confirm(message, detail, action);
  }
  openExternal(uri: vscode.Uri): Thenable<boolean> {
    return this.target.openExternal(uri);
  }
  writeClipboard(text: string): Thenable<void> {
    return this.target.writeClipboard(text);
  }
}
