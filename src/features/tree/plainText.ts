// Text from the API or a file made fit for a label or a description: one line, no control or bidi characters, bounded.
// Pure; every surface that shows such text in a tree item, a table cell or a message uses it.

// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/** One line of plain text for labels and descriptions: no newlines, no bidi tricks, bounded. */
export function plain(text: string | undefined, max = 120): string {
  if (!text) return '';
  const one = text.replace(/\s+/g, ' ').replace(INVISIBLE, '\ufffd').trim();
  const points = Array.from(one);
  return points.length > max ? `${points.slice(0, max - 1).join('')}…` : one;
}
