// Builds the hover's Markdown from plain data: the address facts at once, then whatever the lookup has so far.
// Every string from the API or the file is escaped here; links go only to the extension's own commands. Pure.
import { normaliseDeviceId } from '../../core/defender/validate';
import { describeError } from '../../core/investigation/describeError';
import type { Alert } from '../../shared/defenderModel';
import type { AddressFacts, Investigation, Lookback, SectionName } from '../../shared/investigation';
import { LOOKBACK_DAYS } from '../../shared/investigation';
import { commandLink, escapeMarkdown } from '../../shared/markdown';
import type { LookupSnapshot } from './hoverLookups';

/** `vscode.l10n.t` in the extension; plain substitution in tests. Messages are ours; arguments are escaped first. */
export type Localize = (message: string, ...args: (string | number)[]) => string;

export const plainLocalize: Localize = (message, ...args) => message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));

export const HOVER_COMMANDS = {
  investigate: 'ipInvestigator.investigateIp',
  findAtTime: 'ipInvestigator.findMachinesByIp',
  copy: 'ipInvestigator.copyAddress',
  portal: 'ipInvestigator.openInPortal',
  signIn: 'ipInvestigator.signIn',
  openMachine: 'ipInvestigator.investigateMachine',
  addIndicator: 'ipInvestigator.addIndicator',
} as const;

/** What `isTrusted.enabledCommands` allows in the hover: these and nothing else. */
export const HOVER_ENABLED_COMMANDS: readonly string[] = Object.values(HOVER_COMMANDS);

export const DEMO_NOTICE = 'Demo tenant: simulated data';

/** What the hover says about the address's indicator (undefined: not known within the budget). */
export interface HoverIndicator {
  /** "Blocked by indicator 'Known C2', expires 2027-01-10"; absent when the address has none. */
  line?: string;
  /** The identity may write and the address can take an indicator. */
  canAdd: boolean;
  updating: boolean;
}

export interface HoverModel {
  facts: AddressFacts;
  /** The address as written in the file. */
  text: string;
  /** The line's timestamp. */
  lineTime?: { time: Date; format: string };
  lookback: Lookback;
  /** Why there is no lookup (e.g. a loopback address); undefined when a lookup ran. */
  noLookup?: string;
  snapshot?: LookupSnapshot;
  /** True when the line time allows "Find machines at <time>" (internal address, within the past 30 days). */
  findAtTime: boolean;
  demo: boolean;
  indicator?: HoverIndicator;
  /** The analyst's verdict and note on the address, as escaped Markdown (annotationMarkdown, from the history). */
  annotation?: string;
}

const SEVERITY_ORDER = ['High', 'Medium', 'Low', 'Informational', 'UnSpecified'];
const MAX_ALERT_TITLES = 3;
const MAX_MACHINES = 5;
/** Sub-items are plain lines with a marker, not a Markdown list: a list would swallow the lines after it. */
const ITEM = '\u2003↳';

