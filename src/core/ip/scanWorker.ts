// The scan worker's entry (its own bundle, dist/scanWorker.js): scans one part of a file per job, reading it
// itself, and posts the matches back as record batches (or only their number).
import { parentPort } from 'node:worker_threads';
import { scanPart } from './scanPart';
import type { ScanJob, WorkerReply } from './scanPool';
import { collectionBuffers } from '../triage/partCollector';

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(reply, transfer);
}

parentPort!.on('message', (job: ScanJob) => {
  try {
    const done = scanPart(job, (batch) => post({ id: job.id, type: 'batch', batch }, [batch.ints.buffer as ArrayBuffer, batch.nums.buffer as ArrayBuffer]));
    post({ id: job.id, type: 'done', ...done }, done.collection ? collectionBuffers(done.collection) : []);
  } catch (e) {
    const err = e as { message?: unknown; code?: unknown };
    post({ id: job.id, type: 'error', message: typeof err.message === 'string' ? err.message : String(e), code: typeof err.code === 'string' ? err.code : undefined });
  }
});
