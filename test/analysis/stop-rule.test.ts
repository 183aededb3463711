import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstStopStep, stopsAt } from '../../src/analysis/stop-rule';
import { adaptiveStopStep } from '../../src/analysis/convergence';
import { stopAfter } from '../../src/runtime/loop-parts';
import type { StepDistance } from '../../src/shared/trace';

test('the adaptive rule stops at the first step whose distance falls below the threshold', () => {
  assert.equal(firstStopStep([null, 0.5, 0.2, 0.05, 0.01], 0.1), 4);
  assert.equal(firstStopStep([null, 0.5, 0.09, 0.2], 0.1), 3);
});

test('a distance equal to the threshold does not stop; no crossing is null; the first step never stops', () => {
  assert.equal(firstStopStep([null, 0.1, 0.1], 0.1), null);
  assert.equal(firstStopStep([], 0.1), null);
  assert.equal(stopsAt(null, Infinity), false);
  assert.equal(stopsAt(0.1, 0.1), false);
  assert.equal(stopsAt(0.0999, 0.1), true);
});

test('the runtime step by step and the study replay stop at the same step', () => {
  const cosines = [0.4, 0.25, 0.12, 0.1, 0.03, 0.2];
  const distances: StepDistance[] = cosines.map((c) => ({ cosine: c, l1: 8 * c, l2: 2 * c }));
  const maxSteps = distances.length + 1;
  for (const threshold of [0.5, 0.2, 0.1, 0.05, 0.01]) {
    const settings = { latentSteps: 3, maxLatentSteps: maxSteps, stop: 'cosine' as const, threshold };
    let runtimeStep = 0;
    for (let t = 1; t <= maxSteps; t++) {
      if (stopAfter(settings, t, t === 1 ? null : distances[t - 2]) !== null) {
        runtimeStep = t;
        break;
      }
    }
    assert.equal(adaptiveStopStep(distances, 'cosine', threshold, maxSteps), runtimeStep, `threshold ${threshold}`);
  }
});
