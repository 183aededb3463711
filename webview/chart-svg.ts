/**
 * Charts as true vector SVG, built from the same data chart.js draws: lines are <path>s, bars and
 * boxes are <rect>s, axes and ticks are lines and text. No raster is embedded, and the background is
 * white whatever the theme, so an exported figure reads the same in a paper. Pure (strings only).
 */

export interface SvgBox {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** points drawn beyond the whiskers */
  outliers?: number[];
}

export interface SvgSeries {
  kind: 'line' | 'bar' | 'box';
  label: string;
  color: string;
  /** one value per x category; null leaves a gap */
  values: (number | null)[];
  dashed?: boolean;
  /** [low, high] per category: a CI band (lines) or whiskers (bars) */
  intervals?: ([number, number] | null)[];
  /** per category, for kind 'box' (values are then ignored) */
  boxes?: (SvgBox | null)[];
}

export interface SvgMarker {
  /** x category index */
  index: number;
  label: string;
  color: string;
  dashed?: boolean;
}

export interface SvgChart {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  series: SvgSeries[];
  markers?: SvgMarker[];
  /** the y axis starts at 0 unless the data go below it */
  beginAtZero?: boolean;
}

export interface SvgLayout {
  width: number;
  height: number;
}

const PAD = { left: 64, right: 16, top: 40, bottom: 48 };
const LEGEND_ROW = 16;
const FONT = 'font-family="sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Round tick values from at or below min to at or above max: 1, 2, 2.5 or 5 times a power of ten apart. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count - 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * p).find((s) => s >= raw * (1 - 1e-12))!;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12)));
}

