// The msal cache plugin adapter: restores and saves the serialized cache through the storage, survives damage, clears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicClientApplication, TokenCacheContext } from '@azure/msal-node';
import { createCachePlugin, isClearableCachePlugin } from '../../src/core/auth/cachePlugin';

const ACCOUNT_KEY = 'uid.utid-login.example-utid';
const SAVED = JSON.stringify({
  Account: {
    [ACCOUNT_KEY]: {
      home_account_id: 'uid.utid',
      environment: 'login.example',
      realm: 'utid',
      local_account_id: 'uid',
      username: 'analyst@contoso.example',
      authority_type: 'MSSTS',
    },
  },
  IdToken: {},
  AccessToken: {},
  RefreshToken: {},
  AppMetadata: {},
});

function tokenCache() {
  return new PublicClientApplication({ auth: { clientId: '8a7b6c5d-4e3f-4a1b-9c8d-0e1f2a3b4c5d' } }).getTokenCache();
}

function storage(initial?: string, fail = false) {
  const calls: string[] = [];
  let value = initial;
  return {
    calls,
    value: () => value,
    storage: {
      get: () => (calls.push('get'), fail ? Promise.reject(new Error('locked')) : Promise.resolve(value)),
      set: (v: string) => (calls.push('set'), fail ? Promise.reject(new Error('locked')) : ((value = v), Promise.resolve())),
      delete: () => (calls.push('delete'), (value = undefined), Promise.resolve()),
    },
  };
}

test('before access restores the saved cache; after access saves only when it changed', async () => {
  const s = storage(SAVED);
  const plugin = createCachePlugin(s.storage);
  const cache = tokenCache();
  await plugin.beforeCacheAccess(new TokenCacheContext(cache, false));
  assert.ok(cache.serialize().includes(ACCOUNT_KEY));
  await plugin.afterCacheAccess(new TokenCacheContext(cache, false));
  assert.deepEqual(s.calls, ['get']);
  await plugin.afterCacheAccess(new TokenCacheContext(cache, true));
  assert.deepEqual(s.calls, ['get', 'set']);
  assert.ok(s.value()?.includes('analyst@contoso.example'));
  assert.ok(isClearableCachePlugin(plugin));
  await plugin.clear();
  assert.equal(s.value(), undefined);
});

test('a damaged or unreadable cache costs a sign-in, never an exception', async () => {
  const warnings: string[] = [];
  const logger = { trace: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
  const cache = tokenCache();
  await createCachePlugin(storage(SAVED).storage).beforeCacheAccess(new TokenCacheContext(cache, false));
  await createCachePlugin(storage('{not json').storage, logger).beforeCacheAccess(new TokenCacheContext(cache, false));
  assert.doesNotThrow(() => JSON.parse(cache.serialize()), 'msal can still save after reading a damaged cache');
  await createCachePlugin(storage('[1,2]').storage, logger).beforeCacheAccess(new TokenCacheContext(cache, false));
  const locked = createCachePlugin(storage(SAVED, true).storage, logger);
  await locked.beforeCacheAccess(new TokenCacheContext(cache, false));
  await locked.afterCacheAccess(new TokenCacheContext(cache, true));
  assert.equal(warnings.length, 4);
  assert.ok(warnings.every((w) => !w.includes('analyst') && !w.includes('not json')), 'no cache content in the log');
});
