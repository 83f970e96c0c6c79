// The ONE place that uses @vscode/webview-ui-toolkit (no longer developed upstream): the rest of the
// webview asks this module for elements, so a switch to @vscode/elements changes this folder only.
// Every label and value is set with textContent or a property, never parsed as HTML.
//
// Not used from the toolkit, measured and on purpose (see grid.ts and badge.ts): its data grid costs
// about 1.4 ms per row to build and as much to lay out (200 rows: ~400 ms, over the panel's 300 ms
// budget), and its badge template carries an inline style attribute that our CSP (no 'unsafe-inline')
// blocks. Both are small elements of our own in this folder, styled with the same theme variables.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Defines the custom elements once (they then style themselves with the --vscode-* theme variables). */
export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodePanels(),
    vsCodePanelTab(),
    vsCodePanelView(),
    vsCodeProgressRing(),
    vsCodeTextField(),
  );
}

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary';
  title?: string;
  id?: string;
  onClick: () => void;
}

export function button(label: string, options: ButtonOptions): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.setAttribute('appearance', options.appearance ?? 'secondary');
  if (options.title) b.setAttribute('title', options.title);
  if (options.id) b.id = options.id;
  b.addEventListener('click', () => options.onClick());
  return b;
}

export interface TextFieldHandle {
  element: HTMLElement;
  get value(): string;
  set value(v: string);
  /** Shows a validation message under the field (as text), or clears it. */
  setInvalid(invalid: boolean): void;
}

export function textField(options: { placeholder: string; value: string; label: string; id?: string; onInput: (value: string) => void; onEnter?: () => void }): TextFieldHandle {
  const f = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  f.setAttribute('placeholder', options.placeholder);
  f.setAttribute('aria-label', options.label);
  if (options.id) f.id = options.id;
  f.value = options.value;
  f.addEventListener('input', () => options.onInput(f.value));
  if (options.onEnter) {
    const onEnter = options.onEnter;
    f.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') onEnter();
    });
  }
  return {
    element: f,
    get value() {
      return f.value;
    },
    set value(v: string) {
      f.value = v;
    },
    setInvalid(invalid: boolean) {
      if (invalid) f.setAttribute('aria-invalid', 'true');
      else f.removeAttribute('aria-invalid');
      f.classList.toggle('invalid', invalid);
    },
  };
}

export function dropdown<T extends string>(options: {
  choices: readonly { value: T; label: string }[];
  selected: T;
  label: string;
  id?: string;
  onChange: (value: T) => void;
}): { element: HTMLElement; set(value: T): void } {
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  d.setAttribute('aria-label', options.label);
  if (options.id) d.id = options.id;
  for (const c of options.choices) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', c.value);
    o.textContent = c.label;
    if (c.value === options.selected) o.setAttribute('selected', '');
    d.appendChild(o);
  }
  const valid = new Set<string>(options.choices.map((c) => c.value));
  d.addEventListener('change', () => {
    if (valid.has(d.value)) options.onChange(d.value as T);
  });
  return {
    element: d,
    set(value: T) {
      d.value = value;
    },
  };
}

export function progressRing(label: string): HTMLElement {
  const r = document.createElement('vscode-progress-ring');
  r.setAttribute('aria-label', label);
  return r;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

export interface TabSpec {
  id: string;
  label: string;
  content: HTMLElement;
}

/** Tabs over their views; `onChange` gets the id of the tab shown. */
export function tabs(specs: readonly TabSpec[], active: string, onChange: (id: string) => void): { element: HTMLElement; setLabel(id: string, label: string): void } {
  const panels = document.createElement('vscode-panels') as HTMLElement & { activeid: string };
  const tabEls = new Map<string, HTMLElement>();
  for (const s of specs) {
    const tab = document.createElement('vscode-panel-tab');
    tab.id = `tab-${s.id}`;
    tab.textContent = s.label;
    tabEls.set(s.id, tab);
    panels.appendChild(tab);
  }
  for (const s of specs) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${s.id}`;
    view.appendChild(s.content);
    panels.appendChild(view);
  }
  panels.setAttribute('activeid', `tab-${active}`);
  panels.addEventListener('change', () => {
    const id = (panels.activeid ?? '').replace(/^tab-/, '');
    if (tabEls.has(id)) onChange(id);
  });
  return {
    element: panels,
    setLabel(id, label) {
      const t = tabEls.get(id);
      if (t) t.textContent = label;
    },
  };
}
