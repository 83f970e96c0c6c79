// Finds IP addresses in text in one linear pass: it jumps between `.` and `:` anchors (native indexOf),
// reads a bounded candidate before each, then applies the boundary rules. Also a chunked stream scanner.
import type { IpMatch } from './ipMatch';
import type { IpClass } from './classify';
import * as classifyModule from './classify';
import * as formatModule from './formatAddress';
import * as reader from './readAddress';

// Local bindings for everything the hot loop touches: when modules are loaded one by one as CommonJS
// (tsx, node:test), imported names are getters, and a getter per character costs more than the scan.
const { classifyIpv4, classifyIpv6 } = classifyModule;
const { formatIpv4, formatIpv6 } = formatModule;
const { CHAR_FLAGS, colonAt, dotAt, isDigitCode, isHexCode, isWordCode, newIpv4Read, newIpv6Read, readIpv4At, readIpv6At } = reader;
const DIGIT = reader.DIGIT;
const HEX_LETTER = reader.HEX_LETTER;
const WORD = reader.WORD;
const COLON = reader.COLON;
const DOT = reader.DOT;

/** The character before a position blocks an IPv4 start, an IPv6 start, or both. */
const BLOCK4 = 1;
const BLOCK6 = 2;
const BLOCK_ALL = BLOCK4 | BLOCK6;

/** Longest zone id we accept (`%eth0`, `%12`, `%enp0s31f6.100`). */
const MAX_ZONE = 64;

/**
 * How far past a candidate start the scanner may read (address, zone, port or prefix, boundary look-ahead).
 * The stream scanner keeps this much text unscanned until more arrives.
 */
export const SCAN_LOOKAHEAD = 512;
/** How many characters before a scan position the boundary rules look at. */
export const SCAN_LOOKBEHIND = 4;

/** Set per scanRange call: build values from numbers instead of slicing them out of the text. */
let detachValues = false;
/** The scan fills a keyed MatchBuffer: keys written, values left ''. */
let keyed = false;

/** What finishV4/finishV6 do with a match, set per call: a new object, a recycled one, or only counting. */
const EMIT_NEW = 0;
const EMIT_REUSE = 1;
const EMIT_COUNT = 2;
let emitMode = EMIT_NEW;
/** Where EMIT_REUSE writes. */
let reuse: MatchBuffer | undefined;
/** What EMIT_COUNT returns: a match that is only counted. */
const COUNTED: IpMatch = Object.freeze({ value: '', version: 4, start: 0, end: 0, defanged: false, leadingZeros: false, ipClass: 'public' });

/**
 * Match objects recycled from one scan to the next (scanRangeInto): `items[0..count)` are the matches of the
 * last scan, valid until the next scan into the same buffer. For streaming consumers that copy what they keep.
 */
export class MatchBuffer {
  readonly items: IpMatch[] = [];
  count = 0;
  /**
   * Keyed: the address of items[i] is keys[KEY_INTS * i ...] (see KEY_INTS) and its value is left '' (keyValue makes
   * it): for a consumer that looks addresses up by number and needs a value only for the ones it has not seen.
   */
  keys = new Int32Array(0);
  constructor(readonly keyed = false) {}
}

/** Whole numbers per key: IPv4, the address and three zeros; IPv6, its groups two by two; then the version (4 or 6). */
export const KEY_INTS = 5;

/** The value (normalised text) of the address keyed at keys[i] (a keyed MatchBuffer's). */
export function keyValue(keys: Int32Array, i: number): string {
  return keys[i + 4] === 4 ? formatIpv4(keys[i] >>> 0) : formatIpv6(keyGroupsOf(keys, i));
}

/** The class of the address keyed at keys[i] (what the scan gives a match as `ipClass`). */
export function keyClass(keys: Int32Array, i: number): IpClass {
  return keys[i + 4] === 4 ? classifyIpv4(keys[i] >>> 0).ipClass : classifyIpv6(keyGroupsOf(keys, i)).ipClass;
}

