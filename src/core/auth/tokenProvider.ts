// The one shape every sign-in mode has: the Defender client asks it for a bearer token per resource and call.

/** The two APIs the product calls, each with its own token (different audiences). */
export type TokenResource = 'defender' | 'graph';

export type AuthMode = 'delegated' | 'application' | 'environment' | 'demo';

export interface GetTokenOptions {
  /** Skip cached tokens (the client asks for this once after a 401). */
  forceRefresh?: boolean;
}

export interface TokenProviderDescription {
  mode: AuthMode;
  /** Signed-in user name, the application (client) id, or what the environment token says. */
  account?: string;
  tenantId?: string;
  /** When the environment tokens expire, when they carry an `exp` claim. */
  expiresOn?: Partial<Record<TokenResource, Date>>;
}

export interface TokenProvider {
  /** Resolves to a bearer token for the resource; rejects with AuthError, CancelledError, TimeoutError or NetworkError. */
  getToken(resource: TokenResource, signal: AbortSignal, options?: GetTokenOptions): Promise<string>;
  describe(): TokenProviderDescription;
  /** Forgets the signed-in account and clears the persisted token cache. */
  signOut(): Promise<void>;
  /** Signs in now, e.g. from a Sign In command (delegated mode only). */
  signIn?(signal: AbortSignal): Promise<void>;
}

/** What the device code sign-in shows the user. `message` and `verificationUri` come from the service: show them escaped. */
export interface DeviceCodeInfo {
  userCode: string;
  verificationUri: string;
  message: string;
  expiresOn: Date;
}

/** The log the auth layer writes to (the platform Logger fits); text is redacted before it gets here. */
export interface AuthLogger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}
