import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertFromWebviewMessage, assertToWebviewMessage, assertReport, assertTrace, isFromWebviewMessage, isToWebviewMessage,
  ProtocolError, PROTOCOL_VERSION,
} from '../../src/shared/protocol';
import { syntheticTrace } from '../fixtures/traces/synthetic-trace';
import { sampleProbing, sampleStats, sampleSteps } from '../fixtures/reports/sample-reports';

const small = () => syntheticTrace({ steps: 3, grid: 4, imageSize: 32, windowSize: 2 });

test('well-formed messages from the webview pass', () => {
  for (const m of [
    { type: 'ready', protocol: PROTOCOL_VERSION },
    { type: 'export', requestId: 3, format: 'png', suggestedName: 'trace step 2.png', bytes: new Uint8Array(4) },
    { type: 'openFile', requestId: 0, purpose: 'compare' },
    { type: 'cancelRun', runId: 7 },
    { type: 'perf', metric: 'scrub', ms: 1.5, detail: 'step 3' },
    { type: 'log', level: 'error', message: 'boom' },
  ]) assert.ok(isFromWebviewMessage(m), JSON.stringify(m));
});

test('malformed messages from the webview fail with the field named', () => {
  const cases: [unknown, RegExp][] = [
    [null, /^message: expected an object/],
    [{ type: 'deleteEverything' }, /message.type: expected one of/],
    [{ type: 'ready', protocol: 99 }, /message.protocol/],
    [{ type: 'export', requestId: 1, format: 'png', suggestedName: '../../etc/passwd', bytes: new Uint8Array(1) }, /plain file name/],
    [{ type: 'export', requestId: 1, format: 'png', suggestedName: 'a.png', bytes: [1, 2] }, /message.bytes: expected a Uint8Array/],
    [{ type: 'export', requestId: -1, format: 'png', suggestedName: 'a.png', bytes: new Uint8Array(1) }, /message.requestId/],
    [{ type: 'export', requestId: 1, format: 'exe', suggestedName: 'a.png', bytes: new Uint8Array(1) }, /message.format/],
    [{ type: 'perf', metric: 'scrub', ms: -1, detail: '' }, /message.ms/],
    [{ type: 'perf', metric: 'scrub', ms: Infinity, detail: '' }, /message.ms/],
    [{ type: 'cancelRun', runId: 1.5 }, /message.runId/],
    [{ type: 'log', level: 'fatal', message: 'x' }, /message.level/],
    [{ type: 'openFile', requestId: 2 }, /message.purpose/],
  ];
  for (const [m, re] of cases) {
    assert.equal(isFromWebviewMessage(m), false, JSON.stringify(m));
    assert.throws(() => assertFromWebviewMessage(m), (e: unknown) => e instanceof ProtocolError && re.test(e.message));
  }
});

test('a trace with typed arrays passes; plain arrays instead of typed arrays fail', () => {
  const trace = small();
  assert.ok(isToWebviewMessage({ type: 'show', content: { kind: 'trace', trace, file: '/x.ltrace.json' } }));
  const bad = small();
  (bad.steps[1] as unknown as { saliency: number[] }).saliency = [...bad.steps[1].saliency];
  assert.throws(() => assertTrace(bad), /trace.steps\[1\].saliency: expected a Float32Array/);
});

test('trace shape errors name the field', () => {
  const t1 = small();
  t1.steps[0].visualSimilarity = new Float32Array(3);
  assert.throws(() => assertTrace(t1), /steps\[0\].visualSimilarity: expected 16 values, got 3/);
  const t2 = small();
  t2.steps[2].window = { row: 3, col: 0, size: 2 };
  assert.throws(() => assertTrace(t2), /steps\[2\].window: window exceeds the 4x4 grid/);
  const t3 = small();
  t3.reconstructions!.pixels = new Float32Array(10);
  assert.throws(() => assertTrace(t3), /reconstructions.pixels: expected 3x3x32x32 values, got 10/);
  const t4 = small();
  t4.steps[1].extractorAttention = new Float32Array(5);
  assert.throws(() => assertTrace(t4), /extractorAttention: length 5 is not a multiple of 4/);
});