/** The eight groups of the IPv6 address keyed at keys[i], in a scratch array (valid until the next call). */
function keyGroupsOf(keys: Int32Array, i: number): Uint16Array {
  const groups = keyGroups;
  for (let k = 0; k < 4; k++) {
    const w = keys[i + k];
    groups[2 * k] = w >>> 16;
    groups[2 * k + 1] = w & 0xffff;
  }
  return groups;
}
const keyGroups = new Uint16Array(8);

/** Writes the key of the match that recycled() fills next. */
function putKey(w0: number, w1: number, w2: number, w3: number, version: number): void {
  const b = reuse!;
  const i = b.count * KEY_INTS;
  if (i + KEY_INTS > b.keys.length) {
    const grown = new Int32Array(Math.max(64 * KEY_INTS, 2 * b.keys.length));
    grown.set(b.keys);
    b.keys = grown;
  }
  const d = b.keys;
  d[i] = w0;
  d[i + 1] = w1;
  d[i + 2] = w2;
  d[i + 3] = w3;
  d[i + 4] = version;
}
/**
 * Where the last match made by finishV4 or finishV6 ends in the scanned text (no delta). Matches come in
 * several shapes (with port, prefix, zone): reading `m.end` back would be a polymorphic property load.
 */
let matchEnd = 0;

const v4 = newIpv4Read();
const v6 = newIpv6Read();

/** Blocking flags of the character at `i` when it precedes a candidate. */
function blockOf(text: string, i: number): number {
  if (i < 0) return 0;
  const c = text.charCodeAt(i);
  if (c >= 128) return 0;
  const f = CHAR_FLAGS[c];
  if ((f & (WORD | DOT)) !== 0) return BLOCK_ALL;
  if ((f & COLON) !== 0) return BLOCK6;
  // The closing bracket of a defanged separator counts as the separator itself.
  if (c === 93 || c === 41 || c === 125) {
    const sep = text.charCodeAt(i - 1);
    if (sep === 46 && dotAt(text, i - 2) === 3) return BLOCK_ALL;
    if (sep === 58 && colonAt(text, i - 2) === 3) return BLOCK6;
  }
  return 0;
}

/**
 * Scans `text` for matches that start in [from, to) and appends them to `out`, with offsets shifted by
 * `delta`. Reads up to SCAN_LOOKAHEAD past `to` and SCAN_LOOKBEHIND before `from`. Returns the position
 * (in `text`) where a following call should resume: `to`, or the end of a match that ran past it.
 * With `detach`, values never share memory with `text` (a substring may pin its whole parent string).
 *
 * Every address has a `.` or `:` within its first five characters (after the first octet or group, or
 * its leading `::`), so the scan jumps from one such anchor to the next with indexOf (native, fast) and
 * tries only the start of the hex run just before each anchor.
 */
export function scanRange(text: string, from: number, to: number, out: IpMatch[], delta = 0, detach = false): number {
  detachValues = detach;
  emitMode = EMIT_NEW;
  return scanCore(text, from, to, out, delta);
}

/** scanRange into recycled objects (see MatchBuffer): the same matches, without a new object for each. */
export function scanRangeInto(text: string, from: number, to: number, buffer: MatchBuffer, delta = 0, detach = false): number {
  detachValues = detach;
  emitMode = EMIT_REUSE;
  reuse = buffer;
  keyed = buffer.keyed;
  buffer.count = 0;
  try {
    return scanCore(text, from, to, buffer.items, delta);
  } finally {
    reuse = undefined;
    keyed = false;
    emitMode = EMIT_NEW;
  }
}

/** scanRange that only counts: adds the number of matches to `tally.count` (no values, no objects). */
export function countRange(text: string, from: number, to: number, tally: { count: number }): number {
  detachValues = false;
  emitMode = EMIT_COUNT;
  counted = 0;
  try {
    return scanCore(text, from, to, [], 0);
  } finally {
    tally.count += counted;
    emitMode = EMIT_NEW;
  }
}

let counted = 0;

