// The one error policy for every command: cancellation is silent; a failure becomes one short message with the action
// that helps (Sign In, Retry, Open Log); the full error goes to the log. No stack traces or response bodies in toasts.
import * as vscode from 'vscode';
import { describeError } from '../core/investigation/describeError';
import type { Logger } from './logger';
import type { UserInput } from './userInput';

export interface CommandContext {
  logger: Logger;
  ui: UserInput;
}

/** Thrown by a command whose user dismissed a prompt: nothing to report. */
export class UserCancelled extends Error {
  constructor() {
    super('Cancelled by the user.');
    this.name = 'UserCancelled';
  }
}

const MAX_TOAST = 300;

/**
 * One line of at most MAX_TOAST characters: a message can carry service or API text. Notifications turn
 * `[label](target)` into links, so that syntax is broken apart.
 */
export function toastText(text: string): string {
  const one = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\]\s*\(/g, '] (')
    .trim();
  return one.length > MAX_TOAST ? `${one.slice(0, MAX_TOAST - 1)}…` : one;
}

/** Reports a command's failure to the user and the log. Exported for work that runs outside a command (background refresh). */
export async function reportFailure(id: string, error: unknown, ctx: CommandContext, retry?: () => Thenable<unknown>): Promise<void> {
  if (error instanceof UserCancelled) return;
  const d = describeError(error);
  if (d.kind === 'cancelled') {
    ctx.logger.trace(`${id}: cancelled`);
    return;
  }
  if (d.kind === 'invalid') ctx.logger.warn(`${id}: ${d.message}`);
  else ctx.logger.error(`${id} failed`, error);
  const signIn = vscode.l10n.t('Sign In');
  const retryLabel = vscode.l10n.t('Retry');
  const openLog = vscode.l10n.t('Open Log');
  const message = toastText([d.message, d.remedy].filter(Boolean).join(' '));
  if (d.kind === 'invalid') {
    // Bad input: the message says what to fix; nothing else to offer.
    await ctx.ui.showWarningMessage(message);
    return;
  }
  const actions: string[] = [];
  if (d.action === 'signIn') actions.push(signIn);
  if (d.action === 'retry' && retry) actions.push(retryLabel);
  actions.push(openLog);
  const choice = await ctx.ui.showErrorMessage(message, ...actions);
  if (choice === signIn) await vscode.commands.executeCommand('ipInvestigator.signIn');
  else if (choice === retryLabel && retry) await retry();
  else if (choice === openLog) ctx.logger.show();
}

/** Registers a command whose failures follow the policy. The handler's result is returned to the caller. */
export function runCommand(id: string, handler: (...args: unknown[]) => unknown, ctx: CommandContext): vscode.Disposable {
  const run = async (...args: unknown[]): Promise<unknown> => {
    try {
      return await handler(...args);
    } catch (error) {
      // The toast is not awaited: the command finishes while the message is shown.
      void reportFailure(id, error, ctx, () => vscode.commands.executeCommand(id, ...args));
      return undefined;
    }
  };
  return vscode.commands.registerCommand(id, run);
}
