// The Timeline tab: messages/s and bytes/s each way (counted by the server in buckets), ping
// round trips, idle gaps and the close, drawn with uPlot. A click jumps the messages pane to
// the nearest marker's seq, or to the first row at or after the start of the clicked bucket.

import uPlot from '/vendor/uplot/uPlot.esm.js';
import { el, clear } from './dom.js';
import * as fmt from './format.js';
import { getJson, query, enc } from './api.js';

let charts = [];

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function disposeTimeline() {
  for (const c of charts) c.destroy();
  charts = [];
}

/**
 * Fetches and draws; `jump({seq})` selects an item in the messages pane, `jump({t})` the first
 * row at or after a time (epoch seconds).
 */
export async function renderTimeline(host, legend, cid, conn, jump) {
  // Leave room for the pane's vertical scrollbar, so the charts never scroll sideways.
  const width = Math.max(300, host.clientWidth - 28);
  const buckets = Math.max(10, Math.min(2000, Math.floor(width / 3)));
  const tl = await getJson(`/api/captures/${enc(cid)}/connections/${enc(conn)}/timeline` + query({ buckets }));
  disposeTimeline();
  clear(host);
  clear(legend);
  const n = tl.c2s.messages.length;
  const step = tl.bucketMs / 1000;
  const xs = Array.from({ length: n }, (_, i) => tl.start + i * step);
  const perS = (a) => a.map((v) => v / step);
  const c2s = css('--c2s');
  const s2c = css('--s2c');
  const fg = css('--fg');
  const grid = css('--line');
  const axis = () => ({ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, font: '11px system-ui, sans-serif' });
  const markers = (u) => drawMarkers(u, tl);
  const pane = host.parentElement;
  const nCharts = (tl.pings || []).some((p) => p.rttMs !== null && p.rttMs !== undefined) ? 3 : 2;
  // uPlot's height includes the axes; its title and legend take about 45 px more.
  const height = Math.max(150, Math.floor((pane.clientHeight - 30) / nCharts) - 45);
  const span = tl.end - tl.start;
  const xValues = (u, splits) => splits.map((v) => (v === null ? '' : span < 20 ? fmt.clock(v).slice(3, 12) : fmt.clock(v).slice(0, 8)));
  const common = (title) => ({
    title,
    width,
    height,
    scales: { x: { time: true, range: [tl.start, Math.max(tl.end, tl.start + step)] } },
    axes: [{ ...axis(), values: xValues, space: 90 }, { ...axis(), size: 60 }],
    cursor: { sync: { key: 'wsdebug-tl' }, drag: { x: false, y: false } },
    hooks: { draw: [markers] },
    legend: { live: true },
  });
  const stepped = uPlot.paths.stepped({ align: 1 });
  charts.push(new uPlot({
    ...common('Messages per second'),
    series: [{ value: (u, v) => (v === null ? '--' : fmt.clock(v)) }, { label: '↑ c2s msg/s', stroke: c2s, width: 1.5, paths: stepped }, { label: '↓ s2c msg/s', stroke: s2c, width: 1.5, paths: stepped }],
  }, [xs, perS(tl.c2s.messages), perS(tl.s2c.messages)], host));
  charts.push(new uPlot({
    ...common('Bytes per second'),
    series: [{ value: (u, v) => (v === null ? '--' : fmt.clock(v)) }, { label: '↑ c2s B/s', stroke: c2s, width: 1.5, paths: stepped, value: (u, v) => (v === null ? '' : fmt.bytes(v) + '/s') },
      { label: '↓ s2c B/s', stroke: s2c, width: 1.5, paths: stepped, value: (u, v) => (v === null ? '' : fmt.bytes(v) + '/s') }],
    axes: [{ ...axis(), values: xValues, space: 90 }, { ...axis(), size: 70, values: (u, vals) => vals.map((v) => fmt.bytes(v)) }],
  }, [xs, tl.c2s.bytes.map((v) => v / step), tl.s2c.bytes.map((v) => v / step)], host));
  const pings = (tl.pings || []).filter((p) => p.rttMs !== null && p.rttMs !== undefined).sort((a, b) => a.t - b.t);
  if (pings.length) {
    charts.push(new uPlot({
      ...common('Ping round trip (ms)'),
      series: [{ value: (u, v) => (v === null ? '--' : fmt.clock(v)) }, { label: 'RTT ms', stroke: css('--accent'), width: 1, points: { show: true, size: 5 } }],
    }, [pings.map((p) => p.t), pings.map((p) => p.rttMs)], host));
  }
  for (const u of charts) {
    u.over.addEventListener('click', () => {
      const left = u.cursor.left;
      if (left === undefined || left < 0) return;
      jump(target(u, tl, left));
    });
  }
  const plural = (k, one, many) => `${k} ${k === 1 ? one : many}`;
  const parts = [`${fmt.count(n)} buckets of ${fmt.duration(tl.bucketMs)}`, plural((tl.pings || []).length, 'ping', 'pings'),
    plural((tl.gaps || []).length, 'idle gap', 'idle gaps') + ' over 1 s'];
  if (tl.close) parts.push(`close ${tl.close.code ?? ''} at ${fmt.offset(tl.close.t - tl.start)}`);
  legend.append(el('span', { 'data-testid': 'timeline-summary', text: parts.join(' · ') + '. Click the chart to jump to the messages there.' }));
}

