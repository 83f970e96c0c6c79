import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AddressCollector, LineTimes } from '../../src/core/triage/addressCollector';
import { extractAddresses, type ExtractionStep, type TriageInput } from '../../src/core/triage/extractAddresses';

async function drain(inputs: TriageInput[], collector: AddressCollector, progressEveryBytes?: number) {
  const steps: ExtractionStep[] = [];
  const it = extractAddresses(inputs, collector, { progressEveryBytes, lineTime: { now: new Date('2026-11-25T12:00:00Z') } });
  for (;;) {
    const s = await it.next();
    if (s.done) return { steps, result: s.value };
    steps.push(s.value);
  }
}

test('dedupes by normalised value and keeps every occurrence with file, line, column, offsets and line time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triage-'));
  try {
    const file = join(dir, 'fw.log');
    const text = [
      '2026-11-20T08:44:05Z ALLOW 10.248.240.38 -> 198.51.100.23:443',
      'no time here: 198.51.100[.]23 and 2001:DB8::1',
      '2026-11-21T09:00:00Z [2001:db8:0:0::1]:8443 10.248.240.38',
    ].join('\n');
    await writeFile(file, text);
    const c = new AddressCollector();
    const { result } = await drain([{ kind: 'file', path: file, name: 'fw.log' }], c);
    assert.equal(result.sources[0]?.matches, 6);
    assert.equal(c.occurrences, 6);
    assert.deepEqual([...c.addresses.keys()].sort(), ['10.248.240.38', '198.51.100.23', '2001:db8::1']);
    const c2 = c.addresses.get('198.51.100.23')!;
    assert.equal(c2.occurrenceCount, 2);
    assert.equal(c2.defanged, true);
    assert.deepEqual(c2.occurrences[0], { file: 'fw.log', line: 1, column: 45, start: 44, end: 57, time: '2026-11-20T08:44:05.000Z', port: 443 });
    assert.equal(text.slice(c2.occurrences[1].start, c2.occurrences[1].end), '198.51.100[.]23');
    assert.equal(c2.occurrences[1].time, undefined);
    const v6 = c.addresses.get('2001:db8::1')!;
    assert.equal(v6.occurrenceCount, 2);
    assert.equal(v6.occurrences[1].port, 8443);
    const internal = c.addresses.get('10.248.240.38')!;
    assert.deepEqual(internal.times.values().map((d) => d.toISOString()), ['2026-11-20T08:44:00.000Z', '2026-11-21T09:00:00.000Z']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('stdin-like streams and selections are scanned; a selection shifts offsets, lines and columns', async () => {
  const c = new AddressCollector();
  const stream = Readable.from([Buffer.from('a 8.8.8.8\nb 1.1'), Buffer.from('.1.1\n')]);
  const selection = 'x 9.9.9.9\ny 9.9.9.9';
  await drain(
    [
      { kind: 'stream', name: '-', stream },
      { kind: 'text', name: 'doc.log', text: selection, base: { offset: 1000, line: 41, column: 7 } },
    ],
    c,
  );
  assert.equal(c.addresses.get('1.1.1.1')?.occurrences[0]?.line, 2);
  const nine = c.addresses.get('9.9.9.9')!.occurrences;
  assert.deepEqual(nine.map((o) => [o.file, o.line, o.column, o.start]), [
    ['doc.log', 41, 9, 1002],
    ['doc.log', 42, 3, 1012],
  ]);
});

test('an unreadable file becomes a source error and the others still count', async () => {
  const c = new AddressCollector();
  const { result } = await drain(
    [
      { kind: 'file', path: '/nonexistent/really.log' },
      { kind: 'text', name: 't', text: '8.8.4.4' },
    ],
    c,
  );
  assert.equal(result.sources[0]?.error, 'No such file.');
  assert.equal(c.addresses.size, 1);
});

test('occurrences are capped per address while the count stays exact; progress steps are emitted', async () => {
  const c = new AddressCollector({ maxOccurrencesPerAddress: 5 });
  const line = '203.0.113.9 padding padding padding\n';
  const stream = Readable.from(Array.from({ length: 20 }, () => line.repeat(100)));
  const { steps } = await drain([{ kind: 'stream', name: 't', stream }], c, 16 * 1024);
  const a = c.addresses.get('203.0.113.9')!;
  assert.equal(a.occurrenceCount, 2000);
  assert.equal(a.occurrences.length, 5);
  assert.equal(a.occurrencesTruncated, true);
  assert.ok(steps.filter((s) => s.type === 'progress').length >= 2);
});

test('line times merged from other grids (a worker, a replayed file) count exactly what one grid would have counted', () => {
  const start = Date.parse('2026-11-01T00:00:00Z');
  const times = Array.from({ length: 3000 }, (_, i) => start + ((i * 7919) % (30 * 24 * 60)) * 60_000);
  const one = new LineTimes(64);
  for (const t of times) one.add(new Date(t));
  // Split in three, each part on its own grid (the parts coarsen differently), then merged.
  const parts = [new LineTimes(64), new LineTimes(16), new LineTimes(64)];
  times.forEach((t, i) => parts[i % 3].add(new Date(t)));
  const merged = new LineTimes(64);
  for (const p of parts) merged.merge(p);
  assert.equal(merged.seen, times.length, 'every time counted once');
  assert.equal(merged.list().reduce((n, c) => n + c.count, 0), times.length);
  assert.ok(merged.size <= 64);
  assert.equal(merged.list()[0].first, Math.min(...times), 'the first time kept exactly');
  assert.equal(merged.list()[merged.size - 1].last, Math.max(...times), 'the last time kept exactly');
  assert.ok(merged.granularityMinutes >= parts[1].granularityMinutes, 'at least as coarse as the coarsest part');
  const wide = new LineTimes(64);
  wide.addCell(start, start + 5 * 60_000, 3);
  assert.equal(wide.size, 1, 'a cell wider than a minute is one cell');
  assert.equal(wide.granularityMinutes >= 8, true, 'the grid widened to hold it');
  wide.addCell(start + 60_000, start, 2);
  assert.equal(wide.seen, 3, 'a cell that ends before it starts is ignored');
});

test('line times stay within their cap, span the whole period and count every occurrence', () => {
  const s = new LineTimes(10);
  const start = Date.parse('2026-11-01T00:00:00Z');
  let added = 0;
  for (let m = 0; m < 20 * 24 * 60; m += 7) {
    s.add(new Date(start + m * 60_000));
    added++;
  }
  const cells = s.list();
  assert.ok(cells.length <= 10 && cells.length >= 5, `${cells.length} cells`);
  assert.ok(s.thinned);
  assert.ok(s.granularityMinutes > 1);
  assert.equal(cells.reduce((n, c) => n + c.count, 0), added, 'no occurrence lost when cells merge');
  assert.equal(s.seen, added);
  assert.equal(cells[0].first, start, 'the first time is kept exactly');
  assert.equal(cells[cells.length - 1].last, start + Math.floor((20 * 24 * 60 - 1) / 7) * 7 * 60_000, 'the last time is kept exactly');
  for (let i = 1; i < cells.length; i++) assert.ok(cells[i].first > cells[i - 1].last, 'cells do not overlap and are in order');
  const few = new LineTimes(10);
  few.add(new Date(start));
  few.add(new Date(start + 30_000)); // same minute
  few.add(new Date(start + 60_000));
  assert.deepEqual(few.values().map((d) => d.getTime()), [start, start + 60_000]);
  assert.deepEqual(few.list().map((c) => c.count), [2, 1]);
  assert.equal(few.thinned, false);
  assert.equal(few.granularityMinutes, 1);
});

test('kept occurrences come back per address in arrival order, whenever they are read, across addresses and caps', () => {
  // Occurrences are stored as numbers in the collector's blocks while the scan runs and made into objects when first
  // read: a read in the middle, more occurrences after it, and a merge into another collector must all see what add()
  // was given.
  const c = new AddressCollector({ maxOccurrencesPerAddress: 5 });
  const expected = new Map<string, number[]>();
  const ips = Array.from({ length: 40 }, (_, k) => `198.51.100.${k}`);
  let line = 0;
  const addOne = (k: number): void => {
    const ip = ips[k];
    line++;
    c.add('a.log', { value: ip, version: 4, start: line * 10, end: line * 10 + ip.length, line, column: 1, defanged: false, ipClass: 'public', port: line % 3 === 0 ? 443 : undefined });
    const seen = expected.get(ip) ?? [];
    if (seen.length < 5) seen.push(line);
    expected.set(ip, seen);
  };
  for (let i = 0; i < 150; i++) addOne((i * 7) % 40);
  // The first few of an address's occurrences, read without making the others into objects (a stored extraction's).
  for (const n of [0, 1, 3, 5, 6]) {
    for (const ip of ips.slice(1, 6)) assert.deepEqual(c.firstOccurrences(c.addresses.get(ip)!, n).map((o) => o.line), expected.get(ip)!.slice(0, n), `${ip} first ${n}`);
  }
  assert.deepEqual(c.addresses.get(ips[0])!.occurrences.map((o) => o.line), expected.get(ips[0]), 'read in the middle');
  assert.deepEqual(c.firstOccurrences(c.addresses.get(ips[0])!, 2).map((o) => o.line), expected.get(ips[0])!.slice(0, 2), 'first 2 after a read');
  for (let i = 0; i < 150; i++) addOne((i * 11) % 40);
  const into = new AddressCollector({ maxOccurrencesPerAddress: 5 });
  into.merge(c.addresses.values());
  for (const ip of ips) {
    const lines = expected.get(ip)!;
    assert.deepEqual(into.firstOccurrences(into.addresses.get(ip)!, 4).map((o) => o.line), lines.slice(0, 4), `${ip} merged, first 4`);
    assert.deepEqual(into.addresses.get(ip)!.occurrences.map((o) => o.line), lines, `${ip} merged`);
    const own = c.addresses.get(ip)!;
    assert.deepEqual(own.occurrences.map((o) => o.line), lines, ip);
    assert.equal(own.occurrencesTruncated, true);
    assert.deepEqual(own.occurrences.map((o) => o.port), lines.map((l) => (l % 3 === 0 ? 443 : undefined)));
  }
});

test('kept occurrences stay exact and in order across files and offsets, lines or columns past 32 bits', () => {
  // The collector stores occurrences as 32-bit numbers from a base: a new file, or a number past the base's reach,
  // starts a new store, and a number no store can hold (a column) makes that address's occurrences objects.
  const c = new AddressCollector({ maxOccurrencesPerAddress: 50 });
  const expected = new Map<string, { file: string; line: number; column: number; start: number; end: number; port?: number; defanged?: true }[]>();
  const add = (file: string, ip: string, line: number, column: number, start: number, port?: number, defanged = false): void => {
    const end = start + ip.length;
    c.add(file, { value: ip, version: 4, start, end, line, column, defanged, ipClass: 'public', port });
    const o = { file, line, column, start, end, ...(port !== undefined ? { port } : {}), ...(defanged ? { defanged: true as const } : {}) };
    expected.set(ip, [...(expected.get(ip) ?? []), o]);
  };
  const big = 2 ** 31;
  add('a.log', '198.51.100.1', 1, 1, 0, 443);
  add('a.log', '198.51.100.2', 2, 5, 30);
  add('b.log', '198.51.100.1', 7, 3, 100, undefined, true);
  add('a.log', '198.51.100.1', 3, 1, 60, 0);
  add('a.log', '198.51.100.1', big + 5, 2, 3 * big + 7, 65535);
  add('a.log', '198.51.100.2', big + 6, 9, 3 * big + 40);
  add('a.log', '198.51.100.3', 9, 2 * big, 5 * big);
  add('a.log', '198.51.100.3', 10, 4, 5 * big + 99);
  add('a.log', '198.51.100.1', big + 7, 1, 3 * big + 80);
  const into = new AddressCollector({ maxOccurrencesPerAddress: 50 });
  into.merge(c.addresses.values());
  for (const [ip, list] of expected) {
    assert.deepEqual(c.addresses.get(ip)!.occurrences, list, ip);
    assert.deepEqual(into.addresses.get(ip)!.occurrences, list, `${ip} merged into another collector`);
  }
});
