/**
 * Answer tokens and the streaming read bandwidth measured in the same rounds, so that both see the same load on a
 * shared machine (issue 11: a bandwidth reading taken minutes before the tokens swung 9-22 GB/s):
 *   node --import tsx bench/scale-decode-child.ts <bundle> <pastLength> <rounds> <tokensPerRound>
 * Each round reads the bandwidth (BandwidthProbe, 256 MiB buffers, best of 3 passes) and then generates
 * tokensPerRound greedy answer tokens with the engine's own generateAnswer, embed graph and Decoder after a cache of
 * pastLength positions (the trace's prompt, latent steps and latentEnd): a step's cost depends on how long the cache
 * is, not on what it holds, so the cache is seeded noise and every round starts from the same one. Prints one JSON
 * line (ScaleDecodeRounds). A process of its own: its buffers stay out of the trace child's peak RSS.
 */
import { loadBundle } from '../src/runtime/bundle';
import { Decoder, expectOutput, type DecoderState } from '../src/runtime/decoder';
import { generateAnswer } from '../src/runtime/generate';
import { OnnxSessions } from '../src/runtime/onnx';
import { int64Tensor } from '../src/runtime/tensor';
import { createRandom } from '../src/analysis/random';
import { kvHeadsOf } from '../src/shared/bundle';
import { BandwidthProbe } from './bandwidth';
import { median } from './types';

export interface ScaleDecodeRounds {
  /** per round: the median answer token (ms) and the bandwidth read just before it (GB/s) */
  tokenMs: number[];
  gbPerS: number[];
}

async function main(): Promise<void> {
  const [dir, pastArg, roundsArg, tokensArg] = process.argv.slice(2);
  const past = Number(pastArg);
  const rounds = Number(roundsArg);
  const tokens = Number(tokensArg);
  if (![past, rounds, tokens].every((n) => Number.isInteger(n) && n > 0) || tokens < 2) {
    throw new Error('usage: scale-decode-child.ts <bundle> <pastLength> <rounds> <tokensPerRound >= 2>');
  }
  const bundle = await loadBundle(dir, { verifyHash: false });
  const m = bundle.manifest;
  const sessions = new OnnxSessions({ threads: 1 });
  const graph = (role: 'embed' | 'decoder') => sessions.get(bundle.graphPaths[role]!, { weightsOnDisk: bundle.externalDataGraphs.includes(role) });
  try {
    const [embedSession, decoderSession] = [await graph('embed'), await graph('decoder')];
    const D = m.model.hiddenSize;
    const embed = async (ids: number[]) => expectOutput(await embedSession.run({ input_ids: int64Tensor(ids) }), 'embeddings', [1, ids.length, D], embedSession.file);
    const decoder = new Decoder(decoderSession, m);
    if (m.formatVersion === 2 && m.model.kvDtype === 'float16') throw new Error(`${dir}: the decode rounds seed a float32 cache`);
    const shape = [m.model.layers, 1, kvHeadsOf(m), past, m.model.headDim];
    const rng = createRandom(0);
    const size = shape.reduce((a, b) => a * b, 1);
    const start: DecoderState = { past, next: past, keys: { data: rng.normals(size), shape }, values: { data: rng.normals(size), shape } };
    const first = await decoder.run(start, await embed([bundle.tokenizer.idOf(m.tokenizer.special.eos)]), 1, ['logits']);
    const probe = new BandwidthProbe(256);
    const out: ScaleDecodeRounds = { tokenMs: [], gbPerS: [] };
    for (let r = 0; r <= rounds; r++) {
      const { gbPerS } = probe.measure(3);
      const stamps: number[] = [];
      await generateAnswer({ manifest: m, decoder, embed, onStep: () => stamps.push(performance.now()) }, first.state, first.step,
        { eosId: -1, maxTokens: tokens, temperature: 0, topP: 1, rng: createRandom(0) });
      // round 0 warms the allocator and the page cache; it is not reported
      if (r === 0) continue;
      out.tokenMs.push(median(stamps.slice(1).map((t, i) => t - stamps[i])));
      out.gbPerS.push(gbPerS);
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await sessions.dispose();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`scale-decode-child: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
