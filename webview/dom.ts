// DOM building for the panel: elements from a tag, a class and children; strings always become text
// nodes. There is deliberately no way to set HTML, event-handler attributes, styles or URLs here.
type Child = Node | string | number | undefined | null | false;

export interface Props {
  class?: string;
  id?: string;
  title?: string;
  role?: string;
  /** Other attributes; names starting with `on`, and `style`, `href`, `src`, `srcdoc` are refused. */
  attrs?: Record<string, string>;
  data?: Record<string, string>;
}

const FORBIDDEN_ATTR = /^(on|style$|href$|src$|srcdoc$|xlink:href$|formaction$|action$)/i;

function applyProps(el: Element, props: Props | undefined): void {
  if (!props) return;
  if (props.class) el.setAttribute('class', props.class);
  if (props.id) el.id = props.id;
  if (props.title) el.setAttribute('title', props.title.length > 1000 ? `${props.title.slice(0, 999)}…` : props.title);
  if (props.role) el.setAttribute('role', props.role);
  if (props.attrs) {
    for (const [k, v] of Object.entries(props.attrs)) {
      if (FORBIDDEN_ATTR.test(k)) throw new Error(`Attribute ${k} is not allowed`);
      el.setAttribute(k, v);
    }
  }
  if (props.data && el instanceof HTMLElement) for (const [k, v] of Object.entries(props.data)) el.dataset[k] = v;
}

function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (FORBIDDEN_ATTR.test(k)) throw new Error(`Attribute ${k} is not allowed`);
    el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Replaces an element's content with the given children (text stays text). */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A label/value list (`<dl>`); empty values are left out. */
export function facts(rows: readonly { label: string; value: string | undefined; title?: string }[], className = 'facts'): HTMLDListElement {
  const dl = h('dl', { class: className });
  for (const r of rows) {
    if (r.value === undefined || r.value === '') continue;
    dl.append(h('dt', undefined, r.label), h('dd', { title: r.title ?? r.value }, r.value));
  }
  return dl;
}
