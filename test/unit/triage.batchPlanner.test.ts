import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TRIAGE_LIMITS,
  HUNTING_MAX_ROWS,
  SUMMARY_ROW_BYTES,
  addressBatchCapacity,
  estimateHolderRows,
  planAddressBatches,
  planHolderBatches,
  resolveLimits,
  splitBatch,
  splitHolderBatch,
} from '../../src/core/triage/batchPlanner';
import { SUMMARY_QUERY_LISTS, batchRemoteIpSummaryQuery } from '../../src/core/hunting/huntingQueries';

const v4 = (i: number) => `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const v6 = (i: number) => `2001:db8:ffff:ffff:ffff:ffff:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
const HOUR = 3_600_000;

test('1,000 public addresses fit in two batches of at most 500, in order, each address once', () => {
  const ips = Array.from({ length: 1000 }, (_, i) => v4(i));
  const batches = planAddressBatches(ips, DEFAULT_TRIAGE_LIMITS);
  assert.equal(batches.length, 2);
  assert.ok(batches.every((b) => b.length <= 500));
  assert.deepEqual(batches.flat(), ips);
});

test('the in-list length limit splits long IPv6 lists before the address cap does', () => {
  const ips = Array.from({ length: 1000 }, (_, i) => v6(i));
  const limits = resolveLimits({ maxListChars: 10_000 });
  const batches = planAddressBatches(ips, limits, SUMMARY_ROW_BYTES, SUMMARY_QUERY_LISTS);
  for (const b of batches) {
    const listChars = b.reduce((n, ip) => n + ip.length + 4, 0);
    assert.ok(listChars <= 10_000 / SUMMARY_QUERY_LISTS, `list of ${listChars} chars`);
    // The real query (which names the list three times) stays well inside the limit plus its fixed text.
    assert.ok(batchRemoteIpSummaryQuery(b, 7).length < 10_000 + 1000);
  }
  assert.deepEqual(batches.flat(), ips);
  assert.ok(batches.length > 2);
});

test('result size and row caps bound the batch capacity', () => {
  assert.equal(addressBatchCapacity(resolveLimits({ maxResultBytes: 10_000 }), 1000), 10);
  assert.equal(addressBatchCapacity(resolveLimits({ maxRows: 50, maxAddressesPerBatch: 500 }), 10), 49);
  assert.equal(addressBatchCapacity(resolveLimits({ maxResultBytes: 1 }), 1000), 1);
  assert.throws(() => resolveLimits({ maxRows: HUNTING_MAX_ROWS + 1 }), /cannot exceed/);
  assert.throws(() => resolveLimits({ maxAddressesPerBatch: 0 }), /positive integer/);
});

test('holder batches keep (addresses x hours spanned) within the row budget', () => {
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  const lookups = [];
  for (let i = 0; i < 200; i++) for (let k = 0; k < 10; k++) lookups.push({ ip: `10.0.${i >> 8}.${i & 255}`, at: new Date(t0 + ((i * 7 + k * 53) % 600) * HOUR) });
  const limits = resolveLimits({ holderRowBudget: 20_000 });
  const batches = planHolderBatches(lookups, limits);
  assert.equal(batches.flat().length, lookups.length);
  for (const b of batches) {
    const times = b.map((l) => l.at.getTime());
    const rows = estimateHolderRows(new Set(b.map((l) => l.ip)).size, Math.min(...times), Math.max(...times));
    assert.ok(rows <= 20_000 || b.length === 1, `batch estimates ${rows} rows`);
    assert.ok(new Set(b.map((l) => l.ip)).size <= limits.maxAddressesPerBatch);
  }
  assert.ok(batches.length < 40, `${batches.length} batches`);
});

test('splitting halves address batches and holder batches by time (or by address when all at one time)', () => {
  assert.deepEqual(splitBatch(['a', 'b', 'c']), [['a', 'b'], ['c']]);
  const at = (h: number) => new Date(Date.parse('2026-11-20T00:00:00Z') + h * HOUR);
  const [early, late] = splitHolderBatch([
    { ip: '10.0.0.1', at: at(5) },
    { ip: '10.0.0.2', at: at(1) },
    { ip: '10.0.0.3', at: at(9) },
    { ip: '10.0.0.4', at: at(3) },
  ]);
  assert.deepEqual(early.map((l) => l.ip), ['10.0.0.2', '10.0.0.4']);
  assert.deepEqual(late.map((l) => l.ip), ['10.0.0.1', '10.0.0.3']);
  const [a, b] = splitHolderBatch([
    { ip: '10.0.0.1', at: at(1) },
    { ip: '10.0.0.2', at: at(1) },
    { ip: '10.0.0.3', at: at(1) },
  ]);
  assert.equal(a.length + b.length, 3);
  assert.ok(a.length > 0 && b.length > 0);
});
