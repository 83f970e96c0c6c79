// Input boxes shared by the commands: they validate as you type (the same rules as the core, so bad input never
// reaches a request), accept defanged addresses, and start from the address and time found in the editor.
import * as vscode from 'vscode';
import { parseAddress } from '../../core/ip/parseAddress';
import { isInternal } from '../../core/ip/classify';
import { parseTimeInput } from '../../core/ip/logTime';
import { findByIpTimeProblem } from '../../core/investigation/investigationService';
import { UserCancelled } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import { LOOKBACKS, type Lookback } from '../../shared/investigation';

/** Validation message for an address typed in an input box, or undefined when it is valid. */
export function addressProblem(value: string, options: { internalOnly?: boolean } = {}): string | undefined {
  const parsed = parseAddress(value);
  if (!parsed.ok) return parsed.error;
  if (options.internalOnly && !isInternal(parsed.match.value)) {
    return vscode.l10n.t('{0} is not an internal address: Defender finds which machine held an address only for internal (private) addresses.', parsed.match.value);
  }
  return undefined;
}

/** Validation message for a time typed in an input box; `forFindByIp` adds the 30-day rule. */
export function timeProblem(value: string, options: { optional?: boolean; forFindByIp?: boolean; now?: number } = {}): string | undefined {
  if (options.optional && value.trim() === '') return undefined;
  const now = options.now ?? Date.now();
  const parsed = parseTimeInput(value, new Date(now));
  if (!parsed.ok) return parsed.error;
  if (options.forFindByIp) return findByIpTimeProblem(parsed.time, now);
  return undefined;
}

export async function askAddress(
  ui: UserInput,
  options: { title: string; prefill?: string; internalOnly?: boolean },
): Promise<string> {
  const value = await ui.showInputBox({
    title: options.title,
    prompt: options.internalOnly
      ? vscode.l10n.t('An internal IPv4 or IPv6 address (defanged forms such as 10[.]1[.]2[.]3 are accepted).')
      : vscode.l10n.t('An IPv4 or IPv6 address (defanged forms such as 198[.]51[.]100[.]23 are accepted).'),
    placeHolder: options.internalOnly ? '10.248.240.38' : '198.51.100.23',
    value: options.prefill ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => addressProblem(v, { internalOnly: options.internalOnly }),
  });
  if (value === undefined) throw new UserCancelled();
  const parsed = parseAddress(value);
  if (!parsed.ok) throw new RangeError(parsed.error);
  return parsed.match.value;
}

/** A time from the user; undefined when it is optional and left empty. */
export async function askTime(
  ui: UserInput,
  options: { title: string; prompt: string; prefill?: Date; optional?: boolean; forFindByIp?: boolean },
): Promise<Date | undefined> {
  const value = await ui.showInputBox({
    title: options.title,
    prompt: options.prompt,
    placeHolder: vscode.l10n.t("2026-11-20T10:03:12Z, a log timestamp, 'now' or '2h ago'"),
    value: options.prefill ? options.prefill.toISOString() : '',
    ignoreFocusOut: true,
    validateInput: (v) => timeProblem(v, { optional: options.optional, forFindByIp: options.forFindByIp }),
  });
  if (value === undefined) throw new UserCancelled();
  if (options.optional && value.trim() === '') return undefined;
  const parsed = parseTimeInput(value);
  if (!parsed.ok) throw new RangeError(parsed.error);
  if (options.forFindByIp) {
    const problem = findByIpTimeProblem(parsed.time, Date.now());
    if (problem) throw new RangeError(problem);
  }
  return parsed.time;
}

/** What a command may receive: a hover link's JSON object, a string, a tree node, or the editor's document URI. */
export interface AddressArgument {
  ip?: string;
  at?: string;
  lookback?: Lookback;
  machineId?: string;
}

/** Reads an argument from any caller; values are validated again by the command before use. */
export function readArgument(arg: unknown): AddressArgument {
  if (typeof arg === 'string') return { ip: arg };
  if (arg === null || typeof arg !== 'object' || arg instanceof vscode.Uri) return {};
  const o = arg as Record<string, unknown>;
  const out: AddressArgument = {};
  if (typeof o.ip === 'string') out.ip = o.ip;
  if (typeof o.at === 'string') out.at = o.at;
  if (typeof o.lookback === 'string' && (LOOKBACKS as readonly string[]).includes(o.lookback)) out.lookback = o.lookback as Lookback;
  if (typeof o.machineId === 'string') out.machineId = o.machineId;
  return out;
}

/** A time argument (ISO) checked before use. */
export function timeArgument(at: string | undefined): Date | undefined {
  if (at === undefined) return undefined;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new RangeError(vscode.l10n.t('The time is not valid.'));
  return d;
}
