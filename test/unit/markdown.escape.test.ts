import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { commandLink, commandUri, escapeMarkdown, escapeMarkdownInline } from '../../src/shared/markdown';
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

test('escapeMarkdownInline keeps plain tokens readable and escapes everything else', () => {
  for (const plain of ['198.51.100.23', '2001:db8::1', '2026-11-20T08:44:05Z', '42', 'High', 'not seen']) {
    assert.equal(escapeMarkdownInline(plain), plain);
  }
  assert.equal(escapeMarkdownInline('www.example.com'), escapeMarkdown('www.example.com'), 'an extended autolink is escaped');
  assert.equal(escapeMarkdownInline('a_b'), 'a\\_b');
  assert.equal(escapeMarkdownInline('x'.repeat(20), 10), escapeMarkdown('x'.repeat(20), 10), 'long values are clipped');
  // GFM's extended autolinks: www. and scheme links (not markdown-it's fuzzy bare domains, which GFM does not link).
  const Linkify = createRequire(__filename)('markdown-it') as new (options: object) => { renderInline(s: string): string; linkify: { set(o: object): void } };
  const linkify = new Linkify({ linkify: true });
  linkify.linkify.set({ fuzzyLink: false });
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'<>[]()`*_$|\\!#&:/.@ aZw09-'.split('')), maxLength: 40 }), (s) => {
      const html = linkify.renderInline(`x ${escapeMarkdownInline(s)}`);
      assert.doesNotMatch(html, /<(?!\/?p>)/, `no element from ${JSON.stringify(s)}: ${html}`);
    }),
    { numRuns: 500 },
  );
});
