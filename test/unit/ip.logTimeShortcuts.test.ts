import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findLineTime, findLineTimeByPatterns, findLineTimeMs, leadEpochMsOfBytes, type LineTimeOptions } from '../../src/core/ip/logTime';

// findLineTime reads the usual line starts by hand and skips patterns that cannot match; these tests hold
// it to the plain pattern search (findLineTimeByPatterns), which does neither.

const OPTIONS: LineTimeOptions[] = [
  { now: new Date('2026-11-25T12:00:00Z') },
  { now: new Date('2027-01-01T00:30:00Z'), assumeZone: '-03:00', dateOrder: 'mdy' },
  { now: new Date('2026-03-01T00:00:00Z'), assumeZone: 'local', dateOrder: 'dmy' },
];

/** findLineTime and findLineTimeMs (the instant alone, no objects) agree with the patterns. */
function same(line: string): void {
  for (const o of OPTIONS) {
    const expected = findLineTimeByPatterns(line, o);
    assert.deepEqual(findLineTime(line, o), expected, `${JSON.stringify(line)} ${JSON.stringify(o)}`);
    assert.equal(findLineTimeMs(line, o), expected ? expected.time.getTime() : NaN, `${JSON.stringify(line)} ${JSON.stringify(o)} in ms`);
  }
}

const digits = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

/** ISO-like stamps, right and slightly wrong: field widths, separators, fractions of any length, zones. */
const isoLike = fc
  .tuple(
    fc.oneof(digits(4), fc.constantFrom('2026', '2024', '0099', '9999')),
    fc.oneof(digits(2), fc.constantFrom('02', '11', '13')),
    fc.oneof(digits(2), fc.constantFrom('29', '30', '31')),
    fc.constantFrom('T', 't', ' ', '_'),
    fc.oneof(digits(2), fc.constantFrom('23', '24', '7')),
    fc.oneof(digits(2), fc.constantFrom('59', '60')),
    fc.constantFrom('', ':05', ':59', ':60', ':5'),
    fc.oneof(fc.constant(''), fc.tuple(fc.constantFrom('.', ','), fc.integer({ min: 0, max: 12 })).map(([sep, n]) => sep + '7'.repeat(n))),
    fc.constantFrom('', 'Z', 'z', '+01:00', '-0500', '+01', '+01:', '+1', '+24:00', ' +01:00', ' -0130', ' +01', ' UTC', ' GMT', ' utc', '+'),
  )
  .map(([y, mo, d, t, h, mi, s, frac, zone]) => `${y}-${mo}-${d}${t}${h}:${mi}${s}${frac}${zone}`);

/** Syslog-like stamps: month spellings, one to three spaces, one to three day digits, fractions, years. */
const syslogLike = fc
  .tuple(
    fc.constantFrom('Jan', 'Feb', 'Nov', 'Dec', 'NOV', 'nov', 'Now', 'N\u0151v'),
    fc.constantFrom(' ', '  ', '   ', ''),
    fc.oneof(digits(1), digits(2), digits(3), fc.constantFrom('29', '30', '31')),
    fc.constantFrom(' ', '  ', ''),
    fc.constantFrom('03:14:07', '23:59:59', '24:00:00', '3:14:07', '03:14:7'),
    fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 9 }).map((n) => '.' + '5'.repeat(n))),
    fc.constantFrom('', ' 2026', ' 2027', ' 20261', ' 202', ' 0099'),
  )
  .map(([mon, sp, day, sp2, time, frac, year]) => `${mon}${sp}${day}${sp2}${time}${frac}${year}`);

/** CLF-like stamps: month spellings and cases, field widths, zones right and wrong, a digit after the zone. */
const clfLike = fc
  .tuple(
    fc.constantFrom('', '1', 'x', '['),
    fc.oneof(digits(2), digits(1), fc.constantFrom('31', '30', '29', '00')),
    fc.constantFrom('Nov', 'nov', 'NOV', 'Feb', 'Now', 'No', 'N\u0151v', 'Nov/'),
    fc.oneof(digits(4), fc.constantFrom('2026', '2024', '0099', '2025')),
    fc.constantFrom(':08:44:05', ':23:59:59', ':24:00:00', ':08:60:05', ':8:44:05', ':08:44:5', ':08:44', ' 08:44:05'),
    fc.constantFrom('', ' +0100', ' -0530', ' +2400', ' +0160', '\t+0000', ' +01', ' 0100', '  +0100', '+0100', ' +01000'),
    fc.constantFrom('', ']', '1', ' ', '/', '/12/Nov/2026:08:44:05'),
  )
  .map(([b, d, mon, y, time, zone, a]) => `${b}${d}/${mon}/${y}${time}${zone}${a}`);