function scanCore(text: string, from: number, to: number, out: IpMatch[], delta: number): number {
  const stop = Math.min(to, text.length);
  // A candidate starts at most five characters before its anchor.
  const lastAnchor = stop + 5;
  let pos = Math.max(0, from);
  // The next anchor of each kind, searched for only when needed: STALE means "search from dotFrom"
  // (colonFrom). Anchors inside a match or a skipped run are never searched for.
  let dot = nextIndex(text, '.', pos);
  let colon = nextIndex(text, ':', pos);
  let dotFrom = 0;
  let colonFrom = 0;
  for (;;) {
    if (dot === STALE) dot = nextIndex(text, '.', dotFrom);
    if (colon === STALE) colon = nextIndex(text, ':', colonFrom);
    let m: IpMatch | null;
    if (dot < colon) {
      // IPv4: the anchor is the dot (or the `.` inside `[.]`) after a first octet of one to three digits.
      const a = dot;
      if (a > lastAnchor) break;
      dot = STALE;
      dotFrom = a + 1;
      let j = a;
      let c = text.charCodeAt(a - 1);
      if ((c === 91 || c === 40 || c === 123) && dotAt(text, a - 1) === 3) {
        j = a - 1;
        c = text.charCodeAt(a - 2);
      }
      if (!(c >= 48 && c <= 57)) continue;
      // The second octet (one to three digits) must end in a separator: most dotted numbers in logs
      // (`5.0 (`, `537.36 `, `HTTP/1.1"`) fail here, before any reading back or forth. Each character
      // of the first two octets is read once, here and in the walk back below.
      const o2 = j === a ? a + 1 : a + 2;
      let k = o2;
      let d = text.charCodeAt(k);
      if (!(d >= 48 && d <= 57)) continue;
      const lead2 = d;
      let n2 = d - 48;
      d = text.charCodeAt(++k);
      if (d >= 48 && d <= 57) {
        n2 = n2 * 10 + d - 48;
        d = text.charCodeAt(++k);
        if (d >= 48 && d <= 57) {
          n2 = n2 * 10 + d - 48;
          d = text.charCodeAt(++k);
        }
      }
      if (!(d === 46 || d === 91 || d === 40 || d === 123)) continue;
      let s = j - 1;
      let n1 = c - 48;
      let lead1 = c;
      c = text.charCodeAt(s - 1);
      if (c >= 48 && c <= 57) {
        s--;
        n1 += (c - 48) * 10;
        lead1 = c;
        c = text.charCodeAt(s - 1);
        if (c >= 48 && c <= 57) {
          s--;
          n1 += (c - 48) * 100;
          lead1 = c;
          c = text.charCodeAt(s - 1);
        }
      }
      if (s < pos || s >= stop) continue;
      // `c` is the character before the candidate: no letter, digit, `_` or dot (plain or defanged).
      if (
        (c < 128 && (CHAR_FLAGS[c] & (WORD | DOT)) !== 0) ||
        ((c === 93 || c === 41 || c === 125) && (blockOf(text, s - 1) & BLOCK4) !== 0) ||
        n1 > 255 ||
        n2 > 255 ||
        !readIpv4Tail(text, k, n1 * 256 + n2, (j - s > 1 && lead1 === 48) || (k - o2 > 1 && lead2 === 48), j !== a) ||
        (m = finishV4(text, s, delta)) === null
      ) {
        // The digit-and-dot run that goes on from here (an OID, a version) holds no start either.
        dotFrom = skipDotRun(text, o2, k);
        continue;
      }
    } else if (colon !== FAR) {
      // IPv6: the anchor is the colon after a first group of one to four hex digits, or a leading `::`.
      const a = colon;
      if (a > lastAnchor) break;
      colon = STALE;
      colonFrom = a + 1;
      let j = a;
      let c = text.charCodeAt(a - 1);
      if (c === 91 && text.charCodeAt(a + 1) === 93) {
        j = a - 1;
        c = text.charCodeAt(a - 2);
      }
      let s: number;
      if (isHexCode(c)) {
        s = j - 1;
        const floor = j - 4;
        c = text.charCodeAt(s - 1);
        while (s > floor && isHexCode(c)) {
          s--;
          c = text.charCodeAt(s - 1);
        }
        if (isHexCode(c)) continue; // five or more hex digits: part of a longer word
      } else {
        // A leading `::` (plain or defanged) starts right here.
        if (colonAt(text, a + 1 + (a - j)) === 0) continue;
        s = j;
      }
      if (s < pos || s >= stop) continue;
      if (
        (c < 128 && (CHAR_FLAGS[c] & (WORD | DOT | COLON)) !== 0) ||
        ((c === 93 || c === 41 || c === 125) && (blockOf(text, s - 1) & BLOCK6) !== 0)
      ) {
        // The rest of a colon-separated run (a time, a MAC, a fingerprint) holds no start either.
        colonFrom = skipColonRun(text, a + 1);
        continue;
      }
      if (s !== j) {
        // Times, MACs and fingerprints: a plain run with no `::` and not eight groups is no address.
        // (A defanged first separator is the full reader's business.)
        const runEnd = j === a ? plainColonRunEnd(text, a + 1, 1) : -1;
        if (runEnd >= 0) {
          colonFrom = runEnd;
          continue;
        }
      }
      if (!readIpv6At(text, s, v6) || (m = finishV6(text, s, delta, true)) === null) {
        colonFrom = skipColonRun(text, a + 1);
        continue;
      }
    } else break;
    if (emitMode === EMIT_NEW) out.push(m);
    else if (emitMode === EMIT_REUSE) reuse!.count++;
    else counted++;
    pos = matchEnd;
    if (dot === STALE) {
      if (dotFrom < pos) dotFrom = pos;
    } else if (dot < pos) {
      dot = STALE;
      dotFrom = pos;
    }
    if (colon === STALE) {
      if (colonFrom < pos) colonFrom = pos;
    } else if (colon < pos) {
      colon = STALE;
      colonFrom = pos;
    }
  }
  return Math.max(pos, stop);
}

