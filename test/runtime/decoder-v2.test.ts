/**
 * The decoder against a GraphSession spy: each call asks onnxruntime only for the outputs it uses,
 * the KV cache goes back in as the very tensors the previous call returned, and M-RoPE positions
 * continue from the prompt's max + 1 for every added position.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder, need } from '../../src/runtime/decoder';
import { fetchForLare } from '../../src/runtime/lare-loop';
import type { LoopParts } from '../../src/runtime/loop-parts';
import { fetchForLvr } from '../../src/runtime/lvr-loop';
import { mropePositionIds } from '../../src/runtime/mrope';
import type { GraphSession, RunOptions } from '../../src/runtime/onnx';
import type { GraphValueIn, NativeTensor, Tensor } from '../../src/runtime/tensor';
import type { BundleManifest } from '../../src/shared/bundle';
import { sampleManifest, sampleManifestV2Lvr } from './manifest-fixture';

interface Call {
  feeds: Record<string, GraphValueIn>;
  options?: RunOptions;
}

/** answers every fetched output with a tensor of the contract's shape; the cache outputs are opaque handles */
function spySession(m: BundleManifest): { session: GraphSession; calls: Call[] } {
  const calls: Call[] = [];
  const { layers: L, hiddenSize: D, vocabSize: V, headDim: Dh } = m.model;
  const Hkv = m.formatVersion === 2 ? m.model.kvHeads : m.model.heads;
  const v2 = m.formatVersion === 2;
  const session: GraphSession = {
    file: 'spy-decoder.onnx',
    provider: 'cpu',
    async run(feeds, options) {
      calls.push({ feeds, options });
      const S = feeds.inputs_embeds.shape[1];
      const P = feeds.past_keys.shape[3];
      const K = P + S;
      const f = (shape: number[]): Tensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i) });
      const all: Record<string, Tensor | NativeTensor> = {
        logits: f(v2 ? [1, V] : [1, S, V]),
        last_hidden: f([1, S, D]),
        hidden_states: f(v2 ? [L + 1, 1, D] : [L + 1, 1, S, D]),
        attention: f([L, 1, K]),
        present_keys: { shape: [L, 1, Hkv, K, Dh], native: { handle: `keys@${K}` } },
        present_values: { shape: [L, 1, Hkv, K, Dh], native: { handle: `values@${K}` } },
      };
      const names = options?.fetches ?? Object.keys(all);
      return Object.fromEntries(names.map((n) => [n, all[n]]));
    },
  };
  return { session, calls };
}

test('only the outputs a call uses are fetched; the others are not computed or returned', async () => {
  const m = sampleManifestV2Lvr();
  const { session, calls } = spySession(m);
  const dec = new Decoder(session, m);
  const D = m.model.hiddenSize;
  const { step } = await dec.run(dec.empty(), new Float32Array(3 * D), 3, ['logits']);
  assert.deepEqual([...calls[0].options!.fetches!].sort(), ['logits', 'present_keys', 'present_values']);
  assert.deepEqual(calls[0].options!.native, ['present_keys', 'present_values']);
  assert.equal(step.logits!.length, m.model.vocabSize);
  assert.equal(step.hiddenStates, undefined);
  assert.throws(() => need(step, 'hiddenStates'), /decoder output "hiddenStates" was not fetched for this step/);

  await dec.run(dec.empty(), new Float32Array(D), 1, ['hiddenStates', 'attention']);
  assert.deepEqual([...calls[1].options!.fetches!].sort(), ['attention', 'hidden_states', 'present_keys', 'present_values']);
  // a call that only extends the cache fetches nothing else
  await dec.run(dec.empty(), new Float32Array(D), 1, []);
  assert.deepEqual([...calls[2].options!.fetches!].sort(), ['present_keys', 'present_values']);
});

