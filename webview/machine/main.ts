// Entry of the machine panel's browser bundle (dist/machine.js): starts the app once the document is ready.
import { MachineApp } from './machineApp';
import { MachineChannel } from './machineChannel';

function start(): void {
  const mount = document.getElementById('app') ?? document.body;
  new MachineApp(new MachineChannel(), mount).start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
