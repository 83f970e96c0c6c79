// Persists msal's token cache through a small storage interface (in VS Code: SecretStorage; in tests: memory).
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { AuthLogger } from './tokenProvider';

export interface TokenCacheStorage {
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
  delete(): Promise<void>;
}

/** An msal cache plugin that can also forget everything it persisted (sign-out). */
export interface ClearableCachePlugin extends ICachePlugin {
  clear(): Promise<void>;
}

export function createCachePlugin(storage: TokenCacheStorage, logger?: AuthLogger): ClearableCachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
      let data: string | undefined;
      try {
        data = await storage.get();
      } catch (e) {
        logger?.warn(`The saved sign-in could not be read; continuing without it (${e instanceof Error ? e.name : 'error'}).`);
        return;
      }
      if (!data) return;
      try {
        // msal keeps the text it was given and re-parses it on every save: only valid JSON may reach it.
        const parsed: unknown = JSON.parse(data);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not a cache object');
        context.tokenCache.deserialize(data);
      } catch {
        // A damaged cache only costs a new sign-in; msal's snapshot is reset so that later saves still work.
        logger?.warn('The saved sign-in is damaged; it will be replaced at the next sign-in.');
        context.tokenCache.deserialize('{}');
      }
    },
    async afterCacheAccess(context: TokenCacheContext): Promise<void> {
      if (!context.cacheHasChanged) return;
      try {
        await storage.set(context.tokenCache.serialize());
      } catch (e) {
        logger?.warn(`The sign-in could not be saved; it lasts until the window closes (${e instanceof Error ? e.name : 'error'}).`);
      }
    },
    clear: () => storage.delete(),
  };
}

export function isClearableCachePlugin(plugin: ICachePlugin | undefined): plugin is ClearableCachePlugin {
  return plugin !== undefined && typeof (plugin as Partial<ClearableCachePlugin>).clear === 'function';
}
