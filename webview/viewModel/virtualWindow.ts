// Pure virtual-scroll maths for a list of fixed-height rows: which rows to render for a scroll position.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  /** Extra rows rendered above and below the viewport, so fast scrolling shows no gaps. */
  overscan?: number;
}

export interface RowWindow {
  /** First row to render (inclusive). */
  first: number;
  /** Row after the last one to render (exclusive). */
  end: number;
  /** Top of the first rendered row, in pixels from the list's top. */
  offset: number;
  /** Height of the whole list, in pixels. */
  totalHeight: number;
}

export function maxScrollTop(total: number, rowHeight: number, viewportHeight: number): number {
  return Math.max(0, total * rowHeight - viewportHeight);
}

export function computeWindow(input: WindowInput): RowWindow {
  const { rowHeight, total } = input;
  if (!(rowHeight > 0)) throw new RangeError('rowHeight must be positive');
  const overscan = Math.max(0, Math.floor(input.overscan ?? 6));
  const viewport = Math.max(0, input.viewportHeight);
  const totalHeight = Math.max(0, total) * rowHeight;
  if (total <= 0) return { first: 0, end: 0, offset: 0, totalHeight: 0 };
  const scrollTop = Math.min(Math.max(0, Number.isFinite(input.scrollTop) ? input.scrollTop : 0), maxScrollTop(total, rowHeight, viewport));
  const firstVisible = Math.floor(scrollTop / rowHeight);
  const lastVisible = Math.ceil((scrollTop + viewport) / rowHeight);
  const first = Math.max(0, firstVisible - overscan);
  const end = Math.min(total, Math.max(lastVisible, firstVisible + 1) + overscan);
  return { first, end, offset: first * rowHeight, totalHeight };
}

/** The scroll position that brings row `index` into view, moving as little as possible. */
export function scrollToReveal(index: number, rowHeight: number, viewportHeight: number, scrollTop: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/** True when the rendered window must change for the new input (saves DOM work on small scrolls). */
export function sameWindow(a: RowWindow, b: RowWindow): boolean {
  return a.first === b.first && a.end === b.end && a.totalHeight === b.totalHeight;
}
