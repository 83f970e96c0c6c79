// The Machines view's nodes as plain data (ids, labels, codicons, escaped Markdown tooltips, context flags), built from
// the store. The provider only turns these into TreeItems. Pure (no vscode import).
import type { Annotation } from '../../shared/annotation';
import { escapeMarkdown } from '../../shared/markdown';
import { LOOKBACK_DAYS, type Lookback } from '../../shared/investigation';
import { annotationMarkdown, annotationShort } from '../history/annotationText';
import { classLabel, formatTime, plainLocalize, type Localize } from '../hover/hoverContent';
import { ContextFlag, contextValue } from './contextValues';
import type { TalkedToSource } from './machineActivity';
import { plain } from './plainText';
import type { AddressEntry, MachineView, MachinesStore } from './machinesStore';

export type NodeKind = 'address' | 'machine' | 'detail' | 'group' | 'alert' | 'message' | 'triage' | 'remote' | 'history';

export interface TreeNodeModel {
  /** Stable across refreshes: VS Code keeps selection and expansion by id. */
  id: string;
  kind: NodeKind;
  label: string;
  description?: string;
  /** Markdown, every API value escaped. */
  tooltip?: string;
  icon?: { id: string; color?: string };
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  accessibilityLabel: string;
  ip: string;
  machineId?: string;
  parentId?: string;
  /** For group nodes: which list they hold. */
  group?: 'processes' | 'files' | 'alerts' | 'talkedTo';
  /** For remote nodes: the address the machine talked to (`ip` stays the investigated address the node is under). */
  remoteIp?: string;
  /** Runs when the node is clicked (nodes of a TreeSection, e.g. a triaged address opens its investigation). */
  command?: { command: string; title: string; arguments?: unknown[] };
}

const MAX_LIST = 200;

/** `3 min ago`, `5 h ago`, `2 d ago`; absolute beyond a month. */
export function relativeTime(iso: string | undefined, now: number, t: Localize = plainLocalize): string {
  if (!iso) return '';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  if (ms < 0) return formatTime(iso);
  const min = Math.floor(ms / 60_000);
  if (min < 1) return t('just now');
  if (min < 60) return t('{0} min ago', min);
  const h = Math.floor(min / 60);
  if (h < 48) return t('{0} h ago', h);
  const d = Math.floor(h / 24);
  if (d <= 31) return t('{0} d ago', d);
  return formatTime(iso).slice(0, 10);
}

/** Codicon for a machine's health; colour by its risk. */
export function machineIcon(m: MachineView): { id: string; color?: string } {
  const health = (m.healthStatus ?? '').toLowerCase();
  const id = health === 'active' ? 'vm-active' : health === '' ? 'vm' : 'vm-outline';
  const risk = (m.riskScore ?? '').toLowerCase();
  const color =
    risk === 'high' ? 'charts.red' : risk === 'medium' ? 'charts.orange' : risk === 'low' ? 'charts.yellow' : risk === 'none' || risk === 'informational' ? 'charts.green' : undefined;
  return color ? { id, color } : { id };
}

function severityIcon(severity: string): { id: string; color?: string } {
  switch (severity.toLowerCase()) {
    case 'high':
      return { id: 'error', color: 'charts.red' };
    case 'medium':
      return { id: 'warning', color: 'charts.orange' };
    case 'low':
      return { id: 'info', color: 'charts.yellow' };
    default:
      return { id: 'info' };
  }
}

function machineId(ip: string, id: string): string {
  return `machine:${ip}:${id}`;
}

/** The analyst's verdict and note on an address, when there is one (from the investigation history). */
export type AnnotationOf = (ip: string) => Annotation | undefined;

export function addressNodes(store: MachinesStore, now: number, t: Localize = plainLocalize, annotationOf?: AnnotationOf): TreeNodeModel[] {
  return store.entries().map((e, index) => addressNode(store, e, index === 0, now, t, annotationOf?.(e.ip)));
}

