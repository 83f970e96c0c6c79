// Machines view "Investigate This Machine's Last IP": the machine's last known IP (fetched when the details are missing).
import * as vscode from 'vscode';
import type { Investigation } from '../../shared/investigation';
import type { CommandDeps } from './commandDeps';
import { investigateIp } from './investigateIp';
import { readArgument } from './prompts';

export async function investigateMachineLastIp(deps: CommandDeps, node?: unknown): Promise<Investigation | undefined> {
  const { ip, machineId } = readArgument(node);
  if (!ip || !machineId) return undefined;
  let lastIp = deps.store.findMachine(ip, machineId)?.lastIpAddress;
  if (!lastIp) {
    const client = await deps.session.getClient();
    lastIp = (await client.getMachine(machineId)).data?.lastIpAddress;
  }
  if (!lastIp) {
    void deps.ui.showInformationMessage(vscode.l10n.t('Defender does not know the last IP address of this machine.'));
    return undefined;
  }
  return investigateIp(deps, { ip: lastIp });
}
