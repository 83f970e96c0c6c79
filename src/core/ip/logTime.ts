// Finds the timestamp on a log line (ISO 8601, RFC 5424/3164 syslog, Apache/NGINX, W3C/IIS, Windows event
// exports, epoch fields in JSON) as an exact UTC instant, and reads times typed by a user.

export interface LineTimeOptions {
  /** Zone for timestamps that carry none: 'utc' (default), 'local' (this machine), or a fixed '±HH:MM'. */
  assumeZone?: 'utc' | 'local' | (string & NonNullable<unknown>);
  /** Reference for syslog dates without a year (the most recent such date not after now). */
  now?: Date;
  /** Order of `05/06/2026`-style dates when both numbers could be the month; without it they are skipped. */
  dateOrder?: 'mdy' | 'dmy';
}

export interface LineTime {
  time: Date;
  /** UTF-16 offsets of the timestamp text in the line, end exclusive. */
  start: number;
  end: number;
  /** Which format matched: iso8601, iso8601-local, rfc5424, w3c, clf, rfc3164, windows, slash-date, dmy-dotted, epoch-s, epoch-ms, epoch-us, epoch-ns. */
  format: string;
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Reads an assumeZone option: UTC offset in minutes, 'local', or undefined when it is not valid. */
export function parseZoneOption(zone: string | undefined): number | 'local' | undefined {
  if (zone === undefined || zone === '' || /^(utc|z|gmt)$/i.test(zone)) return 0;
  if (zone === 'local') return 'local';
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return undefined;
  const h = Number(m[2]);
  const mi = Number(m[3]);
  if (h > 23 || mi > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}

interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  if (mo === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return 29;
  return MONTH_DAYS[mo - 1];
}

/** The instant for wall-clock fields in a zone (offset minutes or local), or undefined if the fields are not a real time. */
function instant(f: Fields, zone: number | 'local'): Date | undefined {
  const t = instantMs(f, zone);
  return t === t ? new Date(t) : undefined;
}

/** instant() in epoch ms, NaN for fields that are not a real time. */
function instantMs(f: Fields, zone: number | 'local'): number {
  if (f.mo < 1 || f.mo > 12 || f.d < 1 || f.h > 23 || f.mi > 59 || f.s > 59) return NaN;
  if (f.d > daysInMonth(f.y, f.mo)) return NaN;
  let t: number;
  if (zone === 'local') {
    const local = new Date(2000, 0, 1, f.h, f.mi, f.s, f.ms);
    local.setFullYear(f.y, f.mo - 1, f.d); // the constructor would map years 0-99 to 1900-1999
    t = local.getTime();
  } else if (f.y >= 1000 && f.y <= 9999) {
    // Date.UTC's own arithmetic, without the call (one per log line): exact integers, well below 2^53.
    t = daysFromCivil(f.y, f.mo, f.d) * 86_400_000 + f.h * 3_600_000 + f.mi * 60_000 + f.s * 1000 + f.ms - zone * 60_000;
  } else {
    t = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s, f.ms) - zone * 60_000;
  }
  return Number.isFinite(t) ? t : NaN;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, mo: number, d: number): number {
  const ys = mo <= 2 ? y - 1 : y;
  const era = Math.floor(ys / 400);
  const yoe = ys - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function fractionMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Math.floor(Number(`0.${frac}`) * 1000);
}

function offsetMinutes(sign: string, hh: string, mm: string | undefined): number | undefined {
  const h = Number(hh);
  const m = mm === undefined ? 0 : Number(mm);
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

type Finder = (line: string, zone: number | 'local', o: LineTimeOptions) => LineTime | undefined;

/** First match of `re` (global) in `line` for which `build` returns a result. */
function firstOf(re: RegExp, line: string, build: (m: RegExpExecArray) => LineTime | undefined): LineTime | undefined {
  re.lastIndex = 0;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const r = build(m);
    if (r) return r;
    if (m[0].length === 0) re.lastIndex++;
  }
  return undefined;
}

const ISO_RE =
  /(?<![\d.:-])(\d{4})-(\d{2})-(\d{2})([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?| ([+-])(\d{2}):?(\d{2})| (UTC|GMT))?(?![\d])/g;
const RFC5424_HEAD = /^\s*<\d{1,3}>\d{1,2} $/;

const findIso: Finder = (line, zone) =>
  firstOf(ISO_RE, line, (m) => {
    const f: Fields = {
      y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), h: Number(m[5]), mi: Number(m[6]),
      s: m[7] === undefined ? 0 : Number(m[7]), ms: fractionMs(m[8]),
    };
    let z: number | 'local' | undefined;
    let format: string;
    if (m[9] !== undefined || m[16] !== undefined) {
      z = 0;
      format = 'iso8601';
    } else if (m[10] !== undefined || m[13] !== undefined) {
      z = m[10] !== undefined ? offsetMinutes(m[10], m[11], m[12]) : offsetMinutes(m[13], m[14], m[15]);
      format = 'iso8601';
    } else if (m[4] === ' ' && m[8] === undefined && m[7] !== undefined && line.slice(0, m.index).trim() === '') {
      // W3C extended logs (IIS) write `date time` first on the line, always in UTC.
      z = 0;
      format = 'w3c';
    } else {
      z = zone;
      format = 'iso8601-local';
    }
    if (z === undefined) return undefined;
    if (format === 'iso8601' && RFC5424_HEAD.test(line.slice(0, m.index))) format = 'rfc5424';
    const time = instant(f, z);
    return time && { time, start: m.index, end: m.index + m[0].length, format };
  });

/**
 * findIso read by hand (firstStamp's shortcut, as findClfByHand is for CLF): JSON and key=value logs carry ISO times
 * inside the line (`"eventTime":"2026-...`), where the pattern with its 17 groups costs more than the rest of the line.
 * ISO_RE can only start four characters before a `-` that has two digits and a `-` after it; the first such place where
 * the lookbehind allows a match is read as the pattern would read it (isoAt), and wherever isoAt is unsure or the
 * fields are not a time (the pattern would search on from there), the pattern decides.
 */
function findIsoByHand(line: string, zone: number | 'local', o: LineTimeOptions): number {
  for (let i = line.indexOf('-', 4); i >= 0; i = line.indexOf('-', i + 1)) {
    const p = i - 4;
    if (line.charCodeAt(i + 3) !== 45 || line.charCodeAt(i + 9) !== 58 || digitsAt(line, p, 4) < 0) continue;
    const before = line.charCodeAt(p - 1);
    if ((before >= 48 && before <= 57) || before === 46 || before === 58 || before === 45) continue; // (?<![\d.:-])
    const t = isoAt(line, p, zone, leadOf(line) === p);
    if (t !== t) return foundOf(findIso(line, zone, o));
    if (found.format === 'iso8601' && RFC5424_HEAD.test(line.slice(0, p))) found.format = 'rfc5424';
    return t;
  }
  return NaN;
}

const CLF_RE = /(?<![\d])(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s([+-])(\d{2})(\d{2}))?(?![\d])/g;

const findClf: Finder = (line, zone) =>
  firstOf(CLF_RE, line, (m) => {
    const mo = MONTHS[m[2].toLowerCase()];
    if (mo === undefined) return undefined;
    const z = m[7] === undefined ? zone : offsetMinutes(m[7], m[8], m[9]);
    if (z === undefined) return undefined;
    const time = instant({ y: Number(m[3]), mo, d: Number(m[1]), h: Number(m[4]), mi: Number(m[5]), s: Number(m[6]), ms: 0 }, z);
    return time && { time, start: m.index, end: m.index + m[0].length, format: 'clf' };
  });

const CLF_MONTHS_BY_CODE = new Map(
  Object.entries(MONTHS).map(([name, mo]) => [(name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2), mo]),
);

/**
 * findClf read by hand (firstStamp's shortcut; findLineTimeByPatterns keeps the pattern, and tests hold the two equal):
 * CLF_RE can only start two characters before a `/`, so each `/` is a candidate, tried as the pattern would (the zone is
 * optional, and left out when a digit follows it). When a match's fields are not a time, the pattern searches on after
 * it; trying the next `/` instead comes to the same, as none inside a match can start one (letters follow its second).
 */
function findClfByHand(line: string, zone: number | 'local'): number {
  for (let i = line.indexOf('/', 2); i >= 0; i = line.indexOf('/', i + 1)) {
    const s = i - 2;
    if (isDigitAt(line, s - 1)) continue;
    const d = digitsAt(line, s, 2);
    if (d < 0 || !isLetterAt(line, s + 3) || !isLetterAt(line, s + 4) || !isLetterAt(line, s + 5) || line.charCodeAt(s + 6) !== 47) continue;
    const y = digitsAt(line, s + 7, 4);
    const h = digitsAt(line, s + 12, 2);
    const mi = digitsAt(line, s + 15, 2);
    const sec = digitsAt(line, s + 18, 2);
    if (y < 0 || h < 0 || mi < 0 || sec < 0 || line.charCodeAt(s + 11) !== 58 || line.charCodeAt(s + 14) !== 58 || line.charCodeAt(s + 17) !== 58) continue;
    let end = s + 20;
    let z: number | 'local' | undefined = zone;
    const sign = line.charCodeAt(end + 1);
    if (isSpaceCode(line.charCodeAt(end)) && (sign === 43 || sign === 45) && digitsAt(line, end + 2, 4) >= 0 && !isDigitAt(line, end + 6)) {
      const oh = digitsAt(line, end + 2, 2);
      const om = digitsAt(line, end + 4, 2);
      z = oh > 23 || om > 59 ? undefined : (sign === 45 ? -1 : 1) * (oh * 60 + om);
      end += 6;
    } else if (isDigitAt(line, end)) {
      continue; // (?![\d]) fails: no match starts here
    }
    const mo = CLF_MONTHS_BY_CODE.get(((line.charCodeAt(s + 3) | 32) << 16) | ((line.charCodeAt(s + 4) | 32) << 8) | (line.charCodeAt(s + 5) | 32));
    if (mo === undefined || z === undefined) continue;
    clfFields.y = y;
    clfFields.mo = mo;
    clfFields.d = d;
    clfFields.h = h;
    clfFields.mi = mi;
    clfFields.s = sec;
    const t = instantMs(clfFields, z);
    if (t === t) return foundAt(s, end, 'clf', t);
  }
  return NaN;
}
const clfFields: Fields = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0, ms: 0 };

