/** A valid LaRe manifest for the pure tests (no files behind it). */
import type { BundleManifest } from '../../src/shared/bundle';

export function sampleManifest(): BundleManifest {
  return {
    format: 'latent-trace-bundle',
    formatVersion: 1,
    name: 'lare-test',
    version: '0.0.1',
    method: 'lare',
    hash: `sha256:${'0'.repeat(64)}`,
    provenance: { command: 'python3 training/train.py', seed: 1, gitRevision: 'abc', trainedAt: '2026-11-21T00:00:00Z' },
    image: { size: 64, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], patchSize: 8, grid: { rows: 8, cols: 8 } },
    tokenizer: {
      file: 'tokenizer.json',
      special: { bos: '<bos>', eos: '<eos>', pad: '<pad>', unk: '<unk>', latentStart: '<|latent_start|>', latentEnd: '<|latent_end|>' },
    },
    prompt: { template: ['<bos>', '{image}', '{question}', '<|latent_start|>'] },
    model: { hiddenSize: 16, layers: 2, heads: 2, headDim: 8, vocabSize: 40, maxPositions: 128, visualTokens: 64 },
    graphs: { vision: 'vision.onnx', embed: 'embed.onnx', decoder: 'decoder.onnx', extractor: 'extractor.onnx', unet: 'unet.onnx' },
    saliency: { layers: [0, 1] },
    window: { size: 3, stride: 1 },
    extractor: { layers: 2, stateLayers: [1, 2] },
    reconstruction: { channels: 3, size: 24, schedule: { type: 'linear', betaStart: 0.0001, betaEnd: 0.02, steps: 100 }, sampler: 'ddim', samplerSteps: 10 },
    defaults: { latentSteps: 4, maxLatentSteps: 8, stop: 'fixed', thresholds: { cosine: 0.01, l1: 0.5, l2: 0.1 }, maxAnswerTokens: 8 },
  };
}
