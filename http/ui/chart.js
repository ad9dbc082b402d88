// The daily statistics of one account as stacked SVG bars, a bar per day
// and a colour per event type, with a legend. Types are text nodes only.

import { el, svg } from "./dom.js";

const COLORS = ["#3b6fd4", "#e07b39", "#3aa17e", "#c2467a", "#8a63d2",
                "#d1a22c", "#4aa8c9", "#7d8a3a", "#b5523b", "#5b6b82"];

function niceMax(n) {
  if (n <= 4) return 4;
  const p = Math.pow(10, Math.floor(Math.log10(n)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

export function drawChart(chart, days, stats) {
  const totals = new Map(); // type -> count
  const perDay = new Map(); // day -> Map(type -> count)
  for (const s of stats) {
    totals.set(s.type, (totals.get(s.type) || 0) + s.count);
    if (!perDay.has(s.day)) perDay.set(s.day, new Map());
    perDay.get(s.day).set(s.type, s.count);
  }
  const types = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || (a < b ? -1 : 1));
  const color = new Map(types.map((t, i) => [t, COLORS[i % COLORS.length]]));
  chart.dataset.types = String(types.length);

  const W = 760, H = 230, left = 44, right = 8, top = 10, bottom = 28;
  const plotW = W - left - right, plotH = H - top - bottom;
  let max = 0;
  for (const d of days) {
    let sum = 0;
    for (const c of (perDay.get(d) || new Map()).values()) sum += c;
    max = Math.max(max, sum);
  }
  const yMax = niceMax(max);
  const root = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img" });
  root.append(svg("title", {}, "Events per day and type, last " + days.length + " days"));
  for (const frac of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH - frac * plotH;
    root.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: "grid" }));
    const label = Number.isInteger(yMax * frac) ? String(yMax * frac) : (yMax * frac).toFixed(1);
    root.append(svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, label));
  }
  const slot = plotW / days.length;
  const barW = Math.max(2, slot * 0.7);
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = top + plotH;
    const counts = perDay.get(d) || new Map();
    for (const t of types) {
      const c = counts.get(t);
      if (!c) continue;
      const h = (c / yMax) * plotH;
      y -= h;
      const bar = svg("rect", { x: x, y: y, width: barW, height: Math.max(h, 0.5),
                                fill: color.get(t), class: "bar" });
      bar.dataset.day = d;
      bar.dataset.type = t;
      bar.append(svg("title", {}, d + "  " + t + ": " + c));
      root.append(bar);
    }
    if (i % 5 === (days.length - 1) % 5) {
      root.append(svg("text", { x: left + i * slot + slot / 2, y: H - 8, class: "axis",
                                "text-anchor": "middle" }, d.slice(5)));
    }
  });

  const legend = el("ul", "legend");
  for (const t of types) {
    const li = el("li");
    const swatch = el("span", "swatch");
    swatch.style.background = color.get(t);
    li.append(swatch, el("span", "type", t), el("span", "muted", String(totals.get(t))));
    legend.append(li);
  }
  const parts = [root];
  if (types.length) parts.push(legend);
  else parts.push(el("p", "muted small", "No events in these days."));
  chart.replaceChildren(...parts);
}