const SYSLOG_RE =
  /(?<![A-Za-z])(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?![\d])(?: (\d{4})(?![\d]))?/g;
const DAY_MS = 86_400_000;

/** The pattern spells months exactly so: no lower-casing needed. */
const SYSLOG_MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

const findSyslog: Finder = (line, zone, o) =>
  firstOf(SYSLOG_RE, line, (m) => {
    const f: Fields = {
      y: m[7] === undefined ? -1 : Number(m[7]), mo: SYSLOG_MONTHS[m[1]], d: Number(m[2]), h: Number(m[3]), mi: Number(m[4]),
      s: Number(m[5]), ms: fractionMs(m[6]),
    };
    return syslogTime(f, m.index, m.index + m[0].length, zone, o);
  });

/** The instant of a syslog timestamp's fields (`f.y` -1 when the text has no year; the year gets inferred). */
function syslogTime(f: Fields, start: number, end: number, zone: number | 'local', o: LineTimeOptions): LineTime | undefined {
  const t = syslogMs(f, zone, o);
  return t === t ? { time: new Date(t), start, end, format: 'rfc3164' } : undefined;
}

/** syslogTime's instant in epoch ms (NaN: none). */
function syslogMs(f: Fields, zone: number | 'local', o: LineTimeOptions): number {
  if (f.y >= 0) return instantMs(f, zone);
  // No year: the most recent such date not after now (a day of slack absorbs zone differences).
  const now = (o.now ?? new Date()).getTime();
  const startYear = utcYear(now + DAY_MS);
  // One Fields object whose year changes: instantMs() only reads it.
  for (let y = startYear; y > startYear - 8; y--) {
    f.y = y;
    const t = instantMs(f, zone);
    if (t <= now + DAY_MS) return t; // false for NaN
  }
  return NaN;
}

