// Classifies addresses from our own copy of the IANA IPv4 and IPv6 special-purpose registries, so the
// verdict does not depend on a runtime or library version. Internal addresses never leave the tenant.
import { readIpv4At, readIpv6At, newIpv4Read, newIpv6Read } from './readAddress';
import { formatIpv4 } from './formatAddress';

export type IpClass =
  | 'public'
  | 'private'
  | 'shared'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'unspecified'
  | 'broadcast';

export interface SpecialBlock {
  prefix: string;
  name: string;
  rfc?: string;
}

export interface Classification {
  ipClass: IpClass;
  /** The special-purpose registry entry the address falls in; absent for ordinary public addresses. */
  block?: SpecialBlock;
  /** For IPv4-mapped, NAT64, 6to4 and Teredo addresses: the embedded IPv4 address that decided the class. */
  embedded?: { value: string; block?: SpecialBlock };
}

interface Entry {
  prefix: string;
  name: string;
  rfc: string;
  ipClass: IpClass;
}

// IANA IPv4 Special-Purpose Address Registry, plus multicast (224/4) from the address space registry.
// Blocks marked globally reachable there are 'public' (with the block named); the rest get their class.
const V4_TABLE: Entry[] = [
  { prefix: '0.0.0.0/8', name: 'This network', rfc: 'RFC 791', ipClass: 'unspecified' },
  { prefix: '0.0.0.0/32', name: 'This host on this network', rfc: 'RFC 1122', ipClass: 'unspecified' },
  { prefix: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918', ipClass: 'private' },
  { prefix: '100.64.0.0/10', name: 'Shared Address Space', rfc: 'RFC 6598', ipClass: 'shared' },
  { prefix: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122', ipClass: 'loopback' },
  { prefix: '169.254.0.0/16', name: 'Link Local', rfc: 'RFC 3927', ipClass: 'link-local' },
  { prefix: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918', ipClass: 'private' },
  { prefix: '192.0.0.0/24', name: 'IETF Protocol Assignments', rfc: 'RFC 6890', ipClass: 'reserved' },
  { prefix: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', rfc: 'RFC 7335', ipClass: 'reserved' },
  { prefix: '192.0.0.8/32', name: 'IPv4 dummy address', rfc: 'RFC 7600', ipClass: 'reserved' },
  { prefix: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', ipClass: 'public' },
  { prefix: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', ipClass: 'public' },
  { prefix: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880', ipClass: 'reserved' },
  { prefix: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880', ipClass: 'reserved' },
  { prefix: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737', ipClass: 'documentation' },
  { prefix: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535', ipClass: 'public' },
  { prefix: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450', ipClass: 'public' },
  { prefix: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', rfc: 'RFC 7526', ipClass: 'reserved' },
  { prefix: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918', ipClass: 'private' },
  { prefix: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', ipClass: 'public' },
  { prefix: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544', ipClass: 'benchmarking' },
  { prefix: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737', ipClass: 'documentation' },
  { prefix: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737', ipClass: 'documentation' },
  { prefix: '224.0.0.0/4', name: 'Multicast', rfc: 'RFC 5771', ipClass: 'multicast' },
  { prefix: '240.0.0.0/4', name: 'Reserved', rfc: 'RFC 1112', ipClass: 'reserved' },
  { prefix: '255.255.255.255/32', name: 'Limited Broadcast', rfc: 'RFC 8190', ipClass: 'broadcast' },
];

/** Blocks whose class comes from an IPv4 address embedded in them. */
type Embedding = 'last32' | '6to4' | 'teredo';

interface Entry6 extends Entry {
  embeds?: Embedding;
}

/** The IPv4 special-purpose blocks as listed (for tests that check the compiled lookup against them). */
export const IPV4_SPECIAL_BLOCKS: readonly { prefix: string; ipClass: IpClass }[] = V4_TABLE;

// IANA IPv6 Special-Purpose Address Registry, plus multicast, link-local, deprecated site-local and the
// space outside 2000::/3 that IANA has not allocated (handled in classifyIpv6 as 'reserved').
const V6_TABLE: Entry6[] = [
  { prefix: '::/128', name: 'Unspecified Address', rfc: 'RFC 4291', ipClass: 'unspecified' },
  { prefix: '::1/128', name: 'Loopback Address', rfc: 'RFC 4291', ipClass: 'loopback' },
  { prefix: '::ffff:0:0/96', name: 'IPv4-mapped Address', rfc: 'RFC 4291', ipClass: 'public', embeds: 'last32' },
  { prefix: '64:ff9b::/96', name: 'IPv4-IPv6 Translation (NAT64 well-known prefix)', rfc: 'RFC 6052', ipClass: 'public', embeds: 'last32' },
  { prefix: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translation (local use)', rfc: 'RFC 8215', ipClass: 'reserved' },
  { prefix: '100::/64', name: 'Discard-Only Address Block', rfc: 'RFC 6666', ipClass: 'reserved' },
  { prefix: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780', ipClass: 'reserved' },
  { prefix: '2001::/23', name: 'IETF Protocol Assignments', rfc: 'RFC 2928', ipClass: 'reserved' },
  { prefix: '2001::/32', name: 'TEREDO', rfc: 'RFC 4380', ipClass: 'public', embeds: 'teredo' },
  { prefix: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', ipClass: 'public' },
  { prefix: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', ipClass: 'public' },
  { prefix: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665', ipClass: 'public' },
  { prefix: '2001:2::/48', name: 'Benchmarking', rfc: 'RFC 5180', ipClass: 'benchmarking' },
  { prefix: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450', ipClass: 'public' },
  { prefix: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535', ipClass: 'public' },
  { prefix: '2001:10::/28', name: 'Deprecated (previously ORCHID)', rfc: 'RFC 4843', ipClass: 'reserved' },
  { prefix: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343', ipClass: 'public' },
  { prefix: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', rfc: 'RFC 9374', ipClass: 'public' },
  { prefix: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849', ipClass: 'documentation' },
  { prefix: '2002::/16', name: '6to4', rfc: 'RFC 3056', ipClass: 'public', embeds: '6to4' },
  { prefix: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', ipClass: 'public' },
  { prefix: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637', ipClass: 'documentation' },
  { prefix: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602', ipClass: 'reserved' },
  { prefix: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193', ipClass: 'unique-local' },
  { prefix: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291', ipClass: 'link-local' },
  { prefix: 'fec0::/10', name: 'Site-Local (deprecated)', rfc: 'RFC 3879', ipClass: 'reserved' },
  { prefix: 'ff00::/8', name: 'Multicast', rfc: 'RFC 4291', ipClass: 'multicast' },
];

const OUTSIDE_GLOBAL_UNICAST: Classification = Object.freeze({
  ipClass: 'reserved' as const,
  block: Object.freeze({ prefix: '::/0 outside 2000::/3', name: 'Reserved by IETF (not allocated for unicast)', rfc: 'RFC 4291' }),
});
const PUBLIC: Classification = Object.freeze({ ipClass: 'public' as const });

interface Compiled4 {
  base: number;
  mask: number;
  length: number;
  result: Classification;
}

interface Compiled6 {
  base: Uint16Array;
  mask: Uint16Array;
  length: number;
  /** Groups the prefix reaches into: the rest are masked out. */
  groups: number;
  entry: Entry6;
  result: Classification;
}

function blockOf(e: Entry): SpecialBlock {
  return Object.freeze({ prefix: e.prefix, name: e.name, rfc: e.rfc });
}

// Longest prefix first, so the first hit is the most specific block.
const V4: Compiled4[] = V4_TABLE.map((e) => {
  const [addr, len] = e.prefix.split('/');
  const r = newIpv4Read();
  readIpv4At(addr, 0, r);
  const length = Number(len);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return { base: (r.value & mask) >>> 0, mask, length, result: Object.freeze({ ipClass: e.ipClass, block: blockOf(e) }) };
}).sort((a, b) => b.length - a.length);

const V6: Compiled6[] = V6_TABLE.map((e) => {
  const [addr, len] = e.prefix.split('/');
  const r = newIpv6Read();
  readIpv6At(addr, 0, r);
  const length = Number(len);
  const mask = new Uint16Array(8);
  for (let k = 0; k < 8; k++) {
    const bits = Math.max(0, Math.min(16, length - 16 * k));
    mask[k] = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
  }
  const base = new Uint16Array(8);
  for (let k = 0; k < 8; k++) base[k] = r.groups[k] & mask[k];
  return { base, mask, length, groups: Math.ceil(length / 16), entry: e, result: Object.freeze({ ipClass: e.ipClass, block: blockOf(e) }) };
}).sort((a, b) => b.length - a.length);

type Decision = Classification | Compiled4[];

/**
 * What decides the class of every address in [lo, hi]: one result when every block touching the range covers
 * it whole (the most specific such block wins, as in the full walk), else the touching blocks to walk.
 */
function decide(lo: number, hi: number, blocks: readonly Compiled4[] = V4): Decision {
  const touching = blocks.filter((b) => b.base <= hi && ((b.base | (~b.mask >>> 0)) >>> 0) >= lo);
  if (touching.length === 0) return PUBLIC;
  if (touching.every((b) => b.base <= lo && ((b.base | (~b.mask >>> 0)) >>> 0) >= hi)) return touching[0].result;
  return touching;
}

// Most first octets decide the class alone; most of the others are decided by the second octet; only a few
// /16s (192.0, 198.51, 203.0...) walk their own few blocks. The second-octet tables are built on first use:
// building them all is most of what loading this module costs (and `ipinv scan` starts in a few milliseconds).
const BY_FIRST_OCTET: Decision[] = firstOctetDecisions();
const BY_SECOND_OCTET: (Decision[] | undefined)[] = Array.from({ length: 256 }, () => undefined);

/** decide() for each first octet; only the octets some block touches need the walk (most are plain public). */
function firstOctetDecisions(): Decision[] {
  const touched = new Uint8Array(256);
  for (const b of V4) {
    const last = ((b.base | (~b.mask >>> 0)) >>> 0) >>> 24;
    for (let o = b.base >>> 24; o <= last; o++) touched[o] = 1;
  }
  const out: Decision[] = [];
  for (let o = 0; o < 256; o++) out.push(touched[o] ? decide((o << 24) >>> 0, ((o << 24) | 0xffffff) >>> 0) : PUBLIC);
  return out;
}

function bySecondOctet(octet: number): Decision[] {
  // Only the blocks the first octet's walk would look at can touch its /16s (the same order: longest first).
  const blocks = BY_FIRST_OCTET[octet] as Compiled4[];
  return (BY_SECOND_OCTET[octet] ??= Array.from({ length: 256 }, (_, second) =>
    decide(((octet << 24) | (second << 16)) >>> 0, ((octet << 24) | (second << 16) | 0xffff) >>> 0, blocks),
  ));
}

/** Classifies an IPv4 address given as an unsigned 32-bit integer. */
export function classifyIpv4(value: number): Classification {
  const first = BY_FIRST_OCTET[value >>> 24];
  if (!Array.isArray(first)) return first;
  const second = (BY_SECOND_OCTET[value >>> 24] ?? bySecondOctet(value >>> 24))[(value >>> 16) & 0xff];
  if (!Array.isArray(second)) return second;
  for (const b of second) if (((value & b.mask) >>> 0) === b.base) return b.result;
  return PUBLIC;
}

// Candidate blocks by the first byte of the address, longest prefix first (each list made on first use).
const V6_BY_FIRST_BYTE: (Compiled6[] | undefined)[] = Array.from({ length: 256 }, () => undefined);

function v6Candidates(byte: number): Compiled6[] {
  return (V6_BY_FIRST_BYTE[byte] ??= V6.filter((b) => ((byte << 8) & b.mask[0] & 0xff00) === (b.base[0] & 0xff00)));
}

/** Classifies an IPv6 address given as eight 16-bit groups. */
export function classifyIpv6(groups: ArrayLike<number>): Classification {
  for (const b of V6_BY_FIRST_BYTE[groups[0] >>> 8] ?? v6Candidates(groups[0] >>> 8)) {
    let hit = true;
    for (let k = 0; k < b.groups && hit; k++) if ((groups[k] & b.mask[k]) !== b.base[k]) hit = false;
    if (!hit) continue;
    const embedding = b.entry.embeds;
    if (!embedding) return b.result;
    const v4 = embeddedIpv4(groups, embedding);
    const inner = classifyIpv4(v4);
    return {
      ipClass: inner.ipClass,
      block: b.result.block,
      embedded: inner.block ? { value: formatIpv4(v4), block: inner.block } : { value: formatIpv4(v4) },
    };
  }
  if ((groups[0] & 0xe000) !== 0x2000) return OUTSIDE_GLOBAL_UNICAST;
  return PUBLIC;
}

function embeddedIpv4(g: ArrayLike<number>, how: Embedding): number {
  switch (how) {
    case 'last32':
      return ((g[6] << 16) | g[7]) >>> 0;
    case '6to4':
      return ((g[1] << 16) | g[2]) >>> 0;
    case 'teredo':
      // The client's public address, stored with every bit inverted (RFC 4380 section 4).
      return (((g[6] ^ 0xffff) << 16) | (g[7] ^ 0xffff)) >>> 0;
  }
}

const v4Read = newIpv4Read();
const v6Read = newIpv6Read();

/**
 * Classifies one address written as plain text (`198.51.100.23`, `2001:db8::1`, any case; IPv4 octets with
 * leading zeros read as decimal). Throws a TypeError for anything else: pass normalised values here.
 */
export function classify(value: string): Classification {
  if (readIpv4At(value, 0, v4Read) && v4Read.end === value.length && !v4Read.defanged) return classifyIpv4(v4Read.value);
  if (readIpv6At(value, 0, v6Read) && v6Read.end === value.length && !v6Read.defanged) return classifyIpv6(v6Read.groups);
  throw new TypeError(`'${value.slice(0, 64)}' is not an IP address`);
}

const INTERNAL: ReadonlySet<IpClass> = new Set<IpClass>(['private', 'shared', 'link-local', 'unique-local', 'loopback']);

/** True for classes that name an address inside an organisation. */
export function isInternalClass(ipClass: IpClass): boolean {
  return INTERNAL.has(ipClass);
}

/**
 * Private, shared (CGNAT), link-local, unique-local or loopback: such addresses go to "find machines by
 * internal IP" and are never sent to a third-party service. False for anything that is not an address.
 */
export function isInternal(value: string): boolean {
  try {
    return INTERNAL.has(classify(value).ipClass);
  } catch {
    return false;
  }
}
