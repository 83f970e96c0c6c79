// The counting scan in WebAssembly (AssemblyScript, built to dist/scan.wasm by esbuild.mjs): the rules of
// src/core/ip/scanner.ts, ported one for one, over UTF-8 bytes instead of UTF-16 code units. A byte of 128 or more
// is no digit, letter, dot or colon, as a non-ASCII code unit is none for the scanner, and every rule reads only
// ASCII, so a count over the bytes is the count over the decoded text. The anchors are found 16 bytes at a time.
// collect() is the same scan writing a record of each match (its key, offsets, port and defanging) for triage.
//
// Memory: [guard of zeros][data][zeros written by count()][records]. The caller reserves the regions once (reserve(),
// reserveRecords()), writes bytes into the data and calls count() or collect() over windows of it, as the stream
// scanner does over its buffer.

const DIGIT: u32 = 1;
const HEX_LETTER: u32 = 2;
const WORD: u32 = 4;
const COLON: u32 = 8;
const DOT: u32 = 16;

const BLOCK4: u32 = 1;
const BLOCK6: u32 = 2;
const BLOCK_ALL: u32 = 3;

const MAX_ZONE: usize = 64;
/** Zero bytes kept before the data: more than any rule reads back from a candidate. */
const GUARD: usize = 64;
/** Zero bytes written after the data by count(): more than a 16-byte load or any look past the end reads. */
const TAIL: usize = 64;

/** Not found (an anchor), a small number so comparisons stay plain. */
const FAR: usize = 0x3fffffff;
/** An anchor not searched for yet. */
const STALE: usize = 0xffffffff;
/** "The full reader decides" (plainColonRunEnd). */
const NONE: usize = 0xfffffffe;

const FLAGS: usize = memory.data(256);

let v4End: usize = 0;
let scratchEnd: usize = 0;
let v6End: usize = 0;
let v6HasDigit = false;
let matchEnd: usize = 0;
let resumeAt: usize = 0;

// What collect() writes per match (the keyed scan of scanner.ts: its key, not its text). Count-only scans read none of it.
/** The IPv4 address read last (readIpv4Tail), and whether a separator of it was defanged. */
let v4Value: u32 = 0;
let v4Defanged = false;
/** The embedded IPv4 read last (readIpv4At). */
let scratchValue: u32 = 0;
let scratchDefanged = false;
/** The IPv6 address read last (readIpv6At): its groups as written (RAW_GROUPS), where `::` stands, and defanging. */
const RAW_GROUPS: usize = memory.data(16);
let v6Groups: i32 = 0;
let v6Gap: i32 = -1;
let v6Defanged = false;
/** Where collect() writes its records (0: counting only), RECORD_BYTES each, and where its window starts. */
let emitAt: usize = 0;
let emitFrom: usize = 0;
/** Bytes per record (u32 each): the key's four words, its version, start, end, port + 1 | DEFANGED_BIT. */
const RECORD_BYTES: usize = 32;
const DEFANGED_BIT: u32 = 1 << 17;
/** End of the data region reserve() made room for (the records go after it). */
let dataEnd: usize = 0;

function initFlags(): void {
  for (let c: u32 = 48; c <= 57; c++) store<u8>(FLAGS + c, DIGIT | WORD);
  for (let c: u32 = 65; c <= 90; c++) store<u8>(FLAGS + c, WORD);
  for (let c: u32 = 97; c <= 122; c++) store<u8>(FLAGS + c, WORD);
  for (let k: u32 = 0; k < 6; k++) {
    store<u8>(FLAGS + 65 + k, WORD | HEX_LETTER);
    store<u8>(FLAGS + 97 + k, WORD | HEX_LETTER);
  }
  store<u8>(FLAGS + 95, WORD);
  store<u8>(FLAGS + 58, COLON);
  store<u8>(FLAGS + 46, DOT);
}

/**
 * Prepares the tables and memory for `bytes` of data: returns where the data starts (zero guard before it, room
 * for the tail after it). Call once; the memory does not move or grow afterwards.
 */
