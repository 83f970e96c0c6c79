// The connection to Defender for the current settings: sign-in mode, cloud, token provider, API client and
// investigation service, built lazily on first use (msal-node, undici and the simulator load only then) and rebuilt
// when the settings change, without a reload. In demo mode the simulated tenant runs in-process on loopback.
import type { Dispatcher } from 'undici';
import * as vscode from 'vscode';
import type { AuthConfig, AuthCloud } from '../../core/auth/authConfig';
import type { DeviceCodeInfo, TokenProvider, TokenResource } from '../../core/auth/tokenProvider';
import { portalAlertUrl, portalIpUrl, portalMachineUrl, resolveCloud, type CloudName, type Region } from '../../core/defender/clouds';
import { AuthError } from '../../core/defender/errors';
import type { DefenderApi, IndicatorApi, MachineApi } from '../../shared/defenderModel';
import type { NetworkOptions } from '../../core/defender/network';
import type { InvestigationService } from '../../core/investigation/investigationService';
import type { MachineService } from '../../core/machine/machineService';
import type { Configuration } from '../../platform/configuration';
import type { Logger } from '../../platform/logger';
import { networkOptionsKey } from '../../platform/proxySettings';
import type { Secrets } from '../../platform/secrets';
import { PROTECTED_KEYS, clientTimeouts, type SessionMode, type Settings } from '../../platform/settings';
import type { UserInput } from '../../platform/userInput';

/**
 * Why what was fetched before may no longer hold: the settings (tenant, cloud, mode) changed, the user signed in or
 * out, the cache was cleared, or the account behind the tokens switched within one connection. The first token of a
 * connection is none of these: it only makes the account known (see `onDidChangeState`).
 */
export type SessionChangeReason = 'settings' | 'signIn' | 'signOut' | 'cache' | 'account';

export interface SessionState {
  mode: SessionMode;
  cloud: CloudName;
  region?: Region;
  demo: boolean;
  /** Signed-in user, application id, or what the environment token says; known after the first token. */
  account?: string;
  tenantId?: string;
  /** A token was obtained with the current settings. */
  signedIn: boolean;
}

/** The client with the operations the extension adds to DefenderApi. */
export type SessionClient = DefenderApi & MachineApi & IndicatorApi & { clearCache(): void };

interface Runtime {
  key: string;
  provider: TokenProvider;
  client: SessionClient;
  service: InvestigationService;
  /** The machine view's service over the same client (and cache), built on first use. */
  machineService?: MachineService;
  /** Base URL of the in-process simulated tenant (demo mode). */
  simulatorUrl?: string;
  close(): Promise<void>;
}

export interface SessionDeps {
  logger: Logger;
  config: Configuration;
  secrets: Secrets;
  ui: UserInput;
}

/** The settings that decide which runtime is built. */
function runtimeKey(s: Settings, network: NetworkOptions): string {
  const identity = PROTECTED_KEYS.map((k) => s[k] ?? '');
  return JSON.stringify([identity, s.cacheTtlMinutes, s.requestTimeoutSeconds, s.mode === 'demo' ? '' : networkOptionsKey(network)]);
}

export class DefenderSession implements vscode.Disposable {
  private runtime?: Promise<Runtime>;
  private key?: string;
  private account?: string;
  private accountTenant?: string;
  private signedIn = false;
  private readonly emitter = new vscode.EventEmitter<SessionChangeReason>();
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires when what the session talks to, or who it is, changed: surfaces drop what they cached. */
  readonly onDidChange = this.emitter.event;
  /**
   * Fires whenever `state()` may read differently, including when the first token of a connection makes the account
   * known. For what is displayed (status bar, view descriptions); never a reason to drop or abort work.
   */
  readonly onDidChangeState = this.stateEmitter.event;

  private settingsKey: string;

  constructor(private readonly deps: SessionDeps) {
    this.settingsKey = runtimeKey(deps.config.settings, deps.config.network());
    this.subscriptions.push(
      this.emitter.event(() => this.stateEmitter.fire()),
      deps.config.onDidChange((e) => {
        const key = runtimeKey(e.current, deps.config.network());
        if (key === this.settingsKey) return;
        this.settingsKey = key;
        this.deps.logger.info(`Settings changed: the connection is rebuilt on next use (mode ${e.current.mode}, cloud ${e.current.cloud}).`);
        this.reset();
        this.emitter.fire('settings');
      }),
    );
  }

  get settings(): Settings {
    return this.deps.config.settings;
  }

  get isDemo(): boolean {
    return this.settings.mode === 'demo';
  }

