// The triage webview's side of the protocol: every host message is validated before use; requests carry ids and
// resolve with the host's response.
import { parseTriageHostMessage, type TriageHostMessage, type TriageRequest, type TriageViewState } from '../../src/shared/triageProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export type Response = { ok: true; message?: string } | { ok: false; error: string };

export class TriageChannel {
  private readonly api: VsCodeApi;
  private nextId = 1;
  private readonly pending = new Map<number, (r: Response) => void>();
  private handler: (m: TriageHostMessage) => void = () => undefined;

  constructor() {
    this.api = acquireVsCodeApi();
    window.addEventListener('message', (e: MessageEvent) => {
      const msg = parseTriageHostMessage(e.data);
      if (!msg) return; // Not ours, or malformed: ignored.
      if (msg.kind === 'response') {
        const resolve = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        resolve?.(msg.ok ? { ok: true, ...(msg.message ? { message: msg.message } : {}) } : { ok: false, error: msg.error });
        return;
      }
      this.handler(msg);
    });
  }

  onMessage(handler: (m: TriageHostMessage) => void): void {
    this.handler = handler;
  }

  ready(): void {
    this.api.postMessage({ kind: 'ready' });
  }

  request(request: TriageRequest): Promise<Response> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.api.postMessage({ kind: 'request', id, request });
    });
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: TriageViewState): void {
    this.api.setState(state);
  }
}