function addressNode(store: MachinesStore, e: AddressEntry, newest: boolean, now: number, t: Localize, mark?: Annotation): TreeNodeModel {
  const inv = e.investigation;
  const machines = store.machines(e.ip);
  const parts: string[] = [];
  const short = annotationShort(mark, t);
  if (short) parts.push(short);
  if (inv.machines || inv.machinesAtTime) parts.push(machines.length === 1 ? t('1 machine') : t('{0} machines', machines.length));
  parts.push(t('{0} d', LOOKBACK_DAYS[e.lookback]));
  if (e.at) parts.push(t('at {0}', formatTime(e.at)));
  // Put back from the history: say how old it is (Refresh asks again).
  if (e.restoredFrom && !e.loading) parts.push(t('from {0}', relativeTime(e.restoredFrom, now, t)));
  if (e.loading) parts.push(t('loading…'));
  if (inv.problems.length > 0) parts.push(inv.problems.length === 1 ? t('1 problem') : t('{0} problems', inv.problems.length));
  const f = inv.address;
  const tooltip = [
    `**${escapeMarkdown(f.ip)}** · IPv${f.version} · ${escapeMarkdown(t(classLabel(f.ipClass)))}`,
    ...(f.block ? [`${escapeMarkdown(f.block.name)} (${escapeMarkdown(f.block.prefix)})`] : []),
    ...(inv.stats ? [t('Prevalence ({0} d): {1} machines', LOOKBACK_DAYS[e.lookback], inv.stats.prevalence)] : []),
    ...(inv.alerts ? [t('Related alerts: {0}', inv.alerts.length)] : []),
    ...inv.problems.map((p) => `$(warning) ${escapeMarkdown(p.message)}`),
    ...(mark ? [annotationMarkdown(mark, t) ?? ''] : []),
    ...(e.restoredFrom ? [t('Restored from the investigation history: data fetched {0}. Refresh asks Defender again.', escapeMarkdown(formatTime(e.restoredFrom)))] : []),
  ].join('  \n');
  return {
    id: `address:${e.ip}`,
    kind: 'address',
    label: e.ip,
    description: parts.join(' · '),
    tooltip,
    icon: e.loading ? { id: 'loading~spin' } : f.internal ? { id: 'lock' } : { id: 'globe' },
    contextValue: contextValue(ContextFlag.address, ContextFlag.portal, ContextFlag.annotatable),
    collapsible: newest ? 'expanded' : 'collapsed',
    accessibilityLabel: t('Address {0}, {1}', e.ip, parts.join(', ')),
    ip: e.ip,
  };
}

export function machineNode(m: MachineView, ip: string, now: number, t: Localize = plainLocalize): TreeNodeModel {
  const parts: string[] = [];
  if (m.osPlatform) parts.push(plain(m.osPlatform, 40));
  if (m.riskScore) parts.push(t('risk {0}', plain(m.riskScore, 20)));
  if (m.healthStatus) parts.push(plain(m.healthStatus, 30));
  if (m.lastSeen) parts.push(relativeTime(m.lastSeen, now, t));
  if (m.events !== undefined) parts.push(m.events === 1 ? t('1 event') : t('{0} events', m.events));
  if (m.heldAtTime) parts.push(t('held the address'));
  const tip: string[] = [`**${escapeMarkdown(m.name)}**`];
  const row = (label: string, value: string | undefined) => {
    if (value) tip.push(`${label}: ${escapeMarkdown(value)}`);
  };
  row(t('OS'), [m.osPlatform, m.osVersion].filter(Boolean).join(' '));
  row(t('Risk'), m.riskScore);
  row(t('Health'), m.healthStatus);
  row(t('Exposure'), m.exposureLevel);
  row(t('Last seen'), m.lastSeen ? formatTime(m.lastSeen) : undefined);
  row(t('Events'), m.events !== undefined ? String(m.events) : undefined);
  row(t('Last IP'), m.lastIpAddress);
  row(t('Remote ports'), m.remotePorts.slice(0, 20).join(', '));
  row(t('Processes'), m.processes.slice(0, 5).join(', '));
  row(t('Tags'), m.tags.join(', '));
  if (m.alerts.length > 0) tip.push(t('Related alerts: {0}', m.alerts.length));
  tip.push(`${t('Machine id')}: ${escapeMarkdown(m.id)}`);
  const flags = [ContextFlag.machine, ContextFlag.portal, ContextFlag.lastIp];
  return {
    id: machineId(ip, m.id),
    kind: 'machine',
    label: plain(m.name),
    description: parts.join(' · '),
    tooltip: tip.join('  \n'),
    icon: machineIcon(m),
    contextValue: contextValue(...flags),
    collapsible: 'collapsed',
    accessibilityLabel: t('Machine {0}, {1}', plain(m.name), parts.join(', ')),
    ip,
    machineId: m.id,
    parentId: `address:${ip}`,
  };
}

