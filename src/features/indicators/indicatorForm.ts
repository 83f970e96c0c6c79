// The short form of an indicator: one quick pick that lists every field with its value (action, title,
// description, severity, expiry, alert, recommended actions, device groups); picking a field edits it, the first item
// creates. Everything is validated as it is typed and again before the confirmation. Through UserInput only.
import * as vscode from 'vscode';
import { CHOICE_ACTIONS, formatExpiry, parseExpiry, parseGroups, textProblem, type IndicatorDraft } from '../../core/indicators/indicatorRules';
import { UserCancelled } from '../../platform/runCommand';
import type { UserInput } from '../../platform/userInput';
import { INDICATOR_SEVERITIES, type IndicatorSeverity } from '../../shared/defenderModel';
import { INDICATOR_CHOICES, INDICATOR_LIMITS, type IndicatorChoice } from '../../shared/indicatorModel';

/** The form's values; `description` undefined in a bulk run means "each address's own" (what triage found). */
export type FormState = Omit<IndicatorDraft, 'ip' | 'description'> & { description?: string };

export interface FormOptions {
  /** "198.51.100.23" or "12 addresses". */
  target: string;
  initial: FormState;
  /** Bulk: an empty description keeps each address's own. */
  perAddressDescription?: boolean;
  /** Updating an existing indicator. */
  updating?: boolean;
  /** The sentence of what would be created, or the problems, for the current values. */
  check(state: FormState): { summary?: string; errors: string[] };
}

type Field = 'submit' | 'choice' | 'title' | 'description' | 'severity' | 'expires' | 'generateAlert' | 'recommendedActions' | 'groups';
type FieldItem = vscode.QuickPickItem & { field: Field };

const CHOICE_LABELS: Record<IndicatorChoice, string> = {
  block: 'Block',
  warn: 'Warn',
  audit: 'Audit',
  alert: 'Alert',
  allowed: 'Allowed',
};

const t = (m: string, ...a: (string | number)[]) => vscode.l10n.t(m, ...a);

function choiceHelp(c: IndicatorChoice): string {
  switch (c) {
    case 'block':
      return t('Stop connections to the address (network protection in block mode).');
    case 'warn':
      return t('Warn the user, who may go on.');
    case 'audit':
      return t('Allow, log, and raise an alert.');
    case 'alert':
      return t('Raise an alert only (sent as Audit with an alert: the API retired its Alert action).');
    case 'allowed':
      return t('Allow: wins over Warn and Block indicators of the same address.');
  }
}

function expiresText(e: string): string {
  const parsed = parseExpiry(e, Date.now());
  if (!parsed.ok) return e;
  return parsed.expiry.kind === 'never' ? t('never') : `${e} (${formatExpiry(parsed.expiry.at)})`;
}