/** The last year utcYear computed, and the instants where it starts and ends. */
let cachedYear = NaN;
let cachedYearStart = 0;
let cachedYearEnd = 0;

/** `new Date(ms).getUTCFullYear()`, remembered for the rest of that year (every syslog line asks). */
function utcYear(ms: number): number {
  if (ms >= cachedYearStart && ms < cachedYearEnd) return cachedYear;
  const y = new Date(ms).getUTCFullYear();
  if (Number.isNaN(y)) return y;
  const bound = new Date(0);
  cachedYearStart = bound.setUTCFullYear(y, 0, 1);
  cachedYearEnd = bound.setUTCFullYear(y + 1, 0, 1);
  cachedYear = y;
  return y;
}

const SLASH_RE = /(?<![\d/.])(\d{1,2})\/(\d{1,2})\/(\d{4}),? +(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp][Mm]))?(?![\d])/g;

const SLASH_TEST = new RegExp(SLASH_RE.source);

const findSlash: Finder = (line, zone, o) =>
  firstOf(SLASH_RE, line, (m) => {
    const a = Number(m[1]);
    const b = Number(m[2]);
    let mo: number;
    let d: number;
    if (a > 12 && b <= 12) [d, mo] = [a, b];
    else if (b > 12 && a <= 12) [mo, d] = [a, b];
    else if (a === b) [mo, d] = [a, b];
    else if (a <= 12 && b <= 12 && o.dateOrder) [mo, d] = o.dateOrder === 'mdy' ? [a, b] : [b, a];
    else return undefined; // day and month could be either way: never guess
    let h = Number(m[4]);
    const ampm = m[7]?.toLowerCase();
    if (ampm !== undefined) {
      if (h < 1 || h > 12) return undefined;
      h = (h % 12) + (ampm === 'pm' ? 12 : 0);
    }
    const time = instant({ y: Number(m[3]), mo, d, h, mi: Number(m[5]), s: m[6] === undefined ? 0 : Number(m[6]), ms: 0 }, zone);
    return time && { time, start: m.index, end: m.index + m[0].length, format: ampm ? 'windows' : 'slash-date' };
  });

const DOTTED_RE = /(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}),? +(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d.])/g;

const findDotted: Finder = (line, zone) =>
  firstOf(DOTTED_RE, line, (m) => {
    const time = instant(
      { y: Number(m[3]), mo: Number(m[2]), d: Number(m[1]), h: Number(m[4]), mi: Number(m[5]), s: m[6] === undefined ? 0 : Number(m[6]), ms: 0 },
      zone,
    );
    return time && { time, start: m.index, end: m.index + m[0].length, format: 'dmy-dotted' };
  });

const EPOCH_RE = /"([^"\\\n]{1,64})"\s*:\s*("?)(\d{19}|\d{16}|\d{13}|\d{10})(?:\.(\d{1,9}))?\2(?![\d.])/g;
const TIME_FIELD = /time|date|^@?ts$|[_.@-]ts$|[a-z]Ts$|^ts[_A-Z]/;
const NOT_TIME_FIELD = /timeout|duration|elapsed|uptime|runtime|taken|ttl|interval|delay/i;
const MIN_EPOCH_S = 946_684_800; // 2000-01-01
const MAX_EPOCH_S = 4_102_444_800; // 2100-01-01

/** Epoch seconds with a fraction of 3 to 9 digits opening a line, then white space or its end: Zeek's TSV logs, Squid's access.log. */
const LEAD_EPOCH_RE = /^\s*(\d{10})\.(\d{3,9})(?=\s|$)/;

const findLeadEpoch: Finder = (line) => {
  const m = LEAD_EPOCH_RE.exec(line);
  if (!m) return undefined;
  const ms = Number(m[1]) * 1000 + fractionMs(m[2]);
  if (ms < MIN_EPOCH_S * 1000 || ms >= MAX_EPOCH_S * 1000) return undefined;
  const end = m[0].length;
  return { time: new Date(ms), start: end - m[2].length - 11, end, format: 'epoch-s' };
};