function drawMarkers(u, tl) {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui, sans-serif`;
  // uPlot leaves the alignment of its last axis label behind.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  for (const g of tl.gaps || []) {
    // A gap's t is the last frame before the silence; its seq is the frame that ended it.
    const x0 = u.valToPos(g.t, 'x', true);
    const x1 = u.valToPos(g.t + g.durationMs / 1000, 'x', true);
    ctx.fillStyle = 'rgba(160,160,160,0.18)';
    ctx.fillRect(Math.min(x0, x1), top, Math.max(1, Math.abs(x1 - x0)), height);
    // Centred in the silence, where the series lie at zero and cannot cross the text.
    const text = 'idle ' + fmt.duration(g.durationMs);
    const w = ctx.measureText(text).width;
    label(ctx, text, Math.max(x0 + 2, (x0 + x1) / 2 - w / 2), top + height / 2, css('--muted'));
  }
  for (const p of tl.pings || []) {
    const x = u.valToPos(p.t, 'x', true);
    ctx.fillStyle = css('--accent');
    ctx.fillRect(x - 1, top + height - 6 * devicePixelRatio, 2, 6 * devicePixelRatio);
  }
  if (tl.close) {
    const x = u.valToPos(tl.close.t, 'x', true);
    ctx.strokeStyle = css('--bad');
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    const text = `close ${tl.close.code ?? ''}`;
    // Near the right edge the label goes left of the line.
    const w = ctx.measureText(text).width;
    label(ctx, text, x + 3 + w > u.bbox.left + u.bbox.width ? x - w - 5 : x + 3, top + height / 2, css('--bad'));
  }
  ctx.restore();
}

/** Text on a small plate of the page's background, readable over the series. */
function label(ctx, text, x, y, color) {
  const w = ctx.measureText(text).width;
  const h = 12 * devicePixelRatio;
  ctx.fillStyle = css('--bg');
  ctx.globalAlpha = 0.85;
  ctx.fillRect(x - 2, y - h + 2, w + 4, h + 1);
  ctx.globalAlpha = 1;
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}

/**
 * What a click at css x means: a marker within 6 px ({seq}), else the start of the bucket under
 * the pointer ({t}): its first row is the first at or after that time.
 */
function target(u, tl, left) {
  const px = (v) => Math.abs(u.valToPos(v, 'x') - left);
  let best = null;
  let bestPx = 6;
  const consider = (time, seq) => {
    if (seq === null || seq === undefined) return;
    const d = px(time);
    if (d <= bestPx) {
      best = seq;
      bestPx = d;
    }
  };
  if (tl.close) consider(tl.close.t, tl.close.seq);
  for (const g of tl.gaps || []) consider(g.t + g.durationMs / 1000, g.seq);
  for (const p of tl.pings || []) consider(p.t, p.seq);
  if (best !== null) return { seq: best };
  const step = tl.bucketMs / 1000;
  const n = tl.c2s.messages.length;
  const b = Math.max(0, Math.min(n - 1, Math.floor((u.posToVal(left, 'x') - tl.start) / step)));
  return { t: tl.start + b * step };
}