function message(parentId: string, ip: string, key: string, label: string, icon?: string): TreeNodeModel {
  return {
    id: `${parentId}/${key}`,
    kind: 'message',
    label,
    ...(icon ? { icon: { id: icon } } : {}),
    contextValue: contextValue(ContextFlag.message),
    collapsible: 'none',
    accessibilityLabel: label,
    ip,
    parentId,
  };
}

function addressChildren(store: MachinesStore, e: AddressEntry, now: number, t: Localize): TreeNodeModel[] {
  const parentId = `address:${e.ip}`;
  const machines = store.machines(e.ip).map((m) => machineNode(m, e.ip, now, t));
  const inv = e.investigation;
  const notes: TreeNodeModel[] = inv.problems
    .filter((p) => p.source === 'machines' || p.source === 'machinesAtTime' || p.source === 'machineDetails')
    .map((p, i) => message(parentId, e.ip, `problem${i}`, plain(`${p.message}${p.remedy ? ` ${p.remedy}` : ''}`, 200), 'warning'));
  if (machines.length === 0) {
    if (e.loading) notes.unshift(message(parentId, e.ip, 'loading', t('Looking up machines…'), 'loading~spin'));
    else if (inv.machines || inv.machinesAtTime) notes.unshift(message(parentId, e.ip, 'empty', t('Not observed in your organisation in the past {0} d', LOOKBACK_DAYS[e.lookback]), 'info'));
  }
  return [...machines, ...notes];
}

function detail(parent: TreeNodeModel, key: string, label: string, value: string, icon: string): TreeNodeModel {
  return {
    id: `${parent.id}/${key}`,
    kind: 'detail',
    label,
    description: value,
    tooltip: `${escapeMarkdown(label)}: ${escapeMarkdown(value, 2000)}`,
    icon: { id: icon },
    contextValue: contextValue(ContextFlag.detail),
    collapsible: 'none',
    accessibilityLabel: `${label}: ${value}`,
    ip: parent.ip,
    ...(parent.machineId ? { machineId: parent.machineId } : {}),
    parentId: parent.id,
  };
}

function group(parent: TreeNodeModel, key: 'processes' | 'files' | 'alerts' | 'talkedTo', label: string, count: number | undefined, icon: string): TreeNodeModel {
  return {
    id: `${parent.id}/${key}`,
    kind: 'group',
    label,
    ...(count !== undefined ? { description: String(count) } : {}),
    icon: { id: icon },
    contextValue: contextValue(ContextFlag.detail),
    collapsible: 'collapsed',
    accessibilityLabel: count !== undefined ? `${label}: ${count}` : label,
    ip: parent.ip,
    ...(parent.machineId ? { machineId: parent.machineId } : {}),
    parentId: parent.id,
    group: key,
  };
}

