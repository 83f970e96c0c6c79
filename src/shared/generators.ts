// Helpers for the streamed services (investigation, machine view, triage), whose generators yield each step and
// return the finished result. Pure.

/** Runs a generator to its end and returns what it returned; `onStep` sees every yielded step. */
export async function runToEnd<T, R>(it: AsyncGenerator<T, R>, onStep?: (step: T) => void): Promise<R> {
  for (;;) {
    const step = await it.next();
    if (step.done) return step.value;
    onStep?.(step.value);
  }
}
