// Tolerant parsers for Defender and Graph responses: unknown fields are dropped, wrong types become
// undefined, field names are matched case-insensitively, and both historic spellings are accepted
// (`organizationPrevalence` number / `orgPrevalence` string; Graph `schema/results` / legacy `Schema/Results`).
import type {
  Alert,
  AlertEvidence,
  HuntingColumn,
  HuntingResult,
  HuntingRow,
  Indicator,
  IndicatorImportResult,
  IpStats,
  LogonUser,
  Machine,
  MachineIpAddress,
} from '../../shared/defenderModel';

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property by exact name, else the first own property whose name matches case-insensitively. */
export function field(obj: Json, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

function str(obj: Json, name: string): string | undefined {
  const v = field(obj, name);
  return typeof v === 'string' ? v : undefined;
}

/** Strings that are not empty; ids and names use this so "" does not pass as a value. */
function nonEmpty(obj: Json, name: string): string | undefined {
  const v = str(obj, name);
  return v !== undefined && v.length > 0 ? v : undefined;
}

function num(obj: Json, name: string): number | undefined {
  return toNumber(field(obj, name));
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return v.length > 0 ? [v] : [];
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === 'string');
}

/** The `value` array of an OData collection (a bare array is accepted too); anything else is empty. */
export function collection(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isObject(body)) return [];
  const value = field(body, 'value');
  return Array.isArray(value) ? value : [];
}

