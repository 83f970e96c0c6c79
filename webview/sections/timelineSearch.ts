// The timeline's search as you type, shared by the IP timeline and the machine timeline: the events of the current
// data version, their search keys built just after the first paint (or at the first search, if sooner), the rows that
// match the query (typing more only narrows the previous matches), and one filter per animation frame.
import type { TimelineEvent } from '../../src/shared/investigation';
import { allRows, buildTimelineIndex, filterTimeline, searchTerms, type FilterResult, type TimelineIndex } from '../viewModel/timeline';

export class TimelineSearch {
  events: readonly TimelineEvent[] = [];
  private all: Uint32Array = new Uint32Array(0);
  private index: TimelineIndex | undefined;
  private indexTimer: ReturnType<typeof setTimeout> | undefined;
  private version = -1;
  private filtered: FilterResult | undefined;
  private pending = 0;

  /** True once events arrived (a version was set). */
  get ready(): boolean {
    return this.version >= 0;
  }

  /** The rows of the last filter (indexes into `events`). */
  get rows(): Uint32Array | undefined {
    return this.filtered?.rows;
  }

  /** New data when `version` differs from the last one: the search starts over. */
  setEvents(events: readonly TimelineEvent[], version: number): void {
    if (version === this.version) return;
    this.version = version;
    this.events = events;
    this.all = allRows(events.length);
    this.index = undefined;
    this.filtered = undefined;
    clearTimeout(this.indexTimer);
    if (events.length > 0) this.indexTimer = setTimeout(() => this.ensureIndex(), 50);
  }

  private ensureIndex(): TimelineIndex {
    clearTimeout(this.indexTimer);
    this.index ??= buildTimelineIndex(this.events, this.all);
    return this.index;
  }

  /** The rows matching `query`; `changed` when the query differs from the previous filter's (the list goes to the top). */
  filter(query: string): { rows: Uint32Array; changed: boolean } {
    const previous = this.filtered;
    this.filtered = searchTerms(query).length === 0 ? { query, rows: this.all } : filterTimeline(this.ensureIndex(), query, previous);
    return { rows: this.filtered.rows, changed: previous !== undefined && previous.query !== query };
  }

  /** Runs `apply` at the next animation frame, once however fast the typing. */
  schedule(apply: () => void): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      apply();
    });
  }
}
