// The simulated tenant's indicators: what a session was given (the story's seed plus every write), with the API's
// rules: the documented bodies (case-sensitive names), IP indicators for single external addresses only, Audit with an
// alert, an expiry in the future, the 15,000 active indicators per tenant, at most 500 per import; an app with only
// Ti.ReadWrite sees and changes its own indicators. Expired indicators disappear, as Defender deletes them.
import { INDICATOR_ACTIONS, INDICATOR_SEVERITIES } from '../shared/defenderModel';
import { INDICATOR_LIMITS } from '../shared/indicatorModel';
import { ODataFilterError, parseODataFilter, type FilterProperties } from './machineFilter';
import { normaliseIp } from './normaliseIp';
import { toApiTime, type DemoStory } from './story';

export interface SimIndicator {
  id: string;
  indicatorValue: string;
  indicatorType: string;
  action: string;
  title: string;
  description: string;
  severity: string | null;
  application: string | null;
  generateAlert: boolean;
  recommendedActions: string | null;
  expirationTime: number | null;
  creationTime: number;
  lastUpdateTime: number;
  createdBy: string;
  createdByDisplayName: string;
  sourceType: 'User' | 'AadApp';
  lastUpdatedBy: string | null;
  rbacGroupNames: string[];
  rbacGroupIds: string[];
}

/** Who calls: the token's subject, and whether it sees every indicator (Ti.ReadWrite.All, or a user). */
export interface IndicatorCaller {
  subject: string;
  seesAll: boolean;
  kind: 'app' | 'delegated';
}

/** A refusal with the API's error code (the simulator turns it into the real error body). */
export class IndicatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TYPES = ['FileSha1', 'FileSha256', 'FileMd5', 'CertificateThumbprint', 'IpAddress', 'DomainName', 'Url'];
const MAX_PAGE = 10_000;

const PROPERTIES: FilterProperties<SimIndicator> = {
  application: { kind: 'string', read: (i) => i.application },
  createdbydisplayname: { kind: 'string', read: (i) => i.createdByDisplayName },
  expirationtime: { kind: 'datetime', read: (i) => i.expirationTime ?? Number.MAX_SAFE_INTEGER },
  generatealert: { kind: 'boolean', read: (i) => i.generateAlert },
  title: { kind: 'string', read: (i) => i.title },
  rbacgroupnames: { kind: 'tags', read: (i) => i.rbacGroupNames },
  rbacgroupids: { kind: 'tags', read: (i) => i.rbacGroupIds },
  indicatorvalue: { kind: 'string', read: (i) => i.indicatorValue },
  indicatortype: { kind: 'string', read: (i) => i.indicatorType },
  creationtimedatetimeutc: { kind: 'datetime', read: (i) => i.creationTime },
  createdby: { kind: 'string', read: (i) => i.createdBy },
  action: { kind: 'string', read: (i) => i.action },
  severity: { kind: 'string', read: (i) => i.severity },
};

/** Internal (RFC 1918, CGNAT, link-local, unique-local, loopback) and non-host addresses: Defender takes none of them. */
function refusedAddress(ip: string): string | undefined {
  if (ip.includes(':')) {
    const g = ip.toLowerCase();
    if (g === '::' || g === '::1') return 'is not a single external host';
    if (/^f[cd]/.test(g) || /^fe[89ab]/.test(g)) return 'is an internal address';
    if (/^ff/.test(g)) return 'is a multicast address';
    return undefined;
  }
  const [a, b] = ip.split('.').map(Number);
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || a === 127) {
    return 'is an internal address';
  }
  if (a === 0 || a >= 224) return 'is not a single external host';
  return undefined;
}

export class IndicatorStore {
  private readonly byId = new Map<string, SimIndicator>();
  /** `type|value` (value in lower case) to the indicator: one per value, as the API keeps them. */
  private readonly byKey = new Map<string, SimIndicator>();
  private nextId = 6000;
  private readonly groups: Map<string, string>;

