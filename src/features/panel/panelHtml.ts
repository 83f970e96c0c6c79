// The panel's HTML shell and its Content Security Policy (pure, no vscode): no inline script, the bundle
// by nonce, styles from the extension only, nothing remote.
import { randomBytes } from 'node:crypto';

/** A fresh nonce from `crypto` (never Math.random): 128 bits, base64. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * `default-src 'none'`; scripts only with the nonce; styles, images and fonts only from the extension
 * (`cspSource`). The one addition is a style nonce: the toolkit (FAST) probes `:focus-visible` support
 * by inserting one `<style>` element carrying the nonce it finds in `<meta property="csp-nonce">`.
 * This is not 'unsafe-inline': an element without the nonce, and every style attribute, stays blocked.
 * The toolkit's other styles are constructable stylesheets (adoptedStyleSheets), which CSP allows.
 */
export function contentSecurityPolicy(cspSource: string, scriptNonce: string, styleNonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${scriptNonce}'`,
    `style-src ${cspSource} 'nonce-${styleNonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ').concat(';');
}

const escapeAttr = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PanelHtmlOptions {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** More stylesheets after `styleUri` (the machine view adds its own to the panel's). */
  styleUris?: readonly string[];
  scriptNonce: string;
  styleNonce: string;
  title: string;
  /** Shown when scripts are off; default: the investigation panel's. */
  noscript?: string;
}

export function panelHtml(o: PanelHtmlOptions): string {
  const csp = contentSecurityPolicy(o.cspSource, o.scriptNonce, o.styleNonce);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">`,
    `<meta property="csp-nonce" content="${escapeAttr(o.styleNonce)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    `<title>${escapeAttr(o.title)}</title>`,
    `<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">`,
    ...(o.styleUris ?? []).map((uri) => `<link rel="stylesheet" href="${escapeAttr(uri)}">`),
    `<script nonce="${escapeAttr(o.scriptNonce)}" src="${escapeAttr(o.scriptUri)}" defer></script>`,
    '</head>',
    '<body>',
    '<div id="app" role="document"></div>',
    `<noscript>${escapeAttr(o.noscript ?? 'The investigation panel needs scripts, which VS Code enables for it.')}</noscript>`,
    '</body>',
    '</html>',
  ].join('\n');
}
