/** Trace files (`*.ltrace.json`, docs/trace-format.md) on disk, written atomically. */
import { readFile, stat } from 'node:fs/promises';
import type { Trace } from '../shared/trace';
import { decodeTrace, encodeTrace, traceSizeProblem } from '../shared/trace-codec';
import { writeFileAtomic } from './atomic';

export const TRACE_SUFFIX = '.ltrace.json';

export async function writeTraceFile(path: string, trace: Trace): Promise<void> {
  await writeFileAtomic(path, encodeTrace(trace));
}

export async function readTraceFile(path: string): Promise<Trace> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`${path}: not a regular file`);
    const tooLarge = traceSizeProblem(info.size);
    if (tooLarge) throw new Error(`${path}: ${tooLarge}`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code ? new Error(`${path}: cannot read the trace (${code})`) : err;
  }
  try {
    return decodeTrace(text);
  } catch (err) {
    throw new Error(`${path}: not a readable trace (${(err as Error).message})`);
  }
}