/**
 * Reads the rest of an IPv4 address whose first two octets the scan has read (`value` holds them): a
 * separator at `k`, then octets three and four, as readIpv4At would. Fills `v4` and returns true on success.
 */
function readIpv4Tail(text: string, k: number, value: number, leadingZeros: boolean, defanged: boolean): boolean {
  let i = k;
  for (let part = 2; part < 4; part++) {
    const sep = text.charCodeAt(i) === 46 ? 1 : dotAt(text, i);
    if (sep === 0) return false;
    if (sep > 1) defanged = true;
    i += sep;
    let c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return false;
    const lead = c;
    const first = i;
    let n = c - 48;
    c = text.charCodeAt(++i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + c - 48;
      c = text.charCodeAt(++i);
      if (c >= 48 && c <= 57) {
        n = n * 10 + c - 48;
        // A fourth digit: this is a longer number, not an octet.
        if (isDigitCode(text.charCodeAt(++i))) return false;
      }
    }
    if (n > 255) return false;
    if (i - first > 1 && lead === 48) leadingZeros = true;
    value = value * 256 + n;
  }
  v4.end = i;
  v4.value = value;
  v4.leadingZeros = leadingZeros;
  v4.defanged = defanged;
  return true;
}

/**
 * After a rejected anchor dot: the start of the last group of the `digits.digits.` run that goes on from
 * it (dots plain or defanged). Every number in the run follows a dot, so none of them can start an address.
 * The run's first group (the digits in [start, i), after the anchor) has been read already.
 */
function skipDotRun(text: string, start: number, i: number): number {
  for (;;) {
    const sep = text.charCodeAt(i) === 46 ? 1 : dotAt(text, i);
    if (sep === 0) return start;
    i += sep;
    start = i;
    let c = text.charCodeAt(i);
    while (c >= 48 && c <= 57) c = text.charCodeAt(++i);
    if (i === start) return start;
  }
}

