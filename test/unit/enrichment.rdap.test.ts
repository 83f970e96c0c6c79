import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { RdapClient, RdapError, parseRdap, rdapEligibility, type FetchLike } from '../../src/core/enrichment/rdapClient';

interface Call {
  url: string;
}

function fakeFetch(respond: (url: string) => { status: number; body?: unknown; url?: string }): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = (url) => {
    calls.push({ url });
    const r = respond(url);
    const text = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    return Promise.resolve({
      ok: r.status >= 200 && r.status < 300,
      status: r.status,
      url: r.url ?? url,
      headers: { get: () => null },
      text: () => Promise.resolve(text),
    });
  };
  return { fetch, calls };
}

const octet = fc.integer({ min: 0, max: 255 });
const v4 = (a: fc.Arbitrary<number>, b: fc.Arbitrary<number>) =>
  fc.tuple(a, b, octet, octet).map(([w, x, y, z]) => `${w}.${x}.${y}.${z}`);
const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));

// Every internal and special-purpose range, in IPv4, IPv6 and IPv4 embedded in IPv6.
const internalV4 = fc.oneof(
  v4(fc.constant(10), octet),
  v4(fc.constant(172), fc.integer({ min: 16, max: 31 })),
  v4(fc.constant(192), fc.constant(168)),
  v4(fc.constant(100), fc.integer({ min: 64, max: 127 })),
  v4(fc.constant(127), octet),
  v4(fc.constant(169), fc.constant(254)),
);
const specialV4 = fc.oneof(
  internalV4,
  fc.tuple(octet).map(([z]) => `192.0.2.${z}`),
  fc.tuple(octet).map(([z]) => `198.51.100.${z}`),
  fc.tuple(octet).map(([z]) => `203.0.113.${z}`),
  v4(fc.constant(198), fc.integer({ min: 18, max: 19 })),
  v4(fc.integer({ min: 224, max: 255 }), octet),
  v4(fc.constant(0), octet),
);
const internalV6 = fc.oneof(
  fc.tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), hex, hex).map(([a, b, c]) => `${a.toString(16)}:${b}:${c}::1`),
  fc.tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), hex).map(([a, b]) => `${a.toString(16)}::${b}`),
  fc.constant('::1'),
  fc.constant('::'),
  fc.tuple(hex, hex).map(([a, b]) => `2001:db8:${a}::${b}`),
  fc.tuple(hex).map(([a]) => `ff02::${a}`),
);
/** IPv4 special addresses wrapped in IPv6: mapped, NAT64 and 6to4 forms. */
const embedded = specialV4.chain((ip) => {
  const [a, b, c, d] = ip.split('.').map(Number);
  const hi = ((a << 8) | b).toString(16);
  const lo = ((c << 8) | d).toString(16);
  return fc.constantFrom(`::ffff:${ip}`, `64:ff9b::${ip}`, `2002:${hi}:${lo}::1`);
});
const notPublic = fc.oneof(specialV4, internalV6, embedded);

test('no internal or special-purpose address is ever requested (property, 2,000 addresses)', async () => {
  const { fetch, calls } = fakeFetch(() => ({ status: 200, body: {} }));
  const client = new RdapClient({ enabled: () => true, fetch });
  await fc.assert(
    fc.asyncProperty(notPublic, async (ip) => {
      const r = await client.lookup(ip);
      assert.equal(r.status, 'refused', ip);
      assert.equal(rdapEligibility(ip).ok, false, ip);
    }),
    { numRuns: 2000 },
  );
  assert.equal(calls.length, 0);
});

test('malformed input and un-normalised forms are refused without a request', async () => {
  const { fetch, calls } = fakeFetch(() => ({ status: 200, body: {} }));
  const client = new RdapClient({ enabled: () => true, fetch });
  for (const ip of ['', 'localhost', '8.8.8.8:53', '8.8.8.8/24', '008.8.8.8', '8.8.8.8 ', 'fe80::1%eth0', '2001:4860:4860::8888/64', '8[.]8[.]8[.]8', '../admin', '8.8.8.8/../../x']) {
    assert.equal((await client.lookup(ip)).status, 'refused', ip);
  }
  assert.equal(calls.length, 0);
});

test('the setting turns lookups off before any check or request', async () => {
  const { fetch, calls } = fakeFetch(() => ({ status: 200, body: {} }));
  let enabled = false;
  const client = new RdapClient({ enabled: () => enabled, fetch, baseUrl: 'http://127.0.0.1:9' });
  assert.equal((await client.lookup('8.8.8.8')).status, 'disabled');
  assert.equal(calls.length, 0);
  enabled = true;
  assert.equal((await client.lookup('8.8.8.8')).status, 'ok');
  assert.deepEqual(calls.map((c) => c.url), ['http://127.0.0.1:9/ip/8.8.8.8']);
});

