// The hover's indicator line: from what is already known about the address, else from one lookup within the hover's
// budget (a slower answer fills the cache for the next hover). A failure shows nothing: the hover is not the place.
import { briefOf, checkIndicatorAddress, indicatorLine } from '../../core/indicators/indicatorRules';
import type { HoverIndicator } from '../hover/hoverContent';
import type { IndicatorService } from './indicatorService';

export async function indicatorForHover(service: IndicatorService, ip: string, demo: boolean, budgetMs: number, signal: AbortSignal): Promise<HoverIndicator | undefined> {
  const eligible = checkIndicatorAddress(ip, { demo }).ok;
  // Without Ti.ReadWrite the list is refused too (there is no read-only permission): nothing to show, nothing to ask.
  const capability = await service.capability();
  if (!capability.enabled) return undefined;
  let known = service.peek(ip);
  if (!known) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), budgetMs);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    // The lookup is not aborted with the hover: its answer serves the next one.
    const lookup = service.lookup(ip).catch(() => undefined);
    known = await Promise.race([lookup, late]);
    clearTimeout(timer);
  }
  if (!known) return undefined;
  const first = known.indicators[0];
  return {
    ...(first ? { line: indicatorLine(briefOf(first)) } : {}),
    canAdd: capability.enabled && eligible,
    updating: first !== undefined,
  };
}
