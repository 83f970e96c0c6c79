// The CLI as esbuild.mjs builds it: `ipinv scan` runs from dist/cli.js alone (no msal, undici, simulator or other
// command loaded), every other command loads dist/cliCommands.js on first use, and large files reach the worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

const run = promisify(execFile);
let dir = '';
let metafile: esbuild.Metafile;

/** Prints, at exit, every file the process loaded through require (the bundles are CommonJS), and whether it started threads. */
const LOADED_HOOK = `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\nTHREADS ' + process.moduleLoadList.includes('NativeModule worker_threads') + '\\n'));`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipinv-bundle-'));
  // A specifier in a variable: the build script is plain JavaScript, without type declarations.
  const config: string = '../../esbuild.mjs';
  const { targets } = (await import(config)) as { targets: esbuild.BuildOptions[] };
  const cliTargets = targets.filter((t) => JSON.stringify(t.entryPoints ?? t.outfile).match(/cli|scanWorker/));
  assert.equal(cliTargets.length, 3, 'the cli, its commands and the scan worker');
  const results = await Promise.all(
    cliTargets.map((t) =>
      esbuild.build({ ...t, logLevel: 'silent', metafile: true, sourcemap: false, ...(t.outfile ? { outfile: join(dir, 'cliCommands.js') } : { outdir: dir }) }),
    ),
  );
  metafile = { inputs: {}, outputs: Object.assign({}, ...results.map((r) => r.metafile.outputs)) as esbuild.Metafile['outputs'] };
  await writeFile(join(dir, 'hook.js'), LOADED_HOOK);
  await writeFile(join(dir, 'empty.log'), '');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function inputsOf(file: string): string[] {
  const out = Object.entries(metafile.outputs).find(([path]) => path.endsWith(`/${file}`) || path === file);
  assert.ok(out, `${file} was built`);
  return Object.keys(out[1].inputs);
}

test('dist/cli.js holds the entry and the scan path only', () => {
  const inputs = inputsOf('cli.js');
  assert.ok(inputs.some((i) => i.endsWith('src/cli/scanCommand.ts')));
  assert.ok(inputs.some((i) => i.endsWith('src/core/ip/scanner.ts')));
  for (const heavy of [/@azure[\\/]msal/, /undici/, /src[\\/]simulator/, /src[\\/]cli[\\/]investigateCommand/, /src[\\/]cli[\\/]triageCommand/, /src[\\/]core[\\/]defender/]) {
    assert.deepEqual(inputs.filter((i) => heavy.test(i)), [], `${heavy} is not in dist/cli.js`);
  }
  const commands = inputsOf('cliCommands.js');
  assert.ok(commands.some((i) => i.endsWith('src/cli/investigateCommand.ts')));
  assert.ok(commands.some((i) => i.endsWith('src/cli/triageCommand.ts')));
  assert.ok(commands.some((i) => /@azure[\\/]msal-node/.test(i)));
});

async function cli(args: string[]): Promise<{ stdout: string; loaded: string[]; threads: boolean }> {
  const r = await run(process.execPath, ['--require', join(dir, 'hook.js'), join(dir, 'cli.js'), ...args], { cwd: dir });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, r.stderr);
  return {
    stdout: r.stdout,
    loaded: (JSON.parse(line.slice(7)) as string[]).map((p) => p.slice(dir.length + 1)),
    threads: r.stderr.includes('THREADS true'),
  };
}

test('ipinv scan loads one file; another command loads the commands bundle on first use', async () => {
  const scan = await cli(['scan', '--count', 'empty.log']);
  assert.equal(scan.stdout, '0\n');
  assert.deepEqual(scan.loaded.filter((f) => f !== 'hook.js'), ['cli.js']);
  assert.equal(scan.threads, false, 'a small file is scanned without starting a worker');
  const help = await cli(['investigate', '--help']);
  assert.match(help.stdout, /^Usage: ipinv investigate/);
  assert.deepEqual(help.loaded.filter((f) => f !== 'hook.js').sort(), ['cli.js', 'cliCommands.js']);
});

test('a file above the threshold is counted by the bundled worker with --threads 2, with the same count', async () => {
  const line = 'Nov 21 03:14:07 fw01 sshd[811]: from 198.51.100.23 port 22 to [2001:db8::1]:443 via 10.0.0.1\n';
  await writeFile(join(dir, 'big.log'), line.repeat(Math.ceil((17 << 20) / line.length)));
  const r = await cli(['scan', '--count', '--threads', '2', 'big.log']);
  assert.equal(r.stdout, `${3 * Math.ceil((17 << 20) / line.length)}\n`);
  assert.equal(r.threads, true, 'the count ran in worker threads');
  // One thread: the same count, and no worker started.
  const one = await cli(['scan', '--count', '--threads', '1', 'big.log']);
  assert.equal(one.stdout, r.stdout);
  assert.equal(one.threads, false, 'no worker with --threads 1');
});
