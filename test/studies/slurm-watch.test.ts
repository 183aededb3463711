// The watcher of a study on Slurm: shard rows from the results files and done markers joined with
// Slurm's job states (squeue / sacct as fake command runners), when the watch ends, and Cancel's scancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openResults } from '../../src/runtime/datasets/results';
import { shardDoneMarker, type SlurmPlan } from '../../src/studies/slurm/scripts';
import type { Exec } from '../../src/studies/slurm/submit';
import { cancelStudy, jobState, jobStates, slurmView, studyPasses, viewFraction, viewSummary, watchStudy } from '../../src/studies/slurm/watch';

function setup(study: SlurmPlan['study'] = 'probe', studyArgs = ['/d.jsonl', '--model', '/m', '--ablation', '/a']) {
  const out = mkdtempSync(join(tmpdir(), 'lt-watch-'));
  const plan: SlurmPlan = {
    format: 'latent-trace/slurm-plan', version: 1, study, studyArgs, out, cwd: out, tasks: 2, shardItems: [3, 2],
    cli: ['node', 'cli.js'], resources: {},
  };
  mkdirSync(join(out, 'slurm'), { recursive: true });
  writeFileSync(join(out, 'slurm', 'jobs.json'), JSON.stringify({ submissions: [{ array: '7', merge: '8', shards: [0, 1], at: 'x' }] }));
  return { out, plan, done: () => rmSync(out, { recursive: true, force: true }) };
}

/** commits `n` items of shard `shard` of a model pass named `model` */
function commit(plan: SlurmPlan, model: string, shard: number, n: number): void {
  const file = join(plan.out, 'results', `${plan.study}-${model}.shard-${shard}-of-${plan.tasks}.jsonl`);
  const r = openResults(file, { format: 'latent-trace/results', version: 1, task: plan.study, dataset: '/d.jsonl', shard: `${shard}/${plan.tasks}`, datasetItems: 5, config: {} });
  for (let k = 0; k < n; k++) r.append({ index: shard + k * plan.tasks, source: 'x', ok: true, result: {} });
  r.close();
}

/** a fake Slurm: answers squeue and sacct from tables, records every call */
function fakeSlurm(squeue: Record<string, string>, sacct: Record<string, string> = {}) {
  const calls: string[][] = [];
  const exec: Exec = async (command, args) => {
    calls.push([command, ...args]);
    const ids = args[args.indexOf('-j') + 1]?.split(',') ?? [];
    const has = (id: string) => ids.some((j) => id === j || id.startsWith(`${j}_`));
    if (command === 'squeue') return Object.entries(squeue).filter(([id]) => has(id)).map(([id, s]) => `${id} ${s}\n`).join('');
    if (command === 'sacct') return Object.entries(sacct).filter(([id]) => has(id)).map(([id, s]) => `${id}|${s}\n`).join('');
    if (command === 'scancel') return '';
    throw new Error(`unexpected ${command}`);
  };
  return { exec, calls };
}

test('Slurm state names map to the panel\'s words; unknown ones to undefined', () => {
  assert.equal(jobState('PENDING'), 'pending');
  assert.equal(jobState('RUNNING'), 'running');
  assert.equal(jobState('COMPLETING'), 'running');
  assert.equal(jobState('COMPLETED'), 'done');
  assert.equal(jobState('CANCELLED by 1000'), 'cancelled');
  assert.equal(jobState('CANCELLED+'), 'cancelled');
  assert.equal(jobState('TIMEOUT'), 'failed');
  assert.equal(jobState('OUT_OF_MEMORY'), 'failed');
  assert.equal(jobState('WHATEVER'), undefined);
  assert.equal(studyPasses('probe', ['/d', '--ablation', '/a']), 2);
  assert.equal(studyPasses('probe', ['/d']), 1);
  assert.equal(studyPasses('attention', ['/d']), 2);
  assert.equal(studyPasses('steps', ['/d']), 1);
});

test('squeue wins over sacct for a queued job; a failing client answers nothing', async () => {
  const { exec } = fakeSlurm({ '7_0': 'RUNNING' }, { '7_0': 'PENDING', '8': 'PENDING' });
  const states = await jobStates(exec, ['7', '8']);
  assert.deepEqual([...states].sort(), [['7_0', 'RUNNING'], ['8', 'PENDING']]);
  const broken: Exec = async () => { throw new Error('sacct: accounting storage is disabled'); };
  assert.equal((await jobStates(broken, ['7'])).size, 0);
  assert.equal((await jobStates(broken, [])).size, 0);
});

