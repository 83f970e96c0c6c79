// A webview's side of its protocol with the extension host, shared by the panel and the triage table: every
// host message is validated by the protocol's parser before use; requests carry ids and resolve with the
// host's response.

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export type Response = { ok: true; message?: string } | { ok: false; error: string };

/** `ready` is said again this often until the host answers, at most this many times in all. */
const READY_RETRY_MS = 1000;
const READY_TRIES = 30;

type ResponseMessage = { kind: 'response'; id: number; ok: true; message?: string } | { kind: 'response'; id: number; ok: false; error: string };

/** `H`: the host's messages (a response variant included); `Q`: the webview's requests; `S`: its saved state. */
export class WebviewChannel<H extends { kind: string }, Q, S> {
  private readonly api: VsCodeApi;
  private nextId = 1;
  private readonly pending = new Map<number, (r: Response) => void>();
  private handler: (m: Exclude<H, { kind: 'response' }>) => void = () => undefined;
  private readyTimer: ReturnType<typeof setInterval> | undefined;

  constructor(parse: (data: unknown) => H | undefined) {
    this.api = acquireVsCodeApi();
    window.addEventListener('message', (e: MessageEvent) => {
      const msg = parse(e.data);
      if (!msg) return; // Not ours, or malformed: ignored.
      this.heard();
      if (isResponse(msg)) {
        const resolve = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        resolve?.(msg.ok ? { ok: true, ...(msg.message ? { message: msg.message } : {}) } : { ok: false, error: msg.error });
        return;
      }
      this.handler(msg as Exclude<H, { kind: 'response' }>);
    });
  }

  onMessage(handler: (m: Exclude<H, { kind: 'response' }>) => void): void {
    this.handler = handler;
  }

  /**
   * Tells the host this webview is listening, and tells it again every second until the host answers (at most
   * READY_TRIES times): a `ready` posted while the window is still wiring a new or restored webview to the extension
   * can be lost, and a table would then wait on screen, empty, for good. Every host replays all on `ready`, so a second
   * one costs a replay, never a request.
   */
  ready(): void {
    this.api.postMessage({ kind: 'ready' });
    let tries = 1;
    this.readyTimer = setInterval(() => {
      if (++tries > READY_TRIES) this.heard();
      else this.api.postMessage({ kind: 'ready' });
    }, READY_RETRY_MS);
  }

  /** The host answered (or gave up being asked): no more `ready`. */
  private heard(): void {
    if (this.readyTimer === undefined) return;
    clearInterval(this.readyTimer);
    this.readyTimer = undefined;
  }

  request(request: Q): Promise<Response> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.api.postMessage({ kind: 'request', id, request });
    });
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: S): void {
    this.api.setState(state);
  }
}

function isResponse(m: { kind: string }): m is ResponseMessage {
  return m.kind === 'response';
}
