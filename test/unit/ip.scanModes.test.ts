// The scanner's ways of handing out matches (new objects, recycled objects, recycled objects with keys, a count)
// find the same matches and resume at the same place, on random text and on every sample; keys are equal exactly when
// values are, and make the value back; and a recycled scan leaves readMatchAt alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { KEY_INTS, MatchBuffer, countRange, keyValue, readMatchAt, scanRange, scanRangeInto } from '../../src/core/ip/scanner';
import type { IpMatch } from '../../src/core/ip/ipMatch';

/** A match as a plain object with only the fields it has (recycled objects carry every field, some undefined). */
function plain(m: IpMatch): IpMatch {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as unknown as IpMatch;
}

function compare(text: string, from: number, to: number, delta: number): void {
  const out: IpMatch[] = [];
  const resume = scanRange(text, from, to, out, delta, true);
  const buffer = new MatchBuffer();
  // A buffer that held matches before: stale objects must not leak into the next scan.
  scanRangeInto('1.2.3.4 [fe80::1%eth0]:22 10.0.0.0/8', 0, 40, buffer);
  const resumeInto = scanRangeInto(text, from, to, buffer, delta, true);
  const tally = { count: 7 };
  const resumeCount = countRange(text, from, to, tally);
  assert.equal(resumeInto, resume);
  assert.equal(resumeCount, resume);
  assert.equal(tally.count, 7 + out.length);
  assert.deepStrictEqual(buffer.items.slice(0, buffer.count).map(plain), out);
  // Keyed: the same matches without values, each key making its value back; one key per value, as the version is in it.
  const keyed = new MatchBuffer(true);
  scanRangeInto('1.2.3.4 [fe80::1%eth0]:22 10.0.0.0/8', 0, 40, keyed);
  assert.equal(scanRangeInto(text, from, to, keyed, delta, true), resume);
  assert.deepStrictEqual(keyed.items.slice(0, keyed.count).map(plain), out.map((m) => ({ ...m, value: '' })));
  for (let k = 0; k < out.length; k++) {
    assert.equal(keyValue(keyed.keys, k * KEY_INTS), out[k].value);
    assert.equal(keyed.keys[k * KEY_INTS + 4], out[k].version);
  }
  const byKey = new Map<string, string>();
  for (let k = 0; k < out.length; k++) {
    const words = keyed.keys.slice(k * KEY_INTS, (k + 1) * KEY_INTS).join(',');
    assert.equal(byKey.get(words) ?? out[k].value, out[k].value, `key ${words} is one value`);
    byKey.set(words, out[k].value);
  }
  assert.equal(byKey.size, new Set(out.map((m) => m.value)).size, 'one key per value');
}

const unit = fc.constantFrom(
  '1', '0', '9', '25', '255', '.', ':', '::', 'a', 'f', 'F', 'x', ' ', '[.]', '(.)', '[:]', '%eth0', '/24', ':443', ']', '[', '\n', 'é',
  '198.51.100.23', '2001:db8::1', '::ffff:192.0.2.1', 'fe80::1%en0', '10.0.0.1:8080', '[2001:db8::5]:443', '1.2.3.4.5', '12:34:56',
  // Addresses whose keys differ only in the version or in the high bits: 0.0.0.0 and ::, ::1.2.3.4 and 1.2.3.4.
  '0.0.0.0', ' :: ', '::1.2.3.4', '1.2.3.4', '255.255.255.255', 'ffff:ffff::', 'FFFF::1',
);

test('new, recycled and counted matches agree on random text and random ranges', () => {
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 80 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 1000 }), (units, a, b, delta) => {
      const text = units.join('');
      const from = text.length === 0 ? 0 : a % (text.length + 1);
      const to = from + (text.length === 0 ? 0 : b % (text.length - from + 1));
      compare(text, from, to, delta);
      compare(text, 0, text.length, 0);
    }),
    { numRuns: 500 },
  );
});

test('new, recycled and counted matches agree on every sample', () => {
  const dir = join(__dirname, '..', '..', 'samples');
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    compare(text, 0, text.length, 0);
    compare(text, text.length >> 2, text.length >> 1, 5);
  }
});

test('after a recycled or counted scan, readMatchAt still builds a new match with its value', () => {
  scanRangeInto('10.0.0.1 ', 0, 9, new MatchBuffer());
  const a = readMatchAt('198.51.100[.]23:443', 0, true);
  countRange('10.0.0.1 ', 0, 9, { count: 0 });
  const b = readMatchAt('2001:DB8::1', 0, true);
  assert.deepEqual(a && plain(a), { value: '198.51.100.23', version: 4, start: 0, end: 15, defanged: true, leadingZeros: false, ipClass: 'documentation', port: 443 });
  assert.equal(b?.value, '2001:db8::1');
});
