/**
 * Whether the @vscode/test-electron suite can run here: it needs a VS Code build (cached in .vscode-test/
 * or downloadable from update.code.visualstudio.com) and, on Linux, a display (DISPLAY or xvfb-run).
 * Returns the reason to skip, or undefined when it can run. Offline it answers within a few seconds.
 */
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const DOWNLOAD_PROBE = 'https://update.code.visualstudio.com/api/releases/stable';

export function cachedVSCode(repo: string): boolean {
  const dir = join(repo, '.vscode-test');
  return existsSync(dir) && readdirSync(dir).some((d) => d.startsWith('vscode-'));
}

function hasDisplay(): boolean {
  if (process.platform !== 'linux' || process.env.DISPLAY) return true;
  return spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;
}

export async function integrationSkipReason(repo: string, timeoutMs = 4000): Promise<string | undefined> {
  if (!hasDisplay()) return 'no display: set DISPLAY or install xvfb (apt-get install xvfb) to run VS Code';
  if (cachedVSCode(repo)) return undefined;
  try {
    const res = await fetch(DOWNLOAD_PROBE, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return `VS Code cannot be downloaded (${DOWNLOAD_PROBE} answered ${res.status})`;
    return undefined;
  } catch (err) {
    return `VS Code cannot be downloaded here (${DOWNLOAD_PROBE}: ${(err as Error).cause ?? (err as Error).message}); the end-to-end suite covers the real host offline`;
  }
}
