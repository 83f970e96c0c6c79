import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressCollector } from '../../src/core/triage/addressCollector';
import { extractAddresses, type TriageInput } from '../../src/core/triage/extractAddresses';
import { STORED_OCCURRENCES, parseExtraction, toExtractionSteps, type SourceExtraction } from '../../src/core/triage/sourceExtraction';
import { startSimulator } from '../../src/simulator/simulator';
import { DefenderClient } from '../../src/core/defender/defenderClient';
import { TriageService } from '../../src/core/triage/triageService';
import { TriageCache } from '../../src/core/triage/triageCache';
import { issueSimulatorToken, ALL_PERMISSIONS } from '../../src/simulator/tokens';

const NOW = new Date('2026-11-25T12:00:00Z');

async function drain(inputs: TriageInput[], collector: AddressCollector) {
  const it = extractAddresses(inputs, collector, { lineTime: { now: NOW } });
  for (;;) {
    const s = await it.next();
    if (s.done) return s.value;
  }
}

function logText(): string {
  const lines: string[] = [];
  for (let i = 0; i < 120; i++) {
    const t = new Date(Date.parse('2026-11-20T08:00:00Z') + i * 7 * 60_000).toISOString().replace('.000Z', 'Z');
    lines.push(`${t} ALLOW 10.248.240.${i % 3} -> 198.51.100.${i % 5}:443 via 198.51.100[.]23`);
  }
  return lines.join('\n');
}

/** The collector as plain data, for comparison. */
function view(c: AddressCollector) {
  // Field by field: a collected address keeps its occurrences as numbers until they are read (a getter, which a spread skips).
  return [...c.addresses.values()]
    .map((a) => ({
      ip: a.ip,
      version: a.version,
      ipClass: a.ipClass,
      occurrenceCount: a.occurrenceCount,
      occurrences: a.occurrences,
      occurrencesTruncated: a.occurrencesTruncated,
      files: a.files,
      defanged: a.defanged,
      timed: a.timed,
      times: a.times.list(),
      seen: a.times.seen,
      granularity: a.times.granularityMinutes,
    }))
    .sort((x, y) => x.ip.localeCompare(y.ip));
}

