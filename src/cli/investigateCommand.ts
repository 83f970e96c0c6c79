// `ipinv investigate` (placeholder until the investigation service lands).
import { ExitCode, type CliIo } from './io';

export function runInvestigate(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write('ipinv investigate: not implemented yet\n');
  return Promise.resolve(ExitCode.failure);
}
