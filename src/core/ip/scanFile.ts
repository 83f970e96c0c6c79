// Scans a file or a byte stream for addresses in bounded memory, with line, column and the line's timestamp
// for each match. Offsets are UTF-16 offsets into the decoded text, as an editor would count them. Files above
// a threshold are split at line ends and scanned by the worker pool; the results are the same, in the same order.
import type { IpMatch } from './ipMatch';
import { decodePieces, encodingOf } from './decodePieces';
import { readChunks } from './fileIo';
import { LineScanner, type MatchLocation, type MatchSink } from './lineScanner';
import type { LineTimeOptions } from './logTime';
import { parallelScan, type ParallelOptions } from './parallelScan';
import { WasmCounter } from './wasmCount';

export { LINE_HEAD_LIMIT, type MatchLocation, type MatchSink } from './lineScanner';

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
  /** Bytes per read (default 256 KiB). */
  chunkBytes?: number;
  /** Scanning large files in worker threads (default: files of 16 MiB and more, with the shared pool); false: never. */
  parallel?: ParallelOptions | false;
}

const DEFAULT_CHUNK_BYTES = 1 << 18;

/** Every address in a file, in order. Throws the read error (ENOENT, EACCES, EISDIR...) on iteration. */
export async function* scanFile(path: string, options: ScanFileOptions = {}): AsyncGenerator<FileMatch, void, undefined> {
  for await (const batch of scanFileBatches(path, options)) yield* batch;
}

/** As scanFile, in batches of matches (one per piece of text read): less overhead for bulk consumers. */
export async function* scanFileBatches(path: string, options: ScanFileOptions = {}): AsyncGenerator<FileMatch[], void, undefined> {
  const timeOptions = resolveTimeOptions(options.lineTime ?? true);
  const sink = batchSink(timeOptions !== undefined);
  for await (const _ of scanFileInto(path, sink.add, { ...options, lineTime: timeOptions ?? false })) {
    const batch = sink.take();
    if (batch) yield batch;
  }
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
  const timeOptions = resolveTimeOptions(options.lineTime ?? true);
  const sink = batchSink(timeOptions !== undefined);
  for await (const _ of scanStreamInto(source, sink.add, { signal: options.signal, lineTime: timeOptions ?? false })) {
    const batch = sink.take();
    if (batch) yield batch;
  }
}

export interface ScanIntoOptions extends ScanStreamOptions {
  /** Count lines (default true): without, the locations' line and column are 0 (a count needs neither). */
  lines?: boolean;
}

/**
 * The scan with no match objects of its own: every match goes to `sink` in text order, with a location whose
 * line time is read only if the sink asks. The generator yields the number of bytes (or characters, for text
 * chunks) read so far, after each piece of text: drive it to the end, or stop early with return().
 */
export async function* scanStreamInto(
  source: AsyncIterable<Uint8Array | string>,
  sink: MatchSink,
  options: ScanIntoOptions = {},
): AsyncGenerator<number, void, undefined> {
  const timeOptions = resolveTimeOptions(options.lineTime ?? true);
  const scanner = new LineScanner({ lines: options.lines ?? true, lineTime: timeOptions });
  const signal = options.signal;
  const counted = { units: 0 };
  for await (const piece of decodePieces(countUnits(source, counted))) {
    signal?.throwIfAborted();
    scanner.push(piece, sink);
    yield counted.units;
  }
  signal?.throwIfAborted();
  scanner.end(sink);
  yield counted.units;
}

/** As scanStreamInto for a file: large files go to the worker pool (see ScanFileOptions.parallel). */
export async function* scanFileInto(path: string, sink: MatchSink, options: ScanIntoOptions & ScanFileOptions = {}): AsyncGenerator<number, void, undefined> {
  const timeOptions = resolveTimeOptions(options.lineTime ?? true);
  const lines = options.lines ?? true;
  if (options.parallel !== false) {
    const parallel = await parallelScan(path, { mode: lines ? 'records' : 'count', lineTime: timeOptions, signal: options.signal, ...options.parallel });
    if (parallel) {
      yield* parallel.feed(sink);
      return;
    }
  }
  yield* scanStreamInto(readChunks(path, Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES)), sink, { lines, lineTime: timeOptions ?? false, signal: options.signal });
}

