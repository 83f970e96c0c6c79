// A small pool of scan workers (worker_threads), sized from the machine's parallelism and reused across scans.
// Idle workers do not keep the process alive; a job that is aborted or whose worker dies ends its worker.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LineTimeOptions } from './logTime';
import type { RecordBatch } from './matchRecords';
import type { PartCollectOptions, PartCollection } from '../triage/partCollector';

/** One part of a file for one worker. `start` > 0 only right after a line break. */
export interface ScanJob {
  id: number;
  path: string;
  /** Byte range [start, end). */
  start: number;
  end: number;
  /** 'count': only the number of matches; 'records': every match, as record batches; 'collect': a triage collection. */
  mode: 'count' | 'records' | 'collect';
  /** The caps of the triage collector (mode 'collect'). */
  collect?: PartCollectOptions;
  lineTime?: LineTimeOptions;
  /** Post a batch after about this many bytes read. */
  batchBytes: number;
}

export interface JobDone {
  count: number;
  /** Mode 'collect': what the part's collector kept. */
  collection?: PartCollection;
  /** UTF-16 code units of the part's text, and the line breaks in it. */
  chars: number;
  breaks: number;
  bytes: number;
}

export type WorkerReply =
  | { id: number; type: 'batch'; batch: RecordBatch }
  | ({ id: number; type: 'done' } & JobDone)
  | { id: number; type: 'error'; message: string; code?: string };

export interface ScanPoolOptions {
  /** Workers at most (default: the machine's available parallelism, at most 8). */
  size?: number;
  /** The worker script; by default scanWorker.js next to this bundle (or the TypeScript source under tsx). */
  script?: string;
  execArgv?: string[];
}

interface Running {
  job: ScanJob;
  onBatch: (b: RecordBatch) => void;
  resolve: (d: JobDone) => void;
  reject: (e: unknown) => void;
  onAbort?: () => void;
  signal?: AbortSignal;
}

export class ScanPool {
  readonly size: number;
  private readonly script: string;
  private readonly execArgv: string[] | undefined;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Running>();
  private readonly waiting: Running[] = [];
  private nextId = 1;
  private disposed = false;

  constructor(options: ScanPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
    const script = options.script ? { file: options.script, execArgv: options.execArgv } : defaultWorkerScript();
    this.script = script.file;
    this.execArgv = script.execArgv;
  }

  /** Workers started and alive. */
  get workers(): number {
    return this.idle.length + this.busy.size;
  }

  /** Runs a job on the next free worker; batches arrive in order through `onBatch`. */
  run(job: Omit<ScanJob, 'id'>, onBatch: (b: RecordBatch) => void, signal?: AbortSignal): Promise<JobDone> {
    if (this.disposed) return Promise.reject(new Error('ScanPool: disposed'));
    signal?.throwIfAborted();
    return new Promise<JobDone>((resolve, reject) => {
      const r: Running = { job: { ...job, id: this.nextId++ }, onBatch, resolve, reject, signal };
      if (signal) {
        r.onAbort = () => this.abort(r);
        signal.addEventListener('abort', r.onAbort, { once: true });
      }
      this.waiting.push(r);
      this.dispatch();
    });
  }

  /** Ends every worker; running jobs fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const r of this.waiting.splice(0)) this.settle(r, new Error('ScanPool: disposed'));
    for (const [w, r] of [...this.busy]) {
      this.busy.delete(w);
      this.settle(r, new Error('ScanPool: disposed'));
    }
    await Promise.all(all.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      let w = this.idle.pop();
      if (!w) {
        if (this.busy.size >= this.size) return;
        w = this.spawn();
      }
      const r = this.waiting.shift()!;
      this.busy.set(w, r);
      w.ref();
      w.postMessage(r.job);
    }
  }

  private spawn(): Worker {
    const w = new Worker(this.script, this.execArgv ? { execArgv: this.execArgv } : {});
    w.on('message', (msg: WorkerReply) => this.onMessage(w, msg));
    w.on('error', (e) => this.onExit(w, e));
    w.on('exit', (code) => this.onExit(w, new Error(`scan worker exited with code ${code}`)));
    return w;
  }

  private onMessage(w: Worker, msg: WorkerReply): void {
    const r = this.busy.get(w);
    if (!r || r.job.id !== msg.id) return;
    if (msg.type === 'batch') {
      try {
        r.onBatch(msg.batch);
      } catch (e) {
        // The consumer failed: this job is over, and so is the worker that would go on sending.
        this.busy.delete(w);
        void w.terminate();
        this.settle(r, e);
        this.dispatch();
      }
      return;
    }
    this.busy.delete(w);
    w.unref();
    this.idle.push(w);
    if (msg.type === 'done') {
      const done: JobDone = { count: msg.count, chars: msg.chars, breaks: msg.breaks, bytes: msg.bytes };
      if (msg.collection) done.collection = msg.collection;
      this.settle(r, undefined, done);
    }
    else this.settle(r, Object.assign(new Error(msg.message), msg.code ? { code: msg.code } : {}));
    this.dispatch();
  }

  private onExit(w: Worker, e: unknown): void {
    const k = this.idle.indexOf(w);
    if (k >= 0) this.idle.splice(k, 1);
    const r = this.busy.get(w);
    if (r) {
      this.busy.delete(w);
      this.settle(r, e);
    }
    if (!this.disposed) this.dispatch();
  }

  private abort(r: Running): void {
    const k = this.waiting.indexOf(r);
    if (k >= 0) this.waiting.splice(k, 1);
    for (const [w, x] of this.busy) {
      if (x !== r) continue;
      // A worker is busy in a synchronous loop: ending it is the only way to stop it at once.
      this.busy.delete(w);
      void w.terminate();
    }
    this.settle(r, r.signal?.reason);
    this.dispatch();
  }

  private settle(r: Running, error: unknown, done?: JobDone): void {
    if (r.onAbort) r.signal?.removeEventListener('abort', r.onAbort);
    r.onAbort = undefined;
    if (done) r.resolve(done);
    else r.reject(error);
  }
}

/** Workers a pool starts at most by default: one per processor the process may use, at most 8. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

let shared: ScanPool | undefined;

/** The process's pool (started on first use, with `size` threads when the first caller names it; its idle workers never keep the process alive). */
export function sharedScanPool(size?: number): ScanPool {
  shared ??= new ScanPool(size !== undefined ? { size } : {});
  return shared;
}

/**
 * Makes `pool` the process's pool, before anything uses one: for a host that runs from the sources but scans with the
 * built worker (the benchmarks measure what users run).
 */
export function useSharedScanPool(pool: ScanPool): void {
  if (shared && shared !== pool) throw new Error('sharedScanPool: a pool is in use already');
  shared = pool;
}

/**
 * The bundles (dist/extension.js, dist/cli.js) sit next to dist/scanWorker.js. Run from source (the unit tests,
 * under tsx), the worker is the TypeScript file, loaded through tsx's CommonJS hook (`--import` does not reach
 * worker threads on Node 20).
 */
function defaultWorkerScript(): { file: string; execArgv?: string[] } {
  if (__filename.endsWith('.ts')) return { file: join(__dirname, 'scanWorker.ts'), execArgv: ['--require', 'tsx/cjs'] };
  return { file: join(__dirname, 'scanWorker.js') };
}
