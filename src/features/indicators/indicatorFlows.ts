// The write flows every surface starts (command palette, hover, panel, triage table): check the address, check the
// permission, fill the short form, show one modal confirmation that names exactly what will be created, write, say
// what happened. A bulk run goes through the import route under a cancellable progress notification.
import * as vscode from 'vscode';
import { planBulkAdd, type BulkTarget } from '../../core/indicators/bulkPlan';
import { renderAuditMarkdown, renderResultsMarkdown } from '../../core/indicators/auditTrail';
import {
  CHOICE_ACTIONS,
  checkDraft,
  checkIndicatorAddress,
  choiceOf,
  describeSubmission,
  expirySubmission,
  formatExpiry,
  indicatorKey,
  isSeverity,
  parseExpiry,
  type IndicatorDraft,
} from '../../core/indicators/indicatorRules';
import type { Prefill } from '../../core/indicators/indicatorPrefill';
import type { SingleWrite } from '../../core/indicators/indicatorWrites';
import type { Logger } from '../../platform/logger';
import { UserCancelled } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import type { Indicator } from '../../shared/defenderModel';
import type { BulkReport, IndicatorChoice } from '../../shared/indicatorModel';
import type { DefenderSession } from '../session/defenderSession';
import { askExpiry, editIndicatorForm, type FormState } from './indicatorForm';
import type { IndicatorService } from './indicatorService';

export interface FlowDeps {
  logger: Logger;
  ui: UserInput;
  session: DefenderSession;
  indicators: IndicatorService;
}

const t = (m: string, ...a: (string | number)[]) => vscode.l10n.t(m, ...a);

/** The button of the confirmation: the verb of what is sent. */
function buttonFor(choice: IndicatorChoice, updating: boolean): string {
  if (updating) return t('Update');
  return { block: t('Block'), warn: t('Warn'), audit: t('Audit'), alert: t('Create Alert'), allowed: t('Allow') }[choice];
}

/** What the confirmation says under its question: where it applies, when it takes effect, what can override it. */
function confirmationDetail(lines: string[]): string {
  return [
    ...lines,
    t('Defender applies a new IP indicator within about 2 hours (up to 48 h), on devices with network protection in block mode and custom network indicators turned on. An Allowed indicator of the same address wins over Warn and Block.'),
  ].join('\n\n');
}

/** Refuses (before any request) an address Defender does not take; the reason is the warning. */
function eligibleAddress(ip: string, deps: FlowDeps): string {
  const a = checkIndicatorAddress(ip, { demo: deps.session.isDemo });
  if (!a.ok) throw new RangeError(a.reason);
  return a.ip;
}

function initialForm(prefill: Prefill | undefined, existing: Indicator | undefined, ip: string): FormState {
  if (existing) {
    const choice = choiceOf(existing.action) ?? 'block';
    return {
      choice,
      title: existing.title,
      description: existing.description ?? existing.title,
      ...(isSeverity(existing.severity) ? { severity: existing.severity } : {}),
      expires: existing.expirationTime && Date.parse(existing.expirationTime) > Date.now() + 60_000 ? existing.expirationTime : '30d',
      ...(existing.generateAlert !== undefined && CHOICE_ACTIONS[choice].alert !== 'forced' ? { generateAlert: existing.generateAlert } : {}),
      ...(existing.recommendedActions ? { recommendedActions: existing.recommendedActions } : {}),
      groups: [...existing.rbacGroupNames],
    };
  }
  return { choice: 'block', title: prefill?.title ?? t('Investigated address {0}', ip), description: prefill?.description ?? t('Added from Defender IP Investigator.'), expires: '30d', groups: [] };
}

function say(w: SingleWrite, summary: string): string {
  const id = w.indicatorId ? t(' (indicator {0})', w.indicatorId) : '';
  switch (w.outcome) {
    case 'created':
      return t('Created: {0}{1}.', summary, id);
    case 'updated':
      return t('Updated: {0}{1}.', summary, id);
    case 'removed':
      return t('Removed the indicator of {0}{1}.', w.ip, id);
    case 'not-found':
      return t('The indicator of {0} was not there any more (removed elsewhere or expired).', w.ip);
    default:
      return t('{0}: the outcome is not known ({1}). Check the indicators of {2} before trying again.', summary, w.reason ?? '', w.ip);
  }
}

