// Every command of the extension, registered in one place through the one error policy (runCommand).
import type * as vscode from 'vscode';
import { runCommand } from '../../platform/runCommand';
import { accountMenu } from './accountMenu';
import { clearCache } from './clearCache';
import { clearMachines } from './clearMachines';
import type { CommandDeps } from './commandDeps';
import { copyAddress } from './copyAddress';
import { copyMachineId } from './copyMachineId';
import { copyMachineName } from './copyMachineName';
import { findMachinesByIp } from './findMachinesByIp';
import { investigateIp } from './investigateIp';
import { investigateMachine } from './investigateMachine';
import { investigateMachineLastIp } from './investigateMachineLastIp';
import { openInPortal } from './openInPortal';
import { refreshMachines } from './refreshMachines';
import { removeAddress } from './removeAddress';
import { selectCloud } from './selectCloud';
import { showLog } from './showLog';
import { signIn } from './signIn';
import { signOut } from './signOut';
import { useDemoTenant } from './useDemoTenant';

export const COMMANDS: Record<string, (deps: CommandDeps, ...args: unknown[]) => unknown> = {
  'ipInvestigator.investigateIp': (d, a) => investigateIp(d, a),
  'ipInvestigator.findMachinesByIp': (d, a) => findMachinesByIp(d, a),
  'ipInvestigator.signIn': (d) => signIn(d),
  'ipInvestigator.signOut': (d) => signOut(d),
  'ipInvestigator.useDemoTenant': (d) => useDemoTenant(d),
  'ipInvestigator.selectCloud': (d, a) => selectCloud(d, a),
  'ipInvestigator.clearCache': (d) => clearCache(d),
  'ipInvestigator.copyAddress': (d, a) => copyAddress(d, a),
  'ipInvestigator.showLog': (d) => showLog(d.logger),
  'ipInvestigator.openInPortal': (d, a) => openInPortal(d, a),
  'ipInvestigator.accountMenu': (d) => accountMenu(d),
  'ipInvestigator.machines.refresh': (d) => refreshMachines(d),
  'ipInvestigator.machines.clear': (d) => clearMachines(d),
  'ipInvestigator.machines.remove': (d, n) => removeAddress(d, n),
  'ipInvestigator.machines.copyName': (d, n) => copyMachineName(d, n),
  'ipInvestigator.machines.copyId': (d, n) => copyMachineId(d, n),
  'ipInvestigator.machines.investigateLastIp': (d, n) => investigateMachineLastIp(d, n),
  'ipInvestigator.investigateMachine': (d, a) => investigateMachine(d, a),
};

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  for (const [id, handler] of Object.entries(COMMANDS)) {
    context.subscriptions.push(runCommand(id, (...args) => handler(deps, ...args), deps));
  }
}
