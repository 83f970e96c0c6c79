// Markdown escaping for text from the API or from files (hover, tree tooltips, reports), and command links
// to the extension's own commands. Everything untrusted goes through escapeMarkdown before it meets Markdown.

/** Control characters, bidirectional overrides and isolates, and other invisible format characters. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/gu;
const WHITESPACE_RUN = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/gu;
/** Every ASCII punctuation character may be backslash-escaped in CommonMark; `$` is handled apart. */
const PUNCTUATION = /[!"#%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

export const DEFAULT_MAX_LENGTH = 300;

/**
 * Makes untrusted text inert inside Markdown: it renders as the same characters and nothing else.
 * - newlines and other whitespace runs become one space (no new blocks, no tables, no code blocks);
 * - control, bidirectional-override and zero-width characters become U+FFFD, so a disguised name shows that
 *   something was hidden in it;
 * - every ASCII punctuation character is backslash-escaped (no links, emphasis, code spans, raw HTML, headings,
 *   lists, autolinks);
 * - `$` becomes the entity `&#36;`: VS Code turns `$(name)` into an icon after Markdown rendering, so a
 *   backslash would not stop it, while an entity survives rendering and is decoded only as text.
 * Text longer than `maxLength` characters (code points) is cut with an ellipsis.
 */
export function escapeMarkdown(text: string | number | undefined, maxLength = DEFAULT_MAX_LENGTH): string {
  let s = typeof text === 'string' ? text : text === undefined ? '' : String(text);
  s = s.replace(WHITESPACE_RUN, ' ').replace(INVISIBLE, '\ufffd').trim();
  const points = Array.from(s);
  if (points.length > maxLength) s = `${points.slice(0, Math.max(1, maxLength - 1)).join('')}…`;
  return s.replace(PUNCTUATION, '\\$&').replace(/\$/g, '&#36;');
}

// Letters, digits, spaces, `.`, `,`, `:` and `-` cannot open any inline construct (emphasis, code, links, HTML,
// entities, autolinks need other characters), except an extended autolink starting with `www.`.
const PLAIN_INLINE = /^[A-Za-z0-9 .,:-]*$/;

/**
 * escapeMarkdown for a value inside a table cell or after a label, where no block can start: plain tokens
 * such as addresses, ISO times and numbers stay readable in the raw report; anything else is escaped.
 */
export function escapeMarkdownInline(text: string | number | undefined, maxLength = DEFAULT_MAX_LENGTH): string {
  const s = typeof text === 'string' ? text : text === undefined ? '' : String(text);
  if (s.length <= maxLength && PLAIN_INLINE.test(s) && !/www\./i.test(s)) return s.trim();
  return escapeMarkdown(s, maxLength);
}

/** `command:` URI with JSON arguments, for a Markdown link. The arguments must be our own validated values. */
export function commandUri(command: string, args?: unknown): string {
  if (!/^[A-Za-z][\w.]*$/.test(command)) throw new RangeError(`Not a command id: ${command}`);
  if (args === undefined) return `command:${command}`;
  // encodeURIComponent leaves ( ) ' ! * alone; parentheses would end the Markdown link early.
  const encoded = encodeURIComponent(JSON.stringify(args)).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${command}?${encoded}`;
}

/** A Markdown link to one of our commands; `label` is escaped here. */
export function commandLink(label: string, command: string, args?: unknown, title?: string): string {
  const t = title === undefined ? '' : ` "${escapeMarkdown(title)}"`;
  return `[${escapeMarkdown(label)}](${commandUri(command, args)}${t})`;
}

/** A Markdown table of escaped cells; long values are clipped so one field cannot swamp the report. */
export function markdownTable(columns: readonly string[], rows: readonly (readonly (string | number | undefined)[])[], maxCell = 300): string {
  const head = `| ${columns.map((c) => escapeMarkdownInline(c)).join(' | ')} |`;
  const sep = `| ${columns.map(() => '---').join(' | ')} |`;
  const body = rows.map((r) => `| ${columns.map((_, i) => escapeMarkdownInline(r[i], maxCell) || ' ').join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}
