// Machines view "Clear": empties the list (the cache of API results is kept).
import type { CommandDeps } from './commandDeps';

export function clearMachines(deps: CommandDeps): void {
  deps.store.clear();
}
