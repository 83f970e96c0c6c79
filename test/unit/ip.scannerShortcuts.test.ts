import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scanRange, scanRangeByChar } from '../../src/core/ip/scanner';
import type { IpMatch } from '../../src/core/ip/ipMatch';

// The anchor-driven scan reads octets while it looks for a candidate's start, rejects dotted numbers from
// their second octet, reads colon runs once, and skips runs that cannot hold an address. These tests aim
// candidates at those shortcuts and hold the result to the position-by-position reference.

const octet = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.constantFrom('0', '00', '000', '010', '255', '256', '999', '1000', '01', '7'),
);
const dotSep = fc.constantFrom('.', '.', '.', '[.]', '(.)', '{.}', '[', '(', '{', '[.', '..', '');
const dotted = fc
  .array(fc.tuple(octet, dotSep), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.map(([o, s]) => o + s).join(''));

const group = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)),
  fc.constantFrom('0', '00', '0000', 'ffff', 'FFFF', 'fe80', '12', '59', 'abcde', '2001', 'db8'),
);
const colonSep = fc.constantFrom(':', ':', ':', '::', '[:]', ':[:]', ':::', '');
const colons = fc
  .array(fc.tuple(group, colonSep), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.map(([g, s]) => g + s).join(''));

const around = fc.constantFrom('', ' ', 'v', '_', 'x', '.', ':', '[', ']', '(', ')', '/', '=', '"', '%eth0', ':443', '/24', '/24/', '://', '\n', '1', 'a');
const text = fc
  .array(fc.oneof(dotted, colons, around, fc.tuple(dotted, colons).map(([d, c]) => `${c}:${d}`)), { maxLength: 8 })
  .map((parts) => parts.join(''));

function fast(t: string, detach = false): IpMatch[] {
  const out: IpMatch[] = [];
  scanRange(t, 0, t.length, out, 0, detach);
  return out;
}

function slow(t: string): IpMatch[] {
  const out: IpMatch[] = [];
  scanRangeByChar(t, 0, t.length, out);
  return out;
}

describe('scanner shortcuts', () => {
  test('dotted numbers, colon runs and their mixtures: the same matches as trying every position', () => {
    fc.assert(
      fc.property(text, (t) => {
        assert.deepEqual(fast(t), slow(t), JSON.stringify(t));
      }),
      { numRuns: 3000 },
    );
  });

  test('detached values equal the direct ones, field for field and in the same order', () => {
    fc.assert(
      fc.property(text, (t) => {
        const direct = fast(t);
        const detached = fast(t, true);
        assert.deepEqual(detached, direct);
        assert.deepEqual(
          detached.map((m) => Object.keys(m)),
          direct.map((m) => Object.keys(m)),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('scanning in ranges gives the matches of one whole scan', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (t, step) => {
        const got: IpMatch[] = [];
        let pos = 0;
        while (pos < t.length) pos = scanRange(t, pos, Math.min(t.length, pos + step), got);
        assert.deepEqual(got, fast(t), JSON.stringify(t));
      }),
      { numRuns: 1000 },
    );
  });

  test('log fragments the shortcuts were made for', () => {
    for (const t of [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.6778.69 Safari/537.36',
      '"GET /api/v1.2/items HTTP/1.1" 200',
      'agent v3.8.7.122 libssl.so.1.2.6.0 python3.11.5.9 fw_1.2.3.6 oid 1.3.6.1.4.1.311.29.0',
      'serial 192.168.0.2087146994 build 15.0.19045.1871 [30970.546833]',
      'MAC=00:1a:2b:3c:4d:5e:00:1a:2b:3c:4d:5f:08:00 SRC=10.0.0.1 md5 43:51:43:a1:b5:fc:8b:b7:0a:3a:a9:b1:0f:66:73:38',
      'at 12:34:56, [03/Nov/2026:02:43:52 +0000] std::vector Foo::Bar',
      '45.33.32[.]156 hxxp://185[.]220[.]101[.]4/ 1(.)2{.}3[.]4 010.001.000.255:0443 10.0.0.0/8 192.0.2.1/24/x',
      '[2001:db8::1]:443 2001[:]db8[:][:]7 fe80::1%eth0 ::ffff:192.0.2.1 1:2:3:4:5:6:7:8 2001:db8::/32',
      '1.2.3.4.5 1.2.3.4abc v10.2.3.4 1.2.3.4: 1.2.3.4:65536 [1.2.3.4]:80',
    ]) {
      assert.deepEqual(fast(t), slow(t), t);
    }
  });
});
