// Where to decorate the triaged addresses in a document's text, by verdict. The triage's offsets are used while they
// still point at the same address; once the text changed (or occurrences were capped) the text is scanned again and
// addresses are matched by normalised value, never by stale offsets. Pure (no vscode import).
import { scanRange, scanText } from '../../core/ip/scanner';
import type { IpMatch } from '../../core/ip/ipMatch';
import type { TriageEntry, TriageVerdict } from '../../shared/triageModel';

/** The verdicts that get a decoration (skipped, unanswered and pending addresses get none). */
export type DecoratedVerdict = 'alerts' | 'seen' | 'not-seen' | 'internal';
export const DECORATED_VERDICTS: readonly DecoratedVerdict[] = ['alerts', 'seen', 'not-seen', 'internal'];

export interface OffsetRange {
  start: number;
  end: number;
}

export type LocatableEntry = Pick<TriageEntry, 'ip' | 'occurrences' | 'occurrencesTruncated' | 'files'>;

export interface Located {
  /** Ranges of each triaged address in the text, in document order. */
  byIp: Map<string, OffsetRange[]>;
  /** True when the text was scanned again (offsets stale or capped). */
  rescanned: boolean;
}

export function decoratedVerdict(v: TriageVerdict | undefined): DecoratedVerdict | undefined {
  return v === 'alerts' || v === 'seen' || v === 'not-seen' || v === 'internal' ? v : undefined;
}

/** True when the address `ip` still starts at `start` and ends at `end` in `text`. */
function stillThere(text: string, start: number, end: number, ip: string, out: IpMatch[]): boolean {
  if (!(start >= 0 && end <= text.length && start < end)) return false;
  out.length = 0;
  scanRange(text, start, start + 1, out);
  return out.some((m) => m.start === start && m.end === end && m.value === ip);
}

/**
 * The ranges of triaged addresses in `text`. `names` are the occurrence names (`Occurrence.file`) that belong to this
 * document. Offsets are trusted only when every one of them still holds and none was dropped by the occurrence cap;
 * otherwise the whole text is scanned and every address that is a triage entry is located.
 */
export function locateAddresses(entries: Iterable<LocatableEntry>, names: ReadonlySet<string>, text: string): Located {
  const known = new Set<string>();
  const byIp = new Map<string, OffsetRange[]>();
  const scratch: IpMatch[] = [];
  let valid = true;
  for (const e of entries) {
    known.add(e.ip);
    if (!valid) continue;
    for (const o of e.occurrences) {
      if (!names.has(o.file)) continue;
      if (!stillThere(text, o.start, o.end, e.ip, scratch)) {
        valid = false;
        break;
      }
      const list = byIp.get(e.ip);
      if (list) list.push({ start: o.start, end: o.end });
      else byIp.set(e.ip, [{ start: o.start, end: o.end }]);
    }
    // A capped entry may have more occurrences in this document than it kept.
    if (valid && e.occurrencesTruncated && e.files.some((f) => names.has(f))) valid = false;
  }
  if (valid) {
    for (const list of byIp.values()) list.sort((a, b) => a.start - b.start);
    return { byIp, rescanned: false };
  }
  const rescan = new Map<string, OffsetRange[]>();
  for (const m of scanText(text)) {
    if (!known.has(m.value)) continue;
    const list = rescan.get(m.value);
    if (list) list.push({ start: m.start, end: m.end });
    else rescan.set(m.value, [{ start: m.start, end: m.end }]);
  }
  return { byIp: rescan, rescanned: true };
}

/**
 * Located ranges grouped by the verdict each address has now (addresses without a decorated verdict are left out).
 * Generic over the range type, so an editor can group ranges it has already converted; `order` sorts each group.
 */
export function rangesByVerdict<R>(
  byIp: ReadonlyMap<string, readonly R[]>,
  verdictOf: (ip: string) => TriageVerdict | undefined,
  order?: (a: R, b: R) => number,
): Record<DecoratedVerdict, R[]> {
  const out: Record<DecoratedVerdict, R[]> = { alerts: [], seen: [], 'not-seen': [], internal: [] };
  for (const [ip, ranges] of byIp) {
    const v = decoratedVerdict(verdictOf(ip));
    if (v) out[v].push(...ranges);
  }
  if (order) for (const v of DECORATED_VERDICTS) out[v].sort(order);
  return out;
}

/** Entries + a document's text -> the ranges to decorate, by verdict. */
export function computeDecorationRanges(
  entries: readonly (LocatableEntry & Pick<TriageEntry, 'verdict'>)[],
  names: ReadonlySet<string>,
  text: string,
): Record<DecoratedVerdict, OffsetRange[]> {
  const verdicts = new Map(entries.map((e) => [e.ip, e.verdict]));
  return rangesByVerdict(locateAddresses(entries, names, text).byIp, (ip) => verdicts.get(ip), (a, b) => a.start - b.start);
}
