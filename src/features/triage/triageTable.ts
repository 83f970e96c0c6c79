// The triage table: one webview panel (its own bundle, dist/triage.js) that shows the current results. Rows stream in
// as the controller reports changes; everything is replayed when the webview (re)loads. Requests from the webview are
// validated, and an address is acted on only when it is a row of the current results.
import * as vscode from 'vscode';
import { describeError } from '../../core/investigation/describeError';
import type { Logger } from '../../platform/logger';
import { parseTriageWebviewMessage, type TriageExportFormat, type TriageHostMessage, type TriageRequest, type TriageRow, type TriageSummary } from '../../shared/triageProtocol';
import type { Annotation } from '../../shared/annotation';
import type { TriageEntry } from '../../shared/triageModel';
import { newNonce, panelHtml } from '../panel/panelHtml';
import { plain } from '../tree/plainText';
import { prefillFromTriage } from '../../core/indicators/indicatorPrefill';
import { investigationTime, toTableRow } from './tableRows';
import type { TriageChange, TriageController } from './triageController';
import type { TriageResults } from './triageResults';

export const TRIAGE_VIEW_TYPE = 'ipInvestigator.triage';

/** Rows per message: a first paint of 10,000 addresses arrives in a few messages, none of them huge. */
const ROWS_PER_MESSAGE = 2_000;

export interface TableDeps {
  logger: Logger;
  controller: TriageController;
  extensionUri: vscode.Uri;
  reveal(results: TriageResults, ip: string): Promise<string | undefined>;
  export(format?: TriageExportFormat): Promise<string | undefined>;
  /** The analyst's verdicts and notes (the investigation history): a column of the table. */
  annotations?: TriageAnnotations;
}

/** What the triage surfaces read of the analyst's verdicts and notes. */
export interface TriageAnnotations {
  annotation(ip: string): Annotation | undefined;
  annotations(): ReadonlyMap<string, Annotation>;
  readonly onDidChange: vscode.Event<{ ip?: string; annotation?: boolean }>;
}

export function triageHtml(o: { cspSource: string; scriptUri: string; styleUri: string; scriptNonce: string; styleNonce: string }): string {
  return panelHtml({ ...o, title: 'Triage', noscript: 'The triage table needs scripts, which VS Code enables for it.' });
}

