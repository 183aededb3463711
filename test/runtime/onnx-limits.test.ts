/** What the ONNX module refuses or sets before onnxruntime runs anything: thread counts, telemetry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { disableOrtTelemetry, oversizedOutput, OnnxSessions, MAX_OUTPUT_ELEMENTS } from '../../src/runtime/onnx';

const GRAPH = join(__dirname, '..', 'fixtures', 'runtime', 'contract-bundle', 'embed.onnx');

test('telemetry is turned off unless the user opts in', () => {
  const env: Record<string, string | undefined> = {};
  disableOrtTelemetry(env);
  assert.equal(env.ORT_DISABLE_TELEMETRY, '1');
  const optedIn: Record<string, string | undefined> = { LATENT_TRACE_ORT_TELEMETRY: '1' };
  disableOrtTelemetry(optedIn);
  assert.equal(optedIn.ORT_DISABLE_TELEMETRY, undefined);
});

test('a thread count outside 1..64 is a RangeError before any session exists', async () => {
  for (const threads of [0, 65, 100_000, 1.5]) {
    const sessions = new OnnxSessions({ threads });
    await assert.rejects(sessions.get(GRAPH), (err: Error) => err instanceof RangeError && err.message === `threads must be an integer in 1..64, got ${threads}`);
    await sessions.dispose();
  }
  const ok = new OnnxSessions({ threads: 64 });
  assert.equal((await ok.get(GRAPH)).provider, 'cpu');
  await ok.dispose();
});

test('declared output sizes: symbolic dimensions do not count, static ones multiply', () => {
  assert.equal(oversizedOutput([{ name: 'logits', shape: ['B', 'S', 151_936] }]), undefined);
  assert.equal(oversizedOutput([{ name: 'x', shape: [2 ** 16, 2 ** 15] }]), undefined);
  assert.equal(MAX_OUTPUT_ELEMENTS, 2 ** 31);
  assert.match(oversizedOutput([{ name: 'ok', shape: [4] }, { name: 'y', shape: [1e6, 1e6] }]) ?? '', /^output "y" declares shape \[1000000, 1000000\] \(1\.00e\+12 elements\)/);
});
