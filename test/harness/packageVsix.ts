// `npm run package`: the production build, then `vsce package --no-dependencies` (esbuild bundles every dependency)
// into git-ignored out/vsix/. The e2e suite installs this file, so what is tested is what ships.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, vsixDir } from './paths';
import { childEnv, runLogged } from './processes';

interface Manifest {
  readonly name: string;
  readonly publisher: string;
  readonly version: string;
}

export function readManifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
}

/** Builds and packages the extension; returns the .vsix path. Progress and the size go to stdout. */
export async function packageVsix(): Promise<string> {
  const { name, version } = readManifest();
  const env = childEnv();
  await runLogged(process.execPath, ['esbuild.mjs', '--production'], { cwd: repoRoot, env, logFile: undefined, timeoutMs: 300_000 });
  fs.mkdirSync(vsixDir, { recursive: true });
  const vsix = path.join(vsixDir, `${name}-${version}.vsix`);
  fs.rmSync(vsix, { force: true });
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  await runLogged(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: repoRoot, env, logFile: undefined, timeoutMs: 300_000 });
  const bytes = fs.statSync(vsix).size;
  console.log(`vsix: ${path.relative(repoRoot, vsix)} ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB)`);
  return vsix;
}
