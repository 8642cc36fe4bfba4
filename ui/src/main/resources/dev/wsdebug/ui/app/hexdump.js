// Hex dump: offset, 16 bytes in hex, the same bytes as ASCII. Built as one text block per
// kind of column (three <span>s per row would be 12,000 nodes for 64 KiB).

import { el } from './dom.js';
import { hex2 } from './format.js';

export const HEX_CAP = 64 * 1024;

export function hexdump(bytes, cap = HEX_CAP) {
  const n = Math.min(bytes.length, cap);
  const lines = [];
  const width = Math.max(8, n.toString(16).length);
  for (let off = 0; off < n; off += 16) {
    let hex = '';
    let ascii = '';
    for (let j = 0; j < 16; j++) {
      if (off + j < n) {
        const b = bytes[off + j];
        hex += hex2(b) + (j === 7 ? '  ' : ' ');
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else {
        hex += j === 7 ? '    ' : '   ';
      }
    }
    lines.push(off.toString(16).padStart(width, '0') + '  ' + hex + ' ' + ascii);
  }
  const box = el('div');
  box.append(el('pre', { class: 'pre hexdump', 'data-testid': 'hexdump', text: lines.join('\n') }));
  if (bytes.length > cap) {
    box.append(el('div', { class: 'note', text: `Showing the first ${cap.toLocaleString('en-US')} of ${bytes.length.toLocaleString('en-US')} bytes; copy as hex or base64 for all of them.` }));
  }
  if (bytes.length === 0) box.append(el('div', { class: 'muted', text: 'No payload bytes.' }));
  return box;
}
