// The KQL the product sends to Defender's hunting engine. Queries are built only from values that pass
// strict validation here (normalised addresses, whitelisted integers, Date objects): no text from a file
// or a user reaches a query as such. The simulated tenant evaluates exactly these shapes.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS = /^[0-9a-f:.]{2,45}$/;

/** Throws unless `ip` is a normalised IPv4 (no leading zeros) or lower-case IPv6 address without zone. */
export function assertQueryIp(ip: string): string {
  if (IPV4.test(ip)) return ip;
  if (IPV6_CHARS.test(ip) && ip.includes(':') && isIpv6Shape(ip)) return ip;
  throw new RangeError(`Refusing to build a hunting query with '${ip.slice(0, 60)}': not a normalised IP address.`);
}

function isIpv6Shape(ip: string): boolean {
  // Cheap structural check; the scanner has already normalised the value (RFC 5952).
  if ((ip.match(/::/g) ?? []).length > 1) return false;
  const groups = ip.split(':');
  if (groups.length < 3 || groups.length > 8) return false;
  const last = groups[groups.length - 1] ?? '';
  const hexGroups = last.includes('.') ? groups.slice(0, -1) : groups;
  if (last.includes('.') && !IPV4.test(last)) return false;
  return hexGroups.every((g) => /^[0-9a-f]{0,4}$/.test(g));
}

/** Look-back in whole days, 1..30 (hunting keeps 30 days of data). */
export function assertLookbackDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 30) throw new RangeError(`Look-back must be 1 to 30 days, not ${days}.`);
  return days;
}

function assertLimit(n: number, max: number): number {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`Row limit must be 1 to ${max}, not ${n}.`);
  return n;
}

