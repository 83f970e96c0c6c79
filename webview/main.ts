// Entry of the investigation panel's browser bundle: starts the app once the document is ready.
import { PanelApp } from './app';
import { HostChannel } from './hostChannel';

function start(): void {
  const mount = document.getElementById('app') ?? document.body;
  const app = new PanelApp(new HostChannel(), mount);
  app.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
