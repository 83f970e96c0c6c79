// The production bundles the benchmarks measure (what users run: dist/cli.js, dist/scanWorker.js), built when
// missing or older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const WORKER = join(ROOT, 'dist', 'scanWorker.js');

/** Production bundles (what users run), built when missing or older than the sources. */
export function ensureBundles(): void {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
  };
  const built = [CLI, WORKER, join(ROOT, 'dist', 'cliCommands.js')];
  const fresh = built.every((f) => existsSync(f)) && Math.min(...built.map((f) => statSync(f).mtimeMs)) > Math.max(newest(join(ROOT, 'src')), statSync(join(ROOT, 'esbuild.mjs')).mtimeMs);
  const minified = existsSync(CLI) && !readFileSync(CLI, 'utf8').includes('\n//# sourceMappingURL');
  if (fresh && minified) return;
  process.stdout.write('  building the production bundles (node esbuild.mjs --production)\n');
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the build failed: ${r.stderr}`);
}
