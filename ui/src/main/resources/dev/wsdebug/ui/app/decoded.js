// The Decoded tab: what the message's application protocol says (the server decodes each
// connection in order, so stateful protocols and request/response pairs are right): the
// protocol and one-line summary, the value as a tree, the sentence when it did not parse (the
// bytes stay in Text and Hex), and for a response the request it answers, one click away.

import { el } from './dom.js';
import * as fmt from './format.js';
import { jsonTree } from './json-tree.js';
import { jumpTo } from './messages.js';

export function decodedPane(pane, item) {
  const d = item.decoded;
  if (!d) {
    pane.append(el('div', { class: 'muted', text: 'No application protocol was recognised in this message.' }));
    return;
  }
  const rows = el('table', { class: 'kv' },
    el('tr', {}, el('th', { text: 'Protocol' }), el('td', { 'data-testid': 'decoded-protocol', text: d.protocol })));
  if (d.summary) rows.append(el('tr', {}, el('th', { text: 'Summary' }), el('td', { 'data-testid': 'decoded-summary', text: d.summary })));
  if (d.reply) rows.append(el('tr', {}, el('th', { text: 'Answers' }), el('td', {}, reply(d.reply))));
  pane.append(rows);
  if (d.problem) {
    pane.append(el('div', { class: 'note', 'data-testid': 'decoded-problem', text: d.problem + ' The payload is shown as it is in Text and Hex.' }));
  }
  if (d.value !== undefined && d.value !== null) {
    pane.append(el('h3', { text: 'Value' }));
    if (typeof d.value === 'object') pane.append(jsonTree(d.value));
    else pane.append(el('pre', { class: 'pre', 'data-testid': 'decoded-scalar', text: JSON.stringify(d.value) }));
  }
}

function reply(r) {
  const link = el('button', {
    class: 'linkish',
    'data-testid': 'decoded-reply',
    dataset: { seq: r.seq, latencyMs: r.latencyMs },
    title: 'Show the request',
    text: `#${r.seq}${r.name ? ' ' + r.name : ''}`,
    onclick: () => jumpTo(r.seq),
  });
  return [link, el('span', { 'data-testid': 'decoded-latency', text: ` after ${fmt.duration(r.latencyMs)}` })];
}
