/** A valid LaRe manifest for the pure tests (no files behind it). */
import type { BundleManifest, BundleManifestV2 } from '../../src/shared/bundle';

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

/** A valid version 2 LVR manifest: Qwen2.5-VL, dynamic images, M-RoPE, GQA, the latent stop rule. */
export function sampleManifestV2Lvr(): BundleManifestV2 {
  return {
    format: 'latent-trace-bundle',
    formatVersion: 2,
    family: 'qwen2_5_vl',
    name: 'lvr-v2-test',
    version: '0.0.1',
    method: 'lvr',
    hash: `sha256:${'0'.repeat(64)}`,
    provenance: { command: 'python3 training/convert_hf.py', seed: 0, gitRevision: 'abc', trainedAt: '2026-12-03T00:00:00Z' },
    image: {
      kind: 'dynamic', patchSize: 14, temporalPatchSize: 2, mergeSize: 2, minPixels: 3136, maxPixels: 12845056,
      resample: 'bicubic', mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711], windowSize: 112,
    },
    tokenizer: {
      file: 'tokenizer.json',
      special: { bos: '<|endoftext|>', eos: '<|im_end|>', pad: '<|endoftext|>', unk: '<|endoftext|>', latentStart: '<|lvr_start|>', latentEnd: '<|lvr_end|>' },
      chatTemplate: '{% for m in messages %}<|im_start|>{{ m.role }}\n{% if m.content is string %}{{ m.content }}{% else %}{% for c in m.content %}{% if c.type == "image" %}<|vision_start|><|image_pad|><|vision_end|>{% else %}{{ c.text }}{% endif %}{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}',
    },
    prompt: { chat: { system: 'You are a helpful assistant.', imageToken: '<|image_pad|>', suffix: ['<|lvr_start|>'] } },
    model: {
      hiddenSize: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, vocabSize: 2000, maxPositions: 4096,
      positions: 'mrope', mropeSection: [2, 3, 3], dtype: 'float32', kvDtype: 'float32', visualTokens: null,
    },
    graphs: { vision: 'vision.onnx', embed: 'embed.onnx', decoder: 'decoder.onnx', lvrHead: 'lvr_head.onnx' },
    lvr: { latentEndEmbedding: 'latent_end.f32', criterion: 'mse', threshold: 0.02, maxSteps: 16 },
    defaults: { latentSteps: 4, maxLatentSteps: 16, stop: 'fixed', thresholds: { cosine: 0.01, l1: 0.5, l2: 0.1 }, maxAnswerTokens: 16, lvrStop: 'latent' },
  };
}

/** A valid version 2 LaRe manifest: LLaVA-style, a fixed CLIP image, implied positions, chat prompt. */
export function sampleManifestV2Lare(): BundleManifestV2 {
  return {
    format: 'latent-trace-bundle',
    formatVersion: 2,
    family: 'llava',
    name: 'lare-v2-test',
    version: '0.0.1',
    method: 'lare',
    hash: `sha256:${'0'.repeat(64)}`,
    provenance: { command: 'python3 training/convert_hf.py', seed: 0, gitRevision: 'abc', trainedAt: '2026-12-03T00:00:00Z' },
    image: {
      kind: 'fixed', height: 224, width: 224, resize: 'shortest-edge-center-crop', shortestEdge: 224, resample: 'bicubic',
      mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711], patchSize: 14, grid: { rows: 16, cols: 16 },
    },
    tokenizer: {
      file: 'tokenizer.json',
      special: { bos: '<|endoftext|>', eos: '<|im_end|>', pad: '<|endoftext|>', unk: '<|endoftext|>', latentStart: '<|latent_start|>', latentEnd: '<|latent_end|>' },
      chatTemplate: 'USER: {% for c in messages[-1].content %}{% if c.type == "image" %}<image>\n{% else %}{{ c.text }}{% endif %}{% endfor %} ASSISTANT:',
    },
    prompt: { chat: { system: null, imageToken: '<image>', suffix: ['<|latent_start|>'] } },
    model: {
      hiddenSize: 64, layers: 2, heads: 4, kvHeads: 4, headDim: 16, vocabSize: 2000, maxPositions: 2048,
      positions: 'implied', dtype: 'float16', kvDtype: 'float16', visualTokens: 256,
    },
    graphs: { vision: 'vision.onnx', embed: 'embed.onnx', decoder: 'decoder.onnx', extractor: 'extractor.onnx' },
    saliency: { layers: [0, 1] },
    window: { size: 4, stride: 2 },
    extractor: { layers: 2, stateLayers: [1, 2] },
    defaults: { latentSteps: 4, maxLatentSteps: 8, stop: 'fixed', thresholds: { cosine: 0.01, l1: 0.5, l2: 0.1 }, maxAnswerTokens: 16 },
  };
}
