// "Defender IP: Investigate Machine…": opens the machine view for a device id, a DNS name (exact or the start of one),
// or the internal address a machine held at a time (findbyip). Also the target of the links that open a machine (the
// hover, the Machines view, the investigation panel, the triage table): an argument skips the prompts. A name or an
// address that matches several machines offers them to choose from; nothing is guessed.
import * as vscode from 'vscode';
import { readTypedMachine } from '../../core/machine/machineService';
import { normaliseDeviceId, normaliseMachineName } from '../../core/defender/validate';
import { UserCancelled } from '../../platform/runCommand';
import type { Machine } from '../../shared/defenderModel';
import { LOOKBACKS, type Lookback } from '../../shared/investigation';
import { machineDisplayName, type MachineQuery } from '../../shared/machine';
import type { MachineIdentity } from '../../shared/machineProtocol';
import { formatTime } from '../hover/hoverContent';
import { plain } from '../tree/plainText';
import type { CommandDeps } from './commandDeps';
import { askTime } from './prompts';

export const INVESTIGATE_MACHINE = 'ipInvestigator.investigateMachine';

interface MachineArgument {
  machineId?: string;
  name?: string;
  ip?: string;
  at?: string;
  lookback?: Lookback;
}

/** What a caller may pass: a hover link's JSON, a tree node (`machineId` wins over its address), a string. */
function readMachineArgument(arg: unknown): MachineArgument {
  if (typeof arg === 'string') return { name: arg };
  if (arg === null || typeof arg !== 'object' || arg instanceof vscode.Uri) return {};
  const o = arg as Record<string, unknown>;
  const out: MachineArgument = {};
  if (typeof o.machineId === 'string') out.machineId = o.machineId;
  if (typeof o.name === 'string') out.name = o.name;
  if (typeof o.ip === 'string') out.ip = o.ip;
  if (typeof o.at === 'string') out.at = o.at;
  if (typeof o.lookback === 'string' && (LOOKBACKS as readonly string[]).includes(o.lookback)) out.lookback = o.lookback as Lookback;
  return out;
}

/** Validation of the typed text, as you type: the same rules the service applies. */
export function machineInputProblem(value: string): string | undefined {
  const typed = readTypedMachine(value);
  if (typed.kind === 'invalid') return typed.error;
  if (typed.kind === 'address' && !typed.internal) {
    return vscode.l10n.t('{0} is not an internal address: a machine is found by the internal address it held at a time.', typed.ip);
  }
  return undefined;
}

async function askQuery(deps: CommandDeps): Promise<MachineQuery> {
  const value = await deps.ui.showInputBox({
    title: vscode.l10n.t('Investigate Machine'),
    prompt: vscode.l10n.t('A machine id, a machine name (or the start of one), or an internal IP address it held at a time.'),
    placeHolder: 'fin-ws-017 · b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02 · 10.248.240.38',
    ignoreFocusOut: true,
    validateInput: machineInputProblem,
  });
  if (value === undefined) throw new UserCancelled();
  const typed = readTypedMachine(value);
  switch (typed.kind) {
    case 'invalid':
      throw new RangeError(typed.error);
    case 'id':
      return { kind: 'id', id: typed.id };
    case 'name':
      return { kind: 'name', name: typed.name };
    case 'address': {
      if (!typed.internal) throw new RangeError(machineInputProblem(value) ?? '');
      const at = await askTime(deps.ui, {
        title: vscode.l10n.t('Which machine held {0}?', typed.ip),
        prompt: vscode.l10n.t('When? Defender answers for the past 30 days, within ±15 minutes of this time.'),
        forFindByIp: true,
      });
      if (!at) throw new RangeError(vscode.l10n.t('The time is not valid.'));
      return { kind: 'ip', ip: typed.ip, at: at.toISOString() };
    }
  }
}

function queryOf(a: MachineArgument): MachineQuery | undefined {
  if (a.machineId !== undefined) {
    const id = normaliseDeviceId(a.machineId);
    if (id) return { kind: 'id', id };
    // Older lists name a machine by its computer name: resolve it like a typed name.
    const name = normaliseMachineName(a.machineId);
    if (name) return { kind: 'name', name };
    throw new RangeError(vscode.l10n.t("'{0}' is not a machine id or name.", plain(a.machineId, 60)));
  }
  if (a.name !== undefined) {
    const typed = readTypedMachine(a.name);
    if (typed.kind === 'id') return { kind: 'id', id: typed.id };
    if (typed.kind === 'name') return { kind: 'name', name: typed.name };
    throw new RangeError(vscode.l10n.t("'{0}' is not a machine name (letters, digits, '-', '_' and dots): open it from the Machines view or by its id.", plain(a.name, 60)));
  }
  if (a.ip !== undefined) {
    if (a.at === undefined) throw new RangeError(vscode.l10n.t('Which machine held {0}? A time is needed.', plain(a.ip, 60)));
    return { kind: 'ip', ip: a.ip, at: a.at };
  }
  return undefined;
}

async function pickMachine(deps: CommandDeps, candidates: readonly Machine[], title: string, truncated: boolean): Promise<Machine> {
  const items = candidates.map((m) => ({
    label: plain(machineDisplayName(m), 120),
    description: m.id,
    detail: [m.osPlatform && plain(m.osPlatform, 30), m.lastIpAddress && plain(m.lastIpAddress, 50), m.lastSeen && vscode.l10n.t('last seen {0}', formatTime(m.lastSeen))].filter(Boolean).join(' · '),
    machine: m,
  }));
  const picked = await deps.ui.showQuickPick(items, {
    title,
    placeHolder: truncated ? vscode.l10n.t('More machines match than are listed: type more of the name to narrow them.') : vscode.l10n.t('Choose the machine'),
    matchOnDescription: true,
  });
  if (!picked) throw new UserCancelled();
  return picked.machine;
}

/** Resolves to the identity of the machine panel it opened (for tests and callers). */
export async function investigateMachine(deps: CommandDeps, arg?: unknown): Promise<MachineIdentity | undefined> {
  const a = readMachineArgument(arg);
  const lookback = a.lookback ?? deps.config.settings.lookback;
  const query = queryOf(a) ?? (await askQuery(deps));
  if (query.kind === 'id') return deps.machinePanel.open({ machineId: query.id, lookback });
  const service = await deps.session.getMachineService();
  const what = query.kind === 'name' ? query.name : query.ip;
  const found = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Looking for the machine {0}…', what), cancellable: true },
    (_progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      return service.resolve(query, { signal: controller.signal }).finally(() => {
        sub.dispose();
      });
    },
  );
  if (found.kind === 'notFound') {
    void deps.ui.showInformationMessage(found.message);
    return undefined;
  }
  const machine = found.kind === 'found' ? found.machine : await pickMachine(deps, found.candidates, found.message, found.truncated);
  deps.logger.info(`Investigate machine: ${query.kind} resolved to ${machine.id}`);
  return deps.machinePanel.open({ machineId: machine.id, lookback });
}
