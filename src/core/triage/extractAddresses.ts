// The extraction phase of triage: streams files (from disk, not through editors, which truncate large
// files), byte streams (stdin) or text (a selection) through the file scanner into the collector.
import { stat } from 'node:fs/promises';
import { resolveTimeOptions, scanFileInto, scanStreamInto, type MatchSink } from '../ip/scanFile';
import type { LineTimeOptions } from '../ip/logTime';
import { parallelScan, type ParallelOptions } from '../ip/parallelScan';
import { AddressCollector, type CollectedAddress } from './addressCollector';
import { collectFileHere } from './collectPart';
import type { PartCollection } from './partCollector';
import { fromExtraction, toExtractionSteps, type SourceExtraction } from './sourceExtraction';
import type { SourceSummary } from '../../shared/triageModel';
import { runInTurns } from '../../shared/generators';

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
  /** Large files go to the scan workers (default: the shared pool, from 16 MiB); false keeps every scan in this thread. */
  parallel?: ParallelOptions | false;
  /**
   * Files read in this thread are scanned in WebAssembly where they can be, and collected as a worker collects a part
   * (default true); false: the JavaScript scanner into the collector, match by match (the reference the tests hold
   * the others to).
   */
  wasm?: boolean;
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
      await mergeInTurns(collector, fromExtraction(input.extraction, name, collector.options), true);
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
    const before = target.occurrences;
    const runBefore = collector.occurrences;
    const shift = input.kind === 'text' ? input.base : undefined;
    const sink: MatchSink = shift ? shiftedSink(target, name, shift) : (m, at) => target.addAt(name, m, at);
    const lineTime: LineTimeOptions | false = resolveTimeOptions(options.lineTime ?? true) ?? false;
    const scanOptions = { signal: options.signal, lineTime };
    const steps =
      input.kind === 'file'
        ? fileSteps(input.path, name, target, sink, { ...scanOptions, chunkBytes: options.chunkBytes, parallel: options.parallel, wasm: options.wasm })
        : scanStreamInto(input.kind === 'stream' ? countBytes(input.stream, counter) : countBytes([input.text], counter), sink, scanOptions);
    try {
      for await (const units of steps) {
        // A file's scan counts its bytes itself; streams and text are counted on the way in.
        if (input.kind === 'file') counter.bytes = units;
        summary.matches = target.occurrences - before;
        // The run's count moves on while a captured source is read (progress shows it).
        if (own) collector.occurrences = runBefore + summary.matches;
        if (done + counter.bytes >= nextReport) {
          nextReport = done + counter.bytes + every;
          yield { type: 'progress', bytesScanned: done + counter.bytes, ...(total !== undefined ? { bytesTotal: total } : {}) };
        }
      }
    } catch (e) {
      if (options.signal?.aborted) {
        // Cancelling keeps what arrived, from a captured source too (it is not kept for reuse: it is incomplete).
        if (own) {
          collector.occurrences = runBefore + own.occurrences - before;
          collector.merge(own.addresses.values(), { countOccurrences: false });
        }
        throw e;
      }
      summary.error = readError(e);
    }
    summary.matches = target.occurrences - before;
    if (own) {
      collector.occurrences = runBefore + summary.matches;
      await mergeInTurns(collector, own.addresses.values(), false);
      if (!summary.error && input.capture) input.capture(await runInTurns(toExtractionSteps(own, counter.bytes)));
    }
    summary.bytes = counter.bytes;
    done += counter.bytes;
    sources.push(summary);
    yield { type: 'source', source: summary };
  }
  return { bytes: done, sources };
}

/**
 * A file's extraction; yields the bytes read so far. A large file is collected in the scan workers, part by part,
 * and the parts merged here in file order, a slice per turn of the event loop (an editor's thread stays free).
 */
async function* fileSteps(
  path: string,
  name: string,
  collector: AddressCollector,
  sink: MatchSink,
  options: { signal?: AbortSignal; lineTime: LineTimeOptions | false; chunkBytes?: number; parallel?: ParallelOptions | false; wasm?: boolean },
): AsyncGenerator<number, void, undefined> {
  if (options.parallel !== false) {
    const run = await parallelScan(path, {
      mode: 'collect',
      collect: collector.partOptions,
      lineTime: options.lineTime === false ? undefined : options.lineTime,
      signal: options.signal,
      ...options.parallel,
    });
    if (run) {
      for await (const part of run.collections()) {
        await runInTurns(collector.mergePart(name, part.collection, part.charBase, part.lineBreaksBefore));
        yield part.end;
      }
      return;
    }
  }
  if (options.wasm !== false) {
    // In this thread, as a worker would collect it as one part (merged here the same way).
    const out: { collection?: PartCollection } = {};
    const lineTime = options.lineTime === false ? undefined : options.lineTime;
    let bytes = 0;
    try {
      for await (const read of collectFileHere(path, { collect: collector.partOptions, lineTime, signal: options.signal }, out)) yield (bytes = read);
    } catch (e) {
      // Cancelled, or a read failed: what was scanned before is kept.
      if (out.collection) await runInTurns(collector.mergePart(name, out.collection, 0, 0));
      throw e;
    }
    if (out.collection) {
      await runInTurns(collector.mergePart(name, out.collection, 0, 0));
      yield bytes;
      return;
    }
  }
  yield* scanFileInto(path, sink, { ...options, parallel: false });
}

/**
 * Merges what one source collected on its own into the run's collector, a slice per turn of the event loop (an
 * editor's thread stays free while a large file's addresses are merged).
 */
async function mergeInTurns(collector: AddressCollector, addresses: Iterable<CollectedAddress>, countOccurrences: boolean): Promise<void> {
  await runInTurns(collector.mergeSteps(addresses, { countOccurrences }));
}

async function* countBytes(source: AsyncIterable<Uint8Array | string> | Iterable<string>, counter: { bytes: number }): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    yield chunk;
  }
}

/** Matches of a selection, moved to where the selection starts in its document. */
function shiftedSink(collector: AddressCollector, name: string, base: { offset: number; line: number; column: number }): MatchSink {
  return (m, at) => {
    const line = at.line + base.line - 1;
    const column = at.line === 1 ? at.column + base.column - 1 : at.column;
    collector.addAt(name, { ...m, start: m.start + base.offset, end: m.end + base.offset }, { line, column, time: () => at.time() });
  };
}

/** A short reason without the stack (the path is the source's name already). */
function readError(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'No such file.';
  if (code === 'EACCES' || code === 'EPERM') return 'Permission denied.';
  if (code === 'EISDIR') return 'Is a directory.';
  return e instanceof Error ? e.message : String(e);
}
