// Validates one address typed or pasted by a user (input boxes, CLI arguments), with a short reason when it
// is not exactly one address. Accepts defanged forms, brackets, a zone id, and a port or a prefix length.
import type { IpMatch } from './ipMatch';
import { readMatchAt, scanText } from './scanner';
import { refang } from './defang';
import { colonAt, dotAt } from './readAddress';

export type ParseAddressResult = { ok: true; match: IpMatch } | { ok: false; error: string };

const MAX_INPUT = 256;

export function parseAddress(input: string): ParseAddressResult {
  const s = input.trim();
  if (s.length === 0) return fail('Enter an IP address.');
  const shown = show(s);
  if (s.length > MAX_INPUT) return fail(`'${shown}' is too long to be an IP address.`);
  const lead = input.length - input.trimStart().length;

  const bracketed = s.charCodeAt(0) === 91 && dotAt(s, 0) === 0 && colonAt(s, 0) === 0;
  const m = readMatchAt(s, bracketed ? 1 : 0, false);
  if (m !== null) {
    const problem = checkRest(m, s.slice(m.end), bracketed);
    if (problem === undefined) {
      m.start += lead;
      m.end += lead;
      return { ok: true, match: m };
    }
    const all = scanText(s);
    if (all.length > 1) return fail(`'${shown}' holds ${all.length} addresses; enter one.`);
    return fail(`'${shown}' is not a valid IP address: ${problem}`);
  }
  return fail(diagnose(s, shown));
}

function fail(error: string): ParseAddressResult {
  return { ok: false, error };
}

/** Quoted input in messages: control characters removed, long input shortened. */
function show(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

/** What may follow the address: `]` when bracketed, then a port, or (unbracketed) a port or a prefix. */
function checkRest(m: IpMatch, rest: string, bracketed: boolean): string | undefined {
  let r = rest;
  if (bracketed) {
    if (!r.startsWith(']')) return 'the opening [ has no closing ].';
    r = r.slice(1);
  }
  if (r === '') return undefined;
  const port = /^(?::|\[:\])(\d+)$/.exec(r);
  if (port) {
    if (m.version === 6 && !bracketed) return 'write an IPv6 address with a port as [address]:port.';
    if (m.port !== undefined) return undefined;
    return port[1].length > 5 || Number(port[1]) > 65535 ? `port ${port[1]} is above 65535.` : `'${port[1]}' is not a valid port.`;
  }
  const prefix = /^\/(\d+)$/.exec(r);
  if (prefix && !bracketed) {
    if (m.prefix !== undefined) return undefined;
    const max = m.version === 4 ? 32 : 128;
    return `prefix /${prefix[1]} is above ${max}.`;
  }
  return `unexpected '${show(r)}' after the address.`;
}

/** A specific reason for input that holds no address at its start. */
function diagnose(s: string, shown: string): string {
  const notIp = `'${shown}' is not an IP address.`;
  const found = scanText(s);
  if (found.length > 1) return `'${shown}' holds ${found.length} addresses; enter one.`;
  if (found.length === 1) return `'${shown}' has other text around the address ${found[0].value}; enter the address alone.`;
  if (/\s/.test(s)) return notIp;
  let core = refang(s);
  if (core.startsWith('[')) core = core.replace(/^\[([^\]]*)\].*$/, '$1');
  core = core.replace(/\/\d*$/, '');
  if (/^[0-9.]+(?::\d*)?$/.test(core)) return `'${shown}' is not a valid IP address: ${diagnoseV4(core.replace(/:\d*$/, ''))}`;
  if (core.includes(':') && /^[0-9a-zA-Z:.%_-]+$/.test(core)) return `'${shown}' is not a valid IP address: ${diagnoseV6(core)}`;
  return notIp;
}

function diagnoseV4(core: string): string {
  const parts = core.split('.');
  if (parts.length !== 4) return `an IPv4 address has four numbers separated by dots (this has ${parts.length}).`;
  for (const p of parts) {
    if (p === '') return 'one of its four numbers is empty.';
    if (p.length > 3) return `part '${p}' has more than three digits.`;
    if (Number(p) > 255) return `octet ${Number(p)} is above 255.`;
  }
  return 'it is not written as four decimal numbers.';
}

function diagnoseV6(core: string): string {
  const address = core.replace(/%.*$/, '');
  const bad = /[^0-9a-fA-F:.]/.exec(address);
  if (bad) return `'${bad[0]}' is not a hexadecimal digit.`;
  if (address.split('::').length > 2) return `'::' may appear only once.`;
  if (/:::/.test(address)) return `':::' is not allowed; '::' stands for a run of zero groups.`;
  const groups = address.split(':').filter((g) => g !== '');
  const long = groups.find((g) => !g.includes('.') && g.length > 4);
  if (long) return `group '${long}' has more than four hex digits.`;
  const last = groups[groups.length - 1] ?? '';
  if (last.includes('.')) return `the embedded IPv4 part '${last}' is not valid: ${diagnoseV4(last)}`;
  if (address.includes('::')) return groups.length > 7 ? 'an IPv6 address has at most eight groups.' : 'it is not a valid IPv6 address.';
  if (groups.length !== 8) return `an IPv6 address has eight groups unless '::' stands for zeros (this has ${groups.length}).`;
  return 'it is not a valid IPv6 address.';
}
