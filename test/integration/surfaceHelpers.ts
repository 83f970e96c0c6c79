// Helpers for the surface suites (hover, commands, tree, demo, settings): the running extension's API, scripted prompts,
// documents to hover, and user settings that are restored after a test.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { UserInput } from '../../src/platform/userInput';
import { activateExtension, waitFor } from './helpers';

export async function extensionApi(): Promise<ExtensionApi> {
  const extension = await activateExtension();
  const api = extension.exports as ExtensionApi | undefined;
  assert.ok(api && typeof api.useUserInput === 'function', 'the extension exports its API');
  return api;
}

export interface RecordedMessage {
  level: 'info' | 'warning' | 'error' | 'modal';
  message: string;
  actions: string[];
  /** A modal's detail text. */
  detail?: string;
}

type Answer<O, T> = T | undefined | ((options: O) => T | undefined | Promise<T | undefined>);

/** Prompts answered from queues; every message, link, clipboard write and validation is recorded. */
export class ScriptedInput implements UserInput {
  readonly inputs: Answer<vscode.InputBoxOptions, string>[] = [];
  readonly picks: ((items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined)[] = [];
  readonly dialogs: (vscode.Uri[] | undefined)[] = [];
  /** Answers of save dialogs, in order (none left: the dialog is dismissed). */
  readonly saves: (vscode.Uri | undefined)[] = [];
  readonly messages: RecordedMessage[] = [];
  readonly external: string[] = [];
  readonly clipboard: string[] = [];
  readonly prompts: vscode.InputBoxOptions[] = [];
  /** Which action to click for a message; none by default. */
  respond: (m: RecordedMessage) => string | undefined = () => undefined;

  async showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    this.prompts.push(options);
    assert.ok(this.inputs.length > 0, `an input box was not expected: ${options.title ?? ''} ${options.prompt ?? ''}`);
    const next = this.inputs.shift();
    const value = typeof next === 'function' ? await next(options) : next;
    if (value !== undefined && options.validateInput) {
      const problem = await options.validateInput(value);
      assert.equal(problem ?? undefined, undefined, `the scripted answer ${JSON.stringify(value)} does not validate: ${JSON.stringify(problem)}`);
    }
    return value;
  }
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[]): Thenable<T | undefined> {
    const next = this.picks.shift();
    assert.ok(next, `a quick pick was not expected: ${items.map((i) => i.label).join(' | ')}`);
    return Promise.resolve(next(items) as T | undefined);
  }
  private record(level: RecordedMessage['level'], message: string, actions: string[], detail?: string): Thenable<string | undefined> {
    const m = { level, message, actions, ...(detail !== undefined ? { detail } : {}) };
    this.messages.push(m);
    return Promise.resolve(this.respond(m));
  }
  showInformationMessage(message: string, ...actions: string[]) {
    return this.record('info', message, actions);
  }
  showWarningMessage(message: string, ...actions: string[]) {
    return this.record('warning', message, actions);
  }
  showErrorMessage(message: string, ...actions: string[]) {
    return this.record('error', message, actions);
  }
  showModalWarning(message: string, detail: string, ...actions: string[]) {
    return this.record('modal', message, actions, detail);
  }
  showOpenDialog(): Thenable<vscode.Uri[] | undefined> {
    return Promise.resolve(this.dialogs.shift());
  }
  showSaveDialog(): Thenable<vscode.Uri | undefined> {
    return Promise.resolve(this.saves.shift());
  }
  /** A modal confirmation: recorded as a warning; `respond` picks the action (none by default: not confirmed). */
  async confirm(message: string, detail: string, action: string): Promise<boolean> {
    return (await this.record('warning', `${message} ${detail}`, [action])) === action;
  }
  openExternal(uri: vscode.Uri): Thenable<boolean> {
    this.external.push(uri.toString(true));
    return Promise.resolve(true);
  }
  async writeClipboard(text: string): Promise<void> {
    this.clipboard.push(text);
    await vscode.env.clipboard.writeText(text);
  }
}

/** Answers an input box (undefined: dismisses it) after checking what its validation says about values typed first. */
export function typed(value: string | undefined, probes: Record<string, RegExp | undefined> = {}): (o: vscode.InputBoxOptions) => Promise<string | undefined> {
  return async (options) => {
    assert.ok(options.validateInput !== undefined, 'the input box validates as you type');
    const validate = (v: string) => options.validateInput!(v);
    for (const [probe, expected] of Object.entries(probes)) {
      const problem: string | vscode.InputBoxValidationMessage | undefined | null = await validate(probe);
      const text: string | undefined = typeof problem === 'string' ? problem : (problem?.message ?? undefined);
      if (expected === undefined) assert.equal(text ?? undefined, undefined, `${probe} should be accepted`);
      else assert.match(text ?? '', expected, `validation of ${JSON.stringify(probe)}`);
    }
    return value;
  };
}

/** Runs `body` with the prompts scripted; the window's own prompts come back afterwards. */
export async function withInput<T>(api: ExtensionApi, body: (ui: ScriptedInput) => Promise<T>): Promise<T> {
  const ui = new ScriptedInput();
  api.useUserInput(ui);
  try {
    return await body(ui);
  } finally {
    api.useUserInput(undefined);
  }
}

/** Sets user settings for the duration of `body`, then puts the previous values back. */
export async function withUserSettings<T>(values: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  const config = () => vscode.workspace.getConfiguration();
  const previous = Object.keys(values).map((k) => [k, config().inspect(k)?.globalValue] as const);
  try {
    for (const [k, v] of Object.entries(values)) await config().update(k, v, vscode.ConfigurationTarget.Global);
    return await body();
  } finally {
    for (const [k, v] of previous) await config().update(k, v, vscode.ConfigurationTarget.Global);
  }
}

/** An untitled document with the text, in a language, shown in an editor. */
export async function showDocument(content: string, language = 'log'): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  return vscode.window.showTextDocument(doc);
}

/** The position of the `n`-th character of `needle` on its first line. */
export function positionOf(doc: vscode.TextDocument, needle: string, offsetInNeedle = 1): vscode.Position {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `${needle} is not in the document`);
  return doc.positionAt(i + offsetInNeedle);
}

/** The Markdown of our hover at a position ('' when we show none). */
export async function hoverMarkdown(doc: vscode.TextDocument, position: vscode.Position): Promise<{ value: string; hovers: vscode.Hover[] }> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position)) ?? [];
  const values = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
  return { value: values.filter((v) => v.includes('IPv')).join('\n\n'), hovers };
}

/** Hovers until the Markdown matches (the lookup may finish after the first hover's budget). */
export function hoverUntil(doc: vscode.TextDocument, position: vscode.Position, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return waitFor(
    `a hover matching ${String(pattern)}`,
    async () => {
      const { value } = await hoverMarkdown(doc, position);
      return pattern.test(unescapeMarkdown(value)) ? value : undefined;
    },
    timeoutMs,
  );
}

/** Hover Markdown as read (backslash escapes removed). */
export function unescapeMarkdown(md: string): string {
  return md.replace(/\\(.)/g, '$1').replace(/&#36;/g, '$');
}

/** The text of the extension's log (its output channel document, once shown), when it holds `expected`. */
export async function logText(expected: RegExp): Promise<string> {
  await vscode.commands.executeCommand('ipInvestigator.showLog');
  return waitFor(`the log to show ${String(expected)}`, () => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.uri.path.toLowerCase().endsWith('defender ip investigator'));
    const text = doc?.getText();
    return text !== undefined && expected.test(text) ? text : undefined;
  });
}

/** An ISO time `ms` ago. */
export function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}
