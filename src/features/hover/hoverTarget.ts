// Finds the address under the cursor on one line, scanning only a window around the cursor so that very long lines
// (minified JSON, one-line logs) stay cheap, and the timestamp the line carries. Pure: no vscode import.
import type { IpMatch } from '../../core/ip/ipMatch';

/** Characters scanned around the cursor on long lines. */
export const HOVER_WINDOW = 2000;
/** Timestamps lead their lines; on a long line only this much of the start is searched for one. */
const TIME_PREFIX = 512;

/** `matchAt` of the scanner: the match containing (or ending at) an offset. */
export type MatchAt = (text: string, offset: number) => IpMatch | undefined;

export interface HoverTarget {
  match: IpMatch;
  /** Offsets of the address in the whole line (end exclusive). */
  start: number;
  end: number;
  /** The address as written (defanged text, zone included). */
  text: string;
}

/** The part of the line to scan: the whole line when short, else a window centred on the cursor. */
export function scanWindow(lineLength: number, character: number, window = HOVER_WINDOW): { start: number; end: number } {
  if (lineLength <= window) return { start: 0, end: lineLength };
  const half = Math.floor(window / 2);
  const start = Math.max(0, Math.min(character - half, lineLength - window));
  return { start, end: start + window };
}

/** Quick test before scanning: an address needs a digit or a colon near the cursor. */
function mayHoldAddress(text: string): boolean {
  return /[\d:]/.test(text);
}

export function findHoverTarget(line: string, character: number, matchAt: MatchAt, window = HOVER_WINDOW): HoverTarget | undefined {
  if (character < 0 || character > line.length) return undefined;
  const w = scanWindow(line.length, character, window);
  const text = line.slice(w.start, w.end);
  if (!mayHoldAddress(text)) return undefined;
  const at = character - w.start;
  // The end offset itself counts: VS Code reports the position after the last character when hovering it.
  const m = matchAt(text, at);
  if (!m || m.start > at || at > m.end) return undefined;
  return { match: m, start: w.start + m.start, end: w.start + m.end, text: text.slice(m.start, m.end) };
}

/** The text to search for the line's timestamp: the whole line, or its start on very long lines. */
export function timeSearchText(line: string): string {
  return line.length <= HOVER_WINDOW ? line : line.slice(0, TIME_PREFIX);
}