/** `datetime(2026-11-20T08:44:05Z)` from a valid Date, seconds precision. */
export function kqlDatetime(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RangeError('Invalid date for a hunting query.');
  return `datetime(${d.toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
}

function kqlString(ip: string): string {
  return `"${assertQueryIp(ip)}"`;
}

function kqlIpList(ips: readonly string[]): string {
  if (ips.length === 0) throw new RangeError('A batch query needs at least one address.');
  return `(${ips.map(kqlString).join(', ')})`;
}

/** Machines that communicated with the address: one row per machine. */
export function observedMachinesQuery(ip: string, lookbackDays: number, limit = 1000): string {
  const v = kqlString(ip);
  return [
    'DeviceNetworkEvents',
    `| where Timestamp > ago(${assertLookbackDays(lookbackDays)}d)`,
    `| where RemoteIP == ${v} or LocalIP == ${v}`,
    '| summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp), Events = count(), RemotePorts = make_set(RemotePort, 20), LocalPorts = make_set(LocalPort, 20), Processes = make_set(InitiatingProcessFileName, 20), Files = make_set(InitiatingProcessFolderPath, 20) by DeviceId, DeviceName',
    '| order by LastSeen desc',
    `| take ${assertLimit(limit, 100000)}`,
  ].join('\n');
}

/** The most recent network events with the address, newest first (the panel's timeline). */
export function timelineQuery(ip: string, lookbackDays: number, limit = 10000): string {
  const v = kqlString(ip);
  return [
    'DeviceNetworkEvents',
    `| where Timestamp > ago(${assertLookbackDays(lookbackDays)}d)`,
    `| where RemoteIP == ${v} or LocalIP == ${v}`,
    '| project Timestamp, DeviceId, DeviceName, ActionType, LocalIP, LocalPort, RemoteIP, RemotePort, RemoteUrl, Protocol, InitiatingProcessFileName, InitiatingProcessFolderPath, InitiatingProcessCommandLine, InitiatingProcessAccountName',
    '| order by Timestamp desc',
    `| take ${assertLimit(limit, 100000)}`,
  ].join('\n');
}

/** Distinct machines and events per day (the prevalence chart). */
export function dailyPrevalenceQuery(ip: string, lookbackDays: number): string {
  const v = kqlString(ip);
  return [
    'DeviceNetworkEvents',
    `| where Timestamp > ago(${assertLookbackDays(lookbackDays)}d)`,
    `| where RemoteIP == ${v} or LocalIP == ${v}`,
    '| summarize Machines = dcount(DeviceId), Events = count() by Day = bin(Timestamp, 1d)',
    '| order by Day asc',
  ].join('\n');
}

/**
 * Triage: per address of the batch seen in the organisation, one row as a peer (`Side` "remote": machines talked to
 * it) and one as a machine's own address (`Side` "local": a public network card, the organisation's egress), which
 * Defender records as LocalIP only. Each event is expanded into its two sides, so an event between two addresses of
 * the batch counts for both. Ports are the remote ports of peers and the local (service) ports of own addresses.
 */
/** How often the summary query names its address list (the planner shortens the list by as much). */
export const SUMMARY_QUERY_LISTS = 3;

export function batchRemoteIpSummaryQuery(ips: readonly string[], lookbackDays: number): string {
  const list = kqlIpList(ips);
  return [
    'DeviceNetworkEvents',
    `| where Timestamp > ago(${assertLookbackDays(lookbackDays)}d)`,
    `| where RemoteIP in ${list} or LocalIP in ${list}`,
    '| project Timestamp, DeviceId, DeviceName, InitiatingProcessFileName, RemoteIP, LocalIP, RemotePort, LocalPort',
    '| mv-expand Side = pack_array("remote", "local"), Ip = pack_array(RemoteIP, LocalIP), Port = pack_array(RemotePort, LocalPort)',
    '| extend Side = tostring(Side), Ip = tostring(Ip), Port = toint(Port)',
    `| where Ip in ${list}`,
    '| summarize Machines = dcount(DeviceId), Events = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp), Ports = make_set(Port, 10), Processes = make_set(InitiatingProcessFileName, 10), DeviceNames = make_set(DeviceName, 5) by Ip, Side',
  ].join('\n');
}

/** Triage: alerts whose evidence names an address of the batch, with severity from AlertInfo. */
/** Severities counted one by one in the batched alerts query (each a column of that name). */
export const ALERT_SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;

export function batchAlertsQuery(ips: readonly string[], lookbackDays: number): string {
  return [
    'AlertEvidence',
    `| where Timestamp > ago(${assertLookbackDays(lookbackDays)}d)`,
    `| where RemoteIP in ${kqlIpList(ips)}`,
    '| join kind=inner (AlertInfo | project AlertId, Severity, Category) on AlertId',
    `| summarize Alerts = dcount(AlertId), ${ALERT_SEVERITIES.map((s) => `${s} = dcountif(AlertId, Severity == '${s}')`).join(', ')}, Titles = make_set(Title, 5), Severities = make_set(Severity, 5), LastAlert = max(Timestamp) by RemoteIP`,
  ].join('\n');
}

export interface InternalLookup {
  ip: string;
  at: Date;
}

/** How far before and after its times a holder query looks: ±15 minutes, plus the margin asked for. */
export function holderQueryWindow(lookups: readonly InternalLookup[], marginMs = 0): [number, number] {
  if (lookups.length === 0) throw new RangeError('A batch query needs at least one lookup.');
  if (!Number.isInteger(marginMs) || marginMs < 0 || marginMs > 7 * 24 * 3_600_000) throw new RangeError(`Invalid holder query margin ${marginMs}.`);
  let min = Infinity;
  let max = -Infinity;
  for (const l of lookups) {
    const t = l.at.getTime();
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return [min - 15 * 60_000 - marginMs, max + 15 * 60_000 + marginMs];
}

/**
 * Triage: which machines reported holding each internal address near the given times. Rows are
 * summarised per address, machine and hour; the caller keeps those within ±15 minutes of each time, and
 * with a margin also sees the reports just before and after (to infer holding between two of them).
 * The key name inside `IPAddresses` (`IPAddress`) is the community's; Microsoft's page does not list it.
 */
export function batchInternalHoldersQuery(lookups: readonly InternalLookup[], marginMs = 0): string {
  const [fromMs, toMs] = holderQueryWindow(lookups, marginMs);
  const from = new Date(fromMs);
  const to = new Date(toMs);
  const ips = kqlIpList([...new Set(lookups.map((l) => l.ip))]);
  return [
    'DeviceNetworkInfo',
    `| where Timestamp between (${kqlDatetime(from)} .. ${kqlDatetime(to)})`,
    '| mv-expand Addr = todynamic(IPAddresses)',
    '| extend Ip = tostring(Addr.IPAddress)',
    `| where Ip in ${ips}`,
    '| summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by Ip, DeviceId, DeviceName, Hour = bin(Timestamp, 1h)',
  ].join('\n');
}
