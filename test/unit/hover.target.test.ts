import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchAt } from '../../src/core/ip/scanner';
import { HOVER_WINDOW, findHoverTarget, scanWindow, timeSearchText } from '../../src/features/hover/hoverTarget';

const line = '2026-11-20T10:03:12Z fw1 ALLOW tcp 10.248.240.38:51522 -> 198.51.100.23:443 hxxp://203[.]0[.]113[.]80/x';

test('the address under the cursor is found, from its first character to just after its last', () => {
  const start = line.indexOf('198.51');
  for (const c of [start, start + 5, start + '198.51.100.23'.length]) {
    const t = findHoverTarget(line, c, matchAt);
    assert.ok(t, `at ${c}`);
    assert.equal(t.match.value, '198.51.100.23');
    assert.equal(t.start, start);
    assert.equal(t.text, '198.51.100.23');
    assert.equal(t.match.port, 443);
  }
});

test('defanged text is refanged and its original text kept', () => {
  const t = findHoverTarget(line, line.indexOf('[.]0') + 1, matchAt);
  assert.ok(t);
  assert.equal(t.match.value, '203.0.113.80');
  assert.equal(t.match.defanged, true);
  assert.equal(t.text, '203[.]0[.]113[.]80');
});

test('no address under the cursor gives nothing', () => {
  assert.equal(findHoverTarget(line, line.indexOf('ALLOW') + 1, matchAt), undefined);
  assert.equal(findHoverTarget(line, line.indexOf('fw1') + 1, matchAt), undefined);
  assert.equal(findHoverTarget('no digits here at all', 3, matchAt), undefined);
  assert.equal(findHoverTarget(line, line.length + 5, matchAt), undefined);
});

test('very long lines are scanned only in a window around the cursor', () => {
  const filler = 'x'.repeat(50_000);
  const long = `${filler} 2001:db8::1 ${filler}`;
  const at = long.indexOf('2001:db8::1') + 3;
  let scanned = 0;
  const counting = (text: string, offset: number) => {
    scanned = text.length;
    return matchAt(text, offset);
  };
  const t = findHoverTarget(long, at, counting);
  assert.ok(t);
  assert.equal(t.match.value, '2001:db8::1');
  assert.equal(t.start, long.indexOf('2001:db8::1'));
  assert.equal(scanned, HOVER_WINDOW);
  assert.deepEqual(scanWindow(100, 50), { start: 0, end: 100 });
  assert.deepEqual(scanWindow(10_000, 9_990), { start: 8_000, end: 10_000 });
  assert.equal(timeSearchText(long).length, 512);
  assert.equal(timeSearchText(line), line);
});