const before = fc.constantFrom('', ' ', '\t', '  ', '\u00a0', '\ufeff', '<34>1 ', '<38>', 'x ', '"');
const after = fc.constantFrom(
  '',
  ' ',
  '1',
  'x',
  ' host sshd[811]: from 10.0.0.1',
  ' 2026-11-20T08:44:05Z',
  ' Nov 21 03:14:07',
  ' [20/Nov/2026:08:44:05 +0100]',
  ' {"ts": 1795500000}',
  ' 11/21/2026 3:14:07 AM',
  ' 21.11.2026 03:14:07',
);

/** Typical log lines of every format. */
const TYPICAL = [
  'Nov  7 08:42:13 bastion-01 sshd[60056]: Failed password for invalid user admin from 172.30.81.241 port 27548 ssh2',
  '2026-11-15T18:57:59.851Z intel: C2 hxxp://72[.]154[.]116[.]76/gate.php',
  '2026-11-20 08:44:05 W3SVC1 10.0.0.5 GET /',
  '2026-11-20 08:44:05,250 INFO x',
  '192.168.155.104 - - [03/Nov/2026:02:43:52 +0000] "GET /api/v1.2/items?id=91271 HTTP/1.1" 500 5729 "-" "Mozilla/5.0"',
  '{"ts":1794720118,"event":"conn","src":"68.211.172.177","agent":"kernel 6.1.0-26-amd64 uptime 10:49:43"}',
  '<34>1 2026-11-21T03:14:07.003Z bastion sshd 811 - - Failed',
  'Sat Nov 21 03:14:07 2026 x',
  '"11/21/2026 3:14:07 AM","4625","An account failed to log on"',
  '21.11.2026 03:14:07 Anmeldung',
  '2026-11-20T08:44:05.1234567890Z too many fraction digits',
  'Nov 21 03:14:07.1234567 too many fraction digits',
  'Feb 30 10:00:00 host x',
  '2026-02-30T10:00:00Z then 2026-02-28T10:00:00Z',
  '2026-11-20T08:44:05+24:00 then Nov 21 03:14:07',
  '1795500000.723215\tCb6feAb07b4811729\tfe80::2a0a:fbff:fe87:9e27\t44795\t2606:4700:43::c986\t53\tudp\tdns\t51.793469',
  '1795500000.250    112 192.168.1.20 TCP_MISS/200 5120 GET http://example.com/ - HIER_DIRECT/93.184.216.34 text/html',
  '1795500000.723215 [20/Nov/2026:08:44:05 +0100] the epoch comes first',
];

