import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { scanText, scanRange, scanRangeByChar, readMatchAt, StreamScanner } from '../../src/core/ip/scanner';
import { defang, refang } from '../../src/core/ip/defang';
import { parseAddress } from '../../src/core/ip/parseAddress';
import { findLineTime, parseTimeInput } from '../../src/core/ip/logTime';
import { formatIpv6 } from '../../src/core/ip/formatAddress';
import type { IpMatch } from '../../src/core/ip/ipMatch';

const RUNS = { numRuns: 200 };

/** An independent normaliser: WHATWG URL serialises IPv6 per RFC 5952 except for mapped addresses. */
function expectedValue(address: string): string {
  if (!address.includes(':')) return address;
  const host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!mapped) return host;
  const hi = parseInt(mapped[1], 16);
  const lo = parseInt(mapped[2], 16);
  return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Addresses as people write them: random case, and (for IPv6) with a decimal digit, as the scanner requires. */
const address = fc.oneof(
  fc.ipV4(),
  fc
    .tuple(fc.ipV6(), fc.boolean())
    .filter(([a]) => /[0-9]/.test(a))
    .map(([a, upper]) => (upper ? a.toUpperCase() : a)),
);

const word = fc.constantFrom('sshd[811]:', 'Failed', 'from', 'port', 'GET', '/index.html', 'HTTP/1.1', 'v1.2', '12:34:56', 'std::vector', 'MAC', 'x', '→', 'é', '');
const noise = fc.array(word, { maxLength: 6 }).map((ws) => ws.join(' '));
const wrapper = fc.constantFrom<[string, string]>([' ', ' '], ['"', '"'], ['(', ')'], ['[', ']'], ['=', ';'], ['\n', '\n'], [' ', '. '], ['\t', ','], ["'", "'"]);

describe('properties', () => {
  test('random valid addresses in random log text are found with the right value', () => {
    fc.assert(
      fc.property(noise, wrapper, address, noise, (before, [open, close], addr, after) => {
        const head = `${before} ${open}`;
        const text = `${head}${addr}${close}${after}`;
        const m = scanText(text).find((x) => x.start === head.length);
        assert.ok(m, `${addr} not found in ${JSON.stringify(text)}`);
        assert.equal(m.end, head.length + addr.length);
        assert.equal(m.value, expectedValue(addr.toLowerCase()));
        assert.equal(m.version, addr.includes(':') ? 6 : 4);
      }),
      RUNS,
    );
  });

  test('node:net isIP agrees with our validity on random candidate strings', () => {
    const candidate = fc.oneof(
      fc.string({ unit: fc.constantFrom('0', '1', '9', '2', '5', 'a', 'f', 'F', ':', '.'), maxLength: 40 }),
      address.map((a) => a),
      fc.tuple(address, fc.integer({ min: 0, max: 40 }), fc.constantFrom('', '0', ':', '.', '1', '::', '00')).map(([a, cut, extra]) => a.slice(0, cut) + extra + a.slice(cut)),
    );
    fc.assert(
      fc.property(candidate, (s) => {
        const m = readMatchAt(s, 0, false);
        // Ours: exactly one address covering the whole string. Node rejects leading-zero octets; we accept
        // and flag them, so they count as invalid here.
        const ours = m !== null && m.end === s.length && !m.leadingZeros;
        assert.equal(ours, isIP(s) !== 0, JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
  });

  test('defang and refang round-trip, and a defanged address scans to its value', () => {
    fc.assert(
      fc.property(address, fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }), (addr, which) => {
        assert.equal(refang(defang(addr)), addr);
        // Defang a random subset of the separators.
        let k = 0;
        const partly = addr.replace(/[.:]/g, (c) => (which[k++ % which.length] ? (c === '.' ? '[.]' : '[:]') : c));
        const text = `ioc ${partly} seen`;
        const ms = scanText(text);
        assert.equal(ms.length, 1, text);
        assert.equal(ms[0].value, expectedValue(addr.toLowerCase()));
        assert.equal(ms[0].defanged, partly !== addr);
        assert.equal(text.slice(ms[0].start, ms[0].end), partly);
        assert.equal(refang(partly), addr);
      }),
      RUNS,
    );
  });

  const logText = fc
    .array(
      fc.oneof(
        address,
        address.map(defang),
        word,
        fc.constantFrom(' ', '\n', '\r\n', ':', '.', '[', ']', '/', '%eth0', ':443', '/24', '[.]', '[:]', '::', '1', 'a', '0'),
      ),
      { maxLength: 25 },
    )
    .map((parts) => parts.join(''));

  test('chunked scanning equals whole-text scanning for every chunk size', () => {
    fc.assert(
      fc.property(logText, (text) => {
        const whole = scanText(text);
        for (let size = 1; size <= text.length; size++) {
          const s = new StreamScanner();
          const got: IpMatch[] = [];
          for (let k = 0; k < text.length; k += size) got.push(...s.push(text.slice(k, k + size)));
          got.push(...s.end());
          assert.deepEqual(got, whole, `chunk size ${size} of ${JSON.stringify(text)}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  /** Dense soups of address characters: where skipping shortcuts would go wrong, if they could. */
  const soup = fc.string({
    unit: fc.constantFrom('0', '1', '2', '5', '9', 'a', 'f', 'g', ':', '.', '[', ']', '(', ')', '{', '}', '%', '/', ' ', '[.]', '[:]', '::'),
    maxLength: 60,
  });

  test('the anchor-driven scan equals trying every position', () => {
    fc.assert(
      fc.property(fc.oneof(logText, soup), (text) => {
        const fast: IpMatch[] = [];
        const slow: IpMatch[] = [];
        scanRange(text, 0, text.length, fast);
        scanRangeByChar(text, 0, text.length, slow);
        assert.deepEqual(fast, slow, JSON.stringify(text));
      }),
      { numRuns: 500 },
    );
  });

  test('values read straight from canonical text equal formatted values', () => {
    fc.assert(
      fc.property(logText, (text) => {
        const direct: IpMatch[] = [];
        const detached: IpMatch[] = [];
        scanRange(text, 0, text.length, direct);
        scanRange(text, 0, text.length, detached, 0, true);
        assert.deepEqual(direct, detached);
      }),
      RUNS,
    );
  });

  test('formatIpv6 agrees with the URL serialiser on random groups', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16)).join(':');
        assert.equal(formatIpv6(groups), expectedValue(full));
      }),
      RUNS,
    );
  });

  test('no exception and sane ranges on any string: lone surrogates, NUL bytes, anything', () => {
    const anyUnit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('\u0000', '\ud800', '\udfff', '.', ':', '[', ']', '1', 'f', '%', '/', ' '),
    );
    fc.assert(
      fc.property(fc.string({ unit: anyUnit, maxLength: 80 }), (s) => {
        for (const m of scanText(s)) {
          assert.ok(m.start >= 0 && m.start < m.end && m.end <= s.length);
        }
        parseAddress(s);
        findLineTime(s);
        parseTimeInput(s);
        refang(s);
      }),
      { numRuns: 1000 },
    );
  });
});
