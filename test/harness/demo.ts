// `npm run demo`: builds, writes fresh demo samples when the simulator offers them, then opens the extension on
// samples/: in desktop VS Code when a `code` command exists, otherwise in code-server on 127.0.0.1 until Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, startCodeServer } from './codeServer';
import { ensureCodeServer } from './installCodeServer';
import { readManifest } from './packageVsix';
import { harnessScratchDir, repoRoot } from './paths';
import { childEnv, onCleanup, runLogged } from './processes';

const samplesDir = path.join(repoRoot, 'samples');

/** Optional hook of the simulator: `writeDemoSamples(dir, now)` writes samples with recent timestamps. */
async function writeRecentSamples(): Promise<void> {
  const hook = path.join(repoRoot, 'src', 'simulator', 'demoSamples.ts');
  if (!fs.existsSync(hook)) return;
  const module = (await import(pathToFileURL(hook).href)) as { writeDemoSamples?: unknown };
  if (typeof module.writeDemoSamples !== 'function') {
    console.log('demo: src/simulator/demoSamples.ts has no writeDemoSamples(dir, now); skipped');
    return;
  }
  const target = path.join(samplesDir, 'recent');
  await (module.writeDemoSamples as (dir: string, now: Date) => unknown)(target, new Date());
  console.log(`demo: wrote recent samples to ${path.relative(repoRoot, target)}/`);
}

function desktopCode(): string | undefined {
  if (process.env.IPINV_DEMO_CODE_SERVER === '1') return undefined;
  try {
    return execFileSync('sh', ['-c', 'command -v code'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const demoEnv = { IPINV_DEMO: '1' };

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function runDemo(): Promise<number> {
  await runLogged(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, env: childEnv(), logFile: undefined, timeoutMs: 300_000 });
  fs.mkdirSync(samplesDir, { recursive: true });
  await writeRecentSamples();

  const code = desktopCode();
  if (code !== undefined) {
    console.log(`demo: opening VS Code (${code}) with the extension on samples/`);
    spawn(code, [`--extensionDevelopmentPath=${repoRoot}`, samplesDir], { env: childEnv(demoEnv), stdio: 'ignore', detached: true }).unref();
    return 0;
  }

  const install = await ensureCodeServer();
  const root = path.join(harnessScratchDir, 'demo');
  const userDataDir = path.join(root, 'user-data'); // kept between demos, like a real profile
  const extensionsDir = path.join(root, 'extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settings = path.join(userDataDir, 'User', 'settings.json');
  // The simulated demo tenant (ipInvestigator.mode "demo"); kept as the user changes it in later demos.
  const demoSettings = { 'ipInvestigator.mode': 'demo', 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' };
  if (!fs.existsSync(settings)) fs.writeFileSync(settings, `${JSON.stringify(demoSettings, null, 2)}\n`);
  const { publisher, name, version } = readManifest();
  // Linked, not installed: a rebuild (npm run watch) shows up on the next window reload.
  fs.symlinkSync(repoRoot, path.join(extensionsDir, `${publisher}.${name}-${version}`), 'dir');
  // A stable URL between demos when the port is free (IPINV_DEMO_PORT overrides), any free port otherwise.
  const preferred = Number(process.env.IPINV_DEMO_PORT ?? '8765');
  const port = Number.isInteger(preferred) && preferred > 0 && (await portIsFree(preferred)) ? preferred : await freePort();
  const server = await startCodeServer({
    install,
    userDataDir,
    extensionsDir,
    folder: samplesDir,
    logFile: path.join(root, 'code-server.log'),
    env: demoEnv,
    port,
  });
  console.log(`\ndemo: the extension on samples/ in code-server ${install.version}:\n\n    ${server.workbenchUrl}\n\n(log: ${server.logFile}; Ctrl-C stops it)`);
  let stopping = false;
  onCleanup(() => {
    stopping = true; // runs first (newest first), before code-server is stopped
    return Promise.resolve();
  });
  // Runs until Ctrl-C (the signal handler stops code-server and exits) or until code-server dies.
  const exit = await server.exited;
  if (stopping) return 0;
  console.error(`demo: code-server stopped (${exit}); see ${server.logFile}`);
  return 1;
}