const findEpoch: Finder = (line) =>
  firstOf(EPOCH_RE, line, (m) => {
    const name = m[1];
    if (!TIME_FIELD.test(name.toLowerCase()) && !TIME_FIELD.test(name)) return undefined;
    if (NOT_TIME_FIELD.test(name)) return undefined;
    const digits = m[3];
    let ms: number;
    let format: string;
    if (digits.length === 10) {
      ms = Number(digits) * 1000 + fractionMs(m[4]);
      format = 'epoch-s';
    } else if (m[4] !== undefined) {
      return undefined;
    } else if (digits.length === 13) {
      ms = Number(digits);
      format = 'epoch-ms';
    } else if (digits.length === 16) {
      ms = Math.floor(Number(digits) / 1000);
      format = 'epoch-us';
    } else {
      ms = Number(digits.slice(0, 13));
      format = 'epoch-ns';
    }
    if (ms < MIN_EPOCH_S * 1000 || ms >= MAX_EPOCH_S * 1000) return undefined;
    // The value (group 2 on) ends the match: its start follows from the group lengths (the `d` flag would
    // give it too, at the price of index arrays for every match).
    const end = m.index + m[0].length;
    const start = end - (2 * m[2].length + digits.length + (m[4] === undefined ? 0 : 1 + m[4].length));
    return { time: new Date(ms), start, end, format };
  });

interface FinderEntry {
  find: Finder;
  /**
   * A cheap necessary condition for the format's pattern to match anywhere in the text (false means it
   * cannot, so the pattern is not run). It looks at a few characters around each occurrence of one
   * separator, found with indexOf: much cheaper than a failed pattern search over a whole line.
   */
  mayMatch: (text: string, limit: number) => boolean;
  /**
   * How far past the start of a match (as `find` reports it) the separator mayMatch looks for can lie.
   * Once a timestamp starting at `b` is known, only separators before `b + sepOffset` can still matter.
   */
  sepOffset: number;
  /** `find` without the pattern, for findLineTime (the same results): the instant in epoch ms (NaN: none), its place in `found`. */
  byHand?: (line: string, zone: number | 'local', o: LineTimeOptions) => number;
  /** Every format, this one first (firstStamp's order after this one found a line's timestamp). */
  first: FinderEntry[];
}

function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i) | 32;
  return c >= 97 && c <= 122;
}

/** The characters `\s` matches in a pattern without the `u` flag. */
function isSpaceCode(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 ||
    c === 12288 || c === 65279
  );
}

// Each filter below looks at the separators before `limit` only.

/** ISO_RE needs `dddd-dd-dd?dd:`: a `-` with a digit before it, two digits and a `-` after it, a `:` 9 on. */
function mayBeIso(text: string, limit: number): boolean {
  for (let i = text.indexOf('-'); i >= 0 && i < limit; i = text.indexOf('-', i + 1)) {
    if (
      text.charCodeAt(i + 3) === 45 && text.charCodeAt(i + 9) === 58 && isDigitAt(text, i - 1) && isDigitAt(text, i + 1) &&
      isDigitAt(text, i + 2) && isDigitAt(text, i + 4)
    ) {
      return true;
    }
  }
  return false;
}

/** CLF_RE needs `dd/Mmm/dddd:`: a `/` after two digits, three letters, a `/`, four digits, a `:`. */
function mayBeClf(text: string, limit: number): boolean {
  for (let i = text.indexOf('/'); i >= 0 && i < limit; i = text.indexOf('/', i + 1)) {
    if (
      text.charCodeAt(i + 4) === 47 && text.charCodeAt(i + 9) === 58 && isDigitAt(text, i - 1) && isDigitAt(text, i - 2) &&
      isLetterAt(text, i + 1) && isDigitAt(text, i + 5)
    ) {
      return true;
    }
  }
  return false;
}

/** SYSLOG_RE needs ` dd:dd:`: a `:` with a space and two digits before it, two digits and a `:` after it. */
function mayBeSyslog(text: string, limit: number): boolean {
  for (let i = text.indexOf(':'); i >= 0 && i < limit; i = text.indexOf(':', i + 1)) {
    if (
      text.charCodeAt(i + 3) === 58 && text.charCodeAt(i - 3) === 32 && isDigitAt(text, i - 1) && isDigitAt(text, i - 2) &&
      isDigitAt(text, i + 1) && isDigitAt(text, i + 2)
    ) {
      return true;
    }
  }
  return false;
}

/** SLASH_RE needs `d/d/dddd` + `,` or space, or `d/dd/dddd` + `,` or space (`sep` is the separator's code). */
function mayBeDate(text: string, limit: number, sep: number, sepChar: string): boolean {
  for (let i = text.indexOf(sepChar); i >= 0 && i < limit; i = text.indexOf(sepChar, i + 1)) {
    if (!isDigitAt(text, i - 1) || !isDigitAt(text, i + 1)) continue;
    const next = text.charCodeAt(i + 2) === sep ? i + 2 : text.charCodeAt(i + 3) === sep && isDigitAt(text, i + 2) ? i + 3 : -1;
    if (next < 0 || digitsAt(text, next + 1, 4) < 0) continue;
    const after = text.charCodeAt(next + 5);
    if (after === 44 || after === 32) return true;
  }
  return false;
}

function mayBeSlash(text: string, limit: number): boolean {
  return mayBeDate(text, limit, 47, '/');
}

