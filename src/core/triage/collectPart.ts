// Triage extraction over WebAssembly, for a scan worker's part (collectPart) and for a file read in this thread
// (collectFileHere): the bytes are read in whole lines straight into the module's buffer, the module finds every
// address with its key (wasmCount.ts WasmRecordScan), and only the matches come to JavaScript, into a PartCollector,
// with their lines counted over the bytes and a line's time read from its bytes when a match asks for it. Bytes that
// are not ASCII (their UTF-16 offsets are not their byte offsets) and lines longer than the buffer go to the
// JavaScript scanner instead, from a line start to a line end; the collection is the same either way (the
// differential tests hold both to the sequential extraction).
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isAscii } from 'node:buffer';
import { PieceDecoder, encodingOf } from '../ip/decodePieces';
import { LINE_HEAD_LIMIT, LineScanner } from '../ip/lineScanner';
import { findLineTimeMs, leadEpochMsOfBytes, type LineTimeOptions } from '../ip/logTime';
import { RECORD_INTS, WasmRecordScan } from '../ip/wasmCount';
import type { JobDone, ScanJob } from '../ip/scanPool';
import { runAll, runInTurns } from '../../shared/generators';
import { DEFANGED_BIT, MAX_COLLECT_PART_BYTES, PartCollector, type PartCollectOptions, type PartCollection } from './partCollector';

/**
 * A collection in this thread reads windows of 8 KiB to 256 KiB, each as large as took about HERE_STEP_MS at the last
 * one's pace (at most twice the last): before the code is compiled, the scan is ten times slower, and fixed windows of
 * 256 KiB held the thread for 10-30 ms each over the first megabytes (a megabyte, for 50 ms). It hands its line times to
 * their grids every HERE_PENDING_TIMES (a quarter of PENDING_TIMES: each hand-over is one synchronous step).
 */
const HERE_WINDOW_BYTES = 1 << 18;
const HERE_FIRST_WINDOW_BYTES = 1 << 13;
const HERE_STEP_MS = 3;
const HERE_PENDING_TIMES = 1 << 18;

/** Bytes of a window decoded at once for reading line times (lineText): a string the young generation takes. */
const TEXT_PIECE = 32 * 1024;

/** "No such byte in the window": above any offset. */
const FAR = 0x3fffffff;

/** A part's collection (job.mode 'collect') from the open file `fd`, or undefined without the module. */
export function collectPart(fd: number, job: Omit<ScanJob, 'id'>): JobDone | undefined {
  const wasm = WasmRecordScan.create();
  if (!wasm) return undefined;
  try {
    const reader = new PartReader(job.start, job.collect, job.lineTime, wasm);
    try {
      for (let at = job.start; ; ) {
        const want = Math.min(reader.room, job.end - at);
        const n = want > 0 ? readSync(fd, reader.bytes, reader.readAt, want, at) : 0;
        at += n;
        // n === 0 before the end: the file got shorter, and what there was is scanned.
        if (reader.take(n, n === 0 || at >= job.end)) return reader.finish();
      }
    } finally {
      reader.release();
    }
  } finally {
    wasm.release();
  }
}

/**
 * A whole file's collection in this thread (a file too small for the workers), read window by window with a turn of
 * the event loop between them, so that an editor's thread is never held for more than one window (a few ms); yields
 * the bytes read so far after each, and leaves the collection in `out` (also when cancelled or when a read fails: what
 * was scanned before, the error thrown after it). Yields nothing and leaves `out` empty when the file cannot be read
 * so: no module or its buffer in use, a UTF-16 file (its line feeds are two bytes), not a regular file, or not
 * readable; the caller then uses the JavaScript scanner (which reports read errors).
 */
export async function* collectFileHere(
  path: string,
  options: { collect: PartCollectOptions; lineTime?: LineTimeOptions; signal?: AbortSignal },
  out: { collection?: PartCollection },
): AsyncGenerator<number, void, undefined> {
  let fd: FileHandle;
  try {
    fd = await open(path, 'r');
  } catch {
    return;
  }
  try {
    const s = await fd.stat();
    if (!s.isFile() || s.size > MAX_COLLECT_PART_BYTES) return;
    const wasm = WasmRecordScan.create();
    if (!wasm) return;
    try {
      const reader = new PartReader(0, { ...options.collect, pendingTimes: HERE_PENDING_TIMES }, options.lineTime, wasm);
      try {
        for (let at = 0, window = HERE_FIRST_WINDOW_BYTES; ; ) {
          options.signal?.throwIfAborted();
          const { bytesRead: n } = await fd.read(reader.bytes, reader.readAt, Math.min(reader.room, window), at);
          // A UTF-16 mark in the first bytes: the JavaScript scanner decodes it (nothing was scanned yet).
          if (at === 0 && n >= 2 && encodingOf(reader.bytes) !== 'utf-8') return;
          at += n;
          const started = performance.now();
          // A read that returns nothing ends the file (it may have grown or shrunk since the stat: what is read is scanned).
          const done = reader.take(n, n === 0);
          window = nextWindow(window, n, performance.now() - started);
          if (done) {
            out.collection = (await runInTurns(reader.finishSteps())).collection;
            return;
          }
          yield at;
        }
      } catch (e) {
        // Cancelled, or a read failed: what the windows scanned so far is kept (the caller merges it, as the
        // JavaScript scanner keeps every match it passed on).
        try {
          out.collection = reader.finish().collection;
        } catch {
          // The error below says what happened.
        }
        throw e;
      } finally {
        reader.release();
      }
    } finally {
      wasm.release();
    }
  } finally {
    await fd.close();
  }
}