function machineChildren(node: TreeNodeModel, m: MachineView, now: number, t: Localize, lookback: Lookback, activity?: TalkedToSource): TreeNodeModel[] {
  const out: TreeNodeModel[] = [];
  const os = [m.osPlatform, m.osVersion].filter(Boolean).join(' ');
  if (os) out.push(detail(node, 'os', t('OS'), plain(os), 'device-desktop'));
  if (m.riskScore || m.exposureLevel) {
    const v = [m.riskScore ? plain(m.riskScore, 20) : '', m.exposureLevel ? t('exposure {0}', plain(m.exposureLevel, 20)) : ''].filter(Boolean).join(' · ');
    out.push(detail(node, 'risk', t('Risk'), v, 'shield'));
  }
  if (m.healthStatus) out.push(detail(node, 'health', t('Health'), plain(m.healthStatus, 40), 'pulse'));
  if (m.lastSeen) out.push(detail(node, 'lastSeen', t('Last seen'), `${formatTime(m.lastSeen)} (${relativeTime(m.lastSeen, now, t)})`, 'history'));
  if (m.firstSeen) out.push(detail(node, 'firstSeen', t('First seen'), formatTime(m.firstSeen), 'calendar'));
  if (m.events !== undefined) out.push(detail(node, 'events', t('Events'), String(m.events), 'graph'));
  if (m.lastIpAddress) out.push(detail(node, 'lastIp', t('Last IP'), plain(m.lastIpAddress, 60), 'plug'));
  if (m.heldAtTime) out.push(detail(node, 'held', t('Held the address'), t('at the investigated time (±15 min)'), 'clock'));
  if (m.remotePorts.length > 0) out.push(detail(node, 'remotePorts', t('Remote ports'), m.remotePorts.slice(0, 50).join(', '), 'arrow-right'));
  if (m.localPorts.length > 0) out.push(detail(node, 'localPorts', t('Local ports'), m.localPorts.slice(0, 50).join(', '), 'arrow-left'));
  if (m.processes.length > 0) out.push(group(node, 'processes', t('Processes'), m.processes.length, 'terminal'));
  if (m.files.length > 0) out.push(group(node, 'files', t('Files'), m.files.length, 'file'));
  if (m.alerts.length > 0) out.push(group(node, 'alerts', t('Related alerts'), m.alerts.length, 'bell'));
  if (m.tags.length > 0) out.push(detail(node, 'tags', t('Tags'), plain(m.tags.join(', '), 200), 'tag'));
  if (!m.detailed) out.push(detail(node, 'noDetails', t('Details'), t('not loaded (open the investigation for more)'), 'info'));
  if (activity) {
    const known = activity.entry(m.id, lookback);
    out.push(group(node, 'talkedTo', t('Talked to'), known?.state === 'ready' ? known.remotes.length : undefined, 'arrow-swap'));
  }
  return out;
}

/** The remote addresses of a machine, rarest first; loading starts when the group is expanded in the workbench. */
function talkedToChildren(node: TreeNodeModel, m: MachineView, lookback: Lookback, activity: TalkedToSource | undefined, t: Localize): TreeNodeModel[] {
  const entry = activity?.entry(m.id, lookback);
  if (!entry) {
    activity?.load?.(m.id, lookback);
    return [message(node.id, node.ip, 'loading', t('Looking up the addresses it talked to…'), 'loading~spin')];
  }
  if (entry.state === 'loading') return [message(node.id, node.ip, 'loading', t('Looking up the addresses it talked to…'), 'loading~spin')];
  if (entry.state === 'failed') return [message(node.id, node.ip, 'failed', plain(entry.message, 200), 'warning')];
  if (entry.remotes.length === 0) return [message(node.id, node.ip, 'empty', t('No network activity in the past {0} d', LOOKBACK_DAYS[lookback]), 'info')];
  const nodes = entry.remotes.slice(0, MAX_LIST).map((r): TreeNodeModel => {
    const seen = r.orgPrevalence <= 1 ? t('only this machine') : t('{0} machines', r.orgPrevalence);
    const parts = [seen, r.connections === 1 ? t('1 connection') : t('{0} connections', r.connections), t(classLabel(r.ipClass))];
    const tooltip = [
      `**${escapeMarkdown(r.ip)}** · ${escapeMarkdown(t(classLabel(r.ipClass)))}`,
      t('Seen by: {0}', escapeMarkdown(seen)),
      ...(r.lastSeen ? [`${t('Last seen')}: ${escapeMarkdown(formatTime(r.lastSeen))}`] : []),
      ...(r.ports.length > 0 ? [`${t('Remote ports')}: ${escapeMarkdown(r.ports.slice(0, 20).join(', '))}`] : []),
      ...(r.processes.length > 0 ? [`${t('Processes')}: ${escapeMarkdown(r.processes.slice(0, 5).join(', '))}`] : []),
    ].join('  \n');
    return {
      id: `${node.id}/${r.ip}`,
      kind: 'remote',
      label: r.ip,
      description: parts.join(' · '),
      tooltip,
      icon: r.internal ? { id: 'lock' } : r.orgPrevalence <= 1 ? { id: 'globe', color: 'charts.orange' } : { id: 'globe' },
      contextValue: contextValue(ContextFlag.remoteAddress),
      collapsible: 'none',
      accessibilityLabel: t('Remote address {0}, {1}', r.ip, parts.join(', ')),
      ip: node.ip,
      remoteIp: r.ip,
      ...(node.machineId ? { machineId: node.machineId } : {}),
      parentId: node.id,
      command: { command: 'ipInvestigator.investigateIp', title: t('Investigate IP Address'), arguments: [{ ip: r.ip, lookback }] },
    };
  });
  if (entry.remotes.length > MAX_LIST) nodes.push(message(node.id, node.ip, 'more', t('…and {0} more in the machine view', entry.remotes.length - MAX_LIST), 'info'));
  else if (entry.truncated) nodes.push(message(node.id, node.ip, 'more', t('More addresses exist: narrow the period in the machine view'), 'info'));
  return nodes;
}

