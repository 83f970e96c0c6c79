// Counting addresses with dist/scan.wasm (src/wasm/scan.ts): the scanner's rules over UTF-8 bytes, read straight into
// the module's memory, with no decoding and no strings. Windows of the bytes are counted as the stream scanner counts
// its buffer (look-ahead held back until more arrives), so the count is the one of countRange over the decoded text.
// The same scan also writes a record of every match with its key (WasmRecordScan), for triage extraction in a worker
// or in this thread (collectPart.ts). Without the module (a build without it), callers use the JavaScript scanner.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { encodingOf } from './decodePieces';
import { SCAN_LOOKAHEAD } from './scanner';

interface ScanExports {
  memory: WebAssembly.Memory;
  reserve(bytes: number): number;
  count(from: number, to: number, end: number): number;
  resume(): number;
  reserveRecords(records: number): number;
  collect(from: number, to: number, end: number, out: number): number;
}

/** Bytes per read into the module's memory: large enough that calls cost nothing, small enough for the cache. */
export const WASM_CHUNK_BYTES = 1 << 20;
/** Bytes kept before the resume point from one window to the next (the rules read fewer). */
const KEEP_BEHIND = 64;
/** Room for what is held back: the look-ahead, a match running past it, and the bytes before. */
const KEEP_BYTES = 4096;

let loaded: ScanExports | null | undefined;

/** The module, compiled on first use; null when dist/scan.wasm is missing or cannot run here. */
function load(): ScanExports | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  // Bundled, the module sits beside the bundle (dist/); from the sources (tests, tsx), in dist/ at the root.
  for (const path of [join(__dirname, 'scan.wasm'), join(__dirname, '..', '..', '..', 'dist', 'scan.wasm')]) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      continue;
    }
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), {
        env: { abort: () => { throw new Error('scan.wasm: abort'); } },
      });
      loaded = instance.exports as unknown as ScanExports;
    } catch {
      loaded = null;
    }
    break;
  }
  return loaded;
}

/** Whether counting runs in WebAssembly here (the tests insist on it: a build must ship the module). */
export function wasmCountAvailable(): boolean {
  return load() !== null;
}

/**
 * A byte counter over the module's memory (one per thread: the module is one instance). push() the bytes in order,
 * in any chunks, then end() for the count. Bytes must be UTF-8 (or any ASCII-compatible encoding): UTF-16 is the
 * caller's business.
 */
export class WasmCounter {
  private readonly x: ScanExports;
  private readonly base: number;
  private readonly mem: Uint8Array;
  /** Bytes held in the buffer, from base. */
  private len = 0;
  /** Where counting resumes, from base. */
  private next = 0;
  private total = 0;

  private constructor(x: ScanExports) {
    this.x = x;
    this.base = reserved(x);
    this.mem = new Uint8Array(x.memory.buffer);
  }

  /**
   * A counter, or undefined without the module or while another counter of this thread is in use (its bytes are
   * in the one buffer): the caller then counts in JavaScript. end() or release() frees it.
   */
  static create(): WasmCounter | undefined {
    const x = load();
    if (!x || busy) return undefined;
    busy = true;
    return new WasmCounter(x);
  }

  /** Frees the buffer without a count (a scan stopped early or failed). */
  release(): void {
    busy = false;
  }

  /** Adds bytes (copied: the caller may reuse its buffer). */
  push(bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length; ) {
      const n = Math.min(bytes.length - k, WASM_CHUNK_BYTES);
      this.mem.set(bytes.subarray(k, k + n), this.base + this.len);
      k += n;
      this.added(n);
    }
  }

  /** Reads up to one chunk of `fd` at `position` straight into the buffer; returns the bytes read (0 at the end). */
  read(fd: number, position: number, max = WASM_CHUNK_BYTES): number {
    const n = readSync(fd, this.mem, this.base + this.len, Math.min(max, WASM_CHUNK_BYTES), position);
    this.added(n);
    return n;
  }

  /** The number of addresses in all the bytes pushed. */
  end(): number {
    const b = this.base;
    this.total += this.x.count(b + this.next, b + this.len, b + this.len);
    this.len = 0;
    this.next = 0;
    busy = false;
    return this.total;
  }

  private added(n: number): void {
    this.len += n;
    const to = this.len - SCAN_LOOKAHEAD;
    if (to <= this.next) return;
    const b = this.base;
    this.total += this.x.count(b + this.next, b + to, b + this.len);
    this.next = this.x.resume() - b;
    const keep = Math.max(0, this.next - KEEP_BEHIND);
    if (keep > 0) {
      this.mem.copyWithin(b, b + keep, b + this.len);
      this.len -= keep;
      this.next -= keep;
    }
  }
}

