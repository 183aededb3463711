/**
 * Runs a processor over dataset items with resumable results (results.ts): items already in the
 * results file are skipped, the rest are processed by `workers` worker processes (0 = in this process)
 * and committed in item order through a small reorder buffer. Killing the process at any moment
 * loses at most the uncommitted items, which the next run processes again.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { DatasetItem } from '../runtime/datasets/item';
import { openResults, type ResultLine, type ResultsHeader } from '../runtime/datasets/results';
import { openProcessor } from './factories';
import type { ProcessorSpec, ResultOfSpec } from './processor';
import type { FromWorker, ToWorker } from './worker-protocol';

export interface RunOptions<S extends ProcessorSpec = ProcessorSpec> {
  items: DatasetItem[];
  resultsPath: string;
  header: ResultsHeader;
  processor: S;
  /** worker processes; 0 runs in the calling thread */
  workers: number;
  signal?: AbortSignal;
  /** before any item runs: how many items the results file already holds */
  onStart?: (resumed: number) => void;
  onProgress?: (done: number, total: number, line: ResultLine<ResultOfSpec<S>>) => void;
}

export interface RunSummary<R = unknown> {
  /** every item's line, in item order */
  lines: ResultLine<R>[];
  resumed: number;
  processed: number;
  failed: number;
}

export async function runDataset<S extends ProcessorSpec>(o: RunOptions<S>): Promise<RunSummary<ResultOfSpec<S>>> {
  type R = ResultOfSpec<S>;
  const results = openResults<R>(o.resultsPath, o.header);
  const wanted = new Set(o.items.map((it) => it.index));
  const stray = [...results.done.keys()].filter((i) => !wanted.has(i));
  if (stray.length) {
    results.close();
    throw new Error(`${o.resultsPath} has results for items not in this run (e.g. index ${stray[0]})`);
  }
  const pending = o.items.filter((it) => !results.done.has(it.index)).sort((a, b) => a.index - b.index);
  const resumed = o.items.length - pending.length;
  o.onStart?.(resumed);
  const total = o.items.length;
  const finished = new Map<number, ResultLine<R>>();
  let nextToCommit = 0;
  let committed = resumed;
  const commit = (line: ResultLine<R>) => {
    finished.set(line.index, line);
    while (nextToCommit < pending.length && finished.has(pending[nextToCommit].index)) {
      const ready = finished.get(pending[nextToCommit].index) as ResultLine<R>;
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
  const lines = o.items.map((it) => results.done.get(it.index) as ResultLine<R>).sort((a, b) => a.index - b.index);
  return { lines, resumed, processed: pending.length, failed: lines.filter((l) => !l.ok).length };
}

async function runInline<S extends ProcessorSpec>(pending: DatasetItem[], o: RunOptions<S>, commit: (l: ResultLine<ResultOfSpec<S>>) => void): Promise<void> {
  const processor = await openProcessor(o.processor);
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
 * A worker process running worker.ts: the bundled dist/dataset-worker.js in a build, the TypeScript
 * source through tsx when running from source (tests, `npm run bench`). Processes, not worker threads:
 * two engines in worker threads of one process scaled 1.3-1.5x on 2 cores where two processes scaled
 * 1.9-2.0x (steps study, 100 items), and a process can be killed mid-item without harm. The parent's
 * execArgv (--inspect in a debugged extension host, say) is not inherited; under Electron (VS Code's
 * extension host) the child runs as plain Node.
 */
function startWorker(): ChildProcess {
  const source = join(__dirname, 'worker.ts');
  const fromSource = existsSync(source);
  return fork(fromSource ? source : join(__dirname, 'dataset-worker.js'), [], {
    execArgv: fromSource ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [],
    serialization: 'advanced',
    // a worker never writes to stdout, which carries the CLI's --json report; anything it prints goes to stderr
    stdio: ['ignore', 2, 2, 'ipc'],
    env: process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env,
  });
}

function runInWorkers<S extends ProcessorSpec>(pending: DatasetItem[], o: RunOptions<S>, commit: (l: ResultLine<ResultOfSpec<S>>) => void): Promise<void> {
  const count = Math.min(o.workers, pending.length);
  const sourceOf = new Map(pending.map((it) => [it.index, it.source]));
  return new Promise<void>((resolvePromise, reject) => {
    const workers: ChildProcess[] = [];
    let next = 0;
    let outstanding = pending.length;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      // On success each worker releases its engine and exits; on cancel or failure nothing it still
      // computes can be committed, so it is killed at once (a separate process: safe mid-ONNX-call).
      const closing = workers.map((w) => new Promise<void>((r) => {
        if (w.exitCode !== null || w.signalCode !== null) return r();
        const force = setTimeout(() => w.kill('SIGKILL'), err ? 5_000 : 30_000);
        w.once('exit', () => { clearTimeout(force); r(); });
        if (err || !w.connected) w.kill('SIGTERM');
        else w.send({ type: 'close' } satisfies ToWorker);
      }));
      void Promise.all(closing).then(() => (err ? reject(err) : resolvePromise()));
    };
    const onAbort = () => finish(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (w: ChildProcess) => {
      if (next < pending.length) w.send({ type: 'item', item: pending[next++] } satisfies ToWorker);
    };
    for (let k = 0; k < count; k++) {
      const w = startWorker();
      workers.push(w);
      w.on('message', (m: FromWorker<ResultOfSpec<S>>) => {
        if (settled) return;
        if (m.type === 'fatal') return finish(new Error(m.message));
        // two items in flight per worker: the next one is already queued when a result goes back,
        // so a worker never idles for the round trip through this process
        if (m.type === 'ready') {
          feed(w);
          return feed(w);
        }
        try {
          const source = sourceOf.get(m.index) as string;
          commit(m.ok ? { index: m.index, source, ok: true, result: m.result } : { index: m.index, source, ok: false, error: m.error });
        } catch (err) {
          return finish(err as Error);
        }
        outstanding--;
        if (outstanding === 0) return finish();
        feed(w);
      });
      w.on('error', (err) => finish(new Error(`a dataset worker failed: ${err.message}`)));
      w.on('exit', (code, signal) => {
        if (!settled) finish(new Error(`a dataset worker exited ${signal ? `on ${signal}` : `with code ${code}`} before the run ended`));
      });
      w.send({ type: 'init', spec: o.processor } satisfies ToWorker);
    }
    if (o.signal?.aborted) onAbort();
  });
}
