// The extension's settings as typed values: defaults, validation, and the rule that a workspace can never change
// where tokens go or which identity is used. Pure (no vscode import) so the rules are unit-tested in Node.
import { CLOUD_NAMES, REGIONS, type CloudName, type Region } from '../core/defender/clouds';
import { LOOKBACKS, type Lookback } from '../shared/investigation';

export const SECTION = 'ipInvestigator';

export type SessionMode = 'demo' | 'delegated' | 'application' | 'environment';
export const SESSION_MODES: readonly SessionMode[] = ['demo', 'delegated', 'application', 'environment'];
export type SignInFlow = 'auto' | 'interactive' | 'deviceCode';
export type HuntingSetting = 'auto' | 'graph' | 'defender';

export const DEFAULT_HOVER_LANGUAGES: readonly string[] = [
  'log',
  'plaintext',
  'powershell',
  'shellscript',
  'bat',
  'python',
  'javascript',
  'typescript',
  'json',
  'jsonc',
  'yaml',
  'xml',
  'csv',
  'ini',
  'properties',
  'dockerfile',
  'markdown',
];

export interface Settings {
  /** Identity and endpoints: read from user (or machine) settings only. */
  mode: SessionMode;
  tenantId: string;
  clientId: string;
  cloud: CloudName;
  region?: Region;
  signInFlow: SignInFlow;
  certificatePath: string;
  hunting: HuntingSetting;
  /** Endpoint overrides (private clouds, tests); empty means the cloud's own endpoints. */
  authorityHost: string;
  apiUrl: string;
  graphUrl: string;
  /** Behaviour: any settings level. */
  lookback: Lookback;
  hoverEnabled: boolean;
  hoverLanguages: string[];
  logTimeZone: string;
  cacheTtlMinutes: number;
  requestTimeoutSeconds: number;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  mode: 'demo',
  tenantId: '',
  clientId: '',
  cloud: 'commercial',
  signInFlow: 'auto',
  certificatePath: '',
  hunting: 'auto',
  authorityHost: '',
  apiUrl: '',
  graphUrl: '',
  lookback: '7d',
  hoverEnabled: true,
  hoverLanguages: [...DEFAULT_HOVER_LANGUAGES],
  logTimeZone: 'utc',
  cacheTtlMinutes: 15,
  requestTimeoutSeconds: 10,
});

/** Settings that decide where tokens go or which identity is used (`"scope": "application"` in the manifest). */
export const PROTECTED_KEYS = [
  'mode',
  'tenantId',
  'clientId',
  'cloud',
  'region',
  'signInFlow',
  'certificatePath',
  'hunting',
  'authorityHost',
  'apiUrl',
  'graphUrl',
] as const;

/** Manifest key of each protected setting. */
export const PROTECTED_SETTING_KEYS: Record<(typeof PROTECTED_KEYS)[number], string> = {
  mode: 'mode',
  tenantId: 'tenantId',
  clientId: 'clientId',
  cloud: 'cloud',
  region: 'region',
  signInFlow: 'signInFlow',
  certificatePath: 'certificatePath',
  hunting: 'hunting',
  authorityHost: 'advanced.authorityHost',
  apiUrl: 'advanced.apiUrl',
  graphUrl: 'advanced.graphUrl',
};

