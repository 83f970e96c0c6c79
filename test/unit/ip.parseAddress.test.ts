import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../src/core/ip/parseAddress';

function ok(input: string) {
  const r = parseAddress(input);
  assert.ok(r.ok, `${JSON.stringify(input)}: ${r.ok ? '' : r.error}`);
  return r.match;
}

function error(input: string): string {
  const r = parseAddress(input);
  assert.ok(!r.ok, `${JSON.stringify(input)} should be rejected`);
  return r.error;
}

describe('parseAddress: accepted forms', () => {
  test('plain, trimmed, with offsets into the original input', () => {
    const m = ok('  198.51.100.23 \n');
    assert.equal(m.value, '198.51.100.23');
    assert.equal(m.start, 2);
    assert.equal(m.end, 15);
    assert.equal(m.ipClass, 'documentation');
  });

  test('defanged, bracketed, with port, prefix and zone', () => {
    assert.equal(ok('198.51.100[.]23').defanged, true);
    assert.equal(ok('hxxp-free 185(.)220(.)101(.)4'.slice(10)).value, '185.220.101.4');
    assert.equal(ok('10.0.0.1:3389').port, 3389);
    assert.equal(ok('10.0.0.1[:]3389').port, 3389);
    assert.equal(ok('[10.0.0.1]:80').port, 80);
    assert.equal(ok('10.0.0.0/8').prefix, 8);
    const v6 = ok('[2001:DB8::1]:443');
    assert.equal(v6.value, '2001:db8::1');
    assert.equal(v6.port, 443);
    assert.equal(ok('[2001:db8::1]').port, undefined);
    assert.equal(ok('2001:db8::/32').prefix, 32);
    assert.equal(ok('fe80::1%eth0').zone, 'eth0');
    assert.equal(ok('[fe80::1%eth0]:22').port, 22);
    assert.equal(ok('2001[:]db8[:][:]1').value, '2001:db8::1');
  });

  test('addresses without a decimal digit are fine when typed on their own', () => {
    assert.equal(ok('::').value, '::');
    assert.equal(ok('::').ipClass, 'unspecified');
    assert.equal(ok('fe80::').value, 'fe80::');
    assert.equal(ok('dead::beef').value, 'dead::beef');
  });

  test('leading zeros are accepted, read as decimal and flagged', () => {
    const m = ok('010.000.000.001');
    assert.equal(m.value, '10.0.0.1');
    assert.equal(m.leadingZeros, true);
  });
});

describe('parseAddress: clear errors', () => {
  const cases: [string, string][] = [
    ['', 'Enter an IP address.'],
    ['   ', 'Enter an IP address.'],
    ['10.0.0.300', "'10.0.0.300' is not a valid IP address: octet 300 is above 255."],
    ['1.2.3', "'1.2.3' is not a valid IP address: an IPv4 address has four numbers separated by dots (this has 3)."],
    ['127.1', "'127.1' is not a valid IP address: an IPv4 address has four numbers separated by dots (this has 2)."],
    ['1.2.3.4.5', "'1.2.3.4.5' is not a valid IP address: an IPv4 address has four numbers separated by dots (this has 5)."],
    ['0377.0.0.1', "'0377.0.0.1' is not a valid IP address: part '0377' has more than three digits."],
    ['1..2.3', "'1..2.3' is not a valid IP address: one of its four numbers is empty."],
    ['1.2.3.4:99999', "'1.2.3.4:99999' is not a valid IP address: port 99999 is above 65535."],
    ['10.0.0.0/33', "'10.0.0.0/33' is not a valid IP address: prefix /33 is above 32."],
    ['2001:db8::/129', "'2001:db8::/129' is not a valid IP address: prefix /129 is above 128."],
    ['2001:db8::1:443:', "'2001:db8::1:443:' is not a valid IP address: unexpected ':' after the address."],
    ['[2001:db8::1', "'[2001:db8::1' is not a valid IP address: the opening [ has no closing ]."],
    ['2001:db8::g', "'2001:db8::g' is not a valid IP address: 'g' is not a hexadecimal digit."],
    ['1::2::3', "'1::2::3' is not a valid IP address: '::' may appear only once."],
    ['2001:db8:12345::1', "'2001:db8:12345::1' is not a valid IP address: group '12345' has more than four hex digits."],
    ['1:2:3:4:5:6:7', "'1:2:3:4:5:6:7' is not a valid IP address: an IPv6 address has eight groups unless '::' stands for zeros (this has 7)."],
    ['::ffff:1.2.3.999', "'::ffff:1.2.3.999' is not a valid IP address: the embedded IPv4 part '1.2.3.999' is not valid: octet 999 is above 255."],
    ['example.com', "'example.com' is not an IP address."],
    ['1.2.3.4 5.6.7.8', "'1.2.3.4 5.6.7.8' holds 2 addresses; enter one."],
    ['ip: 1.2.3.4', "'ip: 1.2.3.4' has other text around the address 1.2.3.4; enter the address alone."],
    ['1.2.3.4abc', "'1.2.3.4abc' is not an IP address."],
  ];
  for (const [input, message] of cases) {
    test(JSON.stringify(input), () => assert.equal(error(input), message));
  }

  test('long or control-character input is quoted safely', () => {
    const long = error('9'.repeat(300));
    assert.ok(long.length < 120, long);
    assert.match(long, /too long/);
    const ctl = error('1.2.3.4\u0000x');
    assert.ok(!ctl.includes('\u0000'), ctl);
  });
});
