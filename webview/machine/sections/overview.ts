// Overview: the machine's name and badges, the actions (refresh, period, portal, copy, export), and its facts: OS and
// version, health, risk, exposure, onboarding, first and last seen, last internal and external IP (each one click from
// its investigation), device group, tags, Azure AD device id. Every value is text.
import { LOOKBACKS, type Lookback } from '../../../src/shared/investigation';
import type { Machine } from '../../../src/shared/machineProtocol';
import { badge } from '../../components/badge';
import { button, dropdown } from '../../components/toolkit';
import type { SectionView } from '../../context';
import { fill, h } from '../../dom';
import { LOOKBACK_LABELS, formatRelative, formatTime, severityClass, visibleText } from '../../viewModel/format';
import { osText } from '../../viewModel/machineCard';
import { sectionView } from '../../viewModel/sectionStatus';
import { emptyView, loadingView, problemView } from '../../sections/frame';
import { ipLink, onIpLinks } from '../ipLinks';
import type { MachineContext } from '../machineContext';

export class OverviewSection implements SectionView {
  readonly element: HTMLElement;
  readonly status = h('p', { class: 'status-line', role: 'status', attrs: { 'aria-live': 'polite' } });
  private readonly demo = h('div', { class: 'demo-banner', role: 'note' });
  private readonly title = h('h1', { class: 'machine-title', id: 'machine-title' });
  private readonly badges = h('span', { class: 'badges', id: 'machine-badges' });
  private readonly body = h('div', { class: 'section-body', id: 'overview-body' });
  private readonly freshness = h('p', { class: 'freshness' });
  private readonly period: { element: HTMLElement; set(v: Lookback): void };

  constructor(private readonly ctx: MachineContext) {
    this.period = dropdown<Lookback>({
      choices: LOOKBACKS.map((l) => ({ value: l, label: LOOKBACK_LABELS[l] })),
      selected: ctx.model.identity?.lookback ?? '7d',
      label: 'Period of the network activity and the timeline',
      id: 'period',
      onChange: (lookback) => {
        const identity = ctx.model.identity;
        if (!identity || identity.lookback === lookback) return;
        identity.lookback = lookback;
        ctx.saveState();
        ctx.request({ type: 'setLookback', lookback });
      },
    });
    const actions = h(
      'div',
      { class: 'actions' },
      button('Refresh', { id: 'action-refresh', title: 'Fetch everything again, bypassing the cache', onClick: () => ctx.request({ type: 'refresh' }) }),
      button('Open in Defender portal', { id: 'action-portal', onClick: () => ctx.request({ type: 'openPortal', target: 'machine' }) }),
      button('Copy name', { id: 'action-copy-name', onClick: () => ctx.request({ type: 'copy', what: 'name' }) }),
      button('Copy id', { id: 'action-copy-id', onClick: () => ctx.request({ type: 'copy', what: 'id' }) }),
      button('Export…', { id: 'action-export', appearance: 'primary', onClick: () => ctx.request({ type: 'export' }) }),
      h('span', { class: 'period' }, h('label', { class: 'inline-label', attrs: { for: 'period' } }, 'Period'), this.period.element),
    );
    this.element = h(
      'section',
      { class: 'section header', id: 'section-overview', data: { section: 'overview', status: 'loading' }, attrs: { 'aria-labelledby': 'machine-title' } },
      this.demo,
      h('div', { class: 'title-row' }, this.title, this.badges),
      actions,
      this.status,
      this.body,
      this.freshness,
    );
  }

  render(): void {
    const m = this.ctx.model;
    fill(this.demo, m.demo ? 'Demo tenant: simulated data' : undefined);
    this.demo.hidden = !m.demo;
    if (m.identity) this.period.set(m.identity.lookback);
    const view = sectionView(m.sources.overview);
    this.element.dataset.status = view.status;
    const machine = m.data.machine;
    const id = m.identity?.machineId ?? '';
    fill(this.title, visibleText(machine?.computerDnsName ?? id));
    this.title.setAttribute('title', visibleText(machine?.computerDnsName ?? id));
    fill(this.badges, ...(machine ? machineBadges(machine) : []));
    const cachedAt = m.cachedAt;
    fill(this.freshness, cachedAt ? `Data fetched ${formatTime(cachedAt)} (${formatRelative(cachedAt, m.now())})` : undefined);
    switch (view.status) {
      case 'loading':
        return fill(this.body, loadingView('Loading the machine…'));
      case 'error':
        return fill(this.body, problemView(view.problems, () => this.ctx.retry('overview')));
      case 'skipped':
        return fill(this.body, emptyView(view.reason));
      case 'empty':
        return fill(this.body, emptyView(`Defender knows no machine with id ${id}: it may be outside the retention period or your device groups. Its activity below may still be known.`));
    }
    if (machine) fill(this.body, this.facts(machine));
  }

  private facts(d: Machine): HTMLElement {
    const now = this.ctx.model.now();
    const when = (iso: string | undefined) => (iso ? `${formatTime(iso)} (${formatRelative(iso, now)})` : undefined);
    const dl = h('dl', { class: 'facts machine-facts', id: 'machine-facts' });
    const row = (label: string, value: string | undefined | Node) => {
      if (value === undefined || value === '') return;
      dl.append(h('dt', undefined, label), typeof value === 'string' ? h('dd', { title: value }, value) : h('dd', undefined, value));
    };
    const link = (ip: string | undefined) => (ip ? ipLink(ip) : undefined);
    row('OS', osText(d) ? visibleText(osText(d) ?? '') : undefined);
    row('Health', d.healthStatus && visibleText(d.healthStatus));
    row('Risk score', d.riskScore && visibleText(d.riskScore));
    row('Exposure level', d.exposureLevel && visibleText(d.exposureLevel));
    row('Device value', d.deviceValue && visibleText(d.deviceValue));
    row('Onboarding', d.onboardingStatus && visibleText(d.onboardingStatus));
    row('First seen', when(d.firstSeen));
    row('Last seen', when(d.lastSeen));
    row('Last internal IP', link(d.lastIpAddress));
    row('Last external IP', link(d.lastExternalIpAddress));
    const others = [...new Set(d.ipAddresses.map((a) => a.ipAddress))].filter((ip) => ip !== d.lastIpAddress);
    if (others.length > 0) row('Other addresses', h('span', { class: 'ip-list' }, ...others.slice(0, 10).flatMap((ip, i) => [i > 0 ? ', ' : '', link(ip)])));
    row('Device group', d.rbacGroupName && visibleText(d.rbacGroupName));
    row('Tags', d.machineTags.length > 0 ? d.machineTags.map(visibleText).join(', ') : 'none');
    row('Azure AD device id', d.aadDeviceId && visibleText(d.aadDeviceId));
    row('Machine id', d.id);
    onIpLinks(dl, (ip) => this.ctx.investigate(ip));
    return dl;
  }
}

function machineBadges(m: Machine): HTMLElement[] {
  const out: HTMLElement[] = [];
  const os = osText(m);
  if (os) out.push(badge(visibleText(os)));
  if (m.riskScore) out.push(badge(`risk ${visibleText(m.riskScore)}`, `risk sev-${severityClass(m.riskScore)}`));
  if (m.healthStatus) out.push(badge(visibleText(m.healthStatus), m.healthStatus.toLowerCase() === 'active' ? 'health-active' : 'health-other'));
  if (m.exposureLevel) out.push(badge(`exposure ${visibleText(m.exposureLevel)}`));
  return out;
}