function groupChildren(node: TreeNodeModel, m: MachineView, t: Localize, lookback: Lookback, activity?: TalkedToSource): TreeNodeModel[] {
  if (node.group === 'talkedTo') return talkedToChildren(node, m, lookback, activity, t);
  if (node.group === 'alerts') {
    return m.alerts.slice(0, MAX_LIST).map((a) => ({
      id: `${node.id}/${a.id}`,
      kind: 'alert' as const,
      label: plain(a.title),
      description: [plain(a.severity, 20), plain(a.status, 20), a.alertCreationTime ? formatTime(a.alertCreationTime) : ''].filter(Boolean).join(' · '),
      tooltip: [`**${escapeMarkdown(a.title)}**`, `${t('Severity')}: ${escapeMarkdown(a.severity)}`, `${t('Status')}: ${escapeMarkdown(a.status)}`, ...(a.category ? [`${t('Category')}: ${escapeMarkdown(a.category)}`] : [])].join('  \n'),
      icon: severityIcon(a.severity),
      contextValue: contextValue(ContextFlag.alert),
      collapsible: 'none' as const,
      accessibilityLabel: t('Alert {0}, severity {1}', plain(a.title), plain(a.severity, 20)),
      ip: node.ip,
      ...(node.machineId ? { machineId: node.machineId } : {}),
      parentId: node.id,
    }));
  }
  const items = node.group === 'processes' ? m.processes : m.files;
  return items.slice(0, MAX_LIST).map((value, i) => detail(node, `${i}`, plain(value, 200), '', node.group === 'processes' ? 'terminal' : 'file'));
}

/** Children of a node, or the top level when `node` is undefined. */
export function childrenOf(
  store: MachinesStore,
  node: TreeNodeModel | undefined,
  now: number,
  t: Localize = plainLocalize,
  activity?: TalkedToSource,
  annotationOf?: AnnotationOf,
): TreeNodeModel[] {
  if (!node) return addressNodes(store, now, t, annotationOf);
  const entry = store.get(node.ip);
  if (!entry) return [];
  if (node.kind === 'address') return addressChildren(store, entry, now, t);
  const m = node.machineId ? store.findMachine(node.ip, node.machineId) : undefined;
  if (!m) return [];
  if (node.kind === 'machine') return machineChildren(node, m, now, t, entry.lookback, activity);
  if (node.kind === 'group') return groupChildren(node, m, t, entry.lookback, activity);
  return [];
}

/** The node of a machine under an address, for reveal. */
export function findMachineNode(store: MachinesStore, ip: string, id: string, now: number, t: Localize = plainLocalize): TreeNodeModel | undefined {
  const m = store.findMachine(ip, id);
  return m ? machineNode(m, ip, now, t) : undefined;
}

/** The parent of a node (for TreeView.reveal). */
export function parentOf(
  store: MachinesStore,
  node: TreeNodeModel,
  now: number,
  t: Localize = plainLocalize,
  activity?: TalkedToSource,
  annotationOf?: AnnotationOf,
): TreeNodeModel | undefined {
  if (node.kind === 'address' || !node.parentId) return undefined;
  const entries = store.entries();
  const index = entries.findIndex((e) => e.ip === node.ip);
  if (index < 0) return undefined;
  if (node.parentId === `address:${node.ip}`) return addressNode(store, entries[index], index === 0, now, t, annotationOf?.(node.ip));
  if (node.machineId) {
    const machine = findMachineNode(store, node.ip, node.machineId, now, t);
    if (!machine) return undefined;
    if (node.parentId === machine.id) return machine;
    return childrenOf(store, machine, now, t, activity, annotationOf).find((c) => c.id === node.parentId);
  }
  return undefined;
}
