/**
 * Cancelling a dataset run on worker processes must end the run cleanly: the CLI exits with the
 * cancelled code, not a native abort (worker threads terminated inside onnxruntime used to abort the
 * whole process), and no worker process outlives it. Runs the built CLI in its own process group,
 * interrupts it mid-run with SIGINT, sent to the CLI alone or to the whole group as a terminal's Ctrl-C
 * does, and checks how it ended; three times, since the race is timing-dependent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { groupGone } from './process-group';

const root = resolve(__dirname, '../..');
const bundle = join(root, 'test/fixtures/golden/bundles/lare-tiny');
const samples = join(root, 'media/samples/samples.jsonl');
const cli = join(root, 'dist/cli.js');
const ready = existsSync(join(bundle, 'latent-trace.json')) && existsSync(samples) && existsSync(cli);

test('SIGINT during a run on 2 worker processes exits with the cancelled code and leaves no worker behind', { skip: !ready && 'tiny bundle, samples or dist/cli.js (npm run build) missing', timeout: 180_000 }, async () => {
  for (let run = 0; run < 3; run++) await interruptOnce(run);
});

async function interruptOnce(run: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-cancel-'));
  const lines = readFileSync(samples, 'utf8').trim().split('\n').slice(0, 200).map((l) => {
    const r = JSON.parse(l);
    r.image = join(root, 'media/samples', r.image);
    return JSON.stringify(r);
  });
  const data = join(dir, 'items.jsonl');
  writeFileSync(data, `${lines.join('\n')}\n`);
  const child = spawn(process.execPath, [cli, 'steps', data, '--model', bundle, '--workers', '2', '--out', join(dir, `out${run}`)], {
    cwd: root, env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ORT_DISABLE_TELEMETRY: '1' }, detached: true,
  });
  const group = child.pid as number;
  const toGroup = run % 2 === 1;
  let stderr = '';
  let sent = false;
  const interrupted = new Promise<void>((resolveInterrupt) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // interrupt once both workers are busy with items
      if (/item\s+\d+|\d+\s*\/\s*\d+/.test(stderr) && !sent) {
        sent = true;
        if (toGroup) process.kill(-group, 'SIGINT');
        else child.kill('SIGINT');
        resolveInterrupt();
      }
    });
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const first = await Promise.race([interrupted.then(() => 'interrupted'), ended.then(() => 'ended')]);
  assert.equal(first, 'interrupted', `the run ended before it could be interrupted; stderr:\n${stderr}`);
  const { code, signal } = await ended;
  assert.equal(signal, null, `the process died of ${signal}; stderr:\n${stderr}`);
  assert.doesNotMatch(stderr, /terminate called|Napi::Error/);
  assert.match(stderr, /cancelled/);
  assert.equal(code, 130);
  // the CLI exits only after its workers have: none may be left at all
  assert.ok(await groupGone(group, 0), `a worker process outlived the cancelled run (SIGINT to the ${toGroup ? 'group' : 'CLI'})`);
}
