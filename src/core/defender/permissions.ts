// Which API permission each client operation needs, so a 403 can name it and say what to grant.
// Facts: shared/reference/defender-api.md (each endpoint's "Permissions").

export type DefenderOperation =
  | 'findMachinesByIp'
  | 'getIpStats'
  | 'getIpAlerts'
  | 'getMachine'
  | 'findMachinesByLastIp'
  | 'getMachineAlerts'
  | 'huntGraph'
  | 'huntDefender'
  | 'findMachinesByName'
  | 'getMachineLogonUsers'
  | 'listIndicators'
  | 'submitIndicator'
  | 'importIndicators'
  | 'deleteIndicator';

export interface PermissionRequirement {
  /** Application permission (app registration with a secret or certificate). */
  application: string;
  /** Delegated permission (signed-in user). */
  delegated: string;
  /** Which resource the permission belongs to, as shown in the Entra portal. */
  api: 'WindowsDefenderATP' | 'Microsoft Graph';
  /** What the operation does, for messages. */
  purpose: string;
}

const MACHINE = { application: 'Machine.Read.All', delegated: 'Machine.Read', api: 'WindowsDefenderATP' } as const;
const ALERT = { application: 'Alert.Read.All', delegated: 'Alert.Read', api: 'WindowsDefenderATP' } as const;
// Every indicators route takes Ti.ReadWrite (an app then sees only its own indicators) or Ti.ReadWrite.All: there is no
// read-only indicator permission, so even listing needs a write permission.
const INDICATORS = { application: 'Ti.ReadWrite.All', delegated: 'Ti.ReadWrite', api: 'WindowsDefenderATP' } as const;

const REQUIREMENTS: Record<DefenderOperation, PermissionRequirement> = {
  findMachinesByIp: { ...MACHINE, purpose: 'find machines by internal IP' },
  getIpStats: { application: 'Ip.Read.All', delegated: 'Ip.Read.All', api: 'WindowsDefenderATP', purpose: 'read IP statistics' },
  getIpAlerts: { ...ALERT, purpose: 'read IP-related alerts' },
  getMachine: { ...MACHINE, purpose: 'read machines' },
  findMachinesByLastIp: { ...MACHINE, purpose: 'list machines by last IP' },
  getMachineAlerts: { ...ALERT, purpose: 'read machine alerts' },
  huntGraph: {
    application: 'ThreatHunting.Read.All',
    delegated: 'ThreatHunting.Read.All',
    api: 'Microsoft Graph',
    purpose: 'run hunting queries through Microsoft Graph',
  },
  huntDefender: {
    application: 'AdvancedQuery.Read.All',
    delegated: 'AdvancedQuery.Read',
    api: 'WindowsDefenderATP',
    purpose: 'run advanced hunting queries',
  },
  findMachinesByName: { ...MACHINE, purpose: 'find machines by name' },
  // The logon-users page lists User.Read.All for both application and delegated tokens ('Read user profiles').
  getMachineLogonUsers: { application: 'User.Read.All', delegated: 'User.Read.All', api: 'WindowsDefenderATP', purpose: 'read the users logged on to machines' },
  listIndicators: { ...INDICATORS, purpose: 'read indicators' },
  submitIndicator: { ...INDICATORS, purpose: 'create or update indicators' },
  importIndicators: { ...INDICATORS, purpose: 'import indicators' },
  deleteIndicator: { ...INDICATORS, purpose: 'remove indicators' },
};

const INDICATOR_OPERATIONS: ReadonlySet<DefenderOperation> = new Set(['listIndicators', 'submitIndicator', 'importIndicators', 'deleteIndicator']);

/** The indicator operations, whose permission is named the way Defender's pages name it. */
export function isIndicatorOperation(operation: string): boolean {
  return INDICATOR_OPERATIONS.has(operation as DefenderOperation);
}

/** The one sentence every surface uses when a write is not allowed. */
export const INDICATOR_PERMISSION_REASON = 'needs Ti.ReadWrite; sign in with an app or role that has it';

export function requiredPermission(operation: DefenderOperation): PermissionRequirement {
  return REQUIREMENTS[operation];
}

/** "Ip.Read.All" or "Alert.Read.All (application) / Alert.Read (delegated)". */
export function permissionLabel(operation: DefenderOperation): string {
  if (INDICATOR_OPERATIONS.has(operation)) return 'Ti.ReadWrite / Ti.ReadWrite.All';
  const r = REQUIREMENTS[operation];
  return r.application === r.delegated ? r.application : `${r.application} (application) / ${r.delegated} (delegated)`;
}

/** Short message for a 403: names the permission and what to do next. */
export function permissionMessage(operation: DefenderOperation, code?: string): string {
  const r = REQUIREMENTS[operation];
  if (code === 'DisabledFeature') {
    return `Cannot ${r.purpose}: the feature is not enabled in this tenant (advanced hunting needs Defender for Endpoint Plan 2 or Defender XDR).`;
  }
  if (INDICATOR_OPERATIONS.has(operation)) {
    return `Cannot ${r.purpose}: this ${INDICATOR_PERMISSION_REASON} (grant Ti.ReadWrite or Ti.ReadWrite.All on WindowsDefenderATP, with admin consent, then sign in again).`;
  }
  const roles = r.api === 'WindowsDefenderATP' ? " Signed-in users also need the Defender 'View Data' role." : '';
  return `Missing permission to ${r.purpose}: grant ${permissionLabel(operation)} on ${r.api} to the app registration (admin consent), then sign in again.${roles}`;
}
