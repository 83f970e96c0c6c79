// The remote addresses each machine talked to ("Talked to" under a machine in the Machines view): filled by the
// machine panel when its network section arrives, or loaded once when the user expands the group. Pure (no vscode
// import); bounded; one load per machine and period at a time.
import { describeError } from '../../core/investigation/describeError';
import type { Lookback } from '../../shared/investigation';
import type { NetworkActivity, RemoteAddress } from '../../shared/machine';
import type { Disposable, StoreEvent } from './machinesStore';

export type TalkedTo =
  | { state: 'loading' }
  | { state: 'ready'; remotes: RemoteAddress[]; truncated: boolean; cachedAt: string }
  | { state: 'failed'; message: string };

/** What the tree model reads: an entry, and (in the workbench's own calls only) a way to start loading one. */
export interface TalkedToSource {
  entry(machineId: string, lookback: Lookback): TalkedTo | undefined;
  load?(machineId: string, lookback: Lookback): void;
}

export type ActivityLoader = (machineId: string, lookback: Lookback, signal: AbortSignal) => Promise<NetworkActivity>;

export const MAX_MACHINES = 100;

export class MachineActivity implements TalkedToSource {
  private readonly entries = new Map<string, TalkedTo>();
  private readonly listeners = new Set<(e: { machineId: string }) => unknown>();
  private controller = new AbortController();

  constructor(private readonly loader: ActivityLoader) {}

  readonly onDidChange: StoreEvent<{ machineId: string }> = (listener, thisArgs, disposables) => {
    const bound = (e: { machineId: string }) => listener.call(thisArgs, e);
    this.listeners.add(bound);
    const d: Disposable = { dispose: () => void this.listeners.delete(bound) };
    disposables?.push(d);
    return d;
  };

  private fire(machineId: string): void {
    for (const l of [...this.listeners]) l({ machineId });
  }

  private key(machineId: string, lookback: Lookback): string {
    return `${machineId.toLowerCase()}|${lookback}`;
  }

  private set(machineId: string, lookback: Lookback, value: TalkedTo): void {
    const key = this.key(machineId, lookback);
    this.entries.delete(key);
    this.entries.set(key, value);
    // Oldest first in a Map: drop from the front beyond the bound.
    while (this.entries.size > MAX_MACHINES) this.entries.delete(this.entries.keys().next().value as string);
    this.fire(machineId);
  }

  entry(machineId: string, lookback: Lookback): TalkedTo | undefined {
    return this.entries.get(this.key(machineId, lookback));
  }

  /** The network activity the machine panel fetched. */
  put(machineId: string, activity: NetworkActivity): void {
    this.set(machineId, activity.lookback, { state: 'ready', remotes: activity.remotes, truncated: activity.truncated, cachedAt: activity.cachedAt });
  }

  /** Starts loading unless an entry exists (loading, ready or failed: a failure is retried by Refresh, not by redraws). */
  load(machineId: string, lookback: Lookback): void {
    if (this.entry(machineId, lookback)) return;
    this.set(machineId, lookback, { state: 'loading' });
    const signal = this.controller.signal;
    this.loader(machineId, lookback, signal).then(
      (activity) => {
        if (!signal.aborted) this.put(machineId, { ...activity, lookback });
      },
      (error: unknown) => {
        if (signal.aborted) return;
        const d = describeError(error);
        this.set(machineId, lookback, { state: 'failed', message: [d.message, d.remedy].filter(Boolean).join(' ') });
      },
    );
  }

  /** Forgets everything (another tenant, a refresh, Clear) and abandons loads in flight. */
  clear(): void {
    this.controller.abort();
    this.controller = new AbortController();
    const ids = new Set([...this.entries.keys()].map((k) => k.split('|')[0]));
    this.entries.clear();
    for (const id of ids) this.fire(id);
  }

  dispose(): void {
    this.controller.abort();
    this.listeners.clear();
  }
}
