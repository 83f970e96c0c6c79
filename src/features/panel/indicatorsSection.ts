// The host half of the panel's Indicators section: the address's indicators (from the service's cache or one list
// query), whether the identity may write (with the reason when not), this workspace's writes that named the address,
// and the section's requests (add, change expiry, remove, refresh), which run the same flows as the commands.
import * as vscode from 'vscode';
import { checkIndicatorAddress } from '../../core/indicators/indicatorRules';
import { prefillFromInvestigation } from '../../core/indicators/indicatorPrefill';
import { describeError } from '../../core/investigation/describeError';
import type { Logger } from '../../platform/logger';
import { UserCancelled } from '../../platform/runCommand';
import type { Indicator } from '../../shared/defenderModel';
import type { AuditEntry } from '../../shared/indicatorModel';
import type { Investigation } from '../../shared/investigation';
import type { HostMessage, IndicatorView, IndicatorsView, PanelRequest } from '../../shared/protocol';
import { addIndicatorFlow, expireIndicatorFlow, removeIndicatorFlow } from '../indicators/indicatorFlows';
import type { IndicatorsFeature } from '../indicators/registerIndicators';

type IndicatorRequest = Extract<PanelRequest, { type: 'indicatorAdd' | 'indicatorRemove' | 'indicatorExpire' | 'indicatorsRefresh' }>;

export function isIndicatorRequest(r: PanelRequest): r is IndicatorRequest {
  return r.type === 'indicatorAdd' || r.type === 'indicatorRemove' || r.type === 'indicatorExpire' || r.type === 'indicatorsRefresh';
}

function toView(i: Indicator): IndicatorView {
  return {
    id: i.id,
    action: i.action,
    title: i.title,
    ...(i.description ? { description: i.description } : {}),
    ...(i.severity ? { severity: i.severity } : {}),
    ...(i.expirationTime ? { expirationTime: i.expirationTime } : {}),
    ...(i.createdByDisplayName || i.createdBy ? { createdBy: i.createdByDisplayName ?? i.createdBy } : {}),
    ...(i.creationTimeDateTimeUtc ? { creationTime: i.creationTimeDateTimeUtc } : {}),
    ...(i.lastUpdateTime ? { lastUpdateTime: i.lastUpdateTime } : {}),
    ...(i.generateAlert !== undefined ? { generateAlert: i.generateAlert } : {}),
    ...(i.recommendedActions ? { recommendedActions: i.recommendedActions } : {}),
    rbacGroupNames: i.rbacGroupNames,
    ...(i.application ? { application: i.application } : {}),
  };
}

/** The view's write capability: enabled, or disabled with the reason. */
function writeOf(c: { enabled: boolean; reason?: string }): IndicatorsView['write'] {
  return c.enabled ? { enabled: true } : { enabled: false, reason: c.reason ?? '' };
}