const ARIN_SAMPLE = {
  objectClassName: 'ip network',
  handle: 'NET-8-8-8-0-2',
  startAddress: '8.8.8.0',
  endAddress: '8.8.8.255',
  name: 'GOGL',
  type: 'DIRECT ALLOCATION',
  country: 'US',
  cidr0_cidrs: [{ v4prefix: '8.8.8.0', length: 24 }],
  arin_originas0_originautnums: [15169],
  events: [
    { eventAction: 'registration', eventDate: '2014-03-14T16:52:05-04:00' },
    { eventAction: 'last changed', eventDate: '2014-03-14T16:52:05-04:00' },
  ],
  entities: [
    {
      handle: 'GOGL',
      roles: ['registrant'],
      vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Google LLC <script>']]],
      entities: [{ roles: ['abuse'], vcardArray: ['vcard', [['fn', {}, 'text', 'Abuse'], ['email', {}, 'text', 'network-abuse@google.com']]] }],
    },
  ],
};

test('public addresses are looked up once (cache) and parsed', async () => {
  const { fetch, calls } = fakeFetch(() => ({ status: 200, body: ARIN_SAMPLE, url: 'https://rdap.arin.net/registry/ip/8.8.8.8' }));
  let now = 0;
  const client = new RdapClient({ enabled: () => true, fetch, now: () => now, cacheTtlMs: 1000 });
  const [a, b] = await Promise.all([client.lookup('8.8.8.8'), client.lookup('8.8.8.8')]);
  assert.equal(calls.length, 1, 'in-flight lookups are shared');
  assert.deepEqual(a, b);
  assert.equal(a.status, 'ok');
  if (a.status !== 'ok') return;
  assert.equal(a.rdap.server, 'rdap.arin.net');
  assert.equal(a.rdap.name, 'GOGL');
  assert.deepEqual(a.rdap.cidrs, ['8.8.8.0/24']);
  assert.deepEqual(a.rdap.originAutnums, [15169]);
  assert.deepEqual(a.rdap.organizations, ['Google LLC <script>']);
  assert.deepEqual(a.rdap.abuseEmails, ['network-abuse@google.com']);
  assert.equal(a.rdap.registered, '2014-03-14T16:52:05-04:00');
  await client.lookup('8.8.8.8');
  assert.equal(calls.length, 1, 'cached');
  now = 2000;
  await client.lookup('8.8.8.8');
  assert.equal(calls.length, 2, 'expired');
  await client.lookup('2001:4860:4860::8888');
  assert.equal(calls[2].url, 'https://rdap.org/ip/2001%3A4860%3A4860%3A%3A8888');
});

test('404 means no data; 429, other statuses and non-JSON become RdapErrors', async () => {
  const statuses: Record<string, { status: number; body?: unknown }> = {
    '1.1.1.1': { status: 404 },
    '1.1.1.2': { status: 429 },
    '1.1.1.3': { status: 503 },
    '1.1.1.4': { status: 200, body: '<html>not json</html>' },
  };
  const { fetch } = fakeFetch((url) => statuses[decodeURIComponent(url.split('/ip/')[1])]);
  const client = new RdapClient({ enabled: () => true, fetch });
  assert.equal((await client.lookup('1.1.1.1')).status, 'not-found');
  await assert.rejects(client.lookup('1.1.1.2'), (e) => e instanceof RdapError && e.kind === 'rate-limit');
  await assert.rejects(client.lookup('1.1.1.3'), (e) => e instanceof RdapError && e.kind === 'http');
  await assert.rejects(client.lookup('1.1.1.4'), (e) => e instanceof RdapError && e.kind === 'invalid');
});

test('a lookup that never answers times out', async () => {
  const fetch: FetchLike = (_url, init) =>
    new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason as Error), { once: true }));
  const client = new RdapClient({ enabled: () => true, fetch, timeoutMs: 20 });
  await assert.rejects(client.lookup('9.9.9.9'), (e) => e instanceof RdapError && e.kind === 'timeout');
});

test('parseRdap tolerates junk and clips long values', () => {
  const r = parseRdap({ name: 'x'.repeat(5000), entities: [null, 3, { roles: 'registrant' }], cidr0_cidrs: [{ v4prefix: 1 }], arin_originas0_originautnums: ['1', -3, 64500] }, 'r');
  assert.equal(r.name?.length, 300);
  assert.deepEqual(r.organizations, []);
  assert.deepEqual(r.cidrs, []);
  assert.deepEqual(r.originAutnums, [64500]);
  assert.deepEqual(parseRdap('nonsense', 's'), { server: 's', cidrs: [], organizations: [], originAutnums: [], abuseEmails: [] });
});
