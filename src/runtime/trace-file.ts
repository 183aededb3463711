/** Trace files (`*.ltrace.json`, docs/trace-format.md) on disk, written atomically. */
import { readFile } from 'node:fs/promises';
import type { Trace } from '../shared/trace';
import { decodeTrace, encodeTrace } from '../shared/trace-codec';
import { writeFileAtomic } from './atomic';

export const TRACE_SUFFIX = '.ltrace.json';

export async function writeTraceFile(path: string, trace: Trace): Promise<void> {
  await writeFileAtomic(path, encodeTrace(trace));
}

export async function readTraceFile(path: string): Promise<Trace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read the trace (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return decodeTrace(text);
  } catch (err) {
    throw new Error(`${path}: not a readable trace (${(err as Error).message})`);
  }
}
