// `ipinv triage`: every address in files (or stdin) triaged in batched hunting queries; a readable table,
// JSON, CSV, a Markdown report or a STIX bundle on stdout, progress on stderr when it is a terminal.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ExitCode, UsageError, terminalSafe, writeOut, type CliIo } from './io';
import { CONNECTION_HELP, connectOrExit, interruptSignal, parseConnectionFlags, type Connection, type ConnectionFlags } from './connection';
import { LOOKBACKS, type Lookback } from '../shared/investigation';
import type { TriageInput } from '../core/triage/extractAddresses';
import type { TriageProgress, TriageReport } from '../shared/triageModel';

export const TRIAGE_HELP = `Usage: ipinv triage [FILE ... | -] [--json | --csv | --markdown | --stix] [--lookback 1d|7d|30d] [options]

Finds every IP address in the files (or stdin with -), then asks Defender about all of them at once
in batched hunting queries: public addresses for sightings and alerts, internal addresses for the
machines that held them at the times on their log lines. Special-purpose addresses (loopback,
multicast, reserved...) are listed but not looked up.

Output (stdout; one of):
  (default)      a readable table
  --json         one JSON document with every address, its occurrences and the queries used
  --csv          one row per address (spreadsheet-safe)
  --markdown     a report, with the exact hunting queries to re-run in the portal
  --stix         a STIX 2.1 bundle of the addresses seen with alerts

Options:
  --lookback P   1d | 7d | 30d (default 7d)
  --cache-dir D  keep results in D/triage-cache.json; a re-run only asks for what is new
  --no-cache     ignore cached results (fresh ones are still saved)
  --help         this text

${CONNECTION_HELP}
Exit codes: 0 done (possibly with problems), 1 cancelled or internal error, 2 bad usage or
unreadable file, 3 authentication failed, 4 nothing could be retrieved.
`;

type Format = 'table' | 'json' | 'csv' | 'markdown' | 'stix';

export interface TriageOptions {
  format: Format;
  lookback: Lookback;
  cacheDir?: string;
  noCache: boolean;
  files: string[];
  connection: ConnectionFlags;
}

export interface TriageDeps {
  /** Replaces openConnection (tests). */
  openConnection?: (flags: ConnectionFlags, io: CliIo) => Promise<Connection>;
  /** Cancels the triage (Ctrl-C); partial results are still printed. */
  signal?: AbortSignal;
}

export function parseTriageArgs(args: readonly string[]): TriageOptions | 'help' {
  const { flags, rest } = parseConnectionFlags(args);
  let format: Format | undefined;
  let lookback: Lookback | undefined;
  let cacheDir: string | undefined;
  let noCache = false;
  const files: string[] = [];
  const setFormat = (f: Format, flag: string) => {
    if (format) throw new UsageError(`choose one output format; ${flag} conflicts with an earlier one.`);
    format = f;
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--') {
      files.push(...rest.slice(i + 1));
      break;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${name} needs a value.`);
      return v;
    };
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--json':
        setFormat('json', a);
        break;
      case '--csv':
        setFormat('csv', a);
        break;
      case '--markdown':
      case '--md':
        setFormat('markdown', a);
        break;
      case '--stix':
        setFormat('stix', a);
        break;
      case '--lookback': {
        const v = value();
        if (!(LOOKBACKS as readonly string[]).includes(v)) throw new UsageError(`--lookback must be one of ${LOOKBACKS.join(', ')}, not '${v.slice(0, 20)}'.`);
        lookback = v as Lookback;
        break;
      }
      case '--cache-dir':
        cacheDir = value();
        if (cacheDir.trim() === '') throw new UsageError('--cache-dir needs a directory.');
        break;
      case '--no-cache':
        noCache = true;
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a.slice(0, 40)}'. Run 'ipinv triage --help'.`);
        files.push(a);
    }
  }
  if (files.filter((f) => f === '-').length > 1) throw new UsageError("stdin ('-') can be read only once.");
  return { format: format ?? 'table', lookback: lookback ?? '7d', ...(cacheDir !== undefined ? { cacheDir } : {}), noCache, files, connection: flags };
}

/** Every file must be a readable regular file before anything is sent. */
async function checkFiles(files: string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    if (f === '-') {
      out.push(f);
      continue;
    }
    const path = isAbsolute(f) ? f : resolve(cwd, f);
    let s;
    try {
      s = await stat(path);
      await access(path, constants.R_OK);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new UsageError(`cannot read '${f}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'unreadable'}.`);
    }
    if (!s.isFile()) throw new UsageError(`'${f}' is not a regular file.`);
    out.push(path);
  }
  return out;
}

