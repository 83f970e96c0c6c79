// Addresses shown as links (`.ip-link` with `data-ip`): one delegated handler per container, so recycled rows need
// none of their own. A click, or Enter or Space on a focused link, investigates the address.
import { h } from '../dom';

export function onIpLinks(container: HTMLElement, investigate: (ip: string) => void): void {
  const activate = (e: Event): boolean => {
    const target = e.target instanceof Element ? e.target.closest<HTMLElement>('.ip-link') : null;
    const ip = target?.dataset.ip;
    if (!ip) return false;
    investigate(ip);
    return true;
  };
  container.addEventListener('click', (e) => void activate(e));
  container.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && activate(e)) e.preventDefault();
  });
}

/** An address as a focusable link (the container's onIpLinks handles it). */
export function ipLink(ip: string): HTMLElement {
  return h('span', { class: 'ip-link', role: 'link', attrs: { tabindex: '0' }, data: { ip }, title: `Investigate ${ip}` }, ip);
}
