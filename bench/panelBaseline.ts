// bench:panel's baseline page: bench/panelBaselinePage.ts bundled for the browser, plus the little CSS its
// plain table needs. Served by serveStaticPanel with the panel's own CSP, theme and media/panel.css.
import * as path from 'node:path';
import type * as Esbuild from 'esbuild';
import type { PageBundle } from './panel';

/** Laid out like the panel's timeline: the same viewport height, row height, fixed columns and ellipsis. */
const BASELINE_CSS = `
.baseline-scroll { height: min(480px, 60vh); overflow: auto; border-bottom: 1px solid var(--ipinv-border); }
.baseline-table { width: 100%; border-collapse: collapse; table-layout: fixed; }
.baseline-table th, .baseline-table td {
  height: var(--ipinv-row-height); line-height: var(--ipinv-row-height); padding: 0 4px; text-align: left;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; unicode-bidi: isolate;
}
.baseline-table th { font-weight: 600; color: var(--vscode-descriptionForeground); border-bottom: 1px solid var(--ipinv-border); }
.baseline-table th:nth-child(1) { width: 170px; }
.baseline-table th:nth-child(3) { width: 56px; }
.baseline-table th:nth-child(5) { width: 72px; }
#timeline-filter { width: 320px; margin: 8px 0; }
`;

/** Bundles the baseline page (esbuild, as the panel's webview is bundled: browser, iife, es2022). */
export async function baselineBundle(root: string): Promise<PageBundle> {
  // Loaded by a computed name: the e2e suites bundle bench/panel.ts, and esbuild must not bundle itself there.
  const esbuildModule = 'esbuild';
  const esbuild = (await import(esbuildModule)) as typeof Esbuild;
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'panelBaselinePage.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  return { script: result.outputFiles[0].text, css: BASELINE_CSS };
}
