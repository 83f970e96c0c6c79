// Context keys that `when` clauses in the manifest read. Set only on change: setContext is a round trip to the workbench.
import * as vscode from 'vscode';

export const ContextKey = {
  /** An IP address is under the cursor in the active editor (editor context menu entries). */
  addressUnderCursor: 'ipInvestigator.addressUnderCursor',
  /** The Machines view has entries (title actions, welcome content). */
  hasMachines: 'ipInvestigator.hasMachines',
} as const;

export type ContextKey = (typeof ContextKey)[keyof typeof ContextKey];

const current = new Map<ContextKey, unknown>();

export function setContext(key: ContextKey, value: boolean | string): void {
  if (current.get(key) === value) return;
  current.set(key, value);
  void vscode.commands.executeCommand('setContext', key, value);
}
