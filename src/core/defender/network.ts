// The HTTP dispatcher of the Defender client: an explicit proxy URL or the standard HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY variables (undici's ProxyAgent, CONNECT tunnels), a strict-SSL switch and
// extra CA certificates. Loopback addresses are never proxied (the simulator and tests live there).
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, Dispatcher, ProxyAgent } from 'undici';

export interface NetworkOptions {
  /** Explicit proxy (http:// or https://, credentials allowed); wins over the environment. */
  proxyUrl?: string;
  /** Verify server certificates (default true). False accepts any certificate: for broken corporate proxies only. */
  strictSSL?: boolean;
  /** Extra trusted CA certificates (PEM), added to Node's built-in roots. */
  caCertificates?: string[];
  /** Environment to read proxy variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Hosts not to proxy, NO_PROXY syntax; default: the environment's NO_PROXY. */
  noProxy?: string;
}

export interface ProxyConfig {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: NoProxyEntry[];
}

export interface NoProxyEntry {
  /** Lower-case host name or IP literal (IPv6 without brackets); '*' matches everything. */
  host: string;
  /** Host name entries also match sub-domains. */
  suffix: boolean;
  port?: number;
  /** IPv4 CIDR, e.g. 10.0.0.0/8. */
  cidr?: { base: number; bits: number };
}

function envVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

function checkProxyUrl(value: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError(`The proxy from ${origin} is not a valid URL (expected http://host:port).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(`The proxy from ${origin} must be an http:// or https:// URL, not ${url.protocol}//.`);
  }
  return url.href;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function parseNoProxy(value: string | undefined): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of (value ?? '').split(/[\s,]+/)) {
    let item = raw.trim().toLowerCase();
    if (item === '') continue;
    if (item === '*') {
      entries.push({ host: '*', suffix: false });
      continue;
    }
    const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(item);
    if (cidr?.[1] !== undefined && isIP(cidr[1]) === 4 && Number(cidr[2]) <= 32) {
      entries.push({ host: cidr[1], suffix: false, cidr: { base: ipv4ToInt(cidr[1]), bits: Number(cidr[2]) } });
      continue;
    }
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
    if (bracketed?.[1] !== undefined) {
      item = bracketed[1];
      if (bracketed[2] !== undefined) port = Number(bracketed[2]);
    } else if (isIP(item) !== 6) {
      const withPort = /^(.+):(\d+)$/.exec(item);
      if (withPort?.[1] !== undefined) {
        item = withPort[1];
        port = Number(withPort[2]);
      }
    }
    const suffix = item.startsWith('.') || item.startsWith('*.');
    item = item.replace(/^\*?\./, '');
    entries.push({ host: item, suffix: suffix || isIP(item) === 0, ...(port !== undefined ? { port } : {}) });
  }
  return entries;
}

/** Proxy settings from the options: explicit proxy first, else the environment (lower-case names first). */
export function resolveProxyConfig(options: NetworkOptions = {}): ProxyConfig {
  const env = options.env ?? process.env;
  const noProxy = parseNoProxy(options.noProxy ?? envVar(env, 'no_proxy'));
  if (options.proxyUrl !== undefined && options.proxyUrl.trim() !== '') {
    const url = checkProxyUrl(options.proxyUrl.trim(), 'the proxy setting');
    return { httpProxy: url, httpsProxy: url, noProxy };
  }
  const http = envVar(env, 'http_proxy');
  const https = envVar(env, 'https_proxy');
  const config: ProxyConfig = { noProxy };
  if (http !== undefined) config.httpProxy = checkProxyUrl(http, 'HTTP_PROXY');
  if (https !== undefined) config.httpsProxy = checkProxyUrl(https, 'HTTPS_PROXY');
  else if (config.httpProxy !== undefined) config.httpsProxy = config.httpProxy;
  return config;
}

/** localhost, *.localhost, 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) !== 6) return false;
  // The URL parser gives the canonical form: ::1, or ::ffff:7fxx:xxxx for IPv4-mapped 127.0.0.0/8.
  const canonical = new URL(`http://[${h}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

function matchesNoProxy(entry: NoProxyEntry, host: string, port: number): boolean {
  if (entry.host === '*') return true;
  if (entry.port !== undefined && entry.port !== port) return false;
  if (entry.cidr !== undefined) {
    if (isIP(host) !== 4) return false;
    const mask = entry.cidr.bits === 0 ? 0 : (0xffffffff << (32 - entry.cidr.bits)) >>> 0;
    return ((ipv4ToInt(host) & mask) >>> 0) === ((entry.cidr.base & mask) >>> 0);
  }
  if (host === entry.host) return true;
  return entry.suffix && host.endsWith(`.${entry.host}`);
}

/** The proxy URL to use for `target`, or undefined to connect directly. */
export function proxyForUrl(target: string | URL, config: ProxyConfig): string | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (isLoopbackHost(host)) return undefined;
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (config.noProxy.some((e) => matchesNoProxy(e, host, port))) return undefined;
  return url.protocol === 'https:' ? config.httpsProxy : config.httpProxy;
}

/** Removes credentials from a proxy URL for logs and messages. */
export function describeProxy(proxyUrl: string | undefined): string {
  if (proxyUrl === undefined) return 'direct';
  try {
    const u = new URL(proxyUrl);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'proxy';
  }
}

/** Routes each origin either directly or through the proxy that applies to it. */
class ProxyRoutingDispatcher extends Dispatcher {
  private readonly direct: Agent;
  private readonly proxies = new Map<string, ProxyAgent>();

  constructor(
    private readonly config: ProxyConfig,
    private readonly tls: { ca?: string[]; rejectUnauthorized: boolean },
  ) {
    super();
    this.direct = new Agent({ connect: { ...tls } });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = options.origin;
    const proxy = origin === undefined ? undefined : proxyForUrl(String(origin), this.config);
    if (proxy === undefined) return this.direct.dispatch(options, handler);
    let agent = this.proxies.get(proxy);
    if (agent === undefined) {
      agent = new ProxyAgent({ uri: proxy, requestTls: { ...this.tls }, proxyTls: { ...this.tls } });
      this.proxies.set(proxy, agent);
    }
    return agent.dispatch(options, handler);
  }

  private all(): Dispatcher[] {
    return [this.direct, ...this.proxies.values()];
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const p = Promise.all(this.all().map((d) => d.close())).then(() => undefined);
    if (callback === undefined) return p;
    p.then(callback, callback);
  }

  override destroy(err: Error | null, callback: () => void): void;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null): Promise<void>;
  override destroy(): Promise<void>;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === 'function' ? null : (a ?? null);
    const callback = typeof a === 'function' ? a : b;
    const p = Promise.all(this.all().map((d) => d.destroy(err))).then(() => undefined);
    if (callback === undefined) return p;
    p.then(callback, callback);
  }
}

/** A dispatcher for the client. Throws RangeError (with no credentials in it) for an unusable proxy URL. */
export function createDispatcher(options: NetworkOptions = {}): Dispatcher {
  const config = resolveProxyConfig(options);
  const extra = (options.caCertificates ?? []).map((c) => c.trim()).filter((c) => c !== '');
  const tls: { ca?: string[]; rejectUnauthorized: boolean } = { rejectUnauthorized: options.strictSSL !== false };
  // Giving `ca` replaces Node's store, so the built-in roots are passed along with the extra ones.
  if (extra.length > 0) tls.ca = [...rootCertificates, ...extra];
  return new ProxyRoutingDispatcher(config, tls);
}
