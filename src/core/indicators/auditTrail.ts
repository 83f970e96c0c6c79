// The audit trail of indicator writes: entries built from what a write did (what, when, which identity, the request
// ids), the versioned and bounded history a workspace keeps, one log line per entry, and the Markdown the reports
// include. Pure (no vscode), so the investigation report and the case export render the same thing.
import { AUDIT_MAX_ADDRESSES, AUDIT_MAX_ENTRIES, type AddressResult, type AuditEntry, type AuditKind, type BatchResult, type WriteOutcome } from '../../shared/indicatorModel';
import { escapeMarkdownInline, markdownTable } from '../../shared/markdown';
import { formatExpiry } from './indicatorRules';

/** Who wrote, to which tenant, from where. */
export interface AuditContext {
  identity: string;
  tenant?: string;
  demo: boolean;
  now: () => number;
}

export interface AuditFacts {
  kind: AuditKind;
  addresses: readonly string[];
  action?: string;
  title?: string;
  /** ISO expiry sent; null: never; undefined: not part of this write (a removal). */
  expires?: string | null;
  indicatorIds?: readonly string[];
  outcomes: Partial<Record<WriteOutcome, number>>;
  requestIds?: readonly string[];
  clientRequestIds?: readonly string[];
  note?: string;
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const unique = (xs: readonly string[] | undefined, max: number): string[] => [...new Set((xs ?? []).filter((x) => typeof x === 'string' && x !== ''))].slice(0, max);

export function auditEntry(ctx: AuditContext, f: AuditFacts): AuditEntry {
  return {
    at: new Date(ctx.now()).toISOString(),
    kind: f.kind,
    identity: clip(ctx.identity || 'unknown', 200),
    ...(ctx.tenant ? { tenant: clip(ctx.tenant, 100) } : {}),
    demo: ctx.demo,
    addresses: f.addresses.slice(0, AUDIT_MAX_ADDRESSES),
    addressCount: f.addresses.length,
    ...(f.action ? { action: f.action } : {}),
    ...(f.title !== undefined ? { title: clip(f.title, 250) } : {}),
    ...(f.expires !== undefined ? { expires: f.expires } : {}),
    indicatorIds: unique(f.indicatorIds, AUDIT_MAX_ADDRESSES),
    outcomes: { ...f.outcomes },
    requestIds: unique(f.requestIds, 20),
    clientRequestIds: unique(f.clientRequestIds, 20),
    ...(f.note ? { note: clip(f.note, 300) } : {}),
  };
}

// ---- the stored history: { version: 1, entries: newest first } ----

export const AUDIT_HISTORY_VERSION = 1;

export interface AuditHistory {
  version: typeof AUDIT_HISTORY_VERSION;
  entries: AuditEntry[];
}

const KINDS: readonly AuditKind[] = ['create', 'update', 'expire', 'remove', 'import'];
const OUTCOMES: readonly WriteOutcome[] = ['created', 'updated', 'removed', 'not-found', 'failed', 'unknown', 'not-sent', 'refused'];
const isStr = (x: unknown): x is string => typeof x === 'string';
const strs = (x: unknown): string[] => (Array.isArray(x) ? x.filter(isStr) : []);

/** One stored entry, re-validated field by field (workspace state is data like any other); undefined when unusable. */
function readEntry(x: unknown): AuditEntry | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (!isStr(o.at) || Number.isNaN(Date.parse(o.at)) || !KINDS.includes(o.kind as AuditKind) || !isStr(o.identity)) return undefined;
  const outcomes: Partial<Record<WriteOutcome, number>> = {};
  if (typeof o.outcomes === 'object' && o.outcomes !== null) {
    for (const k of OUTCOMES) {
      const n = (o.outcomes as Record<string, unknown>)[k];
      if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) outcomes[k] = n;
    }
  }
  const addresses = strs(o.addresses).slice(0, AUDIT_MAX_ADDRESSES);
  return {
    at: o.at,
    kind: o.kind as AuditKind,
    identity: clip(o.identity, 200),
    ...(isStr(o.tenant) ? { tenant: clip(o.tenant, 100) } : {}),
    demo: o.demo === true,
    addresses,
    addressCount: typeof o.addressCount === 'number' && Number.isSafeInteger(o.addressCount) && o.addressCount >= addresses.length ? o.addressCount : addresses.length,
    ...(isStr(o.action) ? { action: clip(o.action, 40) } : {}),
    ...(isStr(o.title) ? { title: clip(o.title, 250) } : {}),
    ...(o.expires === null || isStr(o.expires) ? { expires: o.expires } : {}),
    indicatorIds: strs(o.indicatorIds).slice(0, AUDIT_MAX_ADDRESSES),
    outcomes,
    requestIds: strs(o.requestIds).slice(0, 20),
    clientRequestIds: strs(o.clientRequestIds).slice(0, 20),
    ...(isStr(o.note) ? { note: clip(o.note, 300) } : {}),
  };
}

/** The history from workspace state: anything of another version or shape is dropped, entry by entry. */
export function readAuditHistory(raw: unknown, max = AUDIT_MAX_ENTRIES): AuditEntry[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const o = raw as Record<string, unknown>;
  if (o.version !== AUDIT_HISTORY_VERSION || !Array.isArray(o.entries)) return [];
  return o.entries
    .map(readEntry)
    .filter((e): e is AuditEntry => e !== undefined)
    .slice(0, max);
}

