import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayScript, arraySpec, mergeScript, shellQuote, type SlurmPlan } from '../../src/studies/slurm/scripts';

const plan: SlurmPlan = {
  format: 'latent-trace/slurm-plan',
  version: 1,
  study: 'probe',
  studyArgs: ['/data/my set.jsonl', '--model', '/m/lare', '--pairs', '40'],
  out: '/shared/out',
  cwd: '/home/me',
  tasks: 4,
  shardItems: [3, 3, 2, 2],
  cli: ['/usr/bin/node', '/opt/lt/dist/cli.js'],
  resources: { partition: 'gpu', time: '01:00:00', gres: 'gpu:1', extra: ['--mem=16G'] },
};

test('array spec: runs of shards collapse to ranges', () => {
  assert.equal(arraySpec([0, 1, 2, 3]), '0-3');
  assert.equal(arraySpec([3, 0, 2]), '0,2-3');
  assert.equal(arraySpec([5]), '5');
});

test('shell quoting leaves plain words and quotes the rest, quotes included', () => {
  assert.equal(shellQuote('/a/b-c.jsonl'), '/a/b-c.jsonl');
  assert.equal(shellQuote('my set.jsonl'), "'my set.jsonl'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test('the array task runs its shard of the study with the resources; the merge job merges, reports, and asks for no GPU', () => {
  const array = arrayScript(plan);
  assert.match(array, /^#SBATCH --partition=gpu$/m);
  assert.match(array, /^#SBATCH --gres=gpu:1$/m);
  assert.match(array, /^#SBATCH --mem=16G$/m);
  assert.match(array, /^#SBATCH --chdir=\/home\/me$/m);
  assert.match(array, /^\/usr\/bin\/node \/opt\/lt\/dist\/cli.js probe '\/data\/my set.jsonl' --model \/m\/lare --pairs 40 --out \/shared\/out --shard "\$SLURM_ARRAY_TASK_ID\/4"$/m);
  assert.match(array, /^touch \/shared\/out\/slurm\/shard-"\$SLURM_ARRAY_TASK_ID".done$/m);
  const merge = mergeScript(plan);
  assert.doesNotMatch(merge, /--gres/);
  assert.match(merge, /^\/usr\/bin\/node \/opt\/lt\/dist\/cli.js merge \/shared\/out$/m);
  assert.match(merge, /^\/usr\/bin\/node \/opt\/lt\/dist\/cli.js probe '\/data\/my set.jsonl' --model \/m\/lare --pairs 40 --out \/shared\/out$/m);
  assert.match(merge, /^touch \/shared\/out\/slurm\/report.done$/m);
});
