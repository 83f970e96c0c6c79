// The details card of the selected machine: OS, risk, health, exposure, last seen, addresses, tags,
// its alerts with this address, and links to the portal and the Machines tree.
import { badge } from '../components/badge';
import { button } from '../components/toolkit';
import type { PanelContext } from '../context';
import { facts, fill, h } from '../dom';
import { alertsByMachine, sortAlerts } from '../viewModel/alerts';
import { clip, formatTime, severityClass, visibleText } from '../viewModel/format';
import { machineCardRows, machineTitle } from '../viewModel/machineCard';

export class MachineCard {
  readonly element = h('aside', { class: 'machine-card', id: 'machine-card', attrs: { 'aria-live': 'polite' } });

  constructor(private readonly ctx: PanelContext) {}

  render(): void {
    const id = this.ctx.ui.selectedMachineId;
    const d = this.ctx.model.data;
    if (!id) {
      fill(this.element, h('p', { class: 'note' }, 'Click a machine to see its details and reveal it in the Machines tree.'));
      this.element.dataset.machine = '';
      return;
    }
    const details = d.machineDetails?.[id] ?? d.machinesAtTime?.machines.find((m) => m.id === id);
    const observed = d.machines?.find((m) => m.id === id);
    const name = details || observed ? machineTitle(id, details, observed) : (this.ctx.model.machineName(id) ?? id);
    const rows = machineCardRows(details, observed, this.ctx.model.now());
    const alerts = sortAlerts(alertsByMachine(d.alerts ?? []).get(id)?.alerts ?? [], { key: 'severity', dir: 'desc' });
    const detailsState = this.ctx.model.sources.machineDetails.state;
    this.element.dataset.machine = id;
    fill(
      this.element,
      h('h3', { class: 'machine-name', title: visibleText(name) }, visibleText(name)),
      rows.length > 0 ? facts(rows.map((r) => ({ label: r.label, value: visibleText(r.value) }))) : undefined,
      !details
        ? h(
            'p',
            { class: 'note' },
            detailsState === 'loading'
              ? 'Loading details…'
              : 'Details (OS, risk, health) are loaded for the most recently observed machines; open the machine in the portal for the rest.',
          )
        : undefined,
      alerts.length > 0
        ? h(
            'div',
            { class: 'machine-alerts' },
            h('h4', undefined, 'Alerts with this address ', badge(String(alerts.length))),
            h(
              'ul',
              undefined,
              ...alerts.slice(0, 20).map((a) =>
                h('li', undefined, h('span', { class: `sev sev-${severityClass(a.severity)}` }, a.severity), ' ', clip(visibleText(a.title), 200), ` · ${formatTime(a.lastEventTime ?? a.alertCreationTime)}`),
              ),
            ),
          )
        : undefined,
      h(
        'div',
        { class: 'actions' },
        button('Open machine view', { id: 'card-open-machine', appearance: 'primary', title: 'Alerts, logged-on users and every address this machine talked to', onClick: () => this.request({ type: 'openMachine', machineId: id }) }),
        button('Open in Defender portal', { id: 'card-portal', onClick: () => this.request({ type: 'openPortal', target: 'machine', id }) }),
        button('Reveal in Machines tree', { id: 'card-reveal', onClick: () => this.request({ type: 'revealMachine', machineId: id }) }),
      ),
    );
  }

  private request(r: Parameters<PanelContext['channel']['request']>[0]): void {
    void this.ctx.channel.request(r).then((res) => {
      if (!res.ok) this.ctx.notify(res.error, true);
    });
  }
}
