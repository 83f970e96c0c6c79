import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { commandLink, commandUri, escapeMarkdown } from '../../src/shared/markdown';
import { DEMO_HOSTILE_MACHINE_NAMES, HOSTILE_STRINGS } from '../../src/simulator/story';

// A CommonMark renderer with raw HTML and autolinks on (the most permissive setting) stands in for VS Code's. Like
// marked (VS Code's renderer), it is set to keep character references as written in the HTML it produces: VS Code
// looks for `$(icon)` in that HTML string, before the browser decodes the references into text.
interface Token {
  content: string;
  markup: string;
  info: string;
}
interface Md {
  render(src: string): string;
  core: { ruler: { disable(name: string): void } };
  renderer: { rules: Record<string, (tokens: Token[], idx: number) => string> };
  utils: { escapeHtml(s: string): string };
}
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options: object) => Md;
const md = new MarkdownIt({ html: true, linkify: true });
md.core.ruler.disable('text_join');
md.renderer.rules.text_special = (tokens, idx) => {
  const t = tokens[idx];
  return t.info === 'entity' ? t.markup : md.utils.escapeHtml(t.content);
};

/** VS Code replaces `$(name)` in the rendered HTML with an icon; this is its pattern. */
const ICON = /(\\)?\$\(([a-z0-9-]+?(?:~[a-z0-9-]*?)?)\)/gi;

function decode(html: string): string {
  return html
    .replace(/<\/?p>\n?/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#36;/g, '$')
    .replace(/&amp;/g, '&')
    .trim();
}

// eslint-disable-next-line no-control-regex
const expected = (s: string) => s.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f]/g, '\ufffd').trim();

test('hostile strings from the demo tenant render as their own text and nothing else', () => {
  const samples = [...Object.values(HOSTILE_STRINGS).filter((s) => s.length < 300), ...DEMO_HOSTILE_MACHINE_NAMES];
  for (const s of samples) {
    const html = md.render(escapeMarkdown(s));
    assert.doesNotMatch(html, /<(?!\/?p>)/, `markup in ${JSON.stringify(s)}: ${html}`);
    assert.equal(decode(html), expected(s), `text changed for ${JSON.stringify(s)}`);
    assert.equal(html.match(ICON), null, `icon syntax survives in ${html}`);
  }
});

test('escapeMarkdown neutralises each special character named in the brief', () => {
  for (const ch of ['[', ']', '(', ')', '`', '*', '_', '<', '>', '|', '\\', '#', '!', '~']) {
    const out = escapeMarkdown(`a${ch}b`);
    assert.equal(out, `a\\${ch}b`);
  }
  assert.equal(escapeMarkdown('$(zap)'), '&#36;\\(zap\\)');
  assert.equal(escapeMarkdown('line1\nline2\r\n\tline3'), 'line1 line2 line3');
  assert.equal(escapeMarkdown('\u202Etxt.exe'), '\ufffdtxt\\.exe');
});

test('escapeMarkdown stops autolinks, e-mail links, headings, lists and tables', () => {
  for (const s of ['https://evil.example/x', 'www.evil.example', 'a@evil.example', '# title', '1. item', '- item', '| a | b |\n|---|---|', '> quote']) {
    const html = md.render(escapeMarkdown(s));
    assert.doesNotMatch(html, /<(a|h1|ol|ul|li|table|blockquote)\b/, `${s} -> ${html}`);
  }
});

test('escapeMarkdown bounds long text by code points without splitting a surrogate pair', () => {
  const long = HOSTILE_STRINGS.long;
  const out = escapeMarkdown(long, 100);
  assert.ok(out.endsWith('…'));
  assert.ok(Array.from(out.replace(/\\/g, '')).length <= 100);
  const emoji = '😀'.repeat(10);
  const cut = escapeMarkdown(emoji, 5);
  assert.equal(cut, `${'😀'.repeat(4)}…`);
});

test('any string renders without markup, links or icons (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'<>[]()`*_$|\\!#&:/.@ aZ09-\n"\''.split('')), maxLength: 60 }), (s) => {
      const html = md.render(escapeMarkdown(s));
      assert.doesNotMatch(html, /<(?!\/?p>)/);
      assert.equal(html.match(ICON), null);
      assert.equal(decode(html), expected(s));
    }),
    { numRuns: 500 },
  );
});

test('command links carry JSON arguments that cannot break out of the link', () => {
  const uri = commandUri('ipInvestigator.investigateIp', { ip: '198.51.100.23', note: 'a) [b](c)' });
  assert.ok(uri.startsWith('command:ipInvestigator.investigateIp?'));
  assert.doesNotMatch(uri.slice(uri.indexOf('?')), /[()[\]\s]/);
  assert.deepEqual(JSON.parse(decodeURIComponent(uri.slice(uri.indexOf('?') + 1))), { ip: '198.51.100.23', note: 'a) [b](c)' });
  const link = commandLink('Investigate **now**', 'ipInvestigator.investigateIp', { ip: '10.0.0.1' });
  const html = md.render(link);
  assert.match(html, /<a href="command:ipInvestigator\.investigateIp\?[^"]+">Investigate \*\*now\*\*<\/a>/);
  assert.throws(() => commandUri('javascript:alert(1)'), RangeError);
});