/** `@odata.nextLink` of a collection, if it is a string. */
export function nextLink(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const v = field(body, '@odata.nextLink');
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function parseIpStats(body: unknown, requestedIp: string): IpStats {
  if (!isObject(body)) return { ipAddress: requestedIp, organizationPrevalence: 0 };
  // The current field is a number; the older one a numeric string. Either may be missing.
  const prevalence = num(body, 'organizationPrevalence') ?? num(body, 'orgPrevalence') ?? 0;
  const stats: IpStats = {
    ipAddress: nonEmpty(body, 'ipAddress') ?? requestedIp,
    organizationPrevalence: prevalence >= 0 ? Math.floor(prevalence) : 0,
  };
  const first = nonEmpty(body, 'orgFirstSeen');
  const last = nonEmpty(body, 'orgLastSeen');
  if (first !== undefined) stats.orgFirstSeen = first;
  if (last !== undefined) stats.orgLastSeen = last;
  return stats;
}

function parseEvidence(v: unknown): AlertEvidence | undefined {
  if (!isObject(v)) return undefined;
  const e: AlertEvidence = {};
  for (const k of ['entityType', 'ipAddress', 'fileName', 'filePath', 'sha1', 'processCommandLine', 'url', 'accountName'] as const) {
    const s = nonEmpty(v, k);
    if (s !== undefined) e[k] = s;
  }
  return e;
}

const ALERT_STRINGS = [
  'description',
  'category',
  'detectionSource',
  'classification',
  'determination',
  'machineId',
  'computerDnsName',
  'alertCreationTime',
  'firstEventTime',
  'lastEventTime',
  'lastUpdateTime',
  'resolvedTime',
  'assignedTo',
] as const;

export function parseAlert(v: unknown): Alert | undefined {
  if (!isObject(v)) return undefined;
  const id = nonEmpty(v, 'id');
  if (id === undefined) return undefined;
  const evidence = field(v, 'evidence');
  const alert: Alert = {
    id,
    title: str(v, 'title') ?? '',
    severity: nonEmpty(v, 'severity') ?? 'UnSpecified',
    status: nonEmpty(v, 'status') ?? 'Unknown',
    mitreTechniques: strings(field(v, 'mitreTechniques')),
    evidence: Array.isArray(evidence) ? evidence.map(parseEvidence).filter((e): e is AlertEvidence => e !== undefined) : [],
  };
  for (const k of ALERT_STRINGS) {
    const s = nonEmpty(v, k);
    if (s !== undefined) alert[k] = s;
  }
  const incidentId = num(v, 'incidentId');
  if (incidentId !== undefined) alert.incidentId = incidentId;
  return alert;
}

export function parseAlerts(body: unknown): Alert[] {
  return collection(body)
    .map(parseAlert)
    .filter((a): a is Alert => a !== undefined);
}

function parseMachineIp(v: unknown): MachineIpAddress | undefined {
  if (!isObject(v)) return undefined;
  const ipAddress = nonEmpty(v, 'ipAddress');
  if (ipAddress === undefined) return undefined;
  const out: MachineIpAddress = { ipAddress };
  for (const k of ['macAddress', 'type', 'operationalStatus'] as const) {
    const s = nonEmpty(v, k);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

const MACHINE_STRINGS = [
  'computerDnsName',
  'firstSeen',
  'lastSeen',
  'osPlatform',
  'version',
  'lastIpAddress',
  'lastExternalIpAddress',
  'healthStatus',
  'onboardingStatus',
  'riskScore',
  'exposureLevel',
  'deviceValue',
  'rbacGroupName',
  'aadDeviceId',
] as const;

export function parseMachine(v: unknown): Machine | undefined {
  if (!isObject(v)) return undefined;
  const id = nonEmpty(v, 'id');
  if (id === undefined) return undefined;
  const ips = field(v, 'ipAddresses');
  const machine: Machine = {
    id,
    machineTags: strings(field(v, 'machineTags')),
    ipAddresses: Array.isArray(ips) ? ips.map(parseMachineIp).filter((x): x is MachineIpAddress => x !== undefined) : [],
  };
  for (const k of MACHINE_STRINGS) {
    const s = nonEmpty(v, k);
    if (s !== undefined) machine[k] = s;
  }
  const osBuild = num(v, 'osBuild');
  if (osBuild !== undefined) machine.osBuild = osBuild;
  return machine;
}

export function parseMachines(body: unknown): Machine[] {
  return collection(body)
    .map(parseMachine)
    .filter((m): m is Machine => m !== undefined);
}

const NUMERIC_TYPES = new Set(['int', 'int16', 'int32', 'int64', 'long', 'uint16', 'uint32', 'uint64', 'byte', 'sbyte', 'double', 'single', 'decimal', 'real']);

/** Types a cell by its column type: numbers for numeric columns, booleans for Boolean; DateTime stays an ISO string. */
function typedCell(value: unknown, type: string | undefined): unknown {
  if (value === undefined) return null;
  const t = type?.toLowerCase();
  if (t !== undefined && NUMERIC_TYPES.has(t)) return toNumber(value) ?? value;
  if ((t === 'boolean' || t === 'bool') && typeof value === 'string') {
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
  }
  return value;
}

function parseColumn(v: unknown): HuntingColumn | undefined {
  if (!isObject(v)) return undefined;
  const name = nonEmpty(v, 'name');
  if (name === undefined) return undefined;
  return { name, type: nonEmpty(v, 'type') ?? 'String' };
}

/**
 * Both hunting shapes: Graph `{ schema: [{name,type}], results: [...] }` and legacy
 * `{ Schema: [{Name,Type}], Results: [...] }`. Rows keep only own properties and get typed cells.
 */
export function parseHuntingResult(body: unknown, source: HuntingResult['source']): HuntingResult | undefined {
  if (!isObject(body)) return undefined;
  const rawSchema = field(body, 'schema');
  const rawResults = field(body, 'results');
  if (!Array.isArray(rawResults) && !Array.isArray(rawSchema)) return undefined;
  const schema = Array.isArray(rawSchema) ? rawSchema.map(parseColumn).filter((c): c is HuntingColumn => c !== undefined) : [];
  const results: HuntingRow[] = [];
  for (const row of Array.isArray(rawResults) ? rawResults : []) {
    if (!isObject(row)) continue;
    // Object.fromEntries defines own data properties, so a column named "__proto__" stays a plain key.
    const entries: [string, unknown][] = schema.length > 0 ? schema.map((c) => [c.name, typedCell(field(row, c.name), c.type)]) : Object.entries(row);
    results.push(Object.fromEntries(entries));
  }
  return { schema, results, source };
}

/** A boolean, or the text "true"/"false" (a community fixture sends strings; `generateAlert` is documented as an enum of True/False); anything else is undefined. */
function flag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return undefined;
}

/** `logonTypes` is a string in the docs' example ("Interactive"); a list, or several joined by commas, is read too. */
function logonTypes(v: unknown): string[] {
  const parts = Array.isArray(v) ? strings(v) : typeof v === 'string' ? v.split(/[,;|]/) : [];
  return [...new Set(parts.map((p) => p.trim()).filter((p) => p.length > 0))];
}

const LOGON_STRINGS = ['accountDomain', 'accountSid', 'firstSeen', 'lastSeen', 'mostPrevalentMachineId', 'leastPrevalentMachineId'] as const;

export function parseLogonUser(v: unknown): LogonUser | undefined {
  if (!isObject(v)) return undefined;
  const accountName = nonEmpty(v, 'accountName');
  const id = nonEmpty(v, 'id') ?? accountName;
  if (id === undefined) return undefined;
  const user: LogonUser = { id, accountName: accountName ?? id, logonTypes: logonTypes(field(v, 'logonTypes')) };
  for (const k of LOGON_STRINGS) {
    const s = nonEmpty(v, k);
    if (s !== undefined) user[k] = s;
  }
  const admin = flag(field(v, 'isDomainAdmin'));
  if (admin !== undefined) user.isDomainAdmin = admin;
  const network = flag(field(v, 'isOnlyNetworkUser'));
  if (network !== undefined) user.isOnlyNetworkUser = network;
  const machines = num(v, 'logOnMachinesCount');
  if (machines !== undefined && machines >= 0) user.logOnMachinesCount = Math.floor(machines);
  return user;
}

export function parseLogonUsers(body: unknown): LogonUser[] {
  return collection(body)
    .map(parseLogonUser)
    .filter((u): u is LogonUser => u !== undefined);
}

const INDICATOR_STRINGS = [
  'description',
  'severity',
  'application',
  'expirationTime',
  'creationTimeDateTimeUtc',
  'lastUpdateTime',
  'createdBy',
  'createdByDisplayName',
  'createdBySource',
  'lastUpdatedBy',
  'sourceType',
  'source',
  'recommendedActions',
] as const;

/** Ids are strings in the docs ("5120") and numbers in some responses: both become the string. */
function idText(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

export function parseIndicator(v: unknown): Indicator | undefined {
  if (!isObject(v)) return undefined;
  const id = idText(field(v, 'id'));
  const value = nonEmpty(v, 'indicatorValue');
  if (id === undefined || value === undefined) return undefined;
  const indicator: Indicator = {
    id,
    indicatorValue: value,
    indicatorType: nonEmpty(v, 'indicatorType') ?? 'Unknown',
    action: nonEmpty(v, 'action') ?? 'Unknown',
    title: str(v, 'title') ?? '',
    rbacGroupNames: strings(field(v, 'rbacGroupNames')),
    rbacGroupIds: (Array.isArray(field(v, 'rbacGroupIds')) ? (field(v, 'rbacGroupIds') as unknown[]) : []).map(idText).filter((x): x is string => x !== undefined),
  };
  for (const k of INDICATOR_STRINGS) {
    const s = nonEmpty(v, k);
    if (s !== undefined) indicator[k] = s;
  }
  const generateAlert = flag(field(v, 'generateAlert'));
  if (generateAlert !== undefined) indicator.generateAlert = generateAlert;
  return indicator;
}

export function parseIndicators(body: unknown): Indicator[] {
  return collection(body)
    .map(parseIndicator)
    .filter((i): i is Indicator => i !== undefined);
}

/** The per-item answer of the import route; items without a value are dropped. */
export function parseImportResults(body: unknown): IndicatorImportResult[] {
  const out: IndicatorImportResult[] = [];
  for (const v of collection(body)) {
    if (!isObject(v)) continue;
    const indicator = nonEmpty(v, 'indicator') ?? nonEmpty(v, 'indicatorValue');
    if (indicator === undefined) continue;
    const id = idText(field(v, 'id'));
    const reason = nonEmpty(v, 'failureReason');
    out.push({ indicator, isFailed: flag(field(v, 'isFailed')) === true, ...(id ? { id } : {}), ...(reason ? { failureReason: reason } : {}) });
  }
  return out;
}
