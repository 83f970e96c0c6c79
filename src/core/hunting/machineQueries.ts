// The KQL of the machine view: one machine's remote addresses (with their prevalence in the organisation, in the same
// query) and its recent network events. Built only from a validated device id (40 hex digits) and whitelisted
// integers; nothing else reaches the text. The simulated tenant evaluates exactly these shapes.
import { normaliseDeviceId } from '../defender/validate';
import { assertLookbackDays } from './huntingQueries';

/** Throws unless `id` is a Defender device id; returns it lower-cased (hunting writes DeviceId in lower case). */
export function assertDeviceId(id: string): string {
  const v = normaliseDeviceId(id);
  if (v === undefined) throw new RangeError(`Refusing to build a hunting query with '${String(id).slice(0, 60)}': not a device id (40 hexadecimal digits).`);
  return v;
}

function assertLimit(n: number, max: number): number {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`Row limit must be 1 to ${max}, not ${n}.`);
  return n;
}

/** The columns one row of the network-activity query carries (the service reads these names). */
export const NETWORK_ACTIVITY_COLUMNS = ['RemoteIP', 'Connections', 'Failed', 'Inbound', 'FirstSeen', 'LastSeen', 'Ports', 'Processes', 'Urls', 'OrgMachines'] as const;

/**
 * One row per remote address of the machine over the period: connections (failed and inbound ones counted apart),
 * first and last seen, ports, processes and host names, and `OrgMachines`, the distinct machines of the organisation
 * that talked to the address in the same period (this one included, so 1 = this machine alone). One query for any
 * number of addresses: the prevalence side is limited to the machine's own addresses by a semi-join, so it never
 * summarises the whole table. Rarest first, then most recent; at most `limit` rows.
 */
export function machineNetworkActivityQuery(machineId: string, lookbackDays: number, limit = 10_000): string {
  const id = assertDeviceId(machineId);
  const days = assertLookbackDays(lookbackDays);
  return [
    'let machineEvents = DeviceNetworkEvents',
    `| where Timestamp > ago(${days}d)`,
    `| where DeviceId == "${id}"`,
    '| where isnotempty(RemoteIP);',
    'let remotes = machineEvents',
    '| summarize Connections = count(), Failed = countif(ActionType == "ConnectionFailed"), Inbound = countif(ActionType == "InboundConnectionAccepted"), FirstSeen = min(Timestamp), LastSeen = max(Timestamp), Ports = make_set(RemotePort, 20), Processes = make_set(InitiatingProcessFileName, 10), Urls = make_set(RemoteUrl, 5) by RemoteIP;',
    'let prevalence = DeviceNetworkEvents',
    `| where Timestamp > ago(${days}d)`,
    '| join kind=leftsemi (remotes) on RemoteIP',
    '| summarize OrgMachines = dcount(DeviceId) by RemoteIP;',
    'remotes',
    '| join kind=leftouter (prevalence) on RemoteIP',
    '| project RemoteIP, Connections, Failed, Inbound, FirstSeen, LastSeen, Ports, Processes, Urls, OrgMachines = coalesce(OrgMachines, 1)',
    '| order by OrgMachines asc, LastSeen desc',
    `| take ${assertLimit(limit, 100_000)}`,
  ].join('\n');
}

/** The machine's most recent network events, newest first (the machine view's timeline; the IP timeline's columns). */
export function machineTimelineQuery(machineId: string, lookbackDays: number, limit = 10_000): string {
  const id = assertDeviceId(machineId);
  return [
    'DeviceNetworkEvents',
    `| where Timestamp > ago(${assertLookbackDays(lookbackDays)}d)`,
    `| where DeviceId == "${id}"`,
    '| project Timestamp, DeviceId, DeviceName, ActionType, LocalIP, LocalPort, RemoteIP, RemotePort, RemoteUrl, Protocol, InitiatingProcessFileName, InitiatingProcessFolderPath, InitiatingProcessCommandLine, InitiatingProcessAccountName',
    '| order by Timestamp desc',
    `| take ${assertLimit(limit, 100_000)}`,
  ].join('\n');
}
