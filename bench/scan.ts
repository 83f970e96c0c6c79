// `npm run bench:scan [-- --quick] [--shapes a,b] [--rounds N]`: grows a seeded corpus of log shapes in bench/.data/
// (~50 MB each; --quick: 20 MB) and measures, per shape, in one run and interleaved: the whole process `ipinv scan
// --count` against whole processes counting ip-regex matches (v4+v6, and v4 only), scanRange on the text in memory,
// the streaming scan of the file, one worker against all of them, and triage extraction; then the worst shape.
// Then accuracy on planted addresses and the linear-time check (not with --quick).
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IpMatch } from '../src/core/ip/ipMatch';
import { scanRange } from '../src/core/ip/scanner';
import { countFile } from '../src/core/ip/scanFile';
import { ScanPool, defaultPoolSize } from '../src/core/ip/scanPool';
import { AddressCollector } from '../src/core/triage/addressCollector';
import { extractAddresses } from '../src/core/triage/extractAddresses';
import { LOG_SHAPES } from './logShapes';
import { accuracyReport } from './scanAccuracy';
import { CLI, WORKER, ensureBundles } from './bundles';

const MB = 1_000_000;
const DATA = join(__dirname, '.data', 'corpus');
const IP_REGEX = join(__dirname, 'ipRegexCount.mjs');
const TIME_BIN = '/usr/bin/time';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string): string | undefined => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
};
const SHAPE_BYTES = Number(option('--mb') ?? (quick ? 20 : 50)) * MB;
const ROUNDS = Number(option('--rounds') ?? (quick ? 3 : 5));
const SHAPES = option('--shapes')?.split(',') ?? LOG_SHAPES.map((s) => s.name);
const STARTUP_RUNS = quick ? 10 : 20;
/** One worker against all of them, pairs per shape and round; triage extractions per shape and round. */
const WORKER_PAIRS = quick ? 3 : 5;
/** Times each kernel thread counts the shape's first MiB in one measure of the kernel's scaling (about a worker's part). */
const KERNEL_REPS = 25;
const EXTRACT_RUNS = quick ? 2 : 3;

// Targets of issue 12.
const TARGET_PROCESS_RATIO = 10;
const TARGET_STREAM_SHARE = 0.85;
const TARGET_SCALING = 1.7;
const TARGET_EXTRACT_MBPS = 150;

interface ProcessRun {
  wall: number;
  cpu: number;
  maxRssMb: number;
  stdout: string;
}

interface RunnerReply {
  id: number;
  wall: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The small process that starts and times the whole processes (see processRunner.mjs). */
let runner: ChildProcess | undefined;
let runnerJobs = 0;
const runnerWaiting = new Map<number, (r: RunnerReply) => void>();

function processRunner(): ChildProcess {
  if (runner) return runner;
  const child = fork(join(__dirname, 'processRunner.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (r: RunnerReply) => {
    runnerWaiting.get(r.id)?.(r);
    runnerWaiting.delete(r.id);
  });
  runner = child;
  return child;
}

/** A whole process, timed from outside: wall clock by the runner, CPU and peak memory from GNU time when it is installed. */
async function runProcess(cmd: string[]): Promise<ProcessRun> {
  const withTime = existsSync(TIME_BIN);
  const argv = withTime ? [TIME_BIN, '-f', '@@time %U %S %M', ...cmd] : cmd;
  const id = ++runnerJobs;
  const r = await new Promise<RunnerReply>((resolve) => {
    runnerWaiting.set(id, resolve);
    processRunner().send({ id, argv });
  });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { wall: r.wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN, maxRssMb: m ? Number(m[3]) / 1024 : NaN, stdout: r.stdout.trim() };
}

function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The time `f` takes in this process. The previous tool's garbage (a triage extraction leaves hundreds of MB) is
 * collected first, and its collector threads given a moment to finish, so they do not take a core from this one.
 */
async function seconds<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const t0 = process.hrtime.bigint();
  const v = await f();
  return [v, Number(process.hrtime.bigint() - t0) / 1e9];
}

/** The generators' own source is part of the corpus key: change a generator and its files are made again. */
function corpusKey(): string {
  const h = createHash('sha256');
  for (const f of ['logShapes.ts', 'rng.ts']) h.update(readFileSync(join(__dirname, f)));
  return h.digest('hex').slice(0, 10);
}

