// One machine panel (one Defender machine): runs the machine service, streams each section to the webview as it
// arrives, replays everything when the webview reloads, and answers its requests (period, retry, copy, portal links,
// investigate an address, triage the addresses, export) from validated values only. Shares the investigation panel's
// page shell, CSP, nonce, webview options and run bookkeeping.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { describeError } from '../../core/investigation/describeError';
import { machineExportFileName, machineViewJson, remoteAddressesCsv } from '../../core/machine/machineExport';
import { machineProblem } from '../../core/machine/machineService';
import type { Logger } from '../../platform/logger';
import type { Lookback } from '../../shared/investigation';
import { MACHINE_PERIOD_SECTIONS, MACHINE_SECTIONS, type MachineSection } from '../../shared/machine';
import { parseMachineWebviewMessage, type MachineExportFormat, type MachineHostMessage, type MachineIdentity, type MachineRequest, type MachineSectionUpdate } from '../../shared/machineProtocol';
import { newNonce, panelHtml } from '../panel/panelHtml';
import { RunBook } from '../panel/panelRuns';
import { webviewOptions } from '../panel/investigationView';
import type { DefenderSession } from '../session/defenderSession';
import type { MachineActivity } from '../tree/machineActivity';
import { plain } from '../tree/plainText';
import { MachinePanelState, knownAddresses, validAlertOf } from './machineRuns';

export const MACHINE_VIEW_TYPE = 'ipInvestigator.machine';

export interface MachineViewDeps {
  logger: Logger;
  session: DefenderSession;
  extensionUri: vscode.Uri;
  /** The Machines view's "Talked to" groups learn what the panel fetched. */
  activity: MachineActivity;
  investigateIp(ip: string, lookback: Lookback): Thenable<unknown>;
  triage(addresses: string[], source: string): Thenable<unknown>;
}

/** `Machine fin-ws-017` (the first label of the name), or the start of the id until the overview arrived. */
export function machineTitle(name: string | undefined, machineId: string): string {
  if (!name) return vscode.l10n.t('Machine {0}…', machineId.slice(0, 8));
  // One plain line: no control or direction-changing characters from the API in the tab title.
  return vscode.l10n.t('Machine {0}', plain(name.split('.')[0] || name, 40));
}

