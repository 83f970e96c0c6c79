// The one log of the extension: a LogOutputChannel, with secrets redacted before anything is written.
import * as vscode from 'vscode';
import { DefenderError } from '../core/defender/errors';
import { redact } from '../shared/redact';

export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  show(): void;
}

export const LOG_CHANNEL_NAME = 'Defender IP Investigator';

export function createLogger(context: vscode.ExtensionContext): Logger {
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  return {
    trace: (m) => channel.trace(redact(m)),
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m, e) => channel.error(redact(e === undefined ? m : `${m}: ${describe(e)}`)),
    show: () => channel.show(true),
  };
}

/** Full detail for the log: API errors with their code and request id, other errors with their stack. */
export function describe(e: unknown): string {
  if (e instanceof DefenderError) {
    const details = [
      e.status !== undefined ? `HTTP ${e.status}` : '',
      e.code ? `code ${e.code}` : '',
      e.operation ? `operation ${e.operation}` : '',
      e.requestId ? `request id ${e.requestId}` : '',
    ].filter(Boolean);
    const cause = e.cause instanceof Error ? ` (cause: ${e.cause.name}: ${e.cause.message})` : '';
    return `${e.name}: ${e.message}${details.length > 0 ? ` [${details.join(', ')}]` : ''}${cause}`;
  }
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}
