// Reads an app registration's certificate credential from PEM: thumbprints (SHA-256 for msal's x5t#S256, SHA-1 for
// old authorities) and the private key as unencrypted PKCS#8, checked to belong to the certificate.
import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuthError } from '../defender/errors';

export interface ClientCertificate {
  /** Hex SHA-256 of the DER certificate. */
  thumbprintSha256: string;
  /** Hex SHA-1 of the DER certificate. */
  thumbprintSha1: string;
  /** PKCS#8 PEM, decrypted. Kept in memory only. */
  privateKey: string;
  notAfter: Date;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

export async function loadClientCertificate(
  source: { certificatePath: string; privateKeyPath?: string; password?: string },
  now: Date = new Date(),
): Promise<ClientCertificate> {
  const certText = await readPem(source.certificatePath, 'client certificate');
  const certPem = CERT_BLOCK.exec(certText)?.[0];
  if (!certPem) {
    throw new AuthError(`${source.certificatePath} holds no PEM certificate: convert a .pfx with "openssl pkcs12 -in cert.pfx -out cert.pem -nodes".`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new AuthError(`The certificate in ${source.certificatePath} cannot be parsed.`);
  }
  const keyText = source.privateKeyPath ? await readPem(source.privateKeyPath, 'private key') : certText;
  const keyPem = KEY_BLOCK.exec(keyText)?.[0];
  if (!keyPem) {
    throw new AuthError(`No private key found in ${source.privateKeyPath ?? source.certificatePath}: put the key in the same PEM file or give its own path.`);
  }
  const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(keyPem);
  if (encrypted && !source.password) throw new AuthError('The private key is encrypted: set AZURE_CLIENT_CERTIFICATE_PASSWORD (or the certificate password setting).');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem', ...(source.password ? { passphrase: source.password } : {}) });
  } catch {
    throw new AuthError(encrypted ? 'The private key cannot be decrypted: check the certificate password.' : 'The private key cannot be read: it must be a PEM private key.');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new AuthError('The certificate key must be RSA: Entra ID signs client assertions with RS256/PS256.');
  if (!cert.checkPrivateKey(key)) throw new AuthError('The private key does not belong to the certificate.');
  const notAfter = new Date(cert.validTo);
  if (!Number.isNaN(notAfter.getTime()) && notAfter.getTime() < now.getTime()) {
    throw new AuthError(`The client certificate expired on ${notAfter.toISOString().slice(0, 10)}: upload a new certificate to the app registration.`);
  }
  return {
    thumbprintSha256: createHash('sha256').update(cert.raw).digest('hex').toUpperCase(),
    thumbprintSha1: createHash('sha1').update(cert.raw).digest('hex').toUpperCase(),
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notAfter,
  };
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new AuthError(`Cannot read the ${what} file ${path}${typeof code === 'string' ? ` (${code})` : ''}.`);
  }
}
