// Typed data returned by the Defender client. Parsed tolerantly from the API (unknown fields dropped,
// optional fields undefined); every string in here is untrusted text from the API.

/** Wrapper that travels with every API result so surfaces can say how fresh the data is. */
export interface Fetched<T> {
  data: T;
  /** ISO 8601 UTC instant the data was fetched from the API (not when it was read from cache). */
  cachedAt: string;
  /** True when this result came from the cache. */
  fromCache: boolean;
}

export interface IpStats {
  ipAddress: string;
  /** Distinct machines that connected to the address in the look-back period; 0 when unseen. */
  organizationPrevalence: number;
  orgFirstSeen?: string;
  orgLastSeen?: string;
}

export type AlertSeverity = 'UnSpecified' | 'Informational' | 'Low' | 'Medium' | 'High';

export interface AlertEvidence {
  entityType?: string;
  ipAddress?: string;
  fileName?: string;
  filePath?: string;
  sha1?: string;
  processCommandLine?: string;
  url?: string;
  accountName?: string;
}

export interface Alert {
  id: string;
  title: string;
  description?: string;
  /** One of AlertSeverity for known values; other strings are kept as sent. */
  severity: string;
  status: string;
  category?: string;
  detectionSource?: string;
  classification?: string;
  determination?: string;
  incidentId?: number;
  machineId?: string;
  computerDnsName?: string;
  alertCreationTime?: string;
  firstEventTime?: string;
  lastEventTime?: string;
  lastUpdateTime?: string;
  resolvedTime?: string;
  assignedTo?: string;
  mitreTechniques: string[];
  evidence: AlertEvidence[];
}

export interface MachineIpAddress {
  ipAddress: string;
  macAddress?: string;
  type?: string;
  operationalStatus?: string;
}

export interface Machine {
  id: string;
  computerDnsName?: string;
  firstSeen?: string;
  lastSeen?: string;
  osPlatform?: string;
  version?: string;
  osBuild?: number;
  lastIpAddress?: string;
  lastExternalIpAddress?: string;
  healthStatus?: string;
  onboardingStatus?: string;
  riskScore?: string;
  exposureLevel?: string;
  deviceValue?: string;
  rbacGroupName?: string;
  aadDeviceId?: string;
  machineTags: string[];
  ipAddresses: MachineIpAddress[];
}

export interface HuntingColumn {
  name: string;
  type: string;
}

/** One row of a hunting result: column name to value (strings, numbers, booleans, null, or JSON). */
export type HuntingRow = Record<string, unknown>;

export interface HuntingResult {
  schema: HuntingColumn[];
  results: HuntingRow[];
  /** Which endpoint answered: Microsoft Graph runHuntingQuery or the legacy MDE advancedqueries/run. */
  source: 'graph' | 'defender';
}

export type HuntingPreference = 'auto' | 'graph' | 'defender';

/** Options every client call accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's default timeout for this call, in milliseconds. */
  timeoutMs?: number;
  /** Skip the cache (but still share an identical in-flight request). */
  noCache?: boolean;
}

/**
 * The operations the rest of the product uses. `DefenderClient` implements it over HTTP; tests and the
 * investigation service depend only on this interface.
 */
export interface DefenderApi {
  /** `GET /api/machines/findbyip(ip='…',timestamp=…)`: machines that held the internal address within ±15 min. */
  findMachinesByIp(ip: string, timestamp: Date, options?: CallOptions): Promise<Fetched<Machine[]>>;
  /** `GET /api/ips/{ip}/stats?lookBackHours=` (1..720). */
  getIpStats(ip: string, lookBackHours: number, options?: CallOptions): Promise<Fetched<IpStats>>;
  /** `GET /api/ips/{ip}/alerts`. */
  getIpAlerts(ip: string, options?: CallOptions): Promise<Fetched<Alert[]>>;
  /** `GET /api/machines/{id}`; undefined when not found. */
  getMachine(id: string, options?: CallOptions): Promise<Fetched<Machine | undefined>>;
  /** `GET /api/machines?$filter=lastIpAddress eq '…'` (all pages). */
  findMachinesByLastIp(ip: string, options?: CallOptions): Promise<Fetched<Machine[]>>;
  /** `GET /api/machines/{id}/alerts`. */
  getMachineAlerts(id: string, options?: CallOptions): Promise<Fetched<Alert[]>>;
  /** Graph `runHuntingQuery` first, legacy `advancedqueries/run` as fallback (per the client's preference). */
  runHuntingQuery(query: string, options?: CallOptions & { timespan?: string }): Promise<Fetched<HuntingResult>>;
}

/**
 * A user Defender saw logged on to a machine (`GET /api/machines/{id}/logonusers`, the user entity). Every string is
 * untrusted text from the API.
 */
export interface LogonUser {
  /** `domain\account` as sent. */
  id: string;
  accountName: string;
  accountDomain?: string;
  accountSid?: string;
  firstSeen?: string;
  lastSeen?: string;
  /** The logon types, split from the API's string (e.g. `Interactive`, `Network`, `RemoteInteractive`). */
  logonTypes: string[];
  isDomainAdmin?: boolean;
  isOnlyNetworkUser?: boolean;
  /** Machines this account logged on to. */
  logOnMachinesCount?: number;
  mostPrevalentMachineId?: string;
  leastPrevalentMachineId?: string;
}