/** The number of addresses in a file (no lines, no times, no match objects). Large files are counted in workers. */
export async function countFile(path: string, options: Pick<ScanFileOptions, 'signal' | 'chunkBytes' | 'parallel'> = {}): Promise<number> {
  if (options.parallel !== false) {
    const parallel = await parallelScan(path, { mode: 'count', signal: options.signal, ...options.parallel });
    if (parallel) return parallel.count();
  }
  return countChunks(readChunks(path, Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES)), options.signal);
}

/** The number of addresses in a byte or text stream. */
export function countStream(source: AsyncIterable<Uint8Array | string>, options: Pick<ScanStreamOptions, 'signal'> = {}): Promise<number> {
  return countChunks(source, options.signal);
}

async function countChunks(source: AsyncIterable<Uint8Array | string>, signal: AbortSignal | undefined): Promise<number> {
  const iterator = source[Symbol.asyncIterator]();
  // The WebAssembly counter takes UTF-8 bytes; text chunks and UTF-16 (a mark in the first two bytes) go to the
  // JavaScript scanner, with the bytes looked at so far put back in front.
  const head: (Uint8Array | string)[] = [];
  let headBytes = 0;
  let first = await iterator.next();
  while (!first.done && typeof first.value !== 'string' && headBytes + first.value.length < 2) {
    head.push(first.value.slice());
    headBytes += first.value.length;
    first = await iterator.next();
  }
  if (!first.done) head.push(first.value);
  const start = head.length > 0 && head.every((c) => typeof c !== 'string') ? joinBytes(head) : undefined;
  const counter = start && encodingOf(start) === 'utf-8' ? WasmCounter.create() : undefined;
  if (counter) {
    try {
      counter.push(start!);
      for (let r = first.done ? first : await iterator.next(); !r.done; r = await iterator.next()) {
        signal?.throwIfAborted();
        const chunk = r.value;
        counter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      }
      signal?.throwIfAborted();
      return counter.end();
    } finally {
      counter.release();
      if (signal?.aborted) await iterator.return?.();
    }
  }
  return countText(replay(head, first.done ? undefined : iterator), signal);
}

async function* replay(head: (Uint8Array | string)[], rest: AsyncIterator<Uint8Array | string> | undefined): AsyncGenerator<Uint8Array | string> {
  yield* head;
  if (rest) for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

function joinBytes(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

async function countText(source: AsyncIterable<Uint8Array | string>, signal: AbortSignal | undefined): Promise<number> {
  const scanner = new LineScanner({ countOnly: true });
  const none: MatchSink = () => undefined;
  for await (const piece of decodePieces(source)) {
    signal?.throwIfAborted();
    scanner.push(piece, none);
  }
  signal?.throwIfAborted();
  scanner.end(none);
  return scanner.tally.count;
}

/**
 * Line time options with `now` fixed once for the whole scan (syslog dates without a year are read against it),
 * so every line, and every worker, reads them the same way. undefined when times are off.
 */
export function resolveTimeOptions(lineTime: boolean | LineTimeOptions): LineTimeOptions | undefined {
  if (lineTime === false) return undefined;
  const o = lineTime === true ? {} : lineTime;
  return o.now === undefined ? { ...o, now: new Date() } : o;
}

async function* countUnits(source: AsyncIterable<Uint8Array | string>, counted: { units: number }): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    counted.units += chunk.length;
    yield chunk;
  }
}

/** A sink that builds FileMatch objects, handed out in batches. */
function batchSink(withTime: boolean): { add: MatchSink; take(): FileMatch[] | undefined } {
  let out: FileMatch[] = [];
  return {
    add: (m: IpMatch, at: MatchLocation): void => {
      const fm = toFileMatch(m, at.line, at.column);
      if (withTime) {
        const t = at.time();
        if (t !== undefined) fm.time = t;
      }
      out.push(fm);
    },
    take: () => {
      if (out.length === 0) return undefined;
      const batch = out;
      out = [];
      return batch;
    },
  };
}

/** A new object with every field in one literal: cheaper than adding fields to the scanner's match. */
export function toFileMatch(m: IpMatch, line: number, column: number): FileMatch {
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
