// Reads one IPv4 or IPv6 address at a given offset of a text (defang-aware), without allocating on failure.
// Shared by the scanner (hot path) and by exact parsing of user input.

/** Character flags for ASCII, indexed by UTF-16 code unit. */
export const DIGIT = 1;
export const HEX_LETTER = 2;
/** Letters, digits and `_`: a match may not touch these. */
export const WORD = 4;
export const COLON = 8;
export const DOT = 16;

export const CHAR_FLAGS = new Uint8Array(128);
/** Hex value of an ASCII code unit, or -1. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 48; c <= 57; c++) {
  CHAR_FLAGS[c] = DIGIT | WORD;
  HEX_VALUE[c] = c - 48;
}
for (let c = 65; c <= 90; c++) CHAR_FLAGS[c] = WORD;
for (let c = 97; c <= 122; c++) CHAR_FLAGS[c] = WORD;
for (let k = 0; k < 6; k++) {
  CHAR_FLAGS[65 + k] |= HEX_LETTER;
  CHAR_FLAGS[97 + k] |= HEX_LETTER;
  HEX_VALUE[65 + k] = 10 + k;
  HEX_VALUE[97 + k] = 10 + k;
}
CHAR_FLAGS[95] = WORD; // _
CHAR_FLAGS[58] = COLON;
CHAR_FLAGS[46] = DOT;

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isWordCode(c: number): boolean {
  return c < 128 && (CHAR_FLAGS[c] & WORD) !== 0;
}

export function isHexCode(c: number): boolean {
  return c < 128 && HEX_VALUE[c] >= 0;
}

/** Length of a dot separator at `i`: 1 for `.`, 3 for `[.]`, `(.)`, `{.}`, else 0. */
export function dotAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 46) return 1;
  if (c === 91 || c === 40 || c === 123) {
    if (text.charCodeAt(i + 1) === 46 && text.charCodeAt(i + 2) === closerOf(c)) return 3;
  }
  return 0;
}

/** Length of a colon separator at `i`: 1 for `:`, 3 for `[:]`, else 0. */
export function colonAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 58) return 1;
  if (c === 91 && text.charCodeAt(i + 1) === 58 && text.charCodeAt(i + 2) === 93) return 3;
  return 0;
}

function closerOf(open: number): number {
  return open === 91 ? 93 : open === 40 ? 41 : 125;
}

export interface Ipv4Read {
  end: number;
  /** The address as an unsigned 32-bit integer. */
  value: number;
  leadingZeros: boolean;
  defanged: boolean;
}

export function newIpv4Read(): Ipv4Read {
  return { end: 0, value: 0, leadingZeros: false, defanged: false };
}

/**
 * Reads four decimal octets (0-255, at most three digits each) at `pos`, with `.` or a defanged dot
 * between them. Fills `out` and returns true on success. Boundaries are the caller's business.
 */
export function readIpv4At(text: string, pos: number, out: Ipv4Read): boolean {
  let i = pos;
  let value = 0;
  let leadingZeros = false;
  let defanged = false;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      const sep = dotAt(text, i);
      if (sep === 0) return false;
      if (sep > 1) defanged = true;
      i += sep;
    }
    const first = i;
    let c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return false;
    let n = c - 48;
    i++;
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + c - 48;
      i++;
      c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        n = n * 10 + c - 48;
        i++;
        // A fourth digit: this is a longer number, not an octet.
        if (isDigitCode(text.charCodeAt(i))) return false;
      }
    }
    if (n > 255) return false;
    if (i - first > 1 && text.charCodeAt(first) === 48) leadingZeros = true;
    value = value * 256 + n;
  }
  out.end = i;
  out.value = value;
  out.leadingZeros = leadingZeros;
  out.defanged = defanged;
  return true;
}

export interface Ipv6Read {
  end: number;
  /** The eight 16-bit groups; a scratch array owned by the read object, copy it to keep it. */
  groups: Uint16Array;
  defanged: boolean;
  /** The embedded IPv4 part had an octet with leading zeros. */
  leadingZeros: boolean;
  /** The address text contains a decimal digit (an address without one is a scope operator or a lone `::`). */
  hasDecimalDigit: boolean;
  /** The text is already in RFC 5952 form (so it can be used as the value without formatting). */
  canonical: boolean;
}

export function newIpv6Read(): Ipv6Read {
  return { end: 0, groups: new Uint16Array(8), defanged: false, leadingZeros: false, hasDecimalDigit: false, canonical: false };
}

const v4Scratch = newIpv4Read();
const rawGroups = new Uint16Array(8);
const NONE = 0x7fffffff;

/**
 * Reads the longest valid RFC 4291 address text at `pos`: `::` at most once, embedded IPv4 in the last
 * 32 bits, `:` or `[:]` between groups. Returns false when no prefix of the text there is an address.
 * Reads at most about 130 code units past `pos`.
 */