/** `2026-11-20 10:03:12 UTC`: absolute and unambiguous, as analysts quote times. */
export function formatTime(value: string | Date | undefined): string {
  if (value === undefined) return '';
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return typeof value === 'string' ? value : '';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const CLASS_LABELS: Record<string, string> = {
  public: 'Public',
  private: 'Private',
  shared: 'Shared address space (CGNAT)',
  loopback: 'Loopback',
  'link-local': 'Link-local',
  'unique-local': 'Unique local',
  multicast: 'Multicast',
  documentation: 'Documentation',
  benchmarking: 'Benchmarking',
  reserved: 'Reserved',
  unspecified: 'Unspecified',
  broadcast: 'Broadcast',
};

export function classLabel(ipClass: string): string {
  return CLASS_LABELS[ipClass] ?? ipClass;
}

/** Address classes that a Defender lookup cannot say anything useful about. */
export function noLookupReason(facts: AddressFacts, t: Localize = plainLocalize): string | undefined {
  switch (facts.ipClass) {
    case 'loopback':
      return t('Loopback addresses never leave the machine: nothing to look up.');
    case 'unspecified':
      return t('The unspecified address is never a real peer: nothing to look up.');
    case 'multicast':
    case 'broadcast':
      return t('Multicast and broadcast addresses are not single hosts: nothing to look up.');
    default:
      return undefined;
  }
}

function sectionName(s: SectionName, t: Localize): string {
  switch (s) {
    case 'stats':
      return t('prevalence');
    case 'alerts':
      return t('alerts');
    case 'machines':
      return t('machines');
    case 'machinesAtTime':
      return t('machines at the line time');
    default:
      return s;
  }
}

function factsBlock(m: HoverModel, t: Localize): string[] {
  const f = m.facts;
  const icon = f.internal ? '$(lock)' : f.ipClass === 'public' ? '$(globe)' : '$(circle-large-outline)';
  const lines: string[] = [];
  lines.push(`${icon} **${escapeMarkdown(f.ip)}** · IPv${f.version} · ${escapeMarkdown(t(classLabel(f.ipClass)))}`);
  if (f.block) {
    const rfc = f.block.rfc ? ` · ${escapeMarkdown(f.block.rfc)}` : '';
    lines.push(`${escapeMarkdown(f.block.name)} (${escapeMarkdown(f.block.prefix)})${rfc}`);
  }
  const extras: string[] = [];
  if (f.port !== undefined) extras.push(t('port {0}', f.port));
  if (f.prefix !== undefined) extras.push(t('prefix /{0}', f.prefix));
  if (f.zone !== undefined) extras.push(t('zone {0}', escapeMarkdown(f.zone, 40)));
  if (f.defanged) extras.push(t('refanged from {0}', escapeMarkdown(m.text, 80)));
  if (f.leadingZeros) extras.push(t('written with leading zeros (read as decimal)'));
  if (extras.length > 0) lines.push(extras.join(' · '));
  if (m.lineTime) lines.push(t('Line time: {0} ({1})', escapeMarkdown(formatTime(m.lineTime.time)), escapeMarkdown(m.lineTime.format)));
  return lines;
}

function severityCounts(alerts: Alert[]): string {
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1);
  const known = SEVERITY_ORDER.filter((s) => counts.has(s)).map((s) => `${s} ${counts.get(s)}`);
  const other = [...counts.keys()].filter((s) => !SEVERITY_ORDER.includes(s)).map((s) => `${escapeMarkdown(s, 30)} ${counts.get(s)}`);
  return [...known, ...other].join(' · ');
}

function statsLine(inv: Investigation, t: Localize): string | undefined {
  const s = inv.stats;
  if (!s) return undefined;
  const days = LOOKBACK_DAYS[inv.lookback];
  if (s.prevalence === 0) return t('**In your organisation ({0} d):** not observed', days);
  const seen: string[] = [];
  if (s.firstSeen) seen.push(t('first seen {0}', escapeMarkdown(formatTime(s.firstSeen))));
  if (s.lastSeen) seen.push(t('last seen {0}', escapeMarkdown(formatTime(s.lastSeen))));
  const machines = s.prevalence === 1 ? t('1 machine') : t('{0} machines', s.prevalence);
  return [t('**In your organisation ({0} d):** {1}', days, machines), ...seen].join(' · ');
}

function alertLines(inv: Investigation, t: Localize): string[] {
  const alerts = inv.alerts;
  if (!alerts) return [];
  if (alerts.length === 0) return [t('**Alerts:** none related to this address')];
  const lines = [t('**Alerts:** {0} ({1})', alerts.length, severityCounts(alerts))];
  for (const a of alerts.slice(0, MAX_ALERT_TITLES)) {
    const when = a.alertCreationTime ? ` · ${escapeMarkdown(formatTime(a.alertCreationTime))}` : '';
    lines.push(`${ITEM} ${escapeMarkdown(a.severity, 30)} · ${escapeMarkdown(a.title, 120)}${when}`);
  }
  if (alerts.length > MAX_ALERT_TITLES) lines.push(`${ITEM} ${t('and {0} more', alerts.length - MAX_ALERT_TITLES)}`);
  return lines;
}

function machineLines(inv: Investigation, t: Localize): string[] {
  const machines = inv.machines;
  if (!machines) return [];
  if (machines.length === 0) return [t('**Machines observed:** none in the past {0} d', LOOKBACK_DAYS[inv.lookback])];
  const top = [...machines].sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || b.events - a.events).slice(0, MAX_MACHINES);
  const names = top.map((m) => `${escapeMarkdown(m.name, 80)} (${m.events})`).join(', ');
  const more = machines.length > top.length ? ` ${t('and {0} more', machines.length - top.length)}` : '';
  return [t('**Machines observed:** {0}: {1}{2}', machines.length, names, more)];
}

