// The streaming and worker paths against the in-memory scanner: every sample, every benchmark log shape and random
// files cut at random places give the same matches, offsets, lines, columns and line times as scanText on the
// whole decoded text (line times read the obvious way, line by line).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { countFile, scanFileBatches, scanStream, LINE_HEAD_LIMIT, type FileMatch } from '../../src/core/ip/scanFile';
import { scanText } from '../../src/core/ip/scanner';
import { findLineTime, type LineTimeOptions } from '../../src/core/ip/logTime';
import { ScanPool } from '../../src/core/ip/scanPool';
import { AddressCollector } from '../../src/core/triage/addressCollector';
import { extractAddresses, type ExtractionResult, type TriageInput } from '../../src/core/triage/extractAddresses';
import { parallelScan } from '../../src/core/ip/parallelScan';
import type { SourceExtraction } from '../../src/core/triage/sourceExtraction';
import { nextWindow } from '../../src/core/triage/collectPart';
import { LOG_SHAPES } from '../../bench/logShapes';

const TIME: LineTimeOptions = { now: new Date('2026-11-30T12:00:00Z') };
const SAMPLES = join(__dirname, '..', '..', 'samples');

let dir = '';
let pool: ScanPool;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipinv-parallel-'));
  pool = new ScanPool({ size: 2 });
});
after(async () => {
  await pool.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The text one decoder makes of the bytes: UTF-16 after its mark, else UTF-8; a leading mark dropped. */
function decoded(bytes: Uint8Array): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  return new TextDecoder(encoding).decode(bytes);
}

/** scanText on the whole text, with lines, columns and line times found the slow, obvious way. */
function reference(text: string, time: LineTimeOptions | undefined): FileMatch[] {
  // Line k spans [starts[k], ends[k]); `\r\n`, `\n` and a lone `\r` end a line.
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      ends.push(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  ends.push(text.length);
  let k = 0;
  const times = new Map<number, Date | undefined>();
  return scanText(text).map((m) => {
    while (k + 1 < starts.length && starts[k + 1] <= m.start) k++;
    const fm: FileMatch = { ...m, line: k + 1, column: m.start - starts[k] + 1 };
    if (time) {
      if (!times.has(k)) times.set(k, findLineTime(text.slice(starts[k], Math.min(ends[k], starts[k] + LINE_HEAD_LIMIT)), time)?.time);
      const t = times.get(k);
      if (t) fm.time = t;
    }
    return fm;
  });
}

async function collect(it: AsyncIterable<FileMatch[]>): Promise<FileMatch[]> {
  const out: FileMatch[] = [];
  for await (const batch of it) for (const m of batch) out.push(m);
  return out;
}

/** Every field, in a fixed order, `time` as its instant: equal keys mean deep-equal matches. */
function key(m: FileMatch): string {
  return JSON.stringify([m.value, m.version, m.start, m.end, m.line, m.column, m.port, m.prefix, m.zone, m.defanged, m.leadingZeros, m.ipClass, m.time?.getTime(), Object.keys(m).length]);
}

/** Compares cheaply, and without a huge diff on failure: the first differing match is reported in full. */
function assertSameMatches(actual: FileMatch[], expected: FileMatch[], what: string): void {
  for (let k = 0; k < Math.min(actual.length, expected.length); k++) {
    if (key(actual[k]) !== key(expected[k])) assert.deepStrictEqual(actual[k], expected[k], `${what}: match ${k}`);
  }
  assert.equal(actual.length, expected.length, `${what}: number of matches`);
}

/** Random files: address-like lines (UTF-8 among them) with every line end, a mark or not, a bad byte or not, and a part size. */
const randomFile = fc.tuple(
  fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'Nov 21 03:14:07 fw01 sshd[811]: from 198.51.100.23 port 22 10.1.1.1',
          '2026-11-21T03:14:07Z [fe80::1%eth0]:22 hxxp://198[.]51[.]100[.]23/ ::ffff:192.0.2.1 [10.0.0.7]:8443',
          '{"ts":1795500000,"src":"10.248.240.38","dst":"[2001:db8::5]:443"}',
          '10.0.0.0/8 2001:db8::/32 1.2.3.4.5 192.168.001.010 00:1a:2b:3c:4d:5e 12:34:56',
          '203.0.113.9 - - [21/Nov/2026:03:14:07 +0000] "GET / HTTP/1.1" 200',
          'é 10.0.0.1 😀 2001:DB8::1 fd00::1',
          '',
        ),
        fc.string({ unit: fc.constantFrom('1', '0', '.', ':', 'a', 'f', ' ', '[', ']', '%', '/', 'é'), maxLength: 30 }),
      ),
      fc.constantFrom('\n', '\r\n', '\r', '\n'),
    ),
    { maxLength: 60 },
  ),
  fc.boolean(),
  fc.boolean(),
  fc.integer({ min: 1, max: 400 }),
);