/** DOTTED_RE: as SLASH_RE, with dots. */
function mayBeDotted(text: string, limit: number): boolean {
  return mayBeDate(text, limit, 46, '.');
}

/**
 * EPOCH_RE needs `"` (spaces) `:` (spaces) (an optional `"`) and a run of exactly 10, 13, 16 or 19 digits (one digit
 * more and `(?![\d.])` fails after any of the alternatives; JSON with ISO times, `"ts":"2026-...`, is refused here).
 */
function mayBeEpoch(text: string, limit: number): boolean {
  // The key's opening quote comes before the colon: a line without one before the limit (most lines that are not
  // JSON) is settled by one search.
  const quote = text.indexOf('"');
  if (quote < 0 || quote >= limit) return false;
  for (let i = text.indexOf(':', quote + 1); i >= 0 && i < limit; i = text.indexOf(':', i + 1)) {
    // Each space is stepped over at most twice (once from each side): linear in the text.
    let b = i - 1;
    while (b >= 0 && isSpaceCode(text.charCodeAt(b))) b--;
    if (b < 0 || text.charCodeAt(b) !== 34) continue;
    let f = i + 1;
    while (f < text.length && isSpaceCode(text.charCodeAt(f))) f++;
    if (text.charCodeAt(f) === 34) f++;
    let d = f;
    while (d < f + 20 && isDigitAt(text, d)) d++;
    const run = d - f;
    if (run === 10 || run === 13 || run === 16 || run === 19) return true;
  }
  return false;
}

/** findLeadEpoch read by hand (findLineTime's shortcut): `p` is where the line's text starts. Sets `found`; NaN: none. */
function leadEpochByHand(line: string, p: number): number {
  if (line.charCodeAt(p + 10) !== 46) return NaN;
  const seconds = digitsAt(line, p, 10);
  if (seconds < 0) return NaN;
  let end = p + 11;
  while (end < p + 20 && isDigitAt(line, end)) end++;
  const n = end - p - 11;
  if (n < 3 || (end < line.length && !isSpaceCode(line.charCodeAt(end)))) return NaN;
  const ms = seconds * 1000 + fractionDigitsMs(line, p + 11, end);
  if (ms < MIN_EPOCH_S * 1000 || ms >= MAX_EPOCH_S * 1000) return NaN;
  return foundAt(p, end, 'epoch-s', ms);
}

/**
 * findLineTimeMs of an ASCII line held as bytes [p, end), when it opens with epoch seconds and a fraction (Zeek,
 * Squid): leadEpochByHand over the bytes, with no string made. NaN whenever that is not certain (anything else opens
 * the line, or the reading fails): the caller then reads the line as text. Time zones do not apply.
 */
export function leadEpochMsOfBytes(b: Uint8Array, p: number, end: number): number {
  // Ten digits and a `.`: isoAt, tried first on a line that opens with a digit, needs a `-` after four.
  if (p + 10 >= end || b[p + 10] !== 46) return NaN;
  let seconds = 0;
  for (let k = p; k < p + 10; k++) {
    const c = b[k];
    if (!(c >= 48 && c <= 57)) return NaN;
    seconds = seconds * 10 + c - 48;
  }
  let e = p + 11;
  let fraction = 0;
  for (; e < p + 20 && e < end && b[e] >= 48 && b[e] <= 57; e++) fraction = fraction * 10 + b[e] - 48;
  const n = e - p - 11;
  // White space after it is a byte of 9-13 or 32 here (the line is ASCII).
  if (n < 3 || (e < end && !(b[e] === 32 || (b[e] >= 9 && b[e] <= 13)))) return NaN;
  const ms = seconds * 1000 + Math.floor((fraction / POW10[n]) * 1000);
  return ms < MIN_EPOCH_S * 1000 || ms >= MAX_EPOCH_S * 1000 ? NaN : ms;
}

/** LEAD_EPOCH_RE needs ten digits and a `.` where the line's text starts, before `limit`. */
function mayBeLeadEpoch(text: string, limit: number): boolean {
  let p = 0;
  while (isSpaceCode(text.charCodeAt(p))) p++;
  return p < limit && isDigitAt(text, p) && text.charCodeAt(p + 10) === 46;
}

// The separators' offsets: ISO `dddd-`, CLF `dd/`, syslog `Mmm  dd hh:` (at most), slash and dotted `dd/`
// and `dd.`; an epoch's colon comes before the value, which is where its match is said to start.
const ISO: FinderEntry = { find: findIso, mayMatch: mayBeIso, sepOffset: 4, byHand: findIsoByHand, first: [] };
const CLF: FinderEntry = { find: findClf, mayMatch: mayBeClf, sepOffset: 2, byHand: findClfByHand, first: [] };
const SYSLOG: FinderEntry = { find: findSyslog, mayMatch: mayBeSyslog, sepOffset: 10, first: [] };
const SLASH: FinderEntry = { find: findSlash, mayMatch: mayBeSlash, sepOffset: 2, first: [] };
const DOTTED: FinderEntry = { find: findDotted, mayMatch: mayBeDotted, sepOffset: 2, first: [] };
const EPOCH: FinderEntry = { find: findEpoch, mayMatch: mayBeEpoch, sepOffset: 0, first: [] };
const LEAD_EPOCH: FinderEntry = { find: findLeadEpoch, mayMatch: mayBeLeadEpoch, sepOffset: 0, first: [] };

