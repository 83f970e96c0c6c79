// `ipinv scan` (placeholder until the recognition engine lands).
import { ExitCode, type CliIo } from './io';

export function runScan(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write('ipinv scan: not implemented yet\n');
  return Promise.resolve(ExitCode.failure);
}
