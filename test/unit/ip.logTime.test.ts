import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { findLineTime, parseTimeInput, parseZoneOption } from '../../src/core/ip/logTime';

const NOW = new Date('2026-11-25T12:00:00Z');

function at(line: string, options: Parameters<typeof findLineTime>[1] = {}): { iso: string; format: string; text: string } | undefined {
  const r = findLineTime(line, { now: NOW, ...options });
  return r && { iso: r.time.toISOString(), format: r.format, text: line.slice(r.start, r.end) };
}

describe('findLineTime: formats', () => {
  const cases: [string, string, string, string][] = [
    ['ISO with Z', '2026-11-20T08:44:05Z sshd accepted 10.0.0.1', '2026-11-20T08:44:05.000Z', 'iso8601'],
    ['ISO with fraction and offset', '2026-11-20T08:44:05.123+01:00 x', '2026-11-20T07:44:05.123Z', 'iso8601'],
    ['ISO with compact offset', 'at 2026-11-20T08:44:05-0500 x', '2026-11-20T13:44:05.000Z', 'iso8601'],
    ['ISO with nanoseconds', '2026-11-20T08:44:05.123456789Z', '2026-11-20T08:44:05.123Z', 'iso8601'],
    ['ISO without zone (UTC by default)', 'x 2026-11-20T08:44:05 y', '2026-11-20T08:44:05.000Z', 'iso8601-local'],
    ['ISO with space and UTC', 'x 2026-11-20 08:44:05 UTC y', '2026-11-20T08:44:05.000Z', 'iso8601'],
    ['Python logging (comma fraction)', '2026-11-20 08:44:05,250 INFO x', '2026-11-20T08:44:05.250Z', 'iso8601-local'],
    ['W3C / IIS', '2026-11-20 08:44:05 W3SVC1 10.0.0.5 GET /', '2026-11-20T08:44:05.000Z', 'w3c'],
    ['RFC 5424', '<34>1 2026-11-21T03:14:07.003Z bastion sshd 811 - - Failed', '2026-11-21T03:14:07.003Z', 'rfc5424'],
    ['Apache/NGINX', '198.51.100.23 - - [20/Nov/2026:08:44:05 +0100] "GET / HTTP/1.1" 200', '2026-11-20T07:44:05.000Z', 'clf'],
    ['RFC 3164', 'Nov 21 03:14:07 bastion sshd[811]: Failed', '2026-11-21T03:14:07.000Z', 'rfc3164'],
    ['RFC 3164 with padded day', 'Nov  1 03:14:07 bastion sshd[811]: x', '2026-11-01T03:14:07.000Z', 'rfc3164'],
    ['RFC 3164 with priority', '<38>Nov 21 03:14:07 host app: x', '2026-11-21T03:14:07.000Z', 'rfc3164'],
    ['ctime with year', 'Sat Nov 21 03:14:07 2026 x', '2026-11-21T03:14:07.000Z', 'rfc3164'],
    ['Windows event export', '"11/21/2026 3:14:07 AM","4625","An account failed to log on"', '2026-11-21T03:14:07.000Z', 'windows'],
    ['Windows event export, PM', 'Information,11/21/2026 3:14:07 PM,Security', '2026-11-21T15:14:07.000Z', 'windows'],
    ['Windows 12 AM is midnight', '11/21/2026 12:05:00 AM x', '2026-11-21T00:05:00.000Z', 'windows'],
    ['day-first slash date, unambiguous', '21/11/2026 03:14:07 x', '2026-11-21T03:14:07.000Z', 'slash-date'],
    ['dotted day-first date', '21.11.2026 03:14:07 Anmeldung', '2026-11-21T03:14:07.000Z', 'dmy-dotted'],
    ['epoch seconds in JSON', '{"ts": 1795500000, "src": "10.0.0.1"}', '2026-11-24T06:00:00.000Z', 'epoch-s'],
    ['epoch seconds with fraction', '{"eventTime":1795500000.25}', '2026-11-24T06:00:00.250Z', 'epoch-s'],
    ['epoch milliseconds as a string', '{"timestamp":"1795500000123","ip":"x"}', '2026-11-24T06:00:00.123Z', 'epoch-ms'],
    ['epoch microseconds', '{"event_ts": 1795500000123456}', '2026-11-24T06:00:00.123Z', 'epoch-us'],
    ['epoch nanoseconds', '{"@timestamp": 1795500000123456789}', '2026-11-24T06:00:00.123Z', 'epoch-ns'],
    ['Zeek TSV (epoch seconds opening the line)', '1795500000.723215\tCb6feAb07b4811729\t10.0.0.5\t44795\t2001:db8::1\t53', '2026-11-24T06:00:00.723Z', 'epoch-s'],
    ['Squid access.log', '1795500000.250    112 192.168.1.20 TCP_MISS/200 5120 GET http://example.com/ - HIER_DIRECT/93.184.216.34 text/html', '2026-11-24T06:00:00.250Z', 'epoch-s'],
    ['an epoch opening a line that is all it holds', '  1795500000.000', '2026-11-24T06:00:00.000Z', 'epoch-s'],
  ];
  for (const [name, line, iso, format] of cases) {
    test(name, () => {
      const r = at(line);
      assert.ok(r, `no time in ${line}`);
      assert.equal(r.iso, iso);
      assert.equal(r.format, format);
    });
  }

  test('the range covers the timestamp text', () => {
    assert.equal(at('198.51.100.23 - - [20/Nov/2026:08:44:05 +0100] "GET /"')?.text, '20/Nov/2026:08:44:05 +0100');
    assert.equal(at('{"ts": 1795500000, "x": 1}')?.text, '1795500000');
    assert.equal(at('{"ts": "1795500000"}')?.text, '"1795500000"');
    assert.equal(at('Nov 21 03:14:07 host')?.text, 'Nov 21 03:14:07');
    assert.equal(at('\t1795500000.723215\tC1\t10.0.0.5')?.text, '1795500000.723215');
  });

  test('the first timestamp on the line wins', () => {
    const r = at('{"alertTime":"2026-11-21T03:14:07Z","firstSeen":"2026-11-20T01:00:00Z"}');
    assert.equal(r?.iso, '2026-11-21T03:14:07.000Z');
    assert.equal(at('Nov 21 03:14:07 host app: event at 2026-11-20T01:00:00Z')?.iso, '2026-11-21T03:14:07.000Z');
  });
});

