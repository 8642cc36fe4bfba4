// How numbers, times and sizes read everywhere in the app (one place, so columns agree).

export function bytes(n) {
  if (n === null || n === undefined) return '';
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(n < 10240 ? 1 : 0) + ' KiB';
  if (n < 1024 * 1024 * 1024) return (n / 1048576).toFixed(1) + ' MiB';
  return (n / 1073741824).toFixed(2) + ' GiB';
}

export function count(n) {
  if (n === null || n === undefined) return '';
  return n.toLocaleString('en-US');
}

/** 1234567 as 1.2M: badges where space is short (the full number goes in the title). */
export function compact(n) {
  if (n < 10000) return String(n);
  if (n < 1e6) return Math.round(n / 1000) + 'k';
  if (n < 1e9) return (n / 1e6).toFixed(n < 1e7 ? 1 : 0) + 'M';
  return (n / 1e9).toFixed(1) + 'G';
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Epoch seconds (with microseconds) as local HH:MM:SS.uuuuuu. */
export function clock(t) {
  if (t === null || t === undefined) return '';
  const ms = Math.floor(t * 1000);
  const d = new Date(ms);
  const micros = Math.round((t - Math.floor(t)) * 1e6) % 1e6;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
}

/** Epoch seconds as local date and time (grid start column). */
export function dateTime(t) {
  if (t === null || t === undefined) return '';
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(t).slice(0, 12)}`;
}

/** A time offset in seconds as +S.mmmuuu. */
export function offset(dt) {
  if (dt === null || dt === undefined || Number.isNaN(dt)) return '';
  const sign = dt < 0 ? '-' : '+';
  return sign + Math.abs(dt).toFixed(6) + ' s';
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1) return ms.toFixed(3) + ' ms';
  if (ms < 1000) return ms.toFixed(1) + ' ms';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(2) + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function hex2(b) {
  return (b < 16 ? '0' : '') + b.toString(16);
}

export function base64ToBytes(b64) {
  if (!b64) return new Uint8Array(0);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes) {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(s);
}

export function bytesToHex(bytes, sep = ' ') {
  const parts = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = hex2(bytes[i]);
  return parts.join(sep);
}

/** Parses hex with any whitespace, colons or 0x prefixes; null when it isn't hex. */
export function hexToBytes(text) {
  const clean = text.replace(/0x/gi, '').replace(/[\s:,]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}
