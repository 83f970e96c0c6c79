// The machine panel: wires the model, the host channel and the sections; paints each section as its update arrives
// (one render per section per frame) and keeps identity + UI state with setState.
import type { MachineSection } from '../../src/shared/machine';
import type { MachineHostMessage, MachineRequest, MachineViewState } from '../../src/shared/machineProtocol';
import { registerComponents } from '../components/toolkit';
import type { SectionView } from '../context';
import { fill, h } from '../dom';
import type { MachineChannel } from './machineChannel';
import type { MachineContext } from './machineContext';
import { MachineModel } from './machineModel';
import { sanitizeMachineUi, type MachineUiState } from './machineUiState';
import { MachineAlertsSection } from './sections/machineAlerts';
import { LogonUsersSection } from './sections/logonUsers';
import { MachineTimelineSection } from './sections/machineTimeline';
import { NetworkSection } from './sections/network';
import { OverviewSection } from './sections/overview';

export class MachineApp implements MachineContext {
  readonly model = new MachineModel();
  readonly ui: MachineUiState;
  private readonly overview: OverviewSection;
  private readonly network: NetworkSection;
  private readonly timeline: MachineTimelineSection;
  private readonly sections: Record<MachineSection, SectionView>;
  private readonly root: HTMLElement;
  private readonly dirty = new Set<MachineSection>();
  private frame = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saves = 0;
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly channel: MachineChannel,
    mount: HTMLElement,
  ) {
    registerComponents();
    const saved = channel.getState();
    this.ui = sanitizeMachineUi(typeof saved === 'object' && saved !== null ? (saved as { ui?: unknown }).ui : undefined);
    this.overview = new OverviewSection(this);
    this.network = new NetworkSection(this);
    this.timeline = new MachineTimelineSection(this);
    this.sections = {
      overview: this.overview,
      alerts: new MachineAlertsSection(this),
      logonUsers: new LogonUsersSection(this),
      network: this.network,
      timeline: this.timeline,
    };
    this.root = h('main', { class: 'panel machine-panel', id: 'machine', data: { ready: 'false' } });
    mount.replaceChildren(this.root);
    channel.onMessage((m) => this.onMessage(m));
  }

  start(): void {
    fill(this.root, h('p', { class: 'loading' }, 'Starting…'));
    this.channel.ready();
  }

  private onMessage(msg: MachineHostMessage): void {
    const change = this.model.apply(msg);
    switch (change.kind) {
      case 'init':
        fill(this.root, ...Object.values(this.sections).map((s) => s.element));
        this.root.dataset.ready = 'true';
        this.invalidate(['overview', 'alerts', 'logonUsers', 'network', 'timeline']);
        this.saveState();
        break;
      case 'sections':
        // The overview shows the freshness and the period of every section.
        this.invalidate(['overview', ...change.sections]);
        if (msg.kind === 'run') this.saveState();
        break;
      case 'done':
        this.invalidate(['overview']);
        break;
    }
  }

  private invalidate(names: readonly MachineSection[]): void {
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
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      const identity = this.model.identity;
      if (!identity) return;
      const state: MachineViewState = { ...identity, ui: { ...this.ui } };
      this.channel.setState(state);
      this.root.dataset.saved = String(++this.saves);
    }, 150);
  }

  notify(text: string, isError = false): void {
    const line = this.overview.status;
    fill(line, text);
    line.classList.toggle('error', isError);
    clearTimeout(this.notifyTimer);
    this.notifyTimer = setTimeout(() => fill(line), isError ? 12_000 : 4000);
  }

  retry(section: MachineSection): void {
    this.request({ type: 'retry', section });
  }

  request(request: MachineRequest): void {
    void this.channel.request(request).then((r) => {
      if (!r.ok) this.notify(r.error, true);
      else if (r.message) this.notify(r.message);
    });
  }

  investigate(ip: string): void {
    this.request({ type: 'investigateIp', ip });
  }

  /** For the benchmark and end-to-end tests: address and event rows currently in the DOM. */
  renderedRows(): { network: number; timeline: number } {
    return { network: this.network.renderedRows(), timeline: this.timeline.renderedRows() };
  }
}
