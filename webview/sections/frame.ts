// The shell every section shares: a titled <section> whose data-status says loading, ready, empty,
// partial, error or skipped, with the cause and remedy of a failure and a Retry button.
import type { SectionProblem as Problem } from '../viewModel/sectionStatus';
import { badge } from '../components/badge';
import { button, progressRing } from '../components/toolkit';
import { fill, h } from '../dom';
import type { SectionView } from '../viewModel/sectionStatus';

export class SectionFrame {
  readonly element: HTMLElement;
  readonly toolbar: HTMLElement;
  readonly body: HTMLElement;
  private readonly countSlot: HTMLElement;
  private readonly spinnerSlot: HTMLElement;

  constructor(name: string, title: string) {
    this.countSlot = h('span', { class: 'count' });
    this.spinnerSlot = h('span', { class: 'spinner-slot' });
    this.toolbar = h('div', { class: 'toolbar' });
    this.body = h('div', { class: 'section-body' });
    const headingId = `h-${name}`;
    this.element = h(
      'section',
      { class: 'section', id: `section-${name}`, attrs: { 'aria-labelledby': headingId }, data: { section: name, status: 'loading' } },
      h('header', { class: 'section-head' }, h('h2', { id: headingId }, title), this.countSlot, this.spinnerSlot, this.toolbar),
      this.body,
    );
  }

  setCount(n: number | undefined): void {
    fill(this.countSlot, n === undefined ? undefined : badge(String(n)));
  }

  /** A small spinner next to the title while a secondary source still loads. */
  setBusy(busy: boolean): void {
    fill(this.spinnerSlot, busy ? progressRing('Loading') : undefined);
  }

  setStatus(status: SectionView['status']): void {
    this.element.dataset.status = status;
  }
}

export function loadingView(text: string): HTMLElement {
  return h('div', { class: 'loading', role: 'status' }, progressRing(text), h('span', undefined, text));
}

export function emptyView(text: string): HTMLElement {
  return h('p', { class: 'empty' }, text);
}

export function noteView(text: string): HTMLElement {
  return h('p', { class: 'note' }, text);
}

/** A failure: what went wrong, what to do (e.g. the missing permission), the request id, Retry. */
export function problemView(problems: readonly Problem[], onRetry?: () => void, compact = false): HTMLElement {
  const box = h('div', { class: compact ? 'problem compact' : 'problem', role: 'alert' });
  for (const p of problems) {
    box.append(
      h(
        'div',
        { class: 'problem-item' },
        h('span', { class: 'problem-message' }, p.message),
        p.remedy ? h('span', { class: 'problem-remedy' }, ` ${p.remedy}`) : undefined,
        p.permission ? h('span', { class: 'permission' }, ` Permission: `, h('code', undefined, p.permission)) : undefined,
        p.requestId ? h('span', { class: 'request-id' }, ` Request id: ${p.requestId}`) : undefined,
      ),
    );
  }
  if (onRetry) box.append(button('Retry', { onClick: onRetry }));
  return box;
}
