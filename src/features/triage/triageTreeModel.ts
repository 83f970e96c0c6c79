// The "Triage" group of the Machines view as plain node data: addresses with alerts, then those seen, then collapsed
// groups for the other verdicts; each address opens its investigation. Pure (no vscode import); every value from a
// file or the API is escaped in tooltips and made one plain line in labels.
import { escapeMarkdown } from '../../shared/markdown';
import { LOOKBACK_DAYS } from '../../shared/investigation';
import { severityCountsText, type TriageEntry, type TriageVerdict } from '../../shared/triageModel';
import { classLabel, plainLocalize, type Localize } from '../hover/hoverContent';
import { ContextFlag, contextValue } from '../tree/contextValues';
import { plain } from '../tree/plainText';
import type { AnnotationOf, TreeNodeModel } from '../tree/treeModel';
import { annotationMarkdown, annotationShort } from '../history/annotationText';
import { count, entryDetail, investigationTime, verdictLabel } from './tableRows';
import type { TriageResults } from './triageResults';

export const TRIAGE_ROOT_ID = 'triage';
/** Addresses listed under one group at most; the table has them all. */
export const MAX_TREE_ADDRESSES = 200;
/** Verdicts listed directly under the root; the others get a collapsed group each. */
const TOP: readonly TriageVerdict[] = ['alerts', 'seen'];
const GROUPED: readonly TriageVerdict[] = ['internal', 'not-seen', 'unknown', 'pending', 'skipped'];

const groupId = (v: TriageVerdict): string => `${TRIAGE_ROOT_ID}/group:${v}`;
const addressId = (ip: string): string => `${TRIAGE_ROOT_ID}/address:${ip}`;

function severityColor(severity: string | undefined): string {
  switch ((severity ?? '').toLowerCase()) {
    case 'high':
      return 'charts.red';
    case 'medium':
      return 'charts.orange';
    case 'low':
      return 'charts.yellow';
    default:
      return 'charts.red';
  }
}

function verdictIcon(v: TriageVerdict, severity?: string): { id: string; color?: string } {
  switch (v) {
    case 'alerts':
      return { id: 'error', color: severityColor(severity) };
    case 'seen':
      return { id: 'eye', color: 'charts.orange' };
    case 'internal':
      return { id: 'lock', color: 'charts.blue' };
    case 'not-seen':
      return { id: 'circle-outline' };
    case 'skipped':
      return { id: 'circle-slash' };
    case 'unknown':
      return { id: 'question', color: 'problemsWarningIcon.foreground' };
    case 'pending':
      return { id: 'loading~spin' };
  }
}

function byVerdict(results: TriageResults): Map<TriageVerdict, TriageEntry[]> {
  const out = new Map<TriageVerdict, TriageEntry[]>();
  for (const e of results.sortedEntries()) {
    const list = out.get(e.verdict);
    if (list) list.push(e);
    else out.set(e.verdict, [e]);
  }
  return out;
}

/** The Triage group; none when there are no results. */
export function triageRoots(results: TriageResults | undefined, t: Localize = plainLocalize): TreeNodeModel[] {
  if (!results) return [];
  const s = results.summary();
  const v = s.byVerdict;
  const parts: string[] = [];
  if (results.running) parts.push(t('running: {0}/{1} addresses', count(s.resolved), count(s.addresses)));
  else {
    if (v.alerts > 0) parts.push(t('{0} with alerts', count(v.alerts)));
    if (v.seen > 0) parts.push(t('{0} seen', count(v.seen)));
    parts.push(s.addresses === 1 ? t('1 address') : t('{0} addresses', count(s.addresses)));
    if (results.state === 'cancelled') parts.push(t('cancelled'));
  }
  const tooltip = [
    `**${escapeMarkdown(t('Triage: {0}', results.source))}**`,
    t('Look-back: {0} d', LOOKBACK_DAYS[results.lookback]),
    t('{0} hunting queries, {1} findbyip calls, {2} addresses from the cache', s.calls.hunting, s.calls.findbyip, s.calls.cacheHits),
    ...s.notes.map((n) => `$(warning) ${escapeMarkdown(n)}`),
  ].join('  \n');
  return [
    {
      id: TRIAGE_ROOT_ID,
      kind: 'triage',
      label: t('Triage'),
      description: parts.join(' · '),
      tooltip,
      icon: results.running ? { id: 'loading~spin' } : v.alerts > 0 ? { id: 'warning', color: 'charts.red' } : { id: 'checklist' },
      contextValue: contextValue(ContextFlag.triage, ContextFlag.triageRoot),
      collapsible: 'expanded',
      accessibilityLabel: t('Triage results, {0}', parts.join(', ')),
      ip: '',
      command: { command: 'ipInvestigator.showTriage', title: t('Show Triage Results') },
    },
  ];
}

