// Exports of a machine view: its remote addresses as CSV (every cell through csvCell, so a hostile process name
// cannot become a spreadsheet formula) and the whole view as JSON; plus a file name that is safe on every system.
import { csvCell } from '../../shared/csv';
import type { MachineInvestigation, RemoteAddress } from '../../shared/machine';

const COLUMNS = ['ip', 'class', 'internal', 'orgPrevalence', 'connections', 'failed', 'inbound', 'firstSeen', 'lastSeen', 'ports', 'processes', 'urls'] as const;

export function remoteAddressesCsv(remotes: readonly RemoteAddress[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of remotes) {
    lines.push(
      [r.ip, r.ipClass, r.internal, r.orgPrevalence, r.connections, r.failed, r.inbound, r.firstSeen, r.lastSeen, r.ports.join(' '), r.processes.join('; '), r.urls.join(' ')]
        .map((v) => csvCell(v))
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The view as one JSON document (what the panel shows, with the problems of the sections that failed). */
export function machineViewJson(view: MachineInvestigation, generatedAt: string): string {
  return `${JSON.stringify({ generatedAt, ...view }, null, 2)}\n`;
}

/** `machine-fin-ws-017-remote-addresses.csv`: the name reduced to safe characters, bounded. */
export function machineExportFileName(name: string, what: 'remote-addresses' | 'view', ext: 'csv' | 'json'): string {
  const safe = name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '').slice(0, 80) || 'machine';
  return `machine-${safe}-${what}.${ext}`;
}
