// The shape of one IP address found in text: what the hover, triage, the CLI and the investigation build on.
import type { IpClass } from './classify';

export interface IpMatch {
  /** Normalised and refanged: dotted decimal for IPv4, RFC 5952 for IPv6 (no zone, no port, no prefix). */
  value: string;
  version: 4 | 6;
  /** UTF-16 offsets into the scanned text, end exclusive. The range covers the address text only
   * (defanged text and an IPv6 zone id included; brackets, port and prefix excluded). */
  start: number;
  end: number;
  /** From `1.2.3.4:443` or `[2001:db8::1]:443`. */
  port?: number;
  /** From `10.0.0.0/8` or `2001:db8::/32`. */
  prefix?: number;
  /** IPv6 zone id, from `fe80::1%eth0`. */
  zone?: string;
  /** The text used `[.]`, `(.)`, `{.}` or `[:]` instead of plain separators. */
  defanged: boolean;
  /** An IPv4 octet was written with leading zeros (`010`); the value reads it as decimal, never octal. */
  leadingZeros: boolean;
  ipClass: IpClass;
}
