// Installs the test VS Code (code-server 4.100.3) from the npm registry alone, into a cache folder outside the repo
// that every clone on the machine reuses. Its postinstall downloads ripgrep from GitHub, so its steps are done here.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeServerDir, codeServerVersion } from './paths';
import { childEnv, runLogged } from './processes';
import { codeServerPackages, ensureSystemPackages } from './systemPackages';

export interface CodeServerInstall {
  /** The install folder (holds node_modules/code-server). */
  readonly dir: string;
  /** code-server's entry script, run with this Node. */
  readonly entry: string;
  readonly version: string;
}

interface Marker {
  readonly codeServer: string;
  readonly nodeMajor: number;
  readonly installedAt: string;
  readonly seconds: number;
}

const markerName = '.ipinv-install-complete.json';
const nodeMajor = Number(process.versions.node.split('.')[0]);

function describe(dir: string): CodeServerInstall {
  return { dir, entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), version: codeServerVersion };
}

/** A finished install has the marker (written last), for this version and this Node major (native modules). */
function isComplete(dir: string): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, markerName), 'utf8')) as Partial<Marker>;
    return marker.codeServer === codeServerVersion && marker.nodeMajor === nodeMajor && fs.existsSync(describe(dir).entry);
  } catch {
    return false;
  }
}

export interface EnsureOptions {
  /** Progress lines (default: stdout with a prefix). */
  readonly log?: (line: string) => void;
}

/** Returns the cached install, installing it first when missing or incomplete. Idempotent; safe to call before every run. */
export async function ensureCodeServer(options: EnsureOptions = {}): Promise<CodeServerInstall> {
  const log = options.log ?? ((line: string) => console.log(`[vscode:install] ${line}`));
  const dir = codeServerDir();
  if (isComplete(dir)) return describe(dir);
  if (nodeMajor !== 20) {
    throw new Error(`code-server ${codeServerVersion} needs Node 20 (newer code-server lines need Node 22+); this is Node ${process.versions.node}.`);
  }
  ensureSystemPackages(codeServerPackages, log);
  const nodedir = path.dirname(path.dirname(process.execPath));
  if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node.h'))) {
    throw new Error(`Node's headers are not at ${nodedir}/include/node: node-gyp would have to download them, which this network does not allow.`);
  }

  const started = performance.now();
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const logFile = `${dir}.install.log`;
  fs.writeFileSync(logFile, `code-server ${codeServerVersion} install, ${new Date().toISOString()}\n`);
  // Build next to the target and rename at the end: a half-done install is never taken for a finished one.
  const staging = `${dir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ private: true, dependencies: { 'code-server': codeServerVersion } }, null, 2));
  log(`installing code-server ${codeServerVersion} into ${dir} (log: ${logFile})`);

  const base = childEnv({ npm_config_nodedir: nodedir, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
  const vscodeDir = path.join(staging, 'node_modules', 'code-server', 'lib', 'vscode');
  const npm = (cwd: string, args: string[], env: NodeJS.ProcessEnv = base) => runLogged('npm', args, { cwd, env, logFile, timeoutMs: 15 * 60_000 });
  // npm 7+ ignores --unsafe-perm (scripts run as root anyway); it is kept because code-server's docs ask for it.
  const steps: Array<[string, () => Promise<void>]> = [
    ['npm install code-server (scripts off: its postinstall fetches ripgrep from GitHub)', () => npm(staging, ['install', '--unsafe-perm', '--ignore-scripts'])],
    ['npm install in lib/vscode (production deps)', () => npm(vscodeDir, ['install', '--unsafe-perm', '--omit=dev', '--ignore-scripts'])],
    [
      'rebuild kerberos from source (libkrb5-dev)',
      () => npm(vscodeDir, ['rebuild', 'kerberos'], { ...base, npm_config_build_from_source: 'true' }),
    ],
    [
      'rebuild node-pty, @parcel/watcher, @vscode/spdlog, native-watchdog, @vscode/deviceid',
      // node-pty runs `npx node-gyp`: npm_config_yes keeps npx from asking.
      () => npm(vscodeDir, ['rebuild', 'node-pty', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid'], { ...base, npm_config_yes: 'true' }),
    ],
    ['link Debian ripgrep, node_modules.asar and the bin scripts', () => Promise.resolve(linkFiles(vscodeDir))],
    ['npm install in lib/vscode/extensions', () => npm(path.join(vscodeDir, 'extensions'), ['install', '--unsafe-perm', '--omit=dev', '--ignore-scripts'])],
    ['rebuild argon2 from source', () => npm(staging, ['rebuild', 'argon2'], { ...base, npm_config_build_from_source: 'true' })],
    ['check that the native modules load', () => Promise.resolve(checkNativeModules(staging, vscodeDir))],
  ];
  try {
    for (const [index, [title, step]] of steps.entries()) {
      const stepStarted = performance.now();
      log(`${index + 1}/${steps.length} ${title}…`);
      await step();
      log(`${index + 1}/${steps.length} done in ${seconds(stepStarted)} s`);
    }
    const marker: Marker = { codeServer: codeServerVersion, nodeMajor, installedAt: new Date().toISOString(), seconds: Number(seconds(started)) };
    fs.writeFileSync(path.join(staging, markerName), `${JSON.stringify(marker, null, 2)}\n`);
    if (isComplete(dir)) {
      fs.rmSync(staging, { recursive: true, force: true }); // another run finished first; keep its install
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(staging, dir);
    }
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  log(`code-server ${codeServerVersion} installed in ${seconds(started)} s`);
  return describe(dir);
}

/** What code-server's postinstall.sh links, with Debian's rg in place of the one it would download. */
function linkFiles(vscodeDir: string): void {
  const rgDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(rgDir, { recursive: true });
  const rg = fs.existsSync('/usr/bin/rg') ? '/usr/bin/rg' : execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
  symlink(rg, path.join(rgDir, 'rg'));
  symlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
}

function symlink(target: string, at: string): void {
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(target, at);
}

/** Loads each rebuilt module in a child Node, so a broken build fails here and not in the middle of a test run. */
function checkNativeModules(staging: string, vscodeDir: string): void {
  const modules = [
    path.join(vscodeDir, 'node_modules', 'kerberos'),
    path.join(vscodeDir, 'node_modules', 'node-pty'),
    path.join(vscodeDir, 'node_modules', '@vscode', 'spdlog'),
    path.join(vscodeDir, 'node_modules', 'native-watchdog'),
    path.join(vscodeDir, 'node_modules', '@parcel', 'watcher'),
    path.join(staging, 'node_modules', 'argon2'),
  ];
  const script = `for (const m of ${JSON.stringify(modules)}) require(m);`;
  execFileSync(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  if (!fs.existsSync(path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'))) throw new Error('ripgrep link is missing');
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
