// A list that renders only the rows in view (fixed row height), recycling a small pool of row elements:
// 10,000 events cost as much DOM as 30.
import { h } from '../dom';
import { computeWindow, sameWindow, type RowWindow } from '../viewModel/virtualWindow';

export interface VirtualListOptions {
  rowHeight: number;
  createRow(): HTMLElement;
  renderRow(row: HTMLElement, index: number): void;
  onScroll?(scrollTop: number): void;
  label: string;
}

/** The viewport's CSS height, `min(480px, 60vh)`, used until a ResizeObserver reports the real one. */
const cssViewportHeight = (): number => Math.min(480, Math.round(window.innerHeight * 0.6)) || 480;

export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private count = 0;
  private last: RowWindow | undefined;
  private frame = 0;
  /** Known without forcing a layout: reading clientHeight after DOM changes would lay out the page. */
  private viewportHeight = cssViewportHeight();
  /** Likewise the scroll position, kept from scroll events (reading scrollTop forces a layout). */
  private scrollPos = 0;

  constructor(private readonly options: VirtualListOptions) {
    this.rows = h('div', { class: 'vl-rows', role: 'rowgroup' });
    this.spacer = h('div', { class: 'vl-spacer' }, this.rows);
    this.element = h('div', { class: 'vl-viewport', role: 'table', attrs: { 'aria-label': options.label, tabindex: '0' } }, this.spacer);
    this.element.addEventListener('scroll', () => {
      this.scrollPos = this.element.scrollTop;
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.update();
        this.options.onScroll?.(this.scrollPos);
      });
    });
    new ResizeObserver((entries) => {
      const height = entries[entries.length - 1]?.contentRect.height ?? 0;
      if (height > 0 && height !== this.viewportHeight) {
        this.viewportHeight = height;
        this.refresh();
      }
    }).observe(this.element);
  }

  get scrollTop(): number {
    return this.scrollPos;
  }

  set scrollTop(v: number) {
    if (v === this.scrollPos) return;
    this.scrollPos = Math.max(0, v);
    this.update();
    // After the spacer has its height, so the browser can honour the position.
    this.element.scrollTop = this.scrollPos;
  }

  setCount(n: number): void {
    this.count = n;
    this.refresh();
  }

  /** Re-renders the rows in view (data or selection changed). */
  refresh(): void {
    this.last = undefined;
    this.update();
  }

  update(): void {
    const w = computeWindow({ scrollTop: this.scrollPos, viewportHeight: this.viewportHeight, rowHeight: this.options.rowHeight, total: this.count, overscan: 6 });
    if (this.last && sameWindow(this.last, w)) return;
    this.last = w;
    // Sizes and offsets through the CSSOM: allowed by the CSP, unlike style attributes.
    this.spacer.style.height = `${w.totalHeight}px`;
    this.rows.style.transform = `translateY(${w.offset}px)`;
    const needed = w.end - w.first;
    while (this.pool.length < needed) this.pool.push(this.options.createRow());
    for (let k = 0; k < needed; k++) {
      const row = this.pool[k];
      this.options.renderRow(row, w.first + k);
      if (row.parentNode !== this.rows || this.rows.children[k] !== row) this.rows.appendChild(row);
    }
    while (this.rows.children.length > needed) this.rows.lastChild?.remove();
  }

  /** Number of row elements currently in the DOM (for tests and the benchmark). */
  renderedRows(): number {
    return this.rows.children.length;
  }
}
