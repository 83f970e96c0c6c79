import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, newNonce, panelHtml } from '../../src/features/panel/panelHtml';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

test('the CSP allows nothing by default, scripts by nonce and styles only from the extension', () => {
  const csp = contentSecurityPolicy(cspSource, 'S1', 'S2');
  assert.equal(csp, `default-src 'none'; script-src 'nonce-S1'; style-src ${cspSource} 'nonce-S2'; img-src ${cspSource} data:; font-src ${cspSource};`);
  assert.doesNotMatch(csp, /unsafe-(inline|eval|hashes)/);
  assert.doesNotMatch(csp, /\*/);
});

test('nonces are fresh 128-bit values from crypto', () => {
  const seen = new Set(Array.from({ length: 200 }, () => newNonce()));
  assert.equal(seen.size, 200);
  for (const n of seen) assert.equal(Buffer.from(n, 'base64').length, 16);
});

test('the HTML has one script, with the nonce, no inline code and no remote resource', () => {
  const html = panelHtml({
    cspSource,
    scriptUri: `${cspSource}/dist/webview.js`,
    styleUri: `${cspSource}/media/panel.css`,
    scriptNonce: 'N1',
    styleNonce: 'N2',
    title: 'IP <script>alert(1)</script>',
  });
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.deepEqual(scripts, [`<script nonce="N1" src="${cspSource}/dist/webview.js" defer>`]);
  assert.match(html, /<\/script>/);
  assert.doesNotMatch(html.replace(/<script nonce="N1"[^>]*><\/script>/, ''), /<script/);
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /style="/, 'no style attributes');
  const urls = html.match(/(?:src|href)="([^"]+)"/g) ?? [];
  for (const u of urls) assert.ok(u.includes(cspSource), u);
  assert.match(html, /<title>IP &#60;script&#62;alert\(1\)&#60;\/script&#62;<\/title>/);
  assert.match(html, /<meta property="csp-nonce" content="N2">/);
});
