/** The extension's run queue under a burst of 10,000 concurrent run requests (catalogue: "10,000 concurrent runs"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_QUEUED_RUNS, QueueFullError, RunQueue } from '../../../src/vscode/runQueue';

test('10,000 concurrent requests: a few run one at a time, the rest are refused at once, the loop stays responsive', async () => {
  const queue = new RunQueue();
  let running = 0;
  let maxRunning = 0;
  let ran = 0;
  const request = async (): Promise<'ran' | QueueFullError> => {
    let slot;
    try {
      slot = queue.reserve();
    } catch (err) {
      if (err instanceof QueueFullError) return err;
      throw err;
    }
    try {
      await sleep(1); // the question box
      return await slot.run(async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(5); // the trace
        running--;
        ran++;
        return 'ran' as const;
      });
    } finally {
      slot.release();
    }
  };
  const started = performance.now();
  let timerLatency = Infinity;
  const timer = sleep(0).then(() => { timerLatency = performance.now() - started; });
  const outcomes = await Promise.all(Array.from({ length: 10_000 }, request));
  await timer;
  const refused = outcomes.filter((o): o is QueueFullError => o instanceof QueueFullError);
  assert.equal(ran, MAX_QUEUED_RUNS);
  assert.equal(refused.length, 10_000 - MAX_QUEUED_RUNS);
  assert.equal(maxRunning, 1, 'runs overlapped');
  assert.equal(refused.filter((e) => e.first).length, 1, 'one notification for the burst');
  assert.match(refused[0].message, /8 runs are already running or waiting; wait for them to finish or cancel one/);
  assert.ok(timerLatency < 500, `a timer set during the burst fired after ${timerLatency.toFixed(0)} ms`);
  assert.equal(queue.size, 0);
  assert.equal(await request(), 'ran', 'the queue takes runs again once it has room');
});

test('a failing run gives its place back and does not stop the runs after it', async () => {
  const queue = new RunQueue(2);
  const a = queue.reserve();
  const b = queue.reserve();
  assert.throws(() => queue.reserve(), QueueFullError);
  const failing = a.run(async () => { throw new Error('bad image'); }).finally(() => a.release());
  const next = b.run(async () => 'next').finally(() => b.release());
  await assert.rejects(failing, /bad image/);
  assert.equal(await next, 'next');
  assert.equal(queue.size, 0);
  a.release();
  assert.equal(queue.size, 0, 'release is idempotent');
  assert.equal(await queue.enqueue(async () => 'released'), 'released');
});
