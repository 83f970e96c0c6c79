// The advanced-hunting tables of the simulated tenant, built from the story and cut to the data window
// (the past 30 days, or the Graph request's narrower Timespan).
import type { KqlColumn, KqlContext, KqlTable } from './kqlEngine';
import type { KqlType } from './kqlParser';
import type { DemoStory, StoryRow } from './story';

const col = (name: string, type: KqlType): KqlColumn => ({ name, type });
const strings = (...names: string[]): KqlColumn[] => names.map((n) => col(n, 'string'));

export const HUNTING_SCHEMAS: Record<string, KqlColumn[]> = {
  DeviceNetworkEvents: [
    col('Timestamp', 'datetime'),
    ...strings('DeviceId', 'DeviceName', 'ActionType', 'RemoteIP'),
    col('RemotePort', 'int'),
    ...strings('RemoteUrl', 'LocalIP'),
    col('LocalPort', 'int'),
    ...strings('Protocol', 'LocalIPType', 'RemoteIPType', 'InitiatingProcessSHA1', 'InitiatingProcessFileName', 'InitiatingProcessFolderPath'),
    col('InitiatingProcessId', 'long'),
    ...strings('InitiatingProcessCommandLine', 'InitiatingProcessParentFileName', 'InitiatingProcessAccountDomain', 'InitiatingProcessAccountName'),
    col('ReportId', 'long'),
  ],
  DeviceNetworkInfo: [
    col('Timestamp', 'datetime'),
    ...strings('DeviceId', 'DeviceName', 'NetworkAdapterName', 'MacAddress', 'NetworkAdapterType', 'NetworkAdapterStatus', 'TunnelType',
      'ConnectedNetworks', 'DnsAddresses', 'IPv4Dhcp', 'IPv6Dhcp', 'DefaultGateways', 'IPAddresses'),
    col('ReportId', 'long'),
    col('NetworkAdapterVendor', 'string'),
  ],
  AlertInfo: [col('Timestamp', 'datetime'), ...strings('AlertId', 'Title', 'Category', 'Severity', 'ServiceSource', 'DetectionSource', 'AttackTechniques')],
  AlertEvidence: [
    col('Timestamp', 'datetime'),
    ...strings('AlertId', 'Title', 'Categories', 'AttackTechniques', 'ServiceSource', 'DetectionSource', 'EntityType', 'EvidenceRole',
      'EvidenceDirection', 'FileName', 'FolderPath', 'SHA1', 'RemoteIP', 'RemoteUrl', 'AccountName', 'AccountDomain', 'DeviceId',
      'DeviceName', 'LocalIP', 'ProcessCommandLine', 'AdditionalFields'),
  ],
};

function source(story: DemoStory, name: string): StoryRow[] | undefined {
  switch (name) {
    case 'DeviceNetworkEvents':
      return story.networkEvents;
    case 'DeviceNetworkInfo':
      return story.networkInfo;
    case 'AlertInfo':
      return story.alertInfo;
    case 'AlertEvidence':
      return story.alertEvidence;
    default:
      return undefined;
  }
}

/** First index whose Timestamp is >= t (rows are sorted by Timestamp). */
function lowerBound(rows: StoryRow[], t: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid]?.Timestamp as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A KQL context whose tables hold only rows with from <= Timestamp <= to. */
export function huntingContext(story: DemoStory, now: number, window: { from: number; to: number }): KqlContext {
  const cache = new Map<string, KqlTable>();
  return {
    now,
    table(name) {
      const columns = HUNTING_SCHEMAS[name];
      const rows = source(story, name);
      if (!columns || !rows) return undefined;
      let t = cache.get(name);
      if (!t) {
        t = { columns, rows: rows.slice(lowerBound(rows, window.from), lowerBound(rows, window.to + 1)) };
        cache.set(name, t);
      }
      return t;
    },
  };
}