function atTimeLines(inv: Investigation, t: Localize): string[] {
  const at = inv.machinesAtTime;
  if (!at) return [];
  const when = escapeMarkdown(formatTime(at.at));
  if (at.machines.length === 0) return [t('**At {0} (±15 min):** no machine held this address', when)];
  const names = at.machines
    .slice(0, MAX_MACHINES)
    .map((m) => {
      // "Open machine" next to each holder; only a well-formed device id becomes a link argument.
      const id = normaliseDeviceId(m.id);
      const link = id ? ` ${commandLink(t('Open machine'), HOVER_COMMANDS.openMachine, { machineId: id, lookback: inv.lookback })}` : '';
      return `${escapeMarkdown(m.computerDnsName ?? m.id, 80)}${link}`;
    })
    .join(', ');
  const more = at.machines.length > MAX_MACHINES ? ` ${t('and {0} more', at.machines.length - MAX_MACHINES)}` : '';
  return [t('**Held this address at {0} (±15 min):** {1}{2}', when, names, more)];
}

function lookupBlock(m: HoverModel, t: Localize): string[] {
  if (m.noLookup) return [escapeMarkdown(m.noLookup)];
  const snap = m.snapshot;
  if (!snap) return [];
  const lines: string[] = [];
  const inv = snap.investigation;
  if (inv) {
    const stats = statsLine(inv, t);
    if (stats) lines.push(stats);
    lines.push(...alertLines(inv, t), ...machineLines(inv, t), ...atTimeLines(inv, t));
    // Sections that failed for the same reason (typically: not signed in) are told once.
    const groups = new Map<string, { sections: string[]; message: string; remedy?: string; signIn: boolean }>();
    for (const p of inv.problems) {
      const key = `${p.message}\n${p.remedy ?? ''}`;
      const g = groups.get(key) ?? { sections: [], message: p.message, ...(p.remedy ? { remedy: p.remedy } : {}), signIn: false };
      g.sections.push(sectionName(p.source, t));
      g.signIn ||= p.kind === 'auth' || p.kind === 'permission';
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const remedy = g.remedy ? ` ${escapeMarkdown(g.remedy)}` : '';
      const signIn = g.signIn ? ` ${commandLink(t('Sign in'), HOVER_COMMANDS.signIn)}` : '';
      lines.push(`$(warning) ${escapeMarkdown(g.sections.join(', '))}: ${escapeMarkdown(g.message)}${remedy}${signIn}`);
    }
  }
  if (snap.error !== undefined) {
    const d = describeError(snap.error);
    if (d.kind !== 'cancelled') {
      const remedy = d.remedy ? ` ${escapeMarkdown(d.remedy)}` : '';
      const signIn = d.action === 'signIn' ? ` ${commandLink(t('Sign in'), HOVER_COMMANDS.signIn)}` : '';
      lines.push(`$(warning) ${t('Lookup failed:')} ${escapeMarkdown(d.message)}${remedy}${signIn}`);
    }
  }
  if (!snap.done) {
    const waiting = snap.pending.length > 0 ? snap.pending.map((s) => escapeMarkdown(sectionName(s, t))).join(', ') : t('the lookup');
    lines.push(`$(sync~spin) ${t('Still looking up {0}: hover again to see the rest.', waiting)}`);
  }
  return lines;
}

function linkLine(m: HoverModel, t: Localize): string {
  const ip = m.facts.ip;
  const at = m.lineTime?.time.toISOString();
  const links = [commandLink(t('Investigate'), HOVER_COMMANDS.investigate, { ip, lookback: m.lookback, ...(at ? { at } : {}) })];
  if (m.findAtTime && m.lineTime) {
    links.push(commandLink(t('Find machines at {0}', formatTime(m.lineTime.time)), HOVER_COMMANDS.findAtTime, { ip, at }));
  }
  if (m.indicator?.canAdd) links.push(commandLink(m.indicator.updating ? t('Update indicator…') : t('Add indicator…'), HOVER_COMMANDS.addIndicator, { ip }));
  links.push(commandLink(t('Copy address'), HOVER_COMMANDS.copy, { ip }));
  links.push(commandLink(t('Open in Defender portal'), HOVER_COMMANDS.portal, { ip }));
  return links.join(' · ');
}

/** The hover's Markdown: paragraphs separated by blank lines, sections by rules. */
export function buildHoverMarkdown(m: HoverModel, t: Localize = plainLocalize): string {
  const blocks: string[] = [factsBlock(m, t).join('  \n')];
  if (m.annotation) blocks.push(m.annotation);
  const lookup = lookupBlock(m, t);
  if (m.indicator) lookup.push(m.indicator.line ? `$(shield) ${escapeMarkdown(m.indicator.line, 200)}` : `$(shield) ${t('No indicator for this address')}`);
  if (lookup.length > 0) blocks.push(lookup.join('  \n'));
  blocks.push(linkLine(m, t));
  if (m.demo) blocks.push(`$(beaker) _${t(DEMO_NOTICE)}_`);
  return blocks.join('\n\n---\n\n');
}