/** The bytes of a random file: its lines, a UTF-8 mark in front (`bom`), and a broken sequence in the middle (`badByte`). */
function randomFileBytes(lines: [string, string][], bom: boolean, badByte: boolean): Buffer {
  const text = lines.map(([l, e]) => l + e).join('');
  const parts = [Buffer.from(text, 'utf8')];
  if (badByte) parts.splice(0, 1, Buffer.from(text.slice(0, text.length >> 1), 'utf8'), Buffer.from([0xc3, 0x0a, 0x80]), Buffer.from(text.slice(text.length >> 1), 'utf8'));
  if (bom) parts.unshift(Buffer.from([0xef, 0xbb, 0xbf]));
  return Buffer.concat(parts);
}

async function fixtures(): Promise<{ name: string; path: string }[]> {
  const out: { name: string; path: string }[] = [];
  for (const f of (await readdir(SAMPLES)).sort()) out.push({ name: `samples/${f}`, path: join(SAMPLES, f) });
  for (const [k, shape] of LOG_SHAPES.entries()) {
    const path = join(dir, `${shape.name}.log`);
    await writeFile(path, shape.generate(1000 + k, 300_000));
    out.push({ name: `shape ${shape.name}`, path });
  }
  return out;
}

describe('streaming and worker scans equal the in-memory scanner', () => {
  test('every sample and every log shape, sequential and in workers, with and without line times', async () => {
    for (const f of await fixtures()) {
      const text = decoded(await readFile(f.path));
      const expected = reference(text, TIME);
      assert.ok(expected.length > 0, `${f.name} has addresses`);
      assertSameMatches(await collect(scanFileBatches(f.path, { lineTime: TIME, parallel: false })), expected, `${f.name} sequential`);
      const parallel = { pool, threshold: 0, partBytes: 30_000 };
      assertSameMatches(await collect(scanFileBatches(f.path, { lineTime: TIME, parallel })), expected, `${f.name} in workers`);
      const untimed = expected.map(({ time: _, ...m }) => m);
      assertSameMatches(await collect(scanFileBatches(f.path, { lineTime: false, parallel })), untimed, `${f.name} in workers, no times`);
      assert.equal(await countFile(f.path, { parallel: false }), expected.length, `${f.name} count`);
      assert.equal(await countFile(f.path, { parallel }), expected.length, `${f.name} count in workers`);
      assert.equal(await countFile(f.path, { parallel: { ...parallel, mainThread: true } }), expected.length, `${f.name} count here and in workers`);
    }
  });

  test('random files cut into random parts: the same as one scan of the whole text', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(randomFile, async ([lines, bom, badByte, partBytes]) => {
        const bytes = randomFileBytes(lines, bom, badByte);
        const path = join(dir, `random-${run++}.log`);
        await writeFile(path, bytes);
        const expected = reference(decoded(bytes), TIME);
        const actual = await collect(scanFileBatches(path, { lineTime: TIME, parallel: { pool, threshold: 0, partBytes } }));
        assertSameMatches(actual, expected, `parts of ${partBytes} bytes`);
      }),
      { numRuns: 60 },
    );
  });

  test('text in random pieces, long lines included: the same as one scan of the whole text', async () => {
    const long = `2026-11-21T03:14:07Z ${'x '.repeat(40_000)}10.0.0.9 ${'y '.repeat(20_000)}10.0.0.10`;
    const text = `${long}\nNov 21 03:14:07 h a 10.0.0.1\r\n${long.replace('2026-11-21T03:14:07Z ', '')} 2026-11-22T00:00:00Z\r${'1.2.3.4 '.repeat(9000)}`;
    const expected = reference(text, TIME);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }), async (sizes) => {
        async function* pieces(): AsyncGenerator<string> {
          for (let k = 0, i = 0; k < text.length; i++) {
            const n = sizes[i % sizes.length];
            await Promise.resolve();
            yield text.slice(k, k + n);
            k += n;
          }
        }
        const actual: FileMatch[] = [];
        for await (const m of scanStream(pieces(), { lineTime: TIME })) actual.push(m);
        assertSameMatches(actual, expected, `pieces ${sizes.join(',')}`);
      }),
      { numRuns: 25 },
    );
  });

  test('a UTF-16 file is scanned in this thread (its line breaks are two bytes), with the same result', async () => {
    const text = 'Get-NetTCPConnection -RemoteAddress 198.51.100.23\r\n$ip = "10.248.240.38"\n'.repeat(200);
    const path = join(dir, 'utf16.ps1');
    await writeFile(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const actual = await collect(scanFileBatches(path, { lineTime: TIME, parallel: { pool, threshold: 0, partBytes: 1000 } }));
    assertSameMatches(actual, reference(text, TIME), 'utf-16');
    // Triage extraction of a larger one (over a window: its line feeds are two bytes), in this thread: the WebAssembly
    // path leaves it to the JavaScript scanner.
    const large = join(dir, 'utf16-large.ps1');
    await writeFile(large, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.repeat(30), 'utf16le')]));
    const extract = async (where: Where) => {
      const c = new AddressCollector();
      const it = extractAddresses([{ kind: 'file', path: large, name: 'u.ps1' }], c, { lineTime: TIME, ...whereOptions(where) });
      let r = await it.next();
      while (!r.done) r = await it.next();
      return { c, result: r.value };
    };
    const script = await extract('script');
    assert.equal(script.c.addresses.size, 2, 'both addresses of the UTF-16 file');
    assertSameCollection(await extract('here'), script, 'utf-16 in this thread');
  });

  test('triage extraction in workers (collected part by part, merged in order) keeps what the sequential extraction keeps', async () => {
    const path = join(dir, 'triage.log');
    await writeFile(path, LOG_SHAPES[2].generate(7, 300_000) + LOG_SHAPES[0].generate(8, 300_000));
    const options = { maxOccurrencesPerAddress: 5, maxTimesPerAddress: 16 };
    const collect = async (parallel: Where, inputs: TriageInput[]) => {
      const c = new AddressCollector(options);
      const it = extractAddresses(inputs, c, { lineTime: TIME, ...whereOptions(parallel) });
      let r = await it.next();
      while (!r.done) r = await it.next();
      return { c, result: r.value };
    };
    const inParts = { pool, threshold: 0, partBytes: 50_000 };
    const file: TriageInput = { kind: 'file', path, name: 'fw.log' };
    const seq = await collect('script', [file]);
    const par = await collect(inParts, [file]);
    assertSameCollection(par, seq, 'in workers');
    assertSameCollection(await collect('here', [file]), seq, 'in this thread, in WebAssembly');
    assert.ok([...seq.c.addresses.values()].some((a) => a.timed && a.times.size > 0), 'some internal address has line times');
    assert.ok([...seq.c.addresses.values()].some((a) => a.times.thinned), 'some address had more distinct minutes than cells');
    assert.ok([...seq.c.addresses.values()].some((a) => a.times.list().some((c) => c.count > 1 && c.last > c.first)), 'some cell holds several minutes');
    assert.ok([...seq.c.addresses.values()].some((a) => a.occurrencesTruncated), 'some address had more occurrences than kept');

    // Captured as the extension captures every file: the same run, and the same extraction, from either path.
    let seqCaptured: SourceExtraction | undefined;
    let parCaptured: SourceExtraction | undefined;
    const seqCapture = await collect('script', [{ ...file, capture: (e) => (seqCaptured = e) }]);
    const parCapture = await collect(inParts, [{ ...file, capture: (e) => (parCaptured = e) }]);
    assertSameCollection(seqCapture, seq, 'captured in this thread');
    assertSameCollection(parCapture, seq, 'captured in workers');
    assert.ok(seqCaptured && parCaptured, 'both paths captured the file');
    assert.deepEqual(parCaptured, seqCaptured, 'the worker path captures what the thread captures');

    // Two files, the first replayed from what the workers captured and the second read in workers, merge as if both were read here.
    const other = join(dir, 'triage-other.log');
    await writeFile(other, LOG_SHAPES[3].generate(9, 200_000) + LOG_SHAPES[2].generate(7, 100_000));
    const both = await collect('script', [file, { kind: 'file', path: other, name: 'other.log' }]);
    const mixed = await collect(inParts, [{ kind: 'extracted', name: 'fw.log', extraction: parCaptured }, { kind: 'file', path: other, name: 'other.log', capture: () => undefined }]);
    const replayed = new Set(parCaptured.addresses.filter((a) => a.truncated).map((a) => a.ip));
    assertSameCollection(mixed, both, 'replayed + in workers', replayed);
  });

  test('triage parts of random files cut at random places: UTF-8, marks, bad bytes and every line end as the sequential extraction', async () => {
    const options = { maxOccurrencesPerAddress: 3, maxTimesPerAddress: 4 };
    const extract = async (path: string, parallel: Where) => {
      const c = new AddressCollector(options);
      const it = extractAddresses([{ kind: 'file', path, name: 'r.log' }], c, { lineTime: TIME, ...whereOptions(parallel) });
      let r = await it.next();
      while (!r.done) r = await it.next();
      return { c, result: r.value };
    };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(randomFile, async ([lines, bom, badByte, partBytes]) => {
        const path = join(dir, `random-collect-${run++}.log`);
        await writeFile(path, randomFileBytes(lines, bom, badByte));
        const reference = await extract(path, 'script');
        assertSameCollection(await extract(path, { pool, threshold: 0, partBytes }), reference, `parts of ${partBytes} bytes`);
        assertSameCollection(await extract(path, 'here'), reference, 'in this thread, in WebAssembly');
      }),
      { numRuns: 40 },
    );
  });

  test('a triage part of ASCII windows, UTF-8 lines and a line longer than a window collects as the sequential extraction', async () => {
    // The worker reads a part in windows of about 1 MiB: ASCII windows go to the WebAssembly scan, a window with other
    // bytes and a line longer than a window to the JavaScript scanner, from a line start to a line end.
    const ascii = (seed: number, bytes: number) => LOG_SHAPES[2].generate(seed, bytes);
    const longLine = `2026-11-21T03:14:07Z long ${Array.from({ length: 1400 }, (_, k) => `10.9.${k >> 8}.${k & 255} ${'x'.repeat(900)}`).join(' ')}`;
    const text = [
      ascii(51, 1_500_000),
      'Nov 21 03:14:07 h é 10.0.0.1 😀 2001:DB8::1 fd00::7\r\nNov 21 03:14:08 h 10.0.0.1\r10.0.0.2 alone\r',
      ascii(52, 600_000),
      // An ASCII line whose time stands 36,000 characters in: more than a piece of text decoded at once.
      `10.7.7.7 ${'y'.repeat(36_000)} at 2026-11-21T05:00:00Z`,
      longLine,
      ascii(53, 1_200_000),
      `${'é'.repeat(10)} 10.0.0.3 ${longLine}`,
      ascii(54, 300_000),
    ].join('\n');
    const collectFile = async (path: string, parallel: Where) => {
      const c = new AddressCollector({ maxOccurrencesPerAddress: 50, maxTimesPerAddress: 64 });
      const it = extractAddresses([{ kind: 'file', path, name: 'mixed.log' }], c, { lineTime: TIME, ...whereOptions(parallel) });
      let r = await it.next();
      while (!r.done) r = await it.next();
      return { c, result: r.value };
    };
    for (const bom of [false, true]) {
      const path = join(dir, `mixed-${bom}.log`);
      await writeFile(path, Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')]));
      const seq = await collectFile(path, 'script');
      assert.ok(seq.c.addresses.get('10.9.5.100')?.occurrences.some((o) => o.time), 'an address of the long line has its time');
      assert.ok(seq.c.addresses.get('10.0.0.3'), 'the UTF-8 long line is read');
      assert.equal(seq.c.addresses.get('10.7.7.7')?.occurrences[0]?.time, '2026-11-21T05:00:00.000Z', 'a time far into a line is read');
      assertSameCollection(await collectFile(path, { pool, threshold: 0, partBytes: 1 << 30 }), seq, `one part${bom ? ', mark' : ''}`);
      assertSameCollection(await collectFile(path, 'here'), seq, `in this thread${bom ? ', mark' : ''}`);
      assertSameCollection(await collectFile(path, { pool, threshold: 0, partBytes: 1_700_000 }), seq, `parts${bom ? ', mark' : ''}`);
    }
  });

  test('a large part keeps its occurrences in several blocks, ports, defanged ones and line times intact', async () => {
    // Every shape, so ports (access, firewall), defanged indicators (powershell), zones and epoch times all travel.
    const path = join(dir, 'triage-all.log');
    await writeFile(path, LOG_SHAPES.map((shape, k) => shape.generate(20 + k, 600_000)).join('\n'));
    const collect = async (parallel: Where) => {
      const c = new AddressCollector();
      const it = extractAddresses([{ kind: 'file', path, name: 'all.log' }], c, { lineTime: TIME, ...whereOptions(parallel) });
      let r = await it.next();
      while (!r.done) r = await it.next();
      return { c, result: r.value };
    };
    const seq = await collect('script');
    const kept = [...seq.c.addresses.values()].reduce((n, a) => n + a.occurrences.length, 0);
    assert.ok(kept > 2 * 8192, `more kept occurrences (${kept}) than two blocks hold`);
    const all = [...seq.c.addresses.values()].flatMap((a) => a.occurrences);
    assert.ok(all.some((o) => o.port !== undefined && o.port > 0), 'some occurrence has a port');
    assert.ok(all.some((o) => o.defanged), 'some occurrence is defanged');
    assert.ok(all.some((o) => o.time), 'some occurrence has a line time');
    // A part's address table starts with room for 2,048 addresses and grows twice its size when half full.
    assert.ok(seq.c.addresses.size > 4 * 2048, `more addresses (${seq.c.addresses.size}) than the table's first two sizes hold`);
    // One part for the whole file, and two.
    assertSameCollection(await collect({ pool, threshold: 0, partBytes: 1 << 30 }), seq, 'one part');
    assertSameCollection(await collect('here'), seq, 'in this thread, in WebAssembly');
    assertSameCollection(await collect({ pool, threshold: 0, partBytes: 2_200_000 }), seq, 'two parts');
  });

  test('a part whose line times overflow its pending list (grids for some addresses, cells written for others) collects the same', async () => {
    const path = join(dir, 'triage-overflow.log');
    await writeFile(path, LOG_SHAPES[0].generate(41, 1_500_000) + LOG_SHAPES[3].generate(42, 1_500_000));
    const seq = new AddressCollector({ maxTimesPerAddress: 8 });
    const it = extractAddresses([{ kind: 'file', path, name: 'o.log' }], seq, { lineTime: TIME, parallel: false, wasm: false });
    while (!(await it.next()).done);
    for (const pendingTimes of [1, 997, 20_000]) {
      const run = await parallelScan(path, { mode: 'collect', collect: { ...seq.partOptions, pendingTimes }, lineTime: TIME, pool, threshold: 0, partBytes: 1_600_000 });
      assert.ok(run, 'the file is scanned in parts');
      const c = new AddressCollector({ maxTimesPerAddress: 8 });
      for await (const part of run.collections()) {
        const merge = c.mergePart('o.log', part.collection, part.charBase, part.lineBreaksBefore);
        while (!merge.next().done);
      }
      const result = { bytes: 0, sources: [] };
      assertSameCollection({ c, result }, { c: seq, result }, `${pendingTimes} pending times`);
    }
    assert.ok([...seq.addresses.values()].some((a) => a.times.thinned), 'some grid coarsened');
  });

  test('occurrences read while a part is being merged (between its steps) do not change what the merge keeps', async () => {
    const path = join(dir, 'triage-read.log');
    await writeFile(path, LOG_SHAPES[0].generate(31, 3_000_000) + LOG_SHAPES[4].generate(32, 3_000_000));
    const seq = new AddressCollector();
    const it = extractAddresses([{ kind: 'file', path, name: 'read.log' }], seq, { lineTime: TIME, parallel: false, wasm: false });
    while (!(await it.next()).done);
    const run = await parallelScan(path, { mode: 'collect', collect: seq.partOptions, lineTime: TIME, pool, threshold: 0, partBytes: 2_500_000 });
    assert.ok(run, 'the file is scanned in parts');
    const c = new AddressCollector();
    let steps = 0;
    let read = 0;
    for await (const part of run.collections()) {
      const merge = c.mergePart('read.log', part.collection, part.charBase, part.lineBreaksBefore);
      while (!merge.next().done) {
        steps++;
        // Every third address so far is read, which makes its occurrences into objects mid-merge.
        let k = 0;
        for (const a of c.addresses.values()) if (k++ % 3 === steps % 3) read += a.occurrences.length;
      }
    }
    assert.ok(steps > 2 && read > 0, `the merges yielded (${steps} steps) and occurrences were read in between`);
    c.occurrences = seq.occurrences; // the sequential count is checked by assertSameCollection's other callers
    const result = { bytes: 0, sources: [] };
    assertSameCollection({ c, result }, { c: seq, result }, 'read between steps');
  });
});

