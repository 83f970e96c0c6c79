// The Machines view's model: the investigated addresses (newest first) and, per address, the machines seen with it,
// merged from hunting (observed), machine details and findbyip (held at a time). It emits changes; the tree provider
// maps it to nodes. Pure (no vscode import), so the merging rules are unit-tested in Node.
import type { Alert, Machine } from '../../shared/defenderModel';
import type { AddressFacts, Investigation, Lookback, ObservedMachine } from '../../shared/investigation';

export interface Disposable {
  dispose(): void;
}

/** Shaped like `vscode.Event` so the provider and the panel can subscribe the usual way. */
export type StoreEvent<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export interface StoreChange {
  /** The address that changed (also when it moved to the top); undefined when several did (clear, remove, restore). */
  ip?: string;
  /**
   * What happened: an investigation began, its data arrived (`data`), it ended, entries were removed or cleared, or
   * entries were put back from the investigation history (`restore`, which is not a new investigation).
   */
  reason?: 'begin' | 'data' | 'end' | 'remove' | 'clear' | 'restore';
}

export interface AddressEntry {
  ip: string;
  lookback: Lookback;
  at?: string;
  investigation: Investigation;
  /** An investigation of this address is running. */
  loading: boolean;
  updatedAt: number;
  /** Put back from the investigation history: the ISO instant its data was fetched (the view says how old it is). */
  restoredFrom?: string;
}

export interface MachineView {
  id: string;
  name: string;
  osPlatform?: string;
  osVersion?: string;
  riskScore?: string;
  healthStatus?: string;
  exposureLevel?: string;
  lastIpAddress?: string;
  lastExternalIpAddress?: string;
  firstSeen?: string;
  lastSeen?: string;
  /** Network events with the address in the look-back period (hunting). */
  events?: number;
  remotePorts: number[];
  localPorts: number[];
  processes: string[];
  files: string[];
  tags: string[];
  /** The machine held the (internal) address at the investigated time. */
  heldAtTime: boolean;
  /** The machine was seen communicating with the address. */
  observed: boolean;
  /** Alerts related to the address on this machine. */
  alerts: Alert[];
  /** Details (OS, risk, health) were fetched. */
  detailed: boolean;
}

export const MAX_ADDRESSES = 50;

function fromDetails(view: MachineView, d: Machine): void {
  view.detailed = true;
  if (d.computerDnsName) view.name = d.computerDnsName;
  if (d.osPlatform) view.osPlatform = d.osPlatform;
  if (d.version) view.osVersion = d.version;
  if (d.riskScore) view.riskScore = d.riskScore;
  if (d.healthStatus) view.healthStatus = d.healthStatus;
  if (d.exposureLevel) view.exposureLevel = d.exposureLevel;
  if (d.lastIpAddress) view.lastIpAddress = d.lastIpAddress;
  if (d.lastExternalIpAddress) view.lastExternalIpAddress = d.lastExternalIpAddress;
  if (!view.lastSeen && d.lastSeen) view.lastSeen = d.lastSeen;
  if (!view.firstSeen && d.firstSeen) view.firstSeen = d.firstSeen;
  if (d.machineTags.length > 0) view.tags = [...d.machineTags];
}

function fromObserved(o: ObservedMachine): MachineView {
  return {
    id: o.id,
    name: o.name,
    ...(o.firstSeen ? { firstSeen: o.firstSeen } : {}),
    ...(o.lastSeen ? { lastSeen: o.lastSeen } : {}),
    events: o.events,
    remotePorts: [...o.remotePorts],
    localPorts: [...o.localPorts],
    processes: [...o.processes],
    files: [...o.files],
    tags: [],
    heldAtTime: false,
    observed: true,
    alerts: [],
    detailed: false,
  };
}

function emptyView(id: string): MachineView {
  return { id, name: id, remotePorts: [], localPorts: [], processes: [], files: [], tags: [], heldAtTime: false, observed: false, alerts: [], detailed: false };
}

