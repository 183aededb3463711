// A probing study on a real single-node Slurm (scripts/slurm-local.sh: slurmctld, slurmd, munge on
// this host, started and stopped here): submitted as a 2-task array with a dependent merge, its report
// equals the local run's (all but createdAt); with one task killed mid-run, a second submit resubmits
// that shard alone and the report is still the local run's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..', '..');
const SLURM = join(ROOT, 'scripts', 'slurm-local.sh');
const STUDY = ['probe', join(ROOT, 'media/samples/samples.jsonl'), '--model', join(ROOT, 'models/lare-shapes'), '--ablation', join(ROOT, 'models/lare-shapes-noextractor'),
  '--limit', '60', '--pairs', '40', '--bootstrap', '50', '--workers', '1'];
const TIMEOUT_MS = 240_000;
const tmp = mkdtempSync(join(tmpdir(), 'lt-slurm-'));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sh(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs = TIMEOUT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; logs: ${readdirSync(tmp, { recursive: true }).join(', ')}`);
    await sleep(200);
  }
}

const queueEmpty = () => sh('squeue', ['-h', '-o', '%i']).trim() === '';

function report(out: string): Record<string, unknown> {
  const r = JSON.parse(readFileSync(join(out, 'probing.report.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(typeof r.createdAt, 'string');
  delete r.createdAt;
  return r;
}

function mergeLog(out: string): string {
  const log = join(out, 'slurm', 'merge.log');
  return existsSync(log) ? readFileSync(log, 'utf8') : '(no merge log)';
}

let local: Record<string, unknown>;

before(() => {
  const up = spawnSync('bash', [SLURM, 'start'], { encoding: 'utf8' });
  assert.equal(up.status, 0, `single-node Slurm did not start: ${up.stderr}`);
  const run = cli([...STUDY, '--out', join(tmp, 'local')]);
  assert.equal(run.status, 0, run.stderr);
  local = report(join(tmp, 'local'));
});

after(() => {
  spawnSync('scancel', ['--user', 'root'], { encoding: 'utf8' });
  spawnSync('bash', [SLURM, 'stop'], { encoding: 'utf8' });
  rmSync(tmp, { recursive: true, force: true });
});

test('a 2-task array and its dependent merge give the local run\'s report', async () => {
  const out = join(tmp, 'array');
  const dry = cli(['submit', ...STUDY, '--out', out, '--slurm', '--tasks', '2', '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /--shard "\$SLURM_ARRAY_TASK_ID\/2"/);
  assert.ok(!existsSync(join(out, 'slurm', 'jobs.json')), 'a dry run submits nothing');
  const sub = cli(['submit', ...STUDY, '--out', out, '--slurm', '--tasks', '2']);
  assert.equal(sub.status, 0, sub.stderr);
  assert.match(sub.stdout, /^submitted all 2 shards as array job \d+; merge job \d+ writes the report$/m);
  await until('the merge job', () => existsSync(join(out, 'slurm', 'report.done')) || (queueEmpty() && !existsSync(join(out, 'slurm', 'report.done'))));
  assert.ok(existsSync(join(out, 'slurm', 'report.done')), `the merge job did not finish: ${mergeLog(out)}`);
  assert.deepEqual(report(out), local);
  const status = cli(['status', out]);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /2 of 2 shards finished, report written/);
  assert.match(status.stdout, /shard 1: done, items 30\/30 \+ 30\/30/);
  const again = cli(['submit', ...STUDY, '--out', out, '--slurm', '--tasks', '2']);
  assert.match(again.stdout, /nothing to submit/);
});

test('a task killed mid-run is resubmitted alone and the report is still the local run\'s', async () => {
  const out = join(tmp, 'killed');
  const sub = cli(['submit', ...STUDY, '--out', out, '--slurm', '--tasks', '2']);
  assert.equal(sub.status, 0, sub.stderr);
  const job = /array job (\d+)/.exec(sub.stdout)?.[1] as string;
  const shard1 = join(out, 'results', 'probe-lare-shapes.shard-1-of-2.jsonl');
  // mid-run: the shard has opened its results file, its engine has not finished the items
  await until('shard 1 to start', () => existsSync(shard1));
  sh('scancel', [`${job}_1`]);
  await until('the array job to leave the queue', () => !sh('squeue', ['-h', '-o', '%i']).split('\n').some((id) => id.startsWith(`${job}_`)));
  assert.ok(!existsSync(join(out, 'slurm', 'shard-1.done')), 'shard 1 finished before it was killed');
  assert.ok(existsSync(join(out, 'slurm', 'shard-0.done')), 'shard 0 should have finished');
  assert.ok(!existsSync(join(out, 'probing.report.json')), 'no report while a shard is missing');
  const status = cli(['status', out]);
  assert.match(status.stdout, /1 of 2 shards finished/);
  assert.match(status.stdout, /shard 1: not finished/);
  const resub = cli(['submit', ...STUDY, '--out', out, '--slurm', '--tasks', '2']);
  assert.equal(resub.status, 0, resub.stderr);
  assert.match(resub.stdout, /^submitted shards 1 of 2 \(the others are done\) as array job \d+/m);
  await until('the merge job', () => existsSync(join(out, 'slurm', 'report.done')) || (queueEmpty() && !existsSync(join(out, 'slurm', 'report.done'))));
  assert.ok(existsSync(join(out, 'slurm', 'report.done')), `the merge job did not finish: ${mergeLog(out)}`);
  assert.deepEqual(report(out), local);
  const jobs = JSON.parse(readFileSync(join(out, 'slurm', 'jobs.json'), 'utf8')) as { submissions: { shards: number[] }[] };
  assert.deepEqual(jobs.submissions.map((s) => s.shards), [[0, 1], [1]]);
});