/** How a machine name is matched against `computerDnsName`. */
export type MachineNameMatch = 'exact' | 'prefix';

/**
 * The machine view's operations. `DefenderClient` implements them next to DefenderApi; kept as their own interface so
 * the product's other fakes of DefenderApi need not grow.
 */
export interface MachineApi extends Pick<DefenderApi, 'getMachine' | 'getMachineAlerts' | 'findMachinesByIp' | 'runHuntingQuery'> {
  /**
   * `GET /api/machines?$filter=computerDnsName eq '…'` (exact) or `startswith(computerDnsName,'…')` (prefix), at most
   * `limit` machines (one page). The name is validated and lower-cased first.
   */
  findMachinesByName(name: string, options?: CallOptions & { match?: MachineNameMatch; limit?: number }): Promise<Fetched<Machine[]>>;
  /** `GET /api/machines/{id}/logonusers`; empty when the machine is not found. */
  getMachineLogonUsers(id: string, options?: CallOptions): Promise<Fetched<LogonUser[]>>;
}

// ---- Indicators (`/api/indicators`): the product's first writes to a tenant ----

/** The action values the API takes and returns (Alert and AlertAndBlock are legacy values older indicators still carry). */
export type IndicatorAction = 'Alert' | 'Warn' | 'Block' | 'Audit' | 'BlockAndRemediate' | 'AlertAndBlock' | 'Allowed';
export const INDICATOR_ACTIONS: readonly IndicatorAction[] = ['Alert', 'Warn', 'Block', 'Audit', 'BlockAndRemediate', 'AlertAndBlock', 'Allowed'];
export type IndicatorSeverity = 'Informational' | 'Low' | 'Medium' | 'High';
export const INDICATOR_SEVERITIES: readonly IndicatorSeverity[] = ['Informational', 'Low', 'Medium', 'High'];

/** One indicator as the API lists it. Strings are untrusted text; values outside the enums are kept as sent. */
export interface Indicator {
  id: string;
  indicatorValue: string;
  /** `IpAddress`, `DomainName`, `Url`, `FileSha1`... */
  indicatorType: string;
  action: string;
  title: string;
  description?: string;
  severity?: string;
  application?: string;
  /** ISO instant; absent when the indicator never expires. */
  expirationTime?: string;
  creationTimeDateTimeUtc?: string;
  lastUpdateTime?: string;
  createdBy?: string;
  createdByDisplayName?: string;
  createdBySource?: string;
  lastUpdatedBy?: string;
  /** `User` (portal) or `AadApp` (API). */
  sourceType?: string;
  source?: string;
  recommendedActions?: string;
  generateAlert?: boolean;
  /** Device groups the indicator applies to; empty means all devices. */
  rbacGroupNames: string[];
  rbacGroupIds: string[];
}

/** What `POST /api/indicators` (and each item of `/import`) is sent: built only from validated values (core/indicators). */
export interface IndicatorSubmission {
  indicatorValue: string;
  indicatorType: 'IpAddress';
  action: IndicatorAction;
  title: string;
  description: string;
  /** ISO instant in the future; absent: never expires. */
  expirationTime?: string;
  severity?: IndicatorSeverity;
  recommendedActions?: string;
  /** Device group names; absent or empty: all devices. */
  rbacGroupNames?: string[];
  generateAlert: boolean;
  /** Only used when the indicator is new (the API ignores it on an update). */
  application?: string;
}

export interface IndicatorQuery {
  /** Only IP address indicators (`indicatorType eq 'IpAddress'`). */
  ipOnly?: boolean;
  /** Only this value (normalised address). */
  value?: string;
}

export interface IndicatorList {
  indicators: Indicator[];
  /** False when paging stopped early: the list (and any count derived from it) is incomplete. */
  complete: boolean;
}

/** One item of `POST /api/indicators/import`'s answer. */
export interface IndicatorImportResult {
  id?: string;
  /** The value as the API names it. */
  indicator: string;
  isFailed: boolean;
  failureReason?: string;
}

/** Options of a write: no cache, no shared in-flight request, its own timeout and signal. */
export interface WriteOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The answer of a write, with the ids that trace it (for the audit trail). */
export interface WriteResult<T> {
  data: T;
  status: number;
  /** The service's request id (response header), when it sent one. */
  requestId?: string;
  /** The id this client sent as `client-request-id` (known even when no answer arrived). */
  clientRequestId: string;
}

/** The indicators routes. `DefenderClient` implements it next to DefenderApi; tests and core/indicators depend on this. */
export interface IndicatorApi {
  /** `GET /api/indicators?$filter=…` (all pages). Needs Ti.ReadWrite(.All): there is no read-only permission. */
  listIndicators(query: IndicatorQuery, options?: CallOptions): Promise<Fetched<IndicatorList>>;
  /** `POST /api/indicators`: creates, or updates the indicator of the same value. */
  submitIndicator(submission: IndicatorSubmission, options?: WriteOptions): Promise<WriteResult<Indicator>>;
  /** `POST /api/indicators/import`: at most 500 per call; a result per item. */
  importIndicators(submissions: readonly IndicatorSubmission[], options?: WriteOptions): Promise<WriteResult<IndicatorImportResult[]>>;
  /** `DELETE /api/indicators/{id}`; `found: false` when there was no such indicator (404). */
  deleteIndicator(id: string, options?: WriteOptions): Promise<WriteResult<{ found: boolean }>>;
}
