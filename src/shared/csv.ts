// One CSV cell (RFC 4180) for every export: values from the API and from files are attacker-controlled,
// so text that a spreadsheet would run as a formula is defused first.

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`; then the cell is quoted when it
 * holds a quote, comma or line break, or has surrounding spaces. Numbers and booleans go out as is.
 */
export function csvCell(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const s = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
