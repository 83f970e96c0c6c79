// Entry of the triage table's browser bundle: starts the app once the document is ready.
import { TriageApp } from './triageApp';
import { TriageChannel } from './triageChannel';

function start(): void {
  const mount = document.getElementById('app') ?? document.body;
  new TriageApp(new TriageChannel(), mount).start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
