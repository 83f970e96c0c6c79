// The file scanner's engine: scans text as it arrives in pieces, hands each match to a sink with its line and
// column, and reads a line's timestamp only when the sink asks for the time of a match on it (once per line).
// Synchronous: the async readers (scanFile.ts) and the scan workers drive it.
import type { IpMatch } from './ipMatch';
import { KEY_INTS, MatchBuffer, SCAN_LOOKAHEAD, SCAN_LOOKBEHIND, countRange, scanRangeInto } from './scanner';
import { findLineTime, findLineTimeMs, type LineTimeOptions } from './logTime';

/** Timestamps are looked for in the first this-many characters of a line. */
export const LINE_HEAD_LIMIT = 65536;

/** Where a match is. Valid only during the sink call it is passed to (the scanner reuses it). */
export interface MatchLocation {
  /** 1-based line number (`\n`, `\r\n` and a lone `\r` end a line, as in VS Code); 0 when lines are not counted. */
  readonly line: number;
  /** 1-based, in UTF-16 code units; 0 when lines are not counted. */
  readonly column: number;
  /** The instant of the timestamp on the match's line (read on the first call for a line), if it has one. */
  time(): Date | undefined;
}

/** Receives each match in text order. Neither argument may be kept past the call's return (copy what you need). */
export type MatchSink = (m: IpMatch, at: MatchLocation) => void;

export interface LineScannerOptions {
  /** Count lines (default true). Without, `line` and `column` are 0, `time()` is undefined and no line is waited for. */
  lines?: boolean;
  /** Only count the matches (in `count`): no sink calls, no values, no match objects. Implies no lines. */
  countOnly?: boolean;
  /** Read line times for `time()`; without, time() is always undefined. Give `now` for syslog dates without a year. */
  lineTime?: LineTimeOptions;
  /**
   * Matches come with keys (`keys`, `keyAt`) and without values (`value` is ''; keyValue makes one): for a sink that
   * looks addresses up by number (scanner.ts MatchBuffer).
   */
  keyed?: boolean;
}

/**
 * Where a keyed scan's sink finds the key of the match it is given (keys[keyAt ...], KEY_INTS numbers), and the time
 * of its line as a number.
 */
export interface MatchKeys {
  readonly keys: Int32Array;
  readonly keyAt: number;
  /** MatchLocation.time() in epoch ms, NaN for none. */
  timeMs(): number;
}

/** "No such character in the text" for the break caches: above any text index. */
const FAR = 0x3fffffff;

/**
 * Scans pushed text pieces. With lines counted, only whole lines are scanned (the text after the last line
 * break waits for the next piece), so a match's line is always there when its time is asked for; a line longer
 * than LINE_HEAD_LIMIT is scanned as it arrives, its time read from the head kept when it got that long.
 * Memory is bounded by a piece plus LINE_HEAD_LIMIT.
 */
export class LineScanner implements MatchLocation, MatchKeys {
  line = 0;
  column = 0;
  /** UTF-16 code units received so far. */
  chars = 0;
  /** Matches so far, when counting only. */
  readonly tally = { count: 0 };
  private text = '';
  /** Absolute offset of text[0]. */
  private base = 0;
  /** Where the address scan resumes (absolute). */
  private pos = 0;
  private readonly lines: boolean;
  private readonly countOnly: boolean;
  private readonly timeOptions: LineTimeOptions | undefined;
  // Line tracking: every break before trackPos is counted; lineNo is the line at trackPos, starting at lineStart.
  private lineNo = 1;
  private lineStart = 0;
  private trackPos = 0;
  /** Text indexes of the next `\n` and `\r` at or after the tracker (FAR: none; -1: not looked for). */
  private nl = -1;
  private cr = -1;
  private hasCr = false;
  /** Start of the line not known to have ended (absolute): only text before it has been scanned. */
  private openLine = 0;
  /** The open line is too long to wait for: it is scanned as it arrives, its head kept for its time. */
  private longLine = false;
  private longHead = '';
  /** The line whose time was read last, and that time in epoch ms (NaN: none). */
  private timeLine = 0;
  private timeMsValue = NaN;
  /** The line whose time was last asked for as a Date, and that Date (one object per line, whoever asks). */
  private dateLine = 0;
  private dateValue: Date | undefined;
  /** Start of the current match (text index), for time(). */
  private matchAt = 0;
  /** The matches of one scan, in recycled objects (a sink copies what it keeps). */
  private readonly found: MatchBuffer;
  /** The key of the match being passed to the sink (keyed scans). */
  keyAt = 0;
  /** Pieces received while the open line could not be scanned yet (joined to the text when it can). */
  private readonly waiting: string[] = [];
  private waitingLength = 0;

