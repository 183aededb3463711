/**
 * Times the PyTorch reference implementation of the same bundled model on the same CPU:
 * `<python> training/bench_reference.py --bundle <dir> --image <png> --question <q> --steps T
 *  --answer-tokens K --repeats R` prints one JSON line with `median_ms` and `min_ms` (eager, 1 thread).
 * The model is rebuilt from the bundle's committed weights, so this runs on a fresh clone; <python> is
 * the project's (bench/python.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectPython } from './python';
import type { BenchContext } from './types';

/** $LATENT_TRACE_BENCH_REFERENCE overrides the script (e.g. a reference living elsewhere) */
export const REFERENCE_SCRIPT = process.env.LATENT_TRACE_BENCH_REFERENCE ?? resolve(__dirname, '..', 'training', 'bench_reference.py');
export async function pytorchReferenceMs(ctx: BenchContext, o: { steps: number; answerTokens: number }): Promise<{ ms: number | null; minMs: number | null; detail: string }> {
  if (!existsSync(REFERENCE_SCRIPT)) return { ms: null, minMs: null, detail: `${REFERENCE_SCRIPT} not found` };
  const { python, detail: noPython } = projectPython(ctx.log);
  if (!python) return { ms: null, minMs: null, detail: noPython };
  const tmp = await mkdtemp(join(tmpdir(), 'lt-bench-'));
  try {
    let image = ctx.image;
    if (typeof image !== 'string') {
      await writeFile(join(tmp, 'image.png'), image);
      image = join(tmp, 'image.png');
    }
    const args = [REFERENCE_SCRIPT, '--bundle', ctx.modelDir, '--image', image, '--question', ctx.question,
      '--steps', String(o.steps), '--answer-tokens', String(o.answerTokens), '--repeats', String(ctx.repeats)];
    const { code, stdout, stderr } = await run(python, args);
    if (code !== 0) return { ms: null, minMs: null, detail: `bench_reference.py exited ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}` };
    const last = stdout.trim().split('\n').at(-1) ?? '';
    try {
      const j = JSON.parse(last);
      const ms = Number(j.median_ms ?? j.ms);
      if (!Number.isFinite(ms)) throw new Error('no median_ms');
      const minMs = Number.isFinite(Number(j.min_ms)) ? Number(j.min_ms) : null;
      return { ms, minMs, detail: `PyTorch ${j.torch ?? ''} eager, ${j.threads ?? 1} thread(s)`.trim() };
    } catch {
      return { ms: null, minMs: null, detail: `bench_reference.py printed no JSON with median_ms: ${last.slice(0, 200)}` };
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE', ORT_DISABLE_TELEMETRY: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => resolveRun({ code: -1, stdout, stderr: String(err) }));
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
  });
}