/** The next window of a collection in this thread, after one of `bytes` took `ms` (see HERE_STEP_MS). */
export function nextWindow(window: number, bytes: number, ms: number): number {
  const paced = bytes > 0 ? Math.floor((bytes * HERE_STEP_MS) / Math.max(ms, 0.01)) : window;
  return Math.max(HERE_FIRST_WINDOW_BYTES, Math.min(2 * window, HERE_WINDOW_BYTES, paced));
}

/** A run of lines given to the JavaScript scanner, with where it starts in the part. */
interface ScriptRun {
  scanner: LineScanner;
  decoder: PieceDecoder;
  sink: ReturnType<PartCollector['sink']>;
}

/**
 * Reads a part window by window: the caller reads bytes into `bytes` at `readAt` (at most `room` of them) and hands
 * them over with take(); each window ends at its last line feed, the unfinished line kept for the next.
 */
class PartReader {
  readonly bytes: Buffer;
  private readonly collector: PartCollector;
  private readonly timeOptions: LineTimeOptions | undefined;
  /** Bytes of the unfinished line at the front of `bytes`, and a copy of them while the module writes past a window. */
  private carry = 0;
  private carried = Buffer.alloc(0);
  /** Bytes of the part before the current window. */
  private done = 0;
  /** The line at the start of the current window, 1-based, and the UTF-16 units of the part before the window. */
  private lineNo = 1;
  private chars = 0;
  /** The current window's line tracker: where the line being read starts, and its next `\n` and `\r` (FAR: none). */
  private lineStart = 0;
  private nl = -1;
  private cr = -1;
  private hasCr = false;
  private windowEnd = 0;
  /** The line whose time was read last and that time (epoch ms, NaN: none). */
  private timeLine = 0;
  private timeValue = NaN;
  /** A piece of the window as text (see lineText), and the window's bytes it holds. */
  private text: string | undefined;
  private textStart = 0;
  private textEnd = 0;
  /**
   * The buffer's own Latin-1 reader, which toString('latin1', ...) calls after checking its arguments (that wrapper,
   * once per line, took a few per cent of a triage part's time).
   */
  private readonly latin1: { latin1Slice(start: number, end: number): string };
  private script: ScriptRun | undefined;
  private readonly pieces: string[] = [];

  /** `start`: the part's first byte in the file (a byte order mark is looked for at 0 only). */
  constructor(
    private readonly start: number,
    collect: PartCollectOptions | undefined,
    lineTime: LineTimeOptions | undefined,
    private readonly wasm: WasmRecordScan,
  ) {
    this.collector = new PartCollector(collect ?? { maxOccurrences: 200, maxTimes: 4096 });
    this.bytes = wasm.bytes;
    this.latin1 = wasm.bytes as unknown as { latin1Slice(start: number, end: number): string };
    this.timeOptions = lineTime;
    // A bad assumeZone is refused before anything is read, as the JavaScript scanner does.
    if (this.timeOptions) findLineTimeMs('', this.timeOptions);
  }

  get readAt(): number {
    return this.carry;
  }

  get room(): number {
    return this.bytes.length - this.carry;
  }

  /** Takes the `n` bytes read at readAt; `final`: no more follow. Returns true when the part is scanned (then finish()). */
  take(n: number, final: boolean): boolean {
    const bytes = this.bytes;
    const filled = this.carry + n;
    if (filled === 0) return final;
    let upTo = filled;
    if (!final) {
      const nl = bytes.lastIndexOf(10, filled - 1);
      if (nl >= 0) upTo = nl + 1; // else a line longer than the buffer: it goes as it is, to the JavaScript scanner
    }
    const carry = filled - upTo;
    // The module writes past a window: the unfinished line is put aside first.
    if (carry > 0) {
      if (this.carried.length < carry) this.carried = Buffer.allocUnsafe(Math.max(carry, 2 * this.carried.length, 4096));
      bytes.copy(this.carried, 0, upTo, filled);
    }
    const whole = final || bytes[upTo - 1] === 10;
    if (this.script === undefined && whole && isAscii(bytes.subarray(0, upTo))) this.scanWindow(upTo);
    else this.scanScript(upTo, whole, this.start + this.done === 0);
    this.done += upTo;
    if (carry > 0) this.carried.copy(bytes, 0, 0, carry);
    this.carry = carry;
    return final && carry === 0;
  }

  /** Frees what the collector holds of the thread's (finish() does it too). */
  release(): void {
    this.collector.release();
  }

  finish(): JobDone {
    return runAll(this.finishSteps());
  }

