// Machines view "Remove from List" on an address.
import { readArgument } from './prompts';
import type { CommandDeps } from './commandDeps';

export function removeAddress(deps: CommandDeps, node?: unknown): boolean {
  const ip = readArgument(node).ip;
  return ip !== undefined && deps.store.remove(ip);
}
