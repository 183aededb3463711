import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { classifyModel, resolveModelSetting, settingValueFor, trustRefusal } from '../../../src/vscode/modelLocation';

const bundled = path.resolve('/ext/models');
const ws = path.resolve('/home/u/project');

test('empty setting: the first bundled model, or nothing when none is bundled', () => {
  assert.deepEqual(resolveModelSetting('', bundled, ['lare-small', 'baseline'], [ws]), { dir: path.join(bundled, 'lare-small'), source: 'bundled' });
  assert.equal(resolveModelSetting('  ', bundled, [], [ws]), undefined);
});

test('a bundled name, a workspace-relative path, an absolute path elsewhere', () => {
  assert.deepEqual(resolveModelSetting('baseline', bundled, ['lare-small', 'baseline'], [ws]), { dir: path.join(bundled, 'baseline'), source: 'bundled' });
  assert.deepEqual(resolveModelSetting('models/mine', bundled, ['lare-small'], [ws]), { dir: path.join(ws, 'models/mine'), source: 'workspace' });
  assert.deepEqual(resolveModelSetting('/opt/m', bundled, [], [ws]), { dir: path.resolve('/opt/m'), source: 'external' });
});

test('a relative path that climbs out of the workspace is not a workspace model', () => {
  assert.equal(resolveModelSetting('../other/m', bundled, [], [ws])?.source, 'external');
  assert.equal(classifyModel(path.join(bundled, '..', 'x'), bundled, [ws]), 'external');
  assert.equal(classifyModel(path.resolve('/home/u/project-2/m'), bundled, [ws]), 'external');
});

test('Restricted Mode refuses everything but bundled models', () => {
  assert.equal(trustRefusal({ dir: path.join(bundled, 'lare'), source: 'bundled' }, false), undefined);
  assert.match(trustRefusal({ dir: path.join(ws, 'm'), source: 'workspace' }, false) ?? '', /Restricted Mode.*not a bundled model/);
  assert.match(trustRefusal({ dir: '/opt/m', source: 'external' }, false) ?? '', /Restricted Mode/);
  assert.equal(trustRefusal({ dir: path.join(ws, 'm'), source: 'workspace' }, true), undefined);
});

test('the value written to the setting round-trips through resolveModelSetting', () => {
  const cases = [
    { dir: path.join(bundled, 'lare-small'), source: 'bundled' as const },
    { dir: path.join(ws, 'models', 'mine'), source: 'workspace' as const },
    { dir: path.resolve('/opt/m'), source: 'external' as const },
  ];
  for (const c of cases) {
    const value = settingValueFor(c, bundled, [ws]);
    assert.deepEqual(resolveModelSetting(value, bundled, ['lare-small'], [ws]), c);
  }
  assert.equal(settingValueFor(cases[1], bundled, [ws]), 'models/mine');
});
