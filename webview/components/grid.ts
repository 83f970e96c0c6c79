// A data grid of text cells (ARIA grid roles, sortable headers, keyboard activation, selection), styled
// like the toolkit's grid with the theme variables. Our own because the toolkit's grid is too slow for
// hundreds of rows (see toolkit.ts). Cells are text only; long tables show their first rows and a
// "Show all" button.
export interface GridColumn {
  title: string;
  /** CSS track size for the grid's columns, e.g. `120px` or `minmax(120px, 2fr)`. */
  width: string;
  onHeaderClick?: () => void;
  sort?: 'ascending' | 'descending';
}

export interface GridCell {
  text: string;
  title?: string;
  className?: string;
  /** Extra content after the text (e.g. a badge), built with textContent only. */
  extra?: HTMLElement;
  onClick?: (e: Event) => void;
}

export interface GridRow {
  cells: GridCell[];
  key: string;
  selected?: boolean;
  onClick?: () => void;
}

export interface Grid {
  element: HTMLElement;
  render(columns: readonly GridColumn[], rows: readonly GridRow[]): void;
}

const TRACK = /^[a-z0-9().,%\s-]+$/i;

export function dataGrid(label: string, options: { maxRows?: number } = {}): Grid {
  const grid = document.createElement('div');
  grid.className = 'grid';
  grid.setAttribute('role', 'grid');
  grid.setAttribute('aria-label', label);
  const maxRows = options.maxRows ?? 200;
  let showAll = false;
  let last: { columns: readonly GridColumn[]; rows: readonly GridRow[] } | undefined;

  const render = (columns: readonly GridColumn[], rows: readonly GridRow[]) => {
    last = { columns, rows };
    // Column sizes through the CSSOM (allowed by the CSP, unlike a style attribute).
    grid.style.setProperty('--grid-columns', columns.map((c) => (TRACK.test(c.width) ? c.width : '1fr')).join(' '));
    grid.setAttribute('aria-rowcount', String(rows.length + 1));
    const frag = document.createDocumentFragment();
    const head = document.createElement('div');
    head.className = 'grid-row grid-head';
    head.setAttribute('role', 'row');
    for (const c of columns) {
      const cell = document.createElement('div');
      cell.className = 'grid-cell';
      cell.setAttribute('role', 'columnheader');
      cell.textContent = c.sort === 'ascending' ? `${c.title} ▲` : c.sort === 'descending' ? `${c.title} ▼` : c.title;
      if (c.sort) cell.setAttribute('aria-sort', c.sort);
      if (c.onHeaderClick) {
        const click = c.onHeaderClick;
        cell.classList.add('sortable');
        cell.tabIndex = 0;
        cell.addEventListener('click', () => click());
        cell.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            click();
          }
        });
      }
      head.appendChild(cell);
    }
    frag.appendChild(head);
    const shown = showAll ? rows : rows.slice(0, maxRows);
    for (const r of shown) {
      const row = document.createElement('div');
      row.className = r.selected ? 'grid-row selected' : 'grid-row';
      row.setAttribute('role', 'row');
      row.dataset.key = r.key;
      if (r.selected) row.setAttribute('aria-selected', 'true');
      if (r.onClick) {
        const click = r.onClick;
        row.classList.add('clickable');
        row.tabIndex = 0;
        row.addEventListener('click', () => click());
        row.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' && e.target === row) click();
        });
      }
      for (const c of r.cells) {
        const cell = document.createElement('div');
        cell.className = c.className ? `grid-cell ${c.className}` : 'grid-cell';
        cell.setAttribute('role', 'gridcell');
        cell.textContent = c.text;
        if (c.title) cell.setAttribute('title', c.title.length > 1000 ? `${c.title.slice(0, 999)}…` : c.title);
        if (c.extra) cell.appendChild(c.extra);
        if (c.onClick) {
          const click = c.onClick;
          cell.classList.add('link');
          cell.tabIndex = 0;
          cell.addEventListener('click', (e) => click(e));
          cell.addEventListener('keydown', (e) => {
            if (e.key === 'Enter') {
              e.stopPropagation();
              click(e);
            }
          });
        }
        row.appendChild(cell);
      }
      frag.appendChild(row);
    }
    if (shown.length < rows.length) {
      const more = document.createElement('button');
      more.className = 'grid-more';
      more.type = 'button';
      more.textContent = `Show all ${rows.length} rows`;
      more.addEventListener('click', () => {
        showAll = true;
        if (last) render(last.columns, last.rows);
      });
      frag.appendChild(more);
    }
    grid.replaceChildren(frag);
  };
  return { element: grid, render };
}
