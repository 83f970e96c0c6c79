// Logged-on users: account, domain, logon types, first and last seen, domain admin or not (the machine's logonusers
// API). Account and domain names are untrusted text: shown as text, with invisible characters made visible.
import type { LogonUser } from '../../../src/shared/machineProtocol';
import { dataGrid, type GridRow } from '../../components/grid';
import type { SectionView } from '../../context';
import { fill, h } from '../../dom';
import { SectionFrame, emptyView, loadingView, problemView } from '../../sections/frame';
import { clip, formatRelative, formatTime, visibleText } from '../../viewModel/format';
import { sectionView } from '../../viewModel/sectionStatus';
import type { MachineContext } from '../machineContext';

export class LogonUsersSection implements SectionView {
  private readonly frame = new SectionFrame('logonUsers', 'Logged-on users');
  private readonly grid = dataGrid('Users logged on to this machine');
  private readonly summary = h('p', { class: 'summary', id: 'users-summary' });

  constructor(private readonly ctx: MachineContext) {}

  get element(): HTMLElement {
    return this.frame.element;
  }

  render(): void {
    const m = this.ctx.model;
    const view = sectionView(m.sources.logonUsers);
    this.frame.setStatus(view.status);
    this.frame.setCount(m.data.users?.length);
    switch (view.status) {
      case 'loading':
        return fill(this.frame.body, loadingView('Loading the logged-on users…'));
      case 'error':
        return fill(this.frame.body, problemView(view.problems, () => this.ctx.retry('logonUsers')));
      case 'skipped':
        return fill(this.frame.body, emptyView(view.reason));
      case 'empty':
        return fill(this.frame.body, emptyView('Defender reports no user logged on to this machine.'));
    }
    const users = m.data.users ?? [];
    const admins = users.filter((u) => u.isDomainAdmin === true).length;
    fill(this.summary, `${users.length} ${users.length === 1 ? 'user' : 'users'}${admins > 0 ? `, ${admins} domain ${admins === 1 ? 'admin' : 'admins'}` : ''}`);
    const now = m.now();
    this.grid.render(
      [
        { title: 'Account', width: 'minmax(160px, 2fr)' },
        { title: 'Domain', width: 'minmax(90px, 1fr)' },
        { title: 'Logon types', width: 'minmax(110px, 1.2fr)' },
        { title: 'First seen', width: '170px' },
        { title: 'Last seen', width: 'minmax(170px, 1.3fr)' },
        { title: 'Domain admin', width: '100px' },
        { title: 'Network only', width: '100px' },
        { title: 'Machines', width: '80px' },
      ],
      users.map((u): GridRow => this.row(u, now)),
    );
    fill(this.frame.body, this.summary, this.grid.element);
  }

  private row(u: LogonUser, now: number): GridRow {
    const name = visibleText(u.accountName);
    const domain = u.accountDomain ? visibleText(u.accountDomain) : '—';
    return {
      key: u.id,
      cells: [
        { text: clip(name, 120), title: visibleText(u.id), className: 'account' },
        { text: clip(domain, 60), title: domain },
        { text: u.logonTypes.length > 0 ? visibleText(u.logonTypes.join(', ')) : '—' },
        { text: formatTime(u.firstSeen) },
        { text: u.lastSeen ? `${formatTime(u.lastSeen)} (${formatRelative(u.lastSeen, now)})` : '—' },
        u.isDomainAdmin === true ? { text: 'Yes', className: 'admin' } : { text: u.isDomainAdmin === false ? 'No' : '—' },
        { text: u.isOnlyNetworkUser === true ? 'Yes' : u.isOnlyNetworkUser === false ? 'No' : '—' },
        { text: u.logOnMachinesCount !== undefined ? String(u.logOnMachinesCount) : '—' },
      ],
    };
  }
}