/** The y range every value, interval and bar base fits in, widened to round ticks. */
export function yRange(chart: SvgChart): { min: number; max: number; ticks: number[] } {
  let min = chart.beginAtZero === false ? Infinity : 0;
  let max = -Infinity;
  for (const s of chart.series) {
    const extents = (s.boxes ?? []).flatMap((b) => (b ? [b.min, b.max, ...(b.outliers ?? [])] : []));
    [...s.values, ...extents].forEach((v, i) => {
      const iv = s.intervals?.[i];
      for (const x of [v, iv?.[0], iv?.[1]]) {
        if (x === null || x === undefined || !Number.isFinite(x)) continue;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    });
  }
  if (max === -Infinity) return { min: 0, max: 1, ticks: [0, 1] };
  if (min === Infinity) min = max;
  if (max === min) max = min + 1;
  const ticks = niceTicks(min, max);
  return { min: Math.min(min, ticks[0]), max: Math.max(max, ticks[ticks.length - 1]), ticks };
}

/** Marker labels placed in rows so that no two overlap: each takes the first row where it fits. */
export function placeLabels(items: { x: number; width: number }[]): number[] {
  const rows: { from: number; to: number }[][] = [];
  return items.map(({ x, width }) => {
    const span = { from: x, to: x + width };
    let row = rows.findIndex((r) => r.every((o) => span.to + 4 <= o.from || span.from >= o.to + 4));
    if (row < 0) {
      rows.push([]);
      row = rows.length - 1;
    }
    rows[row].push(span);
    return row;
  });
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** One chart as a standalone SVG document. */
export function chartSvg(chart: SvgChart, layout: SvgLayout = { width: 640, height: 360 }): string {
  const markers = chart.markers ?? [];
  // marker labels sit in rows under the plot, clear of the curves (about 6.5 px per character at 11 px)
  const n = Math.max(1, chart.categories.length);
  const plotW = layout.width - PAD.left - PAD.right;
  const xAt = (i: number) => PAD.left + ((i + 0.5) / n) * plotW;
  const labelRows = placeLabels(markers.map((m) => ({ x: xAt(m.index), width: m.label.length * 6.5 + 6 })));
  const markerRows = markers.length ? Math.max(...labelRows) + 1 : 0;
  const legendRows = Math.ceil(chart.series.length / 3);
  const plotH = layout.height - PAD.top - PAD.bottom - markerRows * LEGEND_ROW - legendRows * LEGEND_ROW;
  const { min, max, ticks } = yRange(chart);
  const yAt = (v: number) => PAD.top + plotH - ((v - min) / (max - min)) * plotH;
  const bottom = PAD.top + plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" ${FONT} font-size="11">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect data-role="background" x="0" y="0" width="${layout.width}" height="${layout.height}" fill="#ffffff"/>`,
    `<text x="${layout.width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600" fill="#222">${escapeXml(chart.title)}</text>`,
  ];
  for (const t of ticks) {
    const y = yAt(t).toFixed(2);
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="#e0e0e0"/>`,
      `<text x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333">${fmt(t)}</text>`);
  }
  parts.push(`<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
  const every = Math.max(1, Math.ceil(n / Math.floor(plotW / 40)));
  chart.categories.forEach((c, i) => {
    if (i % every === 0) parts.push(`<text x="${xAt(i).toFixed(2)}" y="${bottom + 14}" text-anchor="middle" fill="#333">${escapeXml(c)}</text>`);
  });
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${bottom + 30}" text-anchor="middle" fill="#333">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(14 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(chart.yLabel)}</text>`);

  const bars = chart.series.filter((s) => s.kind === 'bar');
  const slot = plotW / n;
  const barW = (slot * 0.8) / Math.max(1, bars.length);
  const base = yAt(Math.max(min, Math.min(max, 0)));
  bars.forEach((s, b) => {
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const x = PAD.left + i * slot + slot * 0.1 + b * barW;
      const y = yAt(v);
      parts.push(`<rect data-series="${escapeXml(s.label)}" x="${x.toFixed(2)}" y="${Math.min(y, base).toFixed(2)}" width="${barW.toFixed(2)}" height="${Math.abs(base - y).toFixed(2)}" fill="${s.color}"/>`);
      const iv = s.intervals?.[i];
      if (iv) {
        const cx = x + barW / 2;
        parts.push(`<path data-role="whisker" d="M${cx.toFixed(2)} ${yAt(iv[0]).toFixed(2)}V${yAt(iv[1]).toFixed(2)}M${(cx - 4).toFixed(2)} ${yAt(iv[0]).toFixed(2)}h8M${(cx - 4).toFixed(2)} ${yAt(iv[1]).toFixed(2)}h8" stroke="#333" fill="none"/>`);
      }
    });
  });
  for (const s of chart.series.filter((x) => x.kind === 'box')) {
    (s.boxes ?? []).forEach((b, i) => {
      if (!b) return;
      const cx = xAt(i);
      const half = Math.min(40, slot * 0.3);
      parts.push(`<path data-role="whisker" data-series="${escapeXml(s.label)}" d="M${cx.toFixed(2)} ${yAt(b.min).toFixed(2)}V${yAt(b.q1).toFixed(2)}M${cx.toFixed(2)} ${yAt(b.q3).toFixed(2)}V${yAt(b.max).toFixed(2)}M${(cx - half / 2).toFixed(2)} ${yAt(b.min).toFixed(2)}h${half.toFixed(2)}M${(cx - half / 2).toFixed(2)} ${yAt(b.max).toFixed(2)}h${half.toFixed(2)}" stroke="${s.color}" fill="none"/>`,
        `<rect data-role="box" data-series="${escapeXml(s.label)}" x="${(cx - half).toFixed(2)}" y="${yAt(b.q3).toFixed(2)}" width="${(2 * half).toFixed(2)}" height="${Math.max(0.5, yAt(b.q1) - yAt(b.q3)).toFixed(2)}" fill="${s.color}" fill-opacity="0.35" stroke="${s.color}"/>`,
        `<path data-role="median" d="M${(cx - half).toFixed(2)} ${yAt(b.median).toFixed(2)}h${(2 * half).toFixed(2)}" stroke="${s.color}" stroke-width="2"/>`,
        ...(b.outliers ?? []).map((o) => `<circle data-role="outlier" cx="${cx.toFixed(2)}" cy="${yAt(o).toFixed(2)}" r="3" fill="none" stroke="${s.color}"/>`));
    });
  }
  for (const s of chart.series.filter((x) => x.kind === 'line')) {
    if (s.intervals) {
      const pts = s.intervals.map((iv, i) => (iv ? { i, iv } : null)).filter((p): p is { i: number; iv: [number, number] } => p !== null);
      if (pts.length > 1) {
        const top = pts.map((p, k) => `${k ? 'L' : 'M'}${xAt(p.i).toFixed(2)} ${yAt(p.iv[1]).toFixed(2)}`).join('');
        const low = [...pts].reverse().map((p) => `L${xAt(p.i).toFixed(2)} ${yAt(p.iv[0]).toFixed(2)}`).join('');
        parts.push(`<path data-role="band" data-series="${escapeXml(s.label)}" d="${top}${low}Z" fill="${s.color}" fill-opacity="0.2" stroke="none"/>`);
      }
    }
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${xAt(i).toFixed(2)} ${yAt(v).toFixed(2)}`;
      pen = true;
    });
    if (d) parts.push(`<path data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
  }
  markers.forEach((m, k) => {
    const x = xAt(m.index).toFixed(2);
    const ly = bottom + 40 + labelRows[k] * LEGEND_ROW;
    parts.push(`<line data-role="marker" x1="${x}" x2="${x}" y1="${PAD.top}" y2="${bottom}" stroke="${m.color}" stroke-width="2"${m.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<text data-role="marker-label" x="${x}" y="${ly + 4}" fill="${m.color}">${escapeXml(m.label)}</text>`);
  });
  const legendY = bottom + 40 + markerRows * LEGEND_ROW + 4;
  chart.series.forEach((s, k) => {
    const x = PAD.left + (k % 3) * (plotW / 3);
    const y = legendY + Math.floor(k / 3) * LEGEND_ROW;
    parts.push(`<rect data-role="legend" x="${x}" y="${y - 8}" width="14" height="8" fill="${s.color}"/>`,
      `<text x="${x + 18}" y="${y}" fill="#333">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Several charts stacked into one SVG document (each keeps its own axes). */
export function chartsSvg(charts: SvgChart[], layout: SvgLayout = { width: 640, height: 360 }): string {
  const inner = charts.map((c, i) => chartSvg(c, layout).replace(/^<svg [^>]*>/, `<svg x="0" y="${i * layout.height}" width="${layout.width}" height="${layout.height}">`));
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height * charts.length}" viewBox="0 0 ${layout.width} ${layout.height * charts.length}" ${FONT} font-size="11">`,
    ...inner, '</svg>'].join('\n');
}

export interface SvgTable {
  caption: string;
  header: string[];
  rows: string[][];
}

const ROW = 18;
/** about 6.2 px per character at 11 px sans-serif: column widths from the longest cell */
const CHAR = 6.2;

/** A table as SVG text rows (column widths from the longest cell, numbers right-aligned), and its height. */
export function tableSvg(t: SvgTable, y: number, width: number): { svg: string; height: number } {
  const cols = t.header.length;
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...[t.header[c], ...t.rows.map((r) => r[c] ?? '')].map((s) => s.length)) * CHAR + 16);
  const scale = Math.min(1, (width - 32) / widths.reduce((a, b) => a + b, 0));
  const xs = widths.reduce<number[]>((acc, w, i) => [...acc, (acc[i] ?? 16) + w * scale], [16]);
  const numeric = (s: string) => /^[-+−]?[\d.,]+(e[-+]?\d+)?%?$/.test(s.trim());
  const parts = [`<text x="16" y="${y + 14}" font-weight="600" fill="#222">${escapeXml(t.caption)}</text>`];
  const line = (cells: string[], yy: number, bold: boolean) => cells.forEach((c, i) => {
    const right = i > 0 && numeric(c);
    parts.push(`<text x="${(right ? xs[i + 1] - 8 : xs[i]).toFixed(1)}" y="${yy}"${right ? ' text-anchor="end"' : ''}${bold ? ' font-weight="600"' : ''} fill="#222">${escapeXml(c)}</text>`);
  });
  line(t.header, y + 14 + ROW, true);
  parts.push(`<line x1="16" x2="${xs[cols].toFixed(1)}" y1="${y + 20 + ROW}" y2="${y + 20 + ROW}" stroke="#333"/>`);
  t.rows.forEach((r, k) => line(r, y + 14 + ROW * (k + 2), false));
  return { svg: parts.join('\n'), height: ROW * (t.rows.length + 2) + 10 };
}

/** A report as one SVG document: title, charts stacked, then tables, on white. */
export function reportSvg(title: string, charts: SvgChart[], tables: SvgTable[], layout: SvgLayout = { width: 720, height: 360 }): string {
  const parts: string[] = [];
  let y = 0;
  parts.push(`<text x="16" y="24" font-size="15" font-weight="600" fill="#111">${escapeXml(title)}</text>`);
  y = 36;
  for (const c of charts) {
    parts.push(chartSvg(c, layout).replace(/^<svg [^>]*>/, `<svg x="0" y="${y}" width="${layout.width}" height="${layout.height}">`));
    y += layout.height;
  }
  for (const t of tables) {
    const { svg, height } = tableSvg(t, y + 8, layout.width);
    parts.push(svg);
    y += height + 16;
  }
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${y}" viewBox="0 0 ${layout.width} ${y}" ${FONT} font-size="11">`,
    `<rect data-role="background" x="0" y="0" width="${layout.width}" height="${y}" fill="#ffffff"/>`, ...parts, '</svg>'].join('\n');
}