describe('findLineTime shortcuts', () => {
  test('timestamps at the start of a line: the hand reader agrees with the patterns', () => {
    fc.assert(
      fc.property(before, fc.oneof(isoLike, syslogLike), after, after, (b, stamp, a1, a2) => same(b + stamp + a1 + a2)),
      { numRuns: 3000 },
    );
  });

  test('CLF timestamps anywhere in a line: the hand reader agrees with the pattern', () => {
    const around = fc.constantFrom('', '10.0.0.1 - - [', 'x ', '12', '1/', 'GET /a/b/c ', '"2026-11-20T08:44:05Z" ', 'Nov 21 03:14:07 ');
    fc.assert(
      fc.property(around, clfLike, fc.oneof(clfLike, after), around, (b, stamp, a1, a2) => same(b + stamp + a1 + a2)),
      { numRuns: 4000 },
    );
  });

  test('ISO timestamps inside a line (JSON, key=value): the hand reader agrees with the pattern', () => {
    const around = fc.constantFrom('', '{"eventTime":"', 'time=', 'x ', '12', '1.', '1:', '-', '<34>1 ', ' <34>1 ', '"ts": "', 'a 2026-13-45T10:00:00Z ', '2026-11-20T08:44:05Z');
    fc.assert(
      fc.property(around, isoLike, fc.oneof(isoLike, after), around, (b, stamp, a1, a2) => same(b + stamp + a1 + a2)),
      { numRuns: 4000 },
    );
  });

  test('the pattern filters never skip a pattern that would match', () => {
    const piece = fc.constantFrom(
      '2026-11-20',
      'T',
      ' ',
      '08:44:05',
      '.123',
      'Z',
      '+01:00',
      '20/Nov/2026:08:44:05',
      ' +0100',
      'Nov 21',
      ' 03:14:07',
      '11/21/2026',
      '5/6/2026',
      '21.11.2026',
      '1.2.2026',
      ', ',
      ' PM',
      '"ts"',
      '"timeout"',
      '"event_ts"',
      ':',
      ': ',
      '"',
      '1795500000',
      '1795500000123',
      '1795500000.723215',
      '1795500000.25',
      '\t',
      '-',
      '/',
      '.',
      '\u00a0',
      '\n',
      'x',
      '1',
      '12',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => same(parts.join(''))),
      { numRuns: 3000 },
    );
  });

  test('typical log lines of every format', () => {
    for (const line of TYPICAL) same(line);
  });

  test('a line after a line of any other format (the format found last is tried first) reads the same', () => {
    // One line of each format that firstStamp finds (not the line-start shortcuts), then every line after each of them.
    const primers = [
      '192.168.155.104 - - [03/Nov/2026:02:43:52 +0000] "GET /"',
      'host x Nov 21 03:14:07 sshd',
      'host x 2026-11-20T08:44:05Z y',
      '"11/21/2026 3:14:07 AM","4625"',
      'x 21.11.2026 03:14:07 Anmeldung',
      '{"event":"conn","ts":1794720118}',
      ' 1795500000.250 x',
    ];
    for (const primer of primers) {
      assert.ok(findLineTime(primer, OPTIONS[0]), `the primer ${JSON.stringify(primer)} has a time`);
      for (const line of [...TYPICAL, ...primers]) {
        for (const o of OPTIONS) {
          findLineTime(primer, o);
          assert.deepEqual(findLineTime(line, o), findLineTimeByPatterns(line, o), `${JSON.stringify(line)} after ${JSON.stringify(primer)}`);
          findLineTimeMs(primer, o);
          assert.equal(findLineTimeMs(line, o), findLineTimeByPatterns(line, o)?.time.getTime() ?? NaN, `${JSON.stringify(line)} after ${JSON.stringify(primer)}, in ms`);
        }
      }
    }
  });

  test('instants are computed exactly (checked against Date.UTC) for any date of years 1000-9999', () => {
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 999 }),
        (y, mo, d, h, mi, s, ms) => {
          fc.pre(d <= new Date(Date.UTC(y, mo, 0)).getUTCDate());
          const line = `${y}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z x`;
          assert.equal(findLineTime(line)?.time.getTime(), Date.UTC(y, mo - 1, d, h, mi, s, ms), line);
          const syslog = `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][mo - 1]} ${d} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)} ${y} x`;
          assert.equal(findLineTime(syslog)?.time.getTime(), Date.UTC(y, mo - 1, d, h, mi, s), syslog);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('epoch seconds opening a line, read from its bytes, are what findLineTimeMs reads from its text, or left to it', () => {
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
    const head = fc.oneof(
      fc.tuple(digits(9, 11), fc.constantFrom('.', ',', '-', ''), digits(0, 11)).map(([a, sep, b]) => a + sep + b),
      fc.tuple(fc.integer({ min: 946_684_000, max: 4_102_445_000 }), digits(0, 10)).map(([sec, f]) => `${sec}.${f}`),
      fc.constantFrom('2026-12-06T10:00:00Z', '1733-12-06 10:00', '17330.11200'),
    );
    const tail = fc.constantFrom('', '\t10.0.0.1', ' x', 'x', '1', '.5', ':', '\r', ' [20/Nov/2026:08:44:05 +0100]');
    let read = 0;
    fc.assert(
      fc.property(head, tail, (h, t) => {
        const line = h + t;
        const bytes = Buffer.from(`junk\n${line}\nnext`, 'latin1');
        const got = leadEpochMsOfBytes(bytes, 5, 5 + line.length);
        if (got === got) {
          read++;
          for (const o of OPTIONS) assert.equal(got, findLineTimeMs(line, o), `${JSON.stringify(line)} ${JSON.stringify(o)}`);
        }
      }),
      { numRuns: 5000 },
    );
    assert.ok(read > 500, `${read} lines read from their bytes`);
    const at = (line: string) => leadEpochMsOfBytes(Buffer.from(line, 'latin1'), 0, line.length);
    assert.equal(at('1795500000.723215\tC1\t10.0.0.1'), 1795500000723);
    assert.equal(at('1795500000.250'), 1795500000250);
    // Left to the text reader: two fraction digits, a letter after it, an ISO date, ten digits and no fraction.
    for (const line of ['1795500000.25 x', '1795500000.250x', '2026-12-06T10:00:00Z', '1795500000 x']) assert.ok(Number.isNaN(at(line)), line);
  });
});
