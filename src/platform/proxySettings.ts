// Maps VS Code's own proxy settings (`http.proxy`, `http.proxyStrictSSL`, `http.noProxy`, `http.proxySupport`) to the
// Defender client's network options. Pure: the caller hands in the inspected values.
import type { NetworkOptions } from '../core/defender/network';
import type { Inspection } from './settings';

export interface HttpSettingsSource {
  /** `inspect()` of `http.<key>`. */
  inspect(key: string): Inspection | undefined;
}

/** A proxy sees where tokens go, so like our identity settings it is taken from user settings only. */
function userValue(source: HttpSettingsSource, key: string): unknown {
  const i = source.inspect(key);
  return i?.globalValue ?? i?.defaultValue;
}

/** `env` supplies NO_PROXY, which is kept alongside `http.noProxy` (the settings add hosts, they do not drop the environment's). */
export function networkOptionsFromSettings(source: HttpSettingsSource, env: NodeJS.ProcessEnv = {}): NetworkOptions {
  const support = userValue(source, 'proxySupport');
  const proxy = userValue(source, 'proxy');
  const strict = userValue(source, 'proxyStrictSSL');
  const noProxy = userValue(source, 'noProxy');
  const options: NetworkOptions = { strictSSL: strict !== false };
  // proxySupport "off" means: no proxy from VS Code's settings (the environment's variables still apply).
  if (support !== 'off' && typeof proxy === 'string' && proxy.trim() !== '') options.proxyUrl = proxy.trim();
  const hosts = Array.isArray(noProxy) ? noProxy.filter((h): h is string => typeof h === 'string' && h.trim() !== '').map((h) => h.trim()) : [];
  const fromEnv = (env.no_proxy ?? env.NO_PROXY ?? '').trim();
  if (hosts.length > 0) options.noProxy = [...hosts, ...(fromEnv !== '' ? [fromEnv] : [])].join(',');
  return options;
}

/** Stable text for comparing two option sets (credentials in the proxy URL are part of it, never logged). */
export function networkOptionsKey(o: NetworkOptions): string {
  return JSON.stringify([o.proxyUrl ?? '', o.strictSSL !== false, o.noProxy ?? '']);
}
