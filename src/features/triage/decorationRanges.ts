// Where to decorate the triaged addresses in a document's text, by verdict. The triage's offsets are used while they
// still point at the same address; once the text changed (or occurrences were capped) the text is scanned again and
// addresses are matched by normalised value, never by stale offsets. Pure (no vscode import).
import { MatchBuffer, SCAN_LOOKAHEAD, SCAN_LOOKBEHIND, scanRangeInto } from '../../core/ip/scanner';
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

/**
 * True when the address `ip` still starts at `start` and ends at `end` in `text`. Only a window around the offset
 * is scanned (all the scanner reads for a match starting there), however long the text after it.
 */
function stillThere(text: string, start: number, end: number, ip: string, buffer: MatchBuffer): boolean {
  if (!(start >= 0 && end <= text.length && start < end)) return false;
  const from = Math.max(0, start - SCAN_LOOKBEHIND);
  const window = text.slice(from, Math.min(text.length, start + 1 + SCAN_LOOKAHEAD));
  scanRangeInto(window, start - from, start - from + 1, buffer, from);
  for (let k = 0; k < buffer.count; k++) {
    const m = buffer.items[k];
    if (m.start === start && m.end === end && m.value === ip) return true;
  }
  return false;
}

/** Ranges of the addresses in `known` that start in [from, to) of `text`, by address, in text order. */
function scanKnown(text: string, from: number, to: number, known: ReadonlySet<string>, into: Map<string, OffsetRange[]>): void {
  const locator = new SlicedLocator(known, text, from, to, into);
  while (!locator.step(Infinity));
}

/**
 * Finds the addresses of `known` in [from, to) of a text a slice at a time, so that an editor can spread the
 * work of a large document over several turns of its event loop. Same result as one scan of the range.
 */
export class SlicedLocator {
  private pos: number;
  private readonly buffer = new MatchBuffer();

  constructor(
    private readonly known: ReadonlySet<string>,
    private readonly text: string,
    from: number,
    private readonly to: number,
    /** The ranges found so far, by address, in text order. */
    readonly byIp = new Map<string, OffsetRange[]>(),
  ) {
    this.pos = Math.max(0, from);
  }

  /** Scans about `chars` more characters; true once the range is done. */
  step(chars: number): boolean {
    const stop = Math.min(this.to, this.text.length, this.pos + chars);
    const buffer = this.buffer;
    // In slices of 64 Ki characters: the recycled match objects stay few however many addresses the text holds.
    while (this.pos < stop) {
      this.pos = scanRangeInto(this.text, this.pos, Math.min(stop, this.pos + 65536), buffer);
      for (let k = 0; k < buffer.count; k++) {
        const m = buffer.items[k];
        if (!this.known.has(m.value)) continue;
        const list = this.byIp.get(m.value);
        if (list) list.push({ start: m.start, end: m.end });
        else this.byIp.set(m.value, [{ start: m.start, end: m.end }]);
      }
    }
    return this.pos >= Math.min(this.to, this.text.length);
  }
}

/**
 * The ranges of triaged addresses in `text`. `names` are the occurrence names (`Occurrence.file`) that belong to this
 * document. Offsets are trusted only when every one of them still holds and none was dropped by the occurrence cap;
 * otherwise the whole text is scanned and every address that is a triage entry is located.
 */
export function locateAddresses(entries: Iterable<LocatableEntry>, names: ReadonlySet<string>, text: string): Located {
  const known = new Set<string>();
  const byIp = new Map<string, OffsetRange[]>();
  const scratch = new MatchBuffer();
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
  scanKnown(text, 0, text.length, known, rescan);
  return { byIp: rescan, rescanned: true };
}

/**
 * The triaged addresses (`known`: their values) that start in [from, to) of `text` (a visible range), found by
 * scanning that part only: what an editor can show at once while the whole document is located.
 */
export function locateInRange(known: ReadonlySet<string>, text: string, from: number, to: number): Map<string, OffsetRange[]> {
  const out = new Map<string, OffsetRange[]>();
  scanKnown(text, Math.max(0, from), Math.min(text.length, to), known, out);
  return out;
}

/**
 * Offsets to line and character, as a text document counts them (`\r\n`, `\n` and `\r` end lines): the starts of
 * all lines, found once, then a binary search per offset.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    // The next `\n` and `\r` are each looked for once, not at every line (a text without `\r` has none at all).
    let nl = text.indexOf('\n');
    let cr = text.indexOf('\r');
    for (;;) {
      const brk = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
      if (brk < 0) break;
      const next = brk + (brk === cr && text.charCodeAt(brk + 1) === 10 ? 2 : 1);
      this.starts.push(next);
      if (nl >= 0 && nl < next) nl = text.indexOf('\n', next);
      if (cr >= 0 && cr < next) cr = text.indexOf('\r', next);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  /** The offset of a line and character (the character capped at the line's length). */
  offsetAt(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, line)];
    return Math.min(start + Math.max(0, character), line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length);
  }
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
