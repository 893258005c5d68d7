/**
 * Building the page from data without ever parsing it as HTML: text always goes in as text nodes, so a publisher's
 * URL, a response snippet or an id can never become markup (there is no innerHTML in the console).
 */

export type Child = Node | string | number | null | undefined | false;
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** An element with attributes (false/null/undefined leave one out, true sets it empty) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what `parent` shows. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Adds an event listener and returns the element, so it can be used inline in h(...). */
export function on<E extends HTMLElement, K extends keyof HTMLElementEventMap>(element: E, type: K, listener: (event: HTMLElementEventMap[K]) => void): E {
  element.addEventListener(type, listener);
  return element;
}

let hints = 0;

/** A label with its input, select or textarea; a hint is outside the label (not part of the control's name) and describes it. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  let hintElement: HTMLElement | null = null;
  if (hint) {
    hints += 1;
    hintElement = h('small', { class: 'hint', id: `hint-${hints}` }, hint);
    control.setAttribute('aria-describedby', hintElement.id);
  }
  return h('div', { class: 'field' }, h('label', {}, h('span', { class: 'field-label' }, label), control), hintElement);
}

/** A definition list of term → value pairs (null pairs are left out). */
export function facts(pairs: ([string, Child] | null)[]): HTMLDListElement {
  const list = h('dl', { class: 'facts' });
  for (const pair of pairs) if (pair) append(list, h('div', {}, h('dt', {}, pair[0]), h('dd', {}, pair[1] ?? '—')));
  return list;
}

/** The value of a named control of a form, trimmed. */
export function formValue(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement || control instanceof HTMLTextAreaElement) {
    return control.value.trim();
  }
  return '';
}

export function formChecked(form: HTMLFormElement, name: string): boolean {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement && control.checked;
}
