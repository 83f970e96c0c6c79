// The triage table's channel to the extension host: the shared WebviewChannel over the triage protocol.
import { WebviewChannel } from '../components/channel';
import { parseTriageHostMessage, type TriageHostMessage, type TriageRequest, type TriageViewState } from '../../src/shared/triageProtocol';

export class TriageChannel extends WebviewChannel<TriageHostMessage, TriageRequest, TriageViewState> {
  constructor() {
    super(parseTriageHostMessage);
  }
}
