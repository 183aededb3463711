/**
 * Dataset worker thread (bundled as dist/dataset-worker.js): makes its own processor (and so its own
 * engine, 1 intra-op thread) and processes one item per message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveProcessor } from './factories';
import type { ItemProcessor, ProcessorSpec } from './processor';
import type { ToWorker, FromWorker } from './worker-protocol';

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('dataset worker started outside a worker thread');
  const send = (m: FromWorker) => port.postMessage(m);
  let processor: ItemProcessor;
  try {
    processor = await (await resolveProcessor((workerData as { spec: ProcessorSpec }).spec))((workerData as { spec: ProcessorSpec }).spec.options);
  } catch (err) {
    send({ type: 'fatal', message: (err as Error).message });
    return;
  }
  send({ type: 'ready' });
  // Messages are handled one at a time so `close` never disposes the engine under a running item.
  let chain = Promise.resolve();
  let current: AbortController | null = null;
  let aborting = false;
  const handle = async (m: ToWorker) => {
    if (m.type === 'close') {
      await processor.dispose();
      port.close();
      return;
    }
    // an item queued behind the one that was aborted is dropped: the run is over
    if (aborting) return;
    current = new AbortController();
    try {
      const result = await processor.process(m.item, current.signal);
      send({ type: 'result', index: m.item.index, ok: true, result });
    } catch (err) {
      send({ type: 'result', index: m.item.index, ok: false, error: (err as Error).message.split('\n')[0] });
    } finally {
      current = null;
    }
  };
  port.on('message', (m: ToWorker) => {
    if (m.type === 'close' && m.abort) {
      aborting = true;
      current?.abort(new Error('aborted'));
    }
    chain = chain.then(() => handle(m));
  });
}

void start();
