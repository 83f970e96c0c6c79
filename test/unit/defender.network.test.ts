// Proxies and certificates of the Defender client: proxy choice (explicit, HTTPS_PROXY/HTTP_PROXY,
// NO_PROXY, loopback never proxied) and, over real HTTP(S) on loopback, a CONNECT proxy and a TLS
// stub whose test CA is trusted only when given (or when strict SSL is off).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import type { Dispatcher } from 'undici';
import { NetworkError } from '../../src/core/defender/errors';
import { createDispatcher, describeProxy, isLoopbackHost, parseNoProxy, proxyForUrl, resolveProxyConfig } from '../../src/core/defender/network';
import { DEFENDER_TOKEN, clientFor } from '../fixtures/defender/clientSetup';
import { startConnectProxy, type ConnectProxy } from '../fixtures/defender/connectProxy';
import { startStubServer, type StubServer } from '../fixtures/defender/stubServer';

describe('proxy choice', () => {
  test('environment: lower-case names first, HTTPS falls back to HTTP_PROXY', () => {
    const both = resolveProxyConfig({ env: { https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128', HTTP_PROXY: 'http://plain:8080' } });
    assert.equal(both.httpsProxy, 'http://lower:3128/');
    assert.equal(both.httpProxy, 'http://plain:8080/');
    const onlyHttp = resolveProxyConfig({ env: { HTTP_PROXY: 'http://plain:8080' } });
    assert.equal(onlyHttp.httpsProxy, 'http://plain:8080/');
    assert.deepEqual(resolveProxyConfig({ env: {} }), { noProxy: [] });
  });

  test('an explicit proxy wins over the environment', () => {
    const c = resolveProxyConfig({ proxyUrl: 'http://corp-proxy:8080', env: { HTTPS_PROXY: 'http://other:1' } });
    assert.equal(c.httpsProxy, 'http://corp-proxy:8080/');
    assert.equal(c.httpProxy, 'http://corp-proxy:8080/');
  });

  test('an unusable proxy URL is refused without echoing credentials', () => {
    assert.throws(
      () => resolveProxyConfig({ proxyUrl: 'ftp://alice:s3cret@proxy:21' }),
      (e: unknown) => e instanceof RangeError && /http:\/\/ or https:\/\//.test(e.message) && !e.message.includes('s3cret'),
    );
    assert.throws(() => resolveProxyConfig({ env: { HTTPS_PROXY: 'not a url' } }), /HTTPS_PROXY is not a valid URL/);
    assert.equal(describeProxy('http://alice:s3cret@proxy:3128/'), 'http://proxy:3128');
  });

  test('loopback is never proxied', () => {
    const c = resolveProxyConfig({ proxyUrl: 'http://proxy:3128' });
    for (const url of ['http://127.0.0.1:8080/', 'https://localhost/', 'http://[::1]:9/', 'http://127.9.9.9/', 'http://[::ffff:127.0.0.1]/', 'http://app.localhost/']) {
      assert.equal(proxyForUrl(url, c), undefined, url);
    }
    assert.equal(proxyForUrl('https://api.security.microsoft.com/api', c), 'http://proxy:3128/');
    assert.equal(isLoopbackHost('128.0.0.1'), false);
    assert.equal(isLoopbackHost('::2'), false);
  });

  test('NO_PROXY: exact hosts, domains, ports, IPv4 ranges and *', () => {
    const c = resolveProxyConfig({
      proxyUrl: 'http://proxy:3128',
      noProxy: 'internal.contoso.com, .corp.example,login.microsoftonline.com:8443, 10.0.0.0/8 [fd00::1]',
    });
    const direct = ['https://internal.contoso.com/', 'https://a.internal.contoso.com/', 'https://x.corp.example/', 'https://login.microsoftonline.com:8443/', 'http://10.20.30.40/', 'http://[fd00::1]/'];
    const proxied = ['https://contoso.com/', 'https://login.microsoftonline.com/', 'http://11.0.0.1/', 'https://notinternal.contoso.com/'];
    for (const url of direct) assert.equal(proxyForUrl(url, c), undefined, url);
    for (const url of proxied) assert.equal(proxyForUrl(url, c), 'http://proxy:3128/', url);
    const all = resolveProxyConfig({ env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' } });
    assert.equal(proxyForUrl('https://api.security.microsoft.com/', all), undefined);
    assert.deepEqual(parseNoProxy(' , '), []);
  });
});

describe('over the wire', () => {
  const HOST = 'api.defender.test';
  let plain: StubServer;
  let secure: StubServer;
  let ca: string;
  let plainProxy: ConnectProxy;
  let secureProxy: ConnectProxy;
  const dispatchers: Dispatcher[] = [];
  const track = (d: Dispatcher): Dispatcher => {
    dispatchers.push(d);
    return d;
  };

  before(async () => {
    const pems = await generate([{ name: 'commonName', value: HOST }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: HOST }] },
      ],
    });
    ca = pems.cert;
    plain = await startStubServer();
    secure = await startStubServer({ tls: { key: pems.private, cert: pems.cert } });
    for (const s of [plain, secure]) s.route('GET', () => true, { json: { organizationPrevalence: 4 } });
    plainProxy = await startConnectProxy(plain.port);
    secureProxy = await startConnectProxy(secure.port);
  });

  after(async () => {
    await Promise.all(dispatchers.map((d) => d.close()));
    for (const s of [plainProxy, secureProxy, plain, secure]) await s.close();
  });

  test('an explicit proxy tunnels the request; the proxy never sees the bearer token', async () => {
    const proxyUrl = plainProxy.url.replace('http://', 'http://alice:s3cret@');
    const client = clientFor(plain, { apiBaseUrl: `http://${HOST}:${plain.port}`, dispatcher: track(createDispatcher({ proxyUrl, env: {} })) });
    const before = plain.requests.length;
    const r = await client.getIpStats('198.51.100.23', 24);
    assert.equal(r.data.organizationPrevalence, 4);
    assert.equal(plainProxy.log.at(-1)?.target, `${HOST}:${plain.port}`);
    assert.equal(plainProxy.log.at(-1)?.proxyAuthorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    assert.equal(plain.requests.length, before + 1);
    assert.equal(plain.requests.at(-1)?.headers.authorization, `Bearer ${DEFENDER_TOKEN}`);
    assert.ok(plainProxy.log.every((entry) => !JSON.stringify(entry).includes(DEFENDER_TOKEN)));
  });

  test('HTTPS_PROXY from the environment, with the extra CA trusted', async () => {
    const dispatcher = track(createDispatcher({ env: { HTTPS_PROXY: secureProxy.url }, caCertificates: [ca] }));
    const client = clientFor(secure, { apiBaseUrl: `https://${HOST}:${secure.port}`, dispatcher });
    const r = await client.getIpStats('198.51.100.23', 24);
    assert.equal(r.data.organizationPrevalence, 4);
    assert.equal(secureProxy.log.at(-1)?.target, `${HOST}:${secure.port}`);
  });

  test('strict SSL refuses an unknown CA; switching it off accepts it', async () => {
    const strict = track(createDispatcher({ env: { HTTPS_PROXY: secureProxy.url } }));
    const e = await clientFor(secure, { apiBaseUrl: `https://${HOST}:${secure.port}`, dispatcher: strict })
      .getIpStats('198.51.100.23', 24)
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    assert.ok(e instanceof NetworkError, String(e));
    assert.match(e.message, /certificate|self.signed|issuer/i);
    const lax = track(createDispatcher({ env: { HTTPS_PROXY: secureProxy.url }, strictSSL: false }));
    const r = await clientFor(secure, { apiBaseUrl: `https://${HOST}:${secure.port}`, dispatcher: lax }).getIpStats('198.51.100.23', 24);
    assert.equal(r.data.organizationPrevalence, 4);
  });

  test('loopback targets bypass the proxy', async () => {
    const seen = plainProxy.log.length;
    const client = clientFor(plain, { dispatcher: track(createDispatcher({ proxyUrl: plainProxy.url })) });
    await client.getIpStats('198.51.100.24', 24);
    assert.equal(plainProxy.log.length, seen);
  });

  test('NO_PROXY hosts connect directly (here: a name that does not resolve)', async () => {
    const seen = plainProxy.log.length;
    const dispatcher = track(createDispatcher({ env: { HTTP_PROXY: plainProxy.url, NO_PROXY: 'defender.test' } }));
    const client = clientFor(plain, { apiBaseUrl: `http://${HOST}:${plain.port}`, dispatcher });
    await assert.rejects(client.getIpStats('198.51.100.25', 24), NetworkError);
    assert.equal(plainProxy.log.length, seen);
  });
});