/** The history with `entry` first, bounded to `max` entries. */
export function appendAudit(entries: readonly AuditEntry[], entry: AuditEntry, max = AUDIT_MAX_ENTRIES): AuditHistory {
  return { version: AUDIT_HISTORY_VERSION, entries: [entry, ...entries].slice(0, Math.max(1, max)) };
}

// ---- text ----

const KIND_WORDS: Record<AuditKind, string> = { create: 'Created', update: 'Updated', expire: 'New expiry', remove: 'Removed', import: 'Bulk import' };

export function outcomeText(outcomes: Partial<Record<WriteOutcome, number>>): string {
  return OUTCOMES.filter((k) => (outcomes[k] ?? 0) > 0)
    .map((k) => `${outcomes[k]} ${k}`)
    .join(', ');
}

function targetText(e: AuditEntry): string {
  const shown = e.addresses.join(', ');
  return e.addressCount > e.addresses.length ? `${shown} and ${e.addressCount - e.addresses.length} more` : shown;
}

/** One log line: `Indicator write: Created Block 198.51.100.23 … by demo-analyst; request id …`. */
export function auditLogLine(e: AuditEntry): string {
  const parts = [
    `Indicator write: ${KIND_WORDS[e.kind]}${e.action ? ` ${e.action}` : ''} ${targetText(e)}`,
    e.expires !== undefined ? `expires ${e.expires === null ? 'never' : e.expires}` : '',
    `by ${e.identity}${e.tenant ? ` (tenant ${e.tenant})` : ''}${e.demo ? ' [demo tenant]' : ''}`,
    `result: ${outcomeText(e.outcomes) || 'none'}`,
    e.indicatorIds.length > 0 ? `indicator ids ${e.indicatorIds.join(', ')}` : '',
    e.requestIds.length > 0 ? `request ids ${e.requestIds.join(', ')}` : '',
    e.clientRequestIds.length > 0 ? `client request ids ${e.clientRequestIds.join(', ')}` : '',
    e.note ? `note: ${e.note}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

export interface AuditMarkdownOptions {
  /** Heading line; default `## Indicator writes`. Empty: none. */
  heading?: string;
  /** Only the entries naming this address. */
  address?: string;
  /** At most this many rows (newest first). Default 100. */
  limit?: number;
}

/** The audit entries as a Markdown section (every value escaped): a table, newest first. */
export function renderAuditMarkdown(entries: readonly AuditEntry[], options: AuditMarkdownOptions = {}): string {
  const heading = options.heading ?? '## Indicator writes';
  const shown = (options.address ? entries.filter((e) => e.addresses.includes(options.address as string)) : entries).slice(0, options.limit ?? 100);
  const out: string[] = heading ? [heading, ''] : [];
  if (shown.length === 0) {
    out.push('No indicator was written from this workspace.', '');
    return out.join('\n');
  }
  out.push(
    markdownTable(
      ['When (UTC)', 'What', 'Addresses', 'Action', 'Title', 'Expires', 'Result', 'By', 'Indicator ids', 'Request ids'],
      shown.map((e) => [
        e.at.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'),
        KIND_WORDS[e.kind] + (e.demo ? ' (demo tenant)' : ''),
        targetText(e),
        e.action,
        e.title,
        e.expires === undefined ? '' : e.expires === null ? 'never' : formatExpiry(e.expires),
        [outcomeText(e.outcomes), e.note].filter(Boolean).join('. '),
        e.tenant ? `${e.identity} (tenant ${e.tenant})` : e.identity,
        e.indicatorIds.join(' '),
        [...e.requestIds, ...e.clientRequestIds.map((c) => `client ${c}`)].join(' '),
      ]),
    ),
    '',
  );
  const total = options.address ? entries.filter((e) => e.addresses.includes(options.address as string)).length : entries.length;
  if (total > shown.length) out.push(escapeMarkdownInline(`${total - shown.length} older entries are not shown.`), '');
  return out.join('\n');
}

/** The results of a bulk run, one row per address (refused ones first), as a Markdown document. */
export function renderResultsMarkdown(title: string, results: readonly AddressResult[], batches: readonly BatchResult[], cancelled: boolean): string {
  const counts: Partial<Record<WriteOutcome, number>> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  const out = [`# ${escapeMarkdownInline(title)}`, '', escapeMarkdownInline(`${outcomeText(counts)}${cancelled ? '. Cancelled: the addresses not sent are listed as not-sent.' : '.'}`), ''];
  out.push(
    markdownTable(
      ['Address', 'Result', 'Indicator id', 'Batch', 'Reason'],
      results.map((r) => [r.ip, r.outcome, r.indicatorId, r.batch, r.reason]),
    ),
    '',
  );
  if (batches.length > 0) {
    out.push('## Batches', '', markdownTable(['Batch', 'Addresses', 'Result', 'Request id', 'Client request id', 'Error'], batches.map((b) => [b.index, b.size, b.outcome, b.requestId, b.clientRequestId, b.error])), '');
  }
  return out.join('\n');
}