test('the KV cache is fed back as the tensors the previous call returned (no copy, any dtype)', async () => {
  const m = sampleManifestV2Lvr();
  const { session, calls } = spySession(m);
  const dec = new Decoder(session, m);
  const D = m.model.hiddenSize;
  const a = await dec.run(dec.empty(), new Float32Array(2 * D), 2, []);
  await dec.run(a.state, new Float32Array(D), 1, []);
  assert.equal(calls[1].feeds.past_keys, a.state.keys);
  assert.deepEqual((calls[1].feeds.past_keys as NativeTensor).native, { handle: 'keys@2' });
  assert.deepEqual(calls[1].feeds.past_values.shape, [2, 1, 2, 2, 16]);
  // the empty cache has the GQA shape [L,1,Hkv,0,Dh]
  assert.deepEqual(calls[0].feeds.past_keys.shape, [2, 1, 2, 0, 16]);
});

test('a float16 cache starts as float16 bits', () => {
  const m = sampleManifestV2Lvr();
  m.model.kvDtype = 'float16';
  const dec = new Decoder(spySession(m).session, m);
  const empty = dec.empty().keys as Tensor;
  assert.ok(empty.data instanceof Uint16Array);
});

test('M-RoPE: the prefill takes get_rope_index positions, every added position continues at max + 1', async () => {
  const m = sampleManifestV2Lvr();
  const { session, calls } = spySession(m);
  const dec = new Decoder(session, m);
  const D = m.model.hiddenSize;
  // 3 text tokens, a 2x3 merged grid, 2 text tokens: the image spans (3..4, 3..5), text after continues at 3+3 = 6
  const length = 3 + 6 + 2;
  const positions = mropePositionIds(length, 3, { rows: 2, cols: 3 });
  const first = await dec.run(dec.empty(), new Float32Array(length * D), length, [], positions);
  assert.deepEqual(calls[0].feeds.position_ids.shape, [3, 1, length]);
  assert.deepEqual(Array.from((calls[0].feeds.position_ids as Tensor).data as BigInt64Array, Number), [
    0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7,
    0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7,
    0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7,
  ]);
  assert.equal(first.state.next, 8);
  // latent steps and answer tokens: one position each, the same value on all three axes
  const second = await dec.run(first.state, new Float32Array(D), 1, []);
  assert.deepEqual(Array.from((calls[1].feeds.position_ids as Tensor).data as BigInt64Array, Number), [8, 8, 8]);
  await dec.run(second.state, new Float32Array(D), 1, []);
  assert.deepEqual(Array.from((calls[2].feeds.position_ids as Tensor).data as BigInt64Array, Number), [9, 9, 9]);
  assert.equal(second.state.past, length + 1);
});

test('implied positions feed no position_ids; version 1 keeps its all-positions outputs, sliced to the newest', async () => {
  const m = sampleManifest();
  const { session, calls } = spySession(m);
  const dec = new Decoder(session, m);
  const D = m.model.hiddenSize;
  const { step } = await dec.run(dec.empty(), new Float32Array(3 * D), 3);
  assert.equal(calls[0].feeds.position_ids, undefined);
  assert.equal(step.logits!.length, m.model.vocabSize);
  // the spy's logits count 0.. over [1,S,V]: the newest row starts at 2*V
  assert.equal(step.logits![0], 2 * m.model.vocabSize);
  assert.equal(step.hiddenStates!.length, (m.model.layers + 1) * D);
  assert.equal(step.hiddenStates![0], 2 * D);
  assert.equal(step.lastHiddenAll!.length, 3 * D);
});

test('the loops ask for hidden_states only when the Extractor reads them, for logits only for the end-token rule', () => {
  const m = sampleManifest();
  const parts = (extract: boolean): LoopParts => ({ manifest: m, decoder: new Decoder(spySession(m).session, m), embed: async () => new Float32Array(0), ...(extract ? { extract: async () => ({ latentToken: new Float32Array(0), crossAttention: new Float32Array(0) }) } : {}) });
  assert.deepEqual(fetchForLare(parts(true)), ['attention', 'hiddenStates']);
  assert.deepEqual(fetchForLare(parts(false)), ['attention']);
  assert.deepEqual(fetchForLvr({ lvrStop: 'latent' }), ['attention', 'lastHidden']);
  assert.deepEqual(fetchForLvr({ lvrStop: 'end-distance' }), ['attention', 'lastHidden']);
  assert.deepEqual(fetchForLvr({ lvrStop: 'end-token' }), ['attention', 'lastHidden', 'logits']);
});