/**
 * As skipDotRun for `hex:hex:` runs (colons plain or defanged, `::` included) after a rejected anchor
 * colon: every group and every `::` in it follows a colon, so none of them can start an IPv6 address.
 */
function skipColonRun(text: string, i: number): number {
  if (text.charCodeAt(i) === 93 && text.charCodeAt(i - 2) === 91) i++; // the anchor was the `:` of `[:]`
  for (;;) {
    const start = i;
    let c = text.charCodeAt(i);
    while (isHexCode(c)) c = text.charCodeAt(++i);
    const sep = c === 58 ? 1 : colonAt(text, i);
    if (sep === 0) return start;
    i += sep;
  }
}

/**
 * Walks the `hex:hex:...` run that goes on at `s` after `groupsBefore` groups (each followed by a plain
 * colon). Returns where it ends when it cannot hold an address (no `::`, no embedded IPv4, no defanged
 * separator, no zone, and not exactly eight groups: a time, a MAC address, a fingerprint), or -1 when the
 * full reader has to decide. Every colon before the end is inside the run, so none of them can start an
 * address either.
 */
function plainColonRunEnd(text: string, s: number, groupsBefore: number): number {
  let i = s;
  let groups = groupsBefore;
  // Reads each character once: this walks every time, MAC address and fingerprint of a log.
  let c = text.charCodeAt(i);
  for (;;) {
    const g = i;
    while (isHexCode(c)) {
      if (i - g === 4) return -1; // a fifth hex digit
      c = text.charCodeAt(++i);
    }
    if (i === g) return -1;
    groups++;
    if (c !== 58) {
      if (c === 46 || c === 91 || c === 37) return -1;
      return groups === 8 ? -1 : i;
    }
    c = text.charCodeAt(++i);
  }
}

/** "Not found" for anchors: a small integer, so the loop stays in integer arithmetic. */
const FAR = 0x3fffffff;
/** An anchor not searched for yet. */
const STALE = -1;

function nextIndex(text: string, ch: string, from: number): number {
  const i = text.indexOf(ch, from);
  return i < 0 ? FAR : i;
}

/**
 * Reference form of scanRange that tries every position (same results, several times slower). Kept so
 * tests can check the anchor-driven fast path against it.
 */
export function scanRangeByChar(text: string, from: number, to: number, out: IpMatch[], delta = 0): number {
  detachValues = false;
  emitMode = EMIT_NEW;
  let i = Math.max(0, from);
  const stop = Math.min(to, text.length);
  let before = blockOf(text, i - 1);
  while (i < stop) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      before = 0;
      i++;
      continue;
    }
    const f = CHAR_FLAGS[c];
    if (before !== BLOCK_ALL && ((f & (DIGIT | HEX_LETTER | COLON)) !== 0 || c === 91)) {
      const m = tryAt(text, i, before, f, delta, true);
      if (m !== null) {
        out.push(m);
        i = m.end - delta;
        before = blockOf(text, i - 1);
        continue;
      }
    }
    if ((f & (WORD | DOT)) !== 0) before = BLOCK_ALL;
    else if (f === COLON) before = BLOCK6;
    else if (c === 93 || c === 41 || c === 125) before = blockOf(text, i);
    else before = 0;
    i++;
  }
  return i;
}

function tryAt(text: string, start: number, before: number, f: number, delta: number, requireDigit = true): IpMatch | null {
  if ((f & DIGIT) !== 0 && (before & BLOCK4) === 0 && readIpv4At(text, start, v4)) {
    // The first part ended in a dot, so this cannot be IPv6 either.
    return finishV4(text, start, delta);
  }
  if ((before & BLOCK6) !== 0) return null;
  const c = text.charCodeAt(start);
  if (c === 58 || c === 91) {
    // Only a leading `::` (or its defanged form) starts an address with a separator.
    const lead = colonAt(text, start);
    if (lead === 0 || colonAt(text, start + lead) === 0) return null;
  }
  if (!readIpv6At(text, start, v6)) return null;
  return finishV6(text, start, delta, requireDigit);
}

