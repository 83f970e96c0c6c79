// Header / IP worldwide: the address and its class, registration data (RDAP, public addresses only),
// reverse DNS, the data's freshness, and the actions (refresh, portal, copy, export).
import { badge } from '../components/badge';
import { button, progressRing } from '../components/toolkit';
import type { PanelContext, SectionView } from '../context';
import { facts, fill, h } from '../dom';
import { formatCount, formatRelative, formatTime, visibleText } from '../viewModel/format';
import type { SourceState } from '../viewModel/sectionStatus';

export class HeaderSection implements SectionView {
  readonly element: HTMLElement;
  private readonly title = h('h1', { class: 'address' });
  private readonly badges = h('span', { class: 'badges' });
  private readonly demo = h('div', { class: 'demo-banner', role: 'note' });
  private readonly addressFacts = h('div', { class: 'address-facts' });
  private readonly rdap = h('div', { class: 'rdap' });
  private readonly dns = h('div', { class: 'dns' });
  private readonly freshness = h('p', { class: 'freshness' });
  /** The analyst's verdict and note (set from here, the tree or the command palette). */
  private readonly mark = h('p', { class: 'analyst-mark', id: 'analyst-mark', attrs: { 'aria-live': 'polite' } });
  /** Said when what is shown came from the investigation history, and how old it is. */
  private readonly restored = h('p', { class: 'restored note', id: 'restored-line' });
  readonly status = h('p', { class: 'status-line', role: 'status', attrs: { 'aria-live': 'polite' } });

  constructor(private readonly ctx: PanelContext) {
    const actions = h(
      'div',
      { class: 'actions' },
      button('Refresh', { id: 'action-refresh', title: 'Fetch everything again, bypassing the cache', onClick: () => this.act({ type: 'refresh' }) }),
      button('Open in Defender portal', { id: 'action-portal', onClick: () => this.act({ type: 'openPortal', target: 'ip' }) }),
      button('Copy address', { id: 'action-copy-address', onClick: () => this.act({ type: 'copy', what: 'address' }) }),
      button('Copy as hunting query', { id: 'action-copy-kql', title: 'KQL for Advanced Hunting', onClick: () => this.act({ type: 'copy', what: 'kql' }) }),
      button('Export…', { id: 'action-export', appearance: 'primary', onClick: () => this.act({ type: 'export' }) }),
      button('Set verdict…', { id: 'action-verdict', title: 'Malicious, suspicious, benign, false positive or unknown: kept with the history', onClick: () => this.act({ type: 'setVerdict' }) }),
      button('Edit note…', { id: 'action-note', title: 'A note for the case, kept with the history', onClick: () => this.act({ type: 'editNote' }) }),
    );
    this.element = h(
      'section',
      { class: 'section header', id: 'section-header', data: { section: 'header', status: 'loading' }, attrs: { 'aria-label': 'Address' } },
      this.demo,
      h('div', { class: 'title-row' }, this.title, this.badges),
      this.mark,
      this.restored,
      actions,
      this.status,
      h('div', { class: 'header-grid' }, this.addressFacts, h('div', { class: 'worldwide' }, h('h3', undefined, 'IP worldwide'), this.rdap, this.dns)),
      this.freshness,
    );
  }

  private act(request: Parameters<PanelContext['channel']['request']>[0]): void {
    void this.ctx.channel.request(request).then((r) => {
      if (!r.ok) this.ctx.notify(r.error, true);
      else if (r.message) this.ctx.notify(r.message);
    });
  }

