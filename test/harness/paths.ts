// Where the harness reads and writes: the repo, its git-ignored scratch folders, and the code-server cache outside the repo.
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (this file lives in test/harness/). */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** The test VS Code: code-server 4.100.3 is VS Code 1.100.3 and the last line that runs on Node 20. */
export const codeServerVersion = '4.100.3';

/** The installed code-server, shared by every clone on the machine (IPINV_CODE_SERVER_DIR overrides). */
export function codeServerDir(): string {
  const override = process.env.IPINV_CODE_SERVER_DIR;
  if (override !== undefined && override !== '') return path.resolve(override);
  const cacheHome = process.env.XDG_CACHE_HOME !== undefined && process.env.XDG_CACHE_HOME !== '' ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'defender-ip-investigator', `code-server-${codeServerVersion}`);
}

/** Throwaway run folders (user data, extensions, workspace copy, logs): git-ignored `.cache/harness/`. */
export const harnessScratchDir = path.join(repoRoot, '.cache', 'harness');

/** Screenshots and reports: git-ignored `test-results/`. */
export const testResultsDir = path.join(repoRoot, 'test-results');

/** Test bundles built by buildTests.ts: git-ignored `out/`. */
export const outDir = path.join(repoRoot, 'out');

/** The packaged extension that the e2e suite installs. */
export const vsixDir = path.join(outDir, 'vsix');