test('the three sample reports pass and a bad p-value or kind fails', () => {
  for (const r of [sampleStats(), sampleProbing(), sampleSteps()]) assert.equal(assertReport(r), r);
  const s = sampleStats();
  s.welch.p = 1.2;
  assert.throws(() => assertReport(s), /report.welch.p: a p-value must lie in \[0, 1\]/);
  assert.throws(() => assertReport({ ...sampleSteps(), kind: 'table' }), /report.kind/);
  const st = sampleSteps();
  st.convergence.l1 = st.convergence.l1.slice(1);
  assert.throws(() => assertReport(st), /convergence.l1: expected 7 intervals/);
});

test('host messages: progress fraction is bounded, replies need a boolean', () => {
  assert.ok(isToWebviewMessage({ type: 'progress', runId: 1, message: 'step 2/4', fraction: 0.5 }));
  assert.ok(isToWebviewMessage({ type: 'progress', runId: 1, message: 'loading' }));
  assert.throws(() => assertToWebviewMessage({ type: 'progress', runId: 1, message: 'x', fraction: 2 }), /message.fraction/);
  assert.throws(() => assertToWebviewMessage({ type: 'reply', requestId: 1, ok: 'yes', message: '' }), /message.ok/);
  assert.ok(isToWebviewMessage({ type: 'show', content: { kind: 'empty' } }));
  assert.ok(isToWebviewMessage({ type: 'show', content: { kind: 'report', report: sampleProbing() } }));
});

test('guards rethrow errors that are not protocol errors', () => {
  const hostile = { get type() { throw new TypeError('getter'); } };
  assert.throws(() => isFromWebviewMessage(hostile), TypeError);
});

test('the panel guard refuses per-layer attention that is not whole layers of the grid', () => {
  const t = syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2 });
  t.firstAnswerAttention.perLayer = new Float32Array(4 * 16 + 3);
  assert.throws(() => assertTrace(t), /trace.firstAnswerAttention.perLayer: length 67 is not a whole number of 4x4 layers/);
});

test('history messages: Back/Forward from the webview and their state from the host are checked by field', () => {
  assert.deepEqual(assertFromWebviewMessage({ type: 'navigate', direction: 'back' }), { type: 'navigate', direction: 'back' });
  assert.throws(() => assertFromWebviewMessage({ type: 'navigate', direction: 'up' }), /message\.direction/);
  assert.deepEqual(assertToWebviewMessage({ type: 'history', canBack: true, canForward: false }), { type: 'history', canBack: true, canForward: false });
  assert.throws(() => assertToWebviewMessage({ type: 'history', canBack: 1, canForward: false }), /message\.canBack/);
});

test('a Slurm study\'s shard rows and the ended run\'s outcome are checked by field', () => {
  const slurm = { shards: [{ shard: 0, state: 'running', done: 3, of: 10 }, { shard: 1, state: 'pending', done: 0, of: 10 }], merge: { job: '12', state: 'waiting' } };
  assert.ok(isToWebviewMessage({ type: 'progress', runId: 1, message: 'x', fraction: 0.1, slurm }));
  assert.ok(isToWebviewMessage({ type: 'runEnded', runId: 1, outcome: 'cancelled (scancel 11 12)' }));
  assert.throws(() => assertToWebviewMessage({ type: 'progress', runId: 1, message: 'x', slurm: { ...slurm, shards: [{ shard: 0, state: 'running', done: -1, of: 10 }] } }), /message\.slurm\.shards\[0\]\.done/);
  assert.throws(() => assertToWebviewMessage({ type: 'progress', runId: 1, message: 'x', slurm: { shards: [] } }), /message\.slurm\.merge/);
  assert.throws(() => assertToWebviewMessage({ type: 'runEnded', runId: 1, outcome: 3 }), /message\.outcome/);
});
