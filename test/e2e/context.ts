// What the e2e suites get from the harness (test/harness/runE2e.ts): the browser, the workbench of a code-server with
// the packaged .vsix installed, and the folders. Suites read it with e2eContext().
import type { Browser, Page } from 'playwright-core';

export interface E2eContext {
  readonly browser: Browser;
  /** The workbench URL with the workspace (a copy of samples/) open. */
  readonly workbenchUrl: string;
  readonly workspaceDir: string;
  /** code-server's extensions folder, where the .vsix was installed. */
  readonly extensionsDir: string;
  /** test-results/e2e/: screenshots of key screens go here. */
  readonly resultsDir: string;
  /** Opens the workbench in a fresh browser context and waits until it has rendered. */
  openWorkbench(): Promise<Page>;
}

/** Where the harness puts the context (bundled suites each have their own copy of this module, so a global). */
export const e2eContextKey = '__ipinvE2eContext';

export function e2eContext(): E2eContext {
  const context = (globalThis as Record<string, unknown>)[e2eContextKey] as E2eContext | undefined;
  if (context === undefined) throw new Error('no e2e context: run the e2e suites with `npm run test:e2e`');
  return context;
}
