import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSvg, chartsSvg, niceTicks, placeLabels, yRange, type SvgChart } from '../../webview/chart-svg';

const chart: SvgChart = {
  title: 'Accuracy & steps <per rule>',
  xLabel: 'rule',
  yLabel: 'accuracy %',
  categories: ['T=4', 'cosine', 'l1'],
  series: [
    { kind: 'bar', label: 'accuracy %', color: '#3794ff', values: [80, 60, null], intervals: [[75, 85], null, null] },
    { kind: 'line', label: 'average steps', color: '#d18616', values: [4, 2.5, 3], dashed: true },
  ],
  markers: [{ index: 1, label: 'cosine stop @ 2', color: '#b267e6' }, { index: 1, label: 'stopped @ 4 (fixed)', color: '#b267e6', dashed: true }],
};

/** The numbers of a path's d attribute, as [x, y] pairs of its M and L commands. */
function points(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([\d.-]+) ([\d.-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

test('bars are <rect>s and lines <path>s built from the data; nothing raster is embedded', () => {
  const svg = chartSvg(chart, { width: 640, height: 360 });
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.doesNotMatch(svg, /<image|data:image|<foreignObject/);
  const bars = [...svg.matchAll(/<rect data-series="accuracy %" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)];
  assert.equal(bars.length, 2, 'one rect per non-null bar value');
  // heights are proportional to the values (80 vs 60) on an axis from 0
  const [h80, h60] = bars.map((b) => Number(b[4]));
  assert.ok(Math.abs(h80 / h60 - 80 / 60) < 1e-3, `bar heights ${h80}, ${h60}`);
  const line = svg.match(/<path data-series="average steps" d="([^"]+)"[^>]*stroke-dasharray/);
  assert.ok(line, 'the dashed line is a path');
  const pts = points(line[1]);
  assert.equal(pts.length, 3);
  // higher value, smaller y: 4 > 3 > 2.5
  assert.ok(pts[0][1] < pts[2][1] && pts[2][1] < pts[1][1], `line ys ${pts.map((p) => p[1])}`);
  // x of the line's points and the bars' centres share categories
  assert.ok(pts[0][0] > Number(bars[0][1]) && pts[0][0] < Number(bars[0][1]) + Number(bars[0][3]) + 1e-6 || pts[0][0] > 0);
  assert.match(svg, /data-role="whisker"/);
  assert.match(svg, /<rect data-role="background"[^>]*fill="#ffffff"/, 'theme-independent white background');
  assert.match(svg, /Accuracy &amp; steps &lt;per rule&gt;/, 'text is escaped');
});

test('a null value breaks a line into separate pieces (M again after the gap)', () => {
  const svg = chartSvg({ ...chart, series: [{ kind: 'line', label: 'd', color: '#000', values: [1, null, 2, 3] }], categories: ['1', '2', '3', '4'], markers: [] });
  const d = svg.match(/<path data-series="d" d="([^"]+)"/)![1];
  assert.equal((d.match(/M/g) ?? []).length, 2);
  assert.equal(points(d).length, 3);
});

test('a CI band is one closed path over the upper then the lower edge', () => {
  const svg = chartSvg({ ...chart, series: [{ kind: 'line', label: 'mean', color: '#000', values: [1, 2], intervals: [[0.5, 1.5], [1.5, 2.5]] }], categories: ['1', '2'], markers: [] });
  const band = svg.match(/<path data-role="band" data-series="mean" d="([^"]+)Z"/);
  assert.ok(band);
  assert.equal(points(band[1]).length, 4);
});

test('marker labels at the same x go to different rows; apart they share a row', () => {
  assert.deepEqual(placeLabels([{ x: 100, width: 80 }, { x: 100, width: 80 }, { x: 300, width: 50 }]), [0, 1, 0]);
  assert.deepEqual(placeLabels([{ x: 0, width: 50 }, { x: 52, width: 50 }]), [0, 1], '4 px gap needed');
  const svg = chartSvg(chart);
  const ys = [...svg.matchAll(/data-role="marker-label" x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(ys.length, 2);
  assert.notEqual(ys[0], ys[1], 'two labels on one step do not overlap');
});

test('ticks are round and cover the range; the y range includes intervals and zero', () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(niceTicks(0, 85, 5), [0, 25, 50, 75, 100]);
  assert.deepEqual(niceTicks(-0.013, 0.041, 4), [-0.02, 0, 0.02, 0.04, 0.06]);
  const r = yRange(chart);
  assert.ok(r.min <= 0 && r.max >= 85, `range ${r.min}..${r.max}`);
  assert.equal(yRange({ ...chart, series: [], markers: [] }).max, 1);
});

test('stacked charts keep one vector document with each chart in its own viewport', () => {
  const svg = chartsSvg([chart, chart], { width: 640, height: 360 });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="720"/);
  assert.equal((svg.match(/<svg x="0" y="360"/g) ?? []).length, 1);
  assert.doesNotMatch(svg, /<image/);
});

test('a report SVG holds its title, every chart and every table row as text on white', async () => {
  const { reportSvg } = await import('../../webview/chart-svg');
  const svg = reportSvg('Attention statistics: baseline vs LaRe', [chart], [
    { caption: 'Table 5', header: ['statistic', 'baseline', 'LaRe'], rows: [['Mean', '4.419', '10.86'], ['Median', '4.434', '10.91']] },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="720" height="\d+"/);
  assert.match(svg, /<rect data-role="background" x="0" y="0" width="720" height="\d+" fill="#ffffff"\/>/);
  assert.match(svg, />Attention statistics: baseline vs LaRe</);
  for (const cell of ['Table 5', 'statistic', 'Mean', '4.419', '10.91']) assert.match(svg, new RegExp(`>${cell.replace('.', '\\.')}<`));
  // numbers are right-aligned, labels not
  assert.match(svg, /text-anchor="end"[^>]*>4\.419</);
  assert.doesNotMatch(svg, /text-anchor="end"[^>]*>Mean</);
  assert.doesNotMatch(svg, /<image/);
  assert.equal((svg.match(/<rect data-series="accuracy %"/g) ?? []).length, 2);
});

test('a box series draws box, median and whiskers as vector shapes, its outliers as circles, inside the axis', () => {
  const svg = chartSvg({
    title: 'box', xLabel: '', yLabel: 'v', categories: ['a', 'b'], beginAtZero: false,
    series: [{ kind: 'box', label: 'dist', color: '#4e9ad6', values: [], boxes: [{ min: 1, q1: 2, median: 3, q3: 4, max: 5, outliers: [9] }, null] }],
  });
  const box = svg.match(/<rect data-role="box" data-series="dist" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/)!;
  const med = svg.match(/<path data-role="median" d="M[\d.]+ ([\d.]+)h/)!;
  const top = Number(box[1]);
  const height = Number(box[2]);
  // the median (3) sits halfway between q1 (2) and q3 (4)
  assert.ok(Math.abs(Number(med[1]) - (top + height / 2)) < 0.05, `median at ${med[1]}, box ${top}..${top + height}`);
  const out = Number(svg.match(/<circle data-role="outlier" cx="[\d.]+" cy="([\d.]+)"/)![1]);
  assert.ok(out < top && out >= 40 - 1e-6, `the outlier at 9 is drawn above the box and inside the plot (${out})`);
  assert.match(svg, /<path data-role="whisker" data-series="dist"/);
});
