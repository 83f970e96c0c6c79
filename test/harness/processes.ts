// Child processes of the harness: each runs in its own process group with its output in a log file, and every group is
// killed on success, failure, Ctrl-C and SIGTERM, so no code-server or Chromium outlives a run.
import { spawn, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';

type Cleanup = () => Promise<void>;

const liveGroups = new Set<number>();
const cleanups: Cleanup[] = [];
let handlersInstalled = false;

/** Registers an async cleanup that runs (newest first) on exit paths; returns a function that unregisters it. */
export function onCleanup(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  return () => {
    const at = cleanups.indexOf(cleanup);
    if (at >= 0) cleanups.splice(at, 1);
  };
}

/** Runs every registered cleanup once, newest first; errors are reported, not thrown. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup?.();
    } catch (error) {
      console.error(`[harness] cleanup failed: ${String(error)}`);
    }
  }
}

/**
 * Signals run the cleanups then exit with 128+signal; a plain exit (even a crash) SIGKILLs the groups still alive,
 * since async cleanup cannot run there.
 */
export function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const signals: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const [signal, code] of signals) {
    process.once(signal, () => {
      console.error(`\n[harness] ${signal}: stopping code-server and the browser…`);
      const hardStop = setTimeout(() => process.exit(code), 15_000);
      hardStop.unref();
      void runCleanups().finally(() => process.exit(code));
    });
  }
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroupNow(pgid, 'SIGKILL');
  });
}

function killGroupNow(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the whole group, wait for it to go (with a deadline), then SIGKILL what is left. */
export async function killGroup(pgid: number, graceMs = 5_000): Promise<void> {
  if (killGroupNow(pgid, 'SIGTERM')) {
    const deadline = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < deadline) await delay(100);
    if (groupAlive(pgid)) {
      killGroupNow(pgid, 'SIGKILL');
      const hardDeadline = Date.now() + 2_000;
      while (groupAlive(pgid) && Date.now() < hardDeadline) await delay(100);
    }
  }
  liveGroups.delete(pgid);
}

/** Polling interval for the deadline loops above (not a test sleep: every loop has a deadline). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface SpawnedGroup {
  readonly pid: number;
  /** Resolves with the exit code (or the signal name) of the group leader. */
  readonly exited: Promise<number | string>;
  /** Whether the leader has exited. */
  readonly hasExited: () => boolean;
  /** Kills the whole process group (leader and every descendant that kept the group). */
  readonly stop: () => Promise<void>;
}

/**
 * Starts a command as the leader of a new process group, tracked for cleanup. Its stdout+stderr are appended to
 * logFile, or shown in the terminal when logFile is undefined.
 */
export function spawnGroup(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string | undefined }): SpawnedGroup {
  installExitHandlers();
  const log = options.logFile === undefined ? undefined : fs.openSync(options.logFile, 'a');
  const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env, detached: true, stdio: log === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', log, log] };
  const child = spawn(command, args, spawnOptions);
  if (log !== undefined) fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}${options.logFile === undefined ? '' : ` (see ${options.logFile})`}`);
  liveGroups.add(pid);
  let exitedFlag = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (error) => {
      exitedFlag = true;
      resolve(error.message);
    });
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { pid, exited, hasExited: () => exitedFlag, stop: () => killGroup(pid) };
}

/**
 * Runs a command to completion in its own group (killed on a signal or when timeoutMs passes); rejects on non-zero.
 * Output goes to logFile, or to the terminal when logFile is undefined.
 */
export async function runLogged(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string | undefined; timeoutMs: number },
): Promise<void> {
  if (options.logFile !== undefined) fs.appendFileSync(options.logFile, `\n$ (cd ${options.cwd} && ${command} ${args.join(' ')})\n`);
  const group = spawnGroup(command, args, options);
  const unregister = onCleanup(() => group.stop());
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  try {
    const result = await Promise.race([group.exited, timedOut]);
    if (result === 'timeout') {
      await group.stop();
      throw new Error(`${command} ${args.join(' ')} took longer than ${Math.round(options.timeoutMs / 1000)} s${logHint(options.logFile)}`);
    }
    await group.stop(); // reap any descendant left in the group
    if (result !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result})${logHint(options.logFile)}`);
  } finally {
    clearTimeout(timer);
    unregister();
  }
}

function logHint(logFile: string | undefined): string {
  return logFile === undefined ? '' : `; log: ${logFile}`;
}

/** Variables `npm run` exports about the repo's own package and script (npm config such as a registry is kept). */
function isNpmRunVariable(key: string): boolean {
  const k = key.toLowerCase();
  return k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_') || ['npm_config_local_prefix', 'npm_config_call', 'npm_command', 'init_cwd'].includes(k);
}

/** The environment for a child npm/node: the parent's, minus what `npm run` says about this repo, plus overrides. */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm_config_local_prefix would point an install in the cache folder back at the repo.
    if (!isNpmRunVariable(key)) env[key] = value;
  }
  return { ...env, ...overrides };
}

/** The last lines of a log file, for failure messages. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