// The likeliest format first: once a timestamp is found at the start of the line, nothing can come
// before it, and the other patterns only search the text in front of the best one so far.
const ISO_FIRST = [ISO, SYSLOG, CLF, SLASH, DOTTED, EPOCH, LEAD_EPOCH];
const SYSLOG_FIRST = [SYSLOG, ISO, CLF, SLASH, DOTTED, EPOCH, LEAD_EPOCH];
const DEFAULT_ORDER = [LEAD_EPOCH, ISO, CLF, SYSLOG, SLASH, DOTTED, EPOCH];
// The lines of a log are alike: the format that found the last line's timestamp (where firstStamp had to look) goes
// first on the next line, and the others only search the text before what it finds.
for (const f of DEFAULT_ORDER) f.first = [f, ...DEFAULT_ORDER.filter((g) => g !== f)];
let lastFound: FinderEntry | undefined;
const STARTS_ISO = /^\s*(?:<\d{1,3}>\d{1,2} )?\d{4}-\d\d-\d\d/;
const STARTS_SYSLOG = /^\s*(?:<\d{1,3}>)?[A-Z][a-z]{2} /;
/** Longest timestamp text any pattern matches, plus room for its look-ahead. */
const MAX_STAMP = 64;

/** Value of `n` ASCII digits at `i`, or -1. */
function digitsAt(text: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = text.charCodeAt(k);
    if (!(c >= 48 && c <= 57)) return -1;
    v = v * 10 + c - 48;
  }
  return v;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * fractionMs of the digits in [i, j) (at most nine), without building strings: the value and the power of
 * ten are exact doubles, so their quotient is the correctly rounded double that Number('0.digits') is.
 */
function fractionDigitsMs(text: string, i: number, j: number): number {
  return Math.floor((digitsAt(text, i, j - i) / POW10[j - i]) * 1000);
}

/**
 * Where the line-start readers below found their timestamp (they return its instant in epoch ms, or NaN when they
 * cannot be sure what the patterns would find): findLineTime makes a LineTime of it, findLineTimeMs needs no object.
 */
const found = { start: 0, end: 0, format: '' };

function foundAt(start: number, end: number, format: string, ms: number): number {
  found.start = start;
  found.end = end;
  found.format = format;
  return ms;
}

/** The readers' result as a LineTime: the instant `t` (NaN: none) at the place in `found`. */
function lineTimeOf(t: number): LineTime | undefined {
  return t === t ? { time: new Date(t), start: found.start, end: found.end, format: found.format } : undefined;
}

/** A pattern's LineTime as the readers' result: its instant (NaN: none), its place in `found`. */
function foundOf(r: LineTime | undefined): number {
  return r ? foundAt(r.start, r.end, r.format, r.time.getTime()) : NaN;
}

/**
 * The ISO_RE match at `p`, read by hand: where a line's text starts (the usual case) or inside it (findIsoByHand); a
 * pattern match costs far more (17 capture groups). It follows the pattern's first choice at every step (greedy,
 * alternatives in order); wherever the pattern would have to backtrack, or the fields are not a time (the pattern
 * would go on searching), it answers NaN (unsure). Its instant in epoch ms otherwise, its place in `found`.
 * `blankBefore`: only white space precedes `p` (a `date time` there is W3C, in UTC).
 */
function isoAt(line: string, p: number, zone: number | 'local', blankBefore: boolean): number {
  if (line.charCodeAt(p + 4) !== 45 || line.charCodeAt(p + 7) !== 45) return NaN; // most lines that are not ISO fail here
  const y = digitsAt(line, p, 4);
  const mo = digitsAt(line, p + 5, 2);
  const d = digitsAt(line, p + 8, 2);
  const t = line.charCodeAt(p + 10);
  const h = digitsAt(line, p + 11, 2);
  const mi = digitsAt(line, p + 14, 2);
  if (
    y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || line.charCodeAt(p + 4) !== 45 || line.charCodeAt(p + 7) !== 45 ||
    !(t === 84 || t === 116 || t === 32) || line.charCodeAt(p + 13) !== 58
  ) {
    return NaN;
  }
  let i = p + 16;
  let s = -1;
  let ms = 0;
  let hasFraction = false;
  if (line.charCodeAt(i) === 58 && (s = digitsAt(line, i + 1, 2)) >= 0) {
    i += 3;
    const c = line.charCodeAt(i);
    if ((c === 46 || c === 44) && isDigitAt(line, i + 1)) {
      let j = i + 2;
      while (j < i + 10 && isDigitAt(line, j)) j++;
      ms = fractionDigitsMs(line, i + 1, j);
      hasFraction = true;
      i = j;
    }
  }
  let z: number | 'local' | undefined;
  let format = 'iso8601';
  const c = line.charCodeAt(i);
  let sign = 0;
  let oh = -1;
  let om = 0;
  if (c === 90 || c === 122) {
    z = 0;
    i++;
  } else if ((c === 43 || c === 45) && (oh = digitsAt(line, i + 1, 2)) >= 0) {
    sign = c;
    i += 3;
    if (line.charCodeAt(i) === 58 && (om = digitsAt(line, i + 1, 2)) >= 0) i += 3;
    else if ((om = digitsAt(line, i, 2)) >= 0) i += 2;
    else om = 0;
  } else if (c === 32) {
    const c1 = line.charCodeAt(i + 1);
    if ((c1 === 43 || c1 === 45) && (oh = digitsAt(line, i + 2, 2)) >= 0) {
      if (line.charCodeAt(i + 4) === 58 && (om = digitsAt(line, i + 5, 2)) >= 0) {
        sign = c1;
        i += 7;
      } else if ((om = digitsAt(line, i + 4, 2)) >= 0) {
        sign = c1;
        i += 6;
      }
    } else if (line.startsWith('UTC', i + 1) || line.startsWith('GMT', i + 1)) {
      z = 0;
      i += 4;
    }
  }
  if (isDigitAt(line, i)) return NaN; // (?![\d]) fails: the pattern backtracks
  if (sign !== 0) {
    z = oh > 23 || om > 59 ? undefined : (sign === 45 ? -1 : 1) * (oh * 60 + om);
  } else if (z === undefined) {
    // Only spaces before the timestamp: `date time` is W3C (UTC) when it has seconds and no fraction.
    if (blankBefore && t === 32 && !hasFraction && s >= 0) {
      z = 0;
      format = 'w3c';
    } else {
      z = zone;
      format = 'iso8601-local';
    }
  }
  if (z === undefined) return NaN;
  const at = instantMs({ y, mo, d, h, mi, s: s < 0 ? 0 : s, ms }, z);
  return at === at ? foundAt(p, i, format, at) : NaN;
}

