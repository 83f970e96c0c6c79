// Markdown report of a triage: summary, addresses by verdict, problems, and the exact hunting queries
// used so the analyst can re-run them in the portal. Every value from a file or the API is escaped.
import { ANALYST_VERDICTS, VERDICT_LABELS, annotationDay, type Annotation } from '../../shared/annotation';
import { escapeMarkdownInline } from '../../shared/markdown';
import { TRIAGE_VERDICTS, severityCountsText, type TriageEntry, type TriageReport, type TriageVerdict } from '../../shared/triageModel';

export interface MarkdownExportOptions {
  title?: string;
  /** Rows per verdict table before "and N more". Default 500. */
  maxRowsPerSection?: number;
  /** The analyst's verdicts and notes by address (from the investigation history). */
  annotations?: ReadonlyMap<string, Annotation>;
}

/** A fenced code block whose fence is longer than any backtick run in the content. */
export function fenced(content: string, info = ''): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${content}\n${fence}`;
}

const HEADINGS: Record<TriageVerdict, string> = {
  alerts: 'Seen with alerts',
  seen: 'Seen in the organisation',
  internal: 'Internal addresses',
  'not-seen': 'Not seen',
  unknown: 'Not answered',
  skipped: 'Not looked up',
  pending: 'Pending',
};

const e = (text: string): string => escapeMarkdownInline(text, 2000);
const cell = (v: string | number | undefined): string => (v === undefined || v === '' ? '–' : typeof v === 'number' ? String(v) : e(v));
const day = (iso: string | undefined): string | undefined => iso?.replace(/\.\d+Z$/, 'Z');

function where(x: TriageEntry): string {
  const o = x.occurrences[0];
  const at = o ? `${o.file}:${o.line}:${o.column}` : '';
  return `${x.occurrenceCount}${at ? ` (first: ${at})` : ''}`;
}

function table(headers: string[], rows: string[][]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function section(verdict: TriageVerdict, entries: TriageEntry[], max: number): string {
  const shown = entries.slice(0, max);
  let body: string;
  switch (verdict) {
    case 'alerts':
      body = table(
        ['Address', 'Class', 'Alerts', 'By severity', 'Titles', 'Machines', 'First seen', 'Last seen', 'Occurrences'],
        shown.map((x) => [
          cell(x.ip),
          cell(x.ipClass),
          cell(x.alerts?.count),
          cell(severityCountsText(x.alerts) || x.alerts?.highestSeverity),
          cell(x.alerts?.titles.join('; ')),
          cell(x.sightings?.machines),
          cell(day(x.sightings?.firstSeen)),
          cell(day(x.sightings?.lastSeen)),
          cell(where(x)),
        ]),
      );
      break;
    case 'seen':
      body = table(
        ['Address', 'Class', 'Machines', 'Events', 'First seen', 'Last seen', 'Ports', 'Processes', 'Note', 'Occurrences'],
        shown.map((x) => {
          // A peer's sightings, or (for an own address only) the machines that have it as their LocalIP.
          const s = x.sightings ?? x.localSightings;
          return [
            cell(x.ip),
            cell(x.ipClass),
            cell(s?.machines),
            cell(s?.events),
            cell(day(s?.firstSeen)),
            cell(day(s?.lastSeen)),
            cell(s?.ports.join(' ')),
            cell(s?.processes.join('; ')),
            cell(x.reason),
            cell(where(x)),
          ];
        }),
      );
      break;
    case 'internal':
      body = table(
        ['Address', 'Class', 'Held by', 'Line times held', 'Note', 'Occurrences'],
        shown.map((x) => [
          cell(x.ip),
          cell(x.ipClass),
          cell(x.holders?.map((h) => h.name).join('; ') || (x.holdersAt?.length ? 'no machine reported it' : undefined)),
          cell(x.holderCoverage ? `${x.holderCoverage.heldOccurrences} of ${x.holderCoverage.askedOccurrences}` : undefined),
          cell(x.reason),
          cell(where(x)),
        ]),
      );
      break;
    case 'skipped':
      body = table(['Address', 'Class', 'Why', 'Occurrences'], shown.map((x) => [cell(x.ip), cell(x.ipClass), cell(x.reason), cell(where(x))]));
      break;
    case 'unknown':
      body = table(
        ['Address', 'Class', 'Problem', 'Occurrences'],
        shown.map((x) => [cell(x.ip), cell(x.ipClass), cell(x.problems.map((p) => `${p.source}: ${p.message}`).join('; ')), cell(where(x))]),
      );
      break;
    default:
      body = table(['Address', 'Class', 'Occurrences'], shown.map((x) => [cell(x.ip), cell(x.ipClass), cell(where(x))]));
  }
  const more = entries.length > shown.length ? `\n\n…and ${entries.length - shown.length} more.` : '';
  return `## ${HEADINGS[verdict]} (${entries.length})\n\n${body}${more}`;
}