/**
 * The address starting exactly at `start`, with the boundary rules applied after it (not before it),
 * or null. With requireDigit false, IPv6 text without a decimal digit (`::`, `fe::a`) is accepted too:
 * for input a user typed as an address, not for free text.
 */
export function readMatchAt(text: string, start: number, requireDigit: boolean): IpMatch | null {
  const c = text.charCodeAt(start);
  if (!(c < 128)) return null;
  const f = CHAR_FLAGS[c];
  if ((f & (DIGIT | HEX_LETTER | COLON)) === 0 && c !== 91) return null;
  detachValues = false;
  emitMode = EMIT_NEW;
  return tryAt(text, start, 0, f, 0, requireDigit);
}

/** True when the text at `e` continues the token: a word character, or a dot followed by a digit. */
function continuesToken(text: string, e: number): boolean {
  const c = text.charCodeAt(e);
  if (isWordCode(c)) return true;
  const dot = dotAt(text, e);
  return dot !== 0 && isDigitCode(text.charCodeAt(e + dot));
}

function finishV4(text: string, start: number, delta: number): IpMatch | null {
  const end = v4.end;
  // continuesToken, reading the next character once for it and for the port and prefix checks below.
  const c = text.charCodeAt(end);
  if (c < 128 && (CHAR_FLAGS[c] & WORD) !== 0) return null;
  if (c === 46 || c === 91 || c === 40 || c === 123) {
    const dot = c === 46 ? 1 : dotAt(text, end);
    if (dot !== 0 && isDigitCode(text.charCodeAt(end + dot))) return null;
  }
  matchEnd = end;
  if (emitMode === EMIT_COUNT) return COUNTED;
  const n = v4.value;
  // Plain dotted decimal is already the normal form: a substring is the cheapest copy. (V8 copies
  // substrings shorter than 13 characters; longer ones would pin the text when detaching.)
  let value = '';
  if (keyed) putKey(n, 0, 0, 0, 4);
  else value = v4.defanged || v4.leadingZeros || (detachValues && end - start >= 13) ? formatIpv4(n) : text.slice(start, end);
  const defanged = v4.defanged;
  const leadingZeros = v4.leadingZeros;
  const ipClass = classifyIpv4(n).ipClass;
  let port = -1;
  let prefix = -1;
  if (c === 58 || c === 91) {
    const sep = colonAt(text, end);
    if (sep !== 0) port = readNumber(text, end + sep, 5, 65535);
  } else if (c === 93 && text.charCodeAt(start - 1) === 91 && text.charCodeAt(end + 1) === 58) {
    port = readNumber(text, end + 2, 5, 65535);
  } else if (c === 47 && !isUrlHost(text, start)) {
    prefix = readPrefix(text, end + 1, 32);
  }
  if (emitMode === EMIT_REUSE) return recycled(value, 4, start + delta, end + delta, defanged, leadingZeros, ipClass, port, prefix, undefined);
  const m: IpMatch = { value, version: 4, start: start + delta, end: end + delta, defanged, leadingZeros, ipClass };
  if (port >= 0) m.port = port;
  else if (prefix >= 0) m.prefix = prefix;
  return m;
}

/** The next recycled object of the buffer, filled in (every field written: one shape for all of them). */
function recycled(
  value: string, version: 4 | 6, start: number, end: number, defanged: boolean, leadingZeros: boolean, ipClass: IpClass,
  port: number, prefix: number, zone: string | undefined,
): IpMatch {
  const b = reuse!;
  let m = b.items[b.count];
  if (m === undefined) {
    m = { value, version, start, end, defanged, leadingZeros, ipClass, port: undefined, prefix: undefined, zone: undefined };
    b.items.push(m);
  }
  m.value = value;
  m.version = version;
  m.start = start;
  m.end = end;
  m.defanged = defanged;
  m.leadingZeros = leadingZeros;
  m.ipClass = ipClass;
  m.port = port >= 0 ? port : undefined;
  m.prefix = port < 0 && prefix >= 0 ? prefix : undefined;
  m.zone = zone;
  return m;
}

