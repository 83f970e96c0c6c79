// Helpers for the streamed services (investigation, machine view, triage), whose generators yield each step and
// return the finished result, and for work cut into steps (a generator that yields between slices of it). Pure, but
// for runInTurns, which needs Node's setImmediate (the core's, not the webviews').

/** Runs a generator to its end and returns what it returned; `onStep` sees every yielded step. */
export async function runToEnd<T, R>(it: AsyncGenerator<T, R>, onStep?: (step: T) => void): Promise<R> {
  for (;;) {
    const step = await it.next();
    if (step.done) return step.value;
    onStep?.(step.value);
  }
}

/** Runs a generator of steps to its end at once (where no one waits for the thread) and returns what it returned. */
export function runAll<R>(it: Generator<void, R, undefined>): R {
  for (;;) {
    const step = it.next();
    if (step.done) return step.value;
  }
}

/** Runs a generator of steps with a turn of the event loop after each (an editor's thread stays free). */
export async function runInTurns<R>(it: Generator<void, R, undefined>): Promise<R> {
  for (;;) {
    const step = it.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
