// DOM building without HTML strings: every text goes through text nodes, so DICOM values (patient names, study
// descriptions) render literally and nothing the server sends can become markup or script.

/** h('div', { class: 'x', onclick: fn, hidden: true }, child, 'text', [more]) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** True when a keyboard shortcut should be left to the focused control. */
export function typingIn(target) {
  if (!(target instanceof Element)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

/** Text of unknown direction (patient names, descriptions, AE titles, "42%") isolated from the sentence around it,
 * so Arabic UI text and Latin values (or the reverse) do not reorder each other. */
export const bdi = (text) => h('bdi', null, text);