/**
 * `text.slice(start, end)` that does not keep `text` alive. V8 copies substrings shorter than 13 characters,
 * but a longer one is a view of its parent (the whole chunk); a flattened concatenation copies it.
 */
function detachedSlice(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return end - start < 13 ? s : (' ' + s).slice(1);
}

function finishV6(text: string, start: number, delta: number, requireDigit: boolean): IpMatch | null {
  if (requireDigit && !v6.hasDecimalDigit) return null;
  const addressEnd = v6.end;
  let end = addressEnd;
  let zone: string | undefined;
  if (text.charCodeAt(end) === 37) {
    const zoneEnd = readZone(text, end + 1);
    if (zoneEnd > end + 1) {
      if (emitMode !== EMIT_COUNT) {
        zone = text.slice(end + 1, zoneEnd);
        // A long zone id must not keep the whole chunk alive.
        if (detachValues && zone.length >= 13) zone = (' ' + zone).slice(1);
      }
      end = zoneEnd;
    }
  }
  // continuesToken, and no `:` + hex digit or `:` after it; the next character is read once for these
  // checks and the port and prefix ones below.
  const c = text.charCodeAt(end);
  if (c < 128 && (CHAR_FLAGS[c] & WORD) !== 0) return null;
  if (c === 46 || c === 91 || c === 40 || c === 123) {
    const dot = c === 46 ? 1 : dotAt(text, end);
    if (dot !== 0 && isDigitCode(text.charCodeAt(end + dot))) return null;
  }
  if (c === 58 || c === 91) {
    const colon = c === 58 ? 1 : colonAt(text, end);
    if (colon !== 0) {
      const next = text.charCodeAt(end + colon);
      if (next === 58 || isHexCode(next) || colonAt(text, end + colon) !== 0) return null;
    }
  }
  matchEnd = end;
  if (emitMode === EMIT_COUNT) return COUNTED;
  const groups = v6.groups;
  let value = '';
  if (keyed) putKey((groups[0] << 16) | groups[1], (groups[2] << 16) | groups[3], (groups[4] << 16) | groups[5], (groups[6] << 16) | groups[7], 6);
  else value = !v6.canonical ? formatIpv6(groups) : detachValues ? detachedSlice(text, start, addressEnd) : text.slice(start, addressEnd);
  const defanged = v6.defanged;
  const leadingZeros = v6.leadingZeros;
  const ipClass = classifyIpv6(groups).ipClass;
  let port = -1;
  let prefix = -1;
  if (c === 93 && text.charCodeAt(start - 1) === 91) {
    const sep = colonAt(text, end + 1);
    if (sep !== 0) port = readNumber(text, end + 1 + sep, 5, 65535);
  } else if (c === 47) {
    prefix = readPrefix(text, end + 1, 128);
  }
  if (emitMode === EMIT_REUSE) return recycled(value, 6, start + delta, end + delta, defanged, leadingZeros, ipClass, port, prefix, zone);
  const m: IpMatch = { value, version: 6, start: start + delta, end: end + delta, defanged, leadingZeros, ipClass };
  if (zone !== undefined) m.zone = zone;
  if (port >= 0) m.port = port;
  else if (prefix >= 0) m.prefix = prefix;
  return m;
}

/** Zone id characters: letters, digits, `_`, `-`, and `.` between them. Returns the end of the zone. */
function readZone(text: string, i: number): number {
  const limit = i + MAX_ZONE;
  let j = i;
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (isWordCode(c) || c === 45) j++;
    else if (c === 46 && j > i && isWordCode(text.charCodeAt(j + 1))) j++;
    else break;
  }
  return j;
}

