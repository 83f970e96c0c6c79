// The one door to `context.workspaceState` (per-workspace key/value state that VS Code keeps across reloads): what
// features persist goes through it, so tests and the code read one small interface.
import type * as vscode from 'vscode';

export interface StateStore {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

export function workspaceStateStore(context: vscode.ExtensionContext): StateStore {
  return {
    get: (key) => context.workspaceState.get<unknown>(key),
    update: (key, value) => context.workspaceState.update(key, value),
  };
}
