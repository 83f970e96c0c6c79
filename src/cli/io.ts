// The streams and environment a CLI command runs with, injected so tests can run commands in-process.
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  /** Unexpected internal failure. */
  failure: 1,
  /** Bad usage or bad input (invalid address or time, unreadable file), rejected before any request. */
  usage: 2,
  /** Authentication failed. */
  auth: 3,
  /** Nothing could be retrieved. */
  nothingRetrieved: 4,
} as const;

/** Thrown by argument parsing; the entry prints `ipinv: <message>` and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

// C0/C1 controls (terminal escape sequences) and bidi overrides from files or the API never reach the terminal raw.
// eslint-disable-next-line no-control-regex
const UNSAFE_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export function terminalSafe(s: string, max = 120): string {
  const clean = s.replace(UNSAFE_TERMINAL, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Writes to stdout and resolves once the text is handed over (so the exit code follows the output). */
export function writeOut(io: CliIo, text: string): Promise<void> {
  return new Promise((resolveWrite, reject) => {
    io.stdout.write(text, (e) => (e ? reject(e) : resolveWrite()));
  });
}