/** The machines of one investigation: observed first (most recent first), then those only known from findbyip. */
export function machinesOf(inv: Investigation): MachineView[] {
  const byId = new Map<string, MachineView>();
  const observed = [...(inv.machines ?? [])].sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || b.events - a.events);
  for (const o of observed) if (!byId.has(o.id)) byId.set(o.id, fromObserved(o));
  for (const m of inv.machinesAtTime?.machines ?? []) {
    let v = byId.get(m.id);
    if (!v) {
      v = emptyView(m.id);
      byId.set(m.id, v);
    }
    v.heldAtTime = true;
    fromDetails(v, m);
  }
  for (const [id, d] of Object.entries(inv.machineDetails ?? {})) {
    const v = byId.get(id);
    if (v) fromDetails(v, d);
  }
  for (const a of inv.alerts ?? []) {
    if (a.machineId) byId.get(a.machineId)?.alerts.push(a);
  }
  return [...byId.values()];
}

const SECTION_FIELDS = ['stats', 'alerts', 'machines', 'timeline', 'daily', 'machinesAtTime', 'machineDetails'] as const;

/** `next` wins for every section it has; sections it lacks keep their earlier data; problems follow their section. */
export function mergeInvestigations(prev: Investigation, next: Investigation): Investigation {
  const merged = structuredClone(prev) as unknown as Record<string, unknown>;
  const incoming = structuredClone(next) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(incoming)) {
    if (k === 'problems' || k === 'machineDetails' || v === undefined) continue;
    merged[k] = v;
  }
  const result = merged as unknown as Investigation;
  if (next.machineDetails) result.machineDetails = { ...(prev.machineDetails ?? {}), ...structuredClone(next.machineDetails) };
  // A section that now has data, or a new problem, replaces the earlier problem of that section.
  const answered = new Set<string>([...SECTION_FIELDS.filter((f) => next[f] !== undefined), ...next.problems.map((p) => p.source)]);
  result.problems = [...prev.problems.filter((p) => !answered.has(p.source)), ...structuredClone(next.problems)];
  return result;
}

export class MachinesStore {
  private list: AddressEntry[] = [];
  private readonly listeners = new Set<(e: StoreChange) => unknown>();
  private readonly cache = new Map<string, { inv: Investigation; machines: MachineView[] }>();
  /** Bumped when the whole list is cleared or replaced, and per address when it is removed (see `stamp`). */
  private clears = 0;
  private readonly removals = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Changes when the address leaves the list (removed, cleared, replaced). Work that started before it (a panel still
   * loading) passes it to `upsert` and does not bring back an address the user took off the list meanwhile.
   */
  stamp(ip: string): string {
    return `${this.clears}:${this.removals.get(ip) ?? 0}`;
  }

  readonly onDidChange: StoreEvent<StoreChange> = (listener, thisArgs, disposables) => {
    const bound = (e: StoreChange) => listener.call(thisArgs, e);
    this.listeners.add(bound);
    const d = { dispose: () => void this.listeners.delete(bound) };
    disposables?.push(d);
    return d;
  };

  private fire(e: StoreChange): void {
    for (const l of [...this.listeners]) l(e);
  }

  /** Newest first. */
  entries(): readonly AddressEntry[] {
    return this.list;
  }

  get(ip: string): AddressEntry | undefined {
    return this.list.find((e) => e.ip === ip);
  }

  /** An investigation of the address starts: it moves to the top and shows as loading. */
  begin(request: { facts: AddressFacts; lookback: Lookback; at?: string }): void {
    const ip = request.facts.ip;
    const existing = this.get(ip);
    const investigation: Investigation =
      existing && existing.lookback === request.lookback && existing.at === request.at
        ? existing.investigation
        : {
            address: request.facts,
            lookback: request.lookback,
            ...(request.at ? { at: request.at } : {}),
            problems: [],
          };
    this.put({ ip, lookback: request.lookback, ...(request.at ? { at: request.at } : {}), investigation, loading: true, updatedAt: this.now() }, true, 'begin');
  }