/** As isoAt at a line start, for SYSLOG_RE (`Nov  7 08:42:13`, with an optional fraction and year). */
function syslogAtLineStart(line: string, p: number, zone: number | 'local', o: LineTimeOptions): number {
  const c1 = line.charCodeAt(p + 1);
  const c2 = line.charCodeAt(p + 2);
  if (!(c1 < 128 && c2 < 128) || line.charCodeAt(p + 3) !== 32) return NaN;
  const mo = SYSLOG_MONTHS_BY_CODE.get((line.charCodeAt(p) << 16) | (c1 << 8) | c2);
  if (mo === undefined) return NaN;
  let i = line.charCodeAt(p + 4) === 32 ? p + 5 : p + 4;
  let d = digitsAt(line, i, 2);
  if (d >= 0) i += 2;
  else if ((d = digitsAt(line, i, 1)) >= 0) i += 1;
  else return NaN;
  if (line.charCodeAt(i) !== 32 || line.charCodeAt(i + 3) !== 58 || line.charCodeAt(i + 6) !== 58) return NaN;
  const h = digitsAt(line, i + 1, 2);
  const mi = digitsAt(line, i + 4, 2);
  const s = digitsAt(line, i + 7, 2);
  if (h < 0 || mi < 0 || s < 0) return NaN;
  i += 9;
  let ms = 0;
  if (line.charCodeAt(i) === 46 && isDigitAt(line, i + 1)) {
    let j = i + 2;
    while (j < i + 7 && isDigitAt(line, j)) j++;
    ms = fractionDigitsMs(line, i + 1, j);
    i = j;
  }
  if (isDigitAt(line, i)) return NaN; // (?![\d]) fails: the pattern backtracks
  let y = -1;
  if (line.charCodeAt(i) === 32 && (y = digitsAt(line, i + 1, 4)) >= 0 && !isDigitAt(line, i + 5)) i += 5;
  else y = -1;
  const t = syslogMs({ y, mo, d, h, mi, s, ms }, zone, o);
  return t === t ? foundAt(p, i, 'rfc3164', t) : NaN;
}

const SYSLOG_MONTHS_BY_CODE = new Map(
  Object.entries(SYSLOG_MONTHS).map(([name, mo]) => [(name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2), mo]),
);

/**
 * The first timestamp on a log line, as an exact UTC instant, or undefined. Timestamps without a zone use
 * `assumeZone`, except W3C/IIS `date time` at the start of a line, which that format defines as UTC.
 * Dates whose day and month order cannot be told apart are skipped unless `dateOrder` says which it is.
 */
export function findLineTime(line: string, options: LineTimeOptions = {}): LineTime | undefined {
  const zone = zoneOf(options);
  const lead = leadOf(line);
  let t = atLineStart(line, lead, zone, options);
  if (t !== t) t = firstStamp(line, lead, zone, options, true);
  return lineTimeOf(t);
}

/** findLineTime's instant in epoch ms (NaN: none), without the objects: what a scan that counts line times needs. */
export function findLineTimeMs(line: string, options: LineTimeOptions = {}): number {
  const zone = zoneOf(options);
  const lead = leadOf(line);
  const t = atLineStart(line, lead, zone, options);
  return t === t ? t : firstStamp(line, lead, zone, options, true);
}

/** Where a line's text starts after white space. */
function leadOf(line: string): number {
  // trimStart() removes exactly the characters isSpaceCode knows; most lines start with something else.
  const c0 = line.charCodeAt(0);
  return c0 > 32 && c0 < 128 ? 0 : line.length - line.trimStart().length;
}

/**
 * Most lines start with their timestamp: it is read by hand (the patterns would find the same), its instant returned
 * and its place left in `found`; NaN when the patterns must decide.
 */
function atLineStart(line: string, lead: number, zone: number | 'local', options: LineTimeOptions): number {
  const first = line.charCodeAt(lead);
  if (first >= 48 && first <= 57) {
    const t = isoAt(line, lead, zone, true);
    return t === t ? t : leadEpochByHand(line, lead);
  }
  if (first >= 65 && first <= 90) return syslogAtLineStart(line, lead, zone, options);
  return NaN;
}

/**
 * findLineTime without its shortcuts (reading line starts by hand, the mayMatch filters): every pattern
 * runs. The same results, more slowly; kept so tests can check the shortcuts against it.
 */
