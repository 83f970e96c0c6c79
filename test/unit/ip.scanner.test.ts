import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { scanText, matchAt, iterateMatches, StreamScanner, SCAN_LOOKAHEAD } from '../../src/core/ip/scanner';
import type { IpMatch } from '../../src/core/ip/ipMatch';

const values = (text: string): string[] => scanText(text).map((m) => m.value);

function one(text: string): IpMatch {
  const all = scanText(text);
  assert.equal(all.length, 1, `expected one match in ${JSON.stringify(text)}, got ${JSON.stringify(all)}`);
  return all[0];
}

/** The matched text, as a hover would underline it. */
const covered = (text: string, m: IpMatch): string => text.slice(m.start, m.end);

// Cases drawn from the categories users report (peers.md 3.1); each row is our own text.
const FALSE_POSITIVES: [string, string][] = [
  ['version after a letter', 'IT Hit WebDAV Server .Net v2.1.1.108 started'],
  ['version with v prefix', 'upgrade agent v2.12.2.1 now'],
  ['five numbers', 'object 121.234.121.241.168 loaded'],
  ['library file name', 'loaded libx.so.1.2.3.4 ok'],
  ['underscore before', 'artifact app_1.2.3.4.tar.gz'],
  ['letters glued after', 'token 1.2.3.4abc'],
  ['letter glued before', 'value a1.2.3.4 here'],
  ['a longer number', 'serial 192.168.0.2000000000'],
  ['octet above 255', 'seen 341.25.015.22 once'],
  ['last octet above 255', 'host 1.2.3.256 down'],
  ['four-digit octets (octal style)', 'addr 0377.0377.0377.0377'],
  ['an OID', 'oid 1.3.6.1.4.1.311.21.7'],
  ['netstat ip.port (excluded by the dot-digit rule)', 'tcp 10.1.1.117.4222 ESTABLISHED'],
  ['time', 'at 11:36:12 the job ran'],
  ['time with fraction', 'at 23:06:41.123 done'],
  ['ISO timestamp', '2026-11-21T03:14:07Z started'],
  ['MAC with colons', 'MAC 00:1A:2B:3C:4D:5E seen'],
  ['iptables MAC field', 'MAC=00:1a:2b:3c:4d:5e:00:1a:2b:3c:4d:5f:08:00 SRC'],
  ['MD5 fingerprint', 'key MD5:43:51:43:a1:b5:fc:8b:b7:0a:3a:a9:b1:0f:66:73:a8 accepted'],
  ['nine groups', 'x 1:2:3:4:5:6:7:8:9 y'],
  ['scope operators', 'a::b Foo::Bar std::vector<int> dead::beef'],
  ['lone double colon', 'listening on [::]:22 and ::'],
  ['two double colons', 'bad 1::2::3 here'],
  ['odd defang we do not read', 'ioc 78.128.76.]]]165'],
  ['fully defanged with a fifth part', 'x 1[.]2[.]3[.]4[.]5'],
];

const FALSE_NEGATIVES: [string, string, string[]][] = [
  ['an address inside quotes that looks like a version', 'packageVersion":"10.7.31.9"', ['10.7.31.9']],
  ['not the inner part of a larger valid address', 'from 210.0.0.55 to', ['210.0.0.55']],
  ['netstat ip.service name', 'tcp 10.1.1.117.https ESTABLISHED', ['10.1.1.117']],
  ['address range with a dash', 'scan 10.0.0.1-10.0.0.254 done', ['10.0.0.1', '10.0.0.254']],
  ['sentence-final dot', 'Blocked 203.0.113.7.', ['203.0.113.7']],
  ['comma list', '1.1.1.1,8.8.8.8, 9.9.9.9', ['1.1.1.1', '8.8.8.8', '9.9.9.9']],
  ['key=value and key:value', 'src=10.0.0.1 dst:10.0.0.2', ['10.0.0.1', '10.0.0.2']],
  ['URL host', 'GET http://198.51.100.23/gate.php', ['198.51.100.23']],
  ['brackets and parentheses', '[10.0.0.1] (10.0.0.2) {10.0.0.3}', ['10.0.0.1', '10.0.0.2', '10.0.0.3']],
  ['several IPv6 on one line', 'src=2001:db8::1 dst=2001:db8::2 via fe80::1', ['2001:db8::1', '2001:db8::2', 'fe80::1']],
  ['IPv6 with a colon elsewhere on the line', 'error: connect to 2001:db8::5 failed: timeout', ['2001:db8::5']],
  ['IPv4-mapped', 'client ::ffff:192.0.2.1 connected', ['::ffff:192.0.2.1']],
  ['NAT64 with embedded IPv4', 'via 64:ff9b::198.51.100.23 ok', ['64:ff9b::c633:6417']],
  ['loopback ::1', 'bind ::1 port 53', ['::1']],
  ['trailing ::', 'net 2001:db8:: end', ['2001:db8::']],
  ['uncompressed', 'x 2001:0db8:0000:0000:0000:0000:0000:0001 y', ['2001:db8::1']],
  ['IPv6 after a time on the same line', '03:14:07 fe80::1c2b:3dff:fe4e:5f60 up', ['fe80::1c2b:3dff:fe4e:5f60']],
  ['leading-zero octets', 'from 011.012.013.014 today', ['11.12.13.14']],
  ['leading zero read as decimal, not octal or dropped', 'host 14.048.2.7', ['14.48.2.7']],
  ['CJK text right before', '服务器192.168.1.1连接', ['192.168.1.1']],
];

