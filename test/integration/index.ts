// Entry of the integration suite inside a real extension host: run() is the @vscode/test-electron contract, and the
// code-server test driver calls the same function. It loads every *.test.js bundled beside it (one per *.test.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { selectSuites } from '../harness/suiteFilter';
import { forwardMochaEvents, testSinkKey, type TestSink } from '../harness/testEvents';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: 30_000,
    forbidOnly: process.env.CI !== undefined && process.env.CI !== '',
  });
  const suites = selectSuites(
    fs
      .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.test.js'))
      .sort(),
  );
  for (const suite of suites) mocha.addFile(path.join(__dirname, suite));

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else if (runner.stats !== undefined && runner.stats.tests === 0) reject(new Error(`no integration tests ran (suites: ${suites.join(', ') || 'none'})`));
        else resolve();
      });
      // Under the code-server driver, results also go to the harness (under test-electron the spec reporter suffices).
      const sink = (globalThis as Record<string, unknown>)[testSinkKey] as TestSink | undefined;
      if (sink !== undefined) forwardMochaEvents(runner, sink);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error))); // a suite that throws while loading
    }
  });
}
