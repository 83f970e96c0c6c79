// The tree's `contextValue` flags, in one place: a node carries space-separated flags and package.json menus match
// them with regex `when` clauses (`viewItem =~ /\bmachine\b/`), so a node can offer several menus at once.

export const ContextFlag = {
  /** An investigated address (top level). */
  address: 'address',
  /** A machine observed with, or holding, an address. */
  machine: 'machine',
  /** The machine's last known IP is known (or can be fetched): "Investigate this machine's last IP". */
  lastIp: 'lastIp',
  /** A node that can be opened in the Defender portal. */
  portal: 'portal',
  /** A detail row of a machine (OS, ports, processes...). */
  detail: 'detail',
  /** An alert under a machine. */
  alert: 'alert',
  /** A message row (loading, empty, error). */
  message: 'message',
  /** The Triage group and its verdict sub-groups. */
  triage: 'triage',
  /** The top-level Triage node (clear, show, export). */
  triageRoot: 'triageRoot',
  /** An address under the Triage group. */
  triageAddress: 'triageAddress',
  /** A remote address a machine talked to ("Talked to" under a machine). */
  remoteAddress: 'remoteAddress',
  /** An address the analyst can give a verdict or a note (investigated, triaged, or in the history). */
  annotatable: 'annotatable',
  /** The top-level History group (search, clear). */
  historyRoot: 'historyRoot',
  /** An address under the History group (open, remove from the history). */
  historyEntry: 'historyEntry',
} as const;

export type ContextFlag = (typeof ContextFlag)[keyof typeof ContextFlag];

export function contextValue(...flags: ContextFlag[]): string {
  return flags.join(' ');
}

/** The `when` clause fragment matching a flag (the manifest spells the same regex). */
export function viewItemHas(flag: ContextFlag): string {
  return `viewItem =~ /\\b${flag}\\b/`;
}
