// What every section of the machine panel is given: the model, the host channel, the UI state and a few shared
// actions (ask the host something and show its answer, investigate an address, save the state).
import type { MachineSection } from '../../src/shared/machine';
import type { MachineRequest } from '../../src/shared/machineProtocol';
import type { MachineChannel } from './machineChannel';
import type { MachineModel } from './machineModel';
import type { MachineUiState } from './machineUiState';

export interface MachineContext {
  model: MachineModel;
  channel: MachineChannel;
  ui: MachineUiState;
  /** Saves identity + UI state with setState (coalesced). */
  saveState(): void;
  /** A short message in the panel's status line (errors in the error colour). */
  notify(text: string, isError?: boolean): void;
  retry(section: MachineSection): void;
  /** Sends a request; its answer (or error) goes to the status line. */
  request(request: MachineRequest): void;
  /** Opens the IP investigation of an address the view shows. */
  investigate(ip: string): void;
}