describe('findLineTime: what it refuses', () => {
  test('no timestamp, or fields that are not times', () => {
    for (const line of [
      'Failed password for root from 10.0.0.1 port 22',
      '{"count": 1795500000}',
      '{"timeout": 1795500000}',
      '{"ts": 12345}',
      'version 2026-11-20 only a date',
      '2026-02-30T10:00:00Z impossible date',
      '2026-11-20T25:00:00Z impossible hour',
      'Feb 30 10:00:00 host x',
      '[20/Foo/2026:08:44:05 +0100]',
      '13/13/2026 10:00:00 x',
      // Epoch seconds open a line only with a fraction of three or more digits, in 2000-2099, then a space or the end.
      '1795500000 10.0.0.5 no fraction',
      '1795500000.5 one fraction digit',
      '1795500000.1234567890 ten fraction digits',
      '1795500000.723215x followed by a letter',
      '1795500000.723215.1 a version number',
      '0946684799.000 before 2000',
      '4102444800.000 in 2100',
      'x 1795500000.723215 not where the line starts',
      '17955000001.723 eleven digits',
    ]) {
      assert.equal(at(line), undefined, line);
    }
  });

  test('day and month order is never guessed', () => {
    assert.equal(at('05/06/2026 3:14:07 PM x'), undefined);
    assert.equal(at('05/06/2026 3:14:07 PM x', { dateOrder: 'mdy' })?.iso, '2026-05-06T15:14:07.000Z');
    assert.equal(at('05/06/2026 3:14:07 PM x', { dateOrder: 'dmy' })?.iso, '2026-06-05T15:14:07.000Z');
    assert.equal(at('06/06/2026 3:14:07 PM x')?.iso, '2026-06-06T15:14:07.000Z');
  });

  test('an hour of 13 with AM/PM is not a time', () => {
    assert.equal(at('11/21/2026 13:14:07 PM x'), undefined);
  });
});

