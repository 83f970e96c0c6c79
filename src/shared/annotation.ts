// The analyst's own judgement of an address: a verdict from a fixed list and a free-text note, each with the time it
// was set. Plain data that the host, the webviews, the exports and the CLI share; the note is user text and is
// escaped like any other untrusted text wherever it is shown.

export type AnalystVerdict = 'malicious' | 'suspicious' | 'benign' | 'false-positive' | 'unknown';
export const ANALYST_VERDICTS: readonly AnalystVerdict[] = ['malicious', 'suspicious', 'benign', 'false-positive', 'unknown'];

/** Notes are cut to this many characters (a note is a remark for the ticket, not a document). */
export const MAX_NOTE_CHARS = 2000;

export interface Annotation {
  verdict?: AnalystVerdict;
  /** ISO instant the verdict was set. */
  verdictAt?: string;
  note?: string;
  /** ISO instant the note was last edited. */
  noteAt?: string;
}

/** How a verdict reads in running text ("You marked this false positive"). */
export const VERDICT_WORDS: Record<AnalystVerdict, string> = {
  malicious: 'malicious',
  suspicious: 'suspicious',
  benign: 'benign',
  'false-positive': 'false positive',
  unknown: 'unknown',
};

/** How a verdict reads as a label or a column value ("False positive"). */
export const VERDICT_LABELS: Record<AnalystVerdict, string> = {
  malicious: 'Malicious',
  suspicious: 'Suspicious',
  benign: 'Benign',
  'false-positive': 'False positive',
  unknown: 'Unknown',
};

export function isAnalystVerdict(x: unknown): x is AnalystVerdict {
  return typeof x === 'string' && (ANALYST_VERDICTS as readonly string[]).includes(x);
}

const isIso = (x: unknown): x is string => typeof x === 'string' && x.length <= 40 && !Number.isNaN(Date.parse(x));

/** A validated copy of an annotation (anything unknown or malformed dropped); undefined when nothing is left. */
export function parseAnnotation(x: unknown): Annotation | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return undefined;
  const o = x as Record<string, unknown>;
  const out: Annotation = {};
  if (isAnalystVerdict(o.verdict)) {
    out.verdict = o.verdict;
    if (isIso(o.verdictAt)) out.verdictAt = o.verdictAt;
  }
  if (typeof o.note === 'string' && o.note.trim() !== '') {
    out.note = o.note.slice(0, MAX_NOTE_CHARS);
    if (isIso(o.noteAt)) out.noteAt = o.noteAt;
  }
  return out.verdict !== undefined || out.note !== undefined ? out : undefined;
}

/** `2026-12-02`: the day an annotation was set (UTC, as the rest of the product quotes times). */
export function annotationDay(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toISOString().slice(0, 10);
}
