// Starts code-server on a free 127.0.0.1 port with throwaway user data, waits until it answers, and stops it with all
// its children (extension host, pty host, file watcher) as one process group.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { CodeServerInstall } from './installCodeServer';
import { childEnv, onCleanup, runLogged, spawnGroup, tail } from './processes';
import { repoRoot } from './paths';

export interface CodeServerOptions {
  readonly install: CodeServerInstall;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** The folder the workbench opens. */
  readonly folder: string;
  readonly logFile: string;
  /** Extra environment for code-server and so for the extension host (e.g. the test driver's report URL). */
  readonly env?: Record<string, string>;
  /** A fixed port (the demo); by default a free one. */
  readonly port?: number;
}

export interface RunningCodeServer {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  /** The workbench with the folder open. */
  readonly workbenchUrl: string;
  readonly port: number;
  readonly logFile: string;
  /** Resolves when code-server exits (its exit code or signal), whoever stopped it. */
  readonly exited: Promise<number | string>;
  /** Stops code-server and every process of its group; idempotent. */
  readonly stop: () => Promise<void>;
}

/** The extension host log of the first window, for failure output. */
export function extensionHostLogs(userDataDir: string): string[] {
  const logsDir = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logsDir)) return [];
  return fs
    .readdirSync(logsDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('remoteexthost.log') || name.endsWith('exthost.log'))
    .map((name) => path.join(logsDir, name));
}

/** A port that was free a moment ago; code-server is retried on another one if it loses the race. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function baseArgs(options: Pick<CodeServerOptions, 'userDataDir' | 'extensionsDir'>, configFile: string): string[] {
  return [
    // An empty config in the run folder: code-server would otherwise write ~/.config/code-server/config.yaml.
    '--config',
    configFile,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir',
    options.userDataDir,
    '--extensions-dir',
    options.extensionsDir,
  ];
}

function configFileFor(userDataDir: string): string {
  const file = path.join(userDataDir, 'code-server-config.yaml');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '# The harness passes everything else on the command line.\nauth: none\ncert: false\n');
  return file;
}

/** `code-server --install-extension <vsix>`: installs the packaged extension the way a user would. */
export async function installVsix(install: CodeServerInstall, vsix: string, options: Pick<CodeServerOptions, 'userDataDir' | 'extensionsDir' | 'logFile'>): Promise<void> {
  const args = [install.entry, ...baseArgs(options, configFileFor(options.userDataDir)), '--install-extension', vsix];
  await runLogged(process.execPath, args, { cwd: repoRoot, env: childEnv(), logFile: options.logFile, timeoutMs: 120_000 });
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnPort(options, port);
    } catch (error) {
      lastError = error;
      if (!String(error).includes('EADDRINUSE')) break;
    }
  }
  throw lastError;
}

async function startOnPort(options: CodeServerOptions, port: number): Promise<RunningCodeServer> {
  const args = [
    options.install.entry,
    ...baseArgs(options, configFileFor(options.userDataDir)),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    options.folder,
  ];
  fs.appendFileSync(options.logFile, `\n$ node ${args.join(' ')}\n`);
  const group = spawnGroup(process.execPath, args, { cwd: repoRoot, env: childEnv(options.env), logFile: options.logFile });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    unregister();
    await group.stop();
  };
  const unregister = onCleanup(stop);
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitUntilAnswering(url, group.hasExited, options.logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  // Slashes kept readable: the URL is printed for people (the demo).
  const workbenchUrl = `${url}?folder=${encodeURIComponent(options.folder).replace(/%2F/g, '/')}`;
  return { url, workbenchUrl, port, logFile: options.logFile, exited: group.exited, stop };
}

/** Polls /healthz until it answers 200, with a deadline; fails at once when code-server exits. */
async function waitUntilAnswering(url: string, hasExited: () => boolean, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`code-server exited before it answered:\n${tail(logFile)}`);
    try {
      const response = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s:\n${tail(logFile)}`);
}