/** Add (or update) the indicator of one address. Returns what was written, or undefined when the user declined. */
export async function addIndicatorFlow(deps: FlowDeps, input: { ip: string; prefill?: Prefill }): Promise<SingleWrite | undefined> {
  const ip = eligibleAddress(input.ip, deps);
  await deps.indicators.requireWrite();
  const current = await deps.indicators.lookup(ip, { noCache: true });
  const existing = current.indicators[0];
  const draftOf = (s: FormState): IndicatorDraft => ({ ...s, ip, description: s.description ?? '' });
  const form = await editIndicatorForm(deps.ui, {
    target: ip,
    initial: initialForm(input.prefill, existing, ip),
    updating: existing !== undefined,
    check: (s) => {
      const c = checkDraft(draftOf(s), { demo: deps.session.isDemo, now: Date.now() });
      return c.ok ? { summary: c.summary, errors: [] } : { errors: c.errors };
    },
  });
  const checked = checkDraft(draftOf(form), { demo: deps.session.isDemo, now: Date.now() });
  if (!checked.ok) throw new RangeError(checked.errors.join(' '));
  const question = existing ? t('Update the {0} indicator of {1} to: {2}?', existing.action, ip, checked.summary) : `${checked.summary}?`;
  const detail = [t('Title: {0}', checked.submission.title), t('Tenant: {0}', tenantText(deps))];
  const button = buttonFor(form.choice, existing !== undefined);
  const answer = await deps.ui.showModalWarning(question, confirmationDetail(detail), button);
  if (answer !== button) {
    deps.logger.info(`Indicator for ${ip}: not confirmed; nothing was sent.`);
    return undefined;
  }
  const w = await deps.indicators.add(checked.submission, existing !== undefined);
  void deps.ui.showInformationMessage(say(w, checked.summary));
  return w;
}

function tenantText(deps: FlowDeps): string {
  const s = deps.session.state();
  return s.demo ? t('the demo tenant (simulated)') : `${s.tenantId ?? t('the signed-in tenant')}${s.account ? ` (${s.account})` : ''}`;
}

/** The indicator of an address to act on: the only one, or the one the user picks. */
async function pickIndicator(deps: FlowDeps, ip: string, id: string | undefined, title: string): Promise<Indicator> {
  const { indicators } = await deps.indicators.lookup(ip, { noCache: true });
  if (id !== undefined) {
    const found = indicators.find((i) => i.id === id);
    if (!found) throw new RangeError(t('The indicator {0} of {1} is not there any more (removed elsewhere or expired).', id, ip));
    return found;
  }
  if (indicators.length === 0) throw new RangeError(t('{0} has no indicator.', ip));
  if (indicators.length === 1) return indicators[0];
  const picked = await deps.ui.showQuickPick(
    indicators.map((i) => ({ label: `${i.action} · ${i.title}`, description: i.expirationTime ? t('expires {0}', formatExpiry(i.expirationTime)) : t('no expiry'), indicator: i })),
    { title, ignoreFocusOut: true },
  );
  if (!picked) throw new UserCancelled();
  return picked.indicator;
}

function indicatorName(i: Indicator): string {
  return `${i.action} '${i.title}' (${t('id {0}', i.id)})`;
}

export async function removeIndicatorFlow(deps: FlowDeps, input: { ip: string; id?: string }): Promise<SingleWrite | undefined> {
  const ip = indicatorKey(input.ip);
  await deps.indicators.requireWrite();
  const existing = await pickIndicator(deps, ip, input.id, t('Which indicator of {0} to remove?', ip));
  const question = t('Remove the {0} indicator of {1}?', existing.action, ip);
  const button = t('Remove');
  const answer = await deps.ui.showModalWarning(question, [t('Indicator: {0}', indicatorName(existing)), t('Tenant: {0}', tenantText(deps))].join('\n\n'), button);
  if (answer !== button) return undefined;
  const w = await deps.indicators.remove(existing);
  void deps.ui.showInformationMessage(say(w, ''));
  return w;
}