  constructor(
    story: DemoStory,
    private readonly now: () => number,
    private readonly cap: number = INDICATOR_LIMITS.activePerTenant,
  ) {
    this.groups = new Map(story.machines.map((m) => [m.rbacGroupName.toLowerCase(), String(m.rbacGroupId)]));
    for (const s of story.indicators) {
      this.add({
        id: s.id,
        indicatorValue: s.indicatorValue,
        indicatorType: s.indicatorType,
        action: s.action,
        title: s.title,
        description: s.description,
        severity: s.severity,
        application: null,
        generateAlert: s.generateAlert,
        recommendedActions: s.recommendedActions,
        expirationTime: s.expirationTime,
        creationTime: s.creationTime,
        lastUpdateTime: s.creationTime,
        createdBy: s.createdBy,
        createdByDisplayName: s.createdBy,
        sourceType: s.sourceType,
        lastUpdatedBy: null,
        rbacGroupNames: [...s.rbacGroupNames],
        rbacGroupIds: s.rbacGroupNames.map((n) => this.groups.get(n.toLowerCase()) ?? '0'),
      });
    }
  }

  private add(i: SimIndicator): void {
    this.byId.set(i.id, i);
    this.byKey.set(keyOf(i.indicatorType, i.indicatorValue), i);
  }

  private drop(i: SimIndicator): void {
    this.byId.delete(i.id);
    this.byKey.delete(keyOf(i.indicatorType, i.indicatorValue));
  }

  /** Deletes expired indicators, as Defender does; called once per request. */
  private sweep(): void {
    const now = this.now();
    for (const i of [...this.byId.values()]) if (i.expirationTime !== null && i.expirationTime <= now) this.drop(i);
  }

  private canSee(caller: IndicatorCaller, i: SimIndicator): boolean {
    return caller.seesAll || i.createdBy === caller.subject;
  }

  /** How many active indicators the tenant has (all callers, all types). */
  get size(): number {
    this.sweep();
    return this.byId.size;
  }

  list(url: URL, caller: IndicatorCaller, baseUrl: string): Record<string, unknown> {
    for (const key of url.searchParams.keys()) {
      if (key.startsWith('$') && !['$filter', '$top', '$skip'].includes(key)) throw new IndicatorError(400, 'ODataError', `The query option '${key.slice(0, 40)}' is not supported on indicators.`);
    }
    const topText = url.searchParams.get('$top');
    const skipText = url.searchParams.get('$skip');
    if (!/^\d+$/.test(topText ?? '0') || !/^\d+$/.test(skipText ?? '0')) throw new IndicatorError(400, 'ODataError', '$top and $skip must be whole numbers.');
    const top = topText === null ? MAX_PAGE : Number(topText);
    const skip = skipText === null ? 0 : Number(skipText);
    if (top > MAX_PAGE) throw new IndicatorError(400, 'ODataError', `The limit of '${MAX_PAGE}' for Top query has been exceeded. The value from the incoming request is '${top}'.`);
    this.sweep();
    let items = [...this.byId.values()].filter((i) => this.canSee(caller, i)).sort((a, b) => Number(a.id) - Number(b.id));
    const filter = url.searchParams.get('$filter');
    if (filter !== null) {
      try {
        items = items.filter(parseODataFilter(filter, PROPERTIES));
      } catch (e) {
        if (e instanceof ODataFilterError) throw new IndicatorError(400, 'ODataError', e.message);
        throw e;
      }
    }
    const page = items.slice(skip, skip + top);
    const body: Record<string, unknown> = { '@odata.context': `${baseUrl}/api/$metadata#Indicators`, value: page.map(indicatorJson) };
    if (top > 0 && page.length === top && skip + top < items.length) {
      const next = new URL(`${baseUrl}${url.pathname}`);
      for (const [k, v] of url.searchParams) if (k !== '$skip') next.searchParams.set(k, v);
      next.searchParams.set('$skip', String(skip + top));
      body['@odata.nextLink'] = next.toString();
    }
    return body;
  }

  /** `POST /api/indicators`: creates, or updates the indicator of the same type and value. */
  submit(body: unknown, caller: IndicatorCaller): Record<string, unknown> {
    this.sweep();
    const item = this.check(body);
    return indicatorJson(this.upsert(item, caller));
  }

