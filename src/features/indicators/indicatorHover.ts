// The hover's indicator line: from what is already known about the address, else from one lookup within the hover's
// budget (a slower answer fills the cache for the next hover). A failure shows nothing: the hover is not the place.
import { briefOf, checkIndicatorAddress, indicatorLine } from '../../core/indicators/indicatorRules';
import type { HoverIndicator } from '../hover/hoverContent';
import type { IndicatorService } from './indicatorService';

export async function indicatorForHover(service: IndicatorService, ip: string, demo: boolean, budgetMs: number, signal: AbortSignal): Promise<HoverIndicator | undefined> {
  const eligible = checkIndicatorAddress(ip, { demo }).ok;
  // Everything, the permission check included (a token may have to be fetched), stays within the budget; what
  // finishes later is kept for the next hover.
  const work = (async (): Promise<HoverIndicator | undefined> => {
    // Without Ti.ReadWrite the list is refused too (there is no read-only permission): nothing to show or ask.
    const capability = await service.capability();
    if (!capability.enabled) return undefined;
    const known = service.peek(ip) ?? (await service.lookup(ip));
    const first = known.indicators[0];
    return { ...(first ? { line: indicatorLine(briefOf(first)) } : {}), canAdd: eligible, updating: first !== undefined };
  })().catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), budgetMs);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
