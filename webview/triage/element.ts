// DOM building for the triage table: an element from a tag, a class and children; strings always become text nodes.
// There is deliberately no way to set HTML, event-handler attributes, styles or URLs here.
type Child = Node | string | number | undefined | null | false;

const FORBIDDEN_ATTR = /^(on|style$|href$|src$|srcdoc$|xlink:href$|formaction$|action$)/i;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; id?: string; attrs?: Record<string, string> } = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.id) e.id = props.id;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (FORBIDDEN_ATTR.test(k)) throw new Error(`Attribute ${k} is not allowed`);
    e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

/** Sets an element's text only when it changed (cheap re-renders of recycled rows). */
export function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}
