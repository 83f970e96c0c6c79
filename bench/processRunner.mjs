// Starts the whole processes bench:scan times, and times them, from a small process of its own. Forking the bench
// itself (hundreds of MB: the corpus in memory, the scan pools) costs each child about 20 ms more than a shell's fork
// does, on the fast tool far more than on the slow one: that would measure the bench, not the tools.
import { spawnSync } from 'node:child_process';

process.on('message', (job) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(job.argv[0], job.argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  process.send({ id: job.id, wall, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') });
});
// The bench disconnects when it is done; then this process has nothing left to wait for.
process.on('disconnect', () => process.exit(0));
