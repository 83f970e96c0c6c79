// `npm run bench:api`: one address investigated end to end (every section) against the simulated tenant
// over real HTTP with the documented rate limits, cold and warm; and, measured in the same run, the
// baseline of asking the same sections one after another with no cache. Prints latency percentiles,
// HTTP calls per investigation and the ratios.
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { DefenderClient } from '../src/core/defender/defenderClient';
import { InvestigationService } from '../src/core/investigation/investigationService';
import { startSimulator } from '../src/simulator/simulator';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../src/simulator/tokens';
import { DEMO_BENIGN_IPS, DEMO_C2_IP, DEMO_INTERNAL_IP, DEMO_IPV6_IP, DEMO_RARE_IPS, demoInternalHolderAt } from '../src/simulator/story';
import type { SectionName } from '../src/shared/investigation';

// Service-side latency the simulator adds to every answer (it answers in microseconds otherwise):
// entity lookups are fast, hunting queries are not. Figures in the range the portal shows.
const ENTITY_LATENCY_MS = 60;
const HUNTING_LATENCY_MS = 350;
const SECTIONS: readonly SectionName[] = ['stats', 'alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails'];

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

function fmt(ms: number): string {
  return `${ms.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const sim = await startSimulator();
  sim.setFaults([
    { kind: 'latency', family: 'entity', delayMs: ENTITY_LATENCY_MS, count: 1e9 },
    { kind: 'latency', family: 'hunting', delayMs: HUNTING_LATENCY_MS, count: 1e9 },
  ]);
  const tokens = {
    defender: issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS }),
    graph: issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS }),
  };
  const client = new DefenderClient({
    apiBaseUrl: sim.apiBaseUrl,
    graphBaseUrl: sim.graphBaseUrl,
    getToken: (resource) => Promise.resolve(resource === 'graph' ? tokens.graph : tokens.defender),
    cacheScope: 'bench',
  });
  const service = new InvestigationService(client);
  const at = demoInternalHolderAt(Date.now());
  const targets: { address: string; at?: Date }[] = [
    { address: DEMO_C2_IP },
    { address: DEMO_INTERNAL_IP, at },
    { address: DEMO_BENIGN_IPS.dnsGoogle },
    { address: DEMO_RARE_IPS.scanner },
    { address: DEMO_RARE_IPS.exfiltration },
    { address: DEMO_IPV6_IP },
  ];

  const calls = (): number => sim.requests().filter((r) => r.family === 'entity' || r.family === 'hunting').length;
  const runOne = async (t: { address: string; at?: Date }, sections?: readonly SectionName[], noCache = false) => {
    const before = calls();
    const started = performance.now();
    const inv = await service.investigateAll({ address: t.address, lookback: '30d', ...(t.at ? { at: t.at } : {}) }, { ...(sections ? { sections } : {}), noCache });
    return { ms: performance.now() - started, calls: calls() - before, problems: inv.problems.length };
  };

  // Cold: each address for the first time (empty cache), all sections at once as the panel asks them.
  const cold = [];
  for (const t of targets) cold.push(await runOne(t));
  // Warm: the same addresses again, three times each (hover, then panel, then tree refresh).
  const warm = [];
  for (let i = 0; i < 3; i++) for (const t of targets) warm.push(await runOne(t));
  // Baseline: the same sections asked one after another, no cache and no sharing (a naive client).
  const baseline = [];
  for (const t of targets.slice(0, 3)) {
    const before = calls();
    const started = performance.now();
    let problems = 0;
    for (const s of SECTIONS) problems += (await runOne(t, [s], true)).problems;
    baseline.push({ ms: performance.now() - started, calls: calls() - before, problems });
  }
  const stats = client.stats();
  await sim.close();

  const ms = (xs: { ms: number }[]) => xs.map((x) => x.ms);
  const meanCalls = (xs: { calls: number }[]) => xs.reduce((a, x) => a + x.calls, 0) / xs.length;
  const problems = [...cold, ...warm, ...baseline].reduce((a, x) => a + x.problems, 0);
  const rows: [string, string, string, string][] = [
    ['', 'p50', 'p95', 'HTTP calls / investigation'],
    [`baseline: sections one by one, no cache (n=${baseline.length})`, fmt(pct(ms(baseline), 50)), fmt(pct(ms(baseline), 95)), meanCalls(baseline).toFixed(1)],
    [`cold: first investigation of an address (n=${cold.length})`, fmt(pct(ms(cold), 50)), fmt(pct(ms(cold), 95)), meanCalls(cold).toFixed(1)],
    [`warm: the same address again (n=${warm.length})`, fmt(pct(ms(warm), 50)), fmt(pct(ms(warm), 95)), meanCalls(warm).toFixed(1)],
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const out = [
    `bench:api  Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'cpu'}`,
    `simulated service latency: entity ${ENTITY_LATENCY_MS} ms, hunting ${HUNTING_LATENCY_MS} ms; documented rate limits enforced (client budgets and simulator)`,
    `addresses: ${targets.map((t) => t.address + (t.at ? ' @time' : '')).join(', ')}`,
    '',
    ...rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('   ')),
    '',
    `speed-up cold vs baseline: ${(pct(ms(baseline), 50) / pct(ms(cold), 50)).toFixed(1)}x (p50); warm vs cold: ${(pct(ms(cold), 50) / Math.max(0.001, pct(ms(warm), 50))).toFixed(0)}x (p50)`,
    `warm investigations made ${warm.reduce((a, x) => a + x.calls, 0)} HTTP calls in total (target 0)`,
    `client: ${stats.requests.entity} entity + ${stats.requests.hunting} hunting requests, ${stats.cacheHits} cache hits, ${stats.inFlightJoins} in-flight joins, ${stats.retries} retries, ${stats.rateLimited} rate-limited`,
    `section problems: ${problems}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (problems > 0 || warm.some((x) => x.calls > 0)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:api failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
