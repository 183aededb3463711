/**
 * Dataset worker process (bundled as dist/dataset-worker.js, forked by runner.ts): makes its own
 * processor (and so its own engine, 1 intra-op thread) and processes one item per message.
 */
import { openProcessor } from './factories';
import type { ItemProcessor } from './processor';
import type { ToWorker, FromWorker } from './worker-protocol';

function start(): void {
  if (!process.send) throw new Error('the dataset worker must be started by the dataset runner (no IPC channel)');
  const send = (m: FromWorker) => void process.send?.(m);
  // A terminal's Ctrl-C reaches the whole process group: the runner decides what its workers do.
  process.on('SIGINT', () => undefined);
  // The runner is gone (killed): nothing this process computes could be committed any more.
  process.on('disconnect', () => process.exit(0));
  let processor: Promise<ItemProcessor> | undefined;
  // Messages are handled one at a time, so `close` never disposes the engine under a running item.
  let chain = Promise.resolve();
  const handle = async (m: ToWorker) => {
    if (m.type === 'init') {
      processor = openProcessor(m.spec);
      try {
        await processor;
        send({ type: 'ready' });
      } catch (err) {
        send({ type: 'fatal', message: (err as Error).message });
      }
      return;
    }
    if (!processor) throw new Error(`dataset worker got "${m.type}" before "init"`);
    const p = await processor;
    if (m.type === 'close') {
      await p.dispose();
      process.disconnect();
      return;
    }
    try {
      send({ type: 'result', index: m.item.index, ok: true, result: await p.process(m.item) });
    } catch (err) {
      send({ type: 'result', index: m.item.index, ok: false, error: (err as Error).message.split('\n')[0] });
    }
  };
  process.on('message', (m: ToWorker) => {
    chain = chain.then(() => handle(m)).catch((err: Error) => send({ type: 'fatal', message: err.message }));
  });
}

start();
