// Pure content of the machine details card: label/value pairs from the machine's details (when
// loaded) and what the hunting data says about it.
import type { ObservedMachine } from '../../src/shared/investigation';
import type { Machine } from '../../src/shared/protocol';
import { formatCount, formatPorts, formatRelative, formatTime } from './format';

export interface CardRow {
  label: string;
  value: string;
}

export function osText(m: Machine): string | undefined {
  const parts = [m.osPlatform, m.version, m.osBuild !== undefined ? `build ${m.osBuild}` : undefined].filter(
    (p): p is string => p !== undefined && p !== '',
  );
  return parts.length > 0 ? parts.join(' ') : undefined;
}

export function machineTitle(id: string, details?: Machine, observed?: ObservedMachine): string {
  return details?.computerDnsName ?? observed?.name ?? id;
}

export function machineCardRows(details: Machine | undefined, observed: ObservedMachine | undefined, nowMs: number): CardRow[] {
  const rows: CardRow[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') rows.push({ label, value });
  };
  if (details) {
    add('OS', osText(details));
    add('Risk', details.riskScore);
    add('Health', details.healthStatus);
    add('Exposure', details.exposureLevel);
    add('Device value', details.deviceValue);
    if (details.lastSeen) add('Last seen', `${formatTime(details.lastSeen)} (${formatRelative(details.lastSeen, nowMs)})`);
    add(
      'IP addresses',
      [...new Set([details.lastIpAddress, ...details.ipAddresses.map((a) => a.ipAddress)].filter((x): x is string => !!x))].join(', ') ||
        undefined,
    );
    add('Public IP', details.lastExternalIpAddress);
    add('Tags', details.machineTags.length > 0 ? details.machineTags.join(', ') : 'none');
    add('Device group', details.rbacGroupName);
    add('Onboarding', details.onboardingStatus);
  }
  if (observed) {
    add('With this address', `${formatCount(observed.events)} events, ${formatTime(observed.firstSeen)} to ${formatTime(observed.lastSeen)}`);
    add('Remote ports', formatPorts(observed.remotePorts));
    add('Local ports', formatPorts(observed.localPorts));
    add('Processes', observed.processes.length > 0 ? observed.processes.join(', ') : undefined);
  }
  return rows;
}
