// A collapsible tree of a parsed JSON value; objects and arrays fold on click. Large
// containers start folded below the first levels so a big document renders quickly.

import { el } from './dom.js';

const OPEN_DEPTH = 2;
const MAX_CHILDREN = 2000;

export function jsonTree(value) {
  const root = el('div', { class: 'json-tree', 'data-testid': 'json-tree' });
  const ul = el('ul');
  ul.append(node(null, value, 0));
  root.append(ul);
  return root;
}

function node(key, value, depth) {
  const li = el('li');
  const keyEl = key === null ? null : el('span', { class: 'jt-key', text: JSON.stringify(key) + ': ' });
  if (value !== null && typeof value === 'object') {
    const isArr = Array.isArray(value);
    const entries = isArr ? value.map((v, i) => [i, v]) : Object.entries(value);
    const toggle = el('span', { class: 'jt-toggle', text: '▾' });
    const summary = el('span', { class: 'jt-sum', text: isArr ? `[${entries.length}]` : `{${entries.length}}` });
    li.append(toggle, keyEl || '', summary);
    const ul = el('ul');
    for (const [k, v] of entries.slice(0, MAX_CHILDREN)) ul.append(node(isArr ? null : k, v, depth + 1));
    if (entries.length > MAX_CHILDREN) ul.append(el('li', { class: 'jt-sum', text: `… ${entries.length - MAX_CHILDREN} more` }));
    li.append(ul);
    const fold = (closed) => {
      li.classList.toggle('collapsed', closed);
      toggle.textContent = closed ? '▸' : '▾';
    };
    fold(depth >= OPEN_DEPTH && entries.length > 0);
    if (entries.length === 0) toggle.textContent = ' ';
    toggle.addEventListener('click', () => fold(!li.classList.contains('collapsed')));
    summary.addEventListener('click', () => fold(!li.classList.contains('collapsed')));
    return li;
  }
  li.append(el('span', { class: 'jt-toggle' }), keyEl || '');
  if (typeof value === 'string') li.append(el('span', { class: 'jt-str', text: JSON.stringify(value) }));
  else if (typeof value === 'number') li.append(el('span', { class: 'jt-num', text: String(value) }));
  else li.append(el('span', { class: 'jt-lit', text: String(value) }));
  return li;
}

/** The parsed value when `text` is a JSON object or array, else undefined. */
export function parseJson(text) {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch (_) {
    return undefined;
  }
}
