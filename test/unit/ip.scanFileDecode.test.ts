import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scanStream } from '../../src/core/ip/scanFile';
import { scanText } from '../../src/core/ip/scanner';

// scanStream copies ASCII chunks straight to text and hands the rest of the stream to a TextDecoder at the
// first other byte. The text must be what one decoder makes of all the bytes, however they are chunked.

const enc = new TextEncoder();

/** The contract: UTF-16 when the bytes start with its mark, else UTF-8; a leading mark is dropped. */
function referenceText(bytes: Uint8Array): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  return new TextDecoder(encoding).decode(bytes);
}

async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let k = 0;
  for (let i = 0; k < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    await Promise.resolve();
    yield bytes.slice(k, k + n);
    k += n;
  }
}

async function scanned(bytes: Uint8Array, sizes: number[]): Promise<[number, number, string][]> {
  const out: [number, number, string][] = [];
  for await (const m of scanStream(chunked(bytes, sizes), { lineTime: false })) out.push([m.start, m.end, m.value]);
  return out;
}

const piece = fc.constantFrom(
  enc.encode('from 10.0.0.1 port 22\n'),
  enc.encode(' 2001:db8::1 '),
  enc.encode('x'),
  enc.encode('\r\n'),
  new Uint8Array([0xef, 0xbb, 0xbf]), // UTF-8 mark
  new Uint8Array([0xff, 0xfe]), // UTF-16 LE mark
  new Uint8Array([0xfe, 0xff]), // UTF-16 BE mark
  new Uint8Array([0xc3, 0xa9]), // é
  new Uint8Array([0xf0, 0x9f, 0x98, 0x80]), // a character beyond the BMP
  new Uint8Array([0xc3]), // a cut sequence
  new Uint8Array([0x80]), // a stray continuation byte
  new Uint8Array([0]),
  new Uint8Array([0x31, 0x00, 0x2e, 0x00]), // '1.' in UTF-16 LE
);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

describe('scanStream decoding', () => {
  test('any bytes, any chunking: the matches of the text one decoder makes of all the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 16 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
        async (parts, sizes) => {
          const bytes = concat(parts);
          const expected = scanText(referenceText(bytes)).map((m): [number, number, string] => [m.start, m.end, m.value]);
          assert.deepEqual(await scanned(bytes, sizes), expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('a UTF-8 mark after ASCII text is a character, not a mark', async () => {
    const bytes = concat([enc.encode('a 10.0.0.1 '), new Uint8Array([0xef, 0xbb, 0xbf]), enc.encode(' 10.0.0.2')]);
    for (const size of [1, 3, 11, 64]) {
      assert.deepEqual(await scanned(bytes, [size]), [
        [2, 10, '10.0.0.1'],
        [13, 21, '10.0.0.2'],
      ]);
    }
  });

  test('a UTF-16 mark after ASCII text does not switch the encoding', async () => {
    const bytes = concat([enc.encode('10.0.0.1 '), new Uint8Array([0xff, 0xfe]), enc.encode(' 10.0.0.2')]);
    // Two bytes that are not UTF-8: two replacement characters.
    assert.deepEqual(await scanned(bytes, [4]), [
      [0, 8, '10.0.0.1'],
      [12, 20, '10.0.0.2'],
    ]);
  });
});