export async function runTriage(args: string[], io: CliIo, deps: TriageDeps = {}): Promise<number> {
  const parsed = parseTriageArgs(args);
  if (parsed === 'help') {
    io.stdout.write(TRIAGE_HELP);
    return ExitCode.ok;
  }
  const stdinIsTty = (io.stdin as { isTTY?: boolean }).isTTY === true;
  if (parsed.files.length === 0) {
    if (stdinIsTty) throw new UsageError("give one or more files, or '-' to read stdin. Run 'ipinv triage --help'.");
    parsed.files.push('-');
  }
  const paths = await checkFiles(parsed.files, io.cwd);
  const inputs: TriageInput[] = paths.map((p, i) => (p === '-' ? { kind: 'stream', name: '-', stream: io.stdin } : { kind: 'file', path: p, name: parsed.files[i] }));

  const opened = await connectOrExit('triage', parsed.connection, io, deps.openConnection);
  if (typeof opened === 'number') return opened;
  const connection = opened;

  const progressOn = (io.stderr as { isTTY?: boolean }).isTTY === true;
  // In a real terminal, the first Ctrl-C cancels and prints what arrived; a second one exits as usual.
  const interrupt = interruptSignal(io, deps.signal);
  const signal = interrupt.signal;
  try {
    const { TriageService } = await import('../core/triage/triageService');
    const { TriageCache } = await import('../core/triage/triageCache');
    const cacheFile = parsed.cacheDir ? join(isAbsolute(parsed.cacheDir) ? parsed.cacheDir : resolve(io.cwd, parsed.cacheDir), 'triage-cache.json') : undefined;
    const cache = cacheFile ? await TriageCache.load(cacheFile) : new TriageCache();
    const service = new TriageService(connection.api, { scope: connection.scope, cache, collector: { maxOccurrencesPerAddress: 100 } });
    if (progressOn) io.stderr.write(`Triage against ${terminalSafe(connection.describe, 300)}\n`);
    let lastDraw = 0;
    const report = await service.triageAll(
      { inputs, lookback: parsed.lookback, noCache: parsed.noCache, ...(signal ? { signal } : {}) },
      (e) => {
        if (!progressOn) return;
        const now = Date.now();
        if (now - lastDraw < 100 && e.type !== 'extracted') return;
        lastDraw = now;
        io.stderr.write(`\r\u001b[2K${progressLine(e.progress)}`);
      },
    );
    if (progressOn) io.stderr.write(`\r\u001b[2K${progressLine({ ...summaryProgress(report) })}\n`);
    if (cacheFile && cache.changed) {
      try {
        await cache.save(cacheFile);
      } catch (e) {
        io.stderr.write(`ipinv triage: could not save the cache: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    for (const s of report.sources) if (s.error) io.stderr.write(`ipinv triage: ${terminalSafe(s.name)}: ${terminalSafe(s.error)}\n`);
    await writeOut(io, await render(report, parsed.format));
    return exitCodeFor(report, io);
  } finally {
    interrupt.dispose();
    await connection.close();
  }
}

async function render(report: TriageReport, format: Format): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('../core/triage/exportJson')).exportJson(report);
    case 'csv':
      return (await import('../core/triage/exportCsv')).exportCsv(report);
    case 'markdown':
      return (await import('../core/triage/exportMarkdown')).exportMarkdown(report);
    case 'stix':
      return (await import('../core/triage/exportStix')).exportStixJson(report);
    default:
      return renderTable(report);
  }
}

/**
 * 0 when the triage ran (problems are in the output), 3 when authentication failed, 4 when addresses
 * needed Defender and not one answer came back, 1 when cancelled.
 */
function exitCodeFor(report: TriageReport, io: CliIo): number {
  const problems = report.entries.flatMap((e) => e.problems);
  const auth = problems.find((p) => p.kind === 'auth' || p.kind === 'permission');
  const asked = report.entries.some((e) => e.verdict !== 'skipped' && !(e.verdict === 'internal' && !e.holdersAt?.length && e.problems.length === 0));
  const answered = report.queries.some((q) => q.ok) || report.calls.cacheHits > 0 || report.entries.some((e) => e.holdersAt?.some((h) => h.via === 'findbyip'));
  if (report.cancelled) {
    io.stderr.write('ipinv triage: cancelled; the output has the results received so far.\n');
    return ExitCode.failure;
  }
  if (asked && !answered && problems.length > 0) {
    const first = auth ?? problems[0];
    io.stderr.write(`ipinv triage: nothing could be retrieved: ${terminalSafe(first.message)}${first.remedy ? ` ${terminalSafe(first.remedy)}` : ''}\n`);
    return auth?.kind === 'auth' ? ExitCode.auth : ExitCode.nothingRetrieved;
  }
  return ExitCode.ok;
}

function summaryProgress(r: TriageReport): TriageProgress {
  const resolved = r.entries.filter((e) => e.verdict !== 'pending').length;
  return {
    phase: 'done',
    bytesScanned: r.counts.bytes,
    occurrences: r.counts.occurrences,
    addresses: r.counts.addresses,
    resolved,
    batchesDone: r.queries.length,
    batchesTotal: r.queries.length,
    calls: r.calls,
    byVerdict: r.counts.byVerdict,
  };
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

export function progressLine(p: TriageProgress): string {
  const v = p.byVerdict;
  const verdicts = `${v.alerts} with alerts, ${v.seen} seen, ${v['not-seen']} not seen, ${v.internal} internal, ${v.skipped} skipped${v.unknown ? `, ${v.unknown} unanswered` : ''}`;
  if (p.phase === 'extracting') {
    return `Scanning ${mb(p.bytesScanned)}${p.bytesTotal ? `/${mb(p.bytesTotal)}` : ''} MB: ${p.occurrences} matches`;
  }
  if (p.phase === 'querying') {
    return `Querying: ${p.batchesDone}/${p.batchesTotal} batches, ${p.resolved}/${p.addresses} addresses (${verdicts})`;
  }
  return `Done: ${p.addresses} addresses in ${mb(p.bytesScanned)} MB, ${p.calls.hunting} hunting queries, ${p.calls.findbyip} findbyip calls (${verdicts})`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderTable(r: TriageReport): string {
  const rows: string[][] = [['VERDICT', 'ADDRESS', 'CLASS', 'MACHINES', 'ALERTS', 'LAST SEEN', 'OCC', 'DETAIL']];
  for (const e of r.entries) {
    const detail =
      e.verdict === 'alerts'
        ? `${e.alerts?.highestSeverity ?? ''} ${e.alerts?.titles[0] ?? ''}`
        : e.verdict === 'internal'
          ? e.holders?.length
            ? `held by ${e.holders.map((h) => h.name).join(', ')}${e.reason ? ` · ${e.reason}` : ''}`
            : (e.reason ?? (e.holdersAt?.length ? 'no machine reported it at those times' : ''))
          : e.verdict === 'skipped'
            ? (e.reason ?? '')
            : e.problems.length
              ? e.problems.map((p) => `${p.source}: ${p.message}`).join('; ')
              : e.sightings
                ? e.sightings.processes.slice(0, 3).join(', ')
                : (e.reason ?? '');
    rows.push([
      e.verdict,
      e.ip,
      e.ipClass,
      (e.sightings ?? e.localSightings) ? String((e.sightings ?? e.localSightings)?.machines) : '',
      e.alerts ? String(e.alerts.count) : '',
      (e.sightings ?? e.localSightings)?.lastSeen?.slice(0, 16).replace('T', ' ') ?? '',
      String(e.occurrenceCount),
      terminalSafe(detail.trim(), 80),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.min(40, Math.max(...rows.map((row) => row[c].length))));
  const lines = rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : pad(cell, widths[c]))).join('  ').trimEnd());
  const c = r.counts;
  lines.push('');
  lines.push(
    `${c.addresses} addresses (${c.occurrences} occurrences, ${mb(c.bytes)} MB): ${c.byVerdict.alerts} with alerts, ${c.byVerdict.seen} seen, ${c.byVerdict['not-seen']} not seen, ${c.byVerdict.internal} internal, ${c.byVerdict.skipped} skipped, ${c.byVerdict.unknown} unanswered. ${r.calls.hunting} hunting queries, ${r.calls.findbyip} findbyip calls, ${r.calls.cacheHits} from cache; look-back ${r.lookback}.`,
  );
  return `${lines.join('\n')}\n`;
}
