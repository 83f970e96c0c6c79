// Endpoints per Microsoft cloud: Defender API host (with the commercial geo hosts), Graph host, sign-in
// authority, token scopes and the portal host for deep links. Facts: shared/reference/defender-api.md §0.1-0.2.

export type CloudName = 'commercial' | 'gcc' | 'gcc-high' | 'dod';
export type Region = 'us' | 'eu' | 'uk' | 'au' | 'swa' | 'ina' | 'aea';

export const CLOUD_NAMES: readonly CloudName[] = ['commercial', 'gcc', 'gcc-high', 'dod'];
export const REGIONS: readonly Region[] = ['us', 'eu', 'uk', 'au', 'swa', 'ina', 'aea'];

export interface CloudEndpoints {
  cloud: CloudName;
  region?: Region;
  /** Defender for Endpoint API base, without trailing slash (routes live under `/api`). */
  apiBaseUrl: string;
  /** Microsoft Graph base, without trailing slash (hunting: `/v1.0/security/runHuntingQuery`). */
  graphBaseUrl: string;
  /** Sign-in host as a URL, without tenant (e.g. `https://login.microsoftonline.com`). */
  authorityHost: string;
  /** Token scope for the Defender API. */
  defenderScope: string;
  /** Token scope for Microsoft Graph. */
  graphScope: string;
  /** Host name of the Defender portal, for deep links. */
  portalHost: string;
}

interface CloudTable {
  apiBaseUrl: string;
  graphBaseUrl: string;
  authorityHost: string;
  defenderScope: string;
  graphScope: string;
  portalHost: string;
}

const TABLE: Record<CloudName, CloudTable> = {
  commercial: {
    apiBaseUrl: 'https://api.security.microsoft.com',
    graphBaseUrl: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    // Microsoft's token samples still use the older identifier URI; it is the documented audience.
    defenderScope: 'https://api.securitycenter.microsoft.com/.default',
    graphScope: 'https://graph.microsoft.com/.default',
    portalHost: 'security.microsoft.com',
  },
  // GCC is a hybrid: commercial sign-in and Graph, government API host.
  gcc: {
    apiBaseUrl: 'https://api-gcc.securitycenter.microsoft.us',
    graphBaseUrl: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    defenderScope: 'https://api-gcc.securitycenter.microsoft.us/.default',
    graphScope: 'https://graph.microsoft.com/.default',
    portalHost: 'security.microsoft.com',
  },
  'gcc-high': {
    apiBaseUrl: 'https://api-gov.securitycenter.microsoft.us',
    graphBaseUrl: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    defenderScope: 'https://api-gov.securitycenter.microsoft.us/.default',
    graphScope: 'https://graph.microsoft.us/.default',
    portalHost: 'security.microsoft.us',
  },
  dod: {
    apiBaseUrl: 'https://api-gov.securitycenter.microsoft.us',
    graphBaseUrl: 'https://dod-graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    defenderScope: 'https://api-gov.securitycenter.microsoft.us/.default',
    graphScope: 'https://dod-graph.microsoft.us/.default',
    portalHost: 'security.apps.mil',
  },
};

export function isCloudName(value: unknown): value is CloudName {
  return typeof value === 'string' && (CLOUD_NAMES as readonly string[]).includes(value);
}

export function isRegion(value: unknown): value is Region {
  return typeof value === 'string' && (REGIONS as readonly string[]).includes(value);
}

/** Endpoints of a cloud. A region picks a commercial geo host (lower latency); other clouds have none. */
export function resolveCloud(cloud: CloudName, region?: Region): CloudEndpoints {
  if (!isCloudName(cloud)) throw new RangeError(`Unknown cloud '${String(cloud)}': use one of ${CLOUD_NAMES.join(', ')}.`);
  const t = TABLE[cloud];
  if (region === undefined) return { cloud, ...t };
  if (!isRegion(region)) throw new RangeError(`Unknown region '${String(region)}': use one of ${REGIONS.join(', ')}.`);
  if (cloud !== 'commercial') throw new RangeError(`Regions apply to the commercial cloud only, not to '${cloud}'.`);
  return { cloud, region, ...t, apiBaseUrl: `https://${region}.api.security.microsoft.com` };
}

function portalBase(cloud: CloudName): string {
  return `https://${resolveCloud(cloud).portalHost}`;
}

/** `https://<portal>/ip/<ip>/overview`. */
export function portalIpUrl(cloud: CloudName, ip: string): string {
  return `${portalBase(cloud)}/ip/${encodeURIComponent(ip)}/overview`;
}

/** `https://<portal>/machines/<id>/overview`. */
export function portalMachineUrl(cloud: CloudName, machineId: string): string {
  return `${portalBase(cloud)}/machines/${encodeURIComponent(machineId)}/overview`;
}

/** `https://<portal>/alerts/<id>`. */
export function portalAlertUrl(cloud: CloudName, alertId: string): string {
  return `${portalBase(cloud)}/alerts/${encodeURIComponent(alertId)}`;
}
