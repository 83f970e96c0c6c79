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

/** Plain code-unit order: ISO times sort by it, and it costs nothing next to localeCompare (5,000 rows at paint). */
const text = (x: string | undefined, y: string | undefined): number => {
  const p = x ?? '';
  const q = y ?? '';
  return p < q ? -1 : p > q ? 1 : 0;
};

/** An address as a sortable key: IPv4 before IPv6, each number of it zero-padded (10.0.0.9 before 10.0.0.10). */
function addressKey(r: RemoteAddress): string {
  if (r.version === 4) return `4${r.ip.split('.').map((o) => o.padStart(3, '0')).join('.')}`;
  return `6${r.ip}`;
}

function compare(a: RemoteAddress, b: RemoteAddress, key: NetworkSortKey): number {
  switch (key) {
    case 'rarity':
      return a.orgPrevalence - b.orgPrevalence || text(b.lastSeen, a.lastSeen);
    case 'ip':
      return text(addressKey(a), addressKey(b));
    case 'connections':
      return a.connections - b.connections;
    case 'firstSeen':
      return text(a.firstSeen, b.firstSeen);
    case 'lastSeen':
      return text(a.lastSeen, b.lastSeen);
  }
}

/** Row indexes in sort order (stable: equal rows keep the host's order, which is rarest first). */
export function sortOrder(remotes: readonly RemoteAddress[], sort: NetworkSort): Uint32Array {
  const order = allRows(remotes.length);
  const sign = sort.dir === 'asc' ? 1 : -1;
  const cmp = (i: number, j: number): number => sign * compare(remotes[i], remotes[j], sort.key) || i - j;
  // The host already sends the rarest first: the default order usually needs no sort at all.
  let sorted = true;
  for (let k = 1; k < order.length && sorted; k++) sorted = cmp(order[k - 1], order[k]) < 0;
  if (sorted) return order;
  const keys = sort.key === 'ip' ? remotes.map(addressKey) : undefined;
  return order.sort(keys ? (i, j) => sign * text(keys[i], keys[j]) || i - j : cmp);
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
