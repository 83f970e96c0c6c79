// The extraction phase of triage: streams files (from disk, not through editors, which truncate large
// files), byte streams (stdin) or text (a selection) through the file scanner into the collector.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { scanStreamBatches, type FileMatch } from '../ip/scanFile';
import type { LineTimeOptions } from '../ip/logTime';
import { AddressCollector } from './addressCollector';
import { fromExtraction, toExtraction, type SourceExtraction } from './sourceExtraction';
import type { SourceSummary } from '../../shared/triageModel';

/** Receives what one source yielded, once it was read to the end without an error (to reuse it next time). */
export type ExtractionCapture = (extraction: SourceExtraction) => void;

export type TriageInput =
  | {
      kind: 'file';
      path: string;
      /** What occurrences name as their file; default `path`. */
      name?: string;
      capture?: ExtractionCapture;
    }
  | { kind: 'stream'; name: string; stream: AsyncIterable<Uint8Array | string>; capture?: ExtractionCapture }
  | {
      kind: 'text';
      /** What occurrences name as their file (e.g. the document's URI or path). */
      name: string;
      text: string;
      /** Where `text` starts in its document (a selection): offsets, lines and columns are shifted by it. */
      base?: { offset: number; line: number; column: number };
      capture?: ExtractionCapture;
    }
  /** What an earlier run extracted from a file that has not changed since: replayed, not read. */
  | { kind: 'extracted'; name: string; extraction: SourceExtraction };

export type ExtractionStep =
  | { type: 'progress'; bytesScanned: number; bytesTotal?: number }
  | { type: 'source'; source: SourceSummary };

export interface ExtractionResult {
  bytes: number;
  sources: SourceSummary[];
}

export interface ExtractOptions {
  signal?: AbortSignal;
  lineTime?: LineTimeOptions;
  /** Emit a progress step every this many bytes. Default 8 MiB. */
  progressEveryBytes?: number;
  chunkBytes?: number;
}

/**
 * Scans every input in turn into `collector`. A file that cannot be read becomes a source with an
 * `error` (the others still count); cancellation throws the signal's reason.
 */
export async function* extractAddresses(
  inputs: readonly TriageInput[],
  collector: AddressCollector,
  options: ExtractOptions = {},
): AsyncGenerator<ExtractionStep, ExtractionResult, undefined> {
  const every = options.progressEveryBytes ?? 8 << 20;
  const sources: SourceSummary[] = [];
  let total: number | undefined = 0;
  for (const input of inputs) {
    if (input.kind === 'file') {
      try {
        total = total === undefined ? undefined : total + (await stat(input.path)).size;
      } catch {
        // Reported when the file is read.
      }
    } else if (input.kind === 'text') {
      total = total === undefined ? undefined : total + Buffer.byteLength(input.text);
    } else if (input.kind === 'extracted') {
      total = total === undefined ? undefined : total + input.extraction.bytes;
    } else total = undefined;
  }
  let done = 0;
  let nextReport = every;

  for (const input of inputs) {
    options.signal?.throwIfAborted();
    const name = input.kind === 'file' ? (input.name ?? input.path) : input.name;
    const summary: SourceSummary = { name, bytes: 0, matches: 0 };
    if (input.kind === 'extracted') {
      collector.merge(fromExtraction(input.extraction, name, collector.options));
      summary.bytes = input.extraction.bytes;
      summary.matches = input.extraction.matches;
      summary.reused = true;
      done += summary.bytes;
      sources.push(summary);
      yield { type: 'source', source: summary };
      continue;
    }
    // A source to capture is collected on its own, then merged: its own addresses are what is kept for next time.
    const own = input.capture ? new AddressCollector(collector.options) : undefined;
    const target = own ?? collector;
    const counter = { bytes: 0 };
    const bytes =
      input.kind === 'file'
        ? countBytes(createReadStream(input.path, { highWaterMark: options.chunkBytes ?? 1 << 20 }), counter)
        : input.kind === 'stream'
          ? countBytes(input.stream, counter)
          : countBytes([input.text], counter);
    const shift = input.kind === 'text' ? input.base : undefined;
    try {
      for await (const batch of scanStreamBatches(bytes, { signal: options.signal, lineTime: options.lineTime ?? true })) {
        for (const m of batch) {
          if (shift) shiftMatch(m, shift);
          target.add(name, m);
        }
        // The run's count moves on while a captured source is read (progress shows it).
        if (own) collector.occurrences += batch.length;
        summary.matches += batch.length;
        if (done + counter.bytes >= nextReport) {
          nextReport = done + counter.bytes + every;
          yield { type: 'progress', bytesScanned: done + counter.bytes, ...(total !== undefined ? { bytesTotal: total } : {}) };
        }
      }
    } catch (e) {
      if (options.signal?.aborted) {
        // Cancelling keeps what arrived, from a captured source too (it is not kept for reuse: it is incomplete).
        if (own) collector.merge(own.addresses.values(), { countOccurrences: false });
        throw e;
      }
      summary.error = readError(e);
    }
    if (own) {
      collector.merge(own.addresses.values(), { countOccurrences: false });
      if (!summary.error && input.capture) input.capture(toExtraction(own, counter.bytes));
    }
    summary.bytes = counter.bytes;
    done += counter.bytes;
    sources.push(summary);
    yield { type: 'source', source: summary };
  }
  return { bytes: done, sources };
}

async function* countBytes(source: AsyncIterable<Uint8Array | string> | Iterable<string>, counter: { bytes: number }): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    yield chunk;
  }
}

function shiftMatch(m: FileMatch, base: { offset: number; line: number; column: number }): void {
  if (m.line === 1) m.column += base.column - 1;
  m.line += base.line - 1;
  m.start += base.offset;
  m.end += base.offset;
}

/** A short reason without the stack (the path is the source's name already). */
function readError(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'No such file.';
  if (code === 'EACCES' || code === 'EPERM') return 'Permission denied.';
  if (code === 'EISDIR') return 'Is a directory.';
  return e instanceof Error ? e.message : String(e);
}
