// Planning a bulk add before anything is sent: every address checked by the same rules as a single add (refused ones
// are listed with the reason, the rest go on), duplicates merged, new and existing told apart (an existing indicator
// is updated and takes no room), and the whole run refused when it needs more room than the tenant has left.
import type { Indicator } from '../../shared/defenderModel';
import { INDICATOR_LIMITS, type AddressResult } from '../../shared/indicatorModel';
import { checkDraft, checkIndicatorAddress, describeSubmission, indicatorKey, type IndicatorDraft, type RuleContext } from './indicatorRules';
import type { BulkItem } from './indicatorWrites';

/** Everything of a draft but the address: the same for every address of the run. */
export type BulkTemplate = Omit<IndicatorDraft, 'ip'>;

/** An address of the run, with its own description when the caller has one (e.g. what triage found). */
export interface BulkTarget {
  ip: string;
  description?: string;
}

export interface BulkContext extends RuleContext {
  /** IP indicators of the tenant by normalised address (from the list), to tell updates from new ones. */
  existing: ReadonlyMap<string, Indicator>;
  /** Room left under the tenant's cap, when the list told it. */
  room?: number;
}

export type BulkPlan =
  | { ok: true; items: BulkItem[]; refused: AddressResult[]; newCount: number; updateCount: number; summary: string }
  | { ok: false; error: string; refused: AddressResult[] };

export function planBulkAdd(targets: readonly (string | BulkTarget)[], template: BulkTemplate, ctx: BulkContext): BulkPlan {
  const refused: AddressResult[] = [];
  const items: BulkItem[] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    const target = typeof t === 'string' ? { ip: t } : t;
    const address = checkIndicatorAddress(target.ip, ctx);
    if (!address.ok) {
      refused.push({ ip: address.ip ?? target.ip.slice(0, 64), outcome: 'refused', reason: address.reason });
      continue;
    }
    if (seen.has(address.ip)) continue;
    seen.add(address.ip);
    const draft = checkDraft({ ...template, ip: address.ip, description: target.description ?? template.description }, ctx);
    if (!draft.ok) {
      // The shared fields are wrong (title, expiry...): that is true for every address, so the run stops here.
      return { ok: false, error: draft.errors.join(' '), refused };
    }
    items.push({ ip: address.ip, submission: draft.submission, existed: ctx.existing.has(indicatorKey(address.ip)) });
  }
  if (items.length === 0) {
    return { ok: false, error: refused.length > 0 ? `None of the ${refused.length} addresses can get an indicator: ${refused[0].reason}` : 'No address to add.', refused };
  }
  const newCount = items.filter((i) => !i.existed).length;
  if (ctx.room !== undefined && newCount > ctx.room) {
    return {
      ok: false,
      error: `This would add ${newCount.toLocaleString('en-US')} new indicators; the tenant has room for ${ctx.room.toLocaleString('en-US')} more (${INDICATOR_LIMITS.activePerTenant.toLocaleString('en-US')} active at most). Choose fewer addresses or remove old indicators first.`,
      refused,
    };
  }
  return { ok: true, items, refused, newCount, updateCount: items.length - newCount, summary: describeSubmission(items[0].submission, template.choice, items.length) };
}

/**
 * Plans a run where every address has its own draft (a portal CSV): a draft that does not validate is refused alone,
 * with its reasons; the room is checked as for planBulkAdd.
 */
export function planBulkDrafts(drafts: readonly IndicatorDraft[], ctx: BulkContext): BulkPlan {
  const refused: AddressResult[] = [];
  const items: BulkItem[] = [];
  const seen = new Set<string>();
  for (const d of drafts) {
    const c = checkDraft(d, ctx);
    if (!c.ok) {
      refused.push({ ip: d.ip.slice(0, 64), outcome: 'refused', reason: c.errors.join(' ') });
      continue;
    }
    const ip = c.submission.indicatorValue;
    if (seen.has(ip)) {
      refused.push({ ip, outcome: 'refused', reason: 'The address is in the file more than once: the first row is used.' });
      continue;
    }
    seen.add(ip);
    items.push({ ip, submission: c.submission, existed: ctx.existing.has(indicatorKey(ip)) });
  }
  if (items.length === 0) return { ok: false, error: refused.length > 0 ? `No row can become an indicator: ${refused[0].reason}` : 'No address to add.', refused };
  const newCount = items.filter((i) => !i.existed).length;
  if (ctx.room !== undefined && newCount > ctx.room) {
    return {
      ok: false,
      error: `This would add ${newCount.toLocaleString('en-US')} new indicators; the tenant has room for ${ctx.room.toLocaleString('en-US')} more (${INDICATOR_LIMITS.activePerTenant.toLocaleString('en-US')} active at most).`,
      refused,
    };
  }
  const actions = new Map<string, number>();
  for (const i of items) actions.set(i.submission.action, (actions.get(i.submission.action) ?? 0) + 1);
  const summary =
    actions.size === 1
      ? describeSubmission(items[0].submission, undefined, items.length)
      : `Import ${items.length.toLocaleString('en-US')} indicators (${[...actions].map(([a, n]) => `${a} ${n.toLocaleString('en-US')}`).join(', ')})`;
  return { ok: true, items, refused, newCount, updateCount: items.length - newCount, summary };
}