export function exportMarkdown(report: TriageReport, options: MarkdownExportOptions = {}): string {
  const max = options.maxRowsPerSection ?? 500;
  const c = report.counts;
  const out: string[] = [];
  out.push(`# ${e(options.title ?? 'IP triage report')}`);
  out.push(
    [
      `- Look-back: ${e(report.lookback)}`,
      `- Run: ${e(report.startedAt)} to ${e(report.finishedAt)}${report.cancelled ? ' (**cancelled**: partial results)' : ''}`,
      `- Sources: ${report.sources.map((s) => `${e(s.name)} (${s.matches} matches${s.error ? `, error: ${e(s.error)}` : ''})`).join(', ') || 'none'}`,
      `- ${c.addresses} distinct addresses in ${c.occurrences} occurrences (${(c.bytes / 1048576).toFixed(1)} MB scanned)`,
      `- Verdicts: ${TRIAGE_VERDICTS.filter((v) => c.byVerdict[v] > 0)
        .map((v) => `${HEADINGS[v].toLowerCase()} ${c.byVerdict[v]}`)
        .join(', ')}`,
      `- Requests: ${report.calls.hunting} hunting queries, ${report.calls.findbyip} findbyip calls, ${report.calls.cacheHits} addresses from the cache`,
    ].join('\n'),
  );
  const marked = report.entries.flatMap((x) => {
    const a = options.annotations?.get(x.ip);
    return a ? [{ x, a }] : [];
  });
  if (marked.length > 0) {
    const counts = ANALYST_VERDICTS.map((v) => [v, marked.filter((m) => m.a.verdict === v).length] as const).filter(([, n]) => n > 0);
    out.push(
      `## Your verdicts and notes (${marked.length})\n\n${counts.length > 0 ? `${counts.map(([v, n]) => `${VERDICT_LABELS[v]} ${n}`).join(', ')}.\n\n` : ''}${table(
        ['Address', 'Your verdict', 'Set', 'Note', 'Triage'],
        marked.slice(0, max).map(({ x, a }) => [
          cell(x.ip),
          cell(a.verdict ? VERDICT_LABELS[a.verdict] : undefined),
          cell(annotationDay(a.verdict ? a.verdictAt : a.noteAt)),
          cell(a.note),
          cell(HEADINGS[x.verdict].toLowerCase()),
        ]),
      )}`,
    );
  }
  for (const v of TRIAGE_VERDICTS) {
    const entries = report.entries.filter((x) => x.verdict === v);
    if (entries.length > 0) out.push(section(v, entries, max));
  }
  const problems = report.entries.filter((x) => x.problems.length > 0 && x.verdict !== 'unknown');
  if (problems.length > 0) {
    out.push(
      `## Problems (${problems.length})\n\n${problems
        .slice(0, max)
        .map((x) => `- ${e(x.ip)}: ${x.problems.map((p) => `${e(p.source)}: ${e(p.message)}${p.remedy ? ` ${e(p.remedy)}` : ''}`).join('; ')}`)
        .join('\n')}`,
    );
  }
  if (report.queries.length > 0) {
    const blocks = report.queries.map(
      (q, i) =>
        `### ${i + 1}. ${e(q.purpose)}: ${q.addresses} addresses, ${q.ok ? `${q.rows ?? 0} rows${q.source ? ` (${e(q.source)})` : ''}` : `failed: ${e(q.error ?? 'error')}`}\n\n${fenced(q.query, 'kql')}`,
    );
    out.push(`## Hunting queries used\n\nRe-run them in the Defender portal (Hunting > Advanced hunting).\n\n${blocks.join('\n\n')}`);
  }
  return `${out.join('\n\n')}\n`;
}