/** Where an extraction runs: the JavaScript scanner in this thread (the reference), WebAssembly in this thread, or workers. */
type Where = 'script' | 'here' | { pool: ScanPool; threshold: number; partBytes: number };

function whereOptions(where: Where): { parallel: false | { pool: ScanPool; threshold: number; partBytes: number }; wasm?: boolean } {
  if (where === 'script') return { parallel: false, wasm: false };
  if (where === 'here') return { parallel: false };
  return { parallel: where };
}

type Collection = { c: AddressCollector; result: ExtractionResult };

/**
 * Two extractions left the same state: sources, counts, addresses in order, and each address field by field (its
 * occurrences are made on first read, a getter a spread would skip), line times as cells with their counts. `fewer`:
 * addresses a replay kept fewer occurrences of (a stored extraction keeps STORED_OCCURRENCES per file): their kept
 * occurrences are a prefix of the others'.
 */
function assertSameCollection(actual: Collection, expected: Collection, what: string, fewer: ReadonlySet<string> = new Set()): void {
  const sources = (r: ExtractionResult) => r.sources.map(({ reused: _, ...s }) => s);
  assert.deepEqual(sources(actual.result), sources(expected.result), `${what}: sources`);
  assert.equal(actual.result.bytes, expected.result.bytes, `${what}: bytes`);
  assert.equal(actual.c.occurrences, expected.c.occurrences, `${what}: occurrences`);
  assert.deepEqual([...actual.c.addresses.keys()], [...expected.c.addresses.keys()], `${what}: addresses in order`);
  for (const [ip, a] of expected.c.addresses) {
    const b = actual.c.addresses.get(ip)!;
    for (const field of ['ip', 'version', 'ipClass', 'occurrenceCount', 'files', 'defanged', 'timed'] as const) {
      assert.deepEqual(b[field], a[field], `${what}: ${ip} ${field}`);
    }
    if (fewer.has(ip)) {
      assert.deepEqual(b.occurrences, a.occurrences.slice(0, b.occurrences.length), `${what}: ${ip} occurrences`);
      assert.ok(b.occurrencesTruncated, `${what}: ${ip} truncated`);
    } else {
      assert.deepEqual(b.occurrences, a.occurrences, `${what}: ${ip} occurrences`);
      assert.equal(b.occurrencesTruncated, a.occurrencesTruncated, `${what}: ${ip} occurrencesTruncated`);
    }
    assert.deepEqual(b.times.list(), a.times.list(), `${what}: ${ip} line-time cells and counts`);
    assert.equal(b.times.seen, a.times.seen, `${what}: ${ip} times seen`);
    assert.equal(b.times.granularityMinutes, a.times.granularityMinutes, `${what}: ${ip} granularity`);
  }
}

