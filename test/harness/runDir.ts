// A throwaway folder per run under the repo's git-ignored .cache/harness/: code-server's user data and extensions,
// a copy of samples/ as the workspace, and the logs. Kept when a run fails, removed when it passes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harnessScratchDir, repoRoot } from './paths';

export interface RunDir {
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** The folder code-server opens: a copy of samples/ (named `samples`, as the explorer shows it). */
  readonly workspaceDir: string;
  readonly codeServerLog: string;
  /** Removes the folder unless IPINV_KEEP_RUN_DIR=1. */
  dispose(): void;
}

/** User settings that keep the workbench quiet and offline: no welcome page, telemetry, update or gallery checks. */
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'remote.autoForwardPorts': false,
};

/** Creates `.cache/harness/<kind>-<time>-<pid>/` with its sub-folders and the workspace copy. */
export function createRunDir(kind: string): RunDir {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const root = path.join(harnessScratchDir, `${kind}-${stamp}-${process.pid}`);
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const workspaceDir = path.join(root, 'samples');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(userSettings, null, 2)}\n`);
  copyWorkspace(workspaceDir);
  return {
    root,
    userDataDir,
    extensionsDir,
    workspaceDir,
    codeServerLog: path.join(root, 'code-server.log'),
    dispose: () => {
      if (process.env.IPINV_KEEP_RUN_DIR === '1') return;
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A sample log for when samples/ has no files yet (documentation addresses only: RFC 5737 and RFC 3849). */
export const fallbackSampleName = 'firewall.log';
const fallbackSample = [
  '2025-01-14T08:02:11Z ALLOW TCP 192.0.2.10:51544 -> 198.51.100.23:443 host=WS-0142',
  '2025-01-14T08:02:15Z DENY  TCP 203.0.113.77:3389 -> 192.0.2.10:3389 host=WS-0142',
  '2025-01-14T08:03:02Z ALLOW UDP [2001:db8::5]:53 -> [2001:db8::53]:53 host=DC-01',
  '',
].join('\n');

function copyWorkspace(workspaceDir: string): void {
  const samples = path.join(repoRoot, 'samples');
  const hasFiles = fs.existsSync(samples) && fs.readdirSync(samples, { recursive: true, withFileTypes: true }).some((e) => e.isFile() && e.name !== '.gitkeep');
  if (hasFiles) {
    fs.cpSync(samples, workspaceDir, { recursive: true });
  } else {
    fs.mkdirSync(workspaceDir, { recursive: true });
    fs.writeFileSync(path.join(workspaceDir, fallbackSampleName), fallbackSample);
  }
}
