// Triage entries as the table, the tree and the progress line show them: compact rows, verdict labels and one-line
// progress text. Pure (no vscode import), so the wording and the mapping are unit-tested in Node.
import { findByIpTimeProblem } from '../../core/investigation/investigationService';
import { plainLocalize, type Localize } from '../hover/hoverContent';
import { plain } from '../tree/plainText';
import type { TriageRow } from '../../shared/triageProtocol';
import type { Annotation } from '../../shared/annotation';
import { annotationPlain } from '../history/annotationText';
import { severityCountsText, severityRank, type TriageEntry, type TriageProgress, type TriageVerdict } from '../../shared/triageModel';

const MAX_DETAIL = 300;

/** Verdict names as the table, the tree and the notifications say them. */
export function verdictLabel(v: TriageVerdict, t: Localize = plainLocalize): string {
  switch (v) {
    case 'alerts':
      return t('With alerts');
    case 'seen':
      return t('Seen');
    case 'not-seen':
      return t('Not seen');
    case 'internal':
      return t('Internal');
    case 'skipped':
      return t('Skipped');
    case 'unknown':
      return t('Not answered');
    case 'pending':
      return t('Pending');
  }
}

/** The one line that says most about an entry. */
export function entryDetail(e: TriageEntry, t: Localize = plainLocalize): string | undefined {
  let d: string | undefined;
  switch (e.verdict) {
    case 'alerts':
      d = e.alerts?.titles[0];
      break;
    case 'seen':
      // An own address (LocalIP only) says so; a peer shows its processes.
      d = e.sightings ? e.sightings.processes.slice(0, 3).join(', ') : e.reason;
      break;
    case 'internal':
      if (e.holders && e.holders.length > 0) {
        const names = e.holders.slice(0, 3).map((h) => h.name);
        d = e.holders.length > 3 ? t('held by {0} and {1} more', names.join(', '), e.holders.length - 3) : t('held by {0}', names.join(', '));
        // Not every line time had a holder: say how many did not.
        if (e.reason) d = `${d} · ${e.reason}`;
      } else d = e.reason ?? (e.holdersAt && e.holdersAt.length > 0 ? t('no machine reported it at those times') : undefined);
      break;
    case 'skipped':
      d = e.reason;
      break;
    default:
      break;
  }
  if (!d && e.problems.length > 0) d = e.problems[0].message;
  return d ? plain(d, MAX_DETAIL) : undefined;
}

export function toTableRow(e: TriageEntry, t: Localize = plainLocalize, mark?: Annotation): TriageRow {
  const machines = e.internal ? e.holders?.length : (e.sightings ?? e.localSightings)?.machines;
  const first = e.occurrences[0];
  const detail = entryDetail(e, t);
  const severities = [...(e.alerts?.severities ?? [])].sort((a, b) => severityRank(b) - severityRank(a));
  return {
    ip: e.ip,
    version: e.version,
    ipClass: e.ipClass,
    internal: e.internal,
    verdict: e.verdict,
    ...(machines !== undefined ? { machines } : {}),
    ...(e.alerts ? { alertCount: e.alerts.count } : {}),
    severities,
    ...(severityCountsText(e.alerts) ? { bySeverity: severityCountsText(e.alerts) } : {}),
    ...(firstSeen(e) ? { firstSeen: firstSeen(e) } : {}),
    ...(lastSeen(e) ? { lastSeen: lastSeen(e) } : {}),
    occurrences: e.occurrenceCount,
    files: e.files.length,
    ...(first ? { where: `${first.file}:${first.line}:${first.column}` } : {}),
    ...(detail ? { detail } : {}),
    problems: e.problems.length,
    fromCache: e.fromCache,
    ...(e.indicator ? { indicator: e.indicator.action, indicatorTitle: plain(e.indicator.title, 200), ...(e.indicator.expirationTime ? { indicatorExpires: e.indicator.expirationTime } : {}) } : {}),
    ...(mark?.verdict ? { mark: mark.verdict } : {}),
    ...(mark ? { markText: annotationPlain(mark, t, 300) } : {}),
  };
}

/** First and last sighting in the organisation: network events for public addresses, holder reports for internal ones. */
function firstSeen(e: TriageEntry): string | undefined {
  if (!e.internal) return (e.sightings ?? e.localSightings)?.firstSeen;
  return minOf(e.holders?.map((h) => h.firstSeen));
}

function lastSeen(e: TriageEntry): string | undefined {
  if (!e.internal) return (e.sightings ?? e.localSightings)?.lastSeen;
  return maxOf(e.holders?.map((h) => h.lastSeen));
}

function minOf(xs: (string | undefined)[] | undefined): string | undefined {
  let best: string | undefined;
  for (const x of xs ?? []) if (x && (best === undefined || x < best)) best = x;
  return best;
}

function maxOf(xs: (string | undefined)[] | undefined): string | undefined {
  let best: string | undefined;
  for (const x of xs ?? []) if (x && (best === undefined || x > best)) best = x;
  return best;
}

/** `1,234` in the display locale (en-US grouping by default). */
export function count(n: number, locale = 'en-US'): string {
  try {
    return n.toLocaleString(locale);
  } catch {
    return String(n);
  }
}

/** The progress notification's line: what phase, how far, and what was found so far. */
export function progressMessage(p: TriageProgress, t: Localize = plainLocalize, locale = 'en-US'): string {
  const n = (x: number) => count(x, locale);
  if (p.phase === 'extracting') {
    const mb = (p.bytesScanned / 1048576).toFixed(1);
    return p.bytesTotal ? t('Scanning {0}/{1} MB: {2} matches…', mb, (p.bytesTotal / 1048576).toFixed(1), n(p.occurrences)) : t('Scanning {0} MB: {1} matches…', mb, n(p.occurrences));
  }
  const alerts = p.byVerdict.alerts;
  if (p.phase === 'querying') {
    return t('Querying {0}/{1} batches, {2}/{3} addresses: {4} with alerts…', n(p.batchesDone), n(p.batchesTotal), n(p.resolved), n(p.addresses), n(alerts));
  }
  return t('{0} addresses: {1} with alerts, {2} seen, {3} internal', n(p.addresses), n(alerts), n(p.byVerdict.seen), n(p.byVerdict.internal));
}

/** Share of the work done (0..100): extraction counts for a fifth, the batches for the rest. */
export function progressPercent(p: TriageProgress): number {
  if (p.phase === 'done') return 100;
  if (p.phase === 'extracting') return p.bytesTotal ? Math.min(20, (20 * p.bytesScanned) / p.bytesTotal) : 0;
  return p.batchesTotal > 0 ? 20 + (80 * Math.min(p.batchesDone, p.batchesTotal)) / p.batchesTotal : 20;
}

/** The time to investigate an internal address at: its first line time Defender can still answer for (past 30 days). */
export function investigationTime(e: Pick<TriageEntry, 'internal' | 'occurrences' | 'times'>, now = Date.now()): string | undefined {
  if (!e.internal) return undefined;
  for (const t of [...e.occurrences.map((o) => o.time), ...(e.times ?? [])]) {
    if (t === undefined) continue;
    const d = new Date(t);
    if (!Number.isNaN(d.getTime()) && findByIpTimeProblem(d, now) === undefined) return d.toISOString();
  }
  return undefined;
}
