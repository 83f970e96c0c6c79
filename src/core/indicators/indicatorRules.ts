// What an IP indicator may be, checked before any request: a single external host (no CIDR, no multicast, broadcast,
// unspecified or loopback address; no internal address, which Defender does not take; no documentation or other
// unrouted address on a real tenant), the documented action and severity values, bounded text, an expiry in the
// future. Builds the request body from validated values only, and the sentence the confirmation shows. Pure.
import type { Indicator, IndicatorAction, IndicatorSeverity, IndicatorSubmission } from '../../shared/defenderModel';
import { INDICATOR_SEVERITIES } from '../../shared/defenderModel';
import { INDICATOR_CHOICES, INDICATOR_LIMITS, type IndicatorBrief, type IndicatorChoice } from '../../shared/indicatorModel';
import type { AddressFacts } from '../../shared/investigation';
import { addressFacts } from '../investigation/investigationService';

/** The `application` our new indicators carry, so they can be told apart in the portal. */
export const INDICATOR_APPLICATION = 'Defender IP Investigator';

export type AddressRefusal = 'invalid' | 'cidr' | 'not-a-host' | 'internal' | 'not-routable' | 'mapped';

export type AddressCheck = { ok: true; ip: string; facts: AddressFacts } | { ok: false; kind: AddressRefusal; reason: string; ip?: string };

export interface RuleContext {
  /** The simulated demo tenant: its story uses documentation addresses (the C2 is 198.51.100.23), so they are allowed. */
  demo: boolean;
  now: number;
}

/**
 * Whether `input` may become an IP indicator. Defender's own page says indicators can be created only for external
 * IPs ("Only external IPs can be added to the indicator list", indicator-ip-domain.md), and single addresses only.
 */
export function checkIndicatorAddress(input: string, ctx: Pick<RuleContext, 'demo'>): AddressCheck {
  const v = addressFacts(input);
  if (!v.ok) return { ok: false, kind: 'invalid', reason: v.error };
  const f = v.facts;
  const ip = f.ip;
  const full = f.version === 4 ? 32 : 128;
  if (f.prefix !== undefined && f.prefix !== full) {
    return { ok: false, kind: 'cidr', ip, reason: `${ip}/${f.prefix} is a range: Defender takes single addresses only (no CIDR), so give each address on its own.` };
  }
  if (f.zone !== undefined) return { ok: false, kind: 'internal', ip, reason: `${ip}%${f.zone} is a link-local address with a zone: Defender takes indicators for external addresses only.` };
  if (f.version === 6 && /^::ffff:/i.test(ip)) {
    const v4 = ip.slice(7);
    return { ok: false, kind: 'mapped', ip, reason: `${ip} is an IPv4 address written as IPv6: add ${/^\d+\.\d+\.\d+\.\d+$/.test(v4) ? v4 : 'the IPv4 address'} instead.` };
  }
  switch (f.ipClass) {
    case 'loopback':
    case 'unspecified':
    case 'multicast':
    case 'broadcast':
      return { ok: false, kind: 'not-a-host', ip, reason: `${ip} is a ${classWord(f.ipClass)} address, not a single host: an indicator for it would never match a peer.` };
    case 'private':
    case 'shared':
    case 'link-local':
    case 'unique-local':
      return { ok: false, kind: 'internal', ip, reason: `${ip} is an internal address (${classWord(f.ipClass)}): Defender takes indicators for external addresses only.` };
    case 'documentation':
    case 'benchmarking':
    case 'reserved':
      // The demo story's peers are documentation addresses; nothing uses the other unrouted blocks.
      if (ctx.demo && f.ipClass === 'documentation') break;
      return {
        ok: false,
        kind: 'not-routable',
        ip,
        reason: `${ip} is a ${classWord(f.ipClass)} address${f.block ? ` (${f.block.prefix})` : ''} that no real peer uses: probably a sample or a typo, so no indicator is created for it.`,
      };
    default:
      break;
  }
  return { ok: true, ip, facts: f };
}