test('per-shard rows: items over both model passes from the files, the state from Slurm, the merge waiting on the array', async () => {
  const { plan, done } = setup();
  try {
    commit(plan, 'lare', 0, 3);
    commit(plan, 'noext', 0, 1);
    commit(plan, 'lare', 1, 1);
    const { exec } = fakeSlurm({ '7_0': 'RUNNING', '7_1': 'RUNNING', '8': 'PENDING' });
    const v = await slurmView(plan, exec);
    assert.equal(v.shards.length, 2);
    assert.deepEqual(v.shards, [{ shard: 0, state: 'running', done: 4, of: 6 }, { shard: 1, state: 'running', done: 1, of: 4 }]);
    assert.deepEqual(v.merge, { job: '8', state: 'waiting' });
    assert.equal(v.over, false);
    assert.equal(viewSummary(v), '0 of 2 shards done, 5 of 10 items; merge waiting');
    assert.ok(Math.abs(viewFraction(v) - 0.95 * 0.5) < 1e-12);
  } finally {
    done();
  }
});

test('a pending array listed by sacct as one range line gives each of its shards the state', async () => {
  const { plan, done } = setup('steps', ['/d.jsonl']);
  try {
    const { exec } = fakeSlurm({}, { '7_[0-1%4]': 'PENDING', '8': 'PENDING' });
    const v = await slurmView(plan, exec);
    assert.deepEqual(v.shards.map((s) => s.state), ['pending', 'pending']);
    assert.equal(v.over, false);
  } finally {
    done();
  }
});

test('a shard whose task ended without its done marker failed, even where Slurm says COMPLETED; the watch ends once none runs', async () => {
  const { plan, done } = setup('steps', ['/d.jsonl']);
  try {
    writeFileSync(shardDoneMarker(plan.out, 0), '');
    const running = await slurmView(plan, fakeSlurm({ '7_1': 'RUNNING', '8': 'PENDING' }, { '7_0': 'COMPLETED' }).exec);
    assert.deepEqual(running.shards.map((s) => [s.state, s.done, s.of]), [['done', 3, 3], ['running', 0, 2]]);
    assert.equal(running.over, false);
    const ended = await slurmView(plan, fakeSlurm({ '8': 'PENDING' }, { '7_0': 'COMPLETED', '7_1': 'COMPLETED' }).exec);
    assert.deepEqual(ended.shards.map((s) => s.state), ['done', 'failed']);
    assert.equal(ended.over, true, 'the merge waits forever on a dependency that cannot be met');
    const gone = await slurmView(plan, fakeSlurm({}).exec);
    assert.deepEqual(gone.shards.map((s) => s.state), ['done', 'stopped']);
    assert.equal(gone.merge.state, 'stopped');
    assert.equal(gone.over, true);
  } finally {
    done();
  }
});

test('the report marker ends the watch with the report; a merge job that completed without it failed', async () => {
  const { plan, done } = setup('steps', ['/d.jsonl']);
  try {
    writeFileSync(shardDoneMarker(plan.out, 0), '');
    writeFileSync(shardDoneMarker(plan.out, 1), '');
    const failed = await slurmView(plan, fakeSlurm({}, { '8': 'COMPLETED' }).exec);
    assert.equal(failed.merge.state, 'failed');
    assert.equal(failed.over, true);
    writeFileSync(join(plan.out, 'slurm', 'report.done'), '');
    const views: string[] = [];
    const outcome = await watchStudy(plan, { exec: fakeSlurm({}).exec, pollMs: 1, onView: (v) => views.push(v.merge.state) });
    assert.equal(outcome.kind, 'report');
    assert.deepEqual(views, ['done']);
    assert.equal(viewFraction(outcome.view), 1);
  } finally {
    done();
  }
});

