// `npm run test:integration`: runs test/integration in code-server's real extension host. The repo is linked into a
// throwaway extensions folder beside the test driver; Chromium opens the workbench (which starts the extension host);
// the driver calls run() and posts each result here, where it is printed with the closing `N passed, N failed` line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, openWorkbench } from './browser';
import { buildTests, integrationIndex } from './buildTests';
import { extensionHostLogs, startCodeServer, type RunningCodeServer } from './codeServer';
import { ensureCodeServer } from './installCodeServer';
import { readManifest } from './packageVsix';
import { repoRoot, testResultsDir } from './paths';
import { tail } from './processes';
import { startReportServer } from './reportServer';
import { createRunDir } from './runDir';
import { ResultPrinter, type TestEvent } from './testEvents';

const driverDir = path.join(__dirname, 'driver');

/** Seconds the whole suite may take once the extension host is up (IPINV_TEST_TIMEOUT overrides). */
function suiteTimeoutMs(): number {
  const seconds = Number(process.env.IPINV_TEST_TIMEOUT ?? '300');
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 300) * 1000;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline: ${what} within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Links the repo (the extension under development, built in dist/) and copies the driver into the extensions folder. */
function installExtensions(extensionsDir: string): void {
  const { publisher, name, version } = readManifest();
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  fs.symlinkSync(repoRoot, path.join(extensionsDir, `${publisher}.${name}-${version}`), 'dir');
  fs.cpSync(driverDir, path.join(extensionsDir, 'ipinv-harness.test-driver-0.0.1'), { recursive: true });
}

export async function runIntegration(): Promise<number> {
  const started = performance.now();
  const printer = new ResultPrinter();
  console.log('Integration suite: test/integration in code-server (VS Code 1.100.3), driven through Chromium');
  const install = await ensureCodeServer();
  const built = await buildTests();
  console.log(`suites: ${built.integrationSuites.map((f) => path.relative(repoRoot, f)).join(', ') || '(none)'}`);

  const run = createRunDir('integration');
  let server: RunningCodeServer | undefined;
  let page: Page | undefined;
  let closeReports: (() => Promise<void>) | undefined;
  try {
    if (built.integrationSuites.length === 0) throw new Error('no test/integration/*.test.ts suites found');
    installExtensions(run.extensionsDir);
    const hello = deferred<Extract<TestEvent, { type: 'hello' }>>();
    const end = deferred<Extract<TestEvent, { type: 'end' }>>();
    let helloSeen = false;
    const reports = await startReportServer((event) => {
      if (event.type === 'hello') {
        if (helloSeen) return false; // a second extension host must not run the suite again
        helloSeen = true;
        hello.resolve(event);
      } else if (event.type === 'test') {
        printer.record(event);
      } else {
        end.resolve(event);
      }
      return true;
    });
    closeReports = reports.close;
    server = await startCodeServer({
      install,
      userDataDir: run.userDataDir,
      extensionsDir: run.extensionsDir,
      folder: run.workspaceDir,
      logFile: run.codeServerLog,
      env: {
        IPINV_TEST_REPORT_URL: reports.url,
        IPINV_TEST_SUITE: integrationIndex,
        IPINV_EXPECT_VSCODE_VERSION: '1.100',
        IPINV_EXPECT_UI_KIND: 'web',
        IPINV_EXPECT_APP_HOST: 'server-distro',
        ...(process.env.IPINV_TEST_FILES ? { IPINV_TEST_FILES: process.env.IPINV_TEST_FILES } : {}),
      },
    });
    console.log(`code-server ${install.version} on ${server.url} (run folder ${path.relative(repoRoot, run.root)})`);
    const browser = await launchChromium();
    page = await openWorkbench(browser, server.workbenchUrl);
    const host = await withDeadline(hello.promise, 120_000, 'the test driver to start in the extension host');
    console.log(`extension host: VS Code ${host.vscodeVersion}, pid ${host.pid}`);
    const result = await withDeadline(end.promise, suiteTimeoutMs(), 'the integration suite to finish (IPINV_TEST_TIMEOUT)');
    if (!result.ok && printer.failed === 0) printer.recordHarnessFailure('integration suite', result.error ?? 'run() rejected');
  } catch (error) {
    printer.recordHarnessFailure('integration harness', error);
  } finally {
    if (!printer.ok) await failureOutput(page, run.codeServerLog, run.userDataDir, run.root);
    await page?.context().browser()?.close().catch(() => undefined);
    await server?.stop();
    await closeReports?.();
  }
  if (printer.ok) run.dispose();
  console.log(`integration: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(printer.summary());
  return printer.ok ? 0 : 1;
}

async function failureOutput(page: Page | undefined, codeServerLog: string, userDataDir: string, runRoot: string): Promise<void> {
  if (page !== undefined) {
    const file = path.join(testResultsDir, 'integration', 'failure.png');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file }).then(
      () => console.log(`screenshot: ${path.relative(repoRoot, file)}`),
      () => undefined,
    );
  }
  console.log(`--- code-server log (${codeServerLog}) ---\n${tail(codeServerLog, 20)}`);
  for (const log of extensionHostLogs(userDataDir)) console.log(`--- extension host log (${log}) ---\n${tail(log, 30)}`);
  console.log(`run folder kept: ${runRoot}`);
}