describe('findLineTime: zones and years', () => {
  test('assumeZone applies to timestamps without a zone, not to those with one, nor to W3C', () => {
    assert.equal(at('x 2026-11-20T08:44:05 y', { assumeZone: '+02:00' })?.iso, '2026-11-20T06:44:05.000Z');
    assert.equal(at('Nov 21 03:14:07 host', { assumeZone: '-05:00' })?.iso, '2026-11-21T08:14:07.000Z');
    assert.equal(at('"11/21/2026 3:14:07 AM"', { assumeZone: '+01:00' })?.iso, '2026-11-21T02:14:07.000Z');
    assert.equal(at('2026-11-20T08:44:05Z', { assumeZone: '+02:00' })?.iso, '2026-11-20T08:44:05.000Z');
    assert.equal(at('2026-11-20 08:44:05 W3SVC1 GET', { assumeZone: '+02:00' })?.iso, '2026-11-20T08:44:05.000Z');
  });

  test("assumeZone 'local' uses this machine's zone", () => {
    const expected = new Date(2026, 10, 20, 8, 44, 5).toISOString();
    assert.equal(at('x 2026-11-20T08:44:05 y', { assumeZone: 'local' })?.iso, expected);
  });

  test('a bad assumeZone is an error', () => {
    assert.throws(() => findLineTime('x', { assumeZone: 'Europe/Paris' }), RangeError);
    assert.equal(parseZoneOption('+25:00'), undefined);
    assert.equal(parseZoneOption('-03:30'), -210);
    assert.equal(parseZoneOption('UTC'), 0);
  });

  test('syslog without a year: the most recent such date that is not in the future', () => {
    assert.equal(at('Dec 24 03:14:07 host x')?.iso, '2025-12-24T03:14:07.000Z');
    assert.equal(at('Nov 25 23:00:00 host x')?.iso, '2026-11-25T23:00:00.000Z', 'within a day of now: this year');
    const newYear = new Date('2027-01-01T00:30:00Z');
    assert.equal(findLineTime('Dec 31 23:59:59 host x', { now: newYear })?.time.toISOString(), '2026-12-31T23:59:59.000Z');
    assert.equal(findLineTime('Feb 29 10:00:00 host x', { now: NOW })?.time.toISOString(), '2024-02-29T10:00:00.000Z');
  });
});

describe('parseTimeInput', () => {
  const good: [string, string][] = [
    ['now', '2026-11-25T12:00:00.000Z'],
    ['NOW', '2026-11-25T12:00:00.000Z'],
    ['2h ago', '2026-11-25T10:00:00.000Z'],
    ['-90m', '2026-11-25T10:30:00.000Z'],
    ['3d ago', '2026-11-22T12:00:00.000Z'],
    ['1 week ago', '2026-11-18T12:00:00.000Z'],
    ['45 seconds ago', '2026-11-25T11:59:15.000Z'],
    ['2026-11-21T03:14:07Z', '2026-11-21T03:14:07.000Z'],
    ['2026-11-21T03:14:07+01:00', '2026-11-21T02:14:07.000Z'],
    ['2026-11-21T03:14', '2026-11-21T03:14:00.000Z'],
    ['2026-11-21 03:14:07', '2026-11-21T03:14:07.000Z'],
    ['2026-11-21', '2026-11-21T00:00:00.000Z'],
    ['[20/Nov/2026:08:44:05 +0100]', '2026-11-20T07:44:05.000Z'],
    ['Nov 21 03:14:07', '2026-11-21T03:14:07.000Z'],
    ['11/21/2026 3:14:07 AM', '2026-11-21T03:14:07.000Z'],
    ['1795500000', '2026-11-24T06:00:00.000Z'],
    ['1795500000123', '2026-11-24T06:00:00.123Z'],
  ];
  for (const [input, iso] of good) {
    test(`reads ${JSON.stringify(input)}`, () => {
      const r = parseTimeInput(input, NOW);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.time.toISOString(), iso);
    });
  }

  const bad: [string, RegExp][] = [
    ['', /^Enter a time/],
    ['yesterday-ish', /is not a time I can read/],
    ['2h', /Did you mean '2h ago'\?/],
    ['-2h ago', /is not a time/],
    ['5 fortnights ago', /unknown unit 'fortnights'/],
    ['2026-02-30', /is not a valid date or time/],
    ['2026-11-21T24:30:00Z', /is not a valid date or time/],
    ['05/06/2026 3:14:07 PM', /is ambiguous/],
    ['Nov 21 03:14:07 and more', /is not a time I can read/],
  ];
  for (const [input, message] of bad) {
    test(`refuses ${JSON.stringify(input)}`, () => {
      const r = parseTimeInput(input, NOW);
      assert.ok(!r.ok);
      assert.match(r.error, message);
    });
  }
});