describe('scanner: false positives users report', () => {
  for (const [name, text] of FALSE_POSITIVES) {
    test(name, () => assert.deepEqual(values(text), [], text));
  }
});

describe('scanner: false negatives users report', () => {
  for (const [name, text, expected] of FALSE_NEGATIVES) {
    test(name, () => assert.deepEqual(values(text), expected, text));
  }
});

describe('scanner: IPv4', () => {
  test('reports value, offsets and class', () => {
    const text = 'Failed password for root from 198.51.100.23 port 22';
    const m = one(text);
    assert.deepEqual(m, {
      value: '198.51.100.23',
      version: 4,
      start: 30,
      end: 43,
      defanged: false,
      leadingZeros: false,
      ipClass: 'documentation',
    });
  });

  test('leading zeros: decimal value, flagged, whole text covered', () => {
    const text = 'gw 192.168.001.010 up';
    const m = one(text);
    assert.equal(m.value, '192.168.1.10');
    assert.equal(m.leadingZeros, true);
    assert.equal(covered(text, m), '192.168.001.010');
    assert.equal(one('gw 192.168.1.10').leadingZeros, false);
    assert.equal(one('gw 0.0.0.0').leadingZeros, false);
  });

  test('port after a colon, and a port that is out of range is ignored', () => {
    const m = one('connect 10.0.0.5:8443 ok');
    assert.equal(m.port, 8443);
    assert.equal(m.end - m.start, '10.0.0.5'.length);
    assert.equal(one('x 10.0.0.5:65535').port, 65535);
    const big = one('x 10.0.0.5:99999 y');
    assert.equal(big.port, undefined);
    assert.equal(big.value, '10.0.0.5');
    assert.equal(one('x 10.0.0.5:80abc').port, undefined);
  });

  test('prefix lengths', () => {
    assert.equal(one('route 10.0.0.0/8 via').prefix, 8);
    assert.equal(one('net 192.0.2.1/24,').prefix, 24);
    assert.equal(one('net 192.0.2.1/0').prefix, 0);
    const over = one('net 192.0.2.1/33');
    assert.equal(over.prefix, undefined);
    assert.equal(over.value, '192.0.2.1');
    // A URL path is not a prefix.
    assert.equal(one('http://10.0.0.1/24/index.html').prefix, undefined);
    assert.equal(one('x 10.0.0.1/24/y').prefix, undefined);
  });

  test('boundary characters that are fine around an address', () => {
    for (const [before, after] of [[' ', '.'], [' ', ','], ['"', '"'], ["'", "'"], ['(', ')'], ['[', ']'], ['=', ';'], [':', ' '], ['-', '-'], ['/', '/'], ['\t', '\n'], ['<', '>']]) {
      const text = `x${before}10.1.2.3${after}y`;
      assert.deepEqual(values(text), ['10.1.2.3'], text);
    }
  });
});