export function reserve(bytes: u32): usize {
  initFlags();
  const base = ((__heap_base + 15) & ~(<usize>15)) + GUARD;
  const needed = base + <usize>bytes + TAIL + 16;
  const have = <usize>memory.size() << 16;
  if (needed > have) {
    if (memory.grow(<i32>((needed - have + 0xffff) >>> 16)) < 0) return 0;
  }
  memory.fill(base - GUARD, 0, GUARD);
  dataEnd = base + <usize>bytes + TAIL + 16;
  return base;
}

/**
 * Room for `records` records of collect() after the data region (call after reserve()); returns where they start, 0
 * when memory cannot grow.
 */
export function reserveRecords(records: u32): usize {
  const at = (dataEnd + 15) & ~(<usize>15);
  const needed = at + <usize>records * RECORD_BYTES;
  const have = <usize>memory.size() << 16;
  if (needed > have) {
    if (memory.grow(<i32>((needed - have + 0xffff) >>> 16)) < 0) return 0;
  }
  return at;
}

/**
 * count() that also writes a record of every match at `out` (room for as many as the window can hold: a match takes
 * at least three bytes and one before or after it), in text order. Returns the number of matches.
 */
export function collect(from: usize, to: usize, end: usize, out: usize): u32 {
  memory.fill(end, 0, TAIL);
  emitAt = out;
  emitFrom = from;
  const n = scanCore(from, to, end);
  emitAt = 0;
  return n;
}

/**
 * Writes the record of the match [s, matchEnd) that scanCore just found (version 4 or 6): the key of scanner.ts (four
 * words and the version), then start and end from the window's start, and port + 1 with DEFANGED_BIT (partCollector.ts)
 * when defanged.
 */
function emit(s: usize, version: u32): void {
  const r = emitAt;
  emitAt = r + RECORD_BYTES;
  let defanged = false;
  let port: i32 = -1;
  const end = matchEnd;
  const c = ch(end);
  if (version == 4) {
    store<u32>(r, v4Value);
    store<u32>(r, 0, 4);
    store<u64>(r, 0, 8);
    defanged = v4Defanged;
    if (c == 58 || c == 91) {
      const sep = colonAt(end);
      if (sep != 0) port = readNumber(end + sep, 5, 65535);
    } else if (c == 93 && ch(s - 1) == 91 && ch(end + 1) == 58) {
      port = readNumber(end + 2, 5, 65535);
    }
  } else {
    // `::` expanded into its run of zero groups.
    const n = v6Groups;
    const gap = v6Gap;
    for (let k: i32 = 0; k < 8; k += 2) {
      store<u32>(r + (<usize>k << 1), (groupAt(k, n, gap) << 16) | groupAt(k + 1, n, gap));
    }
    defanged = v6Defanged;
    if (c == 93 && ch(s - 1) == 91) {
      const sep = colonAt(end + 1);
      if (sep != 0) port = readNumber(end + 1 + sep, 5, 65535);
    }
  }
  store<u32>(r, version, 16);
  store<u32>(r, <u32>(s - emitFrom), 20);
  store<u32>(r, <u32>(end - emitFrom), 24);
  store<u32>(r, <u32>(port + 1) | (defanged ? DEFANGED_BIT : 0), 28);
}

/** Group `k` of the address read last: `n` groups written, `::` before group `gap` (-1: none). */
function groupAt(k: i32, n: i32, gap: i32): u32 {
  if (gap < 0 || k < gap) return <u32>load<u16>(RAW_GROUPS + (<usize>k << 1));
  if (k >= gap + 8 - n) return <u32>load<u16>(RAW_GROUPS + (<usize>(k - 8 + n) << 1));
  return 0;
}