  constructor(options: LineScannerOptions = {}) {
    this.countOnly = options.countOnly ?? false;
    this.lines = !this.countOnly && (options.lines ?? true);
    this.timeOptions = this.lines ? options.lineTime : undefined;
    this.found = new MatchBuffer(options.keyed ?? false);
    if (this.timeOptions) findLineTime('', this.timeOptions); // rejects a bad assumeZone before any reading
  }

  /** The keys of the current scan's matches (keyed scans). */
  get keys(): Int32Array {
    return this.found.keys;
  }

  /** Line breaks counted so far (all of them once end() has run). */
  get breaks(): number {
    return this.lineNo - 1;
  }

  /** Scans what the piece makes certain; matches go to `sink`. */
  push(piece: string, sink: MatchSink): void {
    if (piece.length === 0) return;
    this.chars += piece.length;
    if (this.lines && !this.longLine && piece.indexOf('\n') < 0 && piece.indexOf('\r') < 0) {
      // Nothing new can be scanned until the open line ends or grows long: put the piece aside rather than copy
      // the open line again for every small piece (a stream may come a few bytes at a time).
      this.waiting.push(piece);
      this.waitingLength += piece.length;
      if (this.base + this.text.length + this.waitingLength - this.openLine < LINE_HEAD_LIMIT + SCAN_LOOKAHEAD) return;
      piece = '';
    }
    this.join(piece);
    this.step(false, sink);
  }

  /** Marks the end of the text; the remaining matches go to `sink`. */
  end(sink: MatchSink): void {
    this.join('');
    this.step(true, sink);
    this.text = '';
    this.longHead = '';
  }

  /** The text, the pieces put aside and `piece`, as one flat string. */
  private join(piece: string): void {
    // join() builds a flat string; `+=` would leave a cons string that every indexOf must see through.
    if (this.waiting.length > 0) {
      this.waiting.unshift(this.text);
      this.waiting.push(piece);
      this.text = this.waiting.join('');
      this.waiting.length = 0;
      this.waitingLength = 0;
    } else if (this.text.length === 0) {
      this.text = piece;
    } else if (piece.length > 0) {
      this.text = [this.text, piece].join('');
    }
    this.nl = -1;
    this.cr = -1;
    this.hasCr = this.lines && this.text.indexOf('\r', this.trackPos - this.base) >= 0;
  }

  time(): Date | undefined {
    const ms = this.timeMs();
    if (ms !== ms) return undefined;
    if (this.dateLine !== this.lineNo) {
      this.dateLine = this.lineNo;
      this.dateValue = new Date(ms);
    }
    return this.dateValue;
  }

  /** time() in epoch ms, NaN when the line has none: no object is made (a part collector asks for every line). */
  timeMs(): number {
    if (this.timeOptions === undefined) return NaN;
    if (this.timeLine === this.lineNo) return this.timeMsValue;
    let head: string;
    if (this.longLine && this.lineStart === this.openLine) {
      head = this.longHead;
    } else {
      // The line is whole in the text: it ends at the next break at or after the match (the tracker knows it).
      const nl = this.nl < this.matchAt ? this.findNext('\n', this.matchAt) : this.nl;
      const cr = !this.hasCr ? FAR : this.cr < this.matchAt ? this.findNext('\r', this.matchAt) : this.cr;
      const start = this.lineStart - this.base;
      const end = Math.min(nl, cr, this.text.length, start + LINE_HEAD_LIMIT);
      head = this.text.slice(start, end);
    }
    this.timeMsValue = findLineTimeMs(head, this.timeOptions);
    this.timeLine = this.lineNo;
    return this.timeMsValue;
  }

  private findNext(ch: string, from: number): number {
    const i = this.text.indexOf(ch, from);
    return i < 0 ? FAR : i;
  }

