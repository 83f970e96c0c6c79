// Address validation for the simulated tenant's routes: accepts IPv4 (no leading zeros) and IPv6 (no zone)
// and returns one canonical text form (RFC 5952 for IPv6) so lookups match the story's data.
import { isIP } from 'node:net';

/** The canonical form of a valid address, or undefined when `text` is not an IP address. */
export function normaliseIp(text: string): string | undefined {
  const kind = isIP(text);
  if (kind === 4) return text;
  if (kind !== 6 || text.includes('%')) return undefined;
  const groups = expandIpv6(text.toLowerCase());
  return groups ? compressIpv6(groups) : undefined;
}

function expandIpv6(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const octets = last.split('.').map(Number);
    tail = [((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)];
    head = text.slice(0, lastColon + 1) + '0';
  }
  const halves = head.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  if (halves.length === 2) {
    const left = parse(halves[0] ?? '');
    const right = parse(halves[1] ?? '');
    if (tail.length) right.pop();
    const missing = 8 - tail.length - left.length - right.length;
    if (missing < 0) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right, ...tail];
  } else {
    groups = parse(head);
    if (tail.length) groups.pop();
    groups.push(...tail);
  }
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function compressIpv6(groups: number[]): string {
  // Longest run of two or more zero groups becomes '::' (the first one on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
