import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IPV4_SPECIAL_BLOCKS, classify, classifyIpv4, isInternal, type IpClass } from '../../src/core/ip/classify';
import { scanText } from '../../src/core/ip/scanner';

const TABLE: [string, IpClass, string?][] = [
  // IPv4 special-purpose registry
  ['0.0.0.0', 'unspecified', 'This host on this network'],
  ['0.1.2.3', 'unspecified', 'This network'],
  ['10.248.240.38', 'private', 'Private-Use'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'shared', 'Shared Address Space'],
  ['100.127.255.255', 'shared'],
  ['100.128.0.1', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.10.20', 'link-local'],
  ['192.0.0.8', 'reserved', 'IPv4 dummy address'],
  ['192.0.0.9', 'public', 'Port Control Protocol Anycast'],
  ['192.0.0.100', 'reserved', 'IETF Protocol Assignments'],
  ['192.0.2.1', 'documentation', 'Documentation (TEST-NET-1)'],
  ['198.51.100.23', 'documentation', 'Documentation (TEST-NET-2)'],
  ['203.0.113.9', 'documentation', 'Documentation (TEST-NET-3)'],
  ['192.88.99.1', 'reserved', 'Deprecated (6to4 Relay Anycast)'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.20.0.1', 'public'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved', 'Reserved'],
  ['255.255.255.254', 'reserved'],
  ['255.255.255.255', 'broadcast', 'Limited Broadcast'],
  ['8.8.8.8', 'public'],
  ['185.220.101.4', 'public'],
  // IPv6 special-purpose registry
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'reserved', 'Site-Local (deprecated)'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation', 'Documentation'],
  ['3fff::1', 'documentation', 'Documentation'],
  ['3fff:fff:ffff::1', 'documentation'],
  ['3fff:1000::1', 'public'],
  ['2001:2::1', 'benchmarking'],
  ['2001:1::1', 'public', 'Port Control Protocol Anycast'],
  ['2001:10::1', 'reserved', 'Deprecated (previously ORCHID)'],
  ['2001:20::1', 'public', 'ORCHIDv2'],
  ['2001:100::1', 'reserved', 'IETF Protocol Assignments'],
  ['100::1', 'reserved', 'Discard-Only Address Block'],
  ['64:ff9b:1::1', 'reserved', 'IPv4-IPv6 Translation (local use)'],
  ['5f00::1', 'reserved', 'Segment Routing (SRv6) SIDs'],
  ['4000::1', 'reserved', 'Reserved by IETF (not allocated for unicast)'],
  ['::2', 'reserved'],
  ['2620:4f:8000::1', 'public', 'Direct Delegation AS112 Service'],
  ['2001:4860:4860::8888', 'public'],
];

describe('classify: special-purpose registries', () => {
  for (const [address, ipClass, blockName] of TABLE) {
    test(`${address} is ${ipClass}`, () => {
      const c = classify(address);
      assert.equal(c.ipClass, ipClass);
      if (blockName) assert.equal(c.block?.name, blockName);
      if (ipClass === 'public' && !blockName) assert.equal(c.block, undefined);
    });
  }

  test('the demo C2 address names its block exactly', () => {
    assert.deepEqual(classify('198.51.100.23').block, { prefix: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737' });
  });

  test('input forms: upper case, leading zeros and uncompressed IPv6 classify the same', () => {
    assert.equal(classify('FE80::1').ipClass, 'link-local');
    assert.equal(classify('010.001.002.003').ipClass, 'private');
    assert.equal(classify('2001:0db8:0000:0000:0000:0000:0000:0001').ipClass, 'documentation');
  });

  test('not an address: a TypeError', () => {
    for (const bad of ['10.0.0.300', '', 'example.com', '1.2.3.4:80', '1.2.3[.]4', ' 1.2.3.4']) {
      assert.throws(() => classify(bad), TypeError, bad);
    }
  });
});

describe('classify: addresses that embed IPv4', () => {
  test('IPv4-mapped, in dotted and in hex form, take the class of the embedded address', () => {
    for (const address of ['::ffff:10.0.0.1', '::ffff:a00:1', '::FFFF:0A00:0001']) {
      const c = classify(address);
      assert.equal(c.ipClass, 'private', address);
      assert.equal(c.block?.name, 'IPv4-mapped Address');
      assert.equal(c.embedded?.value, '10.0.0.1');
      assert.equal(c.embedded?.block?.name, 'Private-Use');
    }
    assert.equal(classify('::ffff:127.0.0.1').ipClass, 'loopback');
    assert.equal(classify('::ffff:8.8.8.8').ipClass, 'public');
    assert.equal(classify('::ffff:8.8.8.8').embedded?.block, undefined);
  });

  test('NAT64 well-known prefix', () => {
    const c = classify('64:ff9b::198.51.100.23');
    assert.equal(c.ipClass, 'documentation');
    assert.equal(c.block?.prefix, '64:ff9b::/96');
    assert.equal(c.embedded?.value, '198.51.100.23');
    assert.equal(classify('64:ff9b::8.8.8.8').ipClass, 'public');
    assert.equal(classify('64:ff9b::c0a8:101').ipClass, 'private');
  });

  test('6to4 and Teredo name their block and the embedded address', () => {
    const sixToFour = classify('2002:c000:0201::1');
    assert.equal(sixToFour.block?.name, '6to4');
    assert.equal(sixToFour.embedded?.value, '192.0.2.1');
    assert.equal(sixToFour.ipClass, 'documentation');
    assert.equal(classify('2002:0a00:0001::1').ipClass, 'private');
    assert.equal(classify('2002:0808:0808::1').ipClass, 'public');
    // Teredo: the client address is stored inverted in the last 32 bits (3fff:fdd2 -> 192.0.2.45).
    const teredo = classify('2001:0:4136:e378:8000:63bf:3fff:fdd2');
    assert.equal(teredo.block?.name, 'TEREDO');
    assert.equal(teredo.embedded?.value, '192.0.2.45');
    assert.equal(teredo.ipClass, 'documentation');
  });
});

describe('isInternal', () => {
  test('true for private, shared, link-local, unique-local and loopback', () => {
    for (const a of ['10.1.2.3', '172.20.0.1', '192.168.0.1', '100.64.1.1', '169.254.0.1', '127.0.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:c0a8:101']) {
      assert.equal(isInternal(a), true, a);
    }
  });

  test('false for public, documentation, multicast, reserved and for garbage', () => {
    for (const a of ['8.8.8.8', '198.51.100.23', '224.0.0.1', '240.0.0.1', '2001:db8::1', '2001:4860:4860::8888', '::', 'nonsense', '10.0.0.300']) {
      assert.equal(isInternal(a), false, a);
    }
  });

  test('a match carries the same class classify gives for its value', () => {
    const text = '10.0.0.1 8.8.8.8 ::ffff:192.168.0.1 fe80::1%eth0 198.51.100[.]23 2002:a00:1::1';
    for (const m of scanText(text)) assert.equal(m.ipClass, classify(m.value).ipClass, m.value);
  });
});

test('the compiled IPv4 lookup agrees with a longest-prefix walk of the table at every block edge and at random', () => {
  const blocks = IPV4_SPECIAL_BLOCKS.map((b) => {
    const [addr, len] = b.prefix.split('/');
    const base = addr.split('.').reduce((v, o) => v * 256 + Number(o), 0);
    const length = Number(len);
    const size = 2 ** (32 - length);
    return { prefix: b.prefix, ipClass: b.ipClass, base, end: base + size - 1, length };
  });
  const reference = (v: number): { ipClass: string; prefix?: string } => {
    let best: (typeof blocks)[number] | undefined;
    for (const b of blocks) if (v >= b.base && v <= b.end && (!best || b.length > best.length)) best = b;
    return best ? { ipClass: best.ipClass, prefix: best.prefix } : { ipClass: 'public' };
  };
  const values: number[] = [];
  for (const b of blocks) values.push(b.base, b.end, b.base - 1, b.end + 1, b.base + Math.floor((b.end - b.base) / 2));
  let seed = 7;
  for (let i = 0; i < 200_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    values.push((seed * 2 + (i & 1)) >>> 0);
  }
  for (const v of values) {
    if (v < 0 || v > 0xffffffff) continue;
    const got = classifyIpv4(v);
    const want = reference(v);
    assert.equal(got.ipClass, want.ipClass, `class of ${v}`);
    assert.equal(got.block?.prefix, want.prefix, `block of ${v}`);
  }
});
