// How the analyst's verdict and note read on every surface: the hover line ("You marked this malicious on
// 2026-12-02: 'beacon every 60 s'"), labels, icons and short descriptions. The note is user text: it is escaped for
// Markdown and made one plain line for labels, like any other untrusted text. Pure (no vscode import).
import { annotationDay, type AnalystVerdict, type Annotation } from '../../shared/annotation';
import { escapeMarkdown } from '../../shared/markdown';
import { plainLocalize, type Localize } from '../hover/hoverContent';
import { plain } from '../tree/plainText';

/** "Malicious", "False positive": a verdict as a label. */
export function verdictLabel(v: AnalystVerdict, t: Localize = plainLocalize): string {
  switch (v) {
    case 'malicious':
      return t('Malicious');
    case 'suspicious':
      return t('Suspicious');
    case 'benign':
      return t('Benign');
    case 'false-positive':
      return t('False positive');
    case 'unknown':
      return t('Unknown');
  }
}

/** "malicious", "false positive": a verdict inside a sentence. */
export function verdictWord(v: AnalystVerdict, t: Localize = plainLocalize): string {
  switch (v) {
    case 'malicious':
      return t('malicious');
    case 'suspicious':
      return t('suspicious');
    case 'benign':
      return t('benign');
    case 'false-positive':
      return t('false positive');
    case 'unknown':
      return t('unknown');
  }
}

/** A codicon per verdict, coloured like the severities the views already use. */
export function verdictIcon(v: AnalystVerdict | undefined): { id: string; color?: string } {
  switch (v) {
    case 'malicious':
      return { id: 'bug', color: 'charts.red' };
    case 'suspicious':
      return { id: 'warning', color: 'charts.orange' };
    case 'benign':
      return { id: 'pass', color: 'charts.green' };
    case 'false-positive':
      return { id: 'circle-slash', color: 'charts.green' };
    case 'unknown':
      return { id: 'question' };
    default:
      return { id: 'note' };
  }
}

/** The sentence, with `note` already made safe for where it goes (escaped Markdown, or one plain line). */
function sentence(a: Annotation, note: string | undefined, t: Localize): string | undefined {
  if (a.verdict) {
    const word = verdictWord(a.verdict, t);
    const day = annotationDay(a.verdictAt);
    if (note !== undefined) return day ? t("You marked this {0} on {1}: '{2}'", word, day, note) : t("You marked this {0}: '{1}'", word, note);
    return day ? t('You marked this {0} on {1}.', word, day) : t('You marked this {0}.', word);
  }
  if (note === undefined) return undefined;
  const day = annotationDay(a.noteAt);
  return day ? t("Your note ({0}): '{1}'", day, note) : t("Your note: '{0}'", note);
}

/** The hover's line: escaped Markdown (the note through the same escaping as any API text). */
export function annotationMarkdown(a: Annotation | undefined, t: Localize = plainLocalize): string | undefined {
  if (!a) return undefined;
  const text = sentence(a, a.note !== undefined ? escapeMarkdown(a.note, 500) : undefined, t);
  return text ? `$(${verdictIcon(a.verdict).id}) ${text}` : undefined;
}

/** The same sentence as one plain line (tooltips of the tree, the triage table, decorations). */
export function annotationPlain(a: Annotation | undefined, t: Localize = plainLocalize, maxNote = 200): string | undefined {
  if (!a) return undefined;
  return sentence(a, a.note !== undefined ? plain(a.note, maxNote) : undefined, t);
}

/** A few words for a description: "Malicious", "Malicious · noted", "noted". */
export function annotationShort(a: Annotation | undefined, t: Localize = plainLocalize): string | undefined {
  if (!a) return undefined;
  if (a.verdict) return a.note ? t('{0} · noted', verdictLabel(a.verdict, t)) : verdictLabel(a.verdict, t);
  return a.note ? t('noted') : undefined;
}
