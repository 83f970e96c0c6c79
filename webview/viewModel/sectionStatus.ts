// Pure state of a panel section made of several sources (e.g. the timeline = events + machines + details):
// loading while any source loads, partial when some failed and some arrived, error when all failed.
import type { PanelProblem } from '../../src/shared/protocol';

/** A failure as a section shows it: the investigation panel's problems, and the machine view's (other sources). */
export type SectionProblem = Omit<PanelProblem, 'source'> & { source: string };
type Problem = SectionProblem;

export type SourceState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready'; empty: boolean }
  | { state: 'failed'; problem: Problem }
  | { state: 'skipped'; reason: string };

export type SectionView =
  | { status: 'loading'; problems: Problem[] }
  | { status: 'ready' }
  | { status: 'empty' }
  | { status: 'partial'; problems: Problem[] }
  | { status: 'error'; problems: Problem[] }
  | { status: 'skipped'; reason: string };

/**
 * The view of a section: `primary` is the source whose data the section shows; the others add to it
 * (a failed secondary source makes the section partial, not failed).
 */
export function sectionView(primary: SourceState, secondary: readonly SourceState[] = []): SectionView {
  const all = [primary, ...secondary];
  const problems = all.flatMap((s) => (s.state === 'failed' ? [s.problem] : []));
  if (primary.state === 'skipped') return { status: 'skipped', reason: primary.reason };
  if (primary.state === 'failed') return { status: 'error', problems };
  if (primary.state === 'loading' || primary.state === 'idle') return { status: 'loading', problems };
  if (problems.length > 0) return { status: 'partial', problems };
  return primary.empty ? { status: 'empty' } : { status: 'ready' };
}

/** True while some source of the section is still loading (a spinner next to painted data). */
export function stillLoading(sources: readonly SourceState[]): boolean {
  return sources.some((s) => s.state === 'loading');
}
