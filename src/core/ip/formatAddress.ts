// Canonical text for addresses: dotted decimal for IPv4, RFC 5952 for IPv6.

const OCTETS: readonly string[] = Array.from({ length: 256 }, (_, k) => String(k));

export function formatIpv4(value: number): string {
  return OCTETS[value >>> 24] + '.' + OCTETS[(value >>> 16) & 255] + '.' + OCTETS[(value >>> 8) & 255] + '.' + OCTETS[value & 255];
}

/**
 * RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups compressed to
 * `::` (the first one on a tie), and IPv4-mapped addresses in mixed notation (`::ffff:192.0.2.1`).
 */
export function formatIpv6(groups: ArrayLike<number>): string {
  if (
    groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIpv4(((groups[6] << 16) | groups[7]) >>> 0)}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && groups[j] === 0) j++;
    if (j - k > bestLen) {
      bestStart = k;
      bestLen = j - k;
    }
    k = j;
  }
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      out += '::';
      k += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += groups[k].toString(16);
  }
  return out;
}
