// Pure formatting of untrusted values for display: times in UTC, relative ages, counts, and text with
// invisible or direction-changing characters made visible (an RTL override must not disguise a name).
import type { Lookback } from '../../src/shared/investigation';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Milliseconds of an ISO time, or undefined when absent or unreadable. */
export function timeMs(iso: string | undefined): number | undefined {
  if (iso === undefined || iso === '') return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** `2026-11-20 08:44:05 UTC`; the raw text when it is not a time; an em dash when absent. */
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

export function formatTime(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '—';
  // Fast path for the API's own UTC form (10,000 timeline rows are formatted when they arrive).
  if (UTC_ISO.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  const t = timeMs(iso);
  if (t === undefined) return visibleText(iso);
  const d = new Date(t);
  return `${formatDayMs(t)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** `2026-11-20` (UTC) of a time in ms. */
export function formatDayMs(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `5 min ago`, `3 h ago`, `2 d ago`, `in 4 h`; empty when the time is unreadable. */
export function formatRelative(iso: string | undefined, nowMs: number): string {
  const t = timeMs(iso);
  if (t === undefined) return '';
  const delta = nowMs - t;
  const abs = Math.abs(delta);
  let text: string;
  if (abs < 60_000) return 'just now';
  if (abs < 3_600_000) text = `${Math.floor(abs / 60_000)} min`;
  else if (abs < 86_400_000) text = `${Math.floor(abs / 3_600_000)} h`;
  else text = `${Math.floor(abs / 86_400_000)} d`;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** `10,000`: grouping without the locale, so tests and screenshots agree. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  const [int, frac] = Math.abs(n).toString().split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (frac ? `.${frac}` : '');
}

export function formatPorts(ports: readonly number[] | undefined, max = 8): string {
  if (!ports || ports.length === 0) return '—';
  const shown = ports.slice(0, max).join(', ');
  return ports.length > max ? `${shown} (+${ports.length - max})` : shown;
}

export const LOOKBACK_LABELS: Record<Lookback, string> = { '1d': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };

// Bidi controls, zero-width and other format characters, C0/C1 controls (tab and line breaks apart).
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * The text with invisible and direction-changing characters shown as `⟨U+202E⟩` and line breaks as `⏎`,
 * so a name cannot hide or reorder what it shows. Still plain text: it is inserted with textContent.
 */
export function visibleText(s: string): string {
  return s
    .replace(INVISIBLE, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`)
    .replace(/\r\n|\r|\n/g, ' ⏎ ')
    .replace(/\t/g, ' ');
}

/** Shortened text for tooltips and narrow cells (the full value stays available elsewhere). */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** Severity as a known CSS class name; anything unknown maps to 'unknown' (never the raw value). */
export type SeverityClass = 'high' | 'medium' | 'low' | 'informational' | 'unknown';
export function severityClass(severity: string | undefined): SeverityClass {
  switch ((severity ?? '').toLowerCase()) {
    case 'high':
      return 'high';
    case 'medium':
      return 'medium';
    case 'low':
      return 'low';
    case 'informational':
      return 'informational';
    default:
      return 'unknown';
  }
}
