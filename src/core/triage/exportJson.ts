// JSON export of a triage: one document with the counts, every entry and the exact hunting queries used.
import type { Annotation } from '../../shared/annotation';
import type { TriageReport } from '../../shared/triageModel';

export const TRIAGE_JSON_FORMAT = 'ipinv-triage';
export const TRIAGE_JSON_VERSION = 1;

export interface JsonExportOptions {
  /** Occurrences per entry in the output (the report keeps up to its own cap). Default: all kept. */
  maxOccurrences?: number;
  /** Include the hunting query texts. Default true. */
  queries?: boolean;
  pretty?: boolean;
  /** The analyst's verdicts and notes by address: each annotated entry gets an `analyst` object. */
  annotations?: ReadonlyMap<string, Annotation>;
}

export function exportJson(report: TriageReport, options: JsonExportOptions = {}): string {
  const max = options.maxOccurrences ?? Infinity;
  const doc = {
    format: TRIAGE_JSON_FORMAT,
    version: TRIAGE_JSON_VERSION,
    lookback: report.lookback,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    cancelled: report.cancelled,
    counts: report.counts,
    calls: report.calls,
    sources: report.sources,
    entries: report.entries.map((e) => {
      const out = e.occurrences.length > max ? { ...e, occurrences: e.occurrences.slice(0, max), occurrencesTruncated: true } : e;
      const analyst = options.annotations?.get(e.ip);
      return analyst ? { ...out, analyst } : out;
    }),
    ...(options.queries === false ? {} : { queries: report.queries }),
  };
  // JSON.stringify escapes every string; nothing else is needed for this format.
  return `${JSON.stringify(doc, null, options.pretty === false ? undefined : 2)}\n`;
}
