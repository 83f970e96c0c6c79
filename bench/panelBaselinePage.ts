// Browser entry of bench:panel's baseline: the straightforward way a webview would show the timeline, a plain
// table with one <tr> per event and a filter that walks every row. No virtualisation, no search index.
import type { TimelineEvent } from '../src/shared/investigation';
import type { HostMessage } from '../src/shared/protocol';
import { formatCount, formatTime, visibleText } from '../webview/viewModel/format';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

// The same columns and cell texts as the panel's timeline, so both pages lay out and search the same strings.
const COLUMNS = ['Time (UTC)', 'Machine', 'Alerts', 'Action', 'Local port', 'Remote', 'Process', 'File'];

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  return el;
}

function remote(e: TimelineEvent): string {
  const ip = e.remoteIp ?? '';
  const hostPort = e.remotePort !== undefined ? `${ip.includes(':') ? `[${ip}]` : ip}:${e.remotePort}` : ip;
  return e.remoteUrl ? `${hostPort} ${visibleText(e.remoteUrl)}`.trim() : hostPort;
}

function start(): void {
  const filter = element('input');
  filter.id = 'timeline-filter';
  filter.type = 'search';
  filter.placeholder = 'Filter by machine, file, process, date…';
  filter.setAttribute('aria-label', 'Filter the timeline');
  const count = element('p');
  count.id = 'timeline-count';
  count.className = 'summary';
  const head = element('tr');
  for (const c of COLUMNS) head.appendChild(element('th', c));
  const thead = element('thead');
  thead.appendChild(head);
  const tbody = element('tbody');
  const table = element('table');
  table.className = 'baseline-table';
  table.append(thead, tbody);
  const scroller = element('div');
  scroller.className = 'baseline-scroll';
  scroller.appendChild(table);
  const section = element('section');
  section.className = 'section';
  section.append(element('h2', 'Most recent observed machines with IP'), filter, count, scroller);
  const main = element('main');
  main.className = 'panel';
  main.appendChild(section);
  (document.getElementById('app') ?? document.body).replaceChildren(main);

  const alertsOf = new Map<string, number>();
  let total = 0;

  window.addEventListener('message', (e: MessageEvent) => {
    const msg = e.data as HostMessage;
    if (msg.kind !== 'section' || msg.state !== 'ready') return;
    const payload = msg.payload;
    if (payload.section === 'alerts') {
      alertsOf.clear();
      for (const a of payload.alerts) if (a.machineId) alertsOf.set(a.machineId, (alertsOf.get(a.machineId) ?? 0) + 1);
    } else if (payload.section === 'timeline') {
      const t0 = performance.now();
      const rows = document.createDocumentFragment();
      for (const ev of payload.events) {
        const alerts = alertsOf.get(ev.deviceId);
        const tr = element('tr');
        tr.append(
          element('td', formatTime(ev.timestamp)),
          element('td', visibleText(ev.deviceName)),
          element('td', alerts ? `⚠ ${alerts}` : ''),
          element('td', visibleText(ev.actionType)),
          element('td', ev.localPort !== undefined ? String(ev.localPort) : ''),
          element('td', remote(ev)),
          element('td', ev.process ? visibleText(ev.process) : ''),
          element('td', ev.folder ? visibleText(ev.folder) : ''),
        );
        rows.appendChild(tr);
      }
      tbody.replaceChildren(rows);
      total = payload.events.length;
      count.textContent = `${formatCount(total)} events`;
      // Same measure prefix as the panel's sections, so bench:panel splits the time the same way.
      performance.measure('ipinv:render:baseline-table', { start: t0 });
    }
  });

  // Every keystroke: walk all rows, a case-insensitive substring test per term over the row's text.
  filter.addEventListener('input', () => {
    const terms = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of tbody.rows) {
      const text = (row.textContent ?? '').toLowerCase();
      const match = terms.every((t) => text.includes(t));
      row.hidden = !match;
      if (match) shown++;
    }
    count.textContent = shown === total ? `${formatCount(total)} events` : `${formatCount(shown)} of ${formatCount(total)} events`;
    document.dispatchEvent(new CustomEvent('ipinv:timeline-filtered'));
  });

  acquireVsCodeApi().postMessage({ kind: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
