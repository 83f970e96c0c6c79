// Helpers for integration suites: the extension under test, and waiting on the workbench with a deadline (no sleeps).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../package.json';

/** `publisher.name` of the extension under test, from its manifest. */
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** The extension under test, activated. */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not installed in this extension host`);
  await extension.activate();
  return extension;
}

/** The folder the harness opened: a copy of samples/. */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder;
}

/** Polls probe until it returns a value (not undefined/false), failing with `what` when the deadline passes. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
