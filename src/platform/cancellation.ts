// Bridges VS Code's CancellationToken to the AbortSignal the core takes, so a cancelled hover or progress aborts requests.
import type * as vscode from 'vscode';

export interface LinkedSignal {
  signal: AbortSignal;
  dispose(): void;
}

/** An AbortSignal that fires when the token is cancelled (at once if it already is). Dispose to drop the listener. */
export function toAbortSignal(token: vscode.CancellationToken | undefined): LinkedSignal {
  const controller = new AbortController();
  if (!token) return { signal: controller.signal, dispose: () => undefined };
  if (token.isCancellationRequested) {
    controller.abort();
    return { signal: controller.signal, dispose: () => undefined };
  }
  const sub = token.onCancellationRequested(() => controller.abort());
  return {
    signal: controller.signal,
    dispose: () => {
      sub.dispose();
    },
  };
}
