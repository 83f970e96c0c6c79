// The "History" group of the Machines view as plain node data: every address investigated (or marked) in the current
// tenant, newest first, with the analyst's verdict, how long ago, the look-back and the note in the tooltip. A click
// opens it again from what was kept. Pure (no vscode import); values from the API or the analyst are escaped.
import type { HistoryEntry } from '../../core/history/historyModel';
import { LOOKBACK_DAYS } from '../../shared/investigation';
import { escapeMarkdown } from '../../shared/markdown';
import { formatTime, plainLocalize, type Localize } from '../hover/hoverContent';
import { ContextFlag, contextValue } from '../tree/contextValues';
import { plain } from '../tree/plainText';
import { relativeTime, type TreeNodeModel } from '../tree/treeModel';
import { annotationMarkdown, annotationShort, verdictIcon } from './annotationText';

export const HISTORY_ROOT_ID = 'history';
/** Addresses listed in the group at most; the search finds them all. */
export const MAX_HISTORY_NODES = 200;
export const OPEN_FROM_HISTORY = 'ipInvestigator.history.open';
export const SEARCH_HISTORY = 'ipInvestigator.history.search';

const entryId = (ip: string): string => `${HISTORY_ROOT_ID}/address:${ip}`;

export function historyRoots(entries: readonly HistoryEntry[], tenantLabel: string, t: Localize = plainLocalize): TreeNodeModel[] {
  if (entries.length === 0) return [];
  const marked = entries.filter((e) => e.annotation?.verdict).length;
  const parts = [entries.length === 1 ? t('1 address') : t('{0} addresses', entries.length)];
  if (marked > 0) parts.push(t('{0} with your verdict', marked));
  return [
    {
      id: HISTORY_ROOT_ID,
      kind: 'history',
      label: t('History'),
      description: parts.join(' · '),
      tooltip: [`**${escapeMarkdown(t('Investigation history'))}**`, escapeMarkdown(tenantLabel), t('Kept in this workspace, for this tenant only.')].join('  \n'),
      icon: { id: 'history' },
      contextValue: contextValue(ContextFlag.historyRoot),
      collapsible: 'collapsed',
      accessibilityLabel: t('Investigation history, {0}', parts.join(', ')),
      ip: '',
    },
  ];
}

export function historyNode(e: HistoryEntry, now: number, t: Localize = plainLocalize): TreeNodeModel {
  const parts: string[] = [];
  const short = annotationShort(e.annotation, t);
  if (short) parts.push(short);
  const when = e.lastInvestigatedAt ?? e.updatedAt;
  parts.push(relativeTime(when, now, t));
  if (e.lookback) parts.push(t('{0} d', LOOKBACK_DAYS[e.lookback]));
  if (e.at) parts.push(t('at {0}', formatTime(e.at)));
  if (!e.lastInvestigatedAt) parts.push(t('not investigated'));
  const inv = e.kept?.investigation;
  const tooltip = [
    `**${escapeMarkdown(e.ip)}**`,
    ...(e.annotation ? [annotationMarkdown(e.annotation, t) ?? ''] : []),
    ...(e.lastInvestigatedAt ? [t('Investigated {0}', escapeMarkdown(formatTime(e.lastInvestigatedAt)))] : []),
    ...(e.kept ? [t('Data fetched {0}', escapeMarkdown(formatTime(e.kept.fetchedAt)))] : []),
    ...(inv?.stats ? [t('Prevalence: {0} machines', inv.stats.prevalence)] : []),
    ...(inv?.alerts ? [t('Related alerts: {0}', inv.alerts.length)] : []),
  ].join('  \n');
  return {
    id: entryId(e.ip),
    kind: 'history',
    label: e.ip,
    description: parts.filter(Boolean).join(' · '),
    tooltip,
    icon: e.annotation?.verdict ? verdictIcon(e.annotation.verdict) : { id: e.annotation?.note ? 'note' : 'history' },
    contextValue: contextValue(ContextFlag.historyEntry, ContextFlag.portal, ContextFlag.annotatable),
    collapsible: 'none',
    accessibilityLabel: t('{0}, {1}', e.ip, plain(parts.join(', '), 200)),
    ip: e.ip,
    parentId: HISTORY_ROOT_ID,
    command: { command: OPEN_FROM_HISTORY, title: t('Open from History'), arguments: [{ ip: e.ip }] },
  };
}

export function historyChildren(entries: readonly HistoryEntry[], node: TreeNodeModel, now: number, t: Localize = plainLocalize): TreeNodeModel[] {
  if (node.id !== HISTORY_ROOT_ID) return [];
  const nodes = entries.slice(0, MAX_HISTORY_NODES).map((e) => historyNode(e, now, t));
  if (entries.length > MAX_HISTORY_NODES) {
    const label = t('…and {0} more: search the history', entries.length - MAX_HISTORY_NODES);
    nodes.push({
      id: `${HISTORY_ROOT_ID}/more`,
      kind: 'history',
      label,
      icon: { id: 'search' },
      contextValue: contextValue(ContextFlag.message),
      collapsible: 'none',
      accessibilityLabel: label,
      ip: '',
      parentId: HISTORY_ROOT_ID,
      command: { command: SEARCH_HISTORY, title: t('Search Investigation History') },
    });
  }
  return nodes;
}

export function ownsHistoryNode(node: TreeNodeModel): boolean {
  return node.id === HISTORY_ROOT_ID || node.id.startsWith(`${HISTORY_ROOT_ID}/`);
}