  /** `POST /api/indicators/import`: one result per item; a bad item fails alone, a bad batch is refused whole. */
  importBatch(body: unknown, caller: IndicatorCaller): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new IndicatorError(400, 'InvalidRequestBody', 'The request body must be a JSON object with an Indicators list.');
    const o = body as Record<string, unknown>;
    if (!('Indicators' in o)) {
      const hint = 'indicators' in o ? " Body parameter names are case-sensitive: use 'Indicators'." : '';
      throw new IndicatorError(400, 'MissingRequiredParameter', `Required parameter 'Indicators' is missing.${hint}`);
    }
    if (!Array.isArray(o.Indicators)) throw new IndicatorError(400, 'InvalidRequestBody', "'Indicators' must be a list.");
    this.sweep();
    if (o.Indicators.length > INDICATOR_LIMITS.importBatch) {
      throw new IndicatorError(400, 'MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${o.Indicators.length}, allowed: ${INDICATOR_LIMITS.importBatch}.`);
    }
    const value = o.Indicators.map((raw) => {
      const shown = typeof raw === 'object' && raw !== null && typeof (raw as Record<string, unknown>).indicatorValue === 'string' ? ((raw as Record<string, unknown>).indicatorValue as string).slice(0, 200) : '';
      try {
        const saved = this.upsert(this.check(raw), caller);
        return { id: saved.id, indicator: saved.indicatorValue, isFailed: false, failureReason: null };
      } catch (e) {
        if (!(e instanceof IndicatorError)) throw e;
        return { id: null, indicator: shown, isFailed: true, failureReason: e.message };
      }
    });
    return { value };
  }

  /** `DELETE /api/indicators/{id}`: true when it existed (and the caller may see it). */
  remove(id: string, caller: IndicatorCaller): boolean {
    this.sweep();
    const i = this.byId.get(id);
    if (!i || !this.canSee(caller, i)) return false;
    this.drop(i);
    return true;
  }

  private upsert(item: Omit<SimIndicator, 'id' | 'creationTime' | 'lastUpdateTime' | 'createdBy' | 'createdByDisplayName' | 'sourceType' | 'lastUpdatedBy'>, caller: IndicatorCaller): SimIndicator {
    const now = this.now();
    const existing = this.byKey.get(keyOf(item.indicatorType, item.indicatorValue));
    if (existing) {
      if (!caller.seesAll && existing.createdBy !== caller.subject) {
        throw new IndicatorError(400, 'InvalidInput', `An indicator for ${item.indicatorValue} exists and was created by someone else: this app (Ti.ReadWrite) may change only its own indicators.`);
      }
      // The application is kept from the creation: the API does not update it.
      Object.assign(existing, { ...item, application: existing.application, lastUpdateTime: now, lastUpdatedBy: caller.subject });
      return existing;
    }
    if (this.byId.size >= this.cap) {
      throw new IndicatorError(400, 'BadRequest', `The tenant has reached its limit of ${this.cap.toLocaleString('en-US')} active indicators: remove some before adding more.`);
    }
    const created: SimIndicator = {
      ...item,
      id: String(this.nextId++),
      creationTime: now,
      lastUpdateTime: now,
      createdBy: caller.subject,
      createdByDisplayName: caller.subject,
      sourceType: caller.kind === 'app' ? 'AadApp' : 'User',
      lastUpdatedBy: null,
    };
    this.add(created);
    return created;
  }