export async function expireIndicatorFlow(deps: FlowDeps, input: { ip: string; id?: string; expires?: string }): Promise<SingleWrite | undefined> {
  const ip = indicatorKey(input.ip);
  await deps.indicators.requireWrite();
  const existing = await pickIndicator(deps, ip, input.id, t('Which indicator of {0}?', ip));
  const typed = input.expires ?? (await askExpiry(deps.ui, t('New expiry of the {0} indicator of {1} (now: {2})', existing.action, ip, existing.expirationTime ? formatExpiry(existing.expirationTime) : t('never'))));
  if (typed === undefined) throw new UserCancelled();
  const expiry = parseExpiry(typed, Date.now());
  if (!expiry.ok) throw new RangeError(expiry.error);
  const submission = expirySubmission(existing, expiry.expiry);
  const when = expiry.expiry.kind === 'at' ? formatExpiry(expiry.expiry.at) : t('never');
  const question = t('Change the expiry of the {0} indicator of {1} from {2} to {3}?', existing.action, ip, existing.expirationTime ? formatExpiry(existing.expirationTime) : t('never'), when);
  const button = t('Change Expiry');
  const answer = await deps.ui.showModalWarning(question, [t('Indicator: {0}', indicatorName(existing)), t('Tenant: {0}', tenantText(deps)), t('Defender deletes an indicator when its expiry passes.')].join('\n\n'), button);
  if (answer !== button) return undefined;
  const w = await deps.indicators.expire(existing, expiry.expiry, submission);
  void deps.ui.showInformationMessage(say(w, describeSubmission(submission)));
  return w;
}

export interface BulkResult {
  report: BulkReport;
  refused: number;
}

