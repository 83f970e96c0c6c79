// Tolerant reading of one hunting result row (untrusted): a wrong type reads as absent, numbers may arrive as
// text, and make_set columns arrive as arrays or as JSON text depending on the endpoint.
import type { HuntingRow } from '../../shared/defenderModel';

/** A text cell (numbers and booleans as text), cut to `max` characters. */
export function rowText(row: HuntingRow, key: string, max = Infinity): string | undefined {
  const v = row[key];
  if (typeof v === 'string') return v.length > max ? v.slice(0, max) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A finite number, or numeric text. */
export function rowNumber(row: HuntingRow, key: string): number | undefined {
  const v = row[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A list column: an array, or JSON text of one; anything else is empty. */
export function rowList(row: HuntingRow, key: string): unknown[] {
  let v = row[key];
  if (typeof v === 'string' && v.startsWith('[')) {
    try {
      v = JSON.parse(v);
    } catch {
      return [];
    }
  }
  return Array.isArray(v) ? (v as unknown[]) : [];
}