/** A decimal number of 1..maxDigits digits at `i`, at most `max`, not followed by a word character or `.digit`; else -1. */
function readNumber(i: usize, maxDigits: usize, max: u32): i32 {
  let j = i;
  let n: u32 = 0;
  while (j - i <= maxDigits) {
    const c = ch(j);
    if (!isDigit(c)) break;
    n = n * 10 + c - 48;
    j++;
  }
  const len = j - i;
  if (len == 0 || len > maxDigits || n > max) return -1;
  const c = ch(j);
  if (isWord(c)) return -1;
  const dot = dotAt(j);
  if (dot != 0 && isDigit(ch(j + dot))) return -1;
  return <i32>n;
}

/** Where the last count() says the next window should start. */
export function resume(): usize {
  return resumeAt;
}

/**
 * The number of addresses that start in [from, to) of the data that ends at `end` (the bytes in [to, end) are look-
 * ahead); resume() then tells where the next window starts. The same as countRange over the same text.
 */
export function count(from: usize, to: usize, end: usize): u32 {
  memory.fill(end, 0, TAIL);
  return scanCore(from, to, end);
}

// @ts-ignore: decorator
@inline function ch(p: usize): u32 {
  return <u32>load<u8>(p);
}

// @ts-ignore: decorator
@inline function flagsOf(c: u32): u32 {
  return <u32>load<u8>(FLAGS + <usize>c);
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool {
  return c - 48 < 10;
}

// @ts-ignore: decorator
@inline function isHex(c: u32): bool {
  return (flagsOf(c) & (DIGIT | HEX_LETTER)) != 0;
}

// @ts-ignore: decorator
@inline function isWord(c: u32): bool {
  return (flagsOf(c) & WORD) != 0;
}

function closerOf(open: u32): u32 {
  return open == 91 ? 93 : open == 40 ? 41 : 125;
}

/** Length of a dot separator at `p`: 1 for `.`, 3 for `[.]`, `(.)`, `{.}`, else 0. */
function dotAt(p: usize): usize {
  const c = ch(p);
  if (c == 46) return 1;
  if (c == 91 || c == 40 || c == 123) {
    if (ch(p + 1) == 46 && ch(p + 2) == closerOf(c)) return 3;
  }
  return 0;
}

/** Length of a colon separator at `p`: 1 for `:`, 3 for `[:]`, else 0. */
function colonAt(p: usize): usize {
  const c = ch(p);
  if (c == 58) return 1;
  if (c == 91 && ch(p + 1) == 58 && ch(p + 2) == 93) return 3;
  return 0;
}

/** The first `b` in [from, limit), or FAR. */
function nextIndex(b: u8, from: usize, limit: usize): usize {
  const needle = i8x16.splat(<i8>b);
  let p = from;
  while (p < limit) {
    const m = i8x16.bitmask(i8x16.eq(v128.load(p), needle));
    if (m != 0) {
      const at = p + <usize>ctz(m);
      return at < limit ? at : FAR;
    }
    p += 16;
  }
  return FAR;
}

function blockOf(p: usize): u32 {
  const c = ch(p);
  const f = flagsOf(c);
  if ((f & (WORD | DOT)) != 0) return BLOCK_ALL;
  if ((f & COLON) != 0) return BLOCK6;
  if (c == 93 || c == 41 || c == 125) {
    const sep = ch(p - 1);
    if (sep == 46 && dotAt(p - 2) == 3) return BLOCK_ALL;
    if (sep == 58 && colonAt(p - 2) == 3) return BLOCK6;
  }
  return 0;
}

function scanCore(from: usize, to: usize, end: usize): u32 {
  const stop = to < end ? to : end;
  const lastAnchor = stop + 5;
  const limit = lastAnchor + 1 < end ? lastAnchor + 1 : end;
  let pos = from;
  let found: u32 = 0;
  let dot = nextIndex(46, pos, limit);
  let colon = nextIndex(58, pos, limit);
  let dotFrom: usize = 0;
  let colonFrom: usize = 0;
  for (;;) {
    if (dot == STALE) dot = nextIndex(46, dotFrom, limit);
    if (colon == STALE) colon = nextIndex(58, colonFrom, limit);
    if (dot < colon) {
      const a = dot;
      if (a > lastAnchor) break;
      dot = STALE;
      dotFrom = a + 1;
      let j = a;
      let c = ch(a - 1);
      if ((c == 91 || c == 40 || c == 123) && dotAt(a - 1) == 3) {
        j = a - 1;
        c = ch(a - 2);
      }
      if (!isDigit(c)) continue;
      const o2 = j == a ? a + 1 : a + 2;
      let k = o2;
      let d = ch(k);
      if (!isDigit(d)) continue;
      let n2 = d - 48;
      d = ch(++k);
      if (isDigit(d)) {
        n2 = n2 * 10 + d - 48;
        d = ch(++k);
        if (isDigit(d)) {
          n2 = n2 * 10 + d - 48;
          d = ch(++k);
        }
      }
      if (!(d == 46 || d == 91 || d == 40 || d == 123)) continue;
      let s = j - 1;
      let n1 = c - 48;
      c = ch(s - 1);
      if (isDigit(c)) {
        s--;
        n1 += (c - 48) * 10;
        c = ch(s - 1);
        if (isDigit(c)) {
          s--;
          n1 += (c - 48) * 100;
          c = ch(s - 1);
        }
      }
      if (s < pos || s >= stop) continue;
      if (
        (flagsOf(c) & (WORD | DOT)) != 0 ||
        ((c == 93 || c == 41 || c == 125) && (blockOf(s - 1) & BLOCK4) != 0) ||
        n1 > 255 ||
        n2 > 255 ||
        !readIpv4Tail(k, (n1 << 8) | n2, j != a) ||
        !finishV4()
      ) {
        dotFrom = skipDotRun(o2, k);
        continue;
      }
      if (emitAt != 0) emit(s, 4);
    } else if (colon != FAR) {
      const a = colon;
      if (a > lastAnchor) break;
      colon = STALE;
      colonFrom = a + 1;
      let j = a;
      let c = ch(a - 1);
      if (c == 91 && ch(a + 1) == 93) {
        j = a - 1;
        c = ch(a - 2);
      }
      let s: usize;
      if (isHex(c)) {
        s = j - 1;
        const floor = j - 4;
        c = ch(s - 1);
        while (s > floor && isHex(c)) {
          s--;
          c = ch(s - 1);
        }
        if (isHex(c)) continue;
      } else {
        if (colonAt(a + 1 + (a - j)) == 0) continue;
        s = j;
      }
      if (s < pos || s >= stop) continue;
      if ((flagsOf(c) & (WORD | DOT | COLON)) != 0 || ((c == 93 || c == 41 || c == 125) && (blockOf(s - 1) & BLOCK6) != 0)) {
        colonFrom = skipColonRun(a + 1);
        continue;
      }
      if (s != j) {
        const runEnd = j == a ? plainColonRunEnd(a + 1, 1) : NONE;
        if (runEnd != NONE) {
          colonFrom = runEnd;
          continue;
        }
      }
      if (!readIpv6At(s) || !finishV6()) {
        colonFrom = skipColonRun(a + 1);
        continue;
      }
      if (emitAt != 0) emit(s, 6);
    } else break;
    found++;
    pos = matchEnd;
    if (dot == STALE) {
      if (dotFrom < pos) dotFrom = pos;
    } else if (dot < pos) {
      dot = STALE;
      dotFrom = pos;
    }
    if (colon == STALE) {
      if (colonFrom < pos) colonFrom = pos;
    } else if (colon < pos) {
      colon = STALE;
      colonFrom = pos;
    }
  }
  resumeAt = pos > stop ? pos : stop;
  return found;
}

/**
 * Octets three and four after the separator at `k` (readIpv4Tail), the first two in `value`; sets v4End, v4Value and
 * v4Defanged (`defanged`: the first separator was).
 */
function readIpv4Tail(k: usize, value: u32, defanged: bool): bool {
  let i = k;
  for (let part = 2; part < 4; part++) {
    const sep = ch(i) == 46 ? <usize>1 : dotAt(i);
    if (sep == 0) return false;
    if (sep > 1) defanged = true;
    i += sep;
    let c = ch(i);
    if (!isDigit(c)) return false;
    let n = c - 48;
    c = ch(++i);
    if (isDigit(c)) {
      n = n * 10 + c - 48;
      c = ch(++i);
      if (isDigit(c)) {
        n = n * 10 + c - 48;
        if (isDigit(ch(++i))) return false;
      }
    }
    if (n > 255) return false;
    value = (value << 8) | n;
  }
  v4End = i;
  v4Value = value;
  v4Defanged = defanged;
  return true;
}

/** Four octets at `pos` (readIpv4At); sets scratchEnd, scratchValue and scratchDefanged. */
function readIpv4At(pos: usize): bool {
  let i = pos;
  let value: u32 = 0;
  let defanged = false;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      const sep = dotAt(i);
      if (sep == 0) return false;
      if (sep > 1) defanged = true;
      i += sep;
    }
    let c = ch(i);
    if (!isDigit(c)) return false;
    let n = c - 48;
    c = ch(++i);
    if (isDigit(c)) {
      n = n * 10 + c - 48;
      c = ch(++i);
      if (isDigit(c)) {
        n = n * 10 + c - 48;
        if (isDigit(ch(++i))) return false;
      }
    }
    if (n > 255) return false;
    value = (value << 8) | n;
  }
  scratchEnd = i;
  scratchValue = value;
  scratchDefanged = defanged;
  return true;
}

