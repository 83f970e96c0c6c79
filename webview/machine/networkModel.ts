// Pure view of the machine's remote addresses: the public/internal split, the search (the IP timeline's index and
// filter, over one key per address), and the sort (rarest first by default). Returns row indexes, so 5,000 addresses
// cost a few typed arrays, not objects.
import type { RemoteAddress } from '../../src/shared/machine';
import { allRows, buildSearchIndex, filterTimeline, searchTerms, type FilterResult, type TimelineIndex } from '../viewModel/timeline';

export type NetworkTab = 'all' | 'public' | 'internal';
export const NETWORK_TABS: readonly NetworkTab[] = ['all', 'public', 'internal'];
export type NetworkSortKey = 'rarity' | 'ip' | 'connections' | 'firstSeen' | 'lastSeen';
export const NETWORK_SORT_KEYS: readonly NetworkSortKey[] = ['rarity', 'ip', 'connections', 'firstSeen', 'lastSeen'];
export interface NetworkSort {
  key: NetworkSortKey;
  dir: 'asc' | 'desc';
}
export const DEFAULT_NETWORK_SORT: NetworkSort = { key: 'rarity', dir: 'asc' };

/** `only this machine` or `12 machines`. */
export function seenByText(r: Pick<RemoteAddress, 'orgPrevalence'>): string {
  return r.orgPrevalence <= 1 ? 'only this machine' : `${r.orgPrevalence} machines`;
}

/** What a search matches in one address: the address, its class, ports, processes, host names, its rarity. */
export function remoteSearchKey(r: RemoteAddress): string {
  return [r.ip, r.ipClass, r.internal ? 'internal' : 'public', seenByText(r), r.ports.join(' '), r.processes.join(' '), r.urls.join(' ')].join('\u0001').toLowerCase();
}

export function splitCounts(remotes: readonly RemoteAddress[]): Record<NetworkTab, number> {
  let internal = 0;
  for (const r of remotes) if (r.internal) internal++;
  return { all: remotes.length, public: remotes.length - internal, internal };
}

function compare(a: RemoteAddress, b: RemoteAddress, key: NetworkSortKey): number {
  switch (key) {
    case 'rarity':
      return a.orgPrevalence - b.orgPrevalence || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '');
    case 'ip':
      return a.version - b.version || a.ip.localeCompare(b.ip, 'en', { numeric: true });
    case 'connections':
      return a.connections - b.connections;
    case 'firstSeen':
      return (a.firstSeen ?? '').localeCompare(b.firstSeen ?? '');
    case 'lastSeen':
      return (a.lastSeen ?? '').localeCompare(b.lastSeen ?? '');
  }
}

/** Row indexes in sort order (stable: equal rows keep the host's order, which is rarest first). */
export function sortOrder(remotes: readonly RemoteAddress[], sort: NetworkSort): Uint32Array {
  const order = Array.from(allRows(remotes.length));
  const sign = sort.dir === 'asc' ? 1 : -1;
  order.sort((i, j) => sign * compare(remotes[i], remotes[j], sort.key) || i - j);
  return Uint32Array.from(order);
}

/** Next sort when a header is clicked: the same column flips; a new one starts with its natural direction. */
export function toggleNetworkSort(current: NetworkSort, key: NetworkSortKey): NetworkSort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'rarity' || key === 'ip' ? 'asc' : 'desc' };
}

/** The rows to show, in order: kept across calls so typing more only narrows the previous matches. */
export class NetworkView {
  private index: TimelineIndex<RemoteAddress> | undefined;
  private order: Uint32Array | undefined;
  private orderSort = '';
  private filtered: FilterResult | undefined;

  constructor(private remotes: readonly RemoteAddress[] = []) {}

  setRemotes(remotes: readonly RemoteAddress[]): void {
    this.remotes = remotes;
    this.index = undefined;
    this.order = undefined;
    this.filtered = undefined;
  }

  get all(): readonly RemoteAddress[] {
    return this.remotes;
  }

  rows(tab: NetworkTab, query: string, sort: NetworkSort): Uint32Array {
    const key = `${sort.key}|${sort.dir}`;
    if (!this.order || this.orderSort !== key) {
      this.order = sortOrder(this.remotes, sort);
      this.orderSort = key;
    }
    let match: Uint8Array | undefined;
    if (searchTerms(query).length > 0) {
      this.index ??= buildSearchIndex(this.remotes, remoteSearchKey);
      this.filtered = filterTimeline(this.index, query, this.filtered);
      match = new Uint8Array(this.remotes.length);
      for (const i of this.filtered.rows) match[i] = 1;
    } else {
      this.filtered = undefined;
    }
    const out = new Uint32Array(this.order.length);
    let n = 0;
    for (const i of this.order) {
      const r = this.remotes[i];
      if (tab === 'public' && r.internal) continue;
      if (tab === 'internal' && !r.internal) continue;
      if (match && match[i] !== 1) continue;
      out[n++] = i;
    }
    return out.slice(0, n);
  }
}
