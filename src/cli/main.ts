// `ipinv`: the command-line entry. It parses the subcommand and hands over to src/cli/<name>Command.ts.
import { ExitCode, type CliIo } from './io';
import { runScan } from './scanCommand';

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
/**
 * One line per command. Only scan is imported up front: `ipinv scan` loads nothing else (no msal, undici or
 * simulator). A command written as `() => import('./xCommand').then(...)` loads on first use; the build puts
 * every such module into dist/cliCommands.js (see esbuild.mjs).
 */
const commands: Record<string, () => Promise<Command>> = {
  scan: () => Promise.resolve(runScan),
  investigate: () => import('./investigateCommand').then((m) => m.runInvestigate),
  triage: () => import('./triageCommand').then((m) => m.runTriage),
  machine: () => import('./machineCommand').then((m) => m.runMachine),
  indicator: () => import('./indicatorCommand').then((m) => m.runIndicator),
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
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    io.stderr.write(`ipinv: unknown command '${name}'. Run 'ipinv --help'.\n`);
    return ExitCode.usage;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (e) {
    // By name, not instanceof: a lazily loaded command has its own copy of the UsageError class.
    if (e instanceof Error && e.name === 'UsageError') {
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
  // process.stdin is built on first access (a stream, a socket or a TTY): only commands that read it pay for it.
  const io: CliIo = {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
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