function skipDotRun(start: usize, i: usize): usize {
  for (;;) {
    const sep = ch(i) == 46 ? <usize>1 : dotAt(i);
    if (sep == 0) return start;
    i += sep;
    start = i;
    let c = ch(i);
    while (isDigit(c)) c = ch(++i);
    if (i == start) return start;
  }
  return unreachable();
}

function skipColonRun(i: usize): usize {
  if (ch(i) == 93 && ch(i - 2) == 91) i++;
  for (;;) {
    const start = i;
    let c = ch(i);
    while (isHex(c)) c = ch(++i);
    const sep = c == 58 ? <usize>1 : colonAt(i);
    if (sep == 0) return start;
    i += sep;
  }
  return unreachable();
}

function plainColonRunEnd(s: usize, groupsBefore: u32): usize {
  let i = s;
  let groups = groupsBefore;
  let c = ch(i);
  for (;;) {
    const g = i;
    while (isHex(c)) {
      if (i - g == 4) return NONE;
      c = ch(++i);
    }
    if (i == g) return NONE;
    groups++;
    if (c != 58) {
      if (c == 46 || c == 91 || c == 37) return NONE;
      return groups == 8 ? NONE : i;
    }
    c = ch(++i);
  }
  return unreachable();
}

/** The longest IPv6 address text at `pos` (readIpv6At); sets v6End and v6HasDigit. */
function readIpv6At(pos: usize): bool {
  let i = pos;
  let n: i32 = 0;
  let gap: i32 = -1;
  let end: usize = 0;
  let haveEnd = false;
  let endGroups: i32 = 0;
  let endGap: i32 = -1;
  let firstDigit: usize = FAR;
  let firstDefang: usize = FAR;
  let c = ch(i);
  if (c == 58 || c == 91) {
    const lead = colonAt(i);
    if (lead == 0) return false;
    const lead2 = colonAt(i + lead);
    if (lead2 == 0) return false;
    if (lead > 1 || lead2 > 1) firstDefang = i;
    gap = 0;
    i += lead + lead2;
    end = i;
    haveEnd = true;
    endGap = 0;
    c = ch(i);
  }
  for (;;) {
    if (n >= 8 || (gap >= 0 && n >= 7)) break;
    const groupStart = i;
    let decimalOnly = true;
    let v: u32 = 0;
    for (;;) {
      if (isDigit(c)) {
        v = (v << 4) | (c - 48);
        if (firstDigit == FAR) firstDigit = i;
      } else if (c >= 97 && c <= 102) {
        v = (v << 4) | (c - 87);
        decimalOnly = false;
      } else if (c >= 65 && c <= 70) {
        v = (v << 4) | (c - 55);
        decimalOnly = false;
      } else break;
      c = ch(++i);
      if (i - groupStart == 5) break;
    }
    const len = i - groupStart;
    if (len == 0 || len > 4) break;
    if (decimalOnly && len <= 3 && (c == 46 || dotAt(i) != 0) && (gap < 0 ? n == 6 : n <= 5) && readIpv4At(groupStart)) {
      store<u16>(RAW_GROUPS + (<usize>n << 1), <u16>(scratchValue >>> 16));
      store<u16>(RAW_GROUPS + (<usize>(n + 1) << 1), <u16>(scratchValue & 0xffff));
      if (scratchDefanged && firstDefang == FAR) firstDefang = groupStart;
      n += 2;
      end = scratchEnd;
      haveEnd = true;
      endGroups = n;
      endGap = gap;
      break;
    }
    store<u16>(RAW_GROUPS + (<usize>n << 1), <u16>v);
    n++;
    if (gap >= 0 || n == 8) {
      end = i;
      haveEnd = true;
      endGroups = n;
      endGap = gap;
    }
    let s1: usize = 0;
    if (c == 58) s1 = 1;
    else if (c == 91 && colonAt(i) == 3) s1 = 3;
    else break;
    const c2 = ch(i + s1);
    const s2: usize = c2 == 58 ? 1 : c2 == 91 ? colonAt(i + s1) : 0;
    if (s2 != 0) {
      if (gap >= 0) break;
      if (n >= 8) break;
      gap = n;
      if ((s1 > 1 || s2 > 1) && firstDefang == FAR) firstDefang = i;
      i += s1 + s2;
      end = i;
      haveEnd = true;
      endGroups = n;
      endGap = gap;
      c = ch(i);
      continue;
    }
    if (s1 > 1 && firstDefang == FAR) firstDefang = i;
    i += s1;
    c = c2;
  }
  if (!haveEnd) return false;
  if (endGap < 0 && endGroups != 8) return false;
  v6End = end;
  v6HasDigit = firstDigit < end;
  v6Groups = endGroups;
  v6Gap = endGap;
  v6Defanged = firstDefang < end;
  return true;
}

