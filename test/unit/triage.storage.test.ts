import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { TriageCache } from '../../src/core/triage/triageCache';
import type { SavedTriage } from '../../src/core/triage/triageSnapshot';
import { TRIAGE_INDEX_KEY, TriageStorage } from '../../src/features/triage/triageStorage';
import type { StateStore } from '../../src/platform/workspaceState';
import { emptyVerdictCounts } from '../../src/shared/triageModel';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ipinv-storage-'));
  const values = new Map<string, unknown>();
  const state: StateStore = { get: (k) => values.get(k), update: (k, v) => (values.set(k, structuredClone(v)), Promise.resolve()) };
  const logs: string[] = [];
  const logger = { trace: () => undefined, info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m), show: () => undefined };
  // Only `scheme` and `fsPath` of the URI are read.
  const storageUri = { scheme: 'file', fsPath: join(dir, 'ws') } as unknown as vscode.Uri;
  return { dir, values, storage: new TriageStorage({ storageUri, state, logger }), logs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function saved(scope: string, savedAt: string): SavedTriage {
  return {
    scope,
    savedAt,
    source: 'firewall.log',
    demo: true,
    notes: [],
    documents: [],
    inputs: [],
    report: { lookback: '7d', startedAt: savedAt, finishedAt: savedAt, cancelled: false, entries: [], queries: [], sources: [], counts: { files: 0, bytes: 0, occurrences: 0, addresses: 0, byVerdict: emptyVerdictCounts() }, calls: { hunting: 0, findbyip: 0, cacheHits: 0 } },
  };
}

test('saved triages: written under the storage folder (owner only), indexed in workspaceState, read back per tenant', async () => {
  const { dir, values, storage, cleanup } = setup();
  try {
    const cache = new TriageCache();
    cache.set('k', { machines: 1 });
    await storage.save(saved('demo@simulator', '2026-12-02T09:00:00.000Z'), cache);
    const files = readdirSync(join(dir, 'ws')).sort();
    assert.equal(files.length, 2, files.join());
    assert.ok(files.every((f) => /^triage-[0-9a-f]{16}(-cache)?\.json$/.test(f)), 'no temporary file left');
    if (process.platform !== 'win32') for (const f of files) assert.equal(statSync(join(dir, 'ws', f)).mode & 0o077, 0);
    const index = values.get(TRIAGE_INDEX_KEY) as { scopes: Record<string, { addresses: number }> };
    assert.deepEqual(Object.keys(index.scopes), ['demo@simulator']);
    assert.ok(JSON.stringify(index).length < 1000, 'the index is small; the results are in the file');
    assert.equal((await storage.load('demo@simulator'))?.savedAt, '2026-12-02T09:00:00.000Z');
    assert.equal(await storage.load('other@commercial'), undefined);
    assert.equal((await storage.loadCache('demo@simulator')).size, 1);
  } finally {
    cleanup();
  }
});

test('at most four tenants are kept (the oldest goes with its files); Clear forgets one; Clear Cache drops every cache file', async () => {
  const { dir, values, storage, cleanup } = setup();
  try {
    for (let i = 0; i < 5; i++) {
      const cache = new TriageCache();
      cache.set('k', i);
      await storage.save(saved(`t${i}@commercial`, `2026-12-0${i + 1}T09:00:00.000Z`), cache);
    }
    const index = () => Object.keys((values.get(TRIAGE_INDEX_KEY) as { scopes: Record<string, unknown> }).scopes).sort();
    assert.deepEqual(index(), ['t1@commercial', 't2@commercial', 't3@commercial', 't4@commercial']);
    assert.equal(readdirSync(join(dir, 'ws')).length, 8);
    await storage.remove('t4@commercial');
    assert.equal(await storage.load('t4@commercial'), undefined);
    assert.equal((await storage.loadCache('t4@commercial')).size, 1, 'its cache stays until Clear Cache');
    await storage.dropCaches();
    assert.equal((await storage.loadCache('t4@commercial')).size, 0);
    assert.ok(readdirSync(join(dir, 'ws')).every((f) => !f.endsWith('-cache.json')));
    assert.ok(await storage.load('t1@commercial'), 'the results stay');
  } finally {
    cleanup();
  }
});

test('a broken or foreign file is forgotten, not shown; the index never points outside the folder', async () => {
  const { dir, values, storage, logs, cleanup } = setup();
  try {
    await storage.save(saved('demo@simulator', '2026-12-02T09:00:00.000Z'));
    const file = readdirSync(join(dir, 'ws')).find((f) => !f.endsWith('-cache.json'))!;
    writeFileSync(join(dir, 'ws', file), '{"format":"something-else"}');
    assert.equal(await storage.load('demo@simulator'), undefined);
    assert.ok(logs.some((l) => /not read back/.test(l)));
    assert.ok(!existsSync(join(dir, 'ws', file)), 'forgotten');
    values.set(TRIAGE_INDEX_KEY, { version: 1, scopes: { 'demo@simulator': { file: '../../etc/passwd', cacheFile: 'x', savedAt: 'x', source: 'x', addresses: 1, bytes: 1 } } });
    assert.equal(await storage.load('demo@simulator'), undefined);
  } finally {
    cleanup();
  }
});

test('without a storage folder nothing is kept, and it says so once', async () => {
  const values = new Map<string, unknown>();
  const logs: string[] = [];
  const storage = new TriageStorage({ storageUri: undefined, state: { get: (k) => values.get(k), update: (k, v) => (values.set(k, v), Promise.resolve()) }, logger: { trace: () => undefined, info: (m) => logs.push(m), warn: () => undefined, error: () => undefined, show: () => undefined } });
  assert.equal(storage.enabled, false);
  await storage.save(saved('demo@simulator', '2026-12-02T09:00:00.000Z'));
  assert.equal(await storage.load('demo@simulator'), undefined);
  assert.equal(values.size, 0);
  assert.equal(logs.filter((l) => /not kept across sessions/.test(l)).length, 1);
});
