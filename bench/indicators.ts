// `npm run bench:indicators`: adding N indicators through the import route (batches of 500, 30 calls/min) against one
// `POST /api/indicators` per address (100/min, 1,500/h), both against the simulated tenant enforcing the documented
// limits, on a clock 100 times faster (a minute lasts 0.6 s). Prints calls and time per size, worst last: the virtual
// minutes are what the rate limits cost (real processing is magnified 100 times too, so small figures are mostly that).
import { performance } from 'node:perf_hooks';
import { abortableTimeout, type Clock } from '../src/core/defender/clock';
import { DefenderClient } from '../src/core/defender/defenderClient';
import { checkDraft } from '../src/core/indicators/indicatorRules';
import { runBulk, submitOne } from '../src/core/indicators/indicatorWrites';
import { startSimulator, type SimulatorHandle } from '../src/simulator/simulator';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../src/simulator/tokens';

const SCALE = 100;
const SIZES = [100, 500, 1_200];

function scaled(): Clock {
  const base = Date.now();
  const start = performance.now();
  return { now: () => base + (performance.now() - start) * SCALE, sleep: (ms, signal) => abortableTimeout(ms, signal, SCALE) };
}

function client(sim: SimulatorHandle): DefenderClient {
  const token = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, expiresInSec: 86_400 });
  // Generous (virtual) timeouts: the documented limits make the baseline wait its turn for many minutes.
  return new DefenderClient({ apiBaseUrl: sim.apiBaseUrl, graphBaseUrl: sim.graphBaseUrl, getToken: () => Promise.resolve(token), cacheScope: sim.url, clock: scaled(), timeouts: { entityMs: 3 * 3_600_000 } });
}

function submissions(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const ip = `23.${1 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) || 1}`;
    const c = checkDraft({ ip, choice: 'block', title: 'Bench', description: 'Bulk block benchmark', expires: '30d' }, { demo: true, now: Date.now() });
    if (!c.ok) throw new Error(c.errors.join(' '));
    return { ip, submission: c.submission, existed: false };
  });
}

const virtualMin = (realMs: number) => (realMs * SCALE) / 60_000;

async function main(): Promise<void> {
  console.log(`Indicators: import route vs one submit per address, documented limits, clock x${SCALE} (virtual minutes)`);
  console.log('  size  | import: calls  time (min) throttled | one by one: calls  time (min) throttled | calls ratio  time ratio | real s (import / one by one)');
  for (const n of SIZES) {
    const items = submissions(n);
    const a = await startSimulator({ rateLimits: { timeScale: 1 / SCALE } });
    const b = await startSimulator({ rateLimits: { timeScale: 1 / SCALE } });
    try {
      const t0 = performance.now();
      const report = await runBulk(client(a), items);
      const bulkMs = performance.now() - t0;
      if (report.results.some((r) => r.outcome !== 'created')) throw new Error('a bulk item was not created');
      const single = client(b);
      const t1 = performance.now();
      // The product's single path (an unclear answer is reconciled from the list), as the panel and the CLI use it.
      await Promise.all(items.map((it) => submitOne(single, it.submission, { existed: false })));
      const oneMs = performance.now() - t1;
      const bulkCalls = a.requests().filter((r) => r.path === '/api/indicators/import').length;
      const oneCalls = b.requests().filter((r) => r.method === 'POST').length;
      const lists = b.requests().filter((r) => r.method === 'GET').length;
      if (lists > 0) console.log(`  (${lists} answers of the one-by-one run were reconciled from the list)`);
      console.log(
        `  ${String(n).padStart(5)} | ${String(bulkCalls).padStart(12)}  ${virtualMin(bulkMs).toFixed(2).padStart(10)} ${String(a.rateLimitStats().indicatorImport.throttled).padStart(9)} | ${String(oneCalls).padStart(16)}  ${virtualMin(oneMs).toFixed(2).padStart(10)} ${String(b.rateLimitStats().indicator.throttled).padStart(9)} | ${(oneCalls / bulkCalls).toFixed(0).padStart(10)}x  ${(oneMs / bulkMs).toFixed(1).padStart(9)}x | ${(bulkMs / 1000).toFixed(2)} / ${(oneMs / 1000).toFixed(2)}`,
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
