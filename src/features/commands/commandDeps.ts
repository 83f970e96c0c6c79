// What the commands are handed: explicit dependencies, no globals.
import type { Configuration } from '../../platform/configuration';
import type { Logger } from '../../platform/logger';
import type { UserInput } from '../../platform/userInput';
import type { DefenderSession } from '../session/defenderSession';
import type { MachinesStore } from '../tree/machinesStore';
import type { MachinesTree } from '../tree/machinesTree';
import type { PanelController } from '../panel/investigationPanel';
import type { MachinePanelController } from '../machine/machinePanel';

export interface CommandDeps {
  logger: Logger;
  ui: UserInput;
  config: Configuration;
  session: DefenderSession;
  store: MachinesStore;
  panel: PanelController;
  tree: MachinesTree;
  machinePanel: MachinePanelController;
}
