import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { computeWindow, maxScrollTop, scrollToReveal } from '../../webview/viewModel/virtualWindow';

test('only the visible rows plus the overscan are rendered', () => {
  const w = computeWindow({ scrollTop: 0, viewportHeight: 240, rowHeight: 24, total: 10_000, overscan: 5 });
  assert.deepEqual(w, { first: 0, end: 15, offset: 0, totalHeight: 240_000 });
  const mid = computeWindow({ scrollTop: 24_000, viewportHeight: 240, rowHeight: 24, total: 10_000, overscan: 5 });
  assert.equal(mid.first, 995);
  assert.equal(mid.end, 1015);
  assert.equal(mid.offset, 995 * 24);
});

test('a partially visible row counts as visible', () => {
  const w = computeWindow({ scrollTop: 12, viewportHeight: 240, rowHeight: 24, total: 100, overscan: 0 });
  assert.equal(w.first, 0);
  assert.equal(w.end, 11);
});

test('the scroll position is clamped at both ends', () => {
  const end = computeWindow({ scrollTop: 1e9, viewportHeight: 240, rowHeight: 24, total: 100, overscan: 2 });
  assert.equal(end.end, 100);
  assert.equal(end.first, 100 - 10 - 2);
  const neg = computeWindow({ scrollTop: -50, viewportHeight: 240, rowHeight: 24, total: 100, overscan: 2 });
  assert.equal(neg.first, 0);
  assert.equal(maxScrollTop(100, 24, 240), 2160);
  assert.equal(maxScrollTop(3, 24, 240), 0);
});

test('fewer rows than the viewport renders them all; none renders nothing', () => {
  assert.deepEqual(computeWindow({ scrollTop: 0, viewportHeight: 500, rowHeight: 20, total: 3 }), { first: 0, end: 3, offset: 0, totalHeight: 60 });
  assert.deepEqual(computeWindow({ scrollTop: 30, viewportHeight: 500, rowHeight: 20, total: 0 }), { first: 0, end: 0, offset: 0, totalHeight: 0 });
});

test('the rendered rows never exceed viewport/rowHeight + 1 + 2 × overscan', () => {
  for (let scrollTop = 0; scrollTop < 240_000; scrollTop += 997) {
    const w = computeWindow({ scrollTop, viewportHeight: 480, rowHeight: 24, total: 10_000, overscan: 6 });
    assert.ok(w.end - w.first <= 480 / 24 + 1 + 12, `window ${w.first}..${w.end}`);
    assert.ok(w.first * 24 <= scrollTop && w.end * 24 >= Math.min(scrollTop + 480, 240_000));
  }
});

test('a zero or negative row height is refused', () => {
  assert.throws(() => computeWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: 0, total: 5 }), RangeError);
});

test('scrollToReveal moves as little as possible', () => {
  assert.equal(scrollToReveal(4, 20, 100, 0), 0);
  assert.equal(scrollToReveal(5, 20, 100, 0), 20);
  assert.equal(scrollToReveal(10, 20, 100, 0), 120);
  assert.equal(scrollToReveal(2, 20, 100, 200), 40);
});
