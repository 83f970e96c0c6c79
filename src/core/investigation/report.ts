// Exports of an Investigation: a Markdown report (every value escaped) and each table as CSV or JSON.
// Pure: the panel decides where the text goes (clipboard, untitled document, a file the user picked).
import type { Alert, Indicator, Machine } from '../../shared/defenderModel';
import type { AuditEntry } from '../../shared/indicatorModel';
import { renderAuditMarkdown } from '../indicators/auditTrail';
import { formatExpiry } from '../indicators/indicatorRules';
import { VERDICT_LABELS, annotationDay, type Annotation } from '../../shared/annotation';
import { LOOKBACK_DAYS, type Investigation } from '../../shared/investigation';
import type { ExportTable, RdapSummary } from '../../shared/protocol';
import { csvCell } from '../../shared/csv';
import { escapeMarkdown, escapeMarkdownInline, markdownTable } from '../../shared/markdown';

export interface ReportOptions {
  /** ISO instant the report was made. */
  generatedAt: string;
  /** Link to the address in the Defender portal (built from validated values by the caller). */
  portalUrl?: string;
  demo?: boolean;
  rdap?: RdapSummary;
  reverseDns?: string[];
  /** Timeline rows included (the newest); the CSV export has them all. Default 100. */
  timelineRows?: number;
  /** The address's indicators and the workspace's audit trail (the writes that named the address are included). */
  indicators?: { indicators: readonly Indicator[]; audit: readonly AuditEntry[] };
  /** The analyst's verdict and note on the address (from the investigation history). */
  annotation?: Annotation;
}

interface Table {
  columns: string[];
  rows: (string | number | undefined)[][];
}

const machineName = (m: Machine): string => m.computerDnsName ?? m.id;

/** The rows of one exportable table, in the panel's column order. */
export function exportTable(inv: Investigation, table: ExportTable): Table {
  switch (table) {
    case 'alerts':
      return {
        columns: ['Severity', 'Status', 'Title', 'Category', 'Detection source', 'Machine', 'Machine id', 'First activity', 'Last activity', 'Incident', 'Alert id'],
        rows: (inv.alerts ?? []).map((a: Alert) => [
          a.severity,
          a.status,
          a.title,
          a.category,
          a.detectionSource,
          a.computerDnsName,
          a.machineId,
          a.firstEventTime ?? a.alertCreationTime,
          a.lastEventTime ?? a.lastUpdateTime,
          a.incidentId,
          a.id,
        ]),
      };
    case 'machines':
      return {
        columns: ['Machine', 'Machine id', 'First seen', 'Last seen', 'Events', 'Remote ports', 'Local ports', 'Processes', 'Folders'],
        rows: (inv.machines ?? []).map((m) => [
          m.name,
          m.id,
          m.firstSeen,
          m.lastSeen,
          m.events,
          m.remotePorts.join(' '),
          m.localPorts.join(' '),
          m.processes.join('; '),
          m.files.join('; '),
        ]),
      };
    case 'timeline':
      return {
        columns: ['Time', 'Machine', 'Machine id', 'Action', 'Local IP', 'Local port', 'Remote IP', 'Remote port', 'Remote URL', 'Protocol', 'Process', 'Folder', 'Command line', 'Account'],
        rows: (inv.timeline ?? []).map((e) => [
          e.timestamp,
          e.deviceName,
          e.deviceId,
          e.actionType,
          e.localIp,
          e.localPort,
          e.remoteIp,
          e.remotePort,
          e.remoteUrl,
          e.protocol,
          e.process,
          e.folder,
          e.commandLine,
          e.account,
        ]),
      };
    case 'daily':
      return { columns: ['Day', 'Machines', 'Events'], rows: (inv.daily ?? []).map((d) => [d.day, d.machines, d.events]) };
    case 'machinesAtTime':
    case 'machineDetails': {
      const list = table === 'machinesAtTime' ? (inv.machinesAtTime?.machines ?? []) : Object.values(inv.machineDetails ?? {});
      return {
        columns: ['Machine', 'Machine id', 'OS', 'Risk', 'Health', 'Exposure', 'Last seen', 'Last IP', 'IP addresses', 'Tags', 'Device group'],
        rows: list.map((m) => [
          machineName(m),
          m.id,
          [m.osPlatform, m.version].filter(Boolean).join(' ') || undefined,
          m.riskScore,
          m.healthStatus,
          m.exposureLevel,
          m.lastSeen,
          m.lastIpAddress,
          m.ipAddresses.map((a) => a.ipAddress).join(' '),
          m.machineTags.join('; '),
          m.rbacGroupName,
        ]),
      };
    }
  }
}

