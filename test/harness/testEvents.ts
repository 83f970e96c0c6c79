// The results a suite hands back to the harness (from the extension host through the test driver, or from the e2e
// runner's own mocha), and how they are printed: one line per test and the closing `N passed, N failed` line.
import type Mocha from 'mocha';

export type TestEvent =
  | { readonly type: 'hello'; readonly vscodeVersion: string; readonly pid: number }
  | { readonly type: 'test'; readonly state: 'passed' | 'failed' | 'skipped'; readonly title: string; readonly durationMs?: number; readonly error?: string }
  | { readonly type: 'end'; readonly ok: boolean; readonly error?: string };

/** The global the test driver sets in the extension host; test/integration/index.ts reports through it when present. */
export const testSinkKey = '__ipinvTestSink';

export type TestSink = (event: TestEvent) => void;

/** Forwards mocha's per-test results (hook failures included) to a sink. */
export function forwardMochaEvents(runner: Mocha.Runner, sink: TestSink): void {
  runner.on('pass', (test) => sink({ type: 'test', state: 'passed', title: titleOf(test), durationMs: test.duration ?? 0 }));
  runner.on('fail', (test, error: unknown) => sink({ type: 'test', state: 'failed', title: titleOf(test), durationMs: test.duration ?? 0, error: describeError(error) }));
  runner.on('pending', (test) => sink({ type: 'test', state: 'skipped', title: titleOf(test) }));
}

/** `Suite › test`; hooks read `Suite › "before all" hook …`. */
function titleOf(runnable: Mocha.Runnable): string {
  return runnable.titlePath().join(' › ');
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Counts and prints results as they arrive. */
export class ResultPrinter {
  passed = 0;
  failed = 0;
  skipped = 0;

  constructor(private readonly write: (line: string) => void = (line) => console.log(line)) {}

  record(event: TestEvent): void {
    if (event.type !== 'test') return;
    if (event.state === 'passed') {
      this.passed++;
      this.write(`  ✔ ${event.title} (${Math.round(event.durationMs ?? 0)} ms)`);
    } else if (event.state === 'failed') {
      this.failed++;
      this.write(`  ✖ ${event.title}`);
      for (const line of (event.error ?? '').split('\n').slice(0, 12)) this.write(`      ${line}`);
    } else {
      this.skipped++;
      this.write(`  - ${event.title} (skipped: not allowed, see test/README.md)`);
    }
  }

  /** Records a failure that is not a single test's (setup, deadline, crash), so it is counted and the run fails. */
  recordHarnessFailure(title: string, error: unknown): void {
    this.record({ type: 'test', state: 'failed', title, error: describeError(error) });
  }

  /** Green only when at least one test ran and none failed or was skipped. */
  get ok(): boolean {
    return this.passed > 0 && this.failed === 0 && this.skipped === 0;
  }

  /** The closing line the CI reads: `N passed, N failed` (`, N skipped` when any). */
  summary(): string {
    return `${this.passed} passed, ${this.failed} failed${this.skipped > 0 ? `, ${this.skipped} skipped` : ''}`;
  }
}
