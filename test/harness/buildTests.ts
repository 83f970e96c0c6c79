// Bundles the test code with esbuild: test/integration/index.ts and every test/integration/**/*.test.ts into
// out/integration/, every test/e2e/**/*.test.ts into out/e2e/. Each suite is its own file so mocha can load it.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { outDir, repoRoot } from './paths';

export const integrationOutDir = path.join(outDir, 'integration');
export const e2eOutDir = path.join(outDir, 'e2e');
/** What @vscode/test-electron and the code-server driver load: the bundle of test/integration/index.ts. */
export const integrationIndex = path.join(integrationOutDir, 'index.js');

function suiteFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(folder, name));
}

/** Suites found by the build; each becomes `<name>.test.js` beside the index. */
export interface BuiltTests {
  readonly integrationSuites: readonly string[];
  readonly e2eSuites: readonly string[];
}

export async function buildTests(): Promise<BuiltTests> {
  const integrationDir = path.join(repoRoot, 'test', 'integration');
  const e2eDir = path.join(repoRoot, 'test', 'e2e');
  const integrationSuites = suiteFiles(integrationDir);
  const e2eSuites = suiteFiles(e2eDir);
  // Stale bundles of deleted suites would still be discovered: start clean.
  fs.rmSync(integrationOutDir, { recursive: true, force: true });
  fs.rmSync(e2eOutDir, { recursive: true, force: true });
  const common: esbuild.BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    // vscode comes from the extension host; mocha must be the runner's own instance (suites register on it);
    // playwright-core loads its own files at run time. All resolve from the repo's node_modules.
    external: ['vscode', 'mocha', 'playwright-core'],
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(integrationDir, 'index.ts'), ...integrationSuites], outbase: integrationDir, outdir: integrationOutDir }),
    e2eSuites.length > 0 ? esbuild.build({ ...common, entryPoints: e2eSuites, outbase: e2eDir, outdir: e2eOutDir }) : Promise.resolve(),
  ]);
  return { integrationSuites, e2eSuites };
}
