// Input checks done before any request: addresses, findbyip timestamps, look-back hours, machine ids,
// hunting query text, indicator ids and bodies. Bad input gets a short BadRequestError and never reaches the network.
import { isIP } from 'node:net';
import { BadRequestError } from './errors';
import { INDICATOR_ACTIONS, INDICATOR_SEVERITIES, type IndicatorAction, type IndicatorSeverity, type IndicatorSubmission } from '../../shared/defenderModel';

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

// ---- indicators: structural checks the client makes on every write (the policy lives in core/indicators) ----

/** Indicator ids are short strings of digits in every example ("5120"); letters, `-` and `_` are tolerated. */
export function indicatorId(id: unknown, operation: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw bad(`'${show(id)}' is not an indicator id.`, operation);
  return id;
}

/** Hard caps on text sent in a body: the product's own limits are lower; these stop anything absurd. */
const MAX_BODY_TEXT = 10_000;
// C0/C1 controls (tab and newline aside) and bidirectional overrides: never sent, they would disguise the text.
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function text(value: unknown, name: string, operation: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || (required && value.trim() === '')) throw bad(`The indicator's ${name} is required.`, operation);
  if (value.length > MAX_BODY_TEXT) throw bad(`The indicator's ${name} is longer than ${MAX_BODY_TEXT} characters.`, operation);
  if (UNSAFE_TEXT.test(value)) throw bad(`The indicator's ${name} holds control or direction-override characters.`, operation);
  return value;
}

/**
 * A clean `POST /api/indicators` body: only the known fields, each checked (a single IP address, no CIDR; the
 * documented enums; Audit with generateAlert; an expiry in the future). The caller's object is never sent as is.
 */
export function indicatorSubmission(s: unknown, now: number, operation: string): IndicatorSubmission {
  if (typeof s !== 'object' || s === null) throw bad('The indicator is missing.', operation);
  const o = s as Record<string, unknown>;
  if (o.indicatorType !== 'IpAddress') throw bad('Only IP address indicators are sent by this product.', operation);
  if (typeof o.indicatorValue === 'string' && o.indicatorValue.includes('/')) throw bad('CIDR ranges are not supported: an IP indicator is one address.', operation);
  const value = normaliseIp(o.indicatorValue, operation);
  if (typeof o.action !== 'string' || !(INDICATOR_ACTIONS as readonly string[]).includes(o.action)) throw bad(`'${show(o.action)}' is not an indicator action.`, operation);
  const action = o.action as IndicatorAction;
  if (action === 'BlockAndRemediate') throw bad('BlockAndRemediate is not supported for IP indicators.', operation);
  if (typeof o.generateAlert !== 'boolean') throw bad('generateAlert must be true or false.', operation);
  if (action === 'Audit' && !o.generateAlert) throw bad('An Audit indicator must generate an alert (generateAlert true).', operation);
  const body: IndicatorSubmission = {
    indicatorValue: value,
    indicatorType: 'IpAddress',
    action,
    title: text(o.title, 'title', operation, true) as string,
    description: text(o.description, 'description', operation, true) as string,
    generateAlert: o.generateAlert,
  };
  if (o.severity !== undefined) {
    if (typeof o.severity !== 'string' || !(INDICATOR_SEVERITIES as readonly string[]).includes(o.severity)) throw bad(`'${show(o.severity)}' is not an indicator severity.`, operation);
    body.severity = o.severity as IndicatorSeverity;
  }
  if (o.expirationTime !== undefined) {
    const t = typeof o.expirationTime === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(o.expirationTime) ? Date.parse(o.expirationTime) : NaN;
    if (Number.isNaN(t)) throw bad('The expiry must be an ISO 8601 UTC time.', operation);
    if (t <= now) throw bad('The expiry is in the past: choose a time in the future (or no expiry).', operation);
    body.expirationTime = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  const recommended = text(o.recommendedActions, 'recommended actions', operation, false);
  if (recommended !== undefined && recommended.trim() !== '') body.recommendedActions = recommended;
  if (o.rbacGroupNames !== undefined) {
    if (!Array.isArray(o.rbacGroupNames) || o.rbacGroupNames.length > 100) throw bad('The device groups must be a list of at most 100 names.', operation);
    const names = o.rbacGroupNames.map((g) => text(g, 'device group name', operation, true) as string);
    if (names.some((n) => n.includes(',') || n.length > 256)) throw bad('A device group name may not hold a comma or exceed 256 characters.', operation);
    if (names.length > 0) body.rbacGroupNames = names;
  }
  if (o.application !== undefined) body.application = text(o.application, 'application', operation, true);
  return body;
}