function classWord(ipClass: string): string {
  switch (ipClass) {
    case 'unique-local':
      return 'unique-local';
    case 'shared':
      return 'shared (CGNAT)';
    default:
      return ipClass;
  }
}

// ---- expiry ----

export type Expiry = { kind: 'never' } | { kind: 'at'; at: string };

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `never`, a duration (`7d`, `30d`, `90d`, `12h`, `2w`) from now, a date (`2027-01-04`: 00:00 UTC that day) or an ISO
 * time (a time without a zone is UTC). It must lie in the future and at most ten years ahead.
 */
export function parseExpiry(text: string, now: number): { ok: true; expiry: Expiry } | { ok: false; error: string } {
  const s = text.trim().toLowerCase();
  if (s === '') return { ok: false, error: 'Give an expiry: 7d, 30d, 90d, never, or a date such as 2027-01-04.' };
  if (s === 'never' || s === 'none') return { ok: true, expiry: { kind: 'never' } };
  let at: number;
  const rel = /^(\d{1,5})\s*([hdw])$/.exec(s);
  if (rel) {
    const n = Number(rel[1]);
    if (n < 1) return { ok: false, error: 'The expiry must be at least 1 hour from now.' };
    // Whole minutes: the confirmation and the body name the same instant.
    at = Math.floor((now + n * (UNIT_MS[rel[2]] ?? 0)) / 60_000) * 60_000;
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    at = Date.parse(`${s}T00:00:00Z`);
  } else if (/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(z|[+-]\d{2}:\d{2})?$/.test(s)) {
    const withZone = /z$|[+-]\d{2}:\d{2}$/.test(s) ? s : `${s}z`;
    at = Date.parse(withZone.toUpperCase().replace(/(\.\d{3})\d+/, '$1'));
  } else {
    return { ok: false, error: `'${shortText(text)}' is not an expiry: use 7d, 30d, 90d, never, a date (2027-01-04) or an ISO time.` };
  }
  if (Number.isNaN(at)) return { ok: false, error: `'${shortText(text)}' is not a valid date.` };
  at = Math.floor(at / 1000) * 1000;
  if (at <= now + 60_000) return { ok: false, error: 'The expiry is not in the future: choose a later time, or never.' };
  if (at > now + INDICATOR_LIMITS.maxExpiryDays * 86_400_000) return { ok: false, error: `The expiry is more than ${INDICATOR_LIMITS.maxExpiryDays / 365} years ahead: use never for no expiry.` };
  return { ok: true, expiry: { kind: 'at', at: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
}

/** `2027-01-04 13:05 UTC`. */
export function formatExpiry(iso: string | undefined): string {
  if (iso === undefined) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

// ---- text ----

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]/;
 
const LINE_BREAK = /[\r\n\t\u2028\u2029]/;

function shortText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 37)}...` : clean;
}

/** A problem with a text field, or undefined when it is fine. `multiline`: line breaks and tabs are allowed. */
export function textProblem(value: string | undefined, name: string, max: number, options: { required: boolean; multiline: boolean }): string | undefined {
  const v = value ?? '';
  if (v.trim() === '') return options.required ? `The ${name} is required.` : undefined;
  if (v.length > max) return `The ${name} is ${v.length} characters long; at most ${max} are sent.`;
  if (CONTROL.test(v)) return `The ${name} holds control or text-direction characters; remove them.`;
  if (!options.multiline && LINE_BREAK.test(v)) return `The ${name} must be one line.`;
  return undefined;
}

/** Device group names: comma-separated in the CLI and the form. Empty: all devices. */
export function parseGroups(text: string | readonly string[] | undefined): { ok: true; groups: string[] } | { ok: false; error: string } {
  const raw = typeof text === 'string' ? text.split(',') : [...(text ?? [])];
  const groups = [...new Set(raw.map((g) => g.trim()).filter((g) => g !== ''))];
  if (groups.length > INDICATOR_LIMITS.groupsMax) return { ok: false, error: `At most ${INDICATOR_LIMITS.groupsMax} device groups.` };
  for (const g of groups) {
    const p = textProblem(g, 'device group name', INDICATOR_LIMITS.groupNameMax, { required: true, multiline: false });
    if (p) return { ok: false, error: p };
    if (g.includes(',')) return { ok: false, error: 'A device group name may not hold a comma.' };
  }
  return { ok: true, groups };
}

// ---- actions ----

/** The API action and alert rule of each choice. Audit must generate an alert (post-ti-indicator.md). */
export const CHOICE_ACTIONS: Record<IndicatorChoice, { action: IndicatorAction; alert: 'forced' | boolean }> = {
  block: { action: 'Block', alert: true },
  warn: { action: 'Warn', alert: false },
  audit: { action: 'Audit', alert: 'forced' },
  // The API's Alert action was retired in January 2022: Audit with an alert is what the portal sends now.
  alert: { action: 'Audit', alert: 'forced' },
  allowed: { action: 'Allowed', alert: false },
};

export function isChoice(x: unknown): x is IndicatorChoice {
  return typeof x === 'string' && (INDICATOR_CHOICES as readonly string[]).includes(x);
}

/** The choice that describes an existing indicator's action (legacy Alert values read as `alert`). */
export function choiceOf(action: string): IndicatorChoice | undefined {
  switch (action) {
    case 'Block':
    case 'AlertAndBlock':
    case 'BlockAndRemediate':
      return 'block';
    case 'Warn':
      return 'warn';
    case 'Audit':
      return 'audit';
    case 'Alert':
      return 'alert';
    case 'Allowed':
      return 'allowed';
    default:
      return undefined;
  }
}

export function isSeverity(x: unknown): x is IndicatorSeverity {
  return typeof x === 'string' && (INDICATOR_SEVERITIES as readonly string[]).includes(x);
}

/** `high` → `High`; undefined when it is not a severity. */
export function parseSeverity(text: string): IndicatorSeverity | undefined {
  const s = text.trim().toLowerCase();
  return INDICATOR_SEVERITIES.find((x) => x.toLowerCase() === s || (s === 'info' && x === 'Informational'));
}

/** "Block", "Allow", "Warn on", "Audit", "Alert on": the verb of the confirmation sentence. */
export function choiceVerb(choice: IndicatorChoice): string {
  return { block: 'Block', warn: 'Warn on', audit: 'Audit', alert: 'Alert on', allowed: 'Allow' }[choice];
}

/** How an existing indicator's action reads next to an address: "Blocked", "Allowed"... */
export function actionParticiple(action: string): string {
  switch (action) {
    case 'Block':
    case 'AlertAndBlock':
    case 'BlockAndRemediate':
      return 'Blocked';
    case 'Allowed':
      return 'Allowed';
    case 'Warn':
      return 'Warned';
    case 'Audit':
      return 'Audited';
    case 'Alert':
      return 'Alerted';
    default:
      return 'Marked';
  }
}

// ---- drafts ----

/** What a user asks for, before validation (the form and the CLI fill it). */
export interface IndicatorDraft {
  ip: string;
  choice: IndicatorChoice;
  title: string;
  description: string;
  severity?: IndicatorSeverity;
  /** As typed: 7d, 30d, 90d, never, a date or an ISO time. */
  expires: string;
  /** Ignored where the choice forces it (audit, alert). */
  generateAlert?: boolean;
  recommendedActions?: string;
  /** Empty: all devices. */
  groups?: string[];
}

export type DraftCheck = { ok: true; submission: IndicatorSubmission; summary: string; facts: AddressFacts } | { ok: false; errors: string[] };

/**
 * Validates a draft and builds the request body from the validated values only; `summary` is the sentence the
 * confirmation shows ("Block 198.51.100.23 for all devices until 2027-01-04 00:00 UTC").
 */
export function checkDraft(d: IndicatorDraft, ctx: RuleContext): DraftCheck {
  const errors: string[] = [];
  const address = checkIndicatorAddress(d.ip, ctx);
  if (!address.ok) errors.push(address.reason);
  if (!isChoice(d.choice)) errors.push(`'${shortText(String(d.choice))}' is not an action: use block, warn, audit, alert or allowed.`);
  const title = textProblem(d.title, 'title', INDICATOR_LIMITS.titleMax, { required: true, multiline: false });
  if (title) errors.push(title);
  const description = textProblem(d.description, 'description', INDICATOR_LIMITS.descriptionMax, { required: true, multiline: true });
  if (description) errors.push(description);
  const recommended = textProblem(d.recommendedActions, 'recommended actions', INDICATOR_LIMITS.recommendedActionsMax, { required: false, multiline: true });
  if (recommended) errors.push(recommended);
  if (d.severity !== undefined && !isSeverity(d.severity)) errors.push(`'${shortText(String(d.severity))}' is not a severity: use Informational, Low, Medium or High.`);
  const expiry = parseExpiry(d.expires, ctx.now);
  if (!expiry.ok) errors.push(expiry.error);
  const groups = parseGroups(d.groups);
  if (!groups.ok) errors.push(groups.error);
  if (errors.length > 0 || !address.ok || !expiry.ok || !groups.ok || !isChoice(d.choice)) return { ok: false, errors };
  const rule = CHOICE_ACTIONS[d.choice];
  const generateAlert = rule.alert === 'forced' ? true : (d.generateAlert ?? rule.alert);
  const submission: IndicatorSubmission = {
    indicatorValue: address.ip,
    indicatorType: 'IpAddress',
    action: rule.action,
    title: d.title.trim(),
    description: d.description.trim(),
    generateAlert,
    application: INDICATOR_APPLICATION,
    ...(expiry.expiry.kind === 'at' ? { expirationTime: expiry.expiry.at } : {}),
    ...(d.severity ? { severity: d.severity } : {}),
    ...(d.recommendedActions && d.recommendedActions.trim() !== '' ? { recommendedActions: d.recommendedActions.trim() } : {}),
    ...(groups.groups.length > 0 ? { rbacGroupNames: groups.groups } : {}),
  };
  return { ok: true, submission, summary: describeSubmission(submission, d.choice), facts: address.facts };
}

/** "Block 198.51.100.23 for all devices until 2027-01-04 13:05 UTC" (no question mark: the caller adds one). */
export function describeSubmission(s: IndicatorSubmission, choice?: IndicatorChoice, count = 1): string {
  const c = choice ?? choiceOf(s.action) ?? 'block';
  const what = count === 1 ? s.indicatorValue : `${count.toLocaleString('en-US')} addresses`;
  const where = s.rbacGroupNames && s.rbacGroupNames.length > 0 ? `for the device group${s.rbacGroupNames.length > 1 ? 's' : ''} ${s.rbacGroupNames.join(', ')}` : 'for all devices';
  const until = s.expirationTime ? `until ${formatExpiry(s.expirationTime)}` : 'with no expiry';
  const alert = s.generateAlert && c !== 'alert' ? ', with an alert' : '';
  return `${choiceVerb(c)} ${what} ${where} ${until}${alert}`;
}

/**
 * The body that sets a new expiry on an existing indicator: its own fields sent again (the API updates the indicator
 * of the same value), with legacy actions sent as their current equivalent. Defender's own text is not held to our
 * length limits, only to what can be sent at all.
 */
export function expirySubmission(existing: Indicator, expiry: Expiry): IndicatorSubmission {
  const choice = choiceOf(existing.action) ?? 'block';
  const rule = CHOICE_ACTIONS[choice];
  const action: IndicatorAction = existing.action === 'Allowed' || existing.action === 'Warn' || existing.action === 'Audit' || existing.action === 'Block' ? existing.action : rule.action;
  const generateAlert = action === 'Audit' ? true : (existing.generateAlert ?? rule.alert === true);
  const title = existing.title.trim() !== '' ? existing.title : existing.indicatorValue;
  return {
    indicatorValue: existing.indicatorValue,
    indicatorType: 'IpAddress',
    action,
    title,
    description: existing.description && existing.description.trim() !== '' ? existing.description : title,
    generateAlert,
    ...(expiry.kind === 'at' ? { expirationTime: expiry.at } : {}),
    ...(isSeverity(existing.severity) ? { severity: existing.severity } : {}),
    ...(existing.recommendedActions ? { recommendedActions: existing.recommendedActions } : {}),
    ...(existing.rbacGroupNames.length > 0 ? { rbacGroupNames: existing.rbacGroupNames } : {}),
  };
}

/** Whether a listed indicator is what `s` asked for (after an unclear answer, to tell whether the write was applied). */
export function matchesSubmission(i: Indicator, s: IndicatorSubmission): boolean {
  const sameTime = (a: string | undefined, b: string | undefined): boolean =>
    a === undefined || b === undefined ? a === b : Math.abs(Date.parse(a) - Date.parse(b)) < 1_000;
  return i.action === s.action && i.title === s.title && sameTime(i.expirationTime, s.expirationTime);
}

/** The short view of an indicator the triage table, the hover and the tree show. */
export function briefOf(i: Indicator): IndicatorBrief {
  return {
    id: i.id,
    action: i.action,
    title: i.title,
    ...(i.severity ? { severity: i.severity } : {}),
    ...(i.expirationTime ? { expirationTime: i.expirationTime } : {}),
    ...(i.createdByDisplayName || i.createdBySource || i.createdBy ? { createdBy: i.createdByDisplayName ?? i.createdBySource ?? i.createdBy } : {}),
    ...(i.generateAlert !== undefined ? { generateAlert: i.generateAlert } : {}),
    rbacGroupNames: i.rbacGroupNames,
  };
}

/** "Blocked by indicator 'Known C2', expires 2027-01-10": one line about an address's indicator. */
export function indicatorLine(b: Pick<IndicatorBrief, 'action' | 'title' | 'expirationTime' | 'rbacGroupNames'>): string {
  const expires = b.expirationTime ? `expires ${formatExpiry(b.expirationTime).slice(0, 10)}` : 'no expiry';
  const groups = b.rbacGroupNames.length > 0 ? `, for ${b.rbacGroupNames.length} device group${b.rbacGroupNames.length > 1 ? 's' : ''}` : '';
  return `${actionParticiple(b.action)} by indicator '${b.title}', ${expires}${groups}`;
}

/**
 * The key an indicator value is matched by: the normalised address (the API may spell IPv6 differently than we do),
 * or the value in lower case when it is not an address.
 */
export function indicatorKey(value: string): string {
  const v = addressFacts(value);
  return v.ok ? v.facts.ip : value.trim().toLowerCase();
}

/** IP indicators of a list, by normalised address (several indicators for one value keep the most recently updated). */
export function ipIndicatorsByAddress(indicators: readonly Indicator[]): Map<string, Indicator> {
  const out = new Map<string, Indicator>();
  for (const i of indicators) {
    if (i.indicatorType !== 'IpAddress') continue;
    const key = indicatorKey(i.indicatorValue);
    const seen = out.get(key);
    if (!seen || (i.lastUpdateTime ?? '') > (seen.lastUpdateTime ?? '')) out.set(key, i);
  }
  return out;
}

/** Room left under the 15,000 active indicators, when the list covers the whole tenant; undefined otherwise. */
export function remainingRoom(list: { indicators: readonly Indicator[]; complete: boolean }, seesAll: boolean): number | undefined {
  if (!list.complete || !seesAll) return undefined;
  return Math.max(0, INDICATOR_LIMITS.activePerTenant - list.indicators.length);
}
