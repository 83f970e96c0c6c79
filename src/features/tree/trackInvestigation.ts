// Runs the sections the Machines view shows for an address and streams them into the store, so the view fills in as
// the data arrives. A failure of the whole run (not signed in, no service) becomes a problem of the entry.
import { describeError } from '../../core/investigation/describeError';
import type { InvestigationService } from '../../core/investigation/investigationService';
import type { AddressFacts, Investigation, Lookback, SectionName } from '../../shared/investigation';
import type { MachinesStore } from './machinesStore';

export const TREE_SECTIONS: readonly SectionName[] = ['stats', 'alerts', 'machines', 'machineDetails', 'machinesAtTime'];

export interface TrackRequest {
  facts: AddressFacts;
  lookback: Lookback;
  at?: string;
  sections?: readonly SectionName[];
  noCache?: boolean;
}

export async function trackInvestigation(
  store: MachinesStore,
  getService: () => Promise<InvestigationService>,
  request: TrackRequest,
  signal?: AbortSignal,
): Promise<Investigation> {
  const ip = request.facts.ip;
  store.begin({ facts: request.facts, lookback: request.lookback, ...(request.at ? { at: request.at } : {}) });
  // Removed or cleared from the view while it loads: it stays off the list.
  const stamp = store.stamp(ip);
  try {
    const service = await getService();
    const it = service.investigate(
      { address: ip, lookback: request.lookback, ...(request.at ? { at: new Date(request.at) } : {}) },
      { sections: request.sections ?? TREE_SECTIONS, ...(signal ? { signal } : {}), ...(request.noCache ? { noCache: true } : {}) },
    );
    for (;;) {
      const step = await it.next();
      if (step.done) {
        store.upsert(step.value, { loading: false, stamp });
        return step.value;
      }
      if (step.value.state !== 'loading') store.upsert(step.value.investigation, { loading: true, stamp });
    }
  } catch (error) {
    const d = describeError(error);
    if (d.kind !== 'cancelled') {
      const failed: Investigation = {
        address: request.facts,
        lookback: request.lookback,
        ...(request.at ? { at: request.at } : {}),
        problems: [{ source: 'machines', kind: d.kind, message: d.message, ...(d.remedy ? { remedy: d.remedy } : {}) }],
      };
      store.upsert(failed, { loading: false, stamp });
    }
    throw error;
  } finally {
    store.end(ip);
  }
}