  /** finish() in steps (see PartCollector.resultSteps). */
  *finishSteps(): Generator<void, JobDone, undefined> {
    if (this.script) this.endScript();
    const collection = yield* this.collector.resultSteps();
    return { count: collection.matches, chars: this.chars, breaks: this.lineNo - 1, bytes: this.done, collection };
  }

  /** Whole lines of ASCII bytes in bytes[0, length): scanned in the module. */
  private scanWindow(length: number): void {
    const bytes = this.bytes;
    const records = this.wasm.records;
    const n = this.wasm.scan(length);
    this.windowEnd = length;
    this.text = undefined;
    this.lineStart = 0;
    this.nl = -1;
    this.cr = -1;
    this.hasCr = bytes.subarray(0, length).indexOf(13) >= 0;
    const collector = this.collector;
    const chars = this.chars;
    for (let r = 0, i = 0; r < n; r++, i += RECORD_INTS) {
      const start = records[i + 5];
      this.advance(start);
      const bits = records[i + 7];
      collector.addKeyed(
        records, i, (bits & DEFANGED_BIT) !== 0, (bits & (DEFANGED_BIT - 1)) - 1,
        chars + start, records[i + 6] - start, this.lineNo, start - this.lineStart + 1, this,
      );
    }
    this.advance(length);
    this.chars = chars + length;
  }

  /** The time of the current match's line (PartCollector asks), read once per line from the line's first bytes. */
  timeMs(): number {
    if (this.timeOptions === undefined) return NaN;
    if (this.timeLine === this.lineNo) return this.timeValue;
    // The tracker stopped at the match: the next breaks it found end the line.
    const end = Math.min(this.nl, this.cr, this.windowEnd, this.lineStart + LINE_HEAD_LIMIT);
    // A line that opens with epoch seconds (Zeek's logs) is read from its bytes; any other, as text.
    let t = leadEpochMsOfBytes(this.bytes, this.lineStart, end);
    if (t !== t) t = findLineTimeMs(this.lineText(this.lineStart, end), this.timeOptions);
    this.timeValue = t;
    this.timeLine = this.lineNo;
    return this.timeValue;
  }

  /**
   * Bytes [start, end) of the window as text: a slice of a piece of the window decoded once (up to TEXT_PIECE bytes
   * from a line start), where a string copied per line cost a third of reading its time. Pieces stay small, in the
   * young generation: a whole window decoded at once is a megabyte-long string per window, which can stay uncollected
   * long enough to raise a worker's peak memory (the 200 MiB benchmark's extraction peaked at 268-308 MiB in two runs
   * that way, against 170-191 MiB with pieces).
   */
  private lineText(start: number, end: number): string {
    if (this.text === undefined || start < this.textStart || end > this.textEnd) {
      this.textStart = start;
      this.textEnd = Math.min(this.windowEnd, Math.max(end, start + TEXT_PIECE));
      this.text = this.latin1.latin1Slice(start, this.textEnd);
    }
    return this.text.slice(start - this.textStart, end - this.textStart);
  }

  /**
   * Moves the line tracker to `to` (an offset in the window), counting the breaks before it: `\n`, `\r\n` and a lone
   * `\r`, as the JavaScript scanner counts them.
   */
  private advance(to: number): void {
    const bytes = this.bytes;
    const end = this.windowEnd;
    let p = this.lineStart;
    for (;;) {
      let n = this.nl;
      if (n < p) {
        n = bytes.indexOf(10, p);
        if (n < 0 || n >= end) n = FAR;
        this.nl = n;
      }
      let c = this.cr;
      if (c < p) {
        c = this.hasCr ? bytes.indexOf(13, p) : -1;
        if (c < 0 || c >= end) c = FAR;
        this.cr = c;
      }
      const brk = n < c ? n : c;
      if (brk >= to) break;
      p = brk + 1;
      if (brk === c && p < end && bytes[p] === 10) p++;
      this.lineNo++;
      this.lineStart = p;
    }
  }

  /**
   * bytes[0, length) to the JavaScript scanner, which goes on over the next windows until one ends a line (`whole`).
   * `fileStart`: the window starts the file (a byte order mark is looked for there only).
   */
  private scanScript(length: number, whole: boolean, fileStart: boolean): void {
    let run = this.script;
    if (run === undefined) {
      const scanner = new LineScanner({ lineTime: this.timeOptions, keyed: true });
      run = { scanner, decoder: new PieceDecoder(!fileStart), sink: this.collector.sink(scanner, this.lineNo - 1, this.chars) };
      this.script = run;
    }
    const pieces = this.pieces;
    run.decoder.push(this.bytes.subarray(0, length), pieces);
    for (const piece of pieces) run.scanner.push(piece, run.sink);
    pieces.length = 0;
    if (whole) this.endScript();
  }

  private endScript(): void {
    const run = this.script!;
    this.script = undefined;
    const pieces = this.pieces;
    run.decoder.end(pieces);
    for (const piece of pieces) run.scanner.push(piece, run.sink);
    pieces.length = 0;
    run.scanner.end(run.sink);
    this.chars += run.scanner.chars;
    this.lineNo += run.scanner.breaks;
    this.timeLine = 0;
  }
}
