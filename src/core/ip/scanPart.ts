// Scans one part of a file, read here with synchronous calls: the job of a scan worker (scanWorker.ts), and of the
// main thread when it takes parts too (a command-line count). Matches go out as record batches, or are only counted.
import { closeSync, openSync, readSync } from 'node:fs';
import { PieceDecoder } from './decodePieces';
import { LineScanner } from './lineScanner';
import { RecordWriter, type RecordBatch } from './matchRecords';
import type { JobDone, ScanJob } from './scanPool';

const READ_BYTES = 1 << 20;

/** Scans [job.start, job.end) of the file; batches (records mode) go to `onBatch` every job.batchBytes or so. */
export function scanPart(job: Omit<ScanJob, 'id'>, onBatch: (batch: RecordBatch) => void): JobDone {
  const fd = openSync(job.path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(1, job.end - job.start)));
    // A part after the first starts right after a line break, inside UTF-8 text: no byte order mark to look for.
    const decoder = new PieceDecoder(job.start > 0);
    const records = job.mode === 'records';
    const scanner = new LineScanner(records ? { lineTime: job.lineTime } : { countOnly: true });
    const writer = new RecordWriter(records && job.lineTime !== undefined);
    const sink = writer.add;
    const pieces: string[] = [];
    let at = job.start;
    let sinceBatch = 0;
    const flush = (): void => {
      const batch = writer.take(at - job.start);
      if (batch) onBatch(batch);
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
    return { count: records ? writer.total : scanner.tally.count, chars: scanner.chars, breaks: scanner.breaks, bytes: at - job.start };
  } finally {
    closeSync(fd);
  }
}
