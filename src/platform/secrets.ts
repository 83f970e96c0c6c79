// Secrets live only in VS Code's SecretStorage (the OS keychain): the application's client secret and msal's token cache.
// Nothing here is ever written to settings or to the log.
import type * as vscode from 'vscode';
import type { TokenCacheStorage } from '../core/auth/cachePlugin';

const KEYS = {
  clientSecret: 'ipInvestigator.clientSecret',
  tokenCache: 'ipInvestigator.msalTokenCache',
} as const;

export class Secrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  getClientSecret(): Thenable<string | undefined> {
    return this.storage.get(KEYS.clientSecret);
  }

  setClientSecret(value: string): Thenable<void> {
    return this.storage.store(KEYS.clientSecret, value);
  }

  deleteClientSecret(): Thenable<void> {
    return this.storage.delete(KEYS.clientSecret);
  }

  /** msal's serialised token cache (accounts, refresh tokens), for createCachePlugin. */
  tokenCache(): TokenCacheStorage {
    return {
      get: async () => this.storage.get(KEYS.tokenCache),
      set: async (value) => this.storage.store(KEYS.tokenCache, value),
      delete: async () => this.storage.delete(KEYS.tokenCache),
    };
  }

  async clearAll(): Promise<void> {
    await this.storage.delete(KEYS.clientSecret);
    await this.storage.delete(KEYS.tokenCache);
  }
}
