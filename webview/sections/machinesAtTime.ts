// Machines at a time (internal addresses): which machines held the address within ±15 minutes of a time
// (prefilled from the log line). The 30-day rule is explained before anything is asked; the host
// refuses a time outside it before any request.
import { dataGrid, type GridRow } from '../components/grid';
import { button, textField } from '../components/toolkit';
import type { PanelContext, SectionView } from '../context';
import { fill, h } from '../dom';
import { clip, formatRelative, formatTime, visibleText } from '../viewModel/format';
import { osText } from '../viewModel/machineCard';
import { sectionView } from '../viewModel/sectionStatus';
import { SectionFrame, emptyView, loadingView, problemView } from './frame';

export const THIRTY_DAY_RULE =
  'Defender answers "which machine held this address" only for times within the past 30 days, and looks 15 minutes either side of the time you choose. Times are UTC unless you give a zone.';

/** `2026-11-20T08:44:05Z` for the input (seconds precision). */
function inputTime(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class MachinesAtTimeSection implements SectionView {
  private readonly frame = new SectionFrame('machinesAtTime', 'Machines at a time');
  private readonly field: ReturnType<typeof textField>;
  private readonly message = h('p', { class: 'field-message', id: 'at-message', attrs: { 'aria-live': 'polite' } });
  private readonly result = h('div', { class: 'at-result' });
  private readonly grid = dataGrid('Machines that held the address');
  private readonly form: HTMLElement;
  private lastIdentityAt: string | undefined;

  constructor(private readonly ctx: PanelContext) {
    this.field = textField({
      placeholder: 'e.g. 2026-11-20T08:44:05Z, 2h ago',
      label: 'Time',
      id: 'at-input',
      value: ctx.ui.atInput ?? inputTime(ctx.model.identity?.at),
      onInput: (v) => {
        ctx.ui.atInput = v;
        this.field.setInvalid(false);
        fill(this.message);
        ctx.saveState();
      },
      onEnter: () => this.lookUp(),
    });
    this.form = h(
      'div',
      { class: 'at-form' },
      h('p', { class: 'rule', id: 'thirty-day-rule' }, THIRTY_DAY_RULE),
      h('div', { class: 'at-row' }, h('label', { class: 'inline-label', attrs: { for: 'at-input' } }, 'Time'), this.field.element, button('Look up', { id: 'at-lookup', appearance: 'primary', onClick: () => this.lookUp() })),
      this.message,
    );
  }

  get element(): HTMLElement {
    return this.frame.element;
  }

  private lookUp(): void {
    const text = this.field.value.trim();
    if (text === '') {
      this.field.setInvalid(true);
      fill(this.message, 'Enter a time first.');
      return;
    }
    fill(this.message, 'Checking…');
    void this.ctx.channel.request({ type: 'lookupAt', at: text }).then((r) => {
      this.field.setInvalid(!r.ok);
      fill(this.message, r.ok ? r.message : r.error);
      this.message.classList.toggle('error', !r.ok);
    });
  }

  render(): void {
    const m = this.ctx.model;
    const f = m.facts;
    const src = m.sources.machinesAtTime;
    // A new time from the host (e.g. the log line) refills the input unless the user is editing it.
    const at = m.identity?.at;
    if (at !== this.lastIdentityAt) {
      this.lastIdentityAt = at;
      if (at && this.ctx.ui.atInput === undefined) this.field.value = inputTime(at);
    }
    if (f && !f.internal) {
      this.frame.setStatus('skipped');
      return fill(this.frame.body, emptyView(src.state === 'skipped' ? src.reason : 'Only internal addresses are looked up by time: a public address is not assigned to a machine.'));
    }
    // The form stays in place (moving it would take the focus away from someone typing).
    if (this.form.parentElement !== this.frame.body) fill(this.frame.body, this.form, this.result);
    if (src.state === 'idle') {
      this.frame.setStatus('skipped');
      return fill(this.result, emptyView('Choose a time to see which machine held this address then.'));
    }
    const view = sectionView(src);
    this.frame.setStatus(view.status);
    switch (view.status) {
      case 'loading':
        return fill(this.result, loadingView('Asking Defender…'));
      case 'error':
        return fill(this.result, problemView(view.problems, () => this.ctx.retry('machinesAtTime')));
      case 'skipped':
        return fill(this.result, emptyView(view.reason));
    }
    const r = m.data.machinesAtTime;
    if (!r) return;
    const window = h('p', { class: 'summary' }, `Between ${formatTime(r.from)} and ${formatTime(r.to)}: `, `${r.machines.length} ${r.machines.length === 1 ? 'machine' : 'machines'}`);
    if (view.status === 'empty') return fill(this.result, window, emptyView('No machine reported holding this address in that window.'));
    const selected = this.ctx.ui.selectedMachineId;
    const rows: GridRow[] = r.machines.map((mc) => {
      const name = visibleText(mc.computerDnsName ?? mc.id);
      return {
        key: mc.id,
        selected: mc.id === selected,
        onClick: () => this.ctx.selectMachine(mc.id, true),
        cells: [
          {
            text: clip(name, 120),
            title: `Open the machine view of ${name}`,
            className: 'machine-link',
            onClick: (e: Event) => {
              e.stopPropagation();
              this.ctx.openMachine(mc.id);
            },
          },
          { text: osText(mc) ?? '—' },
          { text: mc.lastIpAddress ?? '—' },
          { text: mc.riskScore ?? '—' },
          { text: mc.healthStatus ?? '—' },
          { text: mc.lastSeen ? `${formatTime(mc.lastSeen)} (${formatRelative(mc.lastSeen, m.now())})` : '—' },
        ],
      };
    });
    this.grid.render(
      [
        { title: 'Machine', width: 'minmax(160px, 3fr)' },
        { title: 'OS', width: 'minmax(100px, 1fr)' },
        { title: 'Last IP', width: '130px' },
        { title: 'Risk', width: '80px' },
        { title: 'Health', width: '90px' },
        { title: 'Last seen', width: 'minmax(170px, 1.5fr)' },
      ],
      rows,
    );
    fill(this.result, window, this.grid.element);
  }
}