describe('the worker path stops cleanly', () => {
  test('an abort signal ends a parallel scan, and the pool scans correctly afterwards', async () => {
    const path = join(dir, 'abort.log');
    await writeFile(path, LOG_SHAPES[0].generate(3, 400_000));
    const controller = new AbortController();
    const parallel = { pool, threshold: 0, partBytes: 20_000 };
    await assert.rejects(
      (async () => {
        for await (const _ of scanFileBatches(path, { signal: controller.signal, parallel })) controller.abort(new Error('stop here'));
      })(),
      /stop here/,
    );
    const expected = reference(decoded(await readFile(path)), TIME);
    assertSameMatches(await collect(scanFileBatches(path, { lineTime: TIME, parallel })), expected, 'after an abort');
  });

  test('a consumer that stops early does not leave the scan running', async () => {
    const path = join(dir, 'early.log');
    await writeFile(path, LOG_SHAPES[1].generate(4, 400_000));
    const parallel = { pool, threshold: 0, partBytes: 20_000 };
    for await (const batch of scanFileBatches(path, { lineTime: false, parallel })) {
      assert.ok(batch.length > 0);
      break;
    }
    assert.equal(await countFile(path, { parallel }), scanText(await readFile(path, 'utf8')).length);
  });

  test('a part that cannot be read fails the scan with the read error', async () => {
    await assert.rejects(
      pool.run({ path: join(dir, 'missing.log'), start: 0, end: 10, mode: 'records', batchBytes: 1 << 20 }, () => undefined),
      { code: 'ENOENT' },
    );
  });
});

test("a collection in this thread paces its windows by the last one's speed: small while the code is cold, 256 KiB at most", () => {
  const KiB = 1024;
  // Cold: 8 KiB took 6 ms, so the next stays small.
  assert.equal(nextWindow(8 * KiB, 8 * KiB, 6), 8 * KiB);
  // 8 KiB in 1 ms: 24 KiB would take 3 ms, but a window at most doubles.
  assert.equal(nextWindow(8 * KiB, 8 * KiB, 1), 16 * KiB);
  // 64 KiB in 1.5 ms: 128 KiB takes about 3 ms.
  assert.equal(nextWindow(64 * KiB, 64 * KiB, 1.5), 128 * KiB);
  // Warm and fast: never more than 256 KiB.
  assert.equal(nextWindow(256 * KiB, 256 * KiB, 0.5), 256 * KiB);
  // A slow window (a collection, a slow disk) shrinks the next, down to 8 KiB.
  assert.equal(nextWindow(256 * KiB, 256 * KiB, 12), 64 * KiB);
  assert.equal(nextWindow(256 * KiB, 256 * KiB, 500), 8 * KiB);
  // Nothing read (the end): the window stays.
  assert.equal(nextWindow(32 * KiB, 0, 0), 32 * KiB);
});
