// `ipinv`: the command-line entry. It parses the subcommand and hands over to src/cli/<name>Command.ts.
import { ExitCode, UsageError, type CliIo } from './io';
import { runScan } from './scanCommand';
import { runInvestigate } from './investigateCommand';
import { runTriage } from './triageCommand';
import { runMachine } from './machineCommand';
import { runIndicator } from './indicatorCommand';

const HELP = `ipinv: find and investigate IP addresses with Microsoft Defender for Endpoint

Usage:
  ipinv scan [--json | --count] [FILE ... | -]
                             list every IP address in files or stdin (FILE:LINE:COLUMN VALUE (CLASS));
                             --json: one object per line with offsets, port, prefix, zone, class, time
  ipinv investigate <address> [--at <time>] [--lookback 1d|7d|30d] [--demo] [--json] [...]
  ipinv triage [FILE ... | -] [--json | --csv | --markdown | --stix] [--lookback 1d|7d|30d] [--demo] [...]
  ipinv machine <id | name> [--ip <address> --at <time>] [--lookback 1d|7d|30d] [--demo] [--json] [...]
  ipinv indicator list|add|remove|import [...] [--yes] [--json] [--demo]
                             Defender indicators (block, warn, audit, alert, allow) for addresses
  ipinv <command> --help     details of one command
  ipinv --help | --version
`;

type Command = (args: string[], io: CliIo) => Promise<number>;
const commands: Record<string, Command> = {
  scan: runScan,
  investigate: runInvestigate,
  triage: runTriage,
  machine: runMachine,
  indicator: runIndicator,
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(HELP);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`ipinv: unknown command '${name}'. Run 'ipinv --help'.\n`);
    return ExitCode.usage;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`ipinv ${name}: ${e.message}\n`);
      return ExitCode.usage;
    }
    io.stderr.write(`ipinv ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return ExitCode.failure;
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

if (require.main === module) {
  const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`ipinv: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = ExitCode.failure;
    },
  );
}
