// "Defender IP: Select Cloud…": commercial (with an optional geo host), GCC, GCC High or DoD. Saved in user settings.
import * as vscode from 'vscode';
import { CLOUD_NAMES, REGIONS, type CloudName, type Region } from '../../core/defender/clouds';
import { UserCancelled } from '../../platform/runCommand';
import type { CommandDeps } from './commandDeps';

const LABELS: Record<CloudName, string> = { commercial: 'Commercial', gcc: 'GCC', 'gcc-high': 'GCC High', dod: 'DoD' };

export async function selectCloud(deps: CommandDeps, arg?: unknown): Promise<{ cloud: CloudName; region?: Region }> {
  const s = deps.config.settings;
  let cloud: CloudName;
  let region: Region | undefined;
  const given = typeof arg === 'object' && arg !== null ? (arg as { cloud?: unknown; region?: unknown }) : {};
  if (typeof given.cloud === 'string' && (CLOUD_NAMES as readonly string[]).includes(given.cloud)) {
    cloud = given.cloud as CloudName;
    region = typeof given.region === 'string' && (REGIONS as readonly string[]).includes(given.region) ? (given.region as Region) : undefined;
    if (region && cloud !== 'commercial') throw new RangeError(vscode.l10n.t('Regions apply to the commercial cloud only.'));
  } else {
    const picked = await deps.ui.showQuickPick(
      CLOUD_NAMES.map((c) => ({ label: LABELS[c], description: c === s.cloud ? vscode.l10n.t('current') : undefined, cloud: c })),
      { title: vscode.l10n.t('Select the Microsoft cloud of your tenant') },
    );
    if (!picked) throw new UserCancelled();
    cloud = picked.cloud;
    if (cloud === 'commercial') {
      const r = await deps.ui.showQuickPick(
        [{ label: vscode.l10n.t('Automatic (global host)'), region: undefined as Region | undefined }, ...REGIONS.map((x) => ({ label: x.toUpperCase(), description: `${x}.api.security.microsoft.com`, region: x }))],
        { title: vscode.l10n.t('Pick the geo host closest to your tenant (optional)') },
      );
      if (!r) throw new UserCancelled();
      region = r.region;
    }
  }
  await deps.config.update('cloud', cloud);
  await deps.config.update('region', region ?? '');
  void deps.ui.showInformationMessage(vscode.l10n.t('Defender cloud: {0}{1}.', LABELS[cloud], region ? ` (${region})` : ''));
  return region ? { cloud, region } : { cloud };
}