describe('scanner: IPv6', () => {
  test('RFC 5952 normalisation', () => {
    const cases: [string, string][] = [
      ['2001:DB8::ABCD', '2001:db8::abcd'],
      ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['::ffff:c000:0201', '::ffff:192.0.2.1'],
      ['0:0:0:0:0:FFFF:192.0.2.1', '::ffff:192.0.2.1'],
      ['::192.0.2.1', '::c000:201'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ];
    for (const [input, expected] of cases) {
      const m = one(`x ${input} y`);
      assert.equal(m.value, expected, input);
      assert.equal(m.end - m.start, input.length, input);
    }
  });

  test('zone ids are part of the range, not of the value', () => {
    const text = 'ping fe80::1%eth0 and fe80::2%12.';
    const [a, b] = scanText(text);
    assert.equal(a.value, 'fe80::1');
    assert.equal(a.zone, 'eth0');
    assert.equal(covered(text, a), 'fe80::1%eth0');
    assert.equal(b.zone, '12');
    assert.equal(covered(text, b), 'fe80::2%12');
  });

  test('bracketed with a port; bare with a trailing group is one address', () => {
    const text = 'GET https://[2001:db8::1]:443/ from [fe80::1%eth0]:22';
    const [a, b] = scanText(text);
    assert.equal(a.value, '2001:db8::1');
    assert.equal(a.port, 443);
    assert.equal(covered(text, a), '2001:db8::1');
    assert.equal(b.port, 22);
    assert.equal(b.zone, 'eth0');
    const bare = one('x 2001:db8::1:443 y');
    assert.equal(bare.value, '2001:db8::1:443');
    assert.equal(bare.port, undefined);
  });

  test('prefixes', () => {
    assert.equal(one('net 2001:db8::/32 ok').prefix, 32);
    assert.equal(one('net fe80::/10').prefix, 10);
    assert.equal(one('x 2001:db8::/128').prefix, 128);
    assert.equal(one('x 2001:db8::/129').prefix, undefined);
  });

  test('text that goes on with a group or a colon gives nothing', () => {
    assert.deepEqual(values('x 1:2:3:4:5:6:7:8:abcd'), []);
    assert.deepEqual(values('x 2001:db8::1::'), []);
    assert.deepEqual(values('x 2001:db8::1.2'), []);
    assert.deepEqual(values('x 2001:db8::12345'), []);
    // A trailing colon followed by something else is fine.
    assert.deepEqual(values('addr 2001:db8::1: next'), ['2001:db8::1']);
  });

  test('an IPv6 candidate without a decimal digit is not reported', () => {
    assert.deepEqual(values('x dead::beef cafe:babe::feed y'), []);
    assert.deepEqual(values('x fe80:: y'), ['fe80::']);
  });
});

describe('scanner: defanged indicators', () => {
  test('dot and colon forms give the refanged value and cover the defanged text', () => {
    const cases: [string, string][] = [
      ['45.33.32[.]156', '45.33.32.156'],
      ['185[.]220[.]101[.]4', '185.220.101.4'],
      ['1(.)2(.)3(.)4', '1.2.3.4'],
      ['1{.}2{.}3{.}4', '1.2.3.4'],
      ['2001[:]db8[:][:]7', '2001:db8::7'],
      ['2001[:]db8::7', '2001:db8::7'],
      ['::ffff[:]192[.]0.2.1', '::ffff:192.0.2.1'],
    ];
    for (const [input, expected] of cases) {
      const text = `ioc ${input} seen`;
      const m = one(text);
      assert.equal(m.value, expected, input);
      assert.equal(m.defanged, true, input);
      assert.equal(covered(text, m), input);
    }
    assert.equal(one('ioc 1.2.3.4').defanged, false);
  });

  test('a defanged URL and a defanged port', () => {
    const text = 'C2 hxxp://185[.]220[.]101[.]4/gate.php and 198.51.100[.]23[:]8443';
    const [a, b] = scanText(text);
    assert.equal(a.value, '185.220.101.4');
    assert.equal(covered(text, a), '185[.]220[.]101[.]4');
    assert.equal(b.value, '198.51.100.23');
    assert.equal(b.port, 8443);
  });

  test('a defanged dot right before or after blocks like a plain one', () => {
    assert.deepEqual(values('x evil[.]1.2.3.4'), []);
    assert.deepEqual(values('x 1.2.3.4[.]5'), []);
    assert.deepEqual(values('x 1.2.3.4[.]com'), ['1.2.3.4']);
  });
});

describe('scanner: helpers', () => {
  test('matchAt finds the match under an offset, including at its end', () => {
    const text = 'src 10.0.0.1 dst 2001:db8::1';
    assert.equal(matchAt(text, 4)?.value, '10.0.0.1');
    assert.equal(matchAt(text, 12)?.value, '10.0.0.1');
    assert.equal(matchAt(text, 13), undefined);
    assert.equal(matchAt(text, 20)?.value, '2001:db8::1');
    assert.equal(matchAt('', 0), undefined);
  });

  test('iterateMatches yields the same as scanText across slices', () => {
    const text = Array.from({ length: 200 }, (_, k) => `line ${k} from 10.0.${k}.1 and [2001:db8::${k.toString(16)}]:80`).join('\n');
    assert.deepEqual([...iterateMatches(text, 97)], scanText(text));
  });

  test('StreamScanner keeps only a bounded tail and matches across chunk borders', () => {
    const s = new StreamScanner();
    const out: IpMatch[] = [];
    const line = 'x 198.51.100.23 y [2001:db8::17]:443 z\n';
    const text = line.repeat(2000);
    for (let k = 0; k < text.length; k += 1000) {
      out.push(...s.push(text.slice(k, k + 1000)));
      assert.ok(s.buffered <= SCAN_LOOKAHEAD + 1000 + 8, `buffered ${s.buffered}`);
    }
    out.push(...s.end());
    assert.deepEqual(out, scanText(text));
    assert.equal(out.length, 4000);
  });
});