/** Runs the form until the user creates (returns the values) or dismisses it (UserCancelled). */
export async function editIndicatorForm(ui: UserInput, o: FormOptions): Promise<FormState> {
  const state: FormState = { ...o.initial, groups: [...(o.initial.groups ?? [])] };
  for (;;) {
    const check = o.check(state);
    const forced = CHOICE_ACTIONS[state.choice].alert === 'forced';
    const items: FieldItem[] = [
      {
        field: 'submit',
        label: check.errors.length === 0 ? `$(check) ${o.updating ? t('Update indicator') : t('Create indicator')}` : `$(error) ${t('Fix the values below')}`,
        description: check.summary ?? '',
        detail: check.errors.length > 0 ? check.errors.join(' ') : t('Shows a confirmation before anything is sent.'),
        alwaysShow: true,
      },
      { field: 'choice', label: `$(shield) ${t('Action')}`, description: CHOICE_LABELS[state.choice], detail: choiceHelp(state.choice) },
      { field: 'title', label: `$(symbol-string) ${t('Title')}`, description: state.title || t('(required)') },
      {
        field: 'description',
        label: `$(note) ${t('Description')}`,
        description: state.description === undefined || state.description === '' ? (o.perAddressDescription ? t('each address: what triage found') : t('(required)')) : state.description,
      },
      { field: 'severity', label: `$(flame) ${t('Severity')}`, description: state.severity ?? t('not set') },
      { field: 'expires', label: `$(clock) ${t('Expires')}`, description: expiresText(state.expires) },
      {
        field: 'generateAlert',
        label: `$(bell) ${t('Generate alert')}`,
        description: forced ? t('always (required for this action)') : (state.generateAlert ?? CHOICE_ACTIONS[state.choice].alert === true) ? t('yes') : t('no'),
      },
      { field: 'recommendedActions', label: `$(checklist) ${t('Recommended actions')}`, description: state.recommendedActions || t('none') },
      { field: 'groups', label: `$(organization) ${t('Device groups')}`, description: state.groups && state.groups.length > 0 ? state.groups.join(', ') : t('all devices') },
    ];
    const picked = await ui.showQuickPick(items, {
      title: o.updating ? t('Update the indicator of {0}', o.target) : t('Add an indicator for {0}', o.target),
      placeHolder: t('Pick a field to change it, or the first item to go on'),
      ignoreFocusOut: true,
      matchOnDescription: true,
    });
    if (!picked) throw new UserCancelled();
    switch (picked.field) {
      case 'submit':
        if (check.errors.length === 0) return state;
        break;
      case 'choice': {
        const c = await ui.showQuickPick(
          INDICATOR_CHOICES.map((x) => ({ label: CHOICE_LABELS[x], description: choiceHelp(x), choice: x, picked: x === state.choice })),
          { title: t('Action for {0}', o.target), ignoreFocusOut: true },
        );
        if (c) {
          state.choice = c.choice;
          delete state.generateAlert;
        }
        break;
      }
      case 'title': {
        const v = await ui.showInputBox({
          title: t('Title (the alert title when it triggers)'),
          value: state.title,
          ignoreFocusOut: true,
          validateInput: (x) => textProblem(x, t('title'), INDICATOR_LIMITS.titleMax, { required: true, multiline: false }),
        });
        if (v !== undefined) state.title = v.trim();
        break;
      }
      case 'description': {
        const v = await ui.showInputBox({
          title: t('Description'),
          prompt: o.perAddressDescription ? t('Leave empty to give each address what triage found about it.') : undefined,
          value: state.description ?? '',
          ignoreFocusOut: true,
          validateInput: (x) => (o.perAddressDescription && x.trim() === '' ? undefined : textProblem(x, t('description'), INDICATOR_LIMITS.descriptionMax, { required: true, multiline: true })),
        });
        if (v !== undefined) state.description = v.trim() === '' && o.perAddressDescription ? undefined : v.trim();
        break;
      }
      case 'severity': {
        const s = await ui.showQuickPick(
          [{ label: t('Not set'), severity: undefined as IndicatorSeverity | undefined }, ...INDICATOR_SEVERITIES.map((x) => ({ label: x, severity: x }))],
          { title: t('Severity'), ignoreFocusOut: true },
        );
        if (s) {
          if (s.severity) state.severity = s.severity;
          else delete state.severity;
        }
        break;
      }
      case 'expires': {
        const v = await askExpiry(ui, t('When should the indicator of {0} expire?', o.target), state.expires);
        if (v !== undefined) state.expires = v;
        break;
      }
      case 'generateAlert':
        if (!forced) state.generateAlert = !(state.generateAlert ?? CHOICE_ACTIONS[state.choice].alert === true);
        break;
      case 'recommendedActions': {
        const v = await ui.showInputBox({
          title: t('Recommended actions (shown with the alert)'),
          value: state.recommendedActions ?? '',
          ignoreFocusOut: true,
          validateInput: (x) => textProblem(x, t('recommended actions'), INDICATOR_LIMITS.recommendedActionsMax, { required: false, multiline: true }),
        });
        if (v !== undefined) state.recommendedActions = v.trim() === '' ? undefined : v.trim();
        break;
      }
      case 'groups': {
        const v = await ui.showInputBox({
          title: t('Device groups (comma-separated; empty: all devices)'),
          value: (state.groups ?? []).join(', '),
          ignoreFocusOut: true,
          validateInput: (x) => {
            const g = parseGroups(x);
            return g.ok ? undefined : g.error;
          },
        });
        if (v !== undefined) {
          const g = parseGroups(v);
          if (g.ok) state.groups = g.groups;
        }
        break;
      }
    }
  }
}

/** 7d / 30d / 90d / never, or a date typed (validated as typed). Undefined when dismissed. */
export async function askExpiry(ui: UserInput, title: string, current?: string): Promise<string | undefined> {
  const presets = [
    { label: t('7 days'), value: '7d' },
    { label: t('30 days'), value: '30d' },
    { label: t('90 days'), value: '90d' },
    { label: t('Never'), value: 'never' },
    { label: t('A date or time…'), value: '' },
  ].map((p) => ({ ...p, description: p.value && p.value !== 'never' ? expiresText(p.value).replace(/^\S+ /, '') : undefined, picked: p.value === current }));
  const picked = await ui.showQuickPick(presets, { title, ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.value) return picked.value;
  const typed = await ui.showInputBox({
    title,
    prompt: t('A date (2027-01-04, 00:00 UTC), an ISO time, or a duration such as 14d or 12h.'),
    placeHolder: '2027-01-04',
    ignoreFocusOut: true,
    validateInput: (x) => {
      const e = parseExpiry(x, Date.now());
      return e.ok ? undefined : e.error;
    },
  });
  return typed?.trim();
}