/**
 * Whole numbers per record of WasmRecordScan: the match's key (KEY_INTS, as a keyed scan of scanner.ts writes it),
 * then its start and end (byte offsets in the window), then port + 1 (0: none) with DEFANGED_BIT (partCollector.ts).
 */
export const RECORD_INTS = 8;

/**
 * Matches with their keys, over whole lines of UTF-8 bytes written into the module's buffer: for a reader that wants
 * every match with its address as numbers (a triage part), not as text. One per thread, like WasmCounter (the same
 * buffer).
 */
export class WasmRecordScan {
  /** The buffer to write the bytes into (a view of the module's memory). */
  readonly bytes: Buffer;
  /** The records of the last scan(), RECORD_INTS each. */
  readonly records: Int32Array;
  private readonly x: ScanExports;
  private readonly base: number;
  private readonly out: number;

  private constructor(x: ScanExports, base: number, out: number) {
    this.x = x;
    this.base = base;
    this.out = out;
    this.bytes = Buffer.from(x.memory.buffer, base, WASM_CHUNK_BYTES + KEEP_BYTES);
    this.records = new Int32Array(x.memory.buffer, out, maxRecords(this.bytes.length) * RECORD_INTS);
  }

  /** A scan, or undefined without the module or while the buffer is in use (see WasmCounter.create). release() frees it. */
  static create(): WasmRecordScan | undefined {
    const x = load();
    if (!x || busy) return undefined;
    const base = reserved(x);
    if (recordsAt === 0) {
      recordsAt = x.reserveRecords(maxRecords(WASM_CHUNK_BYTES + KEEP_BYTES));
      if (recordsAt === 0) return undefined;
    }
    busy = true;
    return new WasmRecordScan(x, base, recordsAt);
  }

  /**
   * Scans bytes[0, length), which must end at a line end or be the end of the text (nothing is held back: no address
   * runs over a line break), and returns the number of records written. The bytes past `length` may be overwritten.
   */
  scan(length: number): number {
    if (length > this.bytes.length) throw new RangeError('WasmRecordScan: more bytes than the buffer holds');
    const b = this.base;
    return this.x.collect(b, b + length, b + length, this.out);
  }

  release(): void {
    busy = false;
  }
}

/** Records a window of `bytes` can hold: every address takes three bytes and is set apart by at least one. */
function maxRecords(bytes: number): number {
  return Math.ceil(bytes / 3) + 16;
}

let reservedBase = 0;
let recordsAt = 0;
let busy = false;

/** The module's buffer, reserved once. */
function reserved(x: ScanExports): number {
  if (reservedBase === 0) {
    reservedBase = x.reserve(WASM_CHUNK_BYTES + KEEP_BYTES);
    if (reservedBase === 0) throw new Error('scan.wasm: no memory for the buffer');
  }
  return reservedBase;
}

/** The number of addresses in bytes [start, end) of an open file, or undefined without the module. */
export function wasmCountFd(fd: number, start: number, end: number): number | undefined {
  const counter = WasmCounter.create();
  if (!counter) return undefined;
  try {
    let at = start;
    while (at < end) {
      const n = counter.read(fd, at, end - at);
      if (n === 0) break; // the file got shorter: count what there was
      at += n;
    }
    return counter.end();
  } finally {
    counter.release();
  }
}

/**
 * The number of addresses in a whole file, read with synchronous calls (for a process that has nothing else to do, like
 * `ipinv scan --count`: no event loop turn per read, no copy). undefined without the module, for what is not a regular
 * file (a pipe is read as a stream), and for UTF-16 text; the caller then counts with countFile.
 */
export function wasmCountFile(path: string): number | undefined {
  if (!load()) return undefined;
  const fd = openSync(path, 'r');
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) return undefined;
    const mark = new Uint8Array(2);
    if (readSync(fd, mark, 0, 2, 0) === 2 && encodingOf(mark) !== 'utf-8') return undefined;
    return wasmCountFd(fd, 0, s.size);
  } finally {
    closeSync(fd);
  }
}
