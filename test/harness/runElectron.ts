// `npm run test:electron`: the same integration index through @vscode/test-electron, for machines that can download
// VS Code (not this one: it reaches only npm and Debian). VS Code 1.100.3 is pinned, like the code-server run.
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildTests, integrationIndex } from './buildTests';
import { repoRoot } from './paths';
import { createRunDir } from './runDir';

export async function runElectron(): Promise<number> {
  const built = await buildTests();
  console.log(`suites: ${built.integrationSuites.map((f) => path.relative(repoRoot, f)).join(', ')}`);
  const run = createRunDir('electron');
  const launchArgs = [run.workspaceDir, '--disable-extensions', `--user-data-dir=${run.userDataDir}`, `--extensions-dir=${run.extensionsDir}`];
  // Electron refuses to run as root without it.
  if (typeof process.getuid === 'function' && process.getuid() === 0) launchArgs.push('--no-sandbox');
  const version = process.env.IPINV_VSCODE_VERSION ?? '1.100.3';
  try {
    const code = await runTests({
      version,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: integrationIndex,
      launchArgs,
      extensionTestsEnv: { IPINV_EXPECT_VSCODE_VERSION: version, IPINV_EXPECT_UI_KIND: 'desktop', IPINV_EXPECT_APP_HOST: 'desktop' },
    });
    if (code === 0) run.dispose();
    console.log(`test-electron: ${code === 0 ? 'all integration tests passed' : `failed (exit ${code})`}`);
    return code;
  } catch (error) {
    console.error(`test-electron failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error('It downloads VS Code from update.code.visualstudio.com; where that is not reachable, use `npm run test:integration` (code-server).');
    return 1;
  }
}
