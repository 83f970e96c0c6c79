// The WebAssembly count (dist/scan.wasm) against the JavaScript scanner: the same number of addresses on random
// address-like text (ASCII and UTF-8), in any chunks, on every sample and on every benchmark log shape; and the
// file paths that use it (countFile in this thread and in parts, countStream) give the scanner's count. Its records
// (WasmRecordScan, for triage parts) hold what the keyed scanner reads of every address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { KEY_INTS, MatchBuffer, countRange, scanRangeInto } from '../../src/core/ip/scanner';
import { RECORD_INTS, WasmCounter, WasmRecordScan, wasmCountAvailable, wasmCountFd, wasmCountFile } from '../../src/core/ip/wasmCount';
import { DEFANGED_BIT } from '../../src/core/triage/partCollector';
import { countFile, countStream } from '../../src/core/ip/scanFile';
import { scanPart } from '../../src/core/ip/scanPart';
import { LOG_SHAPES } from '../../bench/logShapes';

function jsCount(text: string): number {
  const tally = { count: 0 };
  countRange(text, 0, text.length, tally);
  return tally.count;
}

/** The WebAssembly count of `bytes` pushed in chunks of the given sizes (cycled). */
function wasmCount(bytes: Uint8Array, sizes: number[] = [bytes.length || 1]): number {
  const counter = WasmCounter.create();
  assert.ok(counter, 'no WebAssembly counter');
  let k = 0;
  for (let at = 0; at < bytes.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]);
    counter.push(bytes.subarray(at, at + n));
    at += n;
  }
  return counter.end();
}

test('dist/scan.wasm is built and loads (npm run build:wasm)', () => {
  assert.equal(wasmCountAvailable(), true);
});

const unit = fc.constantFrom(
  '1', '0', '9', '25', '255', '256', '.', ':', '::', 'a', 'f', 'F', 'x', '_', '-', ' ', '[.]', '(.)', '{.}', '[:]', '%eth0', '%', '/24', '/',
  ':443', ']', '[', ')', '}', '\n', '\t', 'é', '中', '😀', '\u0000', '198.51.100.23', '2001:db8::1', '::ffff:192.0.2.1', 'fe80::1%en0',
  '10.0.0.1:8080', '[2001:db8::5]:443', '1.2.3.4.5', '12:34:56', 'aa:bb:cc:dd:ee:ff', '1:2:3:4:5:6:7:8', '1[.]2[.]3[.]4', 'http://',
);

test('the WebAssembly count equals the scanner on random text, in random chunks', () => {
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 120 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 }), (units, sizes) => {
      const text = units.join('');
      const bytes = Buffer.from(text, 'utf8');
      const want = jsCount(text);
      assert.equal(wasmCount(bytes), want);
      assert.equal(wasmCount(bytes, sizes), want);
    }),
    { numRuns: 3000 },
  );
});

test('the WebAssembly count equals the scanner across window edges (text longer than the look-ahead)', () => {
  fc.assert(
    fc.property(fc.array(unit, { minLength: 200, maxLength: 600 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }), (units, sizes) => {
      const text = units.join('');
      assert.equal(wasmCount(Buffer.from(text, 'utf8'), sizes), jsCount(text));
    }),
    { numRuns: 300 },
  );
});

test('the WebAssembly count equals the scanner on every sample', () => {
  const dir = join(__dirname, '..', '..', 'samples');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  assert.ok(files.length >= 5);
  for (const f of files) {
    const bytes = readFileSync(join(f.parentPath, f.name));
    const text = new TextDecoder().decode(bytes);
    assert.equal(wasmCount(bytes), jsCount(text), f.name);
    assert.equal(wasmCount(bytes, [1, 7, 513]), jsCount(text), `${f.name} in small chunks`);
  }
});

test('the WebAssembly count equals the scanner on every benchmark log shape', () => {
  for (const [k, shape] of LOG_SHAPES.entries()) {
    const text = shape.generate(7 + k, 3 << 20);
    const bytes = Buffer.from(text, 'utf8');
    const want = jsCount(text);
    assert.ok(want > 1000, shape.name);
    assert.equal(wasmCount(bytes), want, shape.name);
    assert.equal(wasmCount(bytes, [65536, 1 << 20, 4099]), want, `${shape.name} in uneven chunks`);
  }
});