test('watching polls until the study ends; an abort runs scancel on the array and merge jobs and shows them cancelled', async () => {
  const { plan, done } = setup('steps', ['/d.jsonl']);
  try {
    const squeue: Record<string, string> = { '7_0': 'RUNNING', '7_1': 'PENDING', '8': 'PENDING' };
    const sacct: Record<string, string> = {};
    const slurm = fakeSlurm(squeue, sacct);
    const exec: Exec = async (command, args) => {
      if (command === 'scancel') {
        for (const k of Object.keys(squeue)) delete squeue[k];
        Object.assign(sacct, { '7_0': 'CANCELLED by 0', '7_1': 'CANCELLED by 0', '8': 'CANCELLED by 0' });
      }
      return slurm.exec(command, args);
    };
    const controller = new AbortController();
    let polls = 0;
    const outcome = await watchStudy(plan, {
      exec, pollMs: 5, signal: controller.signal,
      onView: (v) => {
        polls++;
        if (polls <= 3) assert.equal(v.over, false);
        if (polls === 3) controller.abort();
      },
    });
    assert.equal(outcome.kind, 'cancelled');
    if (outcome.kind !== 'cancelled') return;
    assert.deepEqual(outcome.jobs, ['7', '8']);
    assert.deepEqual(slurm.calls.filter((c) => c[0] === 'scancel'), [['scancel', '7', '8']]);
    assert.deepEqual(outcome.view.shards.map((s) => s.state), ['cancelled', 'cancelled']);
    assert.equal(outcome.view.merge.state, 'cancelled');
    assert.equal(polls, 4, 'three polls, then the view after the cancel');
  } finally {
    done();
  }
});

test('without accounting, the jobs a cancel took out of the queue show as cancelled', async () => {
  const { plan, done } = setup('steps', ['/d.jsonl']);
  try {
    const squeue: Record<string, string> = { '7_0': 'RUNNING', '7_1': 'RUNNING', '8': 'PENDING' };
    const slurm = fakeSlurm(squeue);
    const exec: Exec = async (command, args) => {
      if (command === 'scancel') for (const k of Object.keys(squeue)) delete squeue[k];
      if (command === 'sacct') throw new Error('sacct: Slurm accounting storage is disabled');
      return slurm.exec(command, args);
    };
    const controller = new AbortController();
    controller.abort();
    const outcome = await watchStudy(plan, { exec, pollMs: 1, signal: controller.signal });
    assert.equal(outcome.kind, 'cancelled');
    assert.deepEqual([...outcome.view.shards.map((s) => s.state), outcome.view.merge.state], ['cancelled', 'cancelled', 'cancelled']);
  } finally {
    done();
  }
});

test('after scancel the watch waits while Slurm still ends the tasks (COMPLETING), then shows them cancelled', async () => {
  const { plan, done } = setup('steps', ['/d.jsonl']);
  try {
    const squeue: Record<string, string> = { '7_0': 'RUNNING', '7_1': 'RUNNING', '8': 'PENDING' };
    let after = -1;
    const slurm = fakeSlurm(squeue);
    const exec: Exec = async (command, args) => {
      if (command === 'scancel') {
        after = 0;
        delete squeue['8'];
        squeue['7_0'] = 'COMPLETING';
        squeue['7_1'] = 'COMPLETING';
      } else if (command === 'squeue' && after >= 0 && ++after > 2) {
        for (const k of Object.keys(squeue)) delete squeue[k];
      }
      return slurm.exec(command, args);
    };
    const controller = new AbortController();
    controller.abort();
    const seen: string[] = [];
    const outcome = await watchStudy(plan, { exec, pollMs: 1, signal: controller.signal, onView: (v) => seen.push(v.shards.map((x) => x.state).join(',')) });
    assert.equal(outcome.kind, 'cancelled');
    assert.deepEqual(seen, ['running,running', 'running,running', 'cancelled,cancelled']);
    assert.equal(slurm.calls.filter((c) => c[0] === 'scancel').length, 1);
    const stuck = fakeSlurm({ '7_0': 'RUNNING', '7_1': 'RUNNING', '8': 'PENDING' });
    const gaveUp = await watchStudy(plan, { exec: stuck.exec, pollMs: 5, settleMs: 30, signal: controller.signal });
    assert.deepEqual(gaveUp.view.shards.map((x) => x.state), ['running', 'running'], 'after settleMs the last view is shown as Slurm gives it');
  } finally {
    done();
  }
});

test('cancelling a study never submitted runs no scancel', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lt-watch-'));
  try {
    const { exec, calls } = fakeSlurm({});
    assert.deepEqual(await cancelStudy(out, exec), []);
    assert.equal(calls.length, 0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
