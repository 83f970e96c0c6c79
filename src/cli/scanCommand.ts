// `ipinv scan`: prints every IP address found in files or standard input, as a listing, JSON lines or a count.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ExitCode, UsageError, type CliIo } from './io';
import { wasmCountFile } from '../core/ip/wasmCount';
import { countFile, countStream, scanFileBatches, scanStreamBatches, type FileMatch } from '../core/ip/scanFile';
import { statFile } from '../core/ip/fileIo';
import { parseZoneOption, type LineTimeOptions } from '../core/ip/logTime';

export const SCAN_HELP = `Usage: ipinv scan [--json | --count] [options] [FILE ... | -]

Finds IPv4 and IPv6 addresses (with ports, prefixes, zone ids, defanged forms such as
198.51.100[.]23) in the files, or in standard input when FILE is '-' or no FILE is given.

Output (one match per line, in file order):
  default      FILE:LINE:COLUMN VALUE (CLASS)
  --json       one JSON object per line with the fields file, value, version, start, end
               (UTF-16 offsets into the file text, end exclusive), line, column (1-based),
               port, prefix, zone (null when absent), defanged, leadingZeros, class, and
               time (the ISO 8601 UTC instant of the line's timestamp, or null)
  --count      only the number of matches

Options:
  --assume-zone ZONE   zone for timestamps written without one: utc (default), local, or +HH:MM
  --date-order mdy|dmy how to read dates such as 05/06/2026; by default they are left out
                       because the order cannot be told
  --threads N|auto     threads that scan a file of 16 MiB or more: 1 = this one only. auto (the
                       default) uses every core on machines with 4 or more, and this thread alone
                       on smaller ones, where a worker's start costs more than it scans
  -h, --help           this text

CLASS is one of public, private, shared, loopback, link-local, unique-local, multicast,
documentation, benchmarking, reserved, unspecified, broadcast.
Exit status: 0 when the input was read (with or without matches), 2 for bad usage or a
file that cannot be read.
`;

const STDIN_NAME = '(standard input)';

interface ScanArgs {
  mode: 'list' | 'json' | 'count';
  files: string[];
  timeOptions: LineTimeOptions;
  help: boolean;
  threads: number | 'auto';
}

/** Most threads `--threads` takes. */
const MAX_THREADS = 64;

/**
 * How many threads scan a large file in a whole `ipinv` process. Measured on 2 vCPUs (bench:scan corpus, 50 to 200
 * MB): this thread alone is 25-50% faster than this thread plus a worker, in every output mode, because the worker's
 * start, its cold code and the cores V8 itself uses cost more than its share of the scan. With 4 or more cores the
 * workers pay for themselves.
 */
export function scanThreads(requested: number | 'auto', cores = availableParallelism()): number {
  if (requested !== 'auto') return requested;
  return cores >= 4 ? Math.min(8, cores) : 1;
}

function parseArgs(args: string[]): ScanArgs {
  const parsed: ScanArgs = { mode: 'list', files: [], timeOptions: {}, help: false, threads: 'auto' };
  let json = false;
  let count = false;
  let optionsDone = false;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k];
    if (optionsDone || arg === '-' || !arg.startsWith('-')) {
      parsed.files.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const valueOf = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = args[++k];
      if (v === undefined) throw new UsageError(`${name} needs a value. Run 'ipinv scan --help'.`);
      return v;
    };
    switch (name) {
      case '--':
        optionsDone = true;
        break;
      case '--json':
        json = true;
        break;
      case '--count':
        count = true;
        break;
      case '-h':
      case '--help':
        parsed.help = true;
        break;
      case '--assume-zone': {
        const zone = valueOf();
        if (parseZoneOption(zone) === undefined) throw new UsageError(`--assume-zone must be utc, local or ±HH:MM, not '${zone}'.`);
        parsed.timeOptions.assumeZone = zone;
        break;
      }
      case '--threads': {
        const v = valueOf();
        const n = /^\d{1,3}$/.test(v) ? Number(v) : NaN;
        if (v !== 'auto' && !(n >= 1 && n <= MAX_THREADS)) throw new UsageError(`--threads must be auto or a number from 1 to ${MAX_THREADS}, not '${v}'.`);
        parsed.threads = v === 'auto' ? 'auto' : n;
        break;
      }
      case '--date-order': {
        const order = valueOf();
        if (order !== 'mdy' && order !== 'dmy') throw new UsageError(`--date-order must be mdy or dmy, not '${order}'.`);
        parsed.timeOptions.dateOrder = order;
        break;
      }
      default:
        throw new UsageError(`unknown option '${arg}'. Run 'ipinv scan --help'.`);
    }
  }
  if (json && count) throw new UsageError('use either --json or --count, not both.');
  parsed.mode = json ? 'json' : count ? 'count' : 'list';
  if (parsed.files.filter((f) => f === '-').length > 1) throw new UsageError("standard input ('-') can be read only once.");
  return parsed;
}

