// Chooses the sign-in implementation for an AuthConfig. Validation happens here, before any request is made.
import type { ICachePlugin, INetworkModule } from '@azure/msal-node';
import { ApplicationTokenProvider } from './applicationTokenProvider';
import { validateAuthConfig, type AuthConfig } from './authConfig';
import { DelegatedTokenProvider } from './delegatedTokenProvider';
import { DemoTokenProvider } from './demoTokenProvider';
import { EnvironmentTokenProvider } from './environmentTokenProvider';
import type { AuthLogger, DeviceCodeInfo, TokenProvider } from './tokenProvider';

export interface TokenProviderDeps {
  /** Persists msal's token cache (createCachePlugin over SecretStorage in VS Code). */
  cachePlugin?: ICachePlugin;
  openBrowser?: (url: string) => Promise<void>;
  onDeviceCode?: (info: DeviceCodeInfo) => void;
  /** msal's HTTP client; default createUndiciNetworkClient() with a 30 s timeout. */
  networkClient?: INetworkModule;
  logger?: AuthLogger;
  /** Clock for the environment and demo modes (expiry checks). */
  now?: () => number;
}

export function createTokenProvider(config: AuthConfig, deps: TokenProviderDeps = {}): TokenProvider {
  validateAuthConfig(config);
  switch (config.mode) {
    case 'delegated':
      return new DelegatedTokenProvider(config, deps);
    case 'application':
      return new ApplicationTokenProvider(config, deps);
    case 'environment':
      return new EnvironmentTokenProvider(config, deps.now);
    case 'demo':
      return new DemoTokenProvider(deps.now);
  }
}
