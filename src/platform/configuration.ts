// The typed configuration facade: reads `ipInvestigator.*` and VS Code's proxy settings, tells listeners what changed,
// and writes the few settings the commands change, always to user settings.
import * as vscode from 'vscode';
import type { NetworkOptions } from '../core/defender/network';
import type { Logger } from './logger';
import { networkOptionsFromSettings, networkOptionsKey } from './proxySettings';
import { SECTION, readSettings, type Settings } from './settings';

export interface ConfigurationChange {
  previous: Settings;
  current: Settings;
  /** VS Code's proxy settings changed. */
  networkChanged: boolean;
}

export class Configuration implements vscode.Disposable {
  private current: Settings;
  private networkKey: string;
  private readonly warned = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<ConfigurationChange>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly logger: Logger) {
    this.current = this.read();
    this.networkKey = networkOptionsKey(this.network());
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION) && !e.affectsConfiguration('http')) return;
      const previous = this.current;
      this.current = this.read();
      const key = networkOptionsKey(this.network());
      const networkChanged = key !== this.networkKey;
      this.networkKey = key;
      if (networkChanged || JSON.stringify(previous) !== JSON.stringify(this.current)) this.emitter.fire({ previous, current: this.current, networkChanged });
    });
  }

  get settings(): Settings {
    return this.current;
  }

  /** Proxy, strict SSL and no-proxy hosts from VS Code's `http.*` settings (user level). */
  network(): NetworkOptions {
    const http = vscode.workspace.getConfiguration('http');
    return networkOptionsFromSettings({ inspect: (key) => http.inspect(key) }, process.env);
  }

  /** Writes an `ipInvestigator.*` setting to the user's settings (identity settings are never written to a workspace). */
  async update(key: string, value: unknown): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
    // Read now rather than wait for the change event, so the caller sees its own write.
    const previous = this.current;
    this.current = this.read();
    if (JSON.stringify(previous) !== JSON.stringify(this.current)) this.emitter.fire({ previous, current: this.current, networkChanged: false });
  }

  private read(): Settings {
    // One inspect of the whole section (each level as a nested object) instead of one per key: activation stays cheap.
    const all = vscode.workspace.getConfiguration().inspect<unknown>(SECTION);
    const { settings, warnings } = readSettings({
      inspect: (key) => ({
        defaultValue: valueAt(all?.defaultValue, key),
        globalValue: valueAt(all?.globalValue, key),
        workspaceValue: valueAt(all?.workspaceValue, key),
        workspaceFolderValue: valueAt(all?.workspaceFolderValue, key),
      }),
    });
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.logger.warn(w);
    }
    return settings;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/** `a.b` inside a nested settings object. */
function valueAt(root: unknown, key: string): unknown {
  let cur = root;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