  render(): void {
    const m = this.ctx.model;
    const f = m.facts;
    fill(this.demo, m.demo ? 'Demo tenant: simulated data' : undefined);
    this.demo.hidden = !m.demo;
    if (!f) return;
    fill(this.title, f.ip);
    fill(
      this.badges,
      badge(`IPv${f.version}`),
      badge(f.internal ? 'internal' : f.ipClass === 'public' ? 'public' : f.ipClass, f.internal ? 'internal' : f.ipClass === 'public' ? 'public' : 'special'),
    );
    fill(
      this.addressFacts,
      facts([
        { label: 'Version', value: `IPv${f.version}` },
        { label: 'Class', value: f.ipClass },
        { label: 'Special-purpose block', value: f.block ? `${f.block.prefix} ${f.block.name}${f.block.rfc ? ` (${f.block.rfc})` : ''}` : undefined },
        { label: 'Scope', value: f.internal ? 'Internal: looked up in your tenant only' : 'Not internal' },
        { label: 'Written as', value: f.defanged ? 'defanged (refanged for the lookup)' : undefined },
        { label: 'Leading zeros', value: f.leadingZeros ? 'yes: read as decimal, which may not be what the log meant' : undefined },
        { label: 'Port', value: f.port !== undefined ? String(f.port) : undefined },
        { label: 'Prefix', value: f.prefix !== undefined ? `/${f.prefix}` : undefined },
        { label: 'Zone', value: f.zone !== undefined ? visibleText(f.zone) : undefined },
      ]),
    );
    this.renderRdap(m.sources.rdap);
    this.renderDns(m.sources.reverseDns);
    const hist = m.history;
    fill(this.mark, hist.mark);
    this.mark.hidden = !hist.mark;
    if (hist.annotation?.verdict) this.mark.dataset.verdict = hist.annotation.verdict;
    else delete this.mark.dataset.verdict;
    const restored = hist.restoredFrom
      ? `Restored from the investigation history: data from ${formatRelative(hist.restoredFrom, m.now())}${
          hist.timelineTotal !== undefined ? `, the newest ${formatCount(m.data.timeline?.length ?? 0)} of ${formatCount(hist.timelineTotal)} timeline events kept` : ''
        }. Refresh asks Defender again.`
      : undefined;
    fill(this.restored, restored);
    this.restored.hidden = !restored;
    const cachedAt = m.cachedAt ?? m.data.stats?.cachedAt;
    fill(this.freshness, cachedAt ? `Data fetched ${formatTime(cachedAt)} (${formatRelative(cachedAt, m.now())})` : undefined);
    const loading = Object.values(m.sources).some((s) => s.state === 'loading' || s.state === 'idle');
    this.element.dataset.status = loading ? 'loading' : 'ready';
  }

  private renderRdap(s: SourceState): void {
    const r = this.ctx.model.data.rdap;
    const head = h('h4', undefined, 'Registration (RDAP)');
    if (s.state === 'loading' || s.state === 'idle') return fill(this.rdap, head, h('span', { class: 'loading' }, progressRing('Loading registration'), ' Looking up…'));
    if (s.state === 'skipped') return fill(this.rdap, head, h('p', { class: 'note' }, s.reason));
    if (s.state === 'failed') return fill(this.rdap, head, h('p', { class: 'problem compact' }, s.problem.message, s.problem.remedy ? ` ${s.problem.remedy}` : ''));
    if (!r) return fill(this.rdap, head, h('p', { class: 'note' }, 'No registration data.'));
    fill(
      this.rdap,
      head,
      facts([
        { label: 'Network', value: [r.name, r.handle].filter(Boolean).map((x) => visibleText(x as string)).join(' / ') || undefined },
        { label: 'Organisation', value: r.organizations.map(visibleText).join(', ') || undefined },
        { label: 'Range', value: r.cidrs.length > 0 ? r.cidrs.join(', ') : [r.startAddress, r.endAddress].filter(Boolean).join(' – ') || undefined },
        { label: 'Country', value: r.country },
        { label: 'ASN', value: r.originAutnums.length > 0 ? r.originAutnums.map((n) => `AS${n}`).join(', ') : undefined },
        { label: 'Type', value: r.type },
        { label: 'Registered', value: r.registered ? formatTime(r.registered) : undefined },
        { label: 'Abuse contact', value: r.abuseEmails.join(', ') || undefined },
        { label: 'Source', value: r.server },
      ]),
    );
  }

  private renderDns(s: SourceState): void {
    const head = h('h4', undefined, 'Reverse DNS');
    if (s.state === 'loading' || s.state === 'idle') return fill(this.dns, head, h('span', { class: 'loading' }, progressRing('Resolving'), ' Resolving…'));
    if (s.state === 'skipped') return fill(this.dns, head, h('p', { class: 'note' }, s.reason));
    if (s.state === 'failed') return fill(this.dns, head, h('p', { class: 'problem compact' }, s.problem.message));
    const names = this.ctx.model.data.reverseDns ?? [];
    fill(this.dns, head, names.length > 0 ? h('ul', { class: 'names' }, ...names.map((n) => h('li', undefined, n))) : h('p', { class: 'note' }, 'No PTR record.'));
  }
}