function ensureCorpus(): { name: string; path: string; bytes: number }[] {
  mkdirSync(DATA, { recursive: true });
  const key = corpusKey();
  const out = [];
  for (const [k, shape] of LOG_SHAPES.entries()) {
    if (!SHAPES.includes(shape.name)) continue;
    const file = `${shape.name}-${SHAPE_BYTES / MB}mb-${key}.log`;
    const path = join(DATA, file);
    if (!existsSync(path)) {
      const t0 = performance.now();
      writeFileSync(path, shape.generate(20261125 + k, SHAPE_BYTES));
      process.stdout.write(`  generated ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    out.push({ name: shape.name, path, bytes: statSync(path).size });
  }
  // Files of older generator versions only take space.
  for (const f of readdirSync(DATA)) if (f.endsWith('.log') && f !== 'empty.log' && !f.endsWith(`-${key}.log`)) process.stdout.write(`  (stale corpus file ${f}: delete bench/.data/corpus to reclaim)\n`);
  return out;
}

/** scanRange over the whole text in 1 MiB ranges, matches counted and dropped (the in-memory baseline). */
function countInMemory(text: string): number {
  const out: IpMatch[] = [];
  let n = 0;
  for (let pos = 0; pos < text.length; ) {
    out.length = 0;
    pos = scanRange(text, pos, Math.min(text.length, pos + 1_048_576), out);
    n += out.length;
  }
  return n;
}

/** Triage extraction of the file, its parts collected by `pool`'s workers (the built worker, as the product runs it). */
async function extract(path: string, pool: ScanPool): Promise<number> {
  const c = new AddressCollector();
  const it = extractAddresses([{ kind: 'file', path }], c, { lineTime: { now: new Date('2026-12-01T00:00:00Z') }, parallel: { pool } });
  for (let r = await it.next(); !r.done; r = await it.next());
  return c.occurrences;
}

/**
 * Threads of the bare kernel (bench/kernelWorker.mjs), counting bytes already in memory or reading a file in shares:
 * what `threads` threads of this machine give the kernel with no pool around it (no job message, cut point or merge),
 * against which the workers' scaling is read. On a shared machine two busy threads can get less than two cores' worth
 * of work done.
 */
class KernelThreads {
  private readonly threads: Worker[];

  constructor(threads: number) {
    const wasm = join(dirname(WORKER), 'scan.wasm');
    this.threads = Array.from({ length: threads }, () => new Worker(join(__dirname, 'kernelWorker.mjs'), { workerData: { wasm } }));
  }

  async load(bytes: Uint8Array): Promise<void> {
    await this.all(this.threads.length, () => ({ load: bytes }));
  }

  /** Seconds for `threads` threads to count the bytes `reps` times each, and the matches counted in all. */
  run(threads: number, reps: number): Promise<[number, number]> {
    return this.all(threads, () => ({ reps }));
  }

  /** Seconds for `threads` threads to read and count a share each of the file's `size` bytes, and the matches counted. */
  read(threads: number, path: string, size: number): Promise<[number, number]> {
    const share = Math.ceil(size / threads);
    return this.all(threads, (k) => ({ path, start: k * share, end: Math.min(size, (k + 1) * share) }));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  /** The first `threads` threads each sent `message(k)`: the matches they answered in all, and the seconds until the last. */
  private async all(threads: number, message: (k: number) => object): Promise<[number, number]> {
    const t0 = performance.now();
    const counts = await Promise.all(this.threads.slice(0, threads).map((t, k) => this.ask(t, message(k))));
    return [counts.reduce((a, b) => a + b, 0), (performance.now() - t0) / 1000];
  }

  private ask(t: Worker, message: object): Promise<number> {
    return new Promise((resolve, reject) => {
      const fail = (e: Error): void => reject(e);
      t.once('message', (n: number) => {
        t.off('error', fail);
        resolve(n);
      });
      t.once('error', fail);
      t.postMessage(message);
    });
  }
}

interface Samples {
  [tool: string]: number[];
}

async function main(): Promise<void> {
  const { default: ipRegex } = await import('ip-regex');
  const started = new Date();
  const load0 = loadavg();
  const workers = defaultPoolSize();
  process.stdout.write(`bench:scan${quick ? ' --quick' : ''}: ${SHAPES.length} shapes of ~${SHAPE_BYTES / MB} MB, ${ROUNDS} rounds, ${workers} workers\n`);
  ensureBundles();
  const corpus = ensureCorpus();
  const pool1 = new ScanPool({ size: 1, script: WORKER });
  const poolN = new ScanPool({ size: workers, script: WORKER });
  // Triage extraction has a pool of its own: the two counting pools compared must have the same history (a worker
  // that collected a triage part carries a heap the other does not, and collects it while counting).
  const poolTriage = new ScanPool({ size: workers, script: WORKER });
  const kernel = new KernelThreads(workers);

  // Start-up: `ipinv scan --count` on an empty file against `node -e 0`, in turn.
  const empty = join(DATA, 'empty.log');
  writeFileSync(empty, '');
  const startup = { ours: [] as ProcessRun[], node: [] as ProcessRun[] };
  await runProcess([process.execPath, CLI, 'scan', '--count', empty]);
  for (let k = 0; k < STARTUP_RUNS; k++) {
    startup.ours.push(await runProcess([process.execPath, CLI, 'scan', '--count', empty]));
    startup.node.push(await runProcess([process.execPath, '-e', '0']));
  }

  // Warm-up: every in-process tool once on the first shape's first MBs, so the JIT has settled.
  // The texts are read when scanRange needs them, not held: 350 MB of them in this process made every other in-process
  // figure (the workers', extraction's merges) pay for collecting a heap the product's processes do not have.
  const head = readFileSync(corpus[0].path, 'latin1').slice(0, 4 * MB);
  for (let k = 0; k < 2; k++) countInMemory(head);

  const samples = new Map<string, Samples>(corpus.map((c) => [c.name, {}]));
  const counts = new Map<string, Record<string, number>>(corpus.map((c) => [c.name, {}]));
  const record = (shape: string, tool: string, value: number, count?: number): void => {
    const s = samples.get(shape)!;
    (s[tool] ??= []).push(value);
    if (count !== undefined) counts.get(shape)![tool] = count;
  };
  type Tool = [string, (c: (typeof corpus)[number]) => Promise<void>];
  // Tools compared as a ratio run back to back (their order swapped every round), so that a change in the machine's
  // speed between them is as small as it can be: the whole processes, and one worker against all of them.
  let turn = 0;
  const inTurn = async (steps: (() => Promise<void>)[]): Promise<void> => {
    const order = turn++ % 2 === 0 ? steps : [...steps].reverse();
    for (const step of order) await step();
  };
  const tools: Tool[] = [
    [
      'processes',
      (c) =>
        inTurn([
          async () => {
            const r = await runProcess([process.execPath, CLI, 'scan', '--count', c.path]);
            record(c.name, 'ipinv', r.wall, Number(r.stdout));
            record(c.name, 'ipinv.cpu', r.cpu);
            record(c.name, 'ipinv.rss', r.maxRssMb);
          },
          async () => {
            const r = await runProcess([process.execPath, IP_REGEX, c.path]);
            record(c.name, 'ipregex', r.wall, Number(r.stdout));
          },
          async () => {
            const r = await runProcess([process.execPath, IP_REGEX, c.path, '--v4']);
            record(c.name, 'ipregex4', r.wall);
          },
        ]),
    ],
    [
      'range',
      async (c) => {
        const text = readFileSync(c.path, 'latin1');
        const [n, s] = await seconds(() => countInMemory(text));
        record(c.name, 'range', s, n);
      },
    ],
    [
      'stream',
      async (c) => {
        const [n, s] = await seconds(() => countFile(c.path, { parallel: false }));
        record(c.name, 'stream', s, n);
      },
    ],
    [
      'workers',
      // A count in workers takes tens of milliseconds: WORKER_PAIRS pairs per round, so that one slow moment of the
      // machine does not decide the median.
      async (c) => {
        for (let k = 0; k < WORKER_PAIRS; k++) {
          await inTurn([
            async () => {
              const [n, s] = await seconds(() => countFile(c.path, { parallel: { pool: pool1, threshold: 0 } }));
              record(c.name, 'w1', s, n);
            },
            async () => {
              const [n, s] = await seconds(() => countFile(c.path, { parallel: { pool: poolN, threshold: 0 } }));
              record(c.name, 'wN', s, n);
            },
          ]);
        }
      },
    ],
    [
      'kernel',
      // The kernel alone, one thread counting what all of them count between them, as the workers are compared.
      async (c) => {
        const head = Buffer.alloc(1 << 20);
        const fd = openSync(c.path, 'r');
        try {
          readSync(fd, head, 0, head.length, 0);
        } finally {
          closeSync(fd);
        }
        await kernel.load(head);
        for (let k = 0; k < WORKER_PAIRS; k++) {
          await inTurn([
            async () => {
              const [n, s] = await kernel.run(1, workers * KERNEL_REPS);
              record(c.name, 'k1', s, n);
            },
            async () => {
              const [n, s] = await kernel.run(workers, KERNEL_REPS);
              record(c.name, 'kN', s, n);
            },
            async () => {
              const [n, s] = await kernel.read(1, c.path, c.bytes);
              record(c.name, 'r1', s, n);
            },
            async () => {
              const [n, s] = await kernel.read(workers, c.path, c.bytes);
              record(c.name, 'rN', s, n);
            },
          ]);
        }
      },
    ],
    [
      'extract',
      // A third of a second each, on a machine whose speed moves from one second to the next: EXTRACT_RUNS per round.
      async (c) => {
        for (let k = 0; k < EXTRACT_RUNS; k++) {
          const [n, s] = await seconds(() => extract(c.path, poolTriage));
          record(c.name, 'extract', s, n);
        }
      },
    ],
  ];
  // Rounds of every shape and every tool, the order of the tools turning each time, so that whatever else
  // the machine does falls on all of them alike; medians are reported.
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, c] of corpus.entries()) {
      for (let t = 0; t < tools.length; t++) await tools[(t + r + k) % tools.length][1](c);
    }
    process.stdout.write(`  round ${r + 1}/${ROUNDS} done (load average ${loadavg()[0].toFixed(1)})\n`);
  }
  await pool1.dispose();
  await poolN.dispose();
  await poolTriage.dispose();
  await kernel.dispose();
  runner?.disconnect();

  // Every tool must agree with scanRange on the count (ip-regex has its own, different count).
  for (const c of corpus) {
    const n = counts.get(c.name)!;
    for (const tool of ['ipinv', 'stream', 'w1', 'wN', 'extract']) {
      if (n[tool] !== n.range) throw new Error(`${c.name}: ${tool} counted ${n[tool]}, scanRange ${n.range}`);
    }
    if (n.k1 !== n.kN) throw new Error(`${c.name}: the kernel counted ${n.k1} in one thread, ${n.kN} in ${workers}`);
    // Read in windows with no look-ahead kept, an address cut by a window's edge counts differently: close, not equal.
    for (const tool of ['r1', 'rN']) {
      if (Math.abs(n[tool] - n.range) > 0.001 * n.range) throw new Error(`${c.name}: the kernel reading the file counted ${n[tool]}, scanRange ${n.range}`);
    }
  }

  const row = (cols: string[], widths: number[]): string => cols.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join(' ');
  const W = [12, 8, 9, 9, 9, 7, 8, 8, 7, 7, 7, 7, 7, 7, 7, 8];
  const lines: string[] = [];
  lines.push(
    '',
    `${started.toISOString().slice(0, 10)}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.versions.node}, ${workers} workers; load average ${load0[0].toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end (the CPUs are shared: figures are medians of ${ROUNDS} interleaved rounds)`,
    '',
    'whole processes (seconds, wall, each started by a small runner process as a shell would): `ipinv scan --count FILE` and a script counting ip-regex matches in the same file',
    'in process (MB/s): scanRange on the text in memory; countFile streaming the file in this thread; countFile in 1 and in',
    `${workers} workers, and their ratio (scale); the same ratio for the bare counting kernel in threads of its own, without the pool`,
    `(no job messages, cut points or merging): on the shape's first MiB already in memory (kernel), and reading the file in`,
    `${workers} shares (k+read); triage extraction (extractAddresses + collector, line times, in the ${workers} built workers)`,
    '',
    row(['shape', 'MB', 'ipinv s', 'ip-re s', 'ip-re4 s', 'x ipre', 'x ipre4', 'range', 'stream', 'str %', '1 wkr', `${workers} wkr`, 'scale', 'kernel', 'k+read', 'extract'], W),
  );
  const worst = { ratio: Infinity, ratio4: Infinity, share: Infinity, scale: Infinity, extract: Infinity };
  const worstOf = { ratio: '', ratio4: '', share: '', scale: '', extract: '' };
  const kernelOf = new Map<string, [number, number]>();
  const take = (k: keyof typeof worst, v: number, shape: string): void => {
    if (v < worst[k]) {
      worst[k] = v;
      worstOf[k] = shape;
    }
  };
  for (const c of corpus) {
    const s = samples.get(c.name)!;
    const mb = c.bytes / MB;
    // Ratios pair the runs of one round (taken close together), then take the median.
    const pair = (a: string, b: string): number => median(s[a].map((x, k) => x / s[b][k]));
    const ratio = pair('ipregex', 'ipinv');
    const ratio4 = pair('ipregex4', 'ipinv');
    const share = pair('range', 'stream');
    const scale = pair('w1', 'wN');
    const kernelScale = pair('k1', 'kN');
    const readScale = pair('r1', 'rN');
    kernelOf.set(c.name, [kernelScale, readScale]);
    const extractMbps = mb / median(s.extract);
    take('ratio', ratio, c.name);
    take('ratio4', ratio4, c.name);
    take('share', share, c.name);
    take('scale', scale, c.name);
    take('extract', extractMbps, c.name);
    lines.push(
      row(
        [
          c.name,
          mb.toFixed(1),
          median(s.ipinv).toFixed(3),
          median(s.ipregex).toFixed(2),
          median(s.ipregex4).toFixed(3),
          `${ratio.toFixed(1)}x`,
          `${ratio4.toFixed(2)}x`,
          (mb / median(s.range)).toFixed(0),
          (mb / median(s.stream)).toFixed(0),
          `${(100 * share).toFixed(0)}%`,
          (mb / median(s.w1)).toFixed(0),
          (mb / median(s.wN)).toFixed(0),
          `${scale.toFixed(2)}x`,
          `${kernelScale.toFixed(2)}x`,
          `${readScale.toFixed(2)}x`,
          extractMbps.toFixed(0),
        ],
        W,
      ),
    );
  }
  const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  const startOurs = median(startup.ours.map((r) => r.wall));
  const startNode = median(startup.node.map((r) => r.wall));
  lines.push(
    '',
    `worst shape: ipinv ${worst.ratio.toFixed(1)}x ip-regex (${worstOf.ratio}; target >= ${TARGET_PROCESS_RATIO}x: ${verdict(worst.ratio >= TARGET_PROCESS_RATIO)}); ` +
      `streaming ${(100 * worst.share).toFixed(0)}% of in-memory (${worstOf.share}; target >= ${100 * TARGET_STREAM_SHARE}%: ${verdict(worst.share >= TARGET_STREAM_SHARE)})`,
    `             ${workers} workers ${worst.scale.toFixed(2)}x one (${worstOf.scale}; target >= ${TARGET_SCALING}x: ${verdict(worst.scale >= TARGET_SCALING)}); ` +
      `extraction ${worst.extract.toFixed(0)} MB/s (${worstOf.extract}; target >= ${TARGET_EXTRACT_MBPS}: ${verdict(worst.extract >= TARGET_EXTRACT_MBPS)})`,
    `             on ${worstOf.scale}, the bare kernel in ${workers} threads of its own got ${kernelOf.get(worstOf.scale)![0].toFixed(2)}x one on bytes in memory, ` +
      `${kernelOf.get(worstOf.scale)![1].toFixed(2)}x reading the file (what this machine gave the same work without the pool)`,
    `moonshot (v4+v6+defang at ip-regex's v4-only speed): ipinv at ${worst.ratio4.toFixed(2)}x the v4-only ip-regex process on its worst shape (${worstOf.ratio4}; >= 1x: ${verdict(worst.ratio4 >= 1)})`,
    `start-up: ipinv scan --count on an empty file ${(startOurs * 1000).toFixed(0)} ms, node -e 0 ${(startNode * 1000).toFixed(0)} ms (+${((startOurs - startNode) * 1000).toFixed(0)} ms; medians of ${STARTUP_RUNS}, in turn; target < 60 ms)`,
    `peak RSS of ipinv scan --count: ${Math.max(...corpus.map((c) => median(samples.get(c.name)!['ipinv.rss']))).toFixed(0)} MB at most; CPU of ipinv per shape (s): ${corpus.map((c) => median(samples.get(c.name)!['ipinv.cpu']).toFixed(2)).join(' ')}`,
    `MB = 10^6 bytes. Corpus: ${DATA}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);

  if (!quick) {
    process.stdout.write(`\n${accuracyReport(52 * MB, () => ipRegex()).join('\n')}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:scan failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
