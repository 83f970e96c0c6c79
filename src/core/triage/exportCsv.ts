// CSV export of a triage (RFC 4180, CRLF). Every text cell is guarded against spreadsheet formula
// injection: values starting with = + - @ tab or CR get a leading apostrophe.
import type { Annotation } from '../../shared/annotation';
import { csvCell } from '../../shared/csv';
import type { TriageEntry, TriageReport } from '../../shared/triageModel';

export const CSV_COLUMNS = [
  'ip',
  'version',
  'class',
  'block',
  'internal',
  'verdict',
  'reason',
  'prevalence',
  'events',
  'first_seen',
  'last_seen',
  'ports',
  'processes',
  'own_address_machines',
  'alerts',
  'highest_severity',
  'severities',
  'alerts_high',
  'alerts_medium',
  'alerts_low',
  'alerts_informational',
  'alert_titles',
  'last_alert',
  'holders',
  'holder_times',
  'line_times',
  'line_times_held',
  'occurrences',
  'files',
  'first_occurrence',
  'defanged',
  'problems',
  'cached_at',
  'indicator',
  'indicator_title',
  'indicator_expires',
  // The analyst's own verdict and note (from the investigation history), last so earlier column positions hold.
  'analyst_verdict',
  'analyst_verdict_at',
  'analyst_note',
] as const;

export interface CsvExportOptions {
  /** The analyst's verdicts and notes by address. */
  annotations?: ReadonlyMap<string, Annotation>;
}

function row(cells: (string | number | boolean | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

function entryRow(e: TriageEntry, mark: Annotation | undefined): (string | number | boolean | undefined)[] {
  const first = e.occurrences[0];
  return [
    e.ip,
    e.version,
    e.ipClass,
    e.block ? `${e.block.name} (${e.block.prefix})` : undefined,
    e.internal,
    e.verdict,
    e.reason,
    e.sightings?.machines ?? (e.verdict === 'not-seen' ? 0 : undefined),
    e.sightings?.events,
    e.sightings?.firstSeen,
    e.sightings?.lastSeen,
    e.sightings?.ports.join(' '),
    e.sightings?.processes.join('; '),
    e.localSightings?.machines,
    e.alerts?.count ?? (e.verdict === 'seen' || e.verdict === 'not-seen' ? 0 : undefined),
    e.alerts?.highestSeverity,
    e.alerts?.severities.join(' '),
    e.alerts?.bySeverity?.High ?? (e.alerts?.bySeverity ? 0 : undefined),
    e.alerts?.bySeverity?.Medium ?? (e.alerts?.bySeverity ? 0 : undefined),
    e.alerts?.bySeverity?.Low ?? (e.alerts?.bySeverity ? 0 : undefined),
    e.alerts?.bySeverity?.Informational ?? (e.alerts?.bySeverity ? 0 : undefined),
    e.alerts?.titles.join('; '),
    e.alerts?.lastAlert,
    e.holders?.map((h) => `${h.name} (${h.id})`).join('; '),
    e.holdersAt?.map((h) => (h.until ? `${h.at}/${h.until}` : h.at)).join(' '),
    e.holderCoverage?.askedOccurrences,
    e.holderCoverage?.heldOccurrences,
    e.occurrenceCount,
    e.files.join('; '),
    first ? `${first.file}:${first.line}:${first.column}` : undefined,
    e.defanged,
    e.problems.map((p) => `${p.source}: ${p.message}`).join('; '),
    e.cachedAt,
    e.indicator?.action,
    e.indicator?.title,
    e.indicator?.expirationTime,
    mark?.verdict,
    mark?.verdict ? mark.verdictAt : undefined,
    mark?.note,
  ];
}

export function exportCsv(report: TriageReport, options: CsvExportOptions = {}): string {
  const lines = [row([...CSV_COLUMNS])];
  for (const e of report.entries) lines.push(row(entryRow(e, options.annotations?.get(e.ip))));
  return `${lines.join('\r\n')}\r\n`;
}