test('countFile, its parts and countStream count with the module as the scanner does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipinv-wasm-'));
  try {
    const text = LOG_SHAPES.map((s, k) => s.generate(11 + k, 300_000)).join('\n') + '\nend 203.0.113.9 é 2001:db8::7%eth0';
    const want = jsCount(text);
    const path = join(dir, 'mixed.log');
    writeFileSync(path, text);
    assert.equal(await countFile(path, { parallel: false }), want);
    // One byte per read: the mark check and the windows see the smallest chunks there are.
    const small = join(dir, 'small.log');
    writeFileSync(small, text.slice(0, 3000));
    assert.equal(await countFile(small, { parallel: false, chunkBytes: 1 }), jsCount(text.slice(0, 3000)));
    assert.equal(await countFile(path, { parallel: false, chunkBytes: 4099 }), want);
    // Mixed chunk types, as a stream hands them over.
    const pieces = Readable.from([Buffer.from(text.slice(0, 1), 'utf8'), text.slice(1, 5000), Buffer.from(text.slice(5000), 'utf8')], { objectMode: true });
    assert.equal(await countStream(pieces), want);
    // A part of the file, as a worker counts it: the cut after a line end, both halves adding up.
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(10, bytes.length >> 1) + 1;
    const a = scanPart({ path, start: 0, end: cut, mode: 'count', batchBytes: 1 << 20 }, () => undefined).count;
    const b = scanPart({ path, start: cut, end: bytes.length, mode: 'count', batchBytes: 1 << 20 }, () => undefined).count;
    assert.equal(a + b, want);
    const fd = openSync(path, 'r');
    try {
      assert.equal(wasmCountFd(fd, 0, bytes.length), want);
      // The whole file read synchronously (ipinv scan --count in one thread), over several reads.
      assert.ok(bytes.length > 2 * (1 << 20));
      assert.equal(wasmCountFile(path), want);
    } finally {
      closeSync(fd);
    }
    // UTF-16 is no UTF-8: counted by the scanner after decoding.
    const utf16 = join(dir, 'utf16.log');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a 198.51.100.1 b fe80::1%2\n', 'utf16le')]));
    assert.equal(await countFile(utf16, { parallel: false }), 2);
    // The synchronous whole-file count leaves UTF-16 and what is not a regular file to countFile.
    assert.equal(wasmCountFile(utf16), undefined);
    assert.equal(wasmCountFile(dir), undefined);
    assert.equal(wasmCountFile(small), jsCount(text.slice(0, 3000)));
    writeFileSync(join(dir, 'one.log'), '1');
    assert.equal(wasmCountFile(join(dir, 'one.log')), 0);
    assert.throws(() => wasmCountFile(join(dir, 'missing.log')), { code: 'ENOENT' });
    // Nothing is left busy by the refusals and the error: the next counter is the module's.
    assert.equal(wasmCountFile(small), jsCount(text.slice(0, 3000)));
    assert.equal(await countFile(join(dir, 'empty.log'), { parallel: false }).catch((e: NodeJS.ErrnoException) => e.code), 'ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a counter in use makes the next one wait its turn: JavaScript counts meanwhile, and the buffer is not shared', () => {
  const first = WasmCounter.create();
  assert.ok(first);
  first.push(Buffer.from('198.51.100.1 and '));
  assert.equal(WasmCounter.create(), undefined);
  first.push(Buffer.from('2001:db8::1'));
  assert.equal(first.end(), 2);
  const again = WasmCounter.create();
  assert.ok(again);
  again.release();
});

/** A keyed JavaScript scan of `text` as records: key words, version, start, end, port + 1, defanged. */
function jsRecords(text: string): number[][] {
  const buffer = new MatchBuffer(true);
  scanRangeInto(text, 0, text.length, buffer, 0, true);
  const out: number[][] = [];
  for (let k = 0; k < buffer.count; k++) {
    const m = buffer.items[k];
    const key = [...buffer.keys.subarray(k * KEY_INTS, (k + 1) * KEY_INTS)];
    out.push([...key, m.start, m.end, (m.port ?? -1) + 1, m.defanged ? 1 : 0]);
  }
  return out;
}

/** The module's records of `text` (ASCII, whole lines) in the same form. */
function wasmRecords(text: string): number[][] {
  const scan = WasmRecordScan.create();
  assert.ok(scan, 'no WebAssembly record scan');
  try {
    const length = scan.bytes.write(text, 'latin1');
    assert.equal(length, text.length);
    const n = scan.scan(length);
    const out: number[][] = [];
    for (let r = 0; r < n; r++) {
      const rec = [...scan.records.subarray(r * RECORD_INTS, (r + 1) * RECORD_INTS)];
      const bits = rec[7];
      out.push([...rec.slice(0, 7), bits & (DEFANGED_BIT - 1), bits & DEFANGED_BIT ? 1 : 0]);
    }
    return out;
  } finally {
    scan.release();
  }
}

const asciiUnit = fc.constantFrom(
  '1', '0', '9', '25', '255', '256', '.', ':', '::', 'a', 'f', 'F', 'x', '_', '-', ' ', '[.]', '(.)', '{.}', '[:]', '%eth0', '%', '/24', '/',
  ':443', ':65536', ':8080a', ']', '[', ')', '}', '\n', '\r', '\t', '\u0000', '198.51.100.23', '2001:db8::1', '::ffff:192.0.2.1', 'fe80::1%en0',
  '10.0.0.1:8080', '[2001:db8::5]:443', '[10.0.0.1]:22', '1.2.3.4.5', '12:34:56', 'aa:bb:cc:dd:ee:ff', '1:2:3:4:5:6:7:8', '1[.]2[.]3[.]4',
  '2001[:]db8[:][:]1', '::', '1::', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4', 'ABCD:EF01::', '0000:0000::0001', 'http://',
);

test('the module reads every address as the keyed scanner does: key, offsets, port and defanging (random text)', () => {
  fc.assert(
    fc.property(fc.array(asciiUnit, { maxLength: 150 }), (units) => {
      const text = units.join('');
      assert.deepEqual(wasmRecords(text), jsRecords(text));
    }),
    { numRuns: 3000 },
  );
});

test('the module reads every address of every sample line and log shape as the keyed scanner does', () => {
  for (const [k, shape] of LOG_SHAPES.entries()) {
    const text = shape.generate(40 + k, 900_000);
    const want = jsRecords(text);
    assert.ok(want.length > 1000, shape.name);
    assert.deepEqual(wasmRecords(text), want, shape.name);
  }
  const dir = join(__dirname, '..', '..', 'samples');
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
    // ASCII lines only: the module's offsets are bytes, which are UTF-16 units only there.
    const text = readFileSync(join(f.parentPath, f.name), 'utf8').split('\n').filter((l) => [...l].every((c) => c.charCodeAt(0) < 128)).join('\n').slice(0, 900_000);
    assert.deepEqual(wasmRecords(text), jsRecords(text), f.name);
  }
});
