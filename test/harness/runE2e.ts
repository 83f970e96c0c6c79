// `npm run test:e2e`: packages the extension, installs the .vsix into a throwaway code-server with
// `--install-extension`, and runs the test/e2e suites (mocha, in this process) against the real workbench in Chromium.
// Screenshots of key screens and of failures go to test-results/e2e/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import type { Browser, Page } from 'playwright-core';
import { e2eContextKey, type E2eContext } from '../e2e/context';
import { launchChromium, openWorkbench } from './browser';
import { buildTests, e2eOutDir } from './buildTests';
import { extensionHostLogs, installVsix, startCodeServer, type RunningCodeServer } from './codeServer';
import { ensureCodeServer } from './installCodeServer';
import { packageVsix, readManifest } from './packageVsix';
import { repoRoot, testResultsDir } from './paths';
import { tail } from './processes';
import { createRunDir } from './runDir';
import { forwardMochaEvents, ResultPrinter } from './testEvents';
import { selectSuites } from './suiteFilter';

const resultsDir = path.join(testResultsDir, 'e2e');

function safeName(title: string): string {
  return title.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 120);
}

/** Screenshots every open page, named after the failed test. */
async function screenshotPages(browser: Browser, title: string): Promise<void> {
  const pages = browser.contexts().flatMap((c) => c.pages());
  for (const [index, page] of pages.entries()) {
    const file = path.join(resultsDir, 'failures', `${safeName(title)}${pages.length > 1 ? `-${index + 1}` : ''}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file }).then(
      () => console.log(`      screenshot: ${path.relative(repoRoot, file)}`),
      () => undefined,
    );
  }
}

function runMocha(files: readonly string[], browser: Browser, printer: ResultPrinter): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: 60_000,
    reporter: Mocha.reporters.Base, // counts only: ResultPrinter prints
    forbidOnly: process.env.CI !== undefined && process.env.CI !== '',
    rootHooks: {
      afterEach(this: Mocha.Context) {
        const test = this.currentTest;
        if (test?.state === 'failed') return screenshotPages(browser, test.fullTitle());
        return Promise.resolve();
      },
    },
  });
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    forwardMochaEvents(runner, (event) => printer.record(event));
  });
}

export async function runE2e(): Promise<number> {
  const started = performance.now();
  const printer = new ResultPrinter();
  console.log('E2E suite: test/e2e against the code-server workbench in Chromium, extension installed from the .vsix');
  const install = await ensureCodeServer();
  const built = await buildTests();
  fs.rmSync(resultsDir, { recursive: true, force: true });
  fs.mkdirSync(resultsDir, { recursive: true });

  const run = createRunDir('e2e');
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  try {
    if (built.e2eSuites.length === 0) throw new Error('no test/e2e/*.test.ts suites found');
    const vsix = await packageVsix();
    await installVsix(install, vsix, { userDataDir: run.userDataDir, extensionsDir: run.extensionsDir, logFile: run.codeServerLog });
    const { publisher, name, version } = readManifest();
    const installed = path.join(run.extensionsDir, `${publisher}.${name}-${version}`);
    if (!fs.existsSync(path.join(installed, 'package.json'))) throw new Error(`--install-extension did not install ${installed}:\n${tail(run.codeServerLog)}`);
    console.log(`installed ${path.relative(repoRoot, vsix)} into the run's extensions folder`);

    server = await startCodeServer({ install, userDataDir: run.userDataDir, extensionsDir: run.extensionsDir, folder: run.workspaceDir, logFile: run.codeServerLog });
    console.log(`code-server ${install.version} on ${server.url} (run folder ${path.relative(repoRoot, run.root)})`);
    const openBrowser = await launchChromium();
    browser = openBrowser;
    const workbenchUrl = server.workbenchUrl;
    const context: E2eContext = {
      browser: openBrowser,
      workbenchUrl,
      workspaceDir: run.workspaceDir,
      extensionsDir: run.extensionsDir,
      resultsDir,
      openWorkbench: (): Promise<Page> => openWorkbench(openBrowser, workbenchUrl),
    };
    (globalThis as Record<string, unknown>)[e2eContextKey] = context;
    const files = selectSuites(
      fs
        .readdirSync(e2eOutDir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.test.js'))
        .sort(),
    ).map((f) => path.join(e2eOutDir, f));
    const deadlineMs = Number(process.env.IPINV_TEST_TIMEOUT ?? '600') * 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      runMocha(files, openBrowser, printer),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`deadline: the e2e suites did not finish within ${deadlineMs / 1000} s (IPINV_TEST_TIMEOUT)`)), deadlineMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (error) {
    printer.recordHarnessFailure('e2e harness', error);
  } finally {
    delete (globalThis as Record<string, unknown>)[e2eContextKey];
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
  if (printer.ok) {
    run.dispose();
  } else {
    console.log(`--- code-server log (${run.codeServerLog}) ---\n${tail(run.codeServerLog, 20)}`);
    for (const log of extensionHostLogs(run.userDataDir)) console.log(`--- extension host log (${log}) ---\n${tail(log, 30)}`);
    console.log(`run folder kept: ${run.root}`);
  }
  console.log(`screenshots: ${path.relative(repoRoot, resultsDir)}/`);
  console.log(`e2e: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(printer.summary());
  return printer.ok ? 0 : 1;
}
