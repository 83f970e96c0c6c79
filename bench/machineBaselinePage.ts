// Browser entry of bench:machine's baseline: the remote addresses shown the straightforward way, every one a row of the
// shipped grid component (no virtual list), in the machine panel's page, CSP and stylesheets.
import type { MachineHostMessage } from '../src/shared/machineProtocol';
import { dataGrid } from '../webview/components/grid';
import { formatCount, formatPorts, formatTime, visibleText } from '../webview/viewModel/format';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

function start(): void {
  const grid = dataGrid('Remote addresses', { maxRows: Number.MAX_SAFE_INTEGER });
  const section = document.createElement('section');
  section.className = 'section';
  const title = document.createElement('h2');
  title.textContent = 'Network activity';
  section.append(title, grid.element);
  const main = document.createElement('main');
  main.className = 'panel';
  main.appendChild(section);
  (document.getElementById('app') ?? document.body).replaceChildren(main);
  window.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as MachineHostMessage;
    if (m.kind !== 'section' || m.state !== 'ready' || m.payload.section !== 'network') return;
    const remotes = m.payload.activity.remotes;
    grid.render(
      ['Address', 'Class', 'Seen by', 'Connections', 'First seen', 'Last seen', 'Ports', 'Processes', 'Host'].map((t) => ({ title: t, width: 'minmax(80px, 1fr)' })),
      remotes.map((r) => ({
        key: r.ip,
        cells: [
          { text: r.ip },
          { text: r.ipClass },
          { text: r.orgPrevalence <= 1 ? 'only this machine' : `${r.orgPrevalence} machines` },
          { text: formatCount(r.connections) },
          { text: formatTime(r.firstSeen) },
          { text: formatTime(r.lastSeen) },
          { text: formatPorts(r.ports) },
          { text: visibleText(r.processes.join(', ')) },
          { text: visibleText(r.urls.join(', ')) },
        ],
      })),
    );
  });
  acquireVsCodeApi().postMessage({ kind: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