export function findLineTimeByPatterns(line: string, options: LineTimeOptions = {}): LineTime | undefined {
  const zone = zoneOf(options);
  const t = firstStamp(line, line.length - line.trimStart().length, zone, options, false);
  return lineTimeOf(t);
}

function zoneOf(options: LineTimeOptions): number | 'local' {
  const zone = parseZoneOption(options.assumeZone);
  if (zone === undefined) throw new RangeError(`assumeZone must be 'utc', 'local' or '±HH:MM', not '${options.assumeZone}'`);
  return zone;
}

/**
 * The earliest timestamp any pattern finds (`lead`: where the line's text starts after white space): its instant in
 * epoch ms (NaN: none), its place in `found`.
 */
function firstStamp(line: string, lead: number, zone: number | 'local', options: LineTimeOptions, filter: boolean): number {
  // The order only decides how soon the others are cut short: the earliest timestamp wins whatever the order (no two
  // formats can start at the same place: their first characters differ).
  const order =
    filter && lastFound !== undefined ? lastFound.first : STARTS_ISO.test(line) ? ISO_FIRST : STARTS_SYSLOG.test(line) ? SYSLOG_FIRST : DEFAULT_ORDER;
  let best = NaN;
  let bestStart = 0;
  let bestEnd = 0;
  let bestFormat = '';
  let bestEntry: FinderEntry | undefined;
  let text = line;
  for (const f of order) {
    if (filter && !f.mayMatch(text, bestEntry === undefined ? Infinity : bestStart + f.sepOffset)) continue;
    const t = filter && f.byHand ? f.byHand(text, zone, options) : foundOf(f.find(text, zone, options));
    if (t === t && (bestEntry === undefined || found.start < bestStart)) {
      best = t;
      bestStart = found.start;
      bestEnd = found.end;
      bestFormat = found.format;
      bestEntry = f;
      // Only a timestamp that starts before this one can still win.
      if (bestStart <= lead + 1) break;
      if (bestStart + MAX_STAMP < text.length) text = line.slice(0, bestStart + MAX_STAMP);
    }
  }
  if (bestEntry === undefined) return NaN;
  if (filter) lastFound = bestEntry;
  return foundAt(bestStart, bestEnd, bestFormat, best);
}

const UNITS: Record<string, number> = {
  s: 1_000, sec: 1_000, secs: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, wk: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const HELP = "Use ISO 8601 (2026-11-21T03:14:07Z), a log timestamp, 'now', or a relative time such as '2h ago', '-90m' or '3d ago'.";

const ISO_INPUT_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz]|UTC|GMT)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Reads a time a user typed: ISO 8601 with or without a zone (UTC when absent; a date alone means its
 * midnight UTC), any log format findLineTime knows, epoch seconds or milliseconds, `now`, and relative
 * forms (`2h ago`, `-90m`, `3d ago`).
 */
export function parseTimeInput(input: string, now: Date = new Date()): { ok: true; time: Date } | { ok: false; error: string } {
  const s = input.trim();
  if (s === '') return { ok: false, error: `Enter a time. ${HELP}` };
  const shown = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  if (/^now$/i.test(s)) return { ok: true, time: new Date(now.getTime()) };

  const rel = /^(-)?\s*(\d+(?:\.\d+)?)\s*([a-z]+)(?:\s+(ago))?$/i.exec(s);
  if (rel) {
    const unit = UNITS[rel[3].toLowerCase()];
    if (unit === undefined) return { ok: false, error: `'${shown}': unknown unit '${rel[3]}'. Use s, m, h, d or w.` };
    if ((rel[1] === undefined) === (rel[4] === undefined)) {
      return { ok: false, error: `'${shown}' is not a time. Did you mean '${rel[2]}${rel[3]} ago'?` };
    }
    return { ok: true, time: new Date(now.getTime() - Number(rel[2]) * unit) };
  }

  const iso = ISO_INPUT_RE.exec(s);
  if (iso) {
    let zone: number | undefined = 0;
    if (iso[9] !== undefined) zone = offsetMinutes(iso[9], iso[10], iso[11]);
    const time =
      zone === undefined
        ? undefined
        : instant(
            {
              y: Number(iso[1]), mo: Number(iso[2]), d: Number(iso[3]), h: Number(iso[4] ?? 0), mi: Number(iso[5] ?? 0),
              s: Number(iso[6] ?? 0), ms: fractionMs(iso[7]),
            },
            zone,
          );
    return time ? { ok: true, time } : { ok: false, error: `'${shown}' is not a valid date or time.` };
  }

  if (/^\d{10}$|^\d{13}$/.test(s)) {
    const ms = s.length === 10 ? Number(s) * 1000 : Number(s);
    if (ms >= MIN_EPOCH_S * 1000 && ms < MAX_EPOCH_S * 1000) return { ok: true, time: new Date(ms) };
  }

  const inner = s.replace(/^\[(.*)\]$/, '$1');
  const found = findLineTime(inner, { now });
  if (found && found.start === 0 && found.end === inner.length) return { ok: true, time: found.time };
  if (SLASH_TEST.test(inner)) {
    return { ok: false, error: `'${shown}' is ambiguous: the day and the month could be either way. Use ISO 8601, e.g. 2026-11-21T03:14:07Z.` };
  }
  return { ok: false, error: `'${shown}' is not a time I can read. ${HELP}` };
}
