// Scans a file or a byte stream for addresses in bounded memory, with line, column and the line's timestamp
// for each match. Offsets are UTF-16 offsets into the decoded text, as an editor would count them.
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { IpMatch } from './ipMatch';
import { SCAN_LOOKAHEAD, SCAN_LOOKBEHIND, scanRange } from './scanner';
import { findLineTime, type LineTimeOptions } from './logTime';

export type FileMatch = IpMatch & {
  /** 1-based line number (`\n`, `\r\n` and a lone `\r` end a line, as in VS Code). */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** The instant of the timestamp on the match's line, when it has one. */
  time?: Date;
};

export interface ScanStreamOptions {
  /** Look up each matching line's timestamp (default true); false skips that work. */
  lineTime?: boolean | LineTimeOptions;
  /** Stop early. The iterator then throws the signal's reason. */
  signal?: AbortSignal;
}

export interface ScanFileOptions extends ScanStreamOptions {
  /** Bytes per read (default 256 KiB: small batches die young, which keeps garbage collection cheap). */
  chunkBytes?: number;
}

/** Timestamps are looked for in the first this-many characters of a line. */
export const LINE_HEAD_LIMIT = 65536;
/** Matches held back while their (very long) line has not ended; beyond it they go out with the time found so far. */
const PENDING_LIMIT = 4096;

/** Every address in a file, in order. Throws the read error (ENOENT, EACCES, EISDIR...) on iteration. */
export async function* scanFile(path: string, options: ScanFileOptions = {}): AsyncGenerator<FileMatch, void, undefined> {
  for await (const batch of scanFileBatches(path, options)) yield* batch;
}

/** As scanFile, in batches of matches (one per chunk read): less overhead for bulk consumers. */
export function scanFileBatches(path: string, options: ScanFileOptions = {}): AsyncGenerator<FileMatch[], void, undefined> {
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 18 });
  return scanStreamBatches(stream, options);
}

/** Every address in a byte or text stream (stdin, a socket, a file stream), in order. */
export async function* scanStream(
  source: AsyncIterable<Uint8Array | string>,
  options: ScanStreamOptions = {},
): AsyncGenerator<FileMatch, void, undefined> {
  for await (const batch of scanStreamBatches(source, options)) yield* batch;
}

export async function* scanStreamBatches(
  source: AsyncIterable<Uint8Array | string>,
  options: ScanStreamOptions = {},
): AsyncGenerator<FileMatch[], void, undefined> {
  const scanner = new LineScanner(options.lineTime ?? true);
  const signal = options.signal;
  for await (const text of decode(source)) {
    signal?.throwIfAborted();
    const out = scanner.push(text);
    if (out.length > 0) yield out;
  }
  signal?.throwIfAborted();
  const rest = scanner.end();
  if (rest.length > 0) yield rest;
}

/**
 * Text chunks from bytes: UTF-8 unless a UTF-16 byte order mark says otherwise; the mark itself is dropped.
 * While every byte is ASCII (most logs), chunks are copied as Latin-1: the same text, several times faster
 * than the streaming decoder. The first other byte hands the rest of the stream to the decoder.
 */
async function* decode(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string, void, undefined> {
  let decoder: TextDecoder | undefined;
  let head: Uint8Array | undefined;
  let sawText = false;
  /** The bytes started as ASCII (so UTF-8 without a mark), and all of them so far were. */
  let ascii = false;
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      if (!sawText && chunk.charCodeAt(0) === 0xfeff) {
        sawText = true;
        if (chunk.length > 1) yield chunk.slice(1);
        continue;
      }
      sawText = true;
      if (chunk.length > 0) yield chunk;
      continue;
    }
    let bytes = chunk;
    if (decoder === undefined) {
      if (ascii) {
        if (isAscii(bytes)) {
          if (bytes.length > 0) yield latin1(bytes);
          continue;
        }
        // Past the start of the stream, a UTF-8 mark is an ordinary character: keep it, as the decoder
        // would have had it seen the text before.
        decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      } else {
        // Need two bytes to see a UTF-16 mark.
        bytes = head ? concat(head, bytes) : bytes;
        if (bytes.length < 2) {
          head = bytes;
          continue;
        }
        head = undefined;
        if (isAscii(bytes)) {
          ascii = true;
          yield latin1(bytes);
          continue;
        }
        decoder = new TextDecoder(encodingOf(bytes));
      }
    }
    const text = decoder.decode(bytes, { stream: true });
    if (text.length > 0) yield text;
  }
  if (decoder === undefined && head) decoder = new TextDecoder('utf-8');
  if (decoder) {
    const text = decoder.decode(head ?? new Uint8Array(0));
    if (text.length > 0) yield text;
  }
}

/** ASCII bytes as text (Latin-1 and UTF-8 agree on them). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function encodingOf(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A new object with every field in one literal: cheaper than adding fields to the scanner's match. */
function toFileMatch(m: IpMatch, line: number, column: number): FileMatch {
  const fm: FileMatch = {
    value: m.value,
    version: m.version,
    start: m.start,
    end: m.end,
    defanged: m.defanged,
    leadingZeros: m.leadingZeros,
    ipClass: m.ipClass,
    line,
    column,
  };
  if (m.port !== undefined) fm.port = m.port;
  if (m.prefix !== undefined) fm.prefix = m.prefix;
  if (m.zone !== undefined) fm.zone = m.zone;
  return fm;
}

/** Position of the next occurrence of one character, cached so long lines are searched once. */
class NextIndex {
  private at = -1;
  private searchedTo = 0;

  constructor(private readonly ch: string) {}

