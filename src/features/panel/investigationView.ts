// One investigation panel (one address): runs the investigation and the enrichment, streams each section
// to the webview as it arrives, replays everything when the webview reloads, and answers its requests
// (period, time, retry, copy, export, portal links, reveal) from validated values only.
import * as vscode from 'vscode';
import type { RdapClient } from '../../core/enrichment/rdapClient';
import { RdapError } from '../../core/enrichment/rdapClient';
import { ReverseDnsError, reverseDns, reverseDnsSkipReason } from '../../core/enrichment/reverseDns';
import { timelineQuery } from '../../core/hunting/huntingQueries';
import { parseTimeInput } from '../../core/ip/logTime';
import { describeError } from '../../core/investigation/describeError';
import { findByIpTimeProblem, toProblem } from '../../core/investigation/investigationService';
import type { Logger } from '../../platform/logger';
import type { KeptInvestigation } from '../../core/history/historyModel';
import type { Annotation } from '../../shared/annotation';
import { LOOKBACK_DAYS, type AddressFacts, type Investigation, type Lookback, type SectionName } from '../../shared/investigation';
import { parseWebviewMessage, type HostMessage, type PanelHistory, type PanelIdentity, type PanelRequest, type PanelSection, type RdapSummary } from '../../shared/protocol';
import type { DefenderSession } from '../session/defenderSession';
import type { MachinesStore } from '../tree/machinesStore';
import { annotationPlain } from '../history/annotationText';
import { localize } from '../hover/hoverProvider';
import type { IndicatorsFeature } from '../indicators/registerIndicators';
import { IndicatorsPanelSection, isIndicatorRequest } from './indicatorsSection';
import { runExport } from './panelExport';
import { newNonce, panelHtml } from './panelHtml';
import {
  ENRICHMENT_SECTIONS,
  INVESTIGATION_SECTIONS,
  PERIOD_SECTIONS,
  PanelState,
  RunBook,
  isInvestigationSection,
  payloadOf,
  validAlertId,
  validMachineId,
} from './panelRuns';

export const PANEL_VIEW_TYPE = 'ipInvestigator.investigation';

/** What the panels read from and give to the investigation history. */
export interface PanelHistorySource {
  /** What was kept for exactly this request, when it is fresh enough to show without asking Defender again. */
  kept(request: { ip: string; lookback: Lookback; at?: string }): KeptInvestigation | undefined;
  annotation(ip: string): Annotation | undefined;
  /** What the panel shows beyond the tree's sections (timeline, registration data, reverse DNS). */
  keepExtras(inv: Investigation, extras: { rdap?: RdapSummary; reverseDns?: string[] }): void;
  readonly onDidChange: vscode.Event<{ ip?: string; annotation?: boolean }>;
}

export interface ViewDeps {
  logger: Logger;
  session: DefenderSession;
  store: MachinesStore;
  rdap: RdapClient;
  rdapEnabled(): boolean;
  revealMachine(ip: string, machineId: string): Promise<void>;
  /** Opens the machine view of a machine the panel shows (a device id, already checked). */
  openMachine(machineId: string, lookback: PanelIdentity['lookback']): Promise<void>;
  extensionUri: vscode.Uri;
  /** The Indicators section's service and flows. */
  indicators?: IndicatorsFeature;
  history?: PanelHistorySource;
}

