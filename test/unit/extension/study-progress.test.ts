import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { progressParser, studyFolder } from '../../../src/vscode/studyProgress';

function collect(passes: number, lines: string[]): Array<[string, number]> {
  const seen: Array<[string, number]> = [];
  const parse = progressParser((m, f) => seen.push([m, f]), passes);
  for (const l of lines) parse(l);
  return seen;
}

test('one model pass fills 2 % to 92 % of the bar; other lines are ignored', () => {
  const seen = collect(1, ['resumed x', '[lare steps] 15/300', 'skipped a.jsonl:3: bad', '[lare steps] 300/300']);
  assert.equal(seen.length, 2);
  assert.equal(seen[0][0], 'lare: item 15 of 300');
  assert.ok(Math.abs(seen[0][1] - (0.02 + 0.9 * 0.05)) < 1e-12);
  assert.ok(Math.abs(seen[1][1] - 0.92) < 1e-12);
});

test('two model passes share the bar in order, then the probe cells', () => {
  const seen = collect(2, ['[lare probe] 10/10', '[base probe] 5/10', '[probe 4/8] model vision svm: 61.0%']);
  assert.deepEqual(seen.map(([, f]) => Number(f.toFixed(6))), [0.47, 0.695, 0.96]);
  assert.equal(seen[2][0], 'probe 4 of 8: model vision svm: 61.0%');
});

test('a study folder is stable for the same configuration and differs for another', () => {
  const results = path.resolve('/ws/.latent-trace');
  const a = studyFolder(results, 'steps', '/data/my set.jsonl', ['x', '--max-t', '4']);
  assert.equal(a, studyFolder(results, 'steps', '/data/my set.jsonl', ['x', '--max-t', '4']));
  assert.notEqual(a, studyFolder(results, 'steps', '/data/my set.jsonl', ['x', '--max-t', '6']));
  assert.match(path.basename(a), /^steps-my-set-[0-9a-f]{10}$/);
  assert.equal(path.dirname(a), path.join(results, 'reports'));
});
