// IP in organization: prevalence for the chosen period (1, 7 or 30 days; changing it re-queries),
// first and last seen, and an inline SVG chart of machines per day.
import { LOOKBACK_DAYS, LOOKBACKS, type Lookback } from '../../src/shared/investigation';
import { dropdown } from '../components/toolkit';
import type { PanelContext, SectionView } from '../context';
import { facts, fill, h, svg } from '../dom';
import { dailySeries, layoutChart, type DayValue } from '../viewModel/chart';
import { LOOKBACK_LABELS, formatCount, formatRelative, formatTime } from '../viewModel/format';
import { sectionView, stillLoading } from '../viewModel/sectionStatus';
import { SectionFrame, emptyView, loadingView, noteView, problemView } from './frame';

export const NOT_OBSERVED = 'This address was not observed in your organisation';

const BOX = { width: 640, height: 150, padLeft: 36, padRight: 8, padTop: 10, padBottom: 22, gap: 0.25 };

export class OrganizationSection implements SectionView {
  private readonly frame = new SectionFrame('organization', 'IP in organization');
  private readonly period: { element: HTMLElement; set(v: Lookback): void };

  constructor(private readonly ctx: PanelContext) {
    this.period = dropdown<Lookback>({
      choices: LOOKBACKS.map((l) => ({ value: l, label: LOOKBACK_LABELS[l] })),
      selected: ctx.model.identity?.lookback ?? '7d',
      label: 'Period',
      id: 'period',
      onChange: (lookback) => {
        const identity = ctx.model.identity;
        if (!identity || identity.lookback === lookback) return;
        identity.lookback = lookback;
        ctx.saveState();
        void ctx.channel.request({ type: 'setLookback', lookback }).then((r) => {
          if (!r.ok) ctx.notify(r.error, true);
        });
      },
    });
    this.frame.toolbar.append(h('label', { class: 'inline-label' }, 'Period'), this.period.element);
  }

  get element(): HTMLElement {
    return this.frame.element;
  }

  render(): void {
    const m = this.ctx.model;
    if (m.identity) this.period.set(m.identity.lookback);
    const view = sectionView(m.sources.stats, [m.sources.daily]);
    this.frame.setStatus(view.status);
    this.frame.setBusy(view.status !== 'loading' && stillLoading([m.sources.daily]));
    switch (view.status) {
      case 'loading':
        return fill(this.frame.body, loadingView('Loading prevalence…'));
      case 'error':
        return fill(this.frame.body, problemView(view.problems, () => this.ctx.retry('stats')));
      case 'skipped':
        return fill(this.frame.body, emptyView(view.reason));
      case 'empty':
        return fill(this.frame.body, emptyView(`${NOT_OBSERVED} (${LOOKBACK_LABELS[m.identity?.lookback ?? '7d'].toLowerCase()}).`), this.chartOrNote());
    }
    const s = m.data.stats;
    if (!s) return;
    const now = m.now();
    fill(
      this.frame.body,
      view.status === 'partial' ? problemView(view.problems, () => this.ctx.retry('daily'), true) : undefined,
      h(
        'div',
        { class: 'prevalence' },
        h('span', { class: 'big-number', id: 'prevalence-value' }, formatCount(s.prevalence)),
        h('span', { class: 'big-label' }, s.prevalence === 1 ? 'machine' : 'machines', ` · ${LOOKBACK_LABELS[m.identity?.lookback ?? '7d'].toLowerCase()}`),
      ),
      facts([
        { label: 'First seen', value: s.firstSeen ? `${formatTime(s.firstSeen)} (${formatRelative(s.firstSeen, now)})` : undefined },
        { label: 'Last seen', value: s.lastSeen ? `${formatTime(s.lastSeen)} (${formatRelative(s.lastSeen, now)})` : undefined },
      ]),
      this.chartOrNote(),
    );
  }

  private chartOrNote(): HTMLElement | undefined {
    const m = this.ctx.model;
    const d = m.sources.daily;
    if (d.state === 'loading' || d.state === 'idle') return loadingView('Loading machines per day…');
    if (d.state !== 'ready' || !m.data.daily) return undefined;
    const days = LOOKBACK_DAYS[m.identity?.lookback ?? '7d'];
    const series = dailySeries(m.data.daily, days, m.now());
    if (series.every((p) => p.machines === 0)) return noteView('No machines per day to chart in this period.');
    return chart(series);
  }
}

/** Bars of machines per day, with a tooltip per day; text only through textContent. */
export function chart(series: readonly DayValue[]): HTMLElement {
  const layout = layoutChart(series, BOX);
  const total = series.reduce((n, p) => n + p.events, 0);
  const root = svg('svg', {
    viewBox: `0 0 ${BOX.width} ${BOX.height}`,
    class: 'chart',
    role: 'img',
    'aria-label': `Machines per day over ${series.length} days; ${formatCount(total)} events`,
    id: 'daily-chart',
  });
  for (const t of layout.ticks) {
    root.append(
      svg('line', { x1: BOX.padLeft, x2: BOX.width - BOX.padRight, y1: t.y, y2: t.y, class: 'grid-line' }),
      svg('text', { x: BOX.padLeft - 4, y: t.y + 3, class: 'axis-label', 'text-anchor': 'end' }, formatCount(t.value)),
    );
  }
  layout.bars.forEach((b, i) => {
    const rect = svg('rect', { x: b.x, y: b.y, width: Math.max(1, b.width), height: Math.max(b.machines > 0 ? 1 : 0, b.height), class: 'bar' });
    rect.append(svg('title', {}, `${b.day}: ${formatCount(b.machines)} machines, ${formatCount(b.events)} events`));
    root.append(rect);
    if (layout.labelled.includes(i)) {
      root.append(svg('text', { x: b.x + b.width / 2, y: BOX.height - 6, class: 'axis-label', 'text-anchor': 'middle' }, b.day.slice(5)));
    }
  });
  return h('figure', { class: 'chart-figure' }, root, h('figcaption', undefined, 'Machines per day (UTC)'));
}