function addressNode(results: TriageResults, e: TriageEntry, parentId: string, t: Localize, annotationOf?: AnnotationOf): TreeNodeModel {
  const parts: string[] = [];
  const mark = annotationOf?.(e.ip);
  if (e.alerts && e.alerts.count > 0) {
    parts.push(e.alerts.count === 1 ? t('1 alert') : t('{0} alerts', count(e.alerts.count)));
    const bySeverity = severityCountsText(e.alerts);
    if (bySeverity) parts.push(plain(bySeverity, 60));
    else if (e.alerts.highestSeverity) parts.push(plain(e.alerts.highestSeverity, 20));
  }
  if (!e.internal && e.sightings) parts.push(e.sightings.machines === 1 ? t('1 machine') : t('{0} machines', count(e.sightings.machines)));
  const detail = entryDetail(e, t);
  if (e.verdict !== 'alerts' && e.verdict !== 'seen' && detail) parts.push(plain(detail, 80));
  if (e.verdict === 'not-seen') parts.unshift(t('not seen in {0} d', LOOKBACK_DAYS[results.lookback]));
  const short = annotationShort(mark, t);
  if (short) parts.unshift(short);
  const first = e.occurrences[0];
  const tooltip = [
    `**${escapeMarkdown(e.ip)}** · ${escapeMarkdown(t(classLabel(e.ipClass)))} · ${escapeMarkdown(verdictLabel(e.verdict, t))}`,
    ...(e.alerts?.titles ?? []).slice(0, 5).map((title) => `$(bell) ${escapeMarkdown(title)}`),
    ...(detail && e.verdict !== 'alerts' ? [escapeMarkdown(detail)] : []),
    ...(first ? [t('First: {0}', escapeMarkdown(`${first.file}:${first.line}:${first.column}`))] : []),
    e.occurrenceCount === 1 ? t('1 occurrence') : t('{0} occurrences', count(e.occurrenceCount)),
    ...(mark ? [annotationMarkdown(mark, t) ?? ''] : []),
  ].join('  \n');
  const at = investigationTime(e);
  return {
    id: addressId(e.ip),
    kind: 'triage',
    label: e.ip,
    description: parts.join(' · '),
    tooltip,
    icon: verdictIcon(e.verdict, e.alerts?.highestSeverity),
    contextValue: contextValue(ContextFlag.triageAddress, ContextFlag.portal, ContextFlag.annotatable),
    collapsible: 'none',
    accessibilityLabel: t('{0}, {1}, {2}', e.ip, verdictLabel(e.verdict, t), parts.join(', ')),
    ip: e.ip,
    parentId,
    command: { command: 'ipInvestigator.investigateIp', title: t('Investigate'), arguments: [{ ip: e.ip, lookback: results.lookback, ...(at ? { at } : {}) }] },
  };
}

function moreNode(parentId: string, more: number, t: Localize): TreeNodeModel {
  const label = t('…and {0} more in the triage table', count(more));
  return {
    id: `${parentId}/more`,
    kind: 'triage',
    label,
    icon: { id: 'table' },
    contextValue: contextValue(ContextFlag.message),
    collapsible: 'none',
    accessibilityLabel: label,
    ip: '',
    parentId,
    command: { command: 'ipInvestigator.showTriage', title: t('Show Triage Results') },
  };
}

function addresses(results: TriageResults, entries: readonly TriageEntry[], parentId: string, t: Localize, annotationOf?: AnnotationOf): TreeNodeModel[] {
  const nodes = entries.slice(0, MAX_TREE_ADDRESSES).map((e) => addressNode(results, e, parentId, t, annotationOf));
  if (entries.length > MAX_TREE_ADDRESSES) nodes.push(moreNode(parentId, entries.length - MAX_TREE_ADDRESSES, t));
  return nodes;
}

export function triageChildren(results: TriageResults | undefined, node: TreeNodeModel, t: Localize = plainLocalize, annotationOf?: AnnotationOf): TreeNodeModel[] {
  if (!results) return [];
  const groups = byVerdict(results);
  if (node.id === TRIAGE_ROOT_ID) {
    const out: TreeNodeModel[] = [];
    for (const v of TOP) out.push(...addresses(results, groups.get(v) ?? [], TRIAGE_ROOT_ID, t, annotationOf));
    for (const v of GROUPED) {
      const n = groups.get(v)?.length ?? 0;
      if (n === 0) continue;
      const label = verdictLabel(v, t);
      out.push({
        id: groupId(v),
        kind: 'triage',
        label,
        description: count(n),
        icon: verdictIcon(v),
        contextValue: contextValue(ContextFlag.triage),
        collapsible: 'collapsed',
        accessibilityLabel: `${label}: ${n}`,
        ip: '',
        parentId: TRIAGE_ROOT_ID,
      });
    }
    return out;
  }
  const v = GROUPED.find((g) => node.id === groupId(g));
  return v ? addresses(results, groups.get(v) ?? [], node.id, t, annotationOf) : [];
}

export function triageParent(results: TriageResults | undefined, node: TreeNodeModel, t: Localize = plainLocalize): TreeNodeModel | undefined {
  if (!results || node.id === TRIAGE_ROOT_ID || !node.parentId) return undefined;
  if (node.parentId === TRIAGE_ROOT_ID) return triageRoots(results, t)[0];
  return triageChildren(results, { id: TRIAGE_ROOT_ID } as TreeNodeModel, t).find((c) => c.id === node.parentId);
}

export function ownsTriageNode(node: TreeNodeModel): boolean {
  return node.id === TRIAGE_ROOT_ID || node.id.startsWith(`${TRIAGE_ROOT_ID}/`);
}
