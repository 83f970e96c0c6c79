// The scan worker's entry (its own bundle, dist/scanWorker.js): scans one part of a file per job, reading it
// itself, and posts the matches back as record batches (or only their number).
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { PieceDecoder } from './decodePieces';
import { LineScanner } from './lineScanner';
import { RecordWriter } from './matchRecords';
import type { ScanJob, WorkerReply } from './scanPool';

const READ_BYTES = 1 << 20;

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(reply, transfer);
}

function run(job: ScanJob): void {
  const fd = openSync(job.path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(1, job.end - job.start)));
    const decoder = new PieceDecoder(job.start > 0);
    const records = job.mode === 'records';
    const scanner = new LineScanner({ lines: records, lineTime: records ? job.lineTime : undefined });
    const writer = new RecordWriter(records && job.lineTime !== undefined);
    let count = 0;
    const sink = records ? writer.add : () => void count++;
    const pieces: string[] = [];
    let at = job.start;
    let sinceBatch = 0;
    const flush = (): void => {
      const batch = writer.take(at - job.start);
      if (batch) post({ id: job.id, type: 'batch', batch }, [batch.ints.buffer as ArrayBuffer, batch.nums.buffer as ArrayBuffer]);
      sinceBatch = 0;
    };
    while (at < job.end) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, job.end - at), at);
      if (n === 0) break; // the file got shorter: scan what there was
      at += n;
      sinceBatch += n;
      decoder.push(buffer.subarray(0, n), pieces);
      for (const piece of pieces) scanner.push(piece, sink);
      pieces.length = 0;
      if (records && sinceBatch >= job.batchBytes) flush();
    }
    decoder.end(pieces);
    for (const piece of pieces) scanner.push(piece, sink);
    scanner.end(sink);
    if (records) flush();
    post({ id: job.id, type: 'done', count: records ? writer.total : count, chars: scanner.chars, breaks: scanner.breaks, bytes: at - job.start });
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (job: ScanJob) => {
  try {
    run(job);
  } catch (e) {
    const err = e as { message?: unknown; code?: unknown };
    post({ id: job.id, type: 'error', message: typeof err.message === 'string' ? err.message : String(e), code: typeof err.code === 'string' ? err.code : undefined });
  }
});