/** A decimal number of 1..maxDigits digits, at most `max`, not followed by a word character or `.digit`. */
function readNumber(text: string, i: number, maxDigits: number, max: number): number {
  let j = i;
  let n = 0;
  while (j - i <= maxDigits) {
    const c = text.charCodeAt(j);
    if (!isDigitCode(c)) break;
    n = n * 10 + c - 48;
    j++;
  }
  const len = j - i;
  if (len === 0 || len > maxDigits || n > max) return -1;
  if (continuesToken(text, j)) return -1;
  return n;
}

/** A prefix length after `/`; not when the slash starts a URL path segment (`/24/` or `/24abc`). */
function readPrefix(text: string, i: number, max: number): number {
  const n = readNumber(text, i, 3, max);
  if (n < 0) return -1;
  let j = i;
  while (isDigitCode(text.charCodeAt(j))) j++;
  return text.charCodeAt(j) === 47 ? -1 : n;
}

/** `scheme://1.2.3.4/...`: the slash after the host starts a path, not a prefix. */
function isUrlHost(text: string, start: number): boolean {
  return start >= 3 && text.charCodeAt(start - 1) === 47 && text.charCodeAt(start - 2) === 47 && text.charCodeAt(start - 3) === 58;
}

/** Every address in `text`, in order. */
export function scanText(text: string): IpMatch[] {
  const out: IpMatch[] = [];
  scanRange(text, 0, text.length, out);
  return out;
}

/** Generator form of scanText, scanning `text` in slices so a consumer can stop early. */
export function* iterateMatches(text: string, slice = 65536): Generator<IpMatch, void, undefined> {
  const out: IpMatch[] = [];
  let pos = 0;
  while (pos < text.length) {
    out.length = 0;
    pos = scanRange(text, pos, Math.min(text.length, pos + slice), out);
    yield* out;
  }
}

/**
 * The match whose range contains `offset` (or ends right at it, so a cursor after the last character
 * still counts), or undefined. Scans only a small window around the offset: cheap enough for hovers.
 */
export function matchAt(text: string, offset: number): IpMatch | undefined {
  const out: IpMatch[] = [];
  scanRange(text, Math.max(0, offset - 2 * SCAN_LOOKAHEAD), Math.min(text.length, offset + 1), out);
  for (let k = out.length - 1; k >= 0; k--) {
    const m = out[k];
    if (m.start <= offset && offset <= m.end) return m;
    if (m.end < offset) break;
  }
  return undefined;
}

/**
 * Scans text that arrives in chunks. Matches carry absolute offsets and are the same as scanText on the
 * whole text, whatever the chunk sizes. Memory is bounded: it keeps only the unscanned tail of the input.
 */
export class StreamScanner {
  private buffer = '';
  /** Absolute offset of buffer[0]. */
  private base = 0;
  /** Absolute offset where scanning resumes. */
  private next = 0;
  private ended = false;

  /** Adds a chunk; returns the matches that are now certain. */
  push(chunk: string): IpMatch[] {
    if (this.ended) throw new Error('StreamScanner: push() after end()');
    this.buffer += chunk;
    return this.scan(false);
  }

  /** Marks the end of the input; returns the remaining matches. */
  end(): IpMatch[] {
    if (this.ended) return [];
    const out = this.scan(true);
    this.ended = true;
    this.buffer = '';
    return out;
  }

  /** Characters held back for the next push (bounded by SCAN_LOOKAHEAD plus one chunk). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Total number of characters received so far. */
  get length(): number {
    return this.base + this.buffer.length;
  }

  private scan(final: boolean): IpMatch[] {
    const out: IpMatch[] = [];
    const limit = final ? this.length : this.length - SCAN_LOOKAHEAD;
    if (limit <= this.next) return out;
    const resume = scanRange(this.buffer, this.next - this.base, limit - this.base, out, this.base, true);
    this.next = this.base + resume;
    const keepFrom = Math.max(this.base, this.next - SCAN_LOOKBEHIND);
    if (keepFrom > this.base) {
      this.buffer = this.buffer.slice(keepFrom - this.base);
      this.base = keepFrom;
    }
    return out;
  }
}
