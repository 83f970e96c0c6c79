// Machines view "Refresh": asks Defender again (past the cache) for every listed address, oldest first so the order holds.
import * as vscode from 'vscode';
import { reportFailure } from '../../platform/runCommand';
import { trackInvestigation } from '../tree/trackInvestigation';
import type { CommandDeps } from './commandDeps';

export async function refreshMachines(deps: CommandDeps): Promise<number> {
  const entries = [...deps.store.entries()].reverse();
  await vscode.window.withProgress({ location: { viewId: 'ipInvestigator.machines' }, title: vscode.l10n.t('Refreshing') }, async () => {
    for (const e of entries) {
      try {
        await trackInvestigation(deps.store, () => deps.session.getService(), {
          facts: e.investigation.address,
          lookback: e.lookback,
          ...(e.at ? { at: e.at } : {}),
          noCache: true,
        });
      } catch (error) {
        await reportFailure('ipInvestigator.machines.refresh', error, deps);
        return;
      }
    }
  });
  return entries.length;
}
