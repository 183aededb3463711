import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatmapSvg } from '../../webview/svg';

const base = {
  imagePngBase64: 'AAAA', width: 200, height: 100, grid: { rows: 1, cols: 2 },
  values: Float32Array.of(0, NaN), range: { min: 0, max: 1 }, colorMap: 'gray' as const, opacity: 0.5,
  window: { row: 0, col: 1, size: 1 }, title: 'a <b> & "c"',
};

test('one rect per finite patch in the colour map, the window outlined, the title escaped', () => {
  const svg = heatmapSvg(base);
  assert.equal((svg.match(/<rect x="0" y="0" width="100" height="100" fill="rgb\(0, 0, 0\)">/g) ?? []).length, 1);
  assert.ok(!svg.includes('<rect x="100" y="0" width="100" height="100" fill="rgb'), 'NaN patch drawn');
  assert.ok(svg.includes('<rect x="100" y="0" width="100" height="100" fill="none" stroke="#fff"'));
  assert.ok(svg.includes('<title>a &lt;b&gt; &amp; &quot;c&quot;</title>'));
  assert.ok(svg.includes('fill-opacity="0.5"'));
  assert.ok(svg.includes('href="data:image/png;base64,AAAA"'));
});

test('a null range draws no cells; a grid mismatch is a RangeError', () => {
  assert.ok(!heatmapSvg({ ...base, range: null }).includes('<title>patch'));
  assert.throws(() => heatmapSvg({ ...base, values: [1, 2, 3] }), /3 values for a 1x2 grid/);
});
