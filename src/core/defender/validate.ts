// Input checks done before any request: addresses, findbyip timestamps, look-back hours, machine ids,
// hunting query text. Bad input gets a short BadRequestError and never reaches the network.
import { isIP } from 'node:net';
import { BadRequestError } from './errors';

const THIRTY_DAYS_MS = 30 * 24 * 3_600_000;
/** Hunting query text is built by src/core/hunting; this only bounds its size. */
export const MAX_QUERY_LENGTH = 100_000;

function bad(message: string, operation: string): BadRequestError {
  return new BadRequestError(message, { code: 'ClientValidation', operation });
}

function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  // Only printable ASCII in messages; the rest of the (untrusted) input is not echoed.
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

/** A valid IPv4/IPv6 address, IPv6 in lower case. Zone ids (fe80::1%eth0) are refused. */
export function normaliseIp(ip: unknown, operation: string): string {
  if (typeof ip !== 'string' || isIP(ip) === 0 || ip.includes('%')) {
    throw bad(`'${show(ip)}' is not a valid IP address.`, operation);
  }
  return isIP(ip) === 6 ? ip.toLowerCase() : ip;
}

/** `2026-11-20T08:44:05Z`: seconds precision, UTC, within the past 30 days and not in the future. */
export function findByIpTimestamp(timestamp: unknown, now: number, operation: string): string {
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) {
    throw bad('The time must be a valid date.', operation);
  }
  const t = Math.floor(timestamp.getTime() / 1000) * 1000;
  if (t > now) throw bad('The time is in the future: Defender can only say who held an address in the past 30 days.', operation);
  if (t < now - THIRTY_DAYS_MS) {
    throw bad('The time is more than 30 days ago: Defender keeps address assignments for 30 days only.', operation);
  }
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function lookBackHours(hours: unknown, operation: string): number {
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > 720) {
    throw bad(`The look-back must be a whole number of hours from 1 to 720 (30 days), not ${show(hours)}.`, operation);
  }
  return hours;
}

/** Device ids are 40 hex characters; the API also accepts a computer name, so host names pass too. */
export function machineId(id: unknown, operation: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,253}[A-Za-z0-9_])?$/.test(id) || id.includes('..')) {
    throw bad(`'${show(id)}' is not a machine id (expected a device id or a computer name).`, operation);
  }
  return id;
}

export function huntingQuery(query: unknown, operation: string): string {
  if (typeof query !== 'string' || query.trim() === '') throw bad('The hunting query is empty.', operation);
  if (query.length > MAX_QUERY_LENGTH) throw bad(`The hunting query is longer than ${MAX_QUERY_LENGTH} characters.`, operation);
  return query;
}

/** Graph's optional ISO 8601 `Timespan` (`P30D`, `start/end`, `P7D/end`, a start time). */
export function huntingTimespan(timespan: unknown, operation: string): string | undefined {
  if (timespan === undefined) return undefined;
  if (typeof timespan !== 'string' || !/^[0-9A-Za-z:.+\-/]{1,80}$/.test(timespan) || !/^[0-9P]/.test(timespan)) {
    throw bad(`'${show(timespan)}' is not an ISO 8601 timespan (e.g. P7D).`, operation);
  }
  return timespan;
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A path segment: percent-encoded, keeping ':' (valid in a path segment, so IPv6 stays readable). */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':');
}

const DEVICE_ID = /^[0-9a-f]{40}$/i;
/** DNS labels (letters, digits, `-`, `_`; the first character a letter or digit), dot-separated, at most 253 characters. */
const MACHINE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}(?:\.[a-z0-9_-]{1,63})*$/i;

/** A Defender device id (40 hex digits), lower-cased; undefined for anything else. */
export function normaliseDeviceId(id: unknown): string | undefined {
  return typeof id === 'string' && DEVICE_ID.test(id) ? id.toLowerCase() : undefined;
}

/**
 * A machine name (or the start of one) that may reach an OData `$filter`: DNS-label characters only, a trailing dot
 * dropped, lower-cased (Defender keeps `computerDnsName` in lower case). Undefined for anything else.
 */
export function normaliseMachineName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const s = name.trim().replace(/\.$/, '');
  return s.length > 0 && s.length <= 253 && MACHINE_NAME.test(s) ? s.toLowerCase() : undefined;
}

export function deviceId(id: unknown, operation: string): string {
  const v = normaliseDeviceId(id);
  if (v === undefined) throw bad(`'${show(id)}' is not a Defender device id (40 hexadecimal digits).`, operation);
  return v;
}

export function machineName(name: unknown, operation: string): string {
  const v = normaliseMachineName(name);
  if (v === undefined) throw bad(`'${show(name)}' is not a machine name (letters, digits, '-', '_' and dots, as in a DNS name).`, operation);
  return v;
}
