// Large files on every core: the file is cut at line ends into parts, each part is scanned by a pool worker,
// and the parts' matches are replayed in file order with offsets and line numbers shifted to the whole file:
// the same matches, locations and times as one sequential scan (UTF-8 text cut after a `\n` byte decodes the same).
import { setMaxListeners } from 'node:events';
import type { LineTimeOptions } from './logTime';
import type { MatchSink } from './lineScanner';
import { RecordReader, type RecordBatch } from './matchRecords';
import type { JobDone, ScanPool } from './scanPool';
import { scanPart } from './scanPart';
import { MAX_COLLECT_PART_BYTES, type PartCollectOptions, type PartCollection } from '../triage/partCollector';
import { closeFile, openFile, readFile, statFile } from './fileIo';


/** Files from this size on are scanned in workers. */
export const PARALLEL_THRESHOLD_BYTES = 16 << 20;

export interface ParallelOptions {
  /** Smallest file scanned in workers (default PARALLEL_THRESHOLD_BYTES). */
  threshold?: number;
  /** Default: the shared pool. */
  pool?: ScanPool;
  /**
   * Bytes per part at most (default: the file split so that each worker gets about two parts of 4-32 MiB; for a count,
   * one part of 4-64 MiB; for a triage collection, one part).
   */
  partBytes?: number;
  /**
   * Counting only: this thread scans parts too, and the pool is used for one worker fewer (so `pool.size` threads
   * in all). For a command-line count, where this thread has nothing else to do and a worker takes a while to
   * start; never in an editor, whose thread must stay free.
   */
  mainThread?: boolean;
}

interface RunOptions extends ParallelOptions {
  mode: 'count' | 'records' | 'collect';
  lineTime?: LineTimeOptions;
  collect?: PartCollectOptions;
  signal?: AbortSignal;
}

/** A batch sent after about this much of a part is read: small enough that replaying one never blocks for long. */
const BATCH_BYTES = 1 << 20;
/** How far past a cut point a line end is looked for before the cut is dropped. */
const MAX_LINE_SEARCH = 1 << 20;

interface Part {
  start: number;
  end: number;
  batches: RecordBatch[];
  done?: JobDone;
  error?: Error;
  started: boolean;
}

/**
 * A parallel scan of `path`, or undefined when the file should be scanned in this thread (smaller than the
 * threshold, not a regular file, UTF-16, or not readable: the sequential scan then reports the error).
 */
export async function parallelScan(path: string, options: RunOptions): Promise<ParallelRun | undefined> {
  const threshold = options.threshold ?? PARALLEL_THRESHOLD_BYTES;
  let size: number;
  try {
    const s = await statFile(path);
    if (!s.isFile() || s.size < threshold) return undefined;
    size = s.size;
  } catch {
    return undefined;
  }
  // The pool module (worker_threads) loads only when a file is large enough to need it.
  const pool = options.pool ?? (await import('./scanPool')).sharedScanPool();
  const asked = options.partBytes ?? defaultPartBytes(size, pool.size, options);
  const partBytes = options.mode === 'collect' ? Math.min(asked, MAX_COLLECT_PART_BYTES) : asked;
  let cuts: number[];
  try {
    cuts = await cutPoints(path, size, partBytes);
  } catch {
    return undefined;
  }
  if (cuts.length === 0) return undefined;
  return new ParallelRun(path, cuts, pool, options);
}

function defaultPartBytes(size: number, workers: number, options: RunOptions): number {
  // Sharing with this thread, parts are small: the workers start later and take what is left.
  if (options.mainThread && options.mode === 'count') return 2 << 20;
  // Every part of a triage collection keeps the first occurrences of every address it meets, most of them dropped
  // when merged: one part per worker.
  if (options.mode === 'collect') return Math.max(4 << 20, Math.ceil(size / workers));
  // A count has nothing to replay: one part per worker (up to 64 MiB each), with a message and a wake-up fewer per part
  // (two parts per worker took 5-10% longer on a 50 MB log).
  if (options.mode === 'count') return Math.max(4 << 20, Math.min(64 << 20, Math.ceil(size / workers)));
  // Matches replayed in order: about two parts per worker, so that one can be replayed while others are scanned.
  return Math.max(4 << 20, Math.min(32 << 20, Math.ceil(size / (2 * workers))));
}

/**
 * Part boundaries: 0, a byte after a `\n` near each multiple of partBytes, and the size. Empty when the file
 * starts with a UTF-16 mark (its `\n` bytes are half characters).
 */
async function cutPoints(path: string, size: number, partBytes: number): Promise<number[]> {
  const fd = await openFile(path);
  try {
    const head = Buffer.alloc(2);
    await readFile(fd, head, 0, 2, 0);
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return [];
    const cuts = [0];
    const window = Buffer.allocUnsafe(64 * 1024);
    for (let target = partBytes; target < size; target += partBytes) {
      let from = Math.max(target, cuts[cuts.length - 1] + 1);
      let cut = -1;
      while (cut < 0 && from < size && from < target + MAX_LINE_SEARCH) {
        const bytesRead = await readFile(fd, window, 0, window.length, from);
        if (bytesRead === 0) break;
        const nl = window.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) cut = from + nl + 1;
        else from += bytesRead;
      }
      if (cut > cuts[cuts.length - 1] && cut < size) cuts.push(cut);
    }
    cuts.push(size);
    return cuts;
  } finally {
    await closeFile(fd);
  }
}