  /** The documented body, case-sensitive names; IP values single external addresses. */
  private check(raw: unknown): Omit<SimIndicator, 'id' | 'creationTime' | 'lastUpdateTime' | 'createdBy' | 'createdByDisplayName' | 'sourceType' | 'lastUpdatedBy'> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new IndicatorError(400, 'InvalidRequestBody', 'An indicator must be a JSON object.');
    const o = raw as Record<string, unknown>;
    for (const name of ['indicatorValue', 'indicatorType', 'action', 'title', 'description']) {
      if (o[name] === undefined || o[name] === null || o[name] === '') {
        const wrongCase = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase() && k !== name);
        throw new IndicatorError(400, 'MissingRequiredParameter', `Required parameter '${name}' is missing.${wrongCase ? ` Body parameter names are case-sensitive: use '${name}'.` : ''}`);
      }
    }
    const str = (name: string, max: number): string => {
      const v = o[name];
      if (typeof v !== 'string') throw new IndicatorError(400, 'InvalidRequestBody', `'${name}' must be a string.`);
      if (v.length > max) throw new IndicatorError(400, 'InvalidInput', `'${name}' is longer than ${max} characters.`);
      return v;
    };
    const type = str('indicatorType', 40);
    if (!TYPES.includes(type)) throw new IndicatorError(400, 'InvalidInput', `'${type.slice(0, 40)}' is not an indicator type.`);
    let value = str('indicatorValue', 2048);
    if (type === 'IpAddress') {
      if (value.includes('/')) throw new IndicatorError(400, 'InvalidIpAddress', `IP address ${value.slice(0, 100)} is invalid: CIDR notation is not supported.`);
      const ip = normaliseIp(value);
      if (!ip) throw new IndicatorError(400, 'InvalidIpAddress', `IP address ${value.slice(0, 100)} is invalid`);
      const refused = refusedAddress(ip);
      if (refused) throw new IndicatorError(400, 'InvalidIpAddress', `IP address ${ip} ${refused}: only external IPs can be added to the indicator list.`);
      value = ip;
    }
    const action = str('action', 40);
    if (!(INDICATOR_ACTIONS as readonly string[]).includes(action)) throw new IndicatorError(400, 'InvalidInput', `'${action.slice(0, 40)}' is not an indicator action.`);
    if (type === 'IpAddress' && action === 'BlockAndRemediate') throw new IndicatorError(400, 'InvalidInput', 'Network indicators do not support the action BlockAndRemediate.');
    const generateAlert = o.generateAlert === undefined ? false : o.generateAlert;
    if (typeof generateAlert !== 'boolean') throw new IndicatorError(400, 'InvalidRequestBody', "'generateAlert' must be true or false.");
    if (action === 'Audit' && !generateAlert) throw new IndicatorError(400, 'InvalidInput', "The 'generateAlert' parameter must be true when creating an indicator with the action Audit.");
    const title = str('title', INDICATOR_LIMITS.titleMax);
    const description = str('description', INDICATOR_LIMITS.descriptionMax);
    let severity: string | null = null;
    if (o.severity !== undefined && o.severity !== null) {
      severity = str('severity', 40);
      if (!(INDICATOR_SEVERITIES as readonly string[]).includes(severity)) throw new IndicatorError(400, 'InvalidInput', `'${severity.slice(0, 40)}' is not a severity.`);
    }
    let expirationTime: number | null = null;
    if (o.expirationTime !== undefined && o.expirationTime !== null) {
      const t = typeof o.expirationTime === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/.test(o.expirationTime) ? Date.parse(o.expirationTime.replace(/(\.\d{3})\d+/, '$1')) : NaN;
      if (Number.isNaN(t)) throw new IndicatorError(400, 'InvalidInput', "'expirationTime' must be an ISO 8601 time such as 2027-01-04T00:00:00Z.");
      if (t <= this.now()) throw new IndicatorError(400, 'InvalidInput', 'The expiration time must be in the future.');
      expirationTime = t;
    }
    const recommendedActions = o.recommendedActions === undefined || o.recommendedActions === null ? null : str('recommendedActions', INDICATOR_LIMITS.recommendedActionsMax);
    const application = o.application === undefined || o.application === null ? null : str('application', 200);
    let rbacGroupNames: string[] = [];
    if (o.rbacGroupNames !== undefined && o.rbacGroupNames !== null) {
      if (!Array.isArray(o.rbacGroupNames) || !o.rbacGroupNames.every((g) => typeof g === 'string')) throw new IndicatorError(400, 'InvalidRequestBody', "'rbacGroupNames' must be a list of names.");
      rbacGroupNames = o.rbacGroupNames;
      const unknown = rbacGroupNames.find((g) => !this.groups.has(g.toLowerCase()));
      if (unknown !== undefined) throw new IndicatorError(400, 'InvalidInput', `The device group '${unknown.slice(0, 100)}' does not exist.`);
    }
    return {
      indicatorValue: value,
      indicatorType: type,
      action,
      title,
      description,
      severity,
      application,
      generateAlert,
      recommendedActions,
      expirationTime,
      rbacGroupNames,
      rbacGroupIds: rbacGroupNames.map((g) => this.groups.get(g.toLowerCase()) ?? '0'),
    };
  }
}

function keyOf(type: string, value: string): string {
  return `${type}|${value.toLowerCase()}`;
}

export function indicatorJson(i: SimIndicator): Record<string, unknown> {
  return {
    id: i.id,
    indicatorValue: i.indicatorValue,
    indicatorType: i.indicatorType,
    action: i.action,
    application: i.application,
    source: i.createdByDisplayName,
    sourceType: i.sourceType,
    createdBy: i.createdBy,
    createdByDisplayName: i.createdByDisplayName,
    createdBySource: i.createdByDisplayName,
    severity: i.severity,
    title: i.title,
    description: i.description,
    recommendedActions: i.recommendedActions,
    creationTimeDateTimeUtc: toApiTime(i.creationTime),
    expirationTime: i.expirationTime === null ? null : toApiTime(i.expirationTime),
    lastUpdateTime: toApiTime(i.lastUpdateTime),
    lastUpdatedBy: i.lastUpdatedBy,
    rbacGroupNames: i.rbacGroupNames,
    rbacGroupIds: i.rbacGroupIds,
    generateAlert: i.generateAlert,
    externalID: null,
  };
}
