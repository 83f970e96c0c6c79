import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dailySeries, layoutChart, niceCeiling } from '../../webview/viewModel/chart';

const now = Date.parse('2026-11-20T15:30:00Z');

test('dailySeries fills every day of the window, missing days as zero', () => {
  const s = dailySeries(
    [
      { day: '2026-11-15T00:00:00Z', machines: 3, events: 40 },
      { day: '2026-11-20T00:00:00Z', machines: 1, events: 2 },
    ],
    7,
    now,
  );
  assert.equal(s.length, 8);
  assert.equal(s[0].day, '2026-11-13');
  assert.equal(s[7].day, '2026-11-20');
  assert.deepEqual(s[2], { day: '2026-11-15', machines: 3, events: 40 });
  assert.equal(s[3].machines, 0);
});

test('dailySeries ignores unreadable days and points outside the window', () => {
  const s = dailySeries([{ day: 'yesterday', machines: 9, events: 9 }, { day: '2026-01-01T00:00:00Z', machines: 9, events: 9 }], 1, now);
  assert.equal(s.length, 2);
  assert.ok(s.every((d) => d.machines === 0));
});

test('niceCeiling rounds up to 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceCeiling(0), 1);
  assert.equal(niceCeiling(1), 1);
  assert.equal(niceCeiling(3), 5);
  assert.equal(niceCeiling(7), 10);
  assert.equal(niceCeiling(11), 20);
  assert.equal(niceCeiling(250), 500);
  assert.equal(niceCeiling(1000), 1000);
});

test('layoutChart scales bars to the plot and keeps them inside the box', () => {
  const series = dailySeries([{ day: '2026-11-18T00:00:00Z', machines: 4, events: 10 }], 7, now);
  const box = { width: 400, height: 120, padLeft: 30, padRight: 10, padTop: 10, padBottom: 20, gap: 0.2 };
  const l = layoutChart(series, box);
  assert.equal(l.yMax, 5);
  assert.equal(l.bars.length, 8);
  const tall = l.bars.find((b) => b.day === '2026-11-18');
  assert.ok(tall);
  assert.ok(Math.abs(tall.height - (4 / 5) * 90) < 1e-9);
  for (const b of l.bars) {
    assert.ok(b.x >= 30 && b.x + b.width <= 390 + 1e-9);
    assert.ok(b.y >= 10 && b.y + b.height <= 100 + 1e-9);
  }
  assert.deepEqual(l.ticks.map((t) => t.value), [0, 2.5, 5]);
  assert.ok(l.labelled.length <= 6 && l.labelled.includes(7), 'today is always labelled');
});
