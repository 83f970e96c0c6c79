// The panel's channel to the extension host: the shared WebviewChannel over the panel protocol.
import { WebviewChannel } from './components/channel';
import { parseHostMessage, type HostMessage, type PanelRequest, type PanelViewState } from '../src/shared/protocol';

export class HostChannel extends WebviewChannel<HostMessage, PanelRequest, PanelViewState> {
  constructor() {
    super(parseHostMessage);
  }
}
