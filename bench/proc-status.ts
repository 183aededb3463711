/** This process's memory figures from /proc/self/status (Linux): VmHWM is the peak resident set. */
import { readFile } from 'node:fs/promises';

export async function peakRssBytes(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error('/proc/self/status: no VmHWM line (peak RSS needs Linux)');
  return Number(m[1]) * 1024;
}
