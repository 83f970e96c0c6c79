// The pure parts behind decorating a large document: locating it a slice at a time gives what one rescan gives, the
// visible range alone gives the part of it that starts there, and line/character positions are a text document's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineIndex, SlicedLocator, locateAddresses, locateInRange, type OffsetRange } from '../../src/features/triage/decorationRanges';
import { scanText } from '../../src/core/ip/scanner';
import { LOG_SHAPES } from '../../bench/logShapes';

const TEXT = LOG_SHAPES[2].generate(5, 120_000) + LOG_SHAPES[5].generate(6, 120_000);

/** Every `every`-th address of the text as a triage entry whose offsets no longer hold (the document was edited). */
function staleEntries(text: string, every: number): { ip: string; occurrences: { file: string; line: number; column: number; start: number; end: number }[]; occurrencesTruncated: boolean; files: string[] }[] {
  const values = new Set<string>();
  scanText(text).forEach((m, k) => {
    if (k % every === 0) values.add(m.value);
  });
  return [...values].map((ip) => ({ ip, occurrences: [{ file: 'doc', line: 1, column: 1, start: -1, end: -1 }], occurrencesTruncated: false, files: ['doc'] }));
}

test('a document located a slice at a time: the same ranges as one rescan', () => {
  const entries = staleEntries(TEXT, 3);
  const expected = locateAddresses(entries, new Set(['doc']), TEXT);
  assert.equal(expected.rescanned, true);
  assert.ok(expected.byIp.size > 20);
  const known = new Set(entries.map((e) => e.ip));
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 70_000 }), (slice) => {
      const locator = new SlicedLocator(known, TEXT, 0, TEXT.length);
      let turns = 0;
      while (!locator.step(slice)) turns++;
      if (slice * 2 < TEXT.length) assert.ok(turns > 0, "located in more than one turn");
      assert.deepEqual(locator.byIp, expected.byIp);
    }),
    { numRuns: 30 },
  );
});

test('the visible range alone: exactly the ranges of the whole document that start in it', () => {
  const entries = staleEntries(TEXT, 2);
  const known = new Set(entries.map((e) => e.ip));
  const whole = locateAddresses(entries, new Set(['doc']), TEXT).byIp;
  fc.assert(
    fc.property(fc.nat(TEXT.length), fc.nat(20_000), (from, length) => {
      const to = Math.min(TEXT.length, from + length);
      const expected = new Map<string, OffsetRange[]>();
      for (const [ip, ranges] of whole) {
        const inside = ranges.filter((r) => r.start >= from && r.start < to);
        if (inside.length > 0) expected.set(ip, inside);
      }
      assert.deepEqual(locateInRange(known, TEXT, from, to), expected);
    }),
    { numRuns: 100 },
  );
});

test('line and character of an offset, as a text document counts them (\\r\\n, \\n and a lone \\r end lines)', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'bc', '\n', '\r\n', '\r', 'é', '😀', '1.2.3.4'), { maxLength: 60 }), (parts) => {
      const text = parts.join('');
      const index = new LineIndex(text);
      let line = 0;
      let character = 0;
      for (let o = 0; o <= text.length; o++) {
        if (o === text.length || text[o] !== '\n' || text[o - 1] !== '\r') assert.deepEqual(index.positionAt(o), { line, character }, `offset ${o}`);
        assert.equal(index.offsetAt(line, character), o, `line ${line}, character ${character}`);
        const c = text[o];
        if (c === '\n' || (c === '\r' && text[o + 1] !== '\n')) {
          line++;
          character = 0;
        } else if (c === '\r') {
          o++; // the \n of a CRLF ends the line with it
          line++;
          character = 0;
        } else character++;
      }
      assert.equal(index.lineCount, line + 1);
    }),
    { numRuns: 300 },
  );
});