/** Webview options: scripts on, nothing else; only the built assets can be loaded. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableForms: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    enableFindWidget: true,
    retainContextWhenHidden: false,
  };
}

export class InvestigationView implements vscode.Disposable {
  private readonly runs = new RunBook();
  private readonly state: PanelState;
  private readonly disposables: vscode.Disposable[] = [];
  private webviewReady = false;
  private disposed = false;
  /** Shown from the investigation history: when that data was fetched, and how many timeline events Defender had. */
  private restored: { from: string; timelineTotal?: number } | undefined;
  private readonly onDisposeHandlers: (() => void)[] = [];
  private readonly indicators: IndicatorsPanelSection | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly facts: AddressFacts,
    identity: PanelIdentity,
    private readonly deps: ViewDeps,
  ) {
    this.state = new PanelState(identity, facts);
    if (deps.indicators) {
      this.indicators = new IndicatorsPanelSection(facts.ip, {
        feature: deps.indicators,
        logger: deps.logger,
        post: (m) => this.post(m),
        investigation: () => this.state.investigation,
        demo: () => deps.session.isDemo,
      });
    }
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.title = vscode.l10n.t('IP {0}', facts.ip);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'activitybar.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      // Settings, sign-in, sign-out or another account: what is shown may be from another tenant; fetch again.
      // (Not on 'cache': clearing the cache does not make what is on screen wrong.)
      deps.session.onDidChange((reason) => {
        if (!this.disposed && reason !== 'cache') this.refresh(false);
      }),
    );
    if (deps.history) {
      this.disposables.push(
        deps.history.onDidChange((c) => {
          if (c.annotation && (c.ip === undefined || c.ip === this.facts.ip)) this.postHistory();
        }),
      );
    }
  }

  /** The header's line about the history: the analyst's verdict and note, and whether what is shown was restored. */
  private postHistory(): void {
    const annotation = this.deps.history?.annotation(this.facts.ip);
    const mark = annotationPlain(annotation, localize, 2000);
    const history: PanelHistory = {
      ...(annotation ? { annotation } : {}),
      ...(mark ? { mark } : {}),
      ...(this.restored ? { restoredFrom: this.restored.from } : {}),
      ...(this.restored?.timelineTotal !== undefined ? { timelineTotal: this.restored.timelineTotal } : {}),
    };
    this.post({ kind: 'history', history });
  }

  /**
   * Shows what the history kept for this address (no request), as if a run had just delivered it; only the sections
   * it did not keep are asked for. Refresh asks for everything again.
   */
  restore(kept: KeptInvestigation): void {
    if (this.disposed) return;
    const inv = kept.investigation;
    const restored: PanelSection[] = INVESTIGATION_SECTIONS.filter((s) => payloadOf(s, inv) !== undefined || (s === 'machinesAtTime' && inv.machinesAtTimeNote !== undefined));
    if (kept.rdap) restored.push('rdap');
    if (kept.reverseDns) restored.push('reverseDns');
    const { runId } = this.runs.start(restored);
    this.state.begin(restored);
    this.post({ kind: 'run', runId, identity: this.state.identity, sections: [...restored] });
    for (const s of restored) {
      if (s === 'rdap' && kept.rdap) this.send(runId, this.state.ready({ section: 'rdap', rdap: kept.rdap }));
      else if (s === 'reverseDns' && kept.reverseDns) this.send(runId, this.state.ready({ section: 'reverseDns', names: kept.reverseDns }));
      else if (isInvestigationSection(s)) {
        const ready = payloadOf(s, inv) !== undefined;
        this.send(runId, this.state.fromService(ready ? { section: s, state: 'ready', investigation: inv } : { section: s, state: 'skipped', reason: inv.machinesAtTimeNote ?? '', investigation: inv }));
      }
    }
    this.restored = { from: kept.fetchedAt, ...(kept.timelineTotal !== undefined ? { timelineTotal: kept.timelineTotal } : {}) };
    this.post({ kind: 'done', runId, cachedAt: kept.fetchedAt });
    this.postHistory();
    const missing = [...INVESTIGATION_SECTIONS, ...ENRICHMENT_SECTIONS].filter((s) => !restored.includes(s));
    this.deps.logger.info(`Panel ${this.facts.ip}: restored from the history (data fetched ${kept.fetchedAt}) without a request${missing.length > 0 ? `; asking for ${missing.join(', ')}` : ''}.`);
    if (missing.length > 0) void this.run(missing, false);
  }

  get identity(): PanelIdentity {
    return this.state.identity;
  }

  onDidDispose(handler: () => void): void {
    this.onDisposeHandlers.push(handler);
  }

  private html(): string {
    const webview = this.panel.webview;
    return panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'panel.css')).toString(),
      scriptNonce: newNonce(),
      styleNonce: newNonce(),
      title: `IP ${this.facts.ip}`,
    });
  }

  private post(message: HostMessage): void {
    // Before `ready` the webview cannot listen; it gets everything by replay when it says ready.
    if (!this.webviewReady || this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  /** Everything: all sections and the enrichment (the first open, Refresh, a session change). */
  refresh(noCache: boolean): void {
    if (this.restored) {
      this.restored = undefined;
      this.postHistory();
    }
    void this.run([...INVESTIGATION_SECTIONS, ...ENRICHMENT_SECTIONS], noCache);
    void this.indicators?.load(noCache);
  }

  /** A new period and/or time for the same address: re-query what depends on them. */
  reinvestigate(identity: Pick<PanelIdentity, 'at' | 'lookback'>): void {
    const current = this.state.identity;
    const lookbackChanged = identity.lookback !== current.lookback;
    const atChanged = identity.at !== current.at;
    this.state.setIdentity({ ip: this.facts.ip, lookback: identity.lookback, ...(identity.at ? { at: identity.at } : {}) });
    const sections: SectionName[] = [...(lookbackChanged ? PERIOD_SECTIONS : []), ...(atChanged ? (['machinesAtTime'] as const) : [])];
    // Another period is asked of Defender: what the header said about the history no longer holds.
    if (lookbackChanged && this.restored) {
      this.restored = undefined;
      this.postHistory();
    }
    if (sections.length > 0) void this.run(sections, false);
  }

  selectMachine(machineId: string): void {
    if (validMachineId(this.state.investigation, machineId)) this.post({ kind: 'selectMachine', machineId });
  }

  private async run(sections: readonly PanelSection[], noCache: boolean): Promise<void> {
    if (this.disposed) return;
    const { runId, signal } = this.runs.start(sections);
    // An address taken off the Machines view while this run loads is not brought back by it.
    const stamp = this.deps.store.stamp(this.facts.ip);
    this.state.begin(sections);
    this.post({ kind: 'run', runId, identity: this.state.identity, sections: [...sections] });
    const inv = sections.filter(isInvestigationSection);
    const enrich = sections.filter((s): s is 'rdap' | 'reverseDns' => s === 'rdap' || s === 'reverseDns');
    const started = Date.now();
    await Promise.all([this.runInvestigation(runId, inv, signal, noCache), ...enrich.map((s) => this.runEnrichment(runId, s, signal))]);
    if (signal.aborted || this.disposed) return;
    // Whatever the service did not answer (or a cancellation from elsewhere interrupted) must not spin forever.
    for (const s of this.runs.unsettled(runId)) this.send(runId, this.state.failed({ source: s, kind: 'internal', message: vscode.l10n.t('No answer for this section.'), remedy: vscode.l10n.t('Refresh to try again.') }));
    this.post({ kind: 'done', runId, ...(this.state.investigation.cachedAt ? { cachedAt: this.state.investigation.cachedAt } : {}) });
    this.deps.logger.info(`Panel ${this.facts.ip}: ${sections.join(', ')} in ${Date.now() - started} ms`);
    // Only a run that asked Defender something is an investigation for the tree and the history.
    if (inv.length > 0) this.toStore(stamp);
    this.keepExtras();
  }

  /** The history keeps what the panel shows beyond the tree's sections. */
  private keepExtras(): void {
    const rdap = this.state.update('rdap');
    const dns = this.state.update('reverseDns');
    this.deps.history?.keepExtras(this.state.investigation, {
      ...(rdap?.state === 'ready' && rdap.payload.section === 'rdap' ? { rdap: rdap.payload.rdap } : {}),
      ...(dns?.state === 'ready' && dns.payload.section === 'reverseDns' ? { reverseDns: dns.payload.names } : {}),
    });
  }

  private send(runId: number, update: ReturnType<PanelState['fromService']>): void {
    if (update.state !== 'loading') this.runs.settle(runId, update.section);
    this.post({ kind: 'section', runId, ...update });
  }

  private async runInvestigation(runId: number, sections: SectionName[], signal: AbortSignal, noCache: boolean): Promise<'done' | 'interrupted'> {
    if (sections.length === 0) return 'done';
    const id = this.state.identity;
    try {
      const service = await this.deps.session.getService();
      const it = service.investigate(
        { address: this.facts.ip, lookback: id.lookback, ...(id.at ? { at: new Date(id.at) } : {}) },
        { sections, signal, ...(noCache ? { noCache: true } : {}) },
      );
      for (;;) {
        const step = await it.next();
        if (step.done || this.disposed) break;
        const u = step.value;
        if (!this.runs.owns(runId, u.section)) continue;
        this.send(runId, this.state.fromService(u));
      }
    } catch (error) {
      const d = describeError(error);
      if (signal.aborted) return 'done';
      if (d.kind === 'cancelled') return 'interrupted';
      // The whole lookup failed (not signed in, no service): every section of the run says why.
      this.deps.logger.error(`Panel ${this.facts.ip}: investigation failed`, error);
      for (const s of this.runs.unsettled(runId)) {
        if (isInvestigationSection(s)) this.send(runId, this.state.failed(toProblem(s, error)));
      }
    }
    return 'done';
  }

  private async runEnrichment(runId: number, section: 'rdap' | 'reverseDns', signal: AbortSignal): Promise<void> {
    const ip = this.facts.ip;
    const own = () => this.runs.owns(runId, section) && !this.disposed;
    try {
      if (section === 'rdap') {
        const r = await this.deps.rdap.lookup(ip, signal);
        if (!own()) return;
        this.send(runId, r.status === 'ok' ? this.state.ready({ section: 'rdap', rdap: r.rdap }) : this.state.skipped('rdap', r.reason));
        return;
      }
      const skip = this.deps.session.isDemo ? vscode.l10n.t('Demo tenant: reverse DNS is not looked up for simulated addresses.') : reverseDnsSkipReason(ip);
      if (skip) {
        this.send(runId, this.state.skipped('reverseDns', skip));
        return;
      }
      const names = await reverseDns(ip, { signal, timeoutMs: 2500 });
      if (!own()) return;
      this.send(runId, this.state.ready({ section: 'reverseDns', names }));
    } catch (error) {
      if (signal.aborted || !own()) return;
      const message = error instanceof RdapError || error instanceof ReverseDnsError ? error.message : describeError(error).message;
      const remedy = error instanceof RdapError ? error.remedy : undefined;
      this.deps.logger.warn(`Panel ${ip}: ${section} failed: ${message}`);
      this.send(runId, this.state.failed({ source: section, kind: error instanceof RdapError ? error.kind : 'failed', message, ...(remedy ? { remedy } : {}) }));
    }
  }

  /** The Machines view gets what the panel learnt (without the timeline, which the view does not show). */
  private toStore(stamp: string): void {
    const inv = this.state.investigation;
    if (!inv.stats && !inv.machines && !inv.alerts && !inv.machinesAtTime) return;
    const { timeline: _timeline, ...rest } = inv;
    this.deps.store.upsert({ ...rest, problems: [...inv.problems] }, { loading: false, stamp });
  }

  private onMessage(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.deps.logger.warn(`Panel ${this.facts.ip}: ignored a malformed message from the webview.`);
      return;
    }
    if (msg.kind === 'ready') {
      this.webviewReady = true;
      this.replay();
      return;
    }
    void this.answer(msg.request).then(
      (r) => this.post({ kind: 'response', id: msg.id, ok: true, ...(r ? { message: r } : {}) }),
      (error: unknown) => {
        const d = describeError(error);
        if (d.kind !== 'invalid' && d.kind !== 'cancelled') this.deps.logger.error(`Panel ${this.facts.ip}: ${msg.request.type} failed`, error);
        this.post({ kind: 'response', id: msg.id, ok: false, error: [d.message, d.remedy].filter(Boolean).join(' ') });
      },
    );
  }

  private replay(): void {
    this.post({
      kind: 'init',
      identity: this.state.identity,
      facts: this.facts,
      demo: this.deps.session.isDemo,
      rdapEnabled: this.deps.rdapEnabled(),
      now: new Date().toISOString(),
    });
    for (const m of this.state.replay(this.runs)) this.post(m);
    this.indicators?.replay();
    this.postHistory();
  }

  /** One request of the webview; the result is a short message for its status line. */
  private async answer(r: PanelRequest): Promise<string | undefined> {
    const inv = this.state.investigation;
    const session = this.deps.session;
    if (isIndicatorRequest(r)) {
      if (!this.indicators) throw new RangeError(vscode.l10n.t('Indicators are not available here.'));
      return this.indicators.answer(r);
    }
    switch (r.type) {
      case 'refresh':
        this.refresh(true);
        return undefined;
      case 'retry': {
        // Details need the machines list, which the service fetches itself when asked for details.
        void this.run(r.section === 'machines' ? ['machines', 'machineDetails'] : [r.section], true);
        return undefined;
      }
      case 'setLookback':
        this.reinvestigate({ lookback: r.lookback, ...(this.state.identity.at ? { at: this.state.identity.at } : {}) });
        return undefined;
      case 'lookupAt': {
        if (!this.facts.internal) throw new RangeError(vscode.l10n.t('Only internal addresses are looked up by time.'));
        const parsed = parseTimeInput(r.at, new Date());
        if (!parsed.ok) throw new RangeError(parsed.error);
        // The 30-day rule is checked here, before any request.
        const problem = findByIpTimeProblem(parsed.time, Date.now());
        if (problem) throw new RangeError(problem);
        this.state.setIdentity({ ...this.state.identity, at: parsed.time.toISOString() });
        void this.run(['machinesAtTime'], false);
        return vscode.l10n.t('Looking for machines that held {0} around {1}.', this.facts.ip, parsed.time.toISOString().replace(/\.\d{3}Z$/, 'Z'));
      }
      case 'openPortal': {
        let url: string;
        if (r.target === 'ip') url = session.portalIpUrl(this.facts.ip);
        else if (r.target === 'machine') {
          const id = validMachineId(inv, r.id);
          if (!id) throw new RangeError(vscode.l10n.t('Unknown machine.'));
          url = session.portalMachineUrl(id);
        } else {
          const id = validAlertId(inv, r.id);
          if (!id) throw new RangeError(vscode.l10n.t('Unknown alert.'));
          url = session.portalAlertUrl(id);
        }
        await vscode.env.openExternal(vscode.Uri.parse(url, true));
        return session.isDemo ? vscode.l10n.t('Opened the portal (demo tenant: it does not know simulated records).') : undefined;
      }
      case 'copy':
        if (r.what === 'address') {
          await vscode.env.clipboard.writeText(this.facts.ip);
          return vscode.l10n.t('Copied {0}.', this.facts.ip);
        }
        await vscode.env.clipboard.writeText(timelineQuery(this.facts.ip, LOOKBACK_DAYS[this.state.identity.lookback]));
        return vscode.l10n.t('Copied the hunting query (KQL) for {0}.', this.facts.ip);
      case 'export':
        return runExport(
          inv,
          {
            portalUrl: session.portalIpUrl(this.facts.ip),
            demo: session.isDemo,
            ...(this.deps.history?.annotation(this.facts.ip) ? { annotation: this.deps.history.annotation(this.facts.ip) } : {}),
            ...(this.state.update('rdap')?.state === 'ready' ? { rdap: rdapOf(this.state.update('rdap')) } : {}),
            ...(this.state.update('reverseDns')?.state === 'ready' ? { reverseDns: namesOf(this.state.update('reverseDns')) } : {}),
            ...(this.indicators ? { indicators: this.indicators.reportData() } : {}),
          },
          r.format,
          r.table,
        );
      case 'revealMachine': {
        const id = validMachineId(inv, r.machineId);
        if (!id) throw new RangeError(vscode.l10n.t('Unknown machine.'));
        await this.deps.revealMachine(this.facts.ip, id);
        return undefined;
      }
      case 'openMachine': {
        const id = validMachineId(inv, r.machineId);
        if (!id) throw new RangeError(vscode.l10n.t('Unknown machine.'));
        await this.deps.openMachine(id, this.state.identity.lookback);
        return undefined;
      }
      case 'setVerdict':
      case 'editNote':
        // The commands prompt (through the scriptable UserInput) and store; the header repaints from the history.
        await vscode.commands.executeCommand(r.type === 'setVerdict' ? 'ipInvestigator.setVerdict' : 'ipInvestigator.editNote', { ip: this.facts.ip });
        return undefined;
    }
  }

  /** The title-bar Export command: the same flow as the panel's Export button. */
  async exportFromCommand(): Promise<void> {
    const message = await this.answer({ type: 'export' });
    if (message) void vscode.window.setStatusBarMessage(message, 5000);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.runs.abortAll();
    this.indicators?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const h of this.onDisposeHandlers.splice(0)) h();
    this.panel.dispose();
  }
}

function rdapOf(u: ReturnType<PanelState['update']>) {
  return u?.state === 'ready' && u.payload.section === 'rdap' ? u.payload.rdap : undefined;
}

function namesOf(u: ReturnType<PanelState['update']>): string[] | undefined {
  return u?.state === 'ready' && u.payload.section === 'reverseDns' ? u.payload.names : undefined;
}
