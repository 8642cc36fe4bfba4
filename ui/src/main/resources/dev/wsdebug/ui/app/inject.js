// The Inject tab (live proxied connections only): send a frame to the client or the server
// through the proxy, or resend a captured item.

import { el, clear } from './dom.js';
import { postJson, enc } from './api.js';
import { state } from './state.js';
import { guard, toast } from './status.js';

export function renderInject(pane, row, resendItem) {
  clear(pane);
  if (!row || !row.injectable) {
    pane.append(el('div', { class: 'empty', text: 'Injection works on open connections of a live proxy.' }));
    return;
  }
  const to = el('select', { 'data-testid': 'inject-to' }, el('option', { value: 'server', text: 'server (as if from the client)' }), el('option', { value: 'client', text: 'client (as if from the server)' }));
  // A close cannot be injected (the proxy would have to end the connection on both sides).
  const type = el('select', { 'data-testid': 'inject-type' }, ['text', 'json', 'binary', 'ping', 'pong'].map((t) => el('option', { value: t, text: t })));
  const encoding = el('select', { 'data-testid': 'inject-encoding' }, ['text', 'hex', 'base64'].map((t) => el('option', { value: t, text: t })));
  const data = el('textarea', { 'data-testid': 'inject-data', spellcheck: false, placeholder: 'payload' });
  const send = el('button', { class: 'primary', 'data-testid': 'inject-send', text: 'Send' });
  const form = el('div', { class: 'form-grid' },
    el('label', { text: 'To' }), to,
    el('label', { text: 'Type' }), type,
    el('label', { text: 'Encoding' }), encoding,
    el('label', { text: 'Data' }), data,
    el('span'), el('div', {}, send));
  if (resendItem) {
    to.value = resendItem.dir === 'c2s' ? 'server' : 'client';
    type.value = resendItem.type === 'binary' ? 'binary' : 'text';
    form.prepend(el('div', { class: 'row-span note', text: `Resending item ${resendItem.seq} (${resendItem.type}, ${resendItem.dir}) as captured; or edit the fields to send something else.` }));
    data.value = resendItem.text ?? resendItem.base64 ?? '';
    encoding.value = resendItem.text !== null && resendItem.text !== undefined ? 'text' : 'base64';
  }
  const err = el('div', { class: 'error-line', 'data-testid': 'inject-error' });
  form.append(el('span'), err);
  send.addEventListener('click', () => {
    err.textContent = '';
    if (type.value === 'json') {
      try {
        JSON.parse(data.value);
      } catch (e) {
        err.textContent = 'Not JSON: ' + e.message;
        return;
      }
    }
    const body = { to: to.value, type: type.value, data: data.value, encoding: encoding.value };
    if (resendItem && data.value === (resendItem.text ?? resendItem.base64 ?? '')) body.resend = resendItem.seq;
    guard(postJson(`/api/captures/${enc(state.cid)}/connections/${enc(state.conn)}/inject`, body)
      .then(() => toast(`Injected a ${body.type} frame to the ${body.to}.`, 'info')));
  });
  pane.append(form);
}
