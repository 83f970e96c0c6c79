// LineTimes folds pushed times into typed-array cells in batches. Its result must be the one the definition gives
// (a cell per minute; on overflow, or for a wider added cell, the grid doubles and neighbouring cells merge), whatever
// the order, the batch boundaries and the moments it is read. The reference below is that definition, applied one
// time at a time with a Map, as the grid was first written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineTimes, writeMinuteCells, type TimeCell } from '../../src/core/triage/lineTimes';
import { rng } from '../../bench/rng';

class ReferenceGrid {
  cellMs = 60_000;
  cells = new Map<number, TimeCell>();
  seen = 0;
  constructor(private readonly cap: number) {}
  addMs(t: number): void {
    if (!Number.isFinite(t)) return;
    const minute = Math.floor(t / 60_000) * 60_000;
    this.put(minute, minute, 1);
  }
  addCell(first: number, last: number, count: number): void {
    if (!Number.isFinite(first) || !Number.isFinite(last) || last < first || !(count >= 1)) return;
    while (Math.floor(first / this.cellMs) !== Math.floor(last / this.cellMs)) this.coarsen();
    this.put(first, last, count);
  }
  private put(first: number, last: number, count: number): void {
    this.seen += count;
    const key = Math.floor(first / this.cellMs);
    const cell = this.cells.get(key);
    if (cell) {
      cell.count += count;
      cell.first = Math.min(cell.first, first);
      cell.last = Math.max(cell.last, last);
    } else this.cells.set(key, { first, last, count });
    while (this.cells.size > this.cap) this.coarsen();
  }
  private coarsen(): void {
    this.cellMs *= 2;
    const next = new Map<number, TimeCell>();
    for (const c of this.cells.values()) {
      const key = Math.floor(c.first / this.cellMs);
      const into = next.get(key);
      if (!into) next.set(key, { ...c });
      else {
        into.count += c.count;
        into.first = Math.min(into.first, c.first);
        into.last = Math.max(into.last, c.last);
      }
    }
    this.cells = next;
  }
  list(): TimeCell[] {
    return [...this.cells.values()].sort((a, b) => a.first - b.first);
  }
}

const START = Date.parse('2026-11-01T00:00:00Z');

test('line times equal the one-at-a-time definition for random times, added cells, caps and read points', () => {
  const r = rng(20261205);
  for (let round = 0; round < 300; round++) {
    const cap = [1, 2, 3, 10, 64, 200][Math.floor(r() * 6)];
    const spanMinutes = [5, 600, 60 * 24 * 40][Math.floor(r() * 3)];
    const ops = Math.floor(r() * 3000);
    const grid = new LineTimes(cap);
    const ref = new ReferenceGrid(cap);
    for (let k = 0; k < ops; k++) {
      const x = r();
      const t = START + Math.floor(r() * spanMinutes * 60_000);
      if (x < 0.85) {
        grid.addMs(t);
        ref.addMs(t);
      } else if (x < 0.95) {
        // A cell of another grid: aligned to a power-of-two width, sometimes invalid (ignored by both).
        const w = 60_000 * 2 ** Math.floor(r() * 6);
        const first = Math.floor(t / w) * w + Math.floor(r() * 3) * 60_000;
        const last = r() < 0.05 ? first - 60_000 : Math.min(Math.floor(t / w) * w + w - 60_000, first + Math.floor(r() * (w / 60_000)) * 60_000);
        const count = r() < 0.03 ? 0 : 1 + Math.floor(r() * 5);
        grid.addCell(first, last, count);
        ref.addCell(first, last, count);
      } else if (x < 0.97) {
        grid.addMs(NaN);
        ref.addMs(NaN);
      } else {
        // A read in the middle folds what is pending; the result must not depend on when that happens.
        assert.equal(grid.size, ref.cells.size);
      }
    }
    assert.deepEqual(grid.list(), ref.list(), `round ${round}: cap ${cap}, ${ops} operations`);
    assert.equal(grid.seen, ref.seen);
    assert.equal(grid.granularityMinutes, ref.cellMs / 60_000);
    assert.equal(grid.thinned, ref.cellMs > 60_000);
  }
});

