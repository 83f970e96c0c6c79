// What every section of the panel is given: the model, the host channel, the UI state and a few
// shared actions (select a machine, show a short message, save the state).
import type { PanelSection } from '../src/shared/protocol';
import type { HostChannel } from './hostChannel';
import type { PanelModel } from './viewModel/panelModel';
import type { UiState } from './viewModel/uiState';

export interface PanelContext {
  model: PanelModel;
  channel: HostChannel;
  ui: UiState;
  /** Saves identity + UI state with setState (coalesced). */
  saveState(): void;
  /** Shows a machine's details card; `reveal` also reveals it in the Machines tree. */
  selectMachine(machineId: string, reveal: boolean): void;
  /** A short message in the panel's status line (errors in the error colour). */
  notify(text: string, isError?: boolean): void;
  retry(section: PanelSection): void;
  /** Asks the host to open the machine view of a machine the panel shows. */
  openMachine(machineId: string): void;
}

export interface SectionView {
  readonly element: HTMLElement;
  /** Called when one of the section's sources (or the UI state it depends on) changed. */
  render(): void;
}
