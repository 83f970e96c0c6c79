// One build, one output per runtime: the extension host (node/cjs), the webview (browser), the CLI (node), and the
// scan worker both of them start (dist/scanWorker.js).
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'info',
  legalComments: 'none',
};

/**
 * `ipinv scan` must start fast, so dist/cli.js holds the entry and the scan command only. A command that
 * src/cli/main.ts imports with `import('./xCommand')` is built into dist/cliCommands.js instead (with msal,
 * undici and the simulator), and loaded from there on first use: adding a command is one line in main.ts.
 */
const cliCommandFiles = readdirSync('src/cli').filter((f) => /^\w+Command\.ts$/.test(f) && f !== 'scanCommand.ts');

/** @type {import('esbuild').Plugin} */
const lazyCliCommands = {
  name: 'lazy-cli-commands',
  setup(build) {
    build.onResolve({ filter: /^\.\/\w+Command$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !/[\\/]src[\\/]cli[\\/]main\.ts$/.test(args.importer)) return undefined;
      return { path: args.path.slice(2), namespace: 'lazy-cli-command' };
    });
    build.onResolve({ filter: /^\.\/cliCommands\.js$/ }, () => ({ path: './cliCommands.js', external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-cli-command' }, (args) => {
      if (!cliCommandFiles.includes(`${args.path}.ts`)) return { errors: [{ text: `src/cli/${args.path}.ts is not a command file` }] };
      return { contents: `module.exports = require('./cliCommands.js').${args.path};`, loader: 'js', resolveDir: 'src/cli' };
    });
  },
};

/** @type {import('esbuild').BuildOptions[]} */
export const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts', triage: 'webview/triage/main.ts', machine: 'webview/machine/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    define: { __VERSION__: JSON.stringify(version) },
    plugins: [lazyCliCommands],
  },
  {
    ...common,
    stdin: {
      contents: cliCommandFiles.map((f) => `export * as ${f.slice(0, -3)} from './${f.slice(0, -3)}';`).join('\n'),
      resolveDir: 'src/cli',
      sourcefile: 'cliCommands.ts',
      loader: 'ts',
    },
    outfile: 'dist/cliCommands.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { __VERSION__: JSON.stringify(version) },
  },
  {
    ...common,
    entryPoints: { scanWorker: 'src/core/ip/scanWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
];

/**
 * dist/scan.wasm: the scan in WebAssembly (src/wasm/scan.ts, AssemblyScript), for counting and for triage extraction.
 * Every bundle that scans loads it from its own folder, and falls back to the JavaScript scanner without it.
 */
export async function buildWasm() {
  mkdirSync('dist', { recursive: true });
  const { main } = await import('assemblyscript/asc');
  const { error, stderr } = await main(
    ['src/wasm/scan.ts', '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--outFile', 'dist/scan.wasm'],
    {},
  );
  if (error) throw new Error(`dist/scan.wasm: ${error.message}\n${stderr.toString()}`);
}

// Built when run (`node esbuild.mjs`); imported, it only describes the targets (test/unit/cli.bundle.test.ts).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWasm();
  if (process.argv.includes('--wasm-only')) {
    // `npm run build:wasm`: the unit tests load dist/scan.wasm from the sources.
  } else if (watch) {
    const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
    await Promise.all(contexts.map((c) => c.watch()));
  } else {
    await Promise.all(targets.map((t) => esbuild.build(t)));
  }
}
