/**
 * Charts drawn on the server as SVG, inline in the page: they print (and land in a PDF) as
 * vector images, with no script to run. Presentation attributes only (no style attributes), so
 * the page's Content Security Policy needs nothing for them. Colours stay readable in grey.
 */

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const FONT = 'font-family="Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"';
export const COLORS = ['#1f5fa8', '#9db4d3', '#d9822b', '#3a8d5c', '#8a5bb0', '#b03a3a'];

/** Round axis steps: 1, 2, 2.5, 5 x 10^k, about `count` of them up to `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const fmtTick = (v: number) => (Math.abs(v) >= 10_000 ? `${v / 10_000}万` : String(v));

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function svgOpen(f: Frame, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="100%" role="img" aria-label="${esc(title)}" ${FONT} font-size="11">`;
}

function yAxis(f: Frame, ticks: number[], unit: string): string {
  const top = ticks.at(-1)!;
  const y = (v: number) => f.top + (1 - v / top) * (f.height - f.top - f.bottom);
  return [
    ...ticks.map(
      (t) =>
        `<line x1="${f.left}" x2="${f.width - f.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#d8d8d8" stroke-width="0.6"/>` +
        `<text x="${f.left - 4}" y="${(y(t) + 3.5).toFixed(1)}" text-anchor="end" fill="#444">${fmtTick(t)}</text>`,
    ),
    `<text x="${f.left - 4}" y="${f.top - 8}" text-anchor="end" fill="#444">${esc(unit)}</text>`,
  ].join('');
}

function legend(f: Frame, items: { label: string; color: string; dashed?: boolean }[]): string {
  let x = f.left;
  return items
    .map((it) => {
      const mark = it.dashed
        ? `<line x1="${x}" x2="${x + 14}" y1="${f.height - 8}" y2="${f.height - 8}" stroke="${it.color}" stroke-width="1.5" stroke-dasharray="4 3"/>`
        : `<rect x="${x}" y="${f.height - 13}" width="14" height="9" fill="${it.color}"/>`;
      const out = `${mark}<text x="${x + 18}" y="${f.height - 5}" fill="#333">${esc(it.label)}</text>`;
      x += 26 + it.label.length * 11;
      return out;
    })
    .join('');
}

export interface ColumnChart {
  /** unique in the page (names the hatch pattern) */
  id: string;
  title: string;
  unit: string;
  labels: string[];
  values: (number | null)[];
  /** lighter columns (weekends, holidays) */
  muted?: boolean[];
  /** hatched columns (estimated) */
  estimated?: boolean[];
  legend?: { label: string; color: string }[];
}

/** One column per category (a day): the daily use of a term. */
export function columnChart(c: ColumnChart, width = 680, height = 210): string {
  const f: Frame = { width, height, left: 52, right: 8, top: 22, bottom: 40 };
  const ticks = niceTicks(Math.max(0, ...c.values.map((v) => v ?? 0)));
  const top = ticks.at(-1)!;
  const plotH = height - f.top - f.bottom;
  const slot = (width - f.left - f.right) / Math.max(1, c.labels.length);
  const every = Math.max(1, Math.ceil(c.labels.length / 16));
  const bars = c.values
    .map((v, i) => {
      if (v === null || v <= 0) return '';
      const h = (v / top) * plotH;
      const x = f.left + i * slot + slot * 0.15;
      const fill = c.estimated?.[i] ? `url(#${c.id}-est)` : c.muted?.[i] ? COLORS[1] : COLORS[0];
      return `<rect x="${x.toFixed(1)}" y="${(f.top + plotH - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}"/>`;
    })
    .join('');
  const labels = c.labels
    .map((l, i) =>
      i % every ? '' : `<text x="${(f.left + (i + 0.5) * slot).toFixed(1)}" y="${f.top + plotH + 13}" text-anchor="middle" fill="#444">${esc(l)}</text>`,
    )
    .join('');
  return (
    svgOpen(f, c.title) +
    `<defs><pattern id="${c.id}-est" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="4" stroke="${COLORS[0]}" stroke-width="2"/></pattern></defs>` +
    yAxis(f, ticks, c.unit) +
    bars +
    labels +
    legend(f, c.legend ?? []) +
    '</svg>'
  );
}

export interface BarGroups {
  title: string;
  unit: string;
  /** one row per category (a building), one bar per series */
  rows: { label: string; values: (number | null)[] }[];
  series: string[];
}