test("another grid's cells taken at once (addCellsOf) count what adding them one by one counts", () => {
  const r = rng(20261207);
  for (let round = 0; round < 300; round++) {
    const cap = [1, 2, 3, 10, 64, 4096][Math.floor(r() * 6)];
    const spanMinutes = [1, 5, 600, 60 * 24 * 40][Math.floor(r() * 4)];
    // A worker's grid, its cells written as a part sends them (tag, first, last, count).
    const source = new LineTimes(cap);
    for (let k = Math.floor(r() * 5000); k > 0; k--) source.addMs(START + Math.floor(r() * spanMinutes * 60_000));
    const data = new Float64Array(4 * source.size + 12);
    let from = 8;
    let end = source.writeCells(data, from, 7);
    // Sometimes cells that no grid of this cap holds: out of order, one more cell than the cap (at the end, out of
    // order, or at the start, in order), or two cells in one minute (in order).
    const odd = r();
    if (odd < 0.1 && source.size >= 2) [data[9], data[13]] = [data[13], data[9]];
    else if (odd < 0.2) {
      data.set([7, START - 60_000, START - 60_000, 2], end);
      end += 4;
    } else if (odd < 0.3) {
      from = 4;
      data.set([7, START - 60_000, START - 60_000, 2], from);
    } else if (odd < 0.4 && source.size >= 1) {
      from = 4;
      data.set([7, data[9], data[9], 1], from);
    }
    const expected = new LineTimes(cap);
    const actual = new LineTimes(cap);
    // Half the time the grid already has times of its own, pending or folded (read): the cells are then folded, or
    // merged with its cells, in.
    if (r() < 0.5) {
      for (let k = r() < 0.5 ? 1 : Math.floor(r() * 3000); k > 0; k--) {
        const t = START + Math.floor(r() * spanMinutes * 60_000 * (r() < 0.5 ? 1 : 3));
        expected.addMs(t);
        actual.addMs(t);
      }
      if (r() < 0.7) assert.equal(actual.size, expected.size);
    }
    for (let i = from; i < end; i += 4) expected.addCell(data[i + 1], data[i + 2], data[i + 3]);
    actual.addCellsOf(data, from, end);
    assert.deepEqual(actual.list(), expected.list(), `round ${round}: cap ${cap}`);
    assert.equal(actual.seen, expected.seen);
    assert.equal(actual.granularityMinutes, expected.granularityMinutes);
  }
});

test('line times fold on their own when many arrive, and stay within the cap', () => {
  const grid = new LineTimes(16);
  const ref = new ReferenceGrid(16);
  for (let m = 0; m < 100_000; m++) {
    grid.addMs(START + ((m * 7919) % 50_000) * 60_000);
    ref.addMs(START + ((m * 7919) % 50_000) * 60_000);
  }
  assert.ok(grid.size <= 16);
  assert.deepEqual(grid.list(), ref.list());
  assert.equal(grid.list().reduce((n, c) => n + c.count, 0), 100_000, 'every time counted');
});

test("a part's cells written from its sorted times (writeMinuteCells) are the cells a grid fed those times writes", () => {
  const r = rng(20261206);
  for (let round = 0; round < 400; round++) {
    const cap = [1, 2, 3, 10, 64, 4096][Math.floor(r() * 6)];
    const spanMinutes = [1, 5, 600, 60 * 24 * 40][Math.floor(r() * 4)];
    const n = Math.floor(r() * 4000);
    // Times in a larger array, as a part's grouped times are: its own in [from, to), others around them.
    const from = Math.floor(r() * 5);
    const times = new Float64Array(from + n + 3).fill(START);
    for (let k = 0; k < n; k++) times[from + k] = r() < 0.02 ? NaN : START + Math.floor(r() * spanMinutes * 60_000);
    times.subarray(from, from + n).sort();
    const grid = new LineTimes(cap);
    for (let k = from; k < from + n; k++) grid.addMs(times[k]);
    const expected = new Float64Array(4 * n + 8);
    const expectedEnd = grid.writeCells(expected, 4, 11);
    const actual = new Float64Array(4 * n + 8);
    const actualEnd = writeMinuteCells(times, from, from + n, cap, actual, 4, 11);
    assert.equal(actualEnd, expectedEnd, `round ${round}: cap ${cap}, ${n} times: cells`);
    assert.deepEqual(actual.subarray(0, actualEnd), expected.subarray(0, expectedEnd), `round ${round}: cap ${cap}, ${n} times`);
  }
});
