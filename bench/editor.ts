// `npm run bench:editor`: the editor's per-document work on a 100,000-line open log, in plain Node over the pure
// parts: locating the triaged addresses (offsets that still hold, and a rescan after an edit), grouping them by
// verdict, turning offsets into line/character positions, the visible range alone, and the cursor context key.
// Baselines in the same run: the plain scanText of the document, and the previous way of locating after an edit.
import { loadavg } from 'node:os';
import { scanText, matchAt } from '../src/core/ip/scanner';
import { AddressCollector } from '../src/core/triage/addressCollector';
import { extractAddresses } from '../src/core/triage/extractAddresses';
import { LineIndex, locateAddresses, locateInRange, rangesByVerdict } from '../src/features/triage/decorationRanges';
import { findHoverTarget } from '../src/features/hover/hoverTarget';
import type { TriageEntry, TriageVerdict } from '../src/shared/triageModel';
import { LOG_SHAPES } from './logShapes';

const LINES = 100_000;
const VISIBLE_LINES = 60;
const ROUNDS = 7;
const NAME = 'open.log';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function ms(f: () => unknown): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** 100,000 lines taken in turn from the syslog, access and Zeek shapes (about 14 MB). */
function document(): string {
  const sources = [0, 1, 3].map((k) => LOG_SHAPES[k].generate(77 + k, 8_000_000).split('\n'));
  const lines: string[] = [];
  for (let i = 0; lines.length < LINES; i++) lines.push(sources[i % 3][Math.floor(i / 3)]);
  return lines.join('\n') + '\n';
}

async function triage(text: string): Promise<TriageEntry[]> {
  const c = new AddressCollector();
  const it = extractAddresses([{ kind: 'text', name: NAME, text }], c, { lineTime: { now: new Date('2026-12-01T00:00:00Z') } });
  for (let r = await it.next(); !r.done; r = await it.next());
  const verdicts: TriageVerdict[] = ['alerts', 'seen', 'not-seen', 'internal', 'skipped', 'unknown'];
  let k = 0;
  return [...c.addresses.values()].map((a) => ({
    ip: a.ip,
    version: a.version,
    ipClass: a.ipClass,
    internal: a.timed,
    verdict: verdicts[k++ % verdicts.length],
    occurrenceCount: a.occurrenceCount,
    occurrences: a.occurrences,
    occurrencesTruncated: a.occurrencesTruncated,
    files: a.files,
    defanged: a.defanged,
    problems: [],
  })) as unknown as TriageEntry[];
}

/** How the document was located after an edit before: every match of the whole text as an object. */
function rescanBefore(entries: readonly TriageEntry[], text: string): number {
  const known = new Set(entries.map((e) => e.ip));
  let n = 0;
  for (const m of scanText(text)) if (known.has(m.value)) n++;
  return n;
}

async function main(): Promise<void> {
  const text = document();
  const entries = await triage(text);
  const names = new Set([NAME]);
  const verdictOf = new Map(entries.map((e) => [e.ip, e.verdict]));
  const known = new Set(entries.map((e) => e.ip));
  // An edit on the first line: every offset after it moves by one.
  const edited = `#${text}`;
  const occurrences = entries.reduce((n, e) => n + e.occurrences.length, 0);
  const index = new LineIndex(text);
  const firstVisible = Math.floor(LINES / 2);
  const visible = { start: index.offsetAt(firstVisible, 0), end: index.offsetAt(firstVisible + VISIBLE_LINES, 0) };

  const t: Record<string, number[]> = {};
  const add = (k: string, v: number): void => void (t[k] ??= []).push(v);
  let located = locateAddresses(entries, names, text);
  for (let r = 0; r < ROUNDS; r++) {
    add('scanText (baseline)', ms(() => scanText(text)));
    add('locate, offsets hold', ms(() => (located = locateAddresses(entries, names, text))));
    add('locate after an edit', ms(() => locateAddresses(entries, names, edited)));
    add('locate after an edit, before', ms(() => rescanBefore(entries, edited)));
    add('group by verdict', ms(() => rangesByVerdict(located.byIp, (ip) => verdictOf.get(ip), (a, b) => a.start - b.start)));
    add('line index of the text', ms(() => new LineIndex(text)));
    add('positions of all ranges', ms(() => {
      for (const ranges of located.byIp.values()) for (const r of ranges) index.positionAt(r.start);
    }));
    add('visible range after an edit', ms(() => locateInRange(known, edited, visible.start + 1, visible.end + 1)));
  }

  // The cursor context key: the address under the cursor, on every line start and middle of the visible range, and in
  // the middle of a 2 MB one-line JSON document.
  const lines = text.split('\n');
  const cursor: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    cursor.push(ms(() => {
      for (let k = firstVisible; k < firstVisible + VISIBLE_LINES; k++) {
        findHoverTarget(lines[k], 0, matchAt);
        findHoverTarget(lines[k], lines[k].length >> 1, matchAt);
      }
    }) / (2 * VISIBLE_LINES));
  }
  const longLine = `[${Array.from({ length: 40_000 }, (_, k) => `{"src":"10.0.${k & 255}.${k % 250}","n":${k}}`).join(',')}]`;
  const long: number[] = [];
  for (let r = 0; r < ROUNDS; r++) long.push(ms(() => findHoverTarget(longLine, longLine.length >> 1, matchAt)));

  const ranges = [...located.byIp.values()].reduce((n, rs) => n + rs.length, 0);
  const out = [
    `bench:editor: ${LINES.toLocaleString('en')} lines, ${(text.length / 1e6).toFixed(1)} MB, ${entries.length} triaged addresses, ${occurrences} kept occurrences, ${ranges} ranges to decorate; medians of ${ROUNDS} (load average ${loadavg()[0].toFixed(1)})`,
    '',
    ...Object.entries(t).map(([k, v]) => `  ${k.padEnd(34)} ${median(v).toFixed(1).padStart(8)} ms`),
    `  ${'cursor context key, per move'.padEnd(34)} ${(median(cursor) * 1000).toFixed(1).padStart(8)} µs  (on a 2 MB line: ${(median(long) * 1000).toFixed(1)} µs)`,
    '',
    `after an edit: ${(median(t['locate after an edit, before']) / median(t['locate after an edit'])).toFixed(1)}x faster than before; the visible range alone ${(median(t['locate after an edit']) / median(t['visible range after an edit'])).toFixed(0)}x faster than the whole document`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:editor failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
