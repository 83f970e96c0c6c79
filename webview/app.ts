// The panel: wires the model, the host channel and the sections; paints each section as its update
// arrives and keeps identity + UI state with setState.
import type { HostMessage, PanelSection, PanelViewState } from '../src/shared/protocol';
import { registerComponents } from './components/toolkit';
import type { PanelContext, SectionView } from './context';
import { fill, h } from './dom';
import type { HostChannel } from './hostChannel';
import { AlertsSection } from './sections/alerts';
import { HeaderSection } from './sections/header';
import { IndicatorsSection } from './sections/indicators';
import { MachinesAtTimeSection } from './sections/machinesAtTime';
import { OrganizationSection } from './sections/organization';
import { TimelineSection } from './sections/timeline';
import { PanelModel } from './viewModel/panelModel';
import { sanitizeUiState, type UiState } from './viewModel/uiState';

type SectionKey = 'header' | 'indicators' | 'alerts' | 'organization' | 'timeline' | 'machinesAtTime';

/** Which panel sections paint which sources. */
const SECTIONS_OF: Record<PanelSection, readonly SectionKey[]> = {
  stats: ['organization', 'header'],
  daily: ['organization'],
  alerts: ['alerts', 'timeline'],
  machines: ['timeline'],
  timeline: ['timeline'],
  machineDetails: ['timeline'],
  machinesAtTime: ['machinesAtTime'],
  rdap: ['header'],
  reverseDns: ['header'],
};

export class PanelApp implements PanelContext {
  readonly model = new PanelModel();
  readonly ui: UiState;
  private readonly header: HeaderSection;
  private readonly sections: Record<SectionKey, SectionView>;
  private readonly timeline: TimelineSection;
  private readonly indicators: IndicatorsSection;
  private readonly root: HTMLElement;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Sections to paint at the next frame: a burst of updates costs one render per section. */
  private readonly dirty = new Set<SectionKey>();
  private frame = 0;
  private saves = 0;
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly channel: HostChannel,
    mount: HTMLElement,
  ) {
    registerComponents();
    const saved = channel.getState();
    this.ui = sanitizeUiState(typeof saved === 'object' && saved !== null ? (saved as { ui?: unknown }).ui : undefined);
    this.header = new HeaderSection(this);
    this.timeline = new TimelineSection(this);
    this.indicators = new IndicatorsSection(this);
    this.sections = {
      header: this.header,
      indicators: this.indicators,
      alerts: new AlertsSection(this),
      organization: new OrganizationSection(this),
      timeline: this.timeline,
      machinesAtTime: new MachinesAtTimeSection(this),
    };
    this.root = h('main', { class: 'panel', id: 'panel', data: { ready: 'false' } });
    mount.replaceChildren(this.root);
    channel.onMessage((m) => this.onMessage(m));
  }

  start(): void {
    fill(this.root, h('p', { class: 'loading' }, 'Starting…'));
    this.channel.ready();
  }

  private onMessage(msg: HostMessage): void {
    if (msg.kind === 'selectMachine') {
      this.selectMachine(msg.machineId, false);
      return;
    }
    if (msg.kind === 'indicators') {
      this.indicators.update(msg.view);
      this.invalidate(['indicators']);
      return;
    }
    const change = this.model.apply(msg);
    switch (change.kind) {
      case 'init':
        fill(this.root, ...Object.values(this.sections).map((s) => s.element));
        this.root.dataset.ready = 'true';
        this.invalidate(['header', 'indicators', 'alerts', 'organization', 'timeline', 'machinesAtTime']);
        this.saveState();
        break;
      case 'sections':
        this.invalidate(['header', ...change.sections.flatMap((s) => SECTIONS_OF[s])]);
        if (msg.kind === 'run') this.saveState();
        break;
      case 'done':
      case 'history':
        this.invalidate(['header']);
        break;
    }
  }

  private invalidate(names: readonly (SectionKey)[]): void {
    for (const n of names) this.dirty.add(n);
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const names = [...this.dirty];
      this.dirty.clear();
      for (const n of names) {
        const start = performance.now();
        this.sections[n].render();
        // Visible in the profiler and read by the benchmark.
        performance.measure(`ipinv:render:${n}`, { start });
      }
      document.dispatchEvent(new CustomEvent('ipinv:rendered'));
    });
  }

  saveState(): void {
    // Coalesced: scrolling and typing must not call setState on every event.
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      const identity = this.model.identity;
      if (!identity) return;
      const state: PanelViewState = { ...identity, ui: { ...this.ui } };
      this.channel.setState(state);
      // Observable by tests: the state was handed to VS Code.
      this.root.dataset.saved = String(++this.saves);
    }, 150);
  }

  selectMachine(machineId: string, reveal: boolean): void {
    this.ui.selectedMachineId = machineId;
    this.saveState();
    this.timeline.renderSelection();
    this.sections.alerts.render();
    this.sections.machinesAtTime.render();
    if (reveal) {
      void this.channel.request({ type: 'revealMachine', machineId }).then((r) => {
        if (!r.ok) this.notify(r.error, true);
      });
    }
  }

  notify(text: string, isError = false): void {
    const line = this.header.status;
    fill(line, text);
    line.classList.toggle('error', isError);
    clearTimeout(this.notifyTimer);
    this.notifyTimer = setTimeout(() => fill(line), isError ? 12_000 : 4000);
  }

  retry(section: PanelSection): void {
    void this.channel.request({ type: 'retry', section }).then((r) => {
      if (!r.ok) this.notify(r.error, true);
    });
  }

  openMachine(machineId: string): void {
    void this.channel.request({ type: 'openMachine', machineId }).then((r) => {
      if (!r.ok) this.notify(r.error, true);
    });
  }

  /** For the benchmark and end-to-end tests: event rows currently in the DOM. */
  renderedTimelineRows(): number {
    return this.timeline.renderedRows();
  }
}