/** Horizontal bars, grouped: each building this term, the term before, a year earlier. */
export function barGroups(c: BarGroups, width = 680): string {
  const rowH = 10 * c.series.length + 10;
  const f: Frame = { width, height: 0, left: 150, right: 70, top: 8, bottom: 24 };
  f.height = f.top + c.rows.length * rowH + f.bottom;
  const max = Math.max(0, ...c.rows.flatMap((r) => r.values.map((v) => v ?? 0)));
  const scale = (width - f.left - f.right) / (max || 1);
  const body = c.rows
    .map((r, i) => {
      const y0 = f.top + i * rowH;
      const bars = r.values
        .map((v, k) => {
          const y = y0 + 4 + k * 10;
          if (v === null) return `<text x="${f.left + 2}" y="${y + 8}" fill="#888" font-size="9">无数据</text>`;
          const w = Math.max(0, v) * scale;
          return (
            `<rect x="${f.left}" y="${y}" width="${w.toFixed(1)}" height="8" fill="${COLORS[k % COLORS.length]}"/>` +
            `<text x="${(f.left + w + 3).toFixed(1)}" y="${y + 7.5}" fill="#333" font-size="9">${v.toLocaleString('en-US', { maximumFractionDigits: 1 })}</text>`
          );
        })
        .join('');
      return `<text x="${f.left - 6}" y="${y0 + rowH / 2 + 3}" text-anchor="end" fill="#222">${esc(r.label)}</text>${bars}`;
    })
    .join('');
  return (
    svgOpen(f, c.title) +
    body +
    `<text x="${width - f.right + 66}" y="${f.height - 5}" text-anchor="end" fill="#444">${esc(c.unit)}</text>` +
    legend(
      f,
      c.series.map((s, k) => ({ label: s, color: COLORS[k % COLORS.length]! })),
    ) +
    '</svg>'
  );
}

export interface LineChart {
  title: string;
  unit: string;
  labels: string[];
  series: { label: string; values: (number | null)[] }[];
  /** horizontal reference lines, e.g. 80 % and 100 % of rated */
  marks?: { value: number; label: string }[];
}

/** Lines over the days (transformer daily peaks), with reference lines. */
export function lineChart(c: LineChart, width = 680, height = 220): string {
  const f: Frame = { width, height, left: 52, right: 60, top: 22, bottom: 40 };
  const all = [...c.series.flatMap((s) => s.values.map((v) => v ?? 0)), ...(c.marks ?? []).map((m) => m.value)];
  const ticks = niceTicks(Math.max(0, ...all));
  const top = ticks.at(-1)!;
  const plotH = height - f.top - f.bottom;
  const slot = (width - f.left - f.right) / Math.max(1, c.labels.length);
  const x = (i: number) => f.left + (i + 0.5) * slot;
  const y = (v: number) => f.top + (1 - v / top) * plotH;
  const every = Math.max(1, Math.ceil(c.labels.length / 16));
  const marks = (c.marks ?? [])
    .map(
      (m) =>
        `<line x1="${f.left}" x2="${width - f.right}" y1="${y(m.value).toFixed(1)}" y2="${y(m.value).toFixed(1)}" stroke="#b03a3a" stroke-width="1" stroke-dasharray="5 3"/>` +
        `<text x="${width - f.right + 4}" y="${(y(m.value) + 3.5).toFixed(1)}" fill="#b03a3a">${esc(m.label)}</text>`,
    )
    .join('');
  const lines = c.series
    .map((s, k) => {
      // a gap (no data) breaks the line
      const runs: string[] = [];
      let run: string[] = [];
      s.values.forEach((v, i) => {
        if (v === null) {
          if (run.length) runs.push(run.join(' '));
          run = [];
        } else run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      });
      if (run.length) runs.push(run.join(' '));
      const color = COLORS[(k * 2) % COLORS.length];
      return runs.map((pts) => `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.6"/>`).join('');
    })
    .join('');
  const labels = c.labels
    .map((l, i) => (i % every ? '' : `<text x="${x(i).toFixed(1)}" y="${f.top + plotH + 13}" text-anchor="middle" fill="#444">${esc(l)}</text>`))
    .join('');
  return (
    svgOpen(f, c.title) +
    yAxis(f, ticks, c.unit) +
    marks +
    lines +
    labels +
    legend(
      f,
      c.series.map((s, k) => ({ label: s.label, color: COLORS[(k * 2) % COLORS.length]! })),
    ) +
    '</svg>'
  );
}
