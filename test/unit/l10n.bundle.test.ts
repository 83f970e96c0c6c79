import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO_NOTICE, classLabel } from '../../src/features/hover/hoverContent';

const root = path.resolve(__dirname, '..', '..');
const FOLDERS = ['src/features/hover', 'src/features/commands', 'src/features/tree', 'src/features/statusBar', 'src/features/session', 'src/features/panel', 'src/features/triage', 'src/features/machine', 'src/features/indicators', 'src/features/history', 'src/platform'];

/** Every literal message passed to vscode.l10n.t, localize or a Localize `t`, in the surfaces' sources. */
function literalMessages(): Set<string> {
  const out = new Set<string>();
  const call = /(?:\bl10n\.t|\blocalize|\bt)\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1\s*[,)]/g;
  for (const folder of FOLDERS) {
    for (const file of fs.readdirSync(path.join(root, folder))) {
      if (!file.endsWith('.ts')) continue;
      const text = fs.readFileSync(path.join(root, folder, file), 'utf8');
      for (const m of text.matchAll(call)) {
        if (m[1] === '`' && m[2].includes('${')) continue;
        out.add(m[2].replace(/\\(['"`\\])/g, '$1'));
      }
    }
  }
  return out;
}

test('every user-facing message of the surfaces is in l10n/bundle.l10n.json', () => {
  const bundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  const wanted = new Set([...literalMessages(), DEMO_NOTICE, ...['public', 'private', 'shared', 'loopback', 'link-local', 'unique-local', 'multicast', 'documentation', 'benchmarking', 'reserved', 'unspecified', 'broadcast'].map(classLabel)]);
  assert.ok(wanted.size > 100, `found ${wanted.size} messages`);
  const missing = [...wanted].filter((m) => !(m in bundle));
  assert.deepEqual(missing, [], 'run: node --import tsx test/unit/l10n.bundle.test.ts --write');
  for (const [k, v] of Object.entries(bundle)) assert.equal(typeof v, 'string', k);
});

test('package.nls.json has every %key% the manifest uses', () => {
  const manifest = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
  const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
  assert.ok(keys.length > 20);
  assert.deepEqual(keys.filter((k) => !(k in nls)), []);
});

if (process.argv.includes('--write')) {
  const file = path.join(root, 'l10n', 'bundle.l10n.json');
  const existing = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const all = [...literalMessages(), DEMO_NOTICE, ...['public', 'private', 'shared', 'loopback', 'link-local', 'unique-local', 'multicast', 'documentation', 'benchmarking', 'reserved', 'unspecified', 'broadcast'].map(classLabel)];
  const merged: Record<string, string> = { ...existing };
  for (const m of all) merged[m] ??= m;
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}
