// The Debian packages the harness needs: checked before anything is built, installed with apt-get when root, and
// named in a clear message (with the command to run) otherwise.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface SystemPackage {
  /** The Debian package name. */
  readonly name: string;
  /** Why the harness needs it (printed in the message). */
  readonly why: string;
  /** A file the package provides: the fallback check where dpkg is not available. */
  readonly provides: string;
}

/** code-server's native modules and its search need these to install. */
export const codeServerPackages: readonly SystemPackage[] = [
  { name: 'ripgrep', why: "code-server's search (its own download of rg needs GitHub)", provides: '/usr/bin/rg' },
  { name: 'libkrb5-dev', why: "headers for code-server's kerberos module", provides: '/usr/include/krb5.h' },
  { name: 'build-essential', why: 'the compilers for the native modules (node-gyp)', provides: '/usr/bin/g++' },
  { name: 'python3', why: 'node-gyp', provides: '/usr/bin/python3' },
];

/** The browser the integration and e2e suites drive. */
export const browserPackages: readonly SystemPackage[] = [
  { name: 'chromium', why: 'the browser that opens the code-server workbench', provides: '/usr/bin/chromium' },
];

function isInstalled(pkg: SystemPackage): boolean {
  try {
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return status.trim() === 'install ok installed';
  } catch {
    return fs.existsSync(pkg.provides);
  }
}

export function missingPackages(packages: readonly SystemPackage[]): SystemPackage[] {
  return packages.filter((pkg) => !isInstalled(pkg));
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Makes sure the packages are there. As root, missing ones are installed with apt-get (like .ci/run does);
 * otherwise this throws an error naming them and the command to run once.
 */
export function ensureSystemPackages(packages: readonly SystemPackage[], log: (line: string) => void): void {
  const missing = missingPackages(packages);
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (!isRoot()) {
    const reasons = missing.map((p) => `  - ${p.name}: ${p.why}`).join('\n');
    throw new Error(
      `Missing Debian packages:\n${reasons}\nInstall them once (needs root), then re-run:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 600_000 });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], { stdio: 'inherit', env, timeout: 1_200_000 });
  const still = missingPackages(missing);
  if (still.length > 0) throw new Error(`apt-get did not install: ${still.map((p) => p.name).join(' ')}`);
}
