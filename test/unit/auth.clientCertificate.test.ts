// Certificate credentials: thumbprints msal needs, key in the same or a separate PEM, encrypted keys, clear failures.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { loadClientCertificate } from '../../src/core/auth/clientCertificate';
import { AuthError } from '../../src/core/defender/errors';

let dir: string;
let cert: string;
let key: string;
const PASSWORD = 'correct horse battery staple';

function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  return writeFile(path, text).then(() => path);
}

async function rejectsWith(source: Parameters<typeof loadClientCertificate>[0], message: RegExp, now?: Date): Promise<void> {
  await assert.rejects(loadClientCertificate(source, now), (e: unknown) => {
    assert.ok(e instanceof AuthError, String(e));
    assert.match(e.message, message);
    assert.ok(!e.message.includes(PASSWORD) && !e.message.includes('PRIVATE KEY'));
    return true;
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipinv-cert-'));
  const pems = await generate([{ name: 'commonName', value: 'ipinv-app' }], { keySize: 2048, algorithm: 'sha256' });
  cert = pems.cert;
  key = pems.private;
});

after(() => rm(dir, { recursive: true, force: true }));

test('a PEM with certificate and key gives SHA-256 and SHA-1 thumbprints and a PKCS#8 key', async () => {
  const loaded = await loadClientCertificate({ certificatePath: await file('both.pem', `${cert}\n${key}`) });
  const x509 = new X509Certificate(cert);
  assert.equal(loaded.thumbprintSha256, x509.fingerprint256.replace(/:/g, ''));
  assert.equal(loaded.thumbprintSha1, x509.fingerprint.replace(/:/g, ''));
  assert.match(loaded.privateKey, /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(loaded.notAfter.getTime(), new Date(x509.validTo).getTime());
});

test('the key may live in its own file, in PKCS#1 form', async () => {
  const pkcs1 = createPrivateKey(key).export({ type: 'pkcs1', format: 'pem' }).toString();
  const loaded = await loadClientCertificate({ certificatePath: await file('cert.pem', cert), privateKeyPath: await file('key.pem', pkcs1) });
  assert.match(loaded.privateKey, /^-----BEGIN PRIVATE KEY-----/);
});

test('an encrypted key needs the password, and a wrong one is said so without echoing it', async () => {
  const encrypted = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSWORD }).toString();
  const certificatePath = await file('encrypted.pem', `${cert}\n${encrypted}`);
  const loaded = await loadClientCertificate({ certificatePath, password: PASSWORD });
  assert.match(loaded.privateKey, /^-----BEGIN PRIVATE KEY-----/);
  await rejectsWith({ certificatePath }, /encrypted: set AZURE_CLIENT_CERTIFICATE_PASSWORD/);
  await rejectsWith({ certificatePath, password: 'wrong' }, /cannot be decrypted: check the certificate password/);
});

test('missing files, missing blocks, foreign or non-RSA keys and expired certificates are explained', async () => {
  const missing = join(dir, 'nope.pem');
  await rejectsWith({ certificatePath: missing }, new RegExp(`Cannot read the client certificate file .*nope\\.pem \\(ENOENT\\)`));
  await rejectsWith({ certificatePath: await file('keyonly.pem', key) }, /holds no PEM certificate/);
  await rejectsWith({ certificatePath: await file('certonly.pem', cert) }, /No private key found/);
  const foreign = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await rejectsWith({ certificatePath: await file('foreign.pem', `${cert}\n${foreign}`) }, /does not belong to the certificate/);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await rejectsWith({ certificatePath: await file('ec.pem', `${cert}\n${ec}`) }, /must be RSA/);
  await rejectsWith({ certificatePath: await file('ok.pem', `${cert}\n${key}`) }, /client certificate expired on \d{4}-\d\d-\d\d/, new Date(Date.UTC(2100, 0, 1)));
});