/** The parts of `WorkspaceConfiguration.inspect()` this module reads. */
export interface Inspection {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export interface SettingsSource {
  /** `inspect()` of `ipInvestigator.<key>`. */
  inspect(key: string): Inspection | undefined;
}

export interface ReadSettings {
  settings: Settings;
  /** Values that were ignored, one short sentence each (logged, never shown with the value of a secret). */
  warnings: string[];
}

/** Most specific level wins: folder, workspace, user, default. */
function effective(i: Inspection | undefined): unknown {
  if (!i) return undefined;
  return i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue;
}

/** User (or remote machine) level only: a workspace value is never consulted. */
function userLevel(i: Inspection | undefined): unknown {
  return i?.globalValue;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const LANGUAGE_ID = /^[A-Za-z0-9][\w.+#-]{0,63}$/;

/** An endpoint override: https (http only to loopback), no credentials, query or fragment. Empty is allowed. */
export function isEndpointSetting(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const v = value.trim();
  if (v === '') return true;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return false;
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return false;
  return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
}

/** `utc`, `local` or a fixed offset `±HH:MM`. */
export function isTimeZoneSetting(value: unknown): value is string {
  return typeof value === 'string' && (value === 'utc' || value === 'local' || /^[+-](?:0\d|1[0-4]):[0-5]\d$/.test(value));
}

export function readSettings(source: SettingsSource): ReadSettings {
  const warnings: string[] = [];
  const d = DEFAULT_SETTINGS;

  function pick<T>(key: string, level: 'user' | 'any', accept: (v: unknown) => v is T, fallback: T): T {
    const inspection = source.inspect(key);
    if (level === 'user' && (inspection?.workspaceValue !== undefined || inspection?.workspaceFolderValue !== undefined)) {
      warnings.push(`${SECTION}.${key} is set in the workspace; it is ignored: only your user settings decide the identity and endpoints.`);
    }
    const raw = level === 'user' ? userLevel(inspection) : effective(inspection);
    if (raw === undefined) return fallback;
    if (accept(raw)) return raw;
    warnings.push(`${SECTION}.${key} has an invalid value; the default is used.`);
    return fallback;
  }

  const isString = (v: unknown): v is string => typeof v === 'string';
  const isOneOf =
    <T extends string>(values: readonly T[]) =>
    (v: unknown): v is T =>
      typeof v === 'string' && (values as readonly string[]).includes(v);

  const mode = pick('mode', 'user', isOneOf(SESSION_MODES), d.mode);
  const tenantId = pick('tenantId', 'user', (v): v is string => isString(v) && (v.trim() === '' || GUID.test(v.trim()) || TENANT_DOMAIN.test(v.trim())), d.tenantId).trim();
  const clientId = pick('clientId', 'user', (v): v is string => isString(v) && (v.trim() === '' || GUID.test(v.trim())), d.clientId).trim();
  const cloud = pick('cloud', 'user', isOneOf(CLOUD_NAMES), d.cloud);
  const regionRaw = pick<Region | ''>('region', 'user', isOneOf<Region | ''>(['', ...REGIONS]), '');
  let region: Region | undefined = regionRaw === '' ? undefined : regionRaw;
  if (region !== undefined && cloud !== 'commercial') {
    warnings.push(`${SECTION}.region applies to the commercial cloud only; it is ignored for ${cloud}.`);
    region = undefined;
  }
  const signInFlow = pick('signInFlow', 'user', isOneOf<SignInFlow>(['auto', 'interactive', 'deviceCode']), d.signInFlow);
  const certificatePath = pick('certificatePath', 'user', isString, d.certificatePath).trim();
  const hunting = pick('hunting', 'user', isOneOf<HuntingSetting>(['auto', 'graph', 'defender']), d.hunting);
  const authorityHost = pick('advanced.authorityHost', 'user', isEndpointSetting, d.authorityHost).trim().replace(/\/+$/, '');
  const apiUrl = pick('advanced.apiUrl', 'user', isEndpointSetting, d.apiUrl).trim().replace(/\/+$/, '');
  const graphUrl = pick('advanced.graphUrl', 'user', isEndpointSetting, d.graphUrl).trim().replace(/\/+$/, '');

  const lookback = pick('lookback', 'any', isOneOf(LOOKBACKS), d.lookback);
  const hoverEnabled = pick('hover.enabled', 'any', (v): v is boolean => typeof v === 'boolean', d.hoverEnabled);
  const hoverLanguages = pick(
    'hover.languages',
    'any',
    (v): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && LANGUAGE_ID.test(x)),
    d.hoverLanguages,
  );
  const logTimeZone = pick('logTimeZone', 'any', isTimeZoneSetting, d.logTimeZone);
  const cacheTtlMinutes = pick('cache.ttlMinutes', 'any', (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1440, d.cacheTtlMinutes);
  const requestTimeoutSeconds = pick(
    'requestTimeoutSeconds',
    'any',
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 200,
    d.requestTimeoutSeconds,
  );

  return {
    settings: {
      mode,
      tenantId,
      clientId,
      cloud,
      ...(region !== undefined ? { region } : {}),
      signInFlow,
      certificatePath,
      hunting,
      authorityHost,
      apiUrl,
      graphUrl,
      lookback,
      hoverEnabled,
      hoverLanguages: [...new Set(hoverLanguages)],
      logTimeZone,
      cacheTtlMinutes,
      requestTimeoutSeconds,
    },
    warnings,
  };
}

/** The settings whose change needs a new client (and possibly a new sign-in). */
export function identityChanged(a: Settings, b: Settings): boolean {
  return PROTECTED_KEYS.some((k) => a[k] !== b[k]) || a.cacheTtlMinutes !== b.cacheTtlMinutes || a.requestTimeoutSeconds !== b.requestTimeoutSeconds;
}

/** Client timeouts from the one user-facing setting: hunting queries get ten times as long, at most the API's 200 s. */
export function clientTimeouts(s: Settings): { entityMs: number; huntingMs: number } {
  const entityMs = Math.round(s.requestTimeoutSeconds * 1000);
  return { entityMs, huntingMs: Math.min(200_000, entityMs * 10) };
}
