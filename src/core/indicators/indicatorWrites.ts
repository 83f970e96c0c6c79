// The writes themselves, on top of the client: one indicator (create or update, with the outcome reconciled from the
// list when no clear answer arrived), a removal, a new expiry, and a bulk run through the import route in batches of
// at most 500 with a result per address: a failed batch is reported and the next one goes on, and cancelling stops
// before the next batch (never in the middle of one), saying what was sent and what was not. Pure (no vscode).
import type { Indicator, IndicatorApi, IndicatorSubmission, WriteResult } from '../../shared/defenderModel';
import { INDICATOR_LIMITS, type AddressResult, type BatchResult, type BulkReport, type WriteOutcome } from '../../shared/indicatorModel';
import { AuthError, CancelledError, DefenderError, NetworkError, PermissionError, ServerError, TimeoutError, isCancellation } from '../defender/errors';
import { describeError } from '../investigation/describeError';
import { expirySubmission, indicatorKey, ipIndicatorsByAddress, matchesSubmission, type Expiry } from './indicatorRules';

/** What one write did, with the ids that trace it. */
export interface SingleWrite {
  ip: string;
  outcome: WriteOutcome;
  indicator?: Indicator;
  indicatorId?: string;
  reason?: string;
  requestIds: string[];
  clientRequestIds: string[];
}

/**
 * A failure after which the write may or may not have been applied: no answer, a broken connection, a 5xx, or the
 * client's own timeout. A 4xx (refused), a cancellation before sending and an auth failure are definite.
 */
export function outcomeUnknown(e: unknown): boolean {
  return e instanceof ServerError || e instanceof NetworkError || e instanceof TimeoutError;
}

function ids(e: unknown): { requestIds: string[] } {
  return { requestIds: e instanceof DefenderError && e.requestId ? [e.requestId] : [] };
}

function reasonOf(e: unknown): string {
  const d = describeError(e);
  return [d.message, d.remedy].filter(Boolean).join(' ');
}

/**
 * Creates or updates one indicator. `existed` says whether the address had one before (the caller listed it), so the
 * outcome can say created or updated. After an unclear answer the list decides: applied, or sent once more.
 */
export async function submitOne(api: IndicatorApi, s: IndicatorSubmission, options: { existed: boolean; signal?: AbortSignal }): Promise<SingleWrite> {
  const ip = s.indicatorValue;
  const done = (r: WriteResult<Indicator>, extra: Partial<SingleWrite> = {}): SingleWrite => ({
    ip,
    outcome: options.existed ? 'updated' : 'created',
    indicator: r.data,
    indicatorId: r.data.id,
    requestIds: r.requestId ? [r.requestId] : [],
    clientRequestIds: [r.clientRequestId],
    ...extra,
  });
  let first: WriteResult<Indicator>;
  try {
    first = await api.submitIndicator(s, { signal: options.signal });
    return done(first);
  } catch (e) {
    if (!outcomeUnknown(e)) throw e;
    const lost = e;
    // Was it applied? The list says; only when it was not is the same body sent again (once).
    let found: Indicator | undefined;
    try {
      const list = await api.listIndicators({ value: ip }, { noCache: true, signal: options.signal });
      found = ipIndicatorsByAddress(list.data.indicators).get(indicatorKey(ip));
    } catch (listError) {
      if (isCancellation(listError)) throw listError;
      return { ip, outcome: 'unknown', reason: `${reasonOf(lost)} Whether it was applied could not be checked: look at the address's indicators before trying again.`, ...ids(lost), clientRequestIds: [] };
    }
    if (found && matchesSubmission(found, s)) {
      return { ip, outcome: options.existed ? 'updated' : 'created', indicator: found, indicatorId: found.id, reason: 'The answer was lost; the indicator list shows it was applied.', ...ids(lost), clientRequestIds: [] };
    }
    const again = await api.submitIndicator(s, { signal: options.signal });
    return done(again, { reason: 'Sent again after an unclear answer (the list showed it was not applied).' });
  }
}

/** Removes an indicator by id. `not-found`: it was already gone (removed elsewhere or expired). */
export async function removeOne(api: IndicatorApi, indicator: Pick<Indicator, 'id' | 'indicatorValue'>, signal?: AbortSignal): Promise<SingleWrite> {
  const r = await api.deleteIndicator(indicator.id, { signal });
  return {
    ip: indicatorKey(indicator.indicatorValue),
    outcome: r.data.found ? 'removed' : 'not-found',
    indicatorId: indicator.id,
    ...(r.data.found ? {} : { reason: 'It was not there any more (removed elsewhere, or expired).' }),
    requestIds: r.requestId ? [r.requestId] : [],
    clientRequestIds: [r.clientRequestId],
  };
}

/** Sets a new expiry on an existing indicator (its other fields are sent again unchanged). */
export function expireOne(api: IndicatorApi, existing: Indicator, expiry: Expiry, signal?: AbortSignal): Promise<SingleWrite> {
  return submitOne(api, expirySubmission(existing, expiry), { existed: true, signal });
}

// ---- bulk ----

export interface BulkItem {
  ip: string;
  submission: IndicatorSubmission;
  /** The address had an indicator before the run: success is an update. */
  existed: boolean;
}

export interface BulkProgress {
  batchesDone: number;
  batchesTotal: number;
  sent: number;
  total: number;
  /** Results so far, by outcome. */
  counts: Partial<Record<WriteOutcome, number>>;
}

export interface BulkOptions {
  /** Stops before the next batch; the batch in flight finishes (a write is never cut off halfway). */
  signal?: AbortSignal;
  /** At most 500 (the import route's limit). */
  batchSize?: number;
  onProgress?: (p: BulkProgress) => void;
  /** Each batch as it finishes (the audit trail writes one entry per batch). */
  onBatch?: (batch: BatchResult, results: AddressResult[]) => void;
}

