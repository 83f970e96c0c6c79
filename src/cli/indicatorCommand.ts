// `ipinv indicator list|add|remove|import`: Defender indicators for addresses from a script or a terminal. Everything
// is validated before any request; a write is confirmed on the terminal or given `--yes`, and without a terminal and
// without `--yes` nothing is sent (exit 2). Results per address, with the request ids, as text or one JSON object.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ExitCode, UsageError, terminalSafe, writeOut, type CliIo } from './io';
import { CONNECTION_HELP, connectOrExit, interruptSignal, parseConnectionFlags, type Connection, type ConnectionFlags } from './connection';
import { AuthError, DefenderError, PermissionError, isCancellation } from '../core/defender/errors';
import { describeError } from '../core/investigation/describeError';
import { planBulkAdd, planBulkDrafts, type BulkPlan } from '../core/indicators/bulkPlan';
import { readImportFile, type ImportDefaults } from '../core/indicators/importFile';
import {
  checkDraft,
  checkIndicatorAddress,
  formatExpiry,
  indicatorKey,
  ipIndicatorsByAddress,
  isChoice,
  parseExpiry,
  parseGroups,
  parseSeverity,
  remainingRoom,
  textProblem,
  type IndicatorDraft,
} from '../core/indicators/indicatorRules';
import { removeOne, runBulk, submitOne, type SingleWrite } from '../core/indicators/indicatorWrites';
import type { Indicator, IndicatorSeverity } from '../shared/defenderModel';
import { INDICATOR_LIMITS, type AddressResult, type BulkReport, type IndicatorChoice } from '../shared/indicatorModel';
import { TRIAGE_VERDICTS, type TriageVerdict } from '../shared/triageModel';

export const INDICATOR_HELP = `Usage: ipinv indicator <list|add|remove|import> [...] [--json] [options]

Defender indicators for IP addresses: see them, add (or update) them, remove them. Writes need Ti.ReadWrite
(or Ti.ReadWrite.All). Without --yes a write is confirmed on the terminal; without a terminal it is refused.

  ipinv indicator list [ADDRESS ...]
        the IP indicators of the tenant (all of them, or those of the addresses)
  ipinv indicator add ADDRESS ... --action A --title T --description D [--expires E] [--severity S]
        [--generate-alert | --no-generate-alert] [--recommended-actions R] [--groups G1,G2] [--yes]
        one address: created, or updated when it has one; several: imported in batches of 500
  ipinv indicator remove ID ... [--yes]
        removes indicators by id (see 'list')
  ipinv indicator import FILE [--action A --title T --description D ...] [--only VERDICTS] [--yes]
        the portal's indicator CSV (indicatorType, indicatorValue, action, title, description, ...), or an
        'ipinv triage --csv/--json' export with --action (and --only alerts,seen,... to pick verdicts)

Options:
  --action A              block | warn | audit | alert | allowed (alert = Audit with an alert)
  --title T               one line, at most ${INDICATOR_LIMITS.titleMax} characters
  --description D         at most ${INDICATOR_LIMITS.descriptionMax} characters
  --expires E             7d | 30d | 90d | never (default) | a date (2027-01-04, 00:00 UTC) | an ISO time
  --severity S            Informational | Low | Medium | High
  --groups G1,G2          device groups it applies to (default: all devices)
  --yes                   write without asking (scripts)
  --json                  one JSON object on stdout
  --help                  this text

Refused before any request: CIDR ranges, addresses that are not single hosts (multicast, broadcast, unspecified,
loopback), internal addresses (Defender takes external ones only), documentation and reserved addresses on a
real tenant, more new indicators than the tenant's room under its 15,000.

${CONNECTION_HELP}
Exit codes: 0 done (per-address failures are in the output), 1 cancelled or internal error, 2 bad input or a
write refused without --yes (nothing sent), 3 authentication failed, 4 nothing could be done.
`;

type Sub = 'list' | 'add' | 'remove' | 'import';

