// Indicators: whether the tenant has an indicator for this address (action, title, severity, expiry, who created it,
// alert, device groups), with Add/Update, Change expiry and Remove. The host runs the form and the confirmation; a
// disabled action says why (a missing permission, an address Defender does not take).
import type { IndicatorView, IndicatorsView } from '../../src/shared/protocol';
import { badge } from '../components/badge';
import { button } from '../components/toolkit';
import type { PanelContext, SectionView } from '../context';
import { facts, fill, h } from '../dom';
import { formatRelative, formatTime, visibleText } from '../viewModel/format';
import { SectionFrame, emptyView, loadingView, noteView, problemView } from './frame';

/** The chip's class: block, allow, warn, audit (legacy values read as their current action). */
export function actionClass(action: string): string {
  switch (action) {
    case 'Block':
    case 'AlertAndBlock':
    case 'BlockAndRemediate':
      return 'block';
    case 'Allowed':
      return 'allow';
    case 'Warn':
      return 'warn';
    default:
      return 'audit';
  }
}

function disable(el: HTMLElement, reason: string | undefined): HTMLElement {
  if (reason !== undefined) {
    el.setAttribute('disabled', '');
    el.setAttribute('title', reason);
    el.setAttribute('aria-disabled', 'true');
  }
  return el;
}

export class IndicatorsSection implements SectionView {
  private readonly frame = new SectionFrame('indicators', 'Indicators');
  private view: IndicatorsView | undefined;

  constructor(private readonly ctx: PanelContext) {}

  get element(): HTMLElement {
    return this.frame.element;
  }

  update(view: IndicatorsView): void {
    this.view = view;
  }

  private act(request: Parameters<PanelContext['channel']['request']>[0]): void {
    void this.ctx.channel.request(request).then((r) => {
      if (!r.ok) this.ctx.notify(r.error, true);
      else if (r.message) this.ctx.notify(r.message);
    });
  }

  /** Why writes are not offered, or undefined when they are. */
  private blocked(v: IndicatorsView): string | undefined {
    if (!v.write.enabled) return `Writing indicators ${v.write.reason ?? 'is not allowed for this identity'}.`;
    return undefined;
  }

  render(): void {
    const v = this.view;
    const body = this.frame.body;
    this.frame.setCount(v && v.state === 'ready' ? v.indicators.length : undefined);
    if (!v || v.state === 'loading') {
      this.frame.setStatus('loading');
      fill(this.frame.toolbar);
      return fill(body, loadingView('Looking for indicators…'));
    }
    const writeBlocked = this.blocked(v);
    const addBlocked = writeBlocked ?? v.refusal;
    const updating = v.indicators.length > 0;
    const add = disable(button(updating ? 'Update…' : 'Add indicator…', { id: 'indicator-add', appearance: 'primary', title: updating ? 'Change the indicator of this address' : 'Block, warn, audit, alert or allow this address', onClick: () => this.act({ type: 'indicatorAdd' }) }), addBlocked);
    fill(this.frame.toolbar, add, button('Refresh', { id: 'indicators-refresh', title: 'Ask the tenant again', onClick: () => this.act({ type: 'indicatorsRefresh' }) }));
    const notes: HTMLElement[] = [];
    if (v.refusal) notes.push(h('p', { class: 'note refusal', id: 'indicator-refusal' }, v.refusal));
    // A refused list already names the permission: the note would say it twice.
    if (writeBlocked && !(v.state === 'failed' && v.problem?.permission)) notes.push(h('p', { class: 'note permission-note', id: 'indicator-permission' }, writeBlocked));
    if (v.state === 'failed') {
      this.frame.setStatus('error');
      return fill(body, ...notes, problemView(v.problem ? [{ source: 'stats', kind: 'failed', ...v.problem }] : [], () => this.act({ type: 'indicatorsRefresh' })), this.historyView(v));
    }
    this.frame.setStatus(v.indicators.length === 0 ? 'empty' : 'ready');
    const list = v.indicators.length === 0 ? emptyView('No indicator for this address.') : h('div', { class: 'indicator-list' }, ...v.indicators.map((i) => this.card(i, writeBlocked)));
    const fetched = v.fetchedAt ? noteView(`Fetched ${formatTime(v.fetchedAt)} (${formatRelative(v.fetchedAt, this.ctx.model.now())}).`) : undefined;
    fill(body, ...notes, list, this.historyView(v), fetched);
  }

  private card(i: IndicatorView, blocked: string | undefined): HTMLElement {
    const cls = actionClass(i.action);
    const expires = i.expirationTime ? `${formatTime(i.expirationTime)} (${formatRelative(i.expirationTime, this.ctx.model.now())})` : 'never';
    return h(
      'article',
      { class: `indicator-card ${cls}`, id: `indicator-${i.id}`, data: { indicatorId: i.id, action: i.action } },
      h('header', { class: 'indicator-head' }, badge(visibleText(i.action), `indicator-chip ${cls}`), h('span', { class: 'indicator-title' }, visibleText(i.title))),
      facts([
        { label: 'Severity', value: i.severity ? visibleText(i.severity) : undefined },
        { label: 'Expires', value: expires },
        { label: 'Applies to', value: i.rbacGroupNames.length > 0 ? i.rbacGroupNames.map(visibleText).join(', ') : 'all devices' },
        { label: 'Generate alert', value: i.generateAlert === undefined ? undefined : i.generateAlert ? 'yes' : 'no' },
        { label: 'Created by', value: i.createdBy ? visibleText(i.createdBy) : undefined },
        { label: 'Created', value: i.creationTime ? formatTime(i.creationTime) : undefined },
        { label: 'Updated', value: i.lastUpdateTime && i.lastUpdateTime !== i.creationTime ? formatTime(i.lastUpdateTime) : undefined },
        { label: 'Description', value: i.description ? visibleText(i.description) : undefined },
        { label: 'Recommended actions', value: i.recommendedActions ? visibleText(i.recommendedActions) : undefined },
        { label: 'Application', value: i.application ? visibleText(i.application) : undefined },
        { label: 'Indicator id', value: i.id },
      ]),
      h(
        'div',
        { class: 'indicator-actions' },
        disable(button('Change expiry…', { id: `indicator-expire-${i.id}`, onClick: () => this.act({ type: 'indicatorExpire', id: i.id }) }), blocked),
        disable(button('Remove…', { id: `indicator-remove-${i.id}`, onClick: () => this.act({ type: 'indicatorRemove', id: i.id }) }), blocked),
      ),
    );
  }

  private historyView(v: IndicatorsView): HTMLElement | undefined {
    if (v.history.length === 0) return undefined;
    return h(
      'div',
      { class: 'indicator-history', id: 'indicator-history' },
      h('h3', undefined, 'Written from this workspace'),
      h(
        'ul',
        undefined,
        ...v.history.map((e) =>
          h('li', undefined, `${formatTime(e.at)} · ${e.kind}${e.action ? ` ${visibleText(e.action)}` : ''} · ${visibleText(e.outcome)} · by ${visibleText(e.identity)}${e.requestIds.length > 0 ? ` · request id ${visibleText(e.requestIds[0])}` : ''}`),
        ),
      ),
    );
  }
}
