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