interface Parsed {
  sub: Sub;
  positional: string[];
  json: boolean;
  yes: boolean;
  choice?: IndicatorChoice;
  title?: string;
  description?: string;
  expires?: string;
  severity?: IndicatorSeverity;
  generateAlert?: boolean;
  recommendedActions?: string;
  groups?: string[];
  verdicts?: TriageVerdict[];
  connection: ConnectionFlags;
}

export interface IndicatorDeps {
  openConnection?: (flags: ConnectionFlags, io: CliIo) => Promise<Connection>;
  /** Cancels a bulk run before its next batch (Ctrl-C). */
  signal?: AbortSignal;
  now?: () => number;
  /** Asks a yes/no question on the terminal (tests replace it). */
  confirm?: (question: string, io: CliIo) => Promise<boolean>;
}

const VALUE_OPTIONS = new Set(['--action', '--title', '--description', '--expires', '--severity', '--recommended-actions', '--groups', '--only']);

export function parseIndicatorArgs(args: readonly string[], now: number): Parsed | 'help' {
  const { flags, rest } = parseConnectionFlags(args);
  const [subText, ...more] = rest;
  if (subText === undefined || subText === '--help' || subText === '-h' || subText === 'help') return 'help';
  if (!['list', 'add', 'remove', 'import'].includes(subText)) throw new UsageError(`unknown subcommand '${terminalSafe(subText, 30)}': use list, add, remove or import.`);
  const p: Parsed = { sub: subText as Sub, positional: [], json: false, yes: false, connection: flags };
  const seen = new Set<string>();
  for (let i = 0; i < more.length; i++) {
    const a = more[i];
    if (a === '--') {
      p.positional.push(...more.slice(i + 1));
      break;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (name === '--help' || name === '-h') return 'help';
    if (!name.startsWith('-') || name === '-') {
      p.positional.push(a);
      continue;
    }
    if (seen.has(name)) throw new UsageError(`${name} was given twice.`);
    seen.add(name);
    let value = '';
    if (VALUE_OPTIONS.has(name)) {
      if (eq > 0) value = a.slice(eq + 1);
      else {
        const v = more[++i];
        if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${name} needs a value.`);
        value = v;
      }
    } else if (eq > 0) throw new UsageError(`${name} takes no value.`);
    switch (name) {
      case '--json':
        p.json = true;
        break;
      case '--yes':
      case '-y':
        p.yes = true;
        break;
      case '--generate-alert':
      case '--no-generate-alert':
        if (p.generateAlert !== undefined) throw new UsageError('give --generate-alert or --no-generate-alert, not both.');
        p.generateAlert = name === '--generate-alert';
        break;
      case '--action': {
        const v = value.trim().toLowerCase();
        if (!isChoice(v)) throw new UsageError(`--action must be block, warn, audit, alert or allowed, not '${terminalSafe(value, 30)}'.`);
        p.choice = v;
        break;
      }
      case '--title':
        p.title = value;
        break;
      case '--description':
        p.description = value;
        break;
      case '--recommended-actions':
        p.recommendedActions = value;
        break;
      case '--expires': {
        const e = parseExpiry(value, now);
        if (!e.ok) throw new UsageError(`--expires: ${e.error}`);
        p.expires = value;
        break;
      }
      case '--severity': {
        const s = parseSeverity(value);
        if (!s) throw new UsageError(`--severity must be Informational, Low, Medium or High, not '${terminalSafe(value, 30)}'.`);
        p.severity = s;
        break;
      }
      case '--groups': {
        const g = parseGroups(value);
        if (!g.ok) throw new UsageError(`--groups: ${g.error}`);
        p.groups = g.groups;
        break;
      }
      case '--only': {
        const vs = value.split(',').map((v) => v.trim()).filter(Boolean);
        const bad = vs.find((v) => !(TRIAGE_VERDICTS as readonly string[]).includes(v));
        if (bad !== undefined) throw new UsageError(`--only takes triage verdicts (${TRIAGE_VERDICTS.join(', ')}), not '${terminalSafe(bad, 30)}'.`);
        p.verdicts = vs as TriageVerdict[];
        break;
      }
      default:
        throw new UsageError(`unknown option '${terminalSafe(a, 40)}'. Run 'ipinv indicator --help'.`);
    }
  }
  const writeOnly = ['--action', '--title', '--description', '--expires', '--severity', '--recommended-actions', '--groups', '--generate-alert', '--no-generate-alert'];
  if (p.sub === 'list' || p.sub === 'remove') {
    const wrong = writeOnly.find((o) => seen.has(o)) ?? (seen.has('--only') ? '--only' : undefined) ?? (p.sub === 'list' && p.yes ? '--yes' : undefined);
    if (wrong) throw new UsageError(`${wrong} does not apply to '${p.sub}'.`);
  }
  if (p.sub === 'add' && seen.has('--only')) throw new UsageError("--only applies to 'import' only.");
  return p;
}

function tty(io: CliIo): boolean {
  return (io.stdin as { isTTY?: boolean }).isTTY === true && (io.stderr as { isTTY?: boolean }).isTTY === true;
}

/** `question [y/N]` on stderr; a line from stdin. */
function askOnTerminal(question: string, io: CliIo): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
    rl.question(`${question} [y/N] `, (answer) => {
      rl.close();
      resolveAnswer(/^y(es)?$/i.test(answer.trim()));
    });
    rl.on('close', () => resolveAnswer(false));
  });
}

/** The write gate: `--yes`, or a yes on the terminal. Without either nothing is sent. */
async function mayWrite(p: Parsed, question: string, io: CliIo, deps: IndicatorDeps): Promise<'yes' | 'declined' | 'no-terminal'> {
  if (p.yes) return 'yes';
  if (!tty(io) && !deps.confirm) return 'no-terminal';
  return (await (deps.confirm ?? askOnTerminal)(terminalSafe(question, 400), io)) ? 'yes' : 'declined';
}

function refuseWithoutYes(io: CliIo, what: string): number {
  io.stderr.write(`ipinv indicator: refusing to ${what} without --yes: there is no terminal to confirm on. Nothing was sent.\n`);
  return ExitCode.usage;
}

export async function runIndicator(args: string[], io: CliIo, deps: IndicatorDeps = {}): Promise<number> {
  const now = deps.now?.() ?? Date.now();
  const p = parseIndicatorArgs(args, now);
  if (p === 'help') {
    io.stdout.write(INDICATOR_HELP);
    return ExitCode.ok;
  }
  const ctx = { demo: p.connection.demo, now };
  // Everything the command line says is checked here, before any connection.
  let plan: { question: string; run: (c: Connection, signal?: AbortSignal) => Promise<number> };
  switch (p.sub) {
    case 'list':
      plan = { question: '', run: (c) => list(c, p, io) };
      break;
    case 'add':
      plan = planAdd(p, ctx, io);
      break;
    case 'remove':
      plan = planRemove(p, io);
      break;
    case 'import':
      plan = await planImport(p, ctx, io);
      break;
  }
  if (p.sub !== 'list') {
    const gate = await mayWrite(p, `${plan.question}?`, io, deps);
    if (gate === 'no-terminal') return refuseWithoutYes(io, p.sub === 'remove' ? 'remove indicators' : 'write indicators');
    if (gate === 'declined') {
      io.stderr.write('ipinv indicator: not confirmed; nothing was sent.\n');
      return ExitCode.failure;
    }
  }

  const opened = await connectOrExit('indicator', p.connection, io, deps.openConnection);
  if (typeof opened === 'number') return opened;
  const connection = opened;
  const interrupt = interruptSignal(io, deps.signal);
  const signal = interrupt.signal;
  try {
    return await plan.run(connection, signal);
  } catch (e) {
    if (isCancellation(e)) {
      io.stderr.write('ipinv indicator: cancelled.\n');
      return ExitCode.failure;
    }
    if (e instanceof DefenderError) {
      const d = describeError(e);
      io.stderr.write(`ipinv indicator: ${terminalSafe([d.message, d.remedy].filter(Boolean).join(' '), 400)}${e.requestId ? ` (request id ${terminalSafe(e.requestId, 80)})` : ''}\n`);
      // Nothing was written: a refused permission or a failed list before the write.
      return e instanceof AuthError ? ExitCode.auth : ExitCode.nothingRetrieved;
    }
    throw e;
  } finally {
    interrupt.dispose();
    await connection.close();
  }
}

// ---- list ----

async function list(c: Connection, p: Parsed, io: CliIo): Promise<number> {
  const keys: string[] = [];
  for (const a of p.positional) {
    const v = checkIndicatorAddress(a, { demo: true });
    if (!v.ok && v.kind === 'invalid') throw new UsageError(terminalSafe(v.reason, 200));
    keys.push(v.ok ? v.ip : indicatorKey(a));
  }
  const result = keys.length === 1 ? await c.api.listIndicators({ value: keys[0] }) : await c.api.listIndicators({ ipOnly: true });
  let indicators = result.data.indicators.filter((i) => i.indicatorType === 'IpAddress');
  if (keys.length > 1) {
    const wanted = new Set(keys);
    indicators = indicators.filter((i) => wanted.has(indicatorKey(i.indicatorValue)));
  }
  if (p.json) {
    await writeOut(io, `${JSON.stringify({ indicators: indicators.map(indicatorJson), complete: result.data.complete }, null, 2)}\n`);
    return ExitCode.ok;
  }
  const rows = [['ADDRESS', 'ACTION', 'TITLE', 'SEVERITY', 'EXPIRES', 'CREATED BY', 'GROUPS', 'ID']];
  for (const i of indicators) {
    rows.push([
      terminalSafe(i.indicatorValue, 45),
      terminalSafe(i.action, 16),
      terminalSafe(i.title, 50),
      terminalSafe(i.severity ?? '', 13),
      i.expirationTime ? formatExpiry(i.expirationTime) : 'never',
      terminalSafe(i.createdByDisplayName ?? i.createdBy ?? '', 30),
      i.rbacGroupNames.length > 0 ? terminalSafe(i.rbacGroupNames.join(', '), 40) : 'all devices',
      terminalSafe(i.id, 20),
    ]);
  }
  const text = indicators.length === 0 ? `No IP indicator${keys.length > 0 ? ' for these addresses' : ''}.\n` : table(rows);
  await writeOut(io, `${text}${result.data.complete ? '' : 'The list is incomplete: paging stopped early.\n'}`);
  return ExitCode.ok;
}

function indicatorJson(i: Indicator) {
  return {
    id: i.id,
    indicatorValue: i.indicatorValue,
    indicatorType: i.indicatorType,
    action: i.action,
    title: i.title,
    description: i.description ?? null,
    severity: i.severity ?? null,
    expirationTime: i.expirationTime ?? null,
    generateAlert: i.generateAlert ?? null,
    recommendedActions: i.recommendedActions ?? null,
    rbacGroupNames: i.rbacGroupNames,
    createdBy: i.createdByDisplayName ?? i.createdBy ?? null,
    creationTime: i.creationTimeDateTimeUtc ?? null,
    lastUpdateTime: i.lastUpdateTime ?? null,
    application: i.application ?? null,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return `${rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n')}\n`;
}

// ---- add ----

function templateOf(p: Parsed): Omit<IndicatorDraft, 'ip'> {
  if (!p.choice) throw new UsageError('give --action block|warn|audit|alert|allowed.');
  const title = textProblem(p.title, 'title (--title)', INDICATOR_LIMITS.titleMax, { required: true, multiline: false });
  if (title) throw new UsageError(title);
  const description = textProblem(p.description, 'description (--description)', INDICATOR_LIMITS.descriptionMax, { required: true, multiline: true });
  if (description) throw new UsageError(description);
  return {
    choice: p.choice,
    title: p.title as string,
    description: p.description as string,
    expires: p.expires ?? 'never',
    ...(p.severity ? { severity: p.severity } : {}),
    ...(p.generateAlert !== undefined ? { generateAlert: p.generateAlert } : {}),
    ...(p.recommendedActions ? { recommendedActions: p.recommendedActions } : {}),
    groups: p.groups ?? [],
  };
}

function planAdd(p: Parsed, ctx: { demo: boolean; now: number }, io: CliIo): { question: string; run: (c: Connection, signal?: AbortSignal) => Promise<number> } {
  if (p.positional.length === 0) throw new UsageError("give one or more addresses, e.g. 'ipinv indicator add 198.51.100.23 --action block ... --demo'.");
  const template = templateOf(p);
  // Every address must pass: a typed list is all or nothing, so nothing half-done is left to sort out.
  const problems = p.positional.map((ip) => checkIndicatorAddress(ip, ctx)).filter((r) => !r.ok);
  if (problems.length > 0) throw new UsageError(problems.map((r) => terminalSafe(r.ok ? '' : r.reason, 200)).join('\n  '));
  const first = checkDraft({ ...template, ip: p.positional[0] }, ctx);
  if (!first.ok) throw new UsageError(first.errors.join(' '));
  const dry = planBulkAdd(p.positional, template, { ...ctx, existing: new Map() });
  if (!dry.ok) throw new UsageError(dry.error);
  return {
    question: dry.summary,
    run: async (c, signal) => {
      if (dry.items.length === 1) {
        const item = dry.items[0];
        const existing = (await c.api.listIndicators({ value: item.ip }, { noCache: true })).data.indicators;
        const existed = ipIndicatorsByAddress(existing).has(item.ip);
        const w = await submitOne(c.api, item.submission, { existed, ...(signal ? { signal } : {}) });
        return reportSingle(w, dry.summary, p, io);
      }
      const listed = (await c.api.listIndicators({}, { noCache: true })).data;
      const plan = planBulkAdd(p.positional, template, { ...ctx, existing: ipIndicatorsByAddress(listed.indicators), room: remainingRoom(listed, ctx.demo) });
      return runPlanned(c, plan, p, io, signal);
    },
  };
}

async function runPlanned(c: Connection, plan: BulkPlan, p: Parsed, io: CliIo, signal?: AbortSignal): Promise<number> {
  if (!plan.ok) {
    io.stderr.write(`ipinv indicator: ${terminalSafe(plan.error, 400)}\n`);
    return ExitCode.usage;
  }
  const progress = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const report = await runBulk(c.api, plan.items, {
    ...(signal ? { signal } : {}),
    onProgress: (pr) => {
      if (progress) io.stderr.write(`\r\u001b[2KImporting: ${pr.batchesDone}/${pr.batchesTotal} batches, ${pr.sent}/${pr.total} addresses`);
    },
  });
  if (progress) io.stderr.write('\n');
  return reportBulk(report, plan, p, io);
}

async function reportSingle(w: SingleWrite, summary: string, p: Parsed, io: CliIo): Promise<number> {
  const results: AddressResult[] = [{ ip: w.ip, outcome: w.outcome, ...(w.indicatorId ? { indicatorId: w.indicatorId } : {}), ...(w.reason ? { reason: w.reason } : {}) }];
  if (p.json) {
    const doc = { summary, results, indicator: w.indicator ? indicatorJson(w.indicator) : null, requestIds: w.requestIds, clientRequestIds: w.clientRequestIds, refused: [], cancelled: false };
    await writeOut(io, `${JSON.stringify(doc, null, 2)}\n`);
  } else {
    await writeOut(io, `${resultLines(results)}${idsLine(w.requestIds, w.clientRequestIds)}`);
  }
  return w.outcome === 'created' || w.outcome === 'updated' || w.outcome === 'removed' ? ExitCode.ok : ExitCode.nothingRetrieved;
}

async function reportBulk(report: BulkReport, plan: Extract<BulkPlan, { ok: true }>, p: Parsed, io: CliIo): Promise<number> {
  const results = [...plan.refused, ...report.results];
  const requestIds = report.batches.flatMap((b) => (b.requestId ? [b.requestId] : []));
  const clientRequestIds = report.batches.flatMap((b) => (b.clientRequestId ? [b.clientRequestId] : []));
  if (p.json) {
    const doc = { summary: plan.summary, results: report.results, refused: plan.refused, batches: report.batches, requestIds, clientRequestIds, cancelled: report.cancelled, sent: report.sent, notSent: report.notSent };
    await writeOut(io, `${JSON.stringify(doc, null, 2)}\n`);
  } else {
    await writeOut(io, `${resultLines(results)}${idsLine(requestIds, clientRequestIds)}`);
  }
  if (report.cancelled) {
    io.stderr.write(`ipinv indicator: cancelled after ${report.sent} of ${report.sent + report.notSent} addresses were sent; the rest were not.\n`);
    return ExitCode.failure;
  }
  const done = report.results.some((r) => r.outcome === 'created' || r.outcome === 'updated');
  return done ? ExitCode.ok : ExitCode.nothingRetrieved;
}

const OUTCOME_WORDS: Record<string, string> = { created: 'Created', updated: 'Updated', removed: 'Removed', 'not-found': 'Not found', failed: 'Failed', unknown: 'Unknown', 'not-sent': 'Not sent', refused: 'Refused' };

function resultLines(results: readonly AddressResult[]): string {
  const lines = results.map((r) => `${(OUTCOME_WORDS[r.outcome] ?? r.outcome).padEnd(10)} ${terminalSafe(r.ip, 45).padEnd(16)}${r.indicatorId ? ` id ${terminalSafe(r.indicatorId, 20)}` : ''}${r.reason ? `  ${terminalSafe(r.reason, 300)}` : ''}`);
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const shown = lines.length > 200 ? [...lines.slice(0, 200), `… and ${lines.length - 200} more (use --json for all)`] : lines;
  return `${shown.join('\n')}\n\n${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}\n`;
}

function idsLine(requestIds: readonly string[], clientRequestIds: readonly string[]): string {
  const parts = [requestIds.length > 0 ? `request ids ${requestIds.map((x) => terminalSafe(x, 80)).join(', ')}` : '', clientRequestIds.length > 0 ? `client request ids ${clientRequestIds.join(', ')}` : ''].filter(Boolean);
  return parts.length > 0 ? `${parts.join('; ')}\n` : '';
}

// ---- remove ----

function planRemove(p: Parsed, io: CliIo): { question: string; run: (c: Connection) => Promise<number> } {
  if (p.positional.length === 0) throw new UsageError("give one or more indicator ids (see 'ipinv indicator list ADDRESS').");
  for (const id of p.positional) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      const hint = checkIndicatorAddress(id, { demo: true }).ok ? ` (an address: find its id with 'ipinv indicator list ${terminalSafe(id, 45)}')` : '';
      throw new UsageError(`'${terminalSafe(id, 60)}' is not an indicator id${hint}.`);
    }
  }
  const ids = [...new Set(p.positional)];
  return {
    question: `Remove ${ids.length === 1 ? `indicator ${ids[0]}` : `${ids.length} indicators (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`}`,
    run: async (c) => {
      const results: { id: string; ip?: string; outcome: string; reason?: string; requestId?: string; clientRequestId?: string }[] = [];
      for (const id of ids) {
        try {
          const w = await removeOne(c.api, { id, indicatorValue: '' });
          results.push({ id, outcome: w.outcome, ...(w.reason ? { reason: w.reason } : {}), ...(w.requestIds[0] ? { requestId: w.requestIds[0] } : {}), ...(w.clientRequestIds[0] ? { clientRequestId: w.clientRequestIds[0] } : {}) });
        } catch (e) {
          if (isCancellation(e) || e instanceof AuthError || e instanceof PermissionError) throw e;
          const d = describeError(e);
          results.push({ id, outcome: 'failed', reason: [d.message, d.remedy].filter(Boolean).join(' '), ...(d.requestId ? { requestId: d.requestId } : {}) });
        }
      }
      if (p.json) await writeOut(io, `${JSON.stringify({ results }, null, 2)}\n`);
      else await writeOut(io, `${results.map((r) => `${(OUTCOME_WORDS[r.outcome] ?? r.outcome).padEnd(10)} id ${terminalSafe(r.id, 64)}${r.reason ? `  ${terminalSafe(r.reason, 300)}` : ''}${r.requestId ? `  request id ${terminalSafe(r.requestId, 80)}` : ''}`).join('\n')}\n`);
      return results.some((r) => r.outcome === 'removed' || r.outcome === 'not-found') ? ExitCode.ok : ExitCode.nothingRetrieved;
    },
  };
}

// ---- import ----

const MAX_IMPORT_FILE = 50 * 1024 * 1024;

async function planImport(p: Parsed, ctx: { demo: boolean; now: number }, io: CliIo): Promise<{ question: string; run: (c: Connection, signal?: AbortSignal) => Promise<number> }> {
  if (p.positional.length !== 1) throw new UsageError('give one file to import.');
  const name = p.positional[0];
  const path = isAbsolute(name) ? name : resolve(io.cwd, name);
  let text: string;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UsageError(`'${terminalSafe(name, 80)}' is not a regular file.`);
    if (s.size > MAX_IMPORT_FILE) throw new UsageError(`'${terminalSafe(name, 80)}' is larger than 50 MB.`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as { code?: unknown }).code;
    throw new UsageError(`cannot read '${terminalSafe(name, 80)}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'unreadable'}.`);
  }
  const defaults: ImportDefaults = {
    ...(p.choice ? { choice: p.choice } : {}),
    ...(p.title !== undefined ? { title: p.title } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.expires !== undefined ? { expires: p.expires } : {}),
    ...(p.severity ? { severity: p.severity } : {}),
    ...(p.generateAlert !== undefined ? { generateAlert: p.generateAlert } : {}),
    ...(p.groups ? { groups: p.groups } : {}),
    ...(p.verdicts ? { verdicts: p.verdicts } : {}),
  };
  let read;
  try {
    read = readImportFile(text, name, defaults);
  } catch (e) {
    throw new UsageError(e instanceof Error ? terminalSafe(e.message, 300) : String(e));
  }
  const dry = planBulkDrafts(read.drafts, { ...ctx, existing: new Map() });
  const skipped = [...read.skipped, ...(dry.ok ? dry.refused : dry.refused)];
  if (!dry.ok) throw new UsageError(`${terminalSafe(dry.error, 300)}${skipped.length > 1 ? ` (${skipped.length} rows refused)` : ''}`);
  if (!p.json) {
    for (const n of read.notes) io.stderr.write(`ipinv indicator: ${terminalSafe(n, 300)}\n`);
    if (skipped.length > 0) io.stderr.write(`ipinv indicator: ${skipped.length} row${skipped.length === 1 ? '' : 's'} will not be sent (refused before any request; listed in the output).\n`);
  }
  return {
    question: `${dry.summary}${skipped.length > 0 ? ` (${skipped.length} refused)` : ''}`,
    run: async (c, signal) => {
      const listed = (await c.api.listIndicators({}, { noCache: true })).data;
      const plan = planBulkDrafts(read.drafts, { ...ctx, existing: ipIndicatorsByAddress(listed.indicators), room: remainingRoom(listed, ctx.demo) });
      if (plan.ok) plan.refused.unshift(...read.skipped);
      return runPlanned(c, plan, p, io, signal);
    },
  };
}
