// Development aid: IPINV_TEST_FILES=tree,hover runs only the suites whose file name contains one of the parts.
// Unset (as in CI and `npm test`) every suite runs; a filter that matches nothing is an error, not a green run.

export function selectSuites(files: readonly string[], filter: string | undefined = process.env.IPINV_TEST_FILES): string[] {
  const parts = (filter ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return [...files];
  const chosen = files.filter((f) => parts.some((p) => f.includes(p)));
  if (chosen.length === 0) throw new Error(`IPINV_TEST_FILES=${filter ?? ''} matches none of: ${files.join(', ')}`);
  return chosen;
}