/** The raw records of a table for the JSON export (as the API gave them, after parsing). */
export function exportRecords(inv: Investigation, table: ExportTable): unknown[] {
  switch (table) {
    case 'alerts':
      return inv.alerts ?? [];
    case 'machines':
      return inv.machines ?? [];
    case 'timeline':
      return inv.timeline ?? [];
    case 'daily':
      return inv.daily ?? [];
    case 'machinesAtTime':
      return inv.machinesAtTime?.machines ?? [];
    case 'machineDetails':
      return Object.values(inv.machineDetails ?? {});
  }
}

export function toJson(inv: Investigation, table: ExportTable): string {
  return `${JSON.stringify(exportRecords(inv, table), null, 2)}\n`;
}

export function toCsv(inv: Investigation, table: ExportTable): string {
  const t = exportTable(inv, table);
  const lines = [t.columns.map(csvCell).join(','), ...t.rows.map((r) => t.columns.map((_, i) => csvCell(r[i])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name for an export: `ipinv-198.51.100.23-alerts.csv` (IPv6 colons become dashes). */
export function exportFileName(ip: string, table: ExportTable | 'report', ext: 'csv' | 'json' | 'md'): string {
  const safeIp = ip.replace(/[^0-9a-zA-Z.]/g, '-');
  return `ipinv-${safeIp}-${table}.${ext}`;
}

const LOOKBACK_TEXT = { '1d': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days' } as const;

/** The whole investigation as a Markdown document. */
export function markdownReport(inv: Investigation, options: ReportOptions): string {
  const a = inv.address;
  const out: string[] = [];
  const line = (label: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') out.push(`- **${label}:** ${escapeMarkdownInline(value)}`);
  };
  out.push(`# IP investigation: ${escapeMarkdownInline(a.ip)}`, '');
  if (options.demo) out.push('> Demo tenant: simulated data', '');
  const mark = options.annotation;
  if (mark?.verdict) line('Your verdict', `${VERDICT_LABELS[mark.verdict]}${mark.verdictAt ? `, set ${annotationDay(mark.verdictAt)}` : ''}`);
  if (mark?.note) out.push(`- **Your note:** ${escapeMarkdownInline(mark.note, 2000)}`);
  line('Generated', options.generatedAt);
  line('Data fetched', inv.cachedAt);
  line('Period', `${LOOKBACK_TEXT[inv.lookback]} (${LOOKBACK_DAYS[inv.lookback]} d)`);
  line('Version', `IPv${a.version}`);
  line('Class', a.ipClass);
  if (a.block) line('Special-purpose block', `${a.block.prefix} ${a.block.name}${a.block.rfc ? ` (${a.block.rfc})` : ''}`);
  line('Internal', a.internal ? 'yes' : 'no');
  if (options.reverseDns && options.reverseDns.length > 0) line('Reverse DNS', options.reverseDns.join(', '));
  if (options.rdap) {
    const r = options.rdap;
    line('Registration', [r.name, r.handle].filter(Boolean).join(' / '));
    line('Organisation', r.organizations.join(', '));
    line('Range', r.cidrs.length > 0 ? r.cidrs.join(', ') : [r.startAddress, r.endAddress].filter(Boolean).join(' - '));
    line('Country', r.country);
    line('Origin AS', r.originAutnums.map((n) => `AS${n}`).join(', '));
    line('Registry', r.server);
  }
  // The portal URL is built by the caller from validated values; it is still escaped inside <...>.
  if (options.portalUrl && /^https:\/\/[a-z0-9.-]+\/[A-Za-z0-9%._~/-]*$/.test(options.portalUrl)) out.push(`- **Defender portal:** <${options.portalUrl}>`);
  out.push('');

  out.push('## IP in organization', '');
  if (inv.stats) {
    line('Machines (prevalence)', inv.stats.prevalence);
    line('First seen', inv.stats.firstSeen);
    line('Last seen', inv.stats.lastSeen);
    if (inv.stats.prevalence === 0) out.push('', 'This address was not observed in your organisation in this period.');
  } else out.push('_Not available._');
  if (inv.daily && inv.daily.length > 0) {
    out.push('', markdownTable(['Day', 'Machines', 'Events'], exportTable(inv, 'daily').rows));
  }
  out.push('');

  out.push(`## Alerts related to this IP (${inv.alerts?.length ?? 0})`, '');
  if (inv.alerts && inv.alerts.length > 0) {
    const t = exportTable(inv, 'alerts');
    out.push(markdownTable(t.columns.slice(0, 10), t.rows.map((r) => r.slice(0, 10))));
  } else out.push(inv.alerts ? 'No alerts.' : '_Not available._');
  out.push('');

  out.push(`## Observed machines (${inv.machines?.length ?? 0})`, '');
  if (inv.machines && inv.machines.length > 0) {
    const t = exportTable(inv, 'machines');
    out.push(markdownTable(t.columns.slice(0, 8), t.rows.map((r) => r.slice(0, 8))));
  } else out.push(inv.machines ? 'No machines.' : '_Not available._');
  out.push('');

  if (inv.machineDetails && Object.keys(inv.machineDetails).length > 0) {
    const t = exportTable(inv, 'machineDetails');
    out.push('## Machine details', '', markdownTable(t.columns, t.rows), '');
  }

  const limit = options.timelineRows ?? 100;
  const total = inv.timeline?.length ?? 0;
  out.push(`## Timeline (${total} events${total > limit ? `, newest ${limit} shown` : ''}${inv.timelineTruncated ? ', older events exist' : ''})`, '');
  if (total > 0) {
    const t = exportTable(inv, 'timeline');
    const cols = [0, 1, 3, 5, 7, 10, 11];
    out.push(markdownTable(cols.map((i) => t.columns[i]), t.rows.slice(0, limit).map((r) => cols.map((i) => r[i]))));
  } else out.push(inv.timeline ? 'No events.' : '_Not available._');
  out.push('');

  if (inv.machinesAtTime || inv.machinesAtTimeNote) {
    out.push('## Machines at a time', '');
    if (inv.machinesAtTime) {
      line('Window', `${inv.machinesAtTime.from} to ${inv.machinesAtTime.to}`);
      out.push('');
      const t = exportTable(inv, 'machinesAtTime');
      out.push(t.rows.length > 0 ? markdownTable(t.columns, t.rows) : 'No machine held this address in that window.');
    } else out.push(escapeMarkdown(inv.machinesAtTimeNote));
    out.push('');
  }

  if (options.indicators) {
    const list = options.indicators.indicators;
    out.push(`## Indicators (${list.length})`, '');
    out.push(
      list.length > 0
        ? markdownTable(
            ['Action', 'Title', 'Severity', 'Expires', 'Device groups', 'Created by', 'Generate alert', 'Indicator id'],
            list.map((i) => [i.action, i.title, i.severity, i.expirationTime ? formatExpiry(i.expirationTime) : 'never', i.rbacGroupNames.length > 0 ? i.rbacGroupNames.join(', ') : 'all devices', i.createdByDisplayName ?? i.createdBy, i.generateAlert === undefined ? '' : i.generateAlert ? 'yes' : 'no', i.id]),
          )
        : 'No indicator for this address.',
      '',
      renderAuditMarkdown(options.indicators.audit, { heading: '### Indicator writes from this workspace', address: a.ip }),
    );
  }

  if (inv.problems.length > 0) {
    out.push('## Problems', '');
    for (const p of inv.problems) {
      out.push(`- ${escapeMarkdown(p.source)}: ${escapeMarkdown(p.message)}${p.remedy ? ` ${escapeMarkdown(p.remedy)}` : ''}`);
    }
    out.push('');
  }
  return out.join('\n');
}
