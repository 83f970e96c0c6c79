import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile, scanStream, scanFileBatches, type FileMatch } from '../../src/core/ip/scanFile';
import { scanText } from '../../src/core/ip/scanner';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipinv-scanfile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** An async source of chunks, like a stream: each chunk arrives on a later tick. */
async function* chunksOf(data: Uint8Array | string, size: number): AsyncGenerator<Uint8Array | string> {
  for (let k = 0; k < data.length; k += size) {
    await Promise.resolve();
    yield data.slice(k, k + size);
  }
}

/** Line and column computed the slow, obvious way, for comparison. */
function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset; k++) {
    const c = text[k];
    if (c === '\n' || (c === '\r' && text[k + 1] !== '\n')) {
      line++;
      start = k + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

describe('scanFile', () => {
  test('line, column, offsets and the line timestamp', async () => {
    const text = [
      'Nov 21 03:14:07 bastion sshd[811]: Failed password for root from 198.51.100.23 port 50122 ssh2',
      'no address here',
      '{"ts": 1795500000, "src": "10.248.240.38", "dst": "[2001:db8::5]:443"}',
      'C2 198.51.100[.]23:8443 without time',
    ].join('\n');
    const path = join(dir, 'a.log');
    await writeFile(path, text);
    const ms = await collect(scanFile(path, { lineTime: { now: new Date('2026-11-25T12:00:00Z') } }));
    assert.deepEqual(
      ms.map((m) => [m.value, m.line, m.column, m.time?.toISOString()]),
      [
        ['198.51.100.23', 1, 66, '2026-11-21T03:14:07.000Z'],
        ['10.248.240.38', 3, 28, '2026-11-24T06:00:00.000Z'],
        ['2001:db8::5', 3, 53, '2026-11-24T06:00:00.000Z'],
        ['198.51.100.23', 4, 4, undefined],
      ],
    );
    for (const m of ms) {
      assert.equal(text.slice(m.start, m.start + 3), (m.defanged ? '198' : m.value.slice(0, 3)));
      assert.deepEqual({ line: m.line, column: m.column }, lineCol(text, m.start));
    }
    assert.equal(ms[2].port, 443);
    assert.equal(ms[3].defanged, true);
    assert.equal(ms[3].port, 8443);
  });

  test('CRLF, lone CR and UTF-16 offsets beyond the BMP', async () => {
    const text = 'a 10.0.0.1\r\nb 10.0.0.2\rc 😀 10.0.0.3\n\n  10.0.0.4';
    const path = join(dir, 'b.log');
    await writeFile(path, text);
    const ms = await collect(scanFile(path, { lineTime: false }));
    assert.deepEqual(
      ms.map((m) => [m.value, m.line, m.column, m.start]),
      [
        ['10.0.0.1', 1, 3, 2],
        ['10.0.0.2', 2, 3, 14],
        ['10.0.0.3', 3, 6, text.indexOf('10.0.0.3')],
        ['10.0.0.4', 5, 3, text.indexOf('10.0.0.4')],
      ],
    );
  });

  test('UTF-16 LE with a byte order mark (PowerShell 5 default) and a UTF-8 mark', async () => {
    const text = 'Get-NetTCPConnection -RemoteAddress 198.51.100.23\r\n$ip = "10.248.240.38"';
    const le = join(dir, 'utf16.ps1');
    await writeFile(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const u8 = join(dir, 'bom8.ps1');
    await writeFile(u8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    for (const path of [le, u8]) {
      const ms = await collect(scanFile(path, { lineTime: false, chunkBytes: 7 }));
      assert.deepEqual(
        ms.map((m) => [m.value, m.line, m.start]),
        [
          ['198.51.100.23', 1, text.indexOf('198')],
          ['10.248.240.38', 2, text.indexOf('10.248')],
        ],
        path,
      );
    }
  });

  test('every chunk size gives the same matches as scanning the whole text', async () => {
    const text = [
      'Nov 21 03:14:07 fw01 kernel: SRC=185.220.101.4 DST=10.248.240.38 MAC=00:1a:2b:3c:4d:5e:00:1a:2b:3c:4d:5f:08:00',
      '2026-11-21T03:14:07Z [fe80::1%eth0]:22 hxxp://198[.]51[.]100[.]23/ ::ffff:192.0.2.1 v1.2.3.4',
      '\r\n10.0.0.0/8 2001:db8::/32 é 1.2.3.4.5 192.168.001.010',
    ].join('\n');
    const expected = scanText(text).map((m) => ({ ...m, ...lineCol(text, m.start) }));
    const bytes = Buffer.from(text, 'utf8');
    for (let size = 1; size <= bytes.length + 1; size += size < 40 ? 1 : 17) {
      const ms = await collect(scanStream(chunksOf(bytes, size), { lineTime: false }));
      assert.deepEqual(ms, expected, `chunk size ${size}`);
    }
    // Text chunks too.
    const ms = await collect(scanStream(chunksOf(text, 5), { lineTime: false }));
    assert.deepEqual(ms, expected);
  });

  test('a line longer than the head limit still gets its time from its start', async () => {
    const line = `2026-11-21T03:14:07Z ${'x '.repeat(50_000)}10.0.0.9 ${'y '.repeat(30_000)}10.0.0.10`;
    const ms = await collect(scanStream(chunksOf(line, 4096)));
    assert.deepEqual(
      ms.map((m) => [m.value, m.time?.toISOString()]),
      [
        ['10.0.0.9', '2026-11-21T03:14:07.000Z'],
        ['10.0.0.10', '2026-11-21T03:14:07.000Z'],
      ],
    );
  });

  test('a timestamp after the address on the same line is found', async () => {
    const ms = await collect(scanStream(chunksOf('{"src":"10.0.0.1","ts":1795500000}\n', 3)));
    assert.equal(ms[0].time?.toISOString(), '2026-11-24T06:00:00.000Z');
  });

  test('a large file streams in batches without holding all matches', async () => {
    const line = 'Nov 21 03:14:07 host sshd[1]: from 198.51.100.23 port 22\n';
    const path = join(dir, 'big.log');
    await writeFile(path, line.repeat(40_000));
    let batches = 0;
    let total = 0;
    let last: FileMatch | undefined;
    for await (const batch of scanFileBatches(path, { chunkBytes: 64 * 1024 })) {
      batches++;
      total += batch.length;
      last = batch[batch.length - 1];
    }
    assert.equal(total, 40_000);
    assert.ok(batches > 10, `batches ${batches}`);
    assert.equal(last?.line, 40_000);
  });

  test('errors: missing file and directory reject on iteration', async () => {
    await assert.rejects(collect(scanFile(join(dir, 'missing.log'))), { code: 'ENOENT' });
    await mkdir(join(dir, 'sub'));
    await assert.rejects(collect(scanFile(join(dir, 'sub'))), { code: 'EISDIR' });
  });

  test('a bad assumeZone is rejected before reading', async () => {
    await assert.rejects(collect(scanStream(chunksOf('x', 1), { lineTime: { assumeZone: 'Mars/Olympus' } })), RangeError);
  });

  test('an abort signal stops the scan', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(collect(scanStream(chunksOf('10.0.0.1 '.repeat(10), 4), { signal: controller.signal })), /stop/);
  });
});
