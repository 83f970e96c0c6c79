// The one log of the extension: a LogOutputChannel, with secrets redacted before anything is written.
import * as vscode from 'vscode';
import { redact } from '../shared/redact';

export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  show(): void;
}

export function createLogger(context: vscode.ExtensionContext): Logger {
  const channel = vscode.window.createOutputChannel('Defender IP Investigator', { log: true });
  context.subscriptions.push(channel);
  return {
    trace: (m) => channel.trace(redact(m)),
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m, e) => channel.error(redact(e === undefined ? m : `${m}: ${describe(e)}`)),
    show: () => channel.show(true),
  };
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