test('a captured file replays into the same addresses, counts, occurrences (up to the stored cap) and line times', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triage-reuse-'));
  try {
    const file = join(dir, 'fw.log');
    await writeFile(file, logText());
    const direct = new AddressCollector({ maxOccurrencesPerAddress: STORED_OCCURRENCES });
    await drain([{ kind: 'file', path: file, name: 'fw.log' }], direct);

    let captured: SourceExtraction | undefined;
    const first = new AddressCollector({ maxOccurrencesPerAddress: STORED_OCCURRENCES });
    const r1 = await drain([{ kind: 'file', path: file, name: 'fw.log', capture: (e) => (captured = e) }], first);
    assert.ok(captured, 'the extraction was captured');
    assert.deepEqual(view(first), view(direct), 'capturing does not change what the run collects');
    assert.equal(first.occurrences, direct.occurrences);

    // Stored and read back (JSON), then replayed under the name the file has now: nothing is read.
    const stored = parseExtraction(JSON.parse(JSON.stringify(captured)));
    assert.ok(stored);
    await rm(file);
    const replay = new AddressCollector({ maxOccurrencesPerAddress: STORED_OCCURRENCES });
    const r2 = await drain([{ kind: 'extracted', name: 'fw.log', extraction: stored }], replay);
    assert.deepEqual(view(replay), view(direct));
    assert.equal(replay.occurrences, direct.occurrences);
    assert.deepEqual(r2.sources, [{ ...r1.sources[0], reused: true }]);
    assert.equal(r2.bytes, r1.bytes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a large capture is made in steps, with turns for the thread between them, and keeps every address', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triage-reuse-'));
  try {
    // 2,000 addresses, 30 occurrences each: the capture walks 60,000 kept occurrences.
    const lines: string[] = [];
    for (let r = 0; r < 30; r++) for (let i = 0; i < 2000; i++) lines.push(`2026-11-20T08:${String(r).padStart(2, '0')}:00Z ALLOW 203.0.${i >> 8}.${i & 255}`);
    const file = join(dir, 'many.log');
    await writeFile(file, lines.join('\n'));
    const c = new AddressCollector();
    await drain([{ kind: 'file', path: file, name: 'many.log' }], c);
    const steps = toExtractionSteps(c, 1);
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    assert.ok(yields >= 5, `${yields} turns for 2,000 addresses`);
    assert.equal(r.value.addresses.length, 2000);
    assert.ok(r.value.addresses.every((a) => a.count === 30 && a.occ.length === STORED_OCCURRENCES && a.truncated));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('two sources, one replayed and one read, merge as if both were read; a bad stored extraction is refused whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triage-reuse-'));
  try {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    await writeFile(a, logText());
    await writeFile(b, '2026-11-21T10:00:00Z deny 10.248.240.1 -> 203.0.113.9\n198.51.100.1 again\n');
    const direct = new AddressCollector();
    await drain([{ kind: 'file', path: a, name: 'a.log' }, { kind: 'file', path: b, name: 'b.log' }], direct);
    let captured: SourceExtraction | undefined;
    await drain([{ kind: 'file', path: a, name: 'a.log', capture: (e) => (captured = e) }], new AddressCollector());
    const mixed = new AddressCollector();
    await drain([{ kind: 'extracted', name: 'a.log', extraction: captured! }, { kind: 'file', path: b, name: 'b.log' }], mixed);
    const strip = (c: AddressCollector) => view(c).map((x) => ({ ip: x.ip, count: x.occurrenceCount, files: x.files, first: x.occurrences[0], times: x.times.length }));
    assert.deepEqual(strip(mixed), strip(direct));

    const bad = JSON.parse(JSON.stringify(captured)) as { addresses: { ip: string; occ: unknown[] }[] };
    bad.addresses[0].ip = '198.51.100[.]1';
    assert.equal(parseExtraction(bad), undefined, 'an address the scanner would not produce');
    const bad2 = JSON.parse(JSON.stringify(captured)) as { addresses: { occ: unknown[] }[] };
    bad2.addresses[0].occ[0] = [1, 2, 30, 10, null, null, 0];
    assert.equal(parseExtraction(bad2), undefined, 'an occurrence ending before it starts');
    assert.equal(parseExtraction('nope'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a cancelled read keeps what arrived and captures nothing (an incomplete file is never reused)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triage-reuse-'));
  try {
    const file = join(dir, 'big.log');
    await writeFile(file, `${logText()}\n`.repeat(400));
    const abort = new AbortController();
    let captured = false;
    const c = new AddressCollector();
    const it = extractAddresses([{ kind: 'file', path: file, name: 'big.log', capture: () => (captured = true) }], c, { signal: abort.signal, progressEveryBytes: 64 * 1024, chunkBytes: 64 * 1024 });
    await it.next();
    abort.abort();
    await assert.rejects(async () => {
      for (;;) if ((await it.next()).done) break;
    });
    assert.equal(captured, false);
    assert.ok(c.addresses.size > 0, 'the addresses read before the cancel are kept');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a re-run of an unchanged file with the stored cache reads nothing and asks Defender nothing', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'triage-reuse-'));
  try {
    const file = join(dir, 'fw.log');
    await writeFile(file, logText());
    const token = { defender: issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS }), graph: issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS }) };
    const client = new DefenderClient({ apiBaseUrl: sim.apiBaseUrl, graphBaseUrl: sim.graphBaseUrl, getToken: (r) => Promise.resolve(token[r]), cacheScope: 't' });
    const cacheFile = join(dir, 'cache.json');
    let captured: SourceExtraction | undefined;
    const cache = new TriageCache();
    const first = await new TriageService(client, { scope: 't', cache }).triageAll({ inputs: [{ kind: 'file', path: file, name: 'fw.log', capture: (e) => (captured = e) }], lookback: '7d' });
    assert.ok(first.calls.hunting > 0);
    // The cache and the file's extraction go to disk and come back (a reload); the file is gone, nothing reads it.
    await cache.save(cacheFile);
    await rm(file);
    sim.resetRequests();
    const extraction = parseExtraction(JSON.parse(JSON.stringify(captured)));
    assert.ok(extraction);
    const reused = await new TriageService(client, { scope: 't', cache: await TriageCache.load(cacheFile) }).triageAll({ inputs: [{ kind: 'extracted', name: 'fw.log', extraction }], lookback: '7d' });
    assert.equal(sim.requests().length, 0, 'no request at all');
    assert.equal(reused.calls.hunting, 0);
    assert.equal(reused.sources[0].reused, true);
    assert.deepEqual(
      reused.entries.map((e) => [e.ip, e.verdict, e.occurrenceCount]),
      first.entries.map((e) => [e.ip, e.verdict, e.occurrenceCount]),
    );
    // Another tenant's cache answers nothing: it asks again.
    const other = await new TriageService(client, { scope: 'u', cache: await TriageCache.load(cacheFile) }).triageAll({ inputs: [{ kind: 'extracted', name: 'fw.log', extraction }], lookback: '7d' });
    assert.ok(other.calls.hunting > 0);
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
});
