/**
 * The project's Python for the benches' references (PyTorch, scikit-learn): $LATENT_TRACE_PYTHON, else the
 * venv `training/.venv`, created with `bash training/setup_env.sh` (which prints the interpreter on its
 * last line) when a fresh clone has none yet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const VENV_PYTHON = join(REPO, 'training', '.venv', 'bin', 'python');

let found: { python: string | null; detail: string } | undefined;

export function projectPython(log: (m: string) => void): { python: string | null; detail: string } {
  if (found) return found;
  if (process.env.LATENT_TRACE_PYTHON) return (found = { python: process.env.LATENT_TRACE_PYTHON, detail: '' });
  if (existsSync(VENV_PYTHON)) return (found = { python: VENV_PYTHON, detail: '' });
  log('bench: creating the Python venv for the references (bash training/setup_env.sh, once)');
  const r = spawnSync('bash', [join(REPO, 'training', 'setup_env.sh')], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const last = (r.stdout ?? '').trim().split('\n').at(-1) ?? '';
  found = r.status === 0 && existsSync(last)
    ? { python: last, detail: '' }
    : { python: null, detail: `training/setup_env.sh exited ${r.status}; the Python references were not run` };
  return found;
}
