// Lint-style checks over the webview's source: no HTML sinks, no eval, no inline handlers, no remote
// resources; and the toolkit is imported only in webview/components/.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|css)$/.test(e.name) ? [p] : [];
  });
}

const webview = files(path.join(ROOT, 'webview'));
const sources = [...webview, path.join(ROOT, 'media/panel.css'), ...files(path.join(ROOT, 'src/features/panel'))];

function offenders(pattern: RegExp, list = sources): string[] {
  const out: string[] = [];
  for (const f of list) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      // Comments may mention the APIs they avoid.
      const code = line.replace(/\/\*.*?(\*\/|$)/g, '').replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      if (pattern.test(code)) out.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  return out;
}

test('the webview has source files to check', () => {
  assert.ok(webview.length >= 10, webview.join(', '));
  assert.ok(webview.some((f) => f.endsWith(path.join('webview', 'main.ts'))));
});

test('no innerHTML, outerHTML, insertAdjacentHTML, document.write or DOMParser', () => {
  assert.deepEqual(offenders(/\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment)\b|\.srcdoc\b/), []);
});

test('no eval, Function constructor or string timers', () => {
  assert.deepEqual(offenders(/\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['"`]|setInterval\s*\(\s*['"`]/), []);
});

test('no inline event handlers or style attributes set from code', () => {
  assert.deepEqual(offenders(/setAttribute\(\s*['"`](on[a-z]+|style|href|src)['"`]|\.on(click|load|error|input|change|keydown|mouseover)\s*=/i), []);
});

test('no remote resources: no http(s) URLs, @import or url() to other origins', () => {
  const remote = offenders(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/, webview.concat(path.join(ROOT, 'media/panel.css')));
  assert.deepEqual(remote, []);
  assert.deepEqual(offenders(/@import|url\(/, [path.join(ROOT, 'media/panel.css')]), []);
});

test('@vscode/webview-ui-toolkit is imported only under webview/components/', () => {
  const users = webview.filter((f) => /@vscode\/webview-ui-toolkit/.test(fs.readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '')));
  assert.ok(users.length >= 1);
  for (const f of users) assert.ok(f.includes(path.join('webview', 'components')), f);
});

test('the webview imports only src/shared from the extension source', () => {
  const bad = offenders(/from\s+['"](\.\.\/)+src\/(?!shared\/)/, webview);
  assert.deepEqual(bad, []);
});