export function readIpv6At(text: string, pos: number, out: Ipv6Read): boolean {
  let i = pos;
  let n = 0; // groups read
  let gap = -1; // index in rawGroups where `::` stands
  let end = -1; // end of the longest complete address so far
  let endGroups = 0;
  let endGap = -1;
  let endV4 = false;
  let firstDefang = NONE;
  let firstDigit = NONE;
  /** First position of text that is not RFC 5952 style: an upper-case digit or a group with a leading zero. */
  let firstOdd = NONE;
  let v4LeadingZeros = false;

  let c = text.charCodeAt(i);
  if (c === 58 || c === 91) {
    const lead = colonAt(text, i);
    if (lead === 0) return false;
    const lead2 = colonAt(text, i + lead);
    if (lead2 === 0) return false;
    if (lead > 1 || lead2 > 1) firstDefang = i;
    gap = 0;
    i += lead + lead2;
    end = i;
    endGap = 0;
    c = text.charCodeAt(i);
  }
  for (;;) {
    if (n >= 8 || (gap >= 0 && n >= 7)) break;
    // One group of 1-4 hex digits.
    const groupStart = i;
    let v = 0;
    let decimalOnly = true;
    // Each character read once: `c` is the one at `i`. (Flags set by a group that turns out too long do
    // not matter: they lie past the end of any address found so far.)
    for (;;) {
      if (c >= 48 && c <= 57) {
        v = v * 16 + c - 48;
        if (firstDigit === NONE) firstDigit = i;
      } else if (c >= 97 && c <= 102) {
        v = v * 16 + c - 87;
        decimalOnly = false;
      } else if (c >= 65 && c <= 70) {
        v = v * 16 + c - 55;
        decimalOnly = false;
        if (firstOdd === NONE) firstOdd = i;
      } else break;
      c = text.charCodeAt(++i);
      if (i - groupStart === 5) break;
    }
    const len = i - groupStart;
    if (len === 0 || len > 4) break;
    if (
      decimalOnly && len <= 3 && (c === 46 || dotAt(text, i) !== 0) &&
      (gap < 0 ? n === 6 : n <= 5) && readIpv4At(text, groupStart, v4Scratch)
    ) {
      // Embedded IPv4 in the last 32 bits. (Otherwise the group stands alone and the dot ends the text.)
      rawGroups[n++] = v4Scratch.value >>> 16;
      rawGroups[n++] = v4Scratch.value & 0xffff;
      if (v4Scratch.defanged && firstDefang === NONE) firstDefang = groupStart;
      v4LeadingZeros = v4Scratch.leadingZeros;
      end = v4Scratch.end;
      endGroups = n;
      endGap = gap;
      endV4 = true;
      break;
    }
    if (len > 1 && text.charCodeAt(groupStart) === 48 && firstOdd === NONE) firstOdd = groupStart;
    rawGroups[n++] = v;
    if (gap >= 0 || n === 8) {
      end = i;
      endGroups = n;
      endGap = gap;
    }
    // `c` is still the character after the group.
    let s1: number;
    if (c === 58) s1 = 1;
    else if (c === 91 && colonAt(text, i) === 3) s1 = 3;
    else break;
    const c2 = text.charCodeAt(i + s1);
    const s2 = c2 === 58 ? 1 : c2 === 91 ? colonAt(text, i + s1) : 0;
    if (s2 !== 0) {
      if (gap >= 0) break; // a second `::`
      if (n >= 8) break;
      gap = n;
      if ((s1 > 1 || s2 > 1) && firstDefang === NONE) firstDefang = i;
      i += s1 + s2;
      end = i;
      endGroups = n;
      endGap = gap;
      c = text.charCodeAt(i);
      continue;
    }
    if (s1 > 1 && firstDefang === NONE) firstDefang = i;
    i += s1;
    c = c2;
  }
  if (end < 0) return false;
  if (endGap < 0 && endGroups !== 8) return false;
  // Expand `::` into the zero run.
  const g = out.groups;
  if (endGap < 0) {
    for (let k = 0; k < 8; k++) g[k] = rawGroups[k];
  } else {
    const tail = endGroups - endGap;
    const zeros = 8 - endGroups;
    for (let k = 0; k < endGap; k++) g[k] = rawGroups[k];
    for (let k = 0; k < zeros; k++) g[endGap + k] = 0;
    for (let k = 0; k < tail; k++) g[endGap + zeros + k] = rawGroups[endGap + k];
  }
  out.end = end;
  out.defanged = firstDefang < end;
  out.hasDecimalDigit = firstDigit < end;
  out.leadingZeros = endV4 && v4LeadingZeros;
  out.canonical = !out.defanged && firstOdd >= end && !out.leadingZeros && isCanonicalShape(g, endGap, endGroups, endV4);
  return true;
}

/** Whether the written `::` (at `gap`, standing for 8 - `groups` zeros) and mixed notation are what RFC 5952 asks for. */
function isCanonicalShape(g: Uint16Array, gap: number, groups: number, v4: boolean): boolean {
  const mapped = g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
  if (mapped || v4) return mapped && v4 && gap === 0 && groups === 3;
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && g[j] === 0) j++;
    if (j - k > bestLen) {
      bestStart = k;
      bestLen = j - k;
    }
    k = j;
  }
  if (bestStart < 0) return gap < 0;
  return gap === bestStart && 8 - groups === bestLen;
}