export class ParallelRun {
  private readonly parts: Part[];
  private readonly controller = new AbortController();
  private wake: (() => void) | undefined;

  constructor(
    private readonly path: string,
    cuts: number[],
    private readonly pool: ScanPool,
    private readonly options: RunOptions,
  ) {
    this.parts = [];
    for (let k = 0; k + 1 < cuts.length; k++) this.parts.push({ start: cuts[k], end: cuts[k + 1], batches: [], started: false });
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    // Every part's job listens to it (a large file has many parts).
    setMaxListeners(0, this.controller.signal);
  }

  private readonly onAbort = (): void => this.controller.abort(this.options.signal?.reason);

  /** Ends what is still running (nothing, after a complete scan). */
  private close(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.controller.abort(new Error('scan finished'));
  }

  /** Only the number of matches (mode 'count'). */
  async count(): Promise<number> {
    try {
      if (!this.options.mainThread) {
        const done = await Promise.all(this.parts.map((p) => this.start(p)));
        return done.reduce((n, d) => n + d.count, 0);
      }
      // This thread and pool.size - 1 workers take parts from one queue until it is empty.
      const queue = [...this.parts];
      let total = 0;
      const worker = async (): Promise<void> => {
        for (let p = queue.shift(); p; p = queue.shift()) {
          const done = await this.start(p);
          total += done.count; // not `total += await ...`: that would add to the total read before the wait
        }
      };
      const workers = Promise.all(Array.from({ length: this.pool.size - 1 }, worker));
      workers.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
      for (let p = queue.shift(); p; p = queue.shift()) {
        this.options.signal?.throwIfAborted();
        total += scanPart({ path: this.path, start: p.start, end: p.end, mode: 'count', batchBytes: BATCH_BYTES }, () => undefined).count;
        // Let the workers' replies in, so that an idle worker gets the next part without waiting for this one.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await workers;
      return total;
    } finally {
      this.close();
    }
  }

  /**
   * Replays every match into `sink` in file order; yields the bytes of the file replayed so far after each batch.
   * At most two parts per worker are scanned ahead of the one being replayed, which bounds the memory held.
   */
  async *feed(sink: MatchSink): AsyncGenerator<number, void, undefined> {
    let chars = 0;
    let breaks = 0;
    try {
      for (let k = 0; k < this.parts.length; k++) {
        this.startAhead(k);
        const part = this.parts[k];
        const reader = new RecordReader();
        for (;;) {
          this.throwIfFailed(part);
          const batch = part.batches.shift();
          if (batch) {
            reader.read(batch, chars, breaks, sink);
            yield part.start + batch.bytes;
            continue;
          }
          if (part.done) break;
          await this.nextNotice();
        }
        chars += part.done.chars;
        breaks += part.done.breaks;
        yield part.end;
      }
    } finally {
      // Stopped early or failed: the parts still scanning are not needed.
      this.close();
    }
  }

  /**
   * The parts' triage collections (mode 'collect'), in file order, each with the UTF-16 units and line breaks of the
   * file before it and the byte where it ends. As in feed(), a few parts per worker are scanned ahead.
   */
  async *collections(): AsyncGenerator<{ collection: PartCollection; charBase: number; lineBreaksBefore: number; end: number }, void, undefined> {
    let chars = 0;
    let breaks = 0;
    try {
      for (let k = 0; k < this.parts.length; k++) {
        this.startAhead(k);
        const part = this.parts[k];
        while (!part.done) {
          this.throwIfFailed(part);
          await this.nextNotice();
        }
        this.throwIfFailed(part);
        const collection = part.done.collection;
        if (!collection) throw new Error('scan worker: a part came back without its collection');
        yield { collection, charBase: chars, lineBreaksBefore: breaks, end: part.end };
        part.done = { ...part.done, collection: undefined };
        chars += part.done.chars;
        breaks += part.done.breaks;
      }
    } finally {
      this.close();
    }
  }

  /** Starts part `k` and the next ones, two per worker in all (the parts replayed or merged next). */
  private startAhead(k: number): void {
    const end = Math.min(this.parts.length, k + 2 * this.pool.size);
    for (let j = k; j < end; j++) if (!this.parts[j].started) void this.start(this.parts[j]).catch(() => undefined);
  }

  /** Resolves at the next batch, end or failure of any part. */
  private nextNotice(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private throwIfFailed(part: Part): void {
    this.options.signal?.throwIfAborted();
    if (part.error !== undefined) throw part.error;
  }

  private start(part: Part): Promise<JobDone> {
    part.started = true;
    const job = this.pool.run(
      {
        path: this.path,
        start: part.start,
        end: part.end,
        mode: this.options.mode,
        lineTime: this.options.lineTime,
        collect: this.options.collect,
        batchBytes: BATCH_BYTES,
      },
      (b) => {
        part.batches.push(b);
        this.notify();
      },
      this.controller.signal,
    );
    return job.then(
      (done) => {
        part.done = done;
        this.notify();
        return done;
      },
      (e: unknown) => {
        part.error = e instanceof Error ? e : new Error(String(e));
        this.notify();
        throw e;
      },
    );
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