function finishV4(): bool {
  const end = v4End;
  const c = ch(end);
  if (isWord(c)) return false;
  if (c == 46 || c == 91 || c == 40 || c == 123) {
    const dot = c == 46 ? <usize>1 : dotAt(end);
    if (dot != 0 && isDigit(ch(end + dot))) return false;
  }
  matchEnd = end;
  return true;
}

function finishV6(): bool {
  if (!v6HasDigit) return false;
  let end = v6End;
  if (ch(end) == 37) {
    const zoneEnd = readZone(end + 1);
    if (zoneEnd > end + 1) end = zoneEnd;
  }
  const c = ch(end);
  if (isWord(c)) return false;
  if (c == 46 || c == 91 || c == 40 || c == 123) {
    const dot = c == 46 ? <usize>1 : dotAt(end);
    if (dot != 0 && isDigit(ch(end + dot))) return false;
  }
  if (c == 58 || c == 91) {
    const colon = c == 58 ? <usize>1 : colonAt(end);
    if (colon != 0) {
      const next = ch(end + colon);
      if (next == 58 || isHex(next) || colonAt(end + colon) != 0) return false;
    }
  }
  matchEnd = end;
  return true;
}

function readZone(i: usize): usize {
  const limit = i + MAX_ZONE;
  let j = i;
  while (j < limit) {
    const c = ch(j);
    if (isWord(c) || c == 45) j++;
    else if (c == 46 && j > i && isWord(ch(j + 1))) j++;
    else break;
  }
  return j;
}
