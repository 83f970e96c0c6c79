// A scan worker's triage job over WebAssembly: the part is read in whole lines straight into the module's buffer, the
// module finds every address with its key (wasmCount.ts WasmRecordScan), and only the matches come to JavaScript, with
// their lines counted over the bytes and a line's time read from its bytes when a match asks for it. Bytes that are
// not ASCII (their UTF-16 offsets are not their byte offsets) and lines longer than the buffer go to the JavaScript
// scanner instead, from a line start to a line end; the collection is the same either way (the differential tests).
import { readSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { PieceDecoder } from '../ip/decodePieces';
import { LINE_HEAD_LIMIT, LineScanner } from '../ip/lineScanner';
import { findLineTimeMs, type LineTimeOptions } from '../ip/logTime';
import { RECORD_INTS, WasmRecordScan } from '../ip/wasmCount';
import type { JobDone, ScanJob } from '../ip/scanPool';
import { DEFANGED_BIT, PartCollector } from './partCollector';

/** "No such byte in the window": above any offset. */
const FAR = 0x3fffffff;

/** A part's collection (job.mode 'collect') from the open file `fd`, or undefined without the module. */
export function collectPart(fd: number, job: Omit<ScanJob, 'id'>): JobDone | undefined {
  const wasm = WasmRecordScan.create();
  if (!wasm) return undefined;
  try {
    return new PartReader(fd, job, wasm).run();
  } finally {
    wasm.release();
  }
}

/** A run of lines given to the JavaScript scanner, with where it starts in the part. */
interface ScriptRun {
  scanner: LineScanner;
  decoder: PieceDecoder;
  sink: ReturnType<PartCollector['sink']>;
}

class PartReader {
  private readonly collector: PartCollector;
  private readonly bytes: Buffer;
  private readonly timeOptions: LineTimeOptions | undefined;
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
  /**
   * The buffer's own Latin-1 reader, which toString('latin1', ...) calls after checking its arguments (that wrapper,
   * once per line, took a few per cent of a triage part's time).
   */
  private readonly latin1: { latin1Slice(start: number, end: number): string };
  private script: ScriptRun | undefined;
  private readonly pieces: string[] = [];

  constructor(
    private readonly fd: number,
    private readonly job: Omit<ScanJob, 'id'>,
    private readonly wasm: WasmRecordScan,
  ) {
    this.collector = new PartCollector(job.collect ?? { maxOccurrences: 200, maxTimes: 4096 });
    this.bytes = wasm.bytes;
    this.latin1 = wasm.bytes as unknown as { latin1Slice(start: number, end: number): string };
    this.timeOptions = job.lineTime;
    // A bad assumeZone is refused before anything is read, as the JavaScript scanner does.
    if (this.timeOptions) findLineTimeMs('', this.timeOptions);
  }

  run(): JobDone {
    const { job, bytes } = this;
    const carried = Buffer.allocUnsafe(bytes.length);
    let at = job.start;
    let carry = 0;
    for (;;) {
      let filled = carry;
      let final = at >= job.end;
      if (!final) {
        const n = readSync(this.fd, bytes, carry, Math.min(bytes.length - carry, job.end - at), at);
        if (n === 0) final = true; // the file got shorter: scan what there was
        at += n;
        filled += n;
        final ||= at >= job.end;
      }
      if (filled === 0) break;
      let upTo = filled;
      if (!final) {
        const nl = bytes.lastIndexOf(10, filled - 1);
        if (nl >= 0) upTo = nl + 1; // else a line longer than the buffer: it goes as it is, to the JavaScript scanner
      }
      carry = filled - upTo;
      // The module writes past the window: the unfinished line is put aside first.
      if (carry > 0) bytes.copy(carried, 0, upTo, filled);
      const whole = final || bytes[upTo - 1] === 10;
      if (this.script === undefined && whole && isAscii(bytes.subarray(0, upTo))) this.scanWindow(upTo);
      else this.scanScript(upTo, whole, at - carry - upTo === 0); // the window starts the file
      if (carry > 0) carried.copy(bytes, 0, 0, carry);
      if (final && carry === 0) break;
    }
    if (this.script) this.endScript();
    const collection = this.collector.result();
    return { count: collection.matches, chars: this.chars, breaks: this.lineNo - 1, bytes: at - job.start, collection };
  }

  /** Whole lines of ASCII bytes in bytes[0, length): scanned in the module. */
  private scanWindow(length: number): void {
    const bytes = this.bytes;
    const records = this.wasm.records;
    const n = this.wasm.scan(length);
    this.windowEnd = length;
    this.lineStart = 0;
    this.nl = -1;
    this.cr = -1;
    const cr = bytes.indexOf(13);
    this.hasCr = cr >= 0 && cr < length;
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
    this.timeValue = findLineTimeMs(this.latin1.latin1Slice(this.lineStart, end), this.timeOptions);
    this.timeLine = this.lineNo;
    return this.timeValue;
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
