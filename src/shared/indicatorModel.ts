// The indicator feature's plain data, shared by the host, the webview, the CLI and the reports: the choices a user
// makes, the limits checked before any request, the per-address results of a write and the audit trail's entries.
// No behaviour beyond small lookups; every string that came from the API stays untrusted text.

/** What the user picks. `alert` is sent as Audit with an alert (the API's own Alert action was retired in 2022). */
export type IndicatorChoice = 'block' | 'warn' | 'audit' | 'alert' | 'allowed';
export const INDICATOR_CHOICES: readonly IndicatorChoice[] = ['block', 'warn', 'audit', 'alert', 'allowed'];

/** Limits checked before any request. Defender documents the batch size and the tenant cap; the text lengths are ours (not documented). */
export const INDICATOR_LIMITS = {
  titleMax: 250,
  descriptionMax: 2_000,
  recommendedActionsMax: 2_000,
  groupNameMax: 128,
  groupsMax: 50,
  /** `POST /api/indicators/import`: at most 500 indicators per call. */
  importBatch: 500,
  /** Active indicators per tenant (all types). */
  activePerTenant: 15_000,
  /** Expiry at most this far ahead: further is almost always a typo (use `never`). */
  maxExpiryDays: 3_650,
} as const;

/** The expiry shortcuts the form and the CLI offer; a date or an ISO time is accepted too. */
export const EXPIRY_PRESETS: readonly string[] = ['7d', '30d', '90d', 'never'];

/** An indicator as the surfaces show it next to an address (triage row, hover, tree). */
export interface IndicatorBrief {
  id: string;
  action: string;
  title: string;
  severity?: string;
  expirationTime?: string;
  createdBy?: string;
  generateAlert?: boolean;
  /** Empty: all devices. */
  rbacGroupNames: string[];
}

/** What a write did to one address. `unknown`: no clear answer arrived and the list could not confirm it. */
export type WriteOutcome = 'created' | 'updated' | 'removed' | 'not-found' | 'failed' | 'unknown' | 'not-sent' | 'refused';

export interface AddressResult {
  ip: string;
  outcome: WriteOutcome;
  indicatorId?: string;
  /** Why it failed, was refused, was not sent or is unknown (a service message is untrusted text). */
  reason?: string;
  /** 1-based import batch it went in. */
  batch?: number;
}

export interface BatchResult {
  /** 1-based. */
  index: number;
  size: number;
  outcome: 'sent' | 'failed' | 'not-sent';
  requestId?: string;
  clientRequestId?: string;
  error?: string;
}

/** A bulk run through the import route: one result per address, one per batch, and whether it was cancelled. */
export interface BulkReport {
  results: AddressResult[];
  batches: BatchResult[];
  cancelled: boolean;
  /** Addresses that went out in a request (whatever the answer). */
  sent: number;
  notSent: number;
}

export type AuditKind = 'create' | 'update' | 'expire' | 'remove' | 'import';

/** One write in the audit trail: what, when, by whom, with which request ids. Nothing secret (no token, no body). */
export interface AuditEntry {
  /** ISO instant the write finished. */
  at: string;
  kind: AuditKind;
  /** The signed-in account, application id or `demo-analyst`. */
  identity: string;
  tenant?: string;
  demo: boolean;
  /** The address, or the first addresses of a bulk run. */
  addresses: string[];
  /** Total addresses of a bulk run (`addresses` holds at most a few). */
  addressCount: number;
  /** The API action sent (Block, Audit...); absent for a removal. */
  action?: string;
  title?: string;
  /** ISO expiry sent; null: never expires. */
  expires?: string | null;
  indicatorIds: string[];
  /** Result counts by outcome. */
  outcomes: Partial<Record<WriteOutcome, number>>;
  /** The service's request ids and the client's `client-request-id`s, to quote to support. */
  requestIds: string[];
  clientRequestIds: string[];
  /** One short line (e.g. the failure reason of a single write). */
  note?: string;
}

/** How many audit entries the workspace keeps (newest first). */
export const AUDIT_MAX_ENTRIES = 200;
/** How many addresses of a bulk run an audit entry names. */
export const AUDIT_MAX_ADDRESSES = 20;

/** Whether the current identity may write indicators, and why not. */
export interface WriteCapability {
  enabled: boolean;
  /** Shown next to a disabled action: `needs Ti.ReadWrite; sign in with an app or role that has it`. */
  reason?: string;
}
