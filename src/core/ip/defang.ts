// Defanging and refanging of address text, the way threat-intel notes write indicators (`198.51.100[.]23`).

/** Writes an address so it cannot be clicked or resolved by accident: `.` becomes `[.]`, `:` becomes `[:]`. */
export function defang(value: string): string {
  return value.replace(/[.:]/g, (c) => (c === '.' ? '[.]' : '[:]'));
}

/** Undoes the separator forms the scanner accepts: `[.]`, `(.)`, `{.}` and `[:]`. Other text is left alone. */
export function refang(text: string): string {
  return text.replace(/\[\.\]|\(\.\)|\{\.\}|\[:\]/g, (s) => (s[1] === ':' ? ':' : '.'));
}
