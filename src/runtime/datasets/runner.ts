/**
 * Runs a processor over dataset items with resumable results (results.ts): items already in the
 * results file are skipped, the rest are processed by `workers` worker threads (0 = in this thread)
 * and committed in item order through a small reorder buffer. Killing the process at any moment
 * loses at most the uncommitted items, which the next run processes again.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveProcessor } from './factories';
import type { DatasetItem } from './item';
import type { ProcessorSpec } from './processor';
import { openResults, type ResultLine, type ResultsHeader } from './results';
import type { FromWorker, ToWorker } from './worker-protocol';

export interface RunOptions {
  items: DatasetItem[];
  resultsPath: string;
  header: ResultsHeader;
  processor: ProcessorSpec;
  /** worker threads; 0 runs in the calling thread */
  workers: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, line: ResultLine) => void;
}

export interface RunSummary {
  /** every item's line, in item order */
  lines: ResultLine[];
  resumed: number;
  processed: number;
  failed: number;
}

export async function runDataset(o: RunOptions): Promise<RunSummary> {
  const results = openResults(o.resultsPath, o.header);
  const wanted = new Set(o.items.map((it) => it.index));
  const stray = [...results.done.keys()].filter((i) => !wanted.has(i));
  if (stray.length) {
    results.close();
    throw new Error(`${o.resultsPath} has results for items not in this run (e.g. index ${stray[0]})`);
  }
  const pending = o.items.filter((it) => !results.done.has(it.index)).sort((a, b) => a.index - b.index);
  const resumed = o.items.length - pending.length;
  const total = o.items.length;
  const finished = new Map<number, ResultLine>();
  let nextToCommit = 0;
  let committed = resumed;
  const commit = (line: ResultLine) => {
    finished.set(line.index, line);
    while (nextToCommit < pending.length && finished.has(pending[nextToCommit].index)) {
      const ready = finished.get(pending[nextToCommit].index) as ResultLine;
      finished.delete(ready.index);
      results.append(ready);
      nextToCommit++;
      committed++;
      o.onProgress?.(committed, total, ready);
    }
  };
  try {
    if (pending.length > 0) {
      if (o.workers <= 0) await runInline(pending, o, commit);
      else await runInWorkers(pending, o, commit);
    }
  } finally {
    results.close();
  }
  const lines = o.items.map((it) => results.done.get(it.index) as ResultLine).sort((a, b) => a.index - b.index);
  return { lines, resumed, processed: pending.length, failed: lines.filter((l) => !l.ok).length };
}

async function runInline(pending: DatasetItem[], o: RunOptions, commit: (l: ResultLine) => void): Promise<void> {
  const processor = await (await resolveProcessor(o.processor))(o.processor.options);
  try {
    for (const item of pending) {
      o.signal?.throwIfAborted();
      try {
        commit({ index: item.index, source: item.source, ok: true, result: await processor.process(item, o.signal) });
      } catch (err) {
        if (o.signal?.aborted) throw err;
        commit({ index: item.index, source: item.source, ok: false, error: (err as Error).message.split('\n')[0] });
      }
    }
  } finally {
    await processor.dispose();
  }
}

/**
 * A worker thread running worker.ts: the bundled dist/dataset-worker.js in a build, the TypeScript
 * source through tsx's CommonJS hook when running from source (tests, `npm run bench`), since loader
 * hooks registered by --import do not reach worker threads.
 */
function startWorker(spec: ProcessorSpec): Worker {
  const source = join(__dirname, 'worker.ts');
  if (!existsSync(source)) return new Worker(join(__dirname, 'dataset-worker.js'), { workerData: { spec } });
  const code = `require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`;
  return new Worker(code, { eval: true, workerData: { spec } });
}

function runInWorkers(pending: DatasetItem[], o: RunOptions, commit: (l: ResultLine) => void): Promise<void> {
  const count = Math.min(o.workers, pending.length);
  const sourceOf = new Map(pending.map((it) => [it.index, it.source]));
  return new Promise<void>((resolvePromise, reject) => {
    const workers: Worker[] = [];
    const exited = new Set<Worker>();
    let next = 0;
    let outstanding = pending.length;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      // Never terminate() a worker mid-item: tearing down a thread inside an onnxruntime call aborts the
      // whole process. Ask it to abort its item between ONNX calls, dispose its engine and exit instead.
      const closing = workers.map((w) => new Promise<void>((r) => {
        if (exited.has(w)) return r();
        const force = setTimeout(() => void w.terminate(), 30_000);
        w.once('exit', () => { clearTimeout(force); r(); });
        w.postMessage({ type: 'close', abort: err !== undefined } satisfies ToWorker);
      }));
      void Promise.all(closing).then(() => (err ? reject(err) : resolvePromise()));
    };
    const onAbort = () => finish(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (w: Worker) => {
      if (next < pending.length) w.postMessage({ type: 'item', item: pending[next++] } satisfies ToWorker);
    };
    for (let k = 0; k < count; k++) {
      const w = startWorker(o.processor);
      workers.push(w);
      w.on('message', (m: FromWorker) => {
        if (settled) return;
        if (m.type === 'fatal') return finish(new Error(m.message));
        // two items in flight per worker: the next one is already queued when a result goes back,
        // so a worker never idles for the round trip through this thread
        if (m.type === 'ready') {
          feed(w);
          return feed(w);
        }
        try {
          commit({ index: m.index, source: sourceOf.get(m.index) as string, ok: m.ok, ...(m.ok ? { result: m.result } : { error: m.error }) });
        } catch (err) {
          return finish(err as Error);
        }
        outstanding--;
        if (outstanding === 0) return finish();
        feed(w);
      });
      w.on('error', (err) => finish(err));
      w.on('exit', (code) => {
        exited.add(w);
        if (!settled && code !== 0) finish(new Error(`a dataset worker exited with code ${code}`));
      });
    }
    if (o.signal?.aborted) onAbort();
  });
}
