import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLogProbChange, interventionRequest } from '../../webview/intervention-form';
import { assertFromWebviewMessage } from '../../src/shared/protocol';

test('form values become the protocol request the host guard accepts', () => {
  const cases = [
    [{ kind: 'zero', step: 2, source: 1, alpha: 1 }, { kind: 'zero', step: 2 }],
    [{ kind: 'replace-with-step', step: 2, source: 4, alpha: 1 }, { kind: 'replace-with-step', step: 2, source: 4 }],
    [{ kind: 'replace-from-trace', step: 3, source: 3, alpha: 1 }, { kind: 'replace-from-trace', step: 3, sourceStep: 3 }],
    [{ kind: 'add-direction', step: 1, source: 1, alpha: -0.5 }, { kind: 'add-direction', step: 1, alpha: -0.5, stepA: 1, stepB: 1 }],
  ] as const;
  for (const [form, want] of cases) {
    const got = interventionRequest(form, 4);
    assert.deepEqual(got, want);
    assertFromWebviewMessage({ type: 'intervene', requestId: 1, intervention: got });
  }
});

test('bad forms get a sentence instead of a request', () => {
  assert.match(interventionRequest({ kind: 'zero', step: 5, source: 1, alpha: 1 }, 4) as string, /step 5 is not one of the trace's 4/);
  assert.match(interventionRequest({ kind: 'replace-with-step', step: 2, source: 2, alpha: 1 }, 4) as string, /itself/);
  assert.match(interventionRequest({ kind: 'replace-with-step', step: 2, source: 9, alpha: 1 }, 4) as string, /step 9/);
  assert.match(interventionRequest({ kind: 'add-direction', step: 2, source: 2, alpha: 0 }, 4) as string, /alpha/);
});

test('the host guard refuses malformed intervention requests by field', () => {
  const bad: [unknown, RegExp][] = [
    [{ kind: 'zero', step: 0 }, /message.intervention.step/],
    [{ kind: 'melt', step: 1 }, /message.intervention.kind/],
    [{ kind: 'replace-with-step', step: 1 }, /message.intervention.source/],
    [{ kind: 'add-direction', step: 1, alpha: Infinity, stepA: 1, stepB: 1 }, /message.intervention.alpha/],
  ];
  for (const [intervention, re] of bad) assert.throws(() => assertFromWebviewMessage({ type: 'intervene', requestId: 1, intervention }), re);
  assert.throws(() => assertFromWebviewMessage({ type: 'openItem', requestId: 1 }), /message.itemId/);
});

test('the log-prob change reads with its sign and probability factor', () => {
  assert.equal(describeLogProbChange(Math.log(0.5)), 'log p of the first answer token −0.693 (probability ×0.500)');
  assert.equal(describeLogProbChange(0), 'log p of the first answer token ±0.000 (probability ×1.000)');
  assert.match(describeLogProbChange(-Infinity), /−∞/);
  assert.match(describeLogProbChange(-10), /×4\.54e-5/);
  // what zeroing a step of the bundled model does to a near-certain answer: small, but not shown as 0
  assert.equal(describeLogProbChange(1.9622e-5), 'log p of the first answer token +1.96e-5 (probability ×1.000020)');
});