  private step(final: boolean, sink: MatchSink): void {
    const text = this.text;
    const base = this.base;
    const end = base + text.length;
    let limit: number;
    /** The scan ends at a line break: the open line starts there afterwards. */
    let cut = false;
    if (final) {
      limit = end;
    } else if (!this.lines) {
      limit = end - SCAN_LOOKAHEAD;
    } else {
      const after = lastBreakEnd(text, this.hasCr);
      limit = base + after;
      cut = after > 0 && limit > this.openLine;
      if (!cut) {
        if (end - this.openLine >= LINE_HEAD_LIMIT + SCAN_LOOKAHEAD) {
          // A very long line: scan it as it comes; its time comes from its first LINE_HEAD_LIMIT characters.
          if (!this.longLine) {
            this.longLine = true;
            if (this.timeOptions) this.longHead = flatCopy(text.slice(this.openLine - base, this.openLine - base + LINE_HEAD_LIMIT));
          }
          limit = end - SCAN_LOOKAHEAD;
        } else {
          limit = this.pos; // wait for the line to end
        }
      }
    }
    if (limit > this.pos && this.countOnly) {
      this.pos = base + countRange(text, this.pos - base, limit - base, this.tally);
    } else if (limit > this.pos) {
      const found = this.found;
      this.pos = base + scanRangeInto(text, this.pos - base, limit - base, found, base, true);
      const n = found.count;
      if (this.lines) {
        for (let k = 0; k < n; k++) {
          const m = found.items[k];
          this.advance(m.start);
          this.line = this.lineNo;
          this.column = m.start - this.lineStart + 1;
          this.matchAt = m.start - base;
          this.keyAt = k * KEY_INTS;
          sink(m, this);
        }
        this.advance(limit);
      } else {
        for (let k = 0; k < n; k++) {
          this.keyAt = k * KEY_INTS;
          sink(found.items[k], this);
        }
      }
    }
    if (cut) {
      this.openLine = limit;
      this.longLine = false;
      this.longHead = '';
    }
    if (final) return;
    // Keep what the scan and the tracker still need, and the start of a line that is still awaited. After a cut with
    // everything before it scanned, nothing before it is needed: a scan that starts at a line start reads nothing
    // before it (a worker's part starts so too), and a next piece that starts a line is then taken as it is, not
    // copied behind the tail of this one.
    let keepFrom = cut && this.pos === limit ? limit : this.pos - SCAN_LOOKBEHIND;
    if (this.lines) keepFrom = Math.min(keepFrom, this.trackPos, this.longLine ? Infinity : this.openLine);
    keepFrom = Math.max(base, keepFrom);
    if (keepFrom > base) {
      this.text = text.slice(keepFrom - base);
      this.base = keepFrom;
      this.nl = -1;
      this.cr = -1;
    }
  }

  /** Moves the line tracker to `to` (absolute), counting the breaks on the way. */
  private advance(to: number): void {
    const text = this.text;
    const base = this.base;
    let p = this.trackPos - base;
    const stop = to - base;
    for (;;) {
      let n = this.nl;
      if (n < p) {
        n = text.indexOf('\n', p);
        if (n < 0) n = FAR;
        this.nl = n;
      }
      let c = this.cr;
      if (c < p) {
        c = this.hasCr ? text.indexOf('\r', p) : FAR;
        if (c < 0) c = FAR;
        this.cr = c;
      }
      const brk = n < c ? n : c;
      if (brk >= stop) break;
      p = brk + 1;
      if (brk === c && text.charCodeAt(p) === 10) p++;
      this.lineNo++;
      this.lineStart = base + p;
    }
    this.trackPos = to;
  }
}

/**
 * Where the text after its last certain line break starts (0: none). A `\r` at the very end is not certain:
 * the next piece may start with the `\n` of a CRLF. `hasCr`: whether the text has a `\r` after the line tracker; one
 * before it ends a line that was cut already, so it cannot be the last break that matters (and a search for a `\r`
 * that is not there reads the whole text backwards, slowly).
 */
function lastBreakEnd(text: string, hasCr: boolean): number {
  const nl = text.lastIndexOf('\n');
  const cr = hasCr && text.length >= 2 ? text.lastIndexOf('\r', text.length - 2) : -1;
  return (nl > cr ? nl : cr) + 1;
}

/** A copy that does not keep the text it was cut from alive. */
function flatCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