/** Bulk add for addresses (the triage table's selected rows): one list for the room, one form, one confirmation, batches of 500. */
export async function bulkAddFlow(deps: FlowDeps, input: { targets: BulkTarget[]; source: string }): Promise<BulkResult | undefined> {
  if (input.targets.length === 0) throw new RangeError(t('Select the addresses first.'));
  if (input.targets.length === 1) {
    const w = await addIndicatorFlow(deps, { ip: input.targets[0].ip, prefill: { title: t('From triage of {0}', input.source), description: input.targets[0].description ?? t('Added from Defender IP Investigator.') } });
    return w ? { report: { results: [{ ip: w.ip, outcome: w.outcome, ...(w.indicatorId ? { indicatorId: w.indicatorId } : {}) }], batches: [], cancelled: false, sent: 1, notSent: 0 }, refused: 0 } : undefined;
  }
  await deps.indicators.requireWrite();
  const { byIp, room } = await deps.indicators.listAll({ noCache: true });
  const ctx = () => ({ demo: deps.session.isDemo, now: Date.now(), existing: byIp, ...(room !== undefined ? { room } : {}) });
  const template = (s: FormState) => ({ ...s, description: s.description ?? '' });
  const targetsFor = (s: FormState): BulkTarget[] => (s.description ? input.targets.map((x) => ({ ip: x.ip })) : input.targets);
  const form = await editIndicatorForm(deps.ui, {
    target: t('{0} addresses', input.targets.length),
    initial: { choice: 'block', title: t('From triage of {0}', input.source).slice(0, 250), expires: '30d', groups: [] },
    perAddressDescription: true,
    check: (s) => {
      const p = planBulkAdd(targetsFor(s), template(s), ctx());
      return p.ok ? { summary: p.summary, errors: [] } : { errors: [p.error] };
    },
  });
  const plan = planBulkAdd(targetsFor(form), template(form), ctx());
  if (!plan.ok) throw new RangeError(plan.error);
  const refusedLine = plan.refused.length > 0 ? t('{0} refused before any request: {1}', plan.refused.length, plan.refused.slice(0, 3).map((r) => `${r.ip} (${r.reason ?? ''})`).join('; ')) : undefined;
  const detail = [
    t('{0} new, {1} updated (they already have an indicator).', plan.newCount, plan.updateCount),
    ...(refusedLine ? [refusedLine] : []),
    t('Sent through the import route in {0} batch(es) of at most 500; you can cancel between batches.', Math.ceil(plan.items.length / 500)),
    t('Tenant: {0}', tenantText(deps)),
  ];
  const button = buttonFor(form.choice, false);
  const answer = await deps.ui.showModalWarning(`${plan.summary}?`, confirmationDetail(detail), button);
  if (answer !== button) return undefined;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: t('Indicators: {0}', plan.summary), cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        return await deps.indicators.bulk(plan, {
          signal: controller.signal,
          onProgress: (p) => {
            const percent = (100 * p.batchesDone) / Math.max(1, p.batchesTotal);
            progress.report({ message: t('{0}/{1} batches, {2}/{3} addresses sent', p.batchesDone, p.batchesTotal, p.sent, p.total), increment: percent - reported });
            reported = percent;
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  const all = [...plan.refused, ...report.results];
  const counts = new Map<string, number>();
  for (const r of all) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const text = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  const message = report.cancelled
    ? t('Cancelled after {0} of {1} addresses were sent: {2}.', report.sent, plan.items.length, text)
    : t('{0}: {1}.', plan.summary, text);
  const show = t('Show Results');
  void (report.cancelled || report.results.some((r) => r.outcome !== 'created' && r.outcome !== 'updated') ? deps.ui.showWarningMessage(message, show) : deps.ui.showInformationMessage(message, show)).then(async (choice) => {
    if (choice !== show) return;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderResultsMarkdown(plan.summary, all, report.batches, report.cancelled) });
    await vscode.window.showTextDocument(doc, { preview: false });
  });
  return { report, refused: plan.refused.length };
}

/** Removes the indicators of several addresses (the triage table's selected rows), one by one, cancellable. */
export async function bulkRemoveFlow(deps: FlowDeps, input: { ips: string[] }): Promise<SingleWrite[] | undefined> {
  await deps.indicators.requireWrite();
  const { byIp } = await deps.indicators.listAll({ noCache: true });
  const targets = input.ips.map(indicatorKey).flatMap((ip) => (byIp.get(ip) ? [byIp.get(ip) as Indicator] : []));
  if (targets.length === 0) throw new RangeError(t('None of the selected addresses has an indicator.'));
  if (targets.length === 1) return removeIndicatorFlow(deps, { ip: targets[0].indicatorValue, id: targets[0].id }).then((w) => (w ? [w] : undefined));
  const button = t('Remove');
  const list = targets.slice(0, 8).map((i) => `${i.indicatorValue}: ${indicatorName(i)}`);
  const answer = await deps.ui.showModalWarning(
    t('Remove the indicators of {0} addresses?', targets.length),
    [...list, ...(targets.length > list.length ? [t('and {0} more', targets.length - list.length)] : []), t('Tenant: {0}', tenantText(deps))].join('\n'),
    button,
  );
  if (answer !== button) return undefined;
  const done: SingleWrite[] = [];
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('Removing {0} indicators', targets.length), cancellable: true }, async (progress, token) => {
    for (const [k, i] of targets.entries()) {
      if (token.isCancellationRequested) break;
      try {
        done.push(await deps.indicators.remove(i));
      } catch (e) {
        deps.logger.error(`Removing the indicator of ${i.indicatorValue} failed`, e);
        done.push({ ip: indicatorKey(i.indicatorValue), outcome: 'failed', indicatorId: i.id, reason: e instanceof Error ? e.message : String(e), requestIds: [], clientRequestIds: [] });
      }
      progress.report({ message: t('{0}/{1}', k + 1, targets.length), increment: 100 / targets.length });
    }
  });
  const removed = done.filter((w) => w.outcome === 'removed' || w.outcome === 'not-found').length;
  const failed = done.filter((w) => w.outcome === 'failed').length;
  void deps.ui.showInformationMessage(t('Removed {0} of {1} indicators{2}.', removed, targets.length, failed > 0 ? t('; {0} failed (see the log)', failed) : done.length < targets.length ? t('; cancelled') : ''));
  return done;
}

/** The workspace's indicator writes as a Markdown document. */
export async function showIndicatorHistory(deps: FlowDeps): Promise<string> {
  const md = `# ${t('Indicator writes from this workspace')}\n\n${renderAuditMarkdown(deps.indicators.audit.entries(), { heading: '' })}`;
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: md });
  await vscode.window.showTextDocument(doc, { preview: false });
  return md;
}
