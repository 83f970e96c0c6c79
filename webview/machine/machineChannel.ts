// The machine panel's channel to the extension host: the shared WebviewChannel over the machine protocol.
import { WebviewChannel } from '../components/channel';
import { parseMachineHostMessage, type MachineHostMessage, type MachineRequest, type MachineViewState } from '../../src/shared/machineProtocol';

export class MachineChannel extends WebviewChannel<MachineHostMessage, MachineRequest, MachineViewState> {
  constructor() {
    super(parseMachineHostMessage);
  }
}
