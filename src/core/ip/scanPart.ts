// Scans one part of a file, read here with synchronous calls: the job of a scan worker (scanWorker.ts), and of the
// main thread when it takes parts too (a command-line count). Matches go out as record batches, are only counted,
// or are collected for a triage (partCollector.ts: the worker serves triage extraction too).
import { closeSync, openSync, readSync } from 'node:fs';
import { PieceDecoder } from './decodePieces';
import { LineScanner } from './lineScanner';
import { RecordWriter, type RecordBatch } from './matchRecords';
import type { JobDone, ScanJob } from './scanPool';
import { PartCollector } from '../triage/partCollector';
import { collectPart } from '../triage/collectPart';
import { wasmCountFd } from './wasmCount';

const READ_BYTES = 1 << 20;

/** Scans [job.start, job.end) of the file; batches (records mode) go to `onBatch` every job.batchBytes or so. */
export function scanPart(job: Omit<ScanJob, 'id'>, onBatch: (batch: RecordBatch) => void): JobDone {
  const fd = openSync(job.path, 'r');
  try {
    if (job.mode === 'count') {
      // Counting reads the bytes straight into the WebAssembly scanner (chars and breaks: a count has no use for them).
      const count = wasmCountFd(fd, job.start, job.end);
      if (count !== undefined) return { count, chars: 0, breaks: 0, bytes: job.end - job.start };
    }
    if (job.mode === 'collect') {
      // A triage part is scanned in WebAssembly too, its matches collected here (collectPart.ts).
      const done = collectPart(fd, job);
      if (done) return done;
    }
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(1, job.end - job.start)));
    // A part after the first starts right after a line break, inside UTF-8 text: no byte order mark to look for.
    const decoder = new PieceDecoder(job.start > 0);
    const records = job.mode === 'records';
    const collect = job.mode === 'collect';
    const scanner = new LineScanner(job.mode === 'count' ? { countOnly: true } : { lineTime: job.lineTime, keyed: collect });
    const collector = collect ? new PartCollector(job.collect ?? { maxOccurrences: 200, maxTimes: 4096 }) : undefined;
    const writer = new RecordWriter(records && job.lineTime !== undefined);
    const sink = collector ? collector.sink(scanner) : writer.add;
    const pieces: string[] = [];
    let at = job.start;
    let sinceBatch = 0;
    const flush = (): void => {
      const batch = writer.take(at - job.start);
      if (batch) onBatch(batch);
      sinceBatch = 0;
    };
    // Each read hands over its bytes up to its last line feed and keeps the unfinished line at the front of the buffer
    // for the next: the scanner gets pieces that start lines, and takes them without copying (see LineScanner.step).
    let carry = 0;
    while (at < job.end) {
      const n = readSync(fd, buffer, carry, Math.min(buffer.length - carry, job.end - at), at);
      if (n === 0) break; // the file got shorter: scan what there was
      at += n;
      sinceBatch += n;
      const filled = carry + n;
      let upTo = filled;
      if (at < job.end && filled === buffer.length) {
        const nl = buffer.lastIndexOf(10, filled - 1);
        if (nl >= 0) upTo = nl + 1; // else a line longer than the buffer: it goes as it is
      }
      decoder.push(buffer.subarray(0, upTo), pieces);
      for (const piece of pieces) scanner.push(piece, sink);
      pieces.length = 0;
      carry = filled - upTo;
      if (carry > 0) buffer.copyWithin(0, upTo, filled);
      if (records && sinceBatch >= job.batchBytes) flush();
    }
    if (carry > 0) {
      decoder.push(buffer.subarray(0, carry), pieces);
      for (const piece of pieces) scanner.push(piece, sink);
      pieces.length = 0;
    }
    decoder.end(pieces);
    for (const piece of pieces) scanner.push(piece, sink);
    scanner.end(sink);
    if (records) flush();
    const collection = collector?.result();
    const count = records ? writer.total : collection ? collection.matches : scanner.tally.count;
    return { count, chars: scanner.chars, breaks: scanner.breaks, bytes: at - job.start, ...(collection ? { collection } : {}) };
  } finally {
    closeSync(fd);
  }
}