  /** Absolute index of the next occurrence at or after `pos` in buffer (based at `base`), or Infinity. */
  find(buffer: string, base: number, pos: number): number {
    if (this.at >= pos) return this.at;
    // None up to the end of the buffer (a file without `\r`): no need to ask again until it grows.
    if (this.at < 0 && this.searchedTo >= base + buffer.length) return Infinity;
    const from = Math.max(pos, this.searchedTo);
    const idx = buffer.indexOf(this.ch, from - base);
    if (idx < 0) {
      this.at = -1;
      this.searchedTo = base + buffer.length;
      return Infinity;
    }
    this.at = base + idx;
    this.searchedTo = this.at + 1;
    return this.at;
  }
}

/**
 * The scanner plus line tracking. The address scan runs SCAN_LOOKAHEAD behind the received text; the line
 * tracker follows the scan, so every match gets its line and column, and (when asked) the time found on
 * its line once the line has ended or its first LINE_HEAD_LIMIT characters are known. While a line's time
 * is still open, the buffer keeps the line's start (at most LINE_HEAD_LIMIT characters of it).
 */
class LineScanner {
  private buffer = '';
  private base = 0;
  /** Where the address scan resumes (absolute). */
  private scanPos = 0;
  /** Where the line tracker is (absolute); the text before it has been accounted for. */
  private trackPos = 0;
  private line = 1;
  private lineStart = 0;
  private lineTime: Date | undefined;
  private lineTimeKnown = false;
  private pending: FileMatch[] = [];
  private readonly nl = new NextIndex('\n');
  private readonly cr = new NextIndex('\r');
  private readonly timeOptions: LineTimeOptions | undefined;

  constructor(lineTime: boolean | LineTimeOptions) {
    this.timeOptions = lineTime === false ? undefined : lineTime === true ? {} : lineTime;
    if (this.timeOptions) findLineTime('', this.timeOptions); // rejects a bad assumeZone before any reading
  }

  push(text: string): FileMatch[] {
    // join() builds a flat string; `+=` would leave a cons string that every indexOf must see through.
    this.buffer = [this.buffer, text].join('');
    return this.step(false);
  }

  end(): FileMatch[] {
    const out = this.step(true);
    this.finishLine(this.base + this.buffer.length, out);
    this.buffer = '';
    return out;
  }

  private step(final: boolean): FileMatch[] {
    const out: FileMatch[] = [];
    const bufferEnd = this.base + this.buffer.length;
    const limit = final ? bufferEnd : bufferEnd - SCAN_LOOKAHEAD;
    if (limit <= this.scanPos) return out;
    const found: IpMatch[] = [];
    this.scanPos = this.base + scanRange(this.buffer, this.scanPos - this.base, limit - this.base, found, this.base, true);
    for (const m of found) {
      this.track(m.start, out);
      const fm = toFileMatch(m, this.line, m.start - this.lineStart + 1);
      if (this.timeOptions === undefined) out.push(fm);
      else if (this.lineTimeKnown) this.emitWithTime(fm, out);
      else {
        this.pending.push(fm);
        if (this.pending.length >= PENDING_LIMIT) this.resolveTime(this.trackPos, out);
      }
    }
    this.track(limit, out);
    // Keep what the scan and the tracker still need, and the start of a line whose time is still open.
    let keepFrom = Math.min(this.scanPos - SCAN_LOOKBEHIND, this.trackPos);
    if (this.timeOptions !== undefined && !this.lineTimeKnown) keepFrom = Math.min(keepFrom, this.lineStart);
    keepFrom = Math.max(this.base, keepFrom);
    if (keepFrom > this.base) {
      this.buffer = this.buffer.slice(keepFrom - this.base);
      this.base = keepFrom;
    }
    return out;
  }

  /** Advances the line tracker to `to`, ending lines on the way. */
  private track(to: number, out: FileMatch[]): void {
    const bufferEnd = this.base + this.buffer.length;
    while (this.trackPos < to) {
      const nl = this.nl.find(this.buffer, this.base, this.trackPos);
      const cr = this.cr.find(this.buffer, this.base, this.trackPos);
      const brk = Math.min(nl, cr);
      if (brk >= to) {
        this.trackPos = to;
        break;
      }
      let len = 1;
      if (brk === cr && brk + 1 < bufferEnd && this.buffer.charCodeAt(brk + 1 - this.base) === 10) len = 2;
      this.finishLine(brk, out);
      this.trackPos = brk + len;
      this.line++;
      this.lineStart = this.trackPos;
    }
    // A very long line: its time comes from its first LINE_HEAD_LIMIT characters, known by now.
    if (this.timeOptions !== undefined && !this.lineTimeKnown && this.trackPos - this.lineStart >= LINE_HEAD_LIMIT) {
      this.resolveTime(this.lineStart + LINE_HEAD_LIMIT, out);
    }
  }

  /** Finds the time in the current line's text up to `end` (capped), then lets pending matches go. */
  private resolveTime(end: number, out: FileMatch[]): void {
    if (!this.lineTimeKnown && this.timeOptions !== undefined) {
      const stop = Math.min(end, this.lineStart + LINE_HEAD_LIMIT);
      const head = this.buffer.slice(this.lineStart - this.base, stop - this.base);
      this.lineTime = findLineTime(head, this.timeOptions)?.time;
      this.lineTimeKnown = true;
    }
    for (const m of this.pending) this.emitWithTime(m, out);
    this.pending = [];
  }

  private emitWithTime(m: FileMatch, out: FileMatch[]): void {
    if (this.lineTime !== undefined) m.time = this.lineTime;
    out.push(m);
  }

  /** The current line ends at `end` (where its line break starts). */
  private finishLine(end: number, out: FileMatch[]): void {
    if (this.pending.length > 0) this.resolveTime(end, out);
    this.lineTime = undefined;
    this.lineTimeKnown = false;
  }
}
