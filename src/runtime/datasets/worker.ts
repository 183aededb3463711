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
  port.on('message', async (m: ToWorker) => {
    if (m.type === 'close') {
      await processor.dispose();
      port.close();
      return;
    }
    try {
      const result = await processor.process(m.item);
      send({ type: 'result', index: m.item.index, ok: true, result });
    } catch (err) {
      send({ type: 'result', index: m.item.index, ok: false, error: (err as Error).message.split('\n')[0] });
    }
  });
}

void start();