/** Splits items into import batches of at most `size` (500). */
export function planBatches<T>(items: readonly T[], size: number = INDICATOR_LIMITS.importBatch): T[][] {
  const n = Math.max(1, Math.min(INDICATOR_LIMITS.importBatch, Math.trunc(size)));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/**
 * Runs a bulk import. Every address gets one result; a batch that fails is reported (its addresses failed, with the
 * reason) and the next goes on, except after a refused sign-in or permission, which every later batch would meet too.
 */
export async function runBulk(api: IndicatorApi, items: readonly BulkItem[], options: BulkOptions = {}): Promise<BulkReport> {
  const batches = planBatches(items, options.batchSize);
  const results: AddressResult[] = [];
  const batchResults: BatchResult[] = [];
  const counts: Partial<Record<WriteOutcome, number>> = {};
  let sent = 0;
  let cancelled = false;
  let stop: string | undefined;
  const add = (r: AddressResult): void => {
    results.push(r);
    counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  };
  const progress = (done: number): void => options.onProgress?.({ batchesDone: done, batchesTotal: batches.length, sent, total: items.length, counts: { ...counts } });

  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b];
    const index = b + 1;
    if (options.signal?.aborted || stop !== undefined) {
      if (options.signal?.aborted) cancelled = true;
      const reason = stop ?? 'Not sent: the run was cancelled before this batch.';
      const mine = batch.map((it): AddressResult => ({ ip: it.ip, outcome: 'not-sent', reason, batch: index }));
      mine.forEach(add);
      const br: BatchResult = { index, size: batch.length, outcome: 'not-sent' };
      batchResults.push(br);
      options.onBatch?.(br, mine);
      continue;
    }
    sent += batch.length;
    const mine: AddressResult[] = [];
    let br: BatchResult;
    try {
      // No user signal here: cancelling waits for the batch in flight instead of leaving its outcome unknown.
      const r = await api.importIndicators(batch.map((it) => it.submission));
      br = { index, size: batch.length, outcome: 'sent', clientRequestId: r.clientRequestId, ...(r.requestId ? { requestId: r.requestId } : {}) };
      const byValue = new Map(r.data.map((x) => [indicatorKey(x.indicator), x]));
      for (const it of batch) {
        const x = byValue.get(it.ip);
        if (!x) mine.push({ ip: it.ip, outcome: 'unknown', reason: 'The answer did not mention this address.', batch: index });
        else if (x.isFailed) mine.push({ ip: it.ip, outcome: 'failed', reason: x.failureReason ?? 'Defender did not say why.', batch: index, ...(x.id ? { indicatorId: x.id } : {}) });
        else mine.push({ ip: it.ip, outcome: it.existed ? 'updated' : 'created', batch: index, ...(x.id ? { indicatorId: x.id } : {}) });
      }
    } catch (e) {
      const reason = reasonOf(e);
      br = { index, size: batch.length, outcome: 'failed', error: reason, ...(e instanceof DefenderError && e.requestId ? { requestId: e.requestId } : {}) };
      if (e instanceof AuthError || e instanceof PermissionError) stop = `Not sent: an earlier batch was refused (${reason})`;
      if (outcomeUnknown(e)) mine.push(...(await reconcileBatch(api, batch, index, reason)));
      else for (const it of batch) mine.push({ ip: it.ip, outcome: 'failed', reason, batch: index });
    }
    mine.forEach(add);
    batchResults.push(br);
    options.onBatch?.(br, mine);
    progress(index);
  }
  return { results, batches: batchResults, cancelled, sent, notSent: items.length - sent };
}

/** After an unclear answer to a batch: the list says which addresses were applied; the rest are sent once more. */
async function reconcileBatch(api: IndicatorApi, batch: readonly BulkItem[], index: number, reason: string): Promise<AddressResult[]> {
  let present: Map<string, Indicator>;
  try {
    present = ipIndicatorsByAddress((await api.listIndicators({ ipOnly: true }, { noCache: true })).data.indicators);
  } catch {
    return batch.map((it) => ({ ip: it.ip, outcome: 'unknown' as const, reason: `${reason} Whether it was applied could not be checked.`, batch: index }));
  }
  const out: AddressResult[] = [];
  const missing: BulkItem[] = [];
  for (const it of batch) {
    const found = present.get(it.ip);
    if (found && matchesSubmission(found, it.submission)) out.push({ ip: it.ip, outcome: it.existed ? 'updated' : 'created', indicatorId: found.id, batch: index, reason: 'The answer was lost; the list shows it was applied.' });
    else missing.push(it);
  }
  if (missing.length === 0) return out;
  try {
    const r = await api.importIndicators(missing.map((it) => it.submission));
    const byValue = new Map(r.data.map((x) => [indicatorKey(x.indicator), x]));
    for (const it of missing) {
      const x = byValue.get(it.ip);
      if (x && !x.isFailed) out.push({ ip: it.ip, outcome: it.existed ? 'updated' : 'created', batch: index, reason: 'Sent again after an unclear answer.', ...(x.id ? { indicatorId: x.id } : {}) });
      else out.push({ ip: it.ip, outcome: x ? 'failed' : 'unknown', reason: x?.failureReason ?? 'Sent again after an unclear answer; the answer did not mention it.', batch: index });
    }
  } catch (e) {
    const why = reasonOf(e);
    for (const it of missing) out.push({ ip: it.ip, outcome: outcomeUnknown(e) ? 'unknown' : 'failed', reason: `${reason} Sending again failed too: ${why}`, batch: index });
  }
  return out;
}

/** Throws a CancelledError when the signal fired (between steps of a command). */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Cancelled.');
}