export class IndicatorsPanelSection implements vscode.Disposable {
  private view: IndicatorsView = { state: 'loading', indicators: [], write: { enabled: false }, history: [] };
  private indicators: Indicator[] = [];
  private generation = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ip: string,
    private readonly deps: {
      feature: IndicatorsFeature;
      logger: Logger;
      post: (m: HostMessage) => void;
      investigation: () => Investigation;
      demo: () => boolean;
    },
  ) {
    const service = deps.feature.service;
    this.subscriptions.push(
      // A write from anywhere (command, hover, triage) or a lost permission: show the tenant's state again.
      service.onDidChange((c) => {
        if (c.ips.length === 0 || c.ips.includes(this.ip)) void this.load(false);
      }),
      service.audit.onDidRecord((e) => {
        if (e.addresses.includes(this.ip)) this.publish({ ...this.view, history: this.history() });
      }),
    );
  }

  private history(): IndicatorsView['history'] {
    return this.deps.feature.service.audit
      .entries()
      .filter((e: AuditEntry) => e.addresses.includes(this.ip))
      .slice(0, 5)
      .map((e) => ({
        at: e.at,
        kind: e.kind,
        ...(e.action ? { action: e.action } : {}),
        outcome: Object.entries(e.outcomes)
          .map(([k, n]) => `${n} ${k}`)
          .join(', '),
        identity: e.identity,
        requestIds: e.requestIds,
      }));
  }

  private publish(view: IndicatorsView): void {
    this.view = view;
    this.deps.post({ kind: 'indicators', view });
  }

  /**
   * A panel restored from the history asks the tenant nothing: the indicators come from what this session already
   * knows when it knows them, else the section says they were not looked up and offers to.
   */
  async showKnown(): Promise<void> {
    const gen = ++this.generation;
    const known = this.deps.feature.service.peek(this.ip);
    if (!known) {
      this.indicators = [];
      this.publish({ state: 'idle', indicators: [], write: { enabled: false, reason: 'is offered once the indicators are looked up' }, ...this.refusal(), history: this.history() });
      return;
    }
    // Known this session, so the identity's capability is known too (no request).
    const write = writeOf(await this.deps.feature.service.capability());
    if (gen === this.generation) this.publishReady(known.indicators, known.fetchedAt, write);
  }

  /** Why this address cannot get an indicator at all, as the view's field (empty when it can). */
  private refusal(): { refusal?: string } {
    const address = checkIndicatorAddress(this.ip, { demo: this.deps.demo() });
    return address.ok ? {} : { refusal: address.reason };
  }

  private publishReady(indicators: Indicator[], fetchedAt: number, write: IndicatorsView['write']): void {
    this.indicators = indicators;
    this.publish({ state: 'ready', indicators: indicators.map(toView), write, ...this.refusal(), history: this.history(), fetchedAt: new Date(fetchedAt).toISOString() });
  }

  /** The address's indicators now (noCache: straight from the tenant). */
  async load(noCache: boolean): Promise<void> {
    const gen = ++this.generation;
    const service = this.deps.feature.service;
    const capability = await service.capability();
    const write = writeOf(capability);
    if (!capability.enabled) {
      // No read-only permission exists for indicators: without Ti.ReadWrite the list would be refused too.
      this.indicators = [];
      this.publish({
        state: 'failed',
        indicators: [],
        problem: { message: `Indicators cannot be read or written: this ${capability.reason ?? ''}.`, permission: 'Ti.ReadWrite / Ti.ReadWrite.All' },
        write,
        ...this.refusal(),
        history: this.history(),
      });
      return;
    }
    this.publish({ ...this.view, state: 'loading', write, ...this.refusal(), history: this.history() });
    try {
      const r = await service.lookup(this.ip, { noCache });
      if (gen !== this.generation) return;
      this.indicators = r.indicators;
      this.publishReady(r.indicators, r.fetchedAt, writeOf(await service.capability()));
    } catch (error) {
      if (gen !== this.generation) return;
      const d = describeError(error);
      if (d.kind === 'cancelled') return;
      this.deps.logger.warn(`Panel ${this.ip}: indicators: ${d.message}`);
      const after = await service.capability();
      this.publish({
        state: 'failed',
        indicators: [],
        problem: { message: d.message, ...(d.remedy ? { remedy: d.remedy } : {}), ...(d.permission ? { permission: d.permission } : {}), ...(d.requestId ? { requestId: d.requestId } : {}) },
        write: writeOf(after),
        ...this.refusal(),
        history: this.history(),
      });
    }
  }

  replay(): void {
    this.deps.post({ kind: 'indicators', view: this.view });
  }

  /** The section's data for the Markdown report. */
  reportData(): { indicators: Indicator[]; audit: AuditEntry[] } {
    return { indicators: this.indicators, audit: this.deps.feature.service.audit.entries() };
  }

  /** A request of the section; the result is the panel's status line. Only ids the section showed are acted on. */
  async answer(r: IndicatorRequest): Promise<string | undefined> {
    try {
      return await this.run(r);
    } catch (e) {
      // A dismissed form or pick: nothing was sent, and that is all there is to say.
      if (e instanceof UserCancelled) return vscode.l10n.t('Cancelled: nothing was sent.');
      throw e;
    }
  }

  private async run(r: IndicatorRequest): Promise<string | undefined> {
    const flows = this.deps.feature.flows;
    switch (r.type) {
      case 'indicatorsRefresh':
        await this.load(true);
        return undefined;
      case 'indicatorAdd': {
        const w = await addIndicatorFlow(flows, { ip: this.ip, prefill: prefillFromInvestigation(this.deps.investigation()) });
        return w ? vscode.l10n.t('Indicator {0}: {1}.', w.indicatorId ?? '', w.outcome) : vscode.l10n.t('Not confirmed: nothing was sent.');
      }
      case 'indicatorRemove':
      case 'indicatorExpire': {
        if (!this.indicators.some((i) => i.id === r.id)) throw new RangeError(vscode.l10n.t('Unknown indicator.'));
        const w = r.type === 'indicatorRemove' ? await removeIndicatorFlow(flows, { ip: this.ip, id: r.id }) : await expireIndicatorFlow(flows, { ip: this.ip, id: r.id });
        return w ? vscode.l10n.t('Indicator {0}: {1}.', r.id, w.outcome) : vscode.l10n.t('Not confirmed: nothing was sent.');
      }
    }
  }

  dispose(): void {
    this.generation++;
    for (const s of this.subscriptions) s.dispose();
  }
}
