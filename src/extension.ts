// Composition root: wires the logger and registers the extension's surfaces. Nothing else lives here.
import * as vscode from 'vscode';
import { createLogger } from './platform/logger';
import { showLog } from './features/commands/showLog';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const logger = createLogger(context);
  context.subscriptions.push(vscode.commands.registerCommand('ipInvestigator.showLog', () => showLog(logger)));
  logger.info(`Activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
