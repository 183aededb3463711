/** Runs a child process to its end and collects its output (the benches' one way to start one). */
import { spawn } from 'node:child_process';

export interface ChildRun {
  code: number;
  stdout: string;
  stderr: string;
  /** wall time from spawn to exit */
  ms: number;
}

/** runs a child process to its end, collecting its output; a failure to start is code -1 */
export function runChild(command: string, args: string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', (err) => resolvePromise({ code: -1, stdout, stderr: String(err), ms: performance.now() - t0 }));
    p.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 }));
  });
}