  get cloud(): CloudName {
    return this.settings.cloud;
  }

  state(): SessionState {
    const s = this.settings;
    return {
      mode: s.mode,
      cloud: s.cloud,
      ...(s.region ? { region: s.region } : {}),
      demo: s.mode === 'demo',
      ...(this.account ? { account: this.account } : {}),
      ...(this.accountTenant ? { tenantId: this.accountTenant } : s.tenantId ? { tenantId: s.tenantId } : {}),
      signedIn: s.mode === 'demo' || this.signedIn,
    };
  }

  /** The investigation service for the current settings (built on first use). */
  async getService(): Promise<InvestigationService> {
    return (await this.getRuntime()).service;
  }

  /** The machine view's service for the current settings (built on first use, sharing the client and its cache). */
  async getMachineService(): Promise<MachineService> {
    const rt = await this.getRuntime();
    if (!rt.machineService) {
      const { MachineService } = await import('../../core/machine/machineService');
      rt.machineService ??= new MachineService(rt.client);
    }
    return rt.machineService;
  }

  /** The API client for the current settings (built on first use). */
  async getClient(): Promise<SessionClient> {
    return (await this.getRuntime()).client;
  }

  /**
   * Builds the connection ahead of the first lookup, off the activation path: the modules load and, in demo mode,
   * the simulated tenant starts and its token is issued, so the first hover spends its budget on the tenant. Never
   * prompts and never throws (a failure is logged; the first real use reports it).
   */
  async prepare(): Promise<void> {
    try {
      const rt = await this.getRuntime();
      if (this.isDemo) await rt.provider.getToken('defender', AbortSignal.timeout(10_000));
    } catch (e) {
      this.deps.logger.trace(`Preparing the connection: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Resolves once the connection for the current settings is built (or failed to build); never rejects. */
  whenReady(): Promise<void> {
    return this.getRuntime().then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * What the current Defender token says about indicator access (its roles or scopes), or undefined when it cannot
   * tell (no token yet, an opaque token). Never signs in: a hover or a panel asks this.
   */
  async indicatorAccess(signal: AbortSignal): Promise<{ write: boolean; seesAll: boolean } | undefined> {
    const rt = await this.getRuntime();
    const { indicatorAccess, tokenPermissions } = await import('../../core/auth/tokenClaims');
    try {
      return indicatorAccess(tokenPermissions(await rt.provider.getToken('defender', signal)));
    } catch {
      return undefined;
    }
  }

  /** The simulated tenant's base URL when it runs (demo mode), for diagnostics and tests. */
  async simulatorUrl(): Promise<string | undefined> {
    if (!this.isDemo) return undefined;
    return (await this.getRuntime()).simulatorUrl;
  }

  /**
   * Signs in with the current settings: the browser or device code for delegated mode; a first token for the
   * application and environment modes (which proves the credentials). Throws the sign-in's typed error.
   */
  async signIn(signal: AbortSignal): Promise<void> {
    const rt = await this.getRuntime();
    if (rt.provider.signIn) await rt.provider.signIn(signal);
    else await rt.provider.getToken('defender', signal);
    this.noteSignedIn(rt.provider);
    rt.client.clearCache();
    this.emitter.fire('signIn');
  }

  /** Keeps the application's client secret in SecretStorage; the next use builds a connection with it. */
  async storeClientSecret(secret: string): Promise<void> {
    await this.deps.secrets.setClientSecret(secret);
    this.reset();
    this.emitter.fire('settings');
  }

  /** Forgets the signed-in account, msal's token cache and the client secret, and switches to the demo tenant. */
  async signOut(): Promise<void> {
    const rt = await this.runtime?.catch(() => undefined);
    await rt?.provider.signOut().catch((e: unknown) => this.deps.logger.warn(`Sign-out: ${e instanceof Error ? e.message : String(e)}`));
    await this.deps.secrets.clearAll();
    this.account = undefined;
    this.accountTenant = undefined;
    this.signedIn = false;
    this.reset();
    if (this.settings.mode !== 'demo') await this.deps.config.update('mode', 'demo');
    this.emitter.fire('signOut');
  }

  /** Switches to the simulated tenant; the real tenant's settings and sign-in are kept for later. */
  async useDemo(): Promise<void> {
    if (this.settings.mode !== 'demo') await this.deps.config.update('mode', 'demo');
  }

  /** Drops every cached API result (and what the surfaces cached from them). */
  async clearCache(): Promise<void> {
    const rt = await this.runtime?.catch(() => undefined);
    rt?.client.clearCache();
    this.emitter.fire('cache');
  }

  portalIpUrl(ip: string): string {
    return portalIpUrl(this.cloud, ip);
  }

  portalMachineUrl(machineId: string): string {
    return portalMachineUrl(this.cloud, machineId);
  }

  portalAlertUrl(alertId: string): string {
    return portalAlertUrl(this.cloud, alertId);
  }

  dispose(): void {
    this.reset();
    for (const d of this.subscriptions) d.dispose();
    this.emitter.dispose();
    this.stateEmitter.dispose();
  }

  private reset(): void {
    const old = this.runtime;
    this.runtime = undefined;
    this.key = undefined;
    this.signedIn = false;
    if (old) {
      void old.then(
        (rt) => rt.close().catch((e: unknown) => this.deps.logger.warn(`Closing the previous connection: ${e instanceof Error ? e.message : String(e)}`)),
        () => undefined,
      );
    }
  }

  private getRuntime(): Promise<Runtime> {
    const settings = this.settings;
    const network = this.deps.config.network();
    const key = runtimeKey(settings, network);
    if (this.runtime && this.key === key) return this.runtime;
    this.reset();
    this.key = key;
    const started = performance.now();
    const building = this.build(settings, network, key).then(
      (rt) => {
        this.deps.logger.info(`Connection ready in ${(performance.now() - started).toFixed(0)} ms (mode ${settings.mode}, cloud ${settings.cloud}).`);
        return rt;
      },
      (e: unknown) => {
        // A failed build (missing secret, bad certificate path) is retried on the next use.
        if (this.runtime === building) {
          this.runtime = undefined;
          this.key = undefined;
        }
        throw e;
      },
    );
    this.runtime = building;
    return building;
  }

  private noteSignedIn(provider: TokenProvider): void {
    const d = provider.describe();
    // The first token of a connection (the session's first, or the first after a rebuild, which 'settings' already
    // announced) makes the account known and invalidates nothing: the lookup that asked for it must go on. Only a
    // different account behind the same connection means that what was fetched may belong to someone else.
    const switched = this.signedIn && d.account !== this.account;
    const changed = !this.signedIn || d.account !== this.account || d.tenantId !== this.accountTenant;
    this.signedIn = true;
    this.account = d.account;
    this.accountTenant = d.tenantId;
    if (switched) this.emitter.fire('account');
    else if (changed) this.stateEmitter.fire();
  }

  private async build(s: Settings, network: NetworkOptions, key: string): Promise<Runtime> {
    const [{ DefenderClient }, { InvestigationService }, { createTokenProvider }] = await Promise.all([
      import('../../core/defender/defenderClient'),
      import('../../core/investigation/investigationService'),
      import('../../core/auth/createTokenProvider'),
    ]);
    const timeouts = clientTimeouts(s);
    const logger = this.deps.logger;
    const closers: (() => Promise<void>)[] = [];
    try {
      let apiBaseUrl: string;
      let graphBaseUrl: string;
      let provider: TokenProvider;
      let simulatorUrl: string | undefined;
      let dispatcher: Dispatcher | undefined;
      let cacheScope: string;

      if (s.mode === 'demo') {
        const { startSimulator } = await import('../../simulator/simulator');
        const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
        closers.push(() => sim.close());
        apiBaseUrl = sim.apiBaseUrl;
        graphBaseUrl = sim.graphBaseUrl;
        simulatorUrl = sim.url;
        provider = createTokenProvider({ mode: 'demo' });
        cacheScope = 'demo@simulator';
        logger.info(`Demo tenant (simulated data) listening on ${sim.url}`);
      } else {
        const endpoints = resolveCloud(s.cloud, s.region);
        apiBaseUrl = s.apiUrl || endpoints.apiBaseUrl;
        graphBaseUrl = s.graphUrl || endpoints.graphBaseUrl;
        const cloud: AuthCloud = { authorityHost: s.authorityHost || endpoints.authorityHost, defenderScope: endpoints.defenderScope, graphScope: endpoints.graphScope };
        const [{ createDispatcher, describeProxy, resolveProxyConfig, proxyForUrl }, { createUndiciNetworkClient }, { createCachePlugin }] = await Promise.all([
          import('../../core/defender/network'),
          import('../../core/auth/undiciNetworkClient'),
          import('../../core/auth/cachePlugin'),
        ]);
        const d = createDispatcher(network);
        dispatcher = d;
        closers.push(() => d.close());
        logger.info(`Network: ${describeProxy(proxyForUrl(apiBaseUrl, resolveProxyConfig(network)))} to ${new URL(apiBaseUrl).host}; strict SSL ${network.strictSSL !== false ? 'on' : 'off'}.`);
        const config = await this.authConfig(s, cloud);
        provider = createTokenProvider(config, {
          cachePlugin: createCachePlugin(this.deps.secrets.tokenCache(), logger),
          networkClient: createUndiciNetworkClient({ dispatcher: d, timeoutMs: Math.max(timeouts.entityMs, 30_000) }),
          openBrowser: async (url) => {
            const ok = await this.deps.ui.openExternal(vscode.Uri.parse(url, true));
            if (!ok) throw new AuthError('The browser could not be opened for sign-in: try the device code sign-in (setting ipInvestigator.signInFlow).');
          },
          onDeviceCode: (info) => void this.showDeviceCode(info),
          logger,
        });
        cacheScope = `${s.tenantId || 'environment'}@${s.cloud}${s.region ? `-${s.region}` : ''}`;
      }

      const getToken = async (resource: TokenResource, signal: AbortSignal, options?: { forceRefresh?: boolean }): Promise<string> => {
        const token = await provider.getToken(resource, signal, options);
        // Only a runtime that is still current may mark the session signed in.
        if (this.key === key) this.noteSignedIn(provider);
        return token;
      };
      const client = new DefenderClient({
        apiBaseUrl,
        graphBaseUrl,
        getToken,
        hunting: s.hunting,
        timeouts,
        cache: { ttlMs: s.cacheTtlMinutes * 60_000 },
        cacheScope,
        logger: { trace: (m) => logger.trace(m), info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
        ...(dispatcher ? { dispatcher } : {}),
      });
      const service = new InvestigationService(client);
      return {
        key,
        provider,
        client,
        service,
        ...(simulatorUrl ? { simulatorUrl } : {}),
        close: async () => {
          for (const c of closers.reverse()) await c();
        },
      };
    } catch (e) {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      throw e;
    }
  }

  private async authConfig(s: Settings, cloud: AuthCloud): Promise<AuthConfig> {
    const requestTimeoutMs = Math.max(30_000, s.requestTimeoutSeconds * 1000);
    if (s.mode === 'environment') {
      return { mode: 'environment', defenderToken: process.env.DEFENDER_ACCESS_TOKEN, graphToken: process.env.GRAPH_ACCESS_TOKEN, cloud };
    }
    if (!s.tenantId || !s.clientId) {
      throw new AuthError('The tenant id and client id are not set: run "Defender IP: Sign In" to set them.', { code: 'not_configured' });
    }
    if (s.mode === 'delegated') {
      const remote = vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
      const flow = s.signInFlow === 'auto' ? (remote ? 'deviceCode' : 'interactive') : s.signInFlow;
      // Hovers and background work never open a browser: only the Sign In command does.
      return { mode: 'delegated', cloud, tenantId: s.tenantId, clientId: s.clientId, flow, signInWhenNeeded: false, requestTimeoutMs };
    }
    if (s.certificatePath) {
      return { mode: 'application', cloud, tenantId: s.tenantId, clientId: s.clientId, credential: { kind: 'certificate', certificatePath: s.certificatePath }, requestTimeoutMs };
    }
    const secret = await this.deps.secrets.getClientSecret();
    if (!secret) throw new AuthError('No client secret is stored: run "Defender IP: Sign In" and enter it.', { code: 'not_configured' });
    return { mode: 'application', cloud, tenantId: s.tenantId, clientId: s.clientId, credential: { kind: 'secret', secret }, requestTimeoutMs };
  }

  /** The device code sign-in: show the code with a button that copies it and opens the page. */
  private async showDeviceCode(info: DeviceCodeInfo): Promise<void> {
    const copyAndOpen = vscode.l10n.t('Copy Code and Open');
    const code = info.userCode.replace(/[^A-Za-z0-9-]/g, '').slice(0, 32);
    let page: vscode.Uri | undefined;
    try {
      const url = new URL(info.verificationUri);
      if (url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === '127.0.0.1')) page = vscode.Uri.parse(url.href, true);
    } catch {
      page = undefined;
    }
    const where = page ? page.toString(true) : vscode.l10n.t('the sign-in page');
    const choice = await this.deps.ui.showInformationMessage(vscode.l10n.t('To sign in to Defender, enter the code {0} at {1}.', code, where), copyAndOpen);
    if (choice === copyAndOpen) {
      await this.deps.ui.writeClipboard(code);
      if (page) await this.deps.ui.openExternal(page);
    }
  }
}
