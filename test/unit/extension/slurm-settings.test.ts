// What "Run on Slurm…" asks: defaults from the remembered answers, else the settings, else built-in;
// each answer's check names what a usable one looks like.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSbatchArgs, SLURM_DEFAULTS, slurmChoicesFrom, tasksProblem, timeProblem } from '../../../src/vscode/slurmSettings';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const schema = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;

test('the built-in defaults are the ones package.json declares', () => {
  for (const [k, v] of Object.entries(SLURM_DEFAULTS)) assert.deepEqual(schema[`latentTrace.slurm.${k}`].default, v, k);
});

test('the remembered answers win over the settings; values of the wrong type fall through', () => {
  const settings = { tasks: 8, partition: 'gpu', time: '02:00:00', gres: 'gpu:1', sbatchArgs: ['--mem=16G'] };
  assert.deepEqual(slurmChoicesFrom({}, settings), settings);
  assert.deepEqual(slurmChoicesFrom({ tasks: 2, partition: '' }, settings), { ...settings, tasks: 2, partition: '' });
  assert.deepEqual(slurmChoicesFrom({ tasks: 0, time: 5, sbatchArgs: [1] }, { tasks: 2.5 }), SLURM_DEFAULTS);
});

test('tasks, time limits and further sbatch options are checked before anything is submitted', () => {
  assert.equal(tasksProblem('4'), undefined);
  assert.match(tasksProblem('0') ?? '', /from 1 to 10000/);
  assert.match(tasksProblem('2.5') ?? '', /whole number/);
  assert.match(tasksProblem('20000') ?? '', /from 1 to/);
  for (const ok of ['', '90', '01:30:00', '1-00:00:00', '2-12']) assert.equal(timeProblem(ok), undefined, ok);
  assert.match(timeProblem('an hour') ?? '', /01:30:00/);
  assert.deepEqual(parseSbatchArgs(' --mem=16G  --account=lab '), { args: ['--mem=16G', '--account=lab'] });
  assert.deepEqual(parseSbatchArgs(''), { args: [] });
  assert.match('problem' in parseSbatchArgs('--mem 16G') ? (parseSbatchArgs('--mem 16G') as { problem: string }).problem : '', /"16G" is not an sbatch option/);
});
