// A count or label badge in the theme's badge colours (a plain element: the toolkit's badge template
// needs an inline style attribute, which the panel's CSP blocks).
export function badge(text: string, className?: string): HTMLElement {
  const b = document.createElement('span');
  b.className = className ? `badge ${className}` : 'badge';
  b.textContent = text;
  return b;
}