  /**
   * New or updated data for an address (from any surface: the panel, a command, a refresh). A new address goes on
   * top; a known one keeps its place (a panel refreshing in the background is not a new investigation: begin() is).
   * Data for the same look-back and time is merged section by section, so two surfaces streaming the same address
   * do not erase each other's sections.
   */
  upsert(investigation: Investigation, options: { loading?: boolean; stamp?: string } = {}): void {
    const ip = investigation.address.ip;
    if (options.stamp !== undefined && options.stamp !== this.stamp(ip)) return;
    const existing = this.get(ip);
    const prev = existing?.investigation;
    const same = prev !== undefined && prev.lookback === investigation.lookback && prev.at === investigation.at;
    this.put(
      {
        ip,
        lookback: investigation.lookback,
        ...(investigation.at ? { at: investigation.at } : {}),
        investigation: same ? mergeInvestigations(prev, investigation) : structuredClone(investigation),
        loading: options.loading ?? existing?.loading ?? false,
        updatedAt: this.now(),
      },
      false,
      'data',
    );
  }

  /**
   * Entries from the investigation history, as they were (no request): `replace` swaps the whole list (a reload, a
   * switch of tenant), otherwise each goes on top. Each says when its data was fetched.
   */
  restore(entries: readonly { investigation: Investigation; fetchedAt: string }[], options: { replace?: boolean } = {}): void {
    const restored = entries.slice(0, MAX_ADDRESSES).map(
      (r): AddressEntry => ({
        ip: r.investigation.address.ip,
        lookback: r.investigation.lookback,
        ...(r.investigation.at ? { at: r.investigation.at } : {}),
        investigation: structuredClone(r.investigation),
        loading: false,
        updatedAt: this.now(),
        restoredFrom: r.fetchedAt,
      }),
    );
    if (options.replace) {
      if (restored.length === 0 && this.list.length === 0) return;
      this.list = restored;
      this.cache.clear();
      this.clears++;
    } else {
      const ips = new Set(restored.map((e) => e.ip));
      for (const ip of ips) this.cache.delete(ip);
      this.list = [...restored, ...this.list.filter((e) => !ips.has(e.ip))].slice(0, MAX_ADDRESSES);
    }
    this.fire({ reason: 'restore' });
  }

  /** The investigation of `ip` finished (or failed): it no longer shows as loading. */
  end(ip: string): void {
    const e = this.get(ip);
    if (!e || !e.loading) return;
    e.loading = false;
    this.fire({ ip, reason: 'end' });
  }

  remove(ip: string): boolean {
    const before = this.list.length;
    this.removals.set(ip, (this.removals.get(ip) ?? 0) + 1);
    this.list = this.list.filter((e) => e.ip !== ip);
    this.cache.delete(ip);
    if (this.list.length === before) return false;
    this.fire({ reason: 'remove' });
    return true;
  }

  clear(): void {
    this.clears++;
    if (this.list.length === 0) return;
    this.list = [];
    this.cache.clear();
    this.fire({ reason: 'clear' });
  }

  /** The machines of an address, merged from its investigation (memoised per investigation). */
  machines(ip: string): MachineView[] {
    const e = this.get(ip);
    if (!e) return [];
    const cached = this.cache.get(ip);
    if (cached && cached.inv === e.investigation) return cached.machines;
    const machines = machinesOf(e.investigation);
    this.cache.set(ip, { inv: e.investigation, machines });
    return machines;
  }

  findMachine(ip: string, machineId: string): MachineView | undefined {
    return this.machines(ip).find((m) => m.id === machineId);
  }

  /** Stores an entry: on top when new or when `toTop`, else in its place. */
  private put(entry: AddressEntry, toTop: boolean, reason: 'begin' | 'data'): void {
    const index = this.list.findIndex((e) => e.ip === entry.ip);
    this.cache.delete(entry.ip);
    if (index >= 0 && (!toTop || index === 0)) {
      this.list = this.list.map((e, i) => (i === index ? entry : e));
      this.fire({ ip: entry.ip, reason });
      return;
    }
    this.list = [entry, ...this.list.filter((e) => e.ip !== entry.ip)].slice(0, MAX_ADDRESSES);
    this.fire({ ip: entry.ip, reason });
  }
}
