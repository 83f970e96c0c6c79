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
  if (f.mo < 1 || f.mo > 12 || f.d < 1 || f.h > 23 || f.mi > 59 || f.s > 59) return undefined;
  if (f.d > daysInMonth(f.y, f.mo)) return undefined;
  let t: number;
  if (zone === 'local') {
    const local = new Date(2000, 0, 1, f.h, f.mi, f.s, f.ms);
    local.setFullYear(f.y, f.mo - 1, f.d); // the constructor would map years 0-99 to 1900-1999
    t = local.getTime();
  } else {
    t = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s, f.ms) - zone * 60_000;
  }
  return Number.isFinite(t) ? new Date(t) : undefined;
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

const SYSLOG_RE =
  /(?<![A-Za-z])(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?![\d])(?: (\d{4})(?![\d]))?/g;
const DAY_MS = 86_400_000;

const findSyslog: Finder = (line, zone, o) =>
  firstOf(SYSLOG_RE, line, (m) => {
    const base: Fields = {
      y: 0, mo: MONTHS[m[1].toLowerCase()], d: Number(m[2]), h: Number(m[3]), mi: Number(m[4]), s: Number(m[5]), ms: fractionMs(m[6]),
    };
    const range = { start: m.index, end: m.index + m[0].length, format: 'rfc3164' };
    if (m[7] !== undefined) {
      const time = instant({ ...base, y: Number(m[7]) }, zone);
      return time && { time, ...range };
    }
    // No year: the most recent such date not after now (a day of slack absorbs zone differences).
    const now = (o.now ?? new Date()).getTime();
    const startYear = new Date(now + DAY_MS).getUTCFullYear();
    for (let y = startYear; y > startYear - 8; y--) {
      const time = instant({ ...base, y }, zone);
      if (time && time.getTime() <= now + DAY_MS) return { time, ...range };
    }
    return undefined;
  });

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

const EPOCH_RE = /"([^"\\\n]{1,64})"\s*:\s*("?)(\d{19}|\d{16}|\d{13}|\d{10})(?:\.(\d{1,9}))?\2(?![\d.])/dg;
const TIME_FIELD = /time|date|^@?ts$|[_.@-]ts$|[a-z]Ts$|^ts[_A-Z]/;
const NOT_TIME_FIELD = /timeout|duration|elapsed|uptime|runtime|taken|ttl|interval|delay/i;
const MIN_EPOCH_S = 946_684_800; // 2000-01-01
const MAX_EPOCH_S = 4_102_444_800; // 2100-01-01

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
    const start = m.indices?.[2]?.[0] ?? m.index;
    return { time: new Date(ms), start, end: m.index + m[0].length, format };
  });

interface FinderEntry {
  find: Finder;
  /** A character the format cannot do without: a cheap test before running its pattern. */
  needs: string;
}

const ISO: FinderEntry = { find: findIso, needs: '-' };
const CLF: FinderEntry = { find: findClf, needs: '/' };
const SYSLOG: FinderEntry = { find: findSyslog, needs: ':' };
const SLASH: FinderEntry = { find: findSlash, needs: '/' };
const DOTTED: FinderEntry = { find: findDotted, needs: '.' };
const EPOCH: FinderEntry = { find: findEpoch, needs: '"' };

// The likeliest format first: once a timestamp is found at the start of the line, nothing can come
// before it, and the other patterns only search the text in front of the best one so far.
const ISO_FIRST = [ISO, SYSLOG, CLF, SLASH, DOTTED, EPOCH];
const SYSLOG_FIRST = [SYSLOG, ISO, CLF, SLASH, DOTTED, EPOCH];
const DEFAULT_ORDER = [ISO, CLF, SYSLOG, SLASH, DOTTED, EPOCH];
const STARTS_ISO = /^\s*(?:<\d{1,3}>\d{1,2} )?\d{4}-\d\d-\d\d/;
const STARTS_SYSLOG = /^\s*(?:<\d{1,3}>)?[A-Z][a-z]{2} /;
/** Longest timestamp text any pattern matches, plus room for its look-ahead. */
const MAX_STAMP = 64;

/**
 * The first timestamp on a log line, as an exact UTC instant, or undefined. Timestamps without a zone use
 * `assumeZone`, except W3C/IIS `date time` at the start of a line, which that format defines as UTC.
 * Dates whose day and month order cannot be told apart are skipped unless `dateOrder` says which it is.
 */
export function findLineTime(line: string, options: LineTimeOptions = {}): LineTime | undefined {
  const zone = parseZoneOption(options.assumeZone);
  if (zone === undefined) throw new RangeError(`assumeZone must be 'utc', 'local' or '±HH:MM', not '${options.assumeZone}'`);
  const order = STARTS_ISO.test(line) ? ISO_FIRST : STARTS_SYSLOG.test(line) ? SYSLOG_FIRST : DEFAULT_ORDER;
  const lead = line.length - line.trimStart().length;
  let best: LineTime | undefined;
  let text = line;
  for (const f of order) {
    if (text.indexOf(f.needs) < 0) continue;
    const r = f.find(text, zone, options);
    if (r && (best === undefined || r.start < best.start)) {
      best = r;
      // Only a timestamp that starts before this one can still win.
      if (best.start <= lead + 1) break;
      if (best.start + MAX_STAMP < text.length) text = line.slice(0, best.start + MAX_STAMP);
    }
  }
  return best;
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
