// A panel whose app never says `ready` (its script did not load) is loaded again, at most twice; one that
// starts, or that is hidden meanwhile, is left alone.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ReadyWatchdog } from '../../../src/vscode/panel/ready-watchdog';

function harness(visible = () => true) {
  const calls: string[] = [];
  const dog = new ReadyWatchdog({
    reload: () => calls.push('reload'),
    visible,
    warn: (m) => calls.push(`warn ${m}`),
    error: (m) => calls.push(`error ${m}`),
  }, 1000, 2);
  return { dog, calls };
}

test('an app that never starts is loaded again twice, then the log says to reopen the tab', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { dog, calls } = harness();
    dog.loading();
    mock.timers.tick(999);
    assert.deepEqual(calls, []);
    mock.timers.tick(1);
    assert.deepEqual(calls.filter((c) => c === 'reload').length, 1);
    assert.match(calls[0], /did not start within 1 s .*loading it again \(1 of 2\)/);
    mock.timers.tick(1000);
    mock.timers.tick(1000);
    mock.timers.tick(5000);
    assert.equal(calls.filter((c) => c === 'reload').length, 2);
    assert.match(calls.at(-1) ?? '', /^error .*after 2 reloads; close the tab/);
    dog.dispose();
  } finally {
    mock.timers.reset();
  }
});

test('an app that starts in time, or after one reload, is not loaded again', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const fine = harness();
    fine.dog.loading();
    mock.timers.tick(500);
    fine.dog.started();
    mock.timers.tick(10_000);
    assert.deepEqual(fine.calls, []);

    const late = harness();
    late.dog.loading();
    mock.timers.tick(1000);
    late.dog.started();
    mock.timers.tick(10_000);
    assert.equal(late.calls.filter((c) => c === 'reload').length, 1);
    assert.ok(!late.calls.some((c) => c.startsWith('error')));
  } finally {
    mock.timers.reset();
  }
});

test('time spent hidden does not count: a hidden panel loads when it is shown', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let shown = false;
    const { dog, calls } = harness(() => shown);
    dog.loading();
    mock.timers.tick(10_000);
    assert.deepEqual(calls, []);
    shown = true;
    mock.timers.tick(1000);
    assert.equal(calls.filter((c) => c === 'reload').length, 1);
    dog.dispose();
    mock.timers.tick(10_000);
    assert.equal(calls.filter((c) => c === 'reload').length, 1, 'a disposed watchdog stays quiet');
  } finally {
    mock.timers.reset();
  }
});
