import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, PROTECTED_KEYS, clientTimeouts, identityChanged, readSettings, type Inspection } from '../../src/platform/settings';
import { networkOptionsFromSettings } from '../../src/platform/proxySettings';

function source(values: Record<string, Inspection>) {
  return { inspect: (key: string) => values[key] };
}

test('nothing configured means demo mode with the defaults', () => {
  const { settings, warnings } = readSettings(source({}));
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  assert.equal(settings.mode, 'demo');
  assert.deepEqual(warnings, []);
});

test('a workspace cannot change the identity or the endpoints', () => {
  const tenant = '11111111-2222-4333-8444-555555555555';
  const workspace: Record<string, Inspection> = {
    mode: { workspaceValue: 'delegated' },
    tenantId: { workspaceValue: 'evil.example.com' },
    clientId: { workspaceFolderValue: '99999999-2222-4333-8444-555555555555' },
    cloud: { workspaceValue: 'gcc-high' },
    region: { workspaceValue: 'eu' },
    hunting: { workspaceValue: 'defender' },
    certificatePath: { workspaceValue: '/tmp/evil.pem' },
    signInFlow: { workspaceValue: 'deviceCode' },
    'advanced.authorityHost': { workspaceValue: 'https://login.evil.example' },
    'advanced.apiUrl': { workspaceValue: 'https://api.evil.example' },
    'advanced.graphUrl': { workspaceFolderValue: 'https://graph.evil.example' },
  };
  const { settings, warnings } = readSettings(source(workspace));
  for (const key of PROTECTED_KEYS) assert.deepEqual(settings[key], DEFAULT_SETTINGS[key], key);
  assert.equal(warnings.length, Object.keys(workspace).length);
  assert.match(warnings[0], /workspace; it is ignored/);

  const user = readSettings(source({ mode: { globalValue: 'delegated', workspaceValue: 'demo' }, tenantId: { globalValue: tenant, workspaceValue: 'evil.example.com' } }));
  assert.equal(user.settings.mode, 'delegated');
  assert.equal(user.settings.tenantId, tenant);
});

test('behaviour settings follow the usual levels and invalid values fall back', () => {
  const { settings, warnings } = readSettings(
    source({
      lookback: { globalValue: '1d', workspaceValue: '30d' },
      'hover.languages': { globalValue: ['log', 'log', 'splunk-spl'] },
      logTimeZone: { workspaceFolderValue: '+05:30' },
      'cache.ttlMinutes': { globalValue: -3 },
      requestTimeoutSeconds: { globalValue: 'soon' },
      region: { globalValue: 'eu' },
      cloud: { globalValue: 'gcc' },
    }),
  );
  assert.equal(settings.lookback, '30d');
  assert.deepEqual(settings.hoverLanguages, ['log', 'splunk-spl']);
  assert.equal(settings.logTimeZone, '+05:30');
  assert.equal(settings.cacheTtlMinutes, DEFAULT_SETTINGS.cacheTtlMinutes);
  assert.equal(settings.requestTimeoutSeconds, DEFAULT_SETTINGS.requestTimeoutSeconds);
  assert.equal(settings.region, undefined, 'a region applies to the commercial cloud only');
  assert.equal(warnings.length, 3);

  const endpoints = readSettings(
    source({
      'advanced.apiUrl': { globalValue: 'http://api.example.com' },
      'advanced.graphUrl': { globalValue: 'http://127.0.0.1:8080/' },
      'advanced.authorityHost': { globalValue: 'https://user:pw@login.example.com' },
    }),
  ).settings;
  assert.equal(endpoints.apiUrl, '', 'plain http only to loopback');
  assert.equal(endpoints.graphUrl, 'http://127.0.0.1:8080');
  assert.equal(endpoints.authorityHost, '', 'no credentials in an endpoint');
  assert.ok(warnings.every((w) => !w.includes('soon')), 'values are not echoed');
});

test('identity changes are told apart from behaviour changes; timeouts derive from one setting', () => {
  const base = readSettings(source({})).settings;
  assert.equal(identityChanged(base, { ...base, lookback: '30d' }), false);
  assert.equal(identityChanged(base, { ...base, cloud: 'gcc' }), true);
  assert.equal(identityChanged(base, { ...base, tenantId: 'contoso.onmicrosoft.com' }), true);
  assert.deepEqual(clientTimeouts({ ...base, requestTimeoutSeconds: 5 }), { entityMs: 5000, huntingMs: 50000 });
  assert.deepEqual(clientTimeouts({ ...base, requestTimeoutSeconds: 60 }), { entityMs: 60000, huntingMs: 200000 });
});

test("VS Code's proxy settings reach the network options, from user settings only", () => {
  const http = (values: Record<string, Inspection>) => ({ inspect: (k: string) => values[k] });
  const o = networkOptionsFromSettings(
    http({
      proxy: { globalValue: 'http://proxy.corp:3128', workspaceValue: 'http://evil:1' },
      proxyStrictSSL: { globalValue: false, defaultValue: true },
      noProxy: { globalValue: ['.corp', ' intranet '] },
    }),
    { NO_PROXY: 'localhost' },
  );
  assert.deepEqual(o, { proxyUrl: 'http://proxy.corp:3128', strictSSL: false, noProxy: '.corp,intranet,localhost' });
  assert.deepEqual(networkOptionsFromSettings(http({ proxy: { workspaceValue: 'http://evil:1' } })), { strictSSL: true });
  assert.deepEqual(networkOptionsFromSettings(http({ proxy: { globalValue: 'http://p:1' }, proxySupport: { globalValue: 'off' } })), { strictSSL: true });
});