export class MachineView implements vscode.Disposable {
  private readonly runs = new RunBook<MachineSection>();
  private readonly state: MachinePanelState;
  private readonly disposables: vscode.Disposable[] = [];
  private webviewReady = false;
  private disposed = false;
  private readonly onDisposeHandlers: (() => void)[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    identity: MachineIdentity,
    private readonly deps: MachineViewDeps,
  ) {
    this.state = new MachinePanelState(identity);
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.title = machineTitle(undefined, identity.machineId);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'activitybar.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      // What is shown may be from another tenant or account: fetch again (not on 'cache': what is shown still holds).
      deps.session.onDidChange((reason) => {
        if (!this.disposed && reason !== 'cache') this.refresh(false);
      }),
    );
  }

  get identity(): MachineIdentity {
    return this.state.identity;
  }

  onDidDispose(handler: () => void): void {
    this.onDisposeHandlers.push(handler);
  }

  private html(): string {
    const webview = this.panel.webview;
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...path)).toString();
    return panelHtml({
      cspSource: webview.cspSource,
      scriptUri: asset('dist', 'machine.js'),
      styleUri: asset('media', 'panel.css'),
      styleUris: [asset('media', 'machine.css')],
      scriptNonce: newNonce(),
      styleNonce: newNonce(),
      title: `Machine ${this.state.identity.machineId}`,
      noscript: 'The machine view needs scripts, which VS Code enables for it.',
    });
  }

  private post(message: MachineHostMessage): void {
    if (!this.webviewReady || this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  /** Every section (the first open, Refresh, a session change). */
  refresh(noCache: boolean): void {
    void this.run(MACHINE_SECTIONS, noCache);
  }

  /** A new period: re-query the sections that depend on it. */
  setLookback(lookback: Lookback): void {
    if (lookback === this.state.identity.lookback) return;
    this.state.setLookback(lookback);
    void this.run(MACHINE_PERIOD_SECTIONS, false);
  }

  private async run(sections: readonly MachineSection[], noCache: boolean): Promise<void> {
    if (this.disposed) return;
    const { runId, signal } = this.runs.start(sections);
    this.state.begin(sections);
    this.post({ kind: 'run', runId, identity: this.state.identity, sections: [...sections] });
    const started = Date.now();
    const id = this.state.identity;
    try {
      const service = await this.deps.session.getMachineService();
      const it = service.investigate({ machineId: id.machineId, lookback: id.lookback }, { sections, signal, ...(noCache ? { noCache: true } : {}) });
      for (;;) {
        const step = await it.next();
        if (step.done || this.disposed) break;
        const u = step.value;
        if (!this.runs.owns(runId, u.section)) continue;
        this.send(runId, this.state.fromService(u));
        if (u.state === 'ready' && u.section === 'overview') this.panel.title = machineTitle(this.state.view.machine?.computerDnsName, id.machineId);
        if (u.state === 'ready' && u.section === 'network' && u.investigation.network) this.deps.activity.put(id.machineId, u.investigation.network);
      }
    } catch (error) {
      if (signal.aborted || this.disposed) return;
      const d = describeError(error);
      if (d.kind !== 'cancelled') {
        // The whole view failed (not signed in, no connection): every section of the run says why.
        this.deps.logger.error(`Machine ${id.machineId}: the machine view failed`, error);
        for (const s of this.runs.unsettled(runId)) this.send(runId, this.state.failed(machineProblem(s, error)));
      }
    }
    if (signal.aborted || this.disposed) return;
    for (const s of this.runs.unsettled(runId)) {
      this.send(runId, this.state.failed({ source: s, kind: 'internal', message: vscode.l10n.t('No answer for this section.'), remedy: vscode.l10n.t('Refresh to try again.') }));
    }
    this.post({ kind: 'done', runId, ...(this.state.view.cachedAt ? { cachedAt: this.state.view.cachedAt } : {}) });
    this.deps.logger.info(`Machine ${id.machineId}: ${sections.join(', ')} in ${Date.now() - started} ms`);
  }

  private send(runId: number, update: MachineSectionUpdate): void {
    if (update.state !== 'loading') this.runs.settle(runId, update.section);
    this.post({ kind: 'section', runId, ...update });
  }

  private onMessage(raw: unknown): void {
    const msg = parseMachineWebviewMessage(raw);
    if (!msg) {
      this.deps.logger.warn(`Machine ${this.state.identity.machineId}: ignored a malformed message from the webview.`);
      return;
    }
    if (msg.kind === 'ready') {
      this.webviewReady = true;
      this.post({ kind: 'init', identity: this.state.identity, demo: this.deps.session.isDemo, now: new Date().toISOString() });
      for (const m of this.state.replay(this.runs)) this.post(m);
      return;
    }
    void this.answer(msg.request).then(
      (r) => this.post({ kind: 'response', id: msg.id, ok: true, ...(r ? { message: r } : {}) }),
      (error: unknown) => {
        const d = describeError(error);
        if (d.kind !== 'invalid' && d.kind !== 'cancelled') this.deps.logger.error(`Machine ${this.state.identity.machineId}: ${msg.request.type} failed`, error);
        this.post({ kind: 'response', id: msg.id, ok: false, error: [d.message, d.remedy].filter(Boolean).join(' ') });
      },
    );
  }

  /** One request of the webview; the result is a short message for its status line. */
  async answer(r: MachineRequest): Promise<string | undefined> {
    const view = this.state.view;
    const session = this.deps.session;
    const id = this.state.identity.machineId;
    switch (r.type) {
      case 'refresh':
        this.refresh(true);
        return undefined;
      case 'retry':
        void this.run([r.section], true);
        return undefined;
      case 'setLookback':
        this.setLookback(r.lookback);
        return undefined;
      case 'openPortal': {
        let url: string;
        if (r.target === 'machine') url = session.portalMachineUrl(id);
        else {
          const alert = validAlertOf(view, r.id);
          if (!alert) throw new RangeError(vscode.l10n.t('Unknown alert.'));
          url = session.portalAlertUrl(alert);
        }
        await vscode.env.openExternal(vscode.Uri.parse(url, true));
        return session.isDemo ? vscode.l10n.t('Opened the portal (demo tenant: it does not know simulated records).') : undefined;
      }
      case 'copy': {
        if (r.what === 'id') {
          await vscode.env.clipboard.writeText(id);
          return vscode.l10n.t('Copied the machine id.');
        }
        const name = view.machine?.computerDnsName;
        if (!name) throw new RangeError(vscode.l10n.t('The machine name is not known yet.'));
        await vscode.env.clipboard.writeText(name);
        return vscode.l10n.t('Copied the machine name.');
      }
      case 'investigateIp': {
        // Only an address the view shows: the webview never names what the host investigates.
        if (!knownAddresses(view).has(r.ip)) throw new RangeError(vscode.l10n.t('{0} is not an address of this machine view.', r.ip));
        await this.deps.investigateIp(r.ip, this.state.identity.lookback);
        return undefined;
      }
      case 'triage': {
        const shown = new Set((view.network?.remotes ?? []).map((x) => x.ip));
        const addresses = [...new Set(r.ips.filter((ip) => shown.has(ip)))];
        if (addresses.length === 0) throw new RangeError(vscode.l10n.t('There are no remote addresses to triage.'));
        void this.deps.triage(addresses, vscode.l10n.t('{0} remote addresses of {1}', addresses.length, this.state.name));
        return vscode.l10n.t('Triaging {0} addresses.', addresses.length);
      }
      case 'export':
        return this.export(r.format);
    }
  }

  private async export(format: MachineExportFormat | undefined): Promise<string | undefined> {
    const view = this.state.view;
    let chosen = format;
    if (!chosen) {
      const items: (vscode.QuickPickItem & { format: MachineExportFormat })[] = [
        { label: vscode.l10n.t('Remote addresses as CSV…'), format: 'csv' },
        { label: vscode.l10n.t('The whole machine view as JSON…'), format: 'json' },
      ];
      chosen = (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Export machine view') }))?.format;
      if (!chosen) return undefined;
    }
    if (chosen === 'csv' && !view.network) throw new RangeError(vscode.l10n.t('The network activity has not arrived yet.'));
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const file = machineExportFileName(this.state.name, chosen === 'csv' ? 'remote-addresses' : 'view', chosen);
    const target = await vscode.window.showSaveDialog({
      title: chosen === 'csv' ? vscode.l10n.t('Save the remote addresses as CSV') : vscode.l10n.t('Save the machine view as JSON'),
      defaultUri: vscode.Uri.joinPath(folder, file),
      filters: chosen === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!target) return undefined;
    const text = chosen === 'csv' ? remoteAddressesCsv(view.network?.remotes ?? []) : machineViewJson(view, new Date().toISOString());
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    return vscode.l10n.t('Saved to {0}.', target.scheme === 'file' ? target.fsPath : target.toString(true));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.runs.abortAll();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const h of this.onDisposeHandlers.splice(0)) h();
    this.panel.dispose();
  }
}
