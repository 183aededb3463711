import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelHistory } from '../../../src/vscode/panel/history';

test('back and forward walk what the panel showed; showing something new drops the forward part', () => {
  const h = new PanelHistory();
  assert.deepEqual(h.state, { canBack: false, canForward: false });
  h.push(['a']);
  h.push(['a']);
  h.push(['b']);
  h.push(['c', 'd']);
  h.push([]);
  assert.deepEqual(h.state, { canBack: true, canForward: false });
  assert.deepEqual(h.back(), ['b']);
  assert.deepEqual(h.back(), ['a']);
  assert.equal(h.back(), undefined);
  assert.deepEqual(h.state, { canBack: false, canForward: true });
  assert.deepEqual(h.forward(), ['b']);
  h.push(['e']);
  assert.equal(h.forward(), undefined);
  assert.deepEqual(h.back(), ['b']);
  assert.deepEqual(h.back(), ['a']);
});

test('the history keeps the newest entries up to its limit', () => {
  const h = new PanelHistory(3);
  for (const f of ['a', 'b', 'c', 'd']) h.push([f]);
  assert.deepEqual(h.back(), ['c']);
  assert.deepEqual(h.back(), ['b']);
  assert.equal(h.back(), undefined);
});