export class TriageTable implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The webview said `ready` since it was made (it says so again each time it loads). */
  private ready = false;
  /** Something was not posted because the table was hidden: it is replayed when the table shows again. */
  private stale = false;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];
  /** Rows posted to the webview since its last load (diagnostics and the integration suite). */
  rowsPosted = 0;

  constructor(private readonly deps: TableDeps) {
    this.disposables.push(deps.controller.onDidChange((c) => this.onChange(c)));
    if (deps.annotations) {
      this.disposables.push(
        deps.annotations.onDidChange((c) => {
          const r = this.deps.controller.current;
          if (!c.annotation || !r || !this.ready) return;
          if (c.ip === undefined) this.replay();
          else if (r.entries.has(c.ip)) this.postRows(r.id, [this.row(r.entries.get(c.ip)!)]);
        }),
      );
    }
  }

  private row(e: TriageEntry): TriageRow {
    return toTableRow(e, localize, this.deps.annotations?.annotation(e.ip));
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Whether the window last said the table is on screen (diagnostics). */
  get isVisible(): boolean {
    return this.panel?.visible ?? false;
  }

  /** Opens the table beside the editor (or reveals it). */
  show(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      TRIAGE_VIEW_TYPE,
      vscode.l10n.t('IP Triage'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { ...this.webviewOptions(), enableFindWidget: true, retainContextWhenHidden: false },
    );
    this.attach(panel);
  }

  /** Takes a table VS Code restored after a reload (its serializer); a second copy is closed. */
  adopt(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.attach(panel);
  }

  private webviewOptions(): vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      enableForms: false,
      localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist'), vscode.Uri.joinPath(this.deps.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.stale = false;
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'activitybar.svg');
    const webview = panel.webview;
    webview.html = triageHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'triage.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'triage.css')).toString(),
      scriptNonce: newNonce(),
      styleNonce: newNonce(),
    });
    this.panelDisposables = [
      webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      // A hidden webview is unloaded (retainContextWhenHidden is off) and says `ready` again when shown, which replays
      // everything. Nothing depends on the order of that message and this event: what was held back while hidden
      // is also replayed as soon as the panel is visible (a webview shown again without a reload gets it too).
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.ready && this.stale) this.replay();
      }),
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables.splice(0)) d.dispose();
        this.panel = undefined;
        this.ready = false;
        this.stale = false;
      }),
    ];
  }

  private post(message: TriageHostMessage): void {
    if (!this.panel || !this.ready) return;
    // Hidden: everything is replayed when the table shows again. It is posted anyway: the flag is what the window last
    // reported, and a table on screen that this thread took for hidden would otherwise wait for an event that is not
    // coming (a hidden webview is unloaded, and what it misses is replayed when it loads).
    if (!this.panel.visible) this.stale = true;
    if (message.kind === 'rows') this.rowsPosted += message.rows.length;
    void this.panel.webview.postMessage(message);
  }

  private postRows(runId: number, rows: TriageRow[]): void {
    for (let i = 0; i < rows.length; i += ROWS_PER_MESSAGE) this.post({ kind: 'rows', runId, rows: rows.slice(i, i + ROWS_PER_MESSAGE) });
  }

  private summary(): TriageSummary {
    const r = this.deps.controller.current;
    if (r) return r.summary();
    return {
      runId: 0,
      state: 'idle',
      phase: 'done',
      source: '',
      lookback: '7d',
      addresses: 0,
      resolved: 0,
      byVerdict: { alerts: 0, seen: 0, 'not-seen': 0, internal: 0, skipped: 0, unknown: 0, pending: 0 },
      batchesDone: 0,
      batchesTotal: 0,
      calls: { hunting: 0, findbyip: 0, cacheHits: 0 },
      bytesScanned: 0,
      occurrences: 0,
      notes: [],
      demo: false,
      startedAt: new Date().toISOString(),
    };
  }

  /** Everything, from the start: the webview just loaded. */
  private replay(): void {
    this.rowsPosted = 0;
    this.stale = false;
    const r = this.deps.controller.current;
    this.post({ kind: 'reset', summary: this.summary() });
    if (r) this.postRows(r.id, r.sortedEntries().map((e) => this.row(e)));
  }

  private onChange(c: TriageChange): void {
    if (!this.ready) return;
    if (c.kind === 'reset') {
      this.replay();
      return;
    }
    const r = c.results;
    if (!r) return;
    const rows: TriageRow[] = [];
    for (const ip of c.changed) {
      const e = r.entries.get(ip);
      if (e) rows.push(this.row(e));
    }
    this.postRows(r.id, rows);
    this.post({ kind: 'summary', summary: r.summary() });
  }

  private onMessage(raw: unknown): void {
    const msg = parseTriageWebviewMessage(raw);
    if (!msg) {
      this.deps.logger.warn('Triage table: ignored a malformed message from the webview.');
      return;
    }
    if (msg.kind === 'ready') {
      this.ready = true;
      this.replay();
      return;
    }
    void this.answer(msg.request).then(
      (message) => this.post({ kind: 'response', id: msg.id, ok: true, ...(message ? { message } : {}) }),
      (error: unknown) => {
        const d = describeError(error);
        if (d.kind !== 'invalid' && d.kind !== 'cancelled') this.deps.logger.error(`Triage table: ${msg.request.type} failed`, error);
        this.post({ kind: 'response', id: msg.id, ok: false, error: [d.message, d.remedy].filter(Boolean).join(' ') });
      },
    );
  }

  /** One request of the webview; the result is a short message for its status line. */
  private async answer(r: TriageRequest): Promise<string | undefined> {
    if (r.type === 'cancel') {
      return this.deps.controller.cancel() ? vscode.l10n.t('Cancelling: the addresses that arrived are kept.') : vscode.l10n.t('No triage is running.');
    }
    if (r.type === 'export') return this.deps.export(r.format);
    if (r.type === 'addIndicators' || r.type === 'removeIndicators') {
      const current = this.deps.controller.current;
      // Only addresses of the current results: the webview never names what the host acts on.
      const entries = r.ips.flatMap((ip) => (current?.entries.get(ip) ? [current.entries.get(ip)!] : []));
      if (!current || entries.length === 0) throw new RangeError(vscode.l10n.t('Select rows of the current triage first.'));
      const ips = entries.map((e) => e.ip);
      if (r.type === 'removeIndicators') {
        void vscode.commands.executeCommand('ipInvestigator.removeIndicatorsForAddresses', { ips });
        return vscode.l10n.t('Removing the indicators of {0} addresses: confirm first.', ips.length);
      }
      const descriptions = Object.fromEntries(entries.map((e) => [e.ip, prefillFromTriage(e, current.source)]));
      void vscode.commands.executeCommand('ipInvestigator.addIndicatorsForAddresses', { ips, source: current.source, descriptions });
      return vscode.l10n.t('Indicators for {0} addresses: fill the form, then confirm.', ips.length);
    }
    const results = this.deps.controller.current;
    const entry = results?.entries.get(r.ip);
    // Only an address of the current results: the webview never names what the host acts on.
    if (!results || !entry) throw new RangeError(vscode.l10n.t('{0} is not in the current triage results.', r.ip));
    switch (r.type) {
      case 'open': {
        const at = investigationTime(entry);
        void vscode.commands.executeCommand('ipInvestigator.investigateIp', { ip: entry.ip, lookback: results.lookback, ...(at ? { at } : {}) });
        return at ? vscode.l10n.t('Investigating {0} at {1}.', entry.ip, at) : vscode.l10n.t('Investigating {0}.', entry.ip);
      }
      case 'reveal':
        return this.deps.reveal(results, entry.ip);
      case 'copy':
        await vscode.env.clipboard.writeText(entry.ip);
        return vscode.l10n.t('Copied {0}.', entry.ip);
      case 'machines': {
        // The holders of an internal address carry ids; a public address's sightings name a few machines.
        const machines: { machineId?: string; name: string }[] = entry.holders?.length ? entry.holders.map((h) => ({ machineId: h.id, name: h.name })) : (entry.sightings?.deviceNames ?? []).map((name) => ({ name }));
        if (machines.length === 0) throw new RangeError(vscode.l10n.t('No machine is known for {0} in these results.', entry.ip));
        const chosen =
          machines.length === 1
            ? machines[0]
            : (
                await vscode.window.showQuickPick(
                  machines.map((m) => ({ label: plain(m.name, 200), ...(m.machineId ? { description: m.machineId } : {}), m })),
                  { title: vscode.l10n.t('Open the machine view of…') },
                )
              )?.m;
        if (!chosen) return undefined;
        void vscode.commands.executeCommand('ipInvestigator.investigateMachine', { ...chosen, lookback: results.lookback });
        return vscode.l10n.t('Opening the machine view of {0}.', chosen.name.slice(0, 80));
      }
      case 'mark':
        // The command prompts (scriptable UserInput); the row repaints when the history says it changed.
        await vscode.commands.executeCommand('ipInvestigator.setVerdict', { ip: entry.ip });
        return undefined;
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

const localize = (message: string, ...args: (string | number)[]): string => vscode.l10n.t(message, ...args);