export async function runScan(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed.help) {
    io.stdout.write(SCAN_HELP);
    return ExitCode.ok;
  }
  const files = parsed.files.length > 0 ? parsed.files : ['-'];
  if (parsed.files.length === 0 && (io.stdin as { isTTY?: boolean }).isTTY) {
    throw new UsageError("no input: give a FILE, or pipe text in and use '-'. Run 'ipinv scan --help'.");
  }
  // Check every file before printing anything, so a typo fails fast and cleanly.
  for (const f of files) {
    if (f === '-') continue;
    const problem = await unreadable(resolve(io.cwd, f));
    if (problem) {
      io.stderr.write(`ipinv scan: cannot read '${f}': ${problem}\n`);
      return ExitCode.usage;
    }
  }

  const out = new OutputWriter(io.stdout);
  let total = 0;
  const threads = scanThreads(parsed.threads);
  // One thread: no worker is started. More: the pool (loaded only then) with that many threads in all.
  const pool = threads > 1 ? (await import('../core/ip/scanPool')).sharedScanPool(threads) : undefined;
  const lineTime = parsed.mode === 'json' ? parsed.timeOptions : false;
  try {
    for (const f of files) {
      const name = f === '-' ? STDIN_NAME : f;
      if (parsed.mode === 'count') {
        // Counting needs no lines, times or match objects. In this thread alone, the file is read with synchronous
        // calls straight into the WebAssembly counter (this process waits for nothing else); with workers, large files
        // are counted on every core (this thread too).
        try {
          const path = resolve(io.cwd, f);
          if (f === '-') total += await countStream(io.stdin);
          else if (pool) total += await countFile(path, { parallel: { mainThread: true, pool } });
          else total += wasmCountFile(path) ?? (await countFile(path, { parallel: false }));
        } catch (e) {
          io.stderr.write(`ipinv scan: cannot read '${f}': ${describe(e)}\n`);
          return ExitCode.usage;
        }
        continue;
      }
      const batches = f === '-' ? scanStreamBatches(io.stdin, { lineTime }) : scanFileBatches(resolve(io.cwd, f), { lineTime, parallel: pool ? { pool } : false });
      try {
        for await (const batch of batches) {
          await out.write(format(batch, name, parsed.mode));
          if (out.closed) return ExitCode.ok;
        }
      } catch (e) {
        if (out.closed) return ExitCode.ok;
        io.stderr.write(`ipinv scan: cannot read '${f}': ${describe(e)}\n`);
        return ExitCode.usage;
      }
    }
    if (parsed.mode === 'count') await out.write(`${total}\n`);
    return ExitCode.ok;
  } finally {
    out.dispose();
  }
}

function format(batch: FileMatch[], file: string, mode: 'list' | 'json'): string {
  let s = '';
  if (mode === 'list') {
    for (const m of batch) s += `${file}:${m.line}:${m.column} ${m.value} (${m.ipClass})\n`;
    return s;
  }
  for (const m of batch) {
    s += `${JSON.stringify({
      file,
      value: m.value,
      version: m.version,
      start: m.start,
      end: m.end,
      line: m.line,
      column: m.column,
      port: m.port ?? null,
      prefix: m.prefix ?? null,
      zone: m.zone ?? null,
      defanged: m.defanged,
      leadingZeros: m.leadingZeros,
      class: m.ipClass,
      time: m.time ? m.time.toISOString() : null,
    })}\n`;
  }
  return s;
}

async function unreadable(path: string): Promise<string | undefined> {
  try {
    const s = await statFile(path);
    if (s.isDirectory()) return 'it is a directory';
    return undefined;
  } catch (e) {
    return describe(e);
  }
}

function describe(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return e instanceof Error ? e.message : String(e);
}

/** Writes with backpressure; stops quietly when the reader goes away (`ipinv scan big.log | head`). */
class OutputWriter {
  closed = false;
  private waiting: (() => void) | undefined;
  private readonly onError = (): void => {
    this.closed = true;
    this.wake();
  };
  private readonly onDrain = (): void => this.wake();

  constructor(private readonly stream: Writable) {
    stream.on('error', this.onError);
    stream.on('drain', this.onDrain);
    stream.on('close', this.onError);
  }

  async write(text: string): Promise<void> {
    if (this.closed || text.length === 0) return;
    if (this.stream.write(text)) return;
    await new Promise<void>((resolveWait) => {
      this.waiting = resolveWait;
    });
  }

  /** Stops listening for drain. The error listener stays: a late EPIPE must not crash the process. */
  dispose(): void {
    this.stream.off('drain', this.onDrain);
    this.stream.off('close', this.onError);
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}
