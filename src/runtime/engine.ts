/**
 * The trace engine (src/runtime/api.ts): one bundle, its ONNX sessions (created lazily, reused,
 * released on dispose) and the loops that turn an image and a question into a Trace.
 */
import type { BundleManifest } from '../shared/bundle';
import { centreCropRegion, type GridRegion } from '../shared/trace-region';
import { answerTokenTexts } from '../shared/trace-tokens';
import type { AttentionSource, PositionLayout, Reconstructions, Trace, TraceSettings } from '../shared/trace';
import type { EngineOptions, LatentTraceEngine, ReconstructionRequest, TextEncoding, TraceProgress, TraceRequest } from './api';
import { loadBundle, type LoadedBundle } from './bundle';
import { Decoder, expectOutput, need, type DecoderOutput, type DecoderStep } from './decoder';
import { EmbeddingTable } from './embedding-table';
import { generateAnswer, scoreAnswer } from './generate';
import { applyGroundTruth } from './ground-truth';
import { defaultSources, headAttentionOf, lensEntries, replay, sourcePosition, type ReplayInput } from './head-replay';
import type { GraphRole } from './graph-contract';
import { prepareImage } from './image';
import type { InterventionHost } from './interventions';
import { fetchForLare, runLareSteps } from './lare-loop';
import type { LatentResult, LoopParts, LoopStart } from './loop-parts';
import { fetchForLvr, runLvrSteps, type LvrSettings } from './lvr-loop';
import { mropePositionIds } from './mrope';
import { questionWarnings } from './question-check';
import { OnnxSessions, type GraphSession } from './onnx';
import { InputError, layoutPrompt, prefillEmbeddings, type PromptLayout } from './prompt';
import { createRandom } from '../analysis/random';
import { linearSchedule, sampleDdim, sampleDdpm } from './reconstruct';
import { latentBudget, positionReserve, resolveSettings } from './settings';
import { floatTensor, int64Tensor } from './tensor';

export async function openEngine(dir: string, options: EngineOptions = {}): Promise<TraceEngine> {
  const bundle = await loadBundle(dir, { verifyHash: options.verifyHash });
  return new TraceEngine(bundle, options);
}

export interface RunExtras {
  /** teacher-force these answer ids after the latent steps and return their probabilities */
  forceAnswerIds?: readonly number[];
  /** generate exactly maxAnswerTokens tokens (benchmarks compare equal work) */
  ignoreEos?: boolean;
  /** also fetch the prefill's newest logits and hidden states (parity with a reference forward pass) */
  inspectPrefill?: boolean;
}

export interface TraceDetail {
  trace: Trace;
  /** sum-pooled window scores per LaRe step */
  windowScores: Float32Array[];
  /** token ids of the prefill, -1 at visual positions */
  inputIds: number[];
  /** the question's token ids */
  questionIds: number[];
  /** the prefill's last position's attention over the prompt [L*promptLength] */
  prefillAttention: Float32Array;
  /** the model input ([1,3,H,W], or a dynamic image's pixel_values) and the vision graph's outputs [N*D], [N*Dl] */
  pixels: Float32Array;
  visualTokens: Float32Array;
  localFeatures: Float32Array;
  /** this image's visual token grid */
  grid: { rows: number; cols: number };
  forcedProbs?: number[];
  /** with inspectPrefill: the prefill's newest position's logits [V] and hidden_states [(L+1)*D] */
  prefillLogits?: Float32Array;
  prefillHiddenStates?: Float32Array;
  /** M-RoPE bundles: the prefill's position_ids [3*length], axis-major */
  positionIds?: BigInt64Array;
}

export class TraceEngine implements LatentTraceEngine, InterventionHost {
  readonly dir: string;
  readonly manifest: BundleManifest;
  private readonly sessions: OnnxSessions;
  private table?: Promise<EmbeddingTable | null>;

  constructor(private readonly bundle: LoadedBundle, private readonly options: EngineOptions = {}) {
    this.dir = bundle.dir;
    this.manifest = bundle.manifest;
    this.sessions = new OnnxSessions(options);
  }

  /** what this bundle can record beyond the base trace */
  get capabilities(): { headAttention: boolean; lens: boolean } {
    return { headAttention: this.bundle.decoderHeads, lens: this.bundle.graphPaths.lens !== undefined };
  }

  async trace(request: TraceRequest): Promise<Trace> {
    return (await this.traceDetailed(request)).trace;
  }

  async scoreAnswer(request: TraceRequest, answerIds: readonly number[]): Promise<{ trace: Trace; forcedProbs: number[] }> {
    const d = await this.traceDetailed(request, { forceAnswerIds: answerIds });
    return { trace: d.trace, forcedProbs: d.forcedProbs ?? [] };
  }

  async encodeText(text: string, signal?: AbortSignal): Promise<TextEncoding> {
    const m = this.manifest;
    const tok = this.bundle.tokenizer;
    const ids = [tok.idOf(m.tokenizer.special.bos), ...tok.encode(text)];
    if (ids.length > m.model.maxPositions) throw new InputError(`the text is ${ids.length} tokens long; the model takes at most ${m.model.maxPositions}`);
    signal?.throwIfAborted();
    const parts = await this.parts(signal);
    const emb = await parts.embed(ids);
    signal?.throwIfAborted();
    const { step } = await parts.decoder.run(parts.decoder.empty(), emb, ids.length, ['lastHiddenAll']);
    return { hidden: Float32Array.from(need(step, 'lastHiddenAll')), length: ids.length, dim: m.model.hiddenSize };
  }

  async dispose(): Promise<void> {
    await this.sessions.dispose();
  }

  async traceDetailed(request: TraceRequest, extras: RunExtras = {}): Promise<TraceDetail> {
    const m = this.manifest;
    const { signal } = request;
    const progress = (p: TraceProgress) => request.onProgress?.(p);
    const timings: Record<string, number> = {};
    const started = performance.now();
    let mark = started;
    const lap = (stage: string) => {
      const now = performance.now();
      timings[stage] = (timings[stage] ?? 0) + (now - mark);
      mark = now;
    };
    signal?.throwIfAborted();
    const settings = resolveSettings(m, request.settings);
    const tok = this.bundle.tokenizer;
    const reserve = positionReserve(m, settings, request.settings);
    const layoutFor = (N: number) => layoutPrompt(m, tok, request.question, N, reserve);
    // a fixed grid is known before the image: a bad question fails before anything loads
    const staticN = fixedVisualTokens(m);
    let layout: PromptLayout | undefined = staticN === null ? undefined : layoutFor(staticN);

    progress({ stage: 'load' });
    const parts = await this.parts(signal);
    // first use creates the sessions; doing it here keeps the later stage timings pure inference
    const vision = await this.session('vision');
    if (request.reconstruct && m.reconstruction) await this.session('unet');
    lap('load');

    progress({ stage: 'image' });
    const image = await prepareImage(request.image, m.image, { name: request.imageName });
    lap('image');
    signal?.throwIfAborted();
    const visionOut = await vision.run(image.feeds);
    const N = image.grid.rows * image.grid.cols;
    const D = m.model.hiddenSize;
    const visualTokens = expectOutput(visionOut, 'visual_tokens', [1, N, D], vision.file);
    const localDim = visionOut.local_features?.shape[2] ?? D;
    const localFeatures = expectOutput(visionOut, 'local_features', [1, N, localDim], vision.file);
    lap('vision');
    signal?.throwIfAborted();
    layout ??= layoutFor(N);

    progress({ stage: 'prefill' });
    const prefill = await prefillEmbeddings(layout, visualTokens, D, parts.embed);
    signal?.throwIfAborted();
    const positions = this.mrope ? mropePositionIds(layout.length, layout.imageOffset, image.grid) : undefined;
    const prefillFetch: DecoderOutput[] = ['attention', ...this.fetchAfterPrompt(parts, settings)];
    if (extras.inspectPrefill) prefillFetch.push('logits', 'hiddenStates');
    const first = await parts.decoder.run(parts.decoder.empty(), prefill, layout.length, prefillFetch, positions);
    lap('prefill');

    const start: LoopStart = { visualTokens, localFeatures, localDim, grid: image.grid, imageOffset: layout.imageOffset, state: first.state, last: first.step };
    const latent = await this.runLatent(parts, start, settings, progress);
    lap('latent');

    progress({ stage: 'answer' });
    let { state, last } = latent;
    if (m.method !== 'direct') {
      const endId = tok.idOf(m.tokenizer.special.latentEnd!);
      signal?.throwIfAborted();
      ({ state, step: last } = await parts.decoder.run(state, await parts.embed([endId]), 1, ['logits', 'attention']));
    }
    const firstAnswerAttention = visualAttention(last, m, layout.imageOffset, N);
    // settings take any integer seed; the generator is seeded by its low 32 bits
    const rng = createRandom(settings.seed >>> 0);
    const answerParts: LoopParts = { ...parts, onStep: (i, n) => progress({ stage: 'answer', step: i, total: n }) };
    const answer = await generateAnswer(answerParts, state, last, {
      eosId: extras.ignoreEos ? -1 : tok.idOf(m.tokenizer.special.eos),
      maxTokens: settings.maxAnswerTokens,
      temperature: settings.temperature,
      topP: settings.topP,
      rng,
    });
    const forcedProbs = extras.forceAnswerIds ? await scoreAnswer(parts, state, last, extras.forceAnswerIds) : undefined;
    lap('answer');

    let reconstructions: Reconstructions | undefined;
    if (request.reconstruct && latent.steps.length > 0) {
      progress({ stage: 'reconstruct' });
      const req = request.reconstruct === true ? {} : request.reconstruct;
      reconstructions = await this.reconstruct(latent.steps.map((s) => s.latentToken), req, signal);
      lap('reconstruct');
    }
    timings.total = performance.now() - started;

    const trace: Trace = {
      format: 'latent-trace/trace',
      version: 1,
      model: { name: m.name, hash: m.hash, method: m.method, hiddenSize: D, layers: m.model.layers },
      input: {
        question: request.question,
        imageName: image.name,
        imageWidth: image.width,
        imageHeight: image.height,
        imagePng: image.previewPng.toString('base64'),
        grid: { ...image.grid },
        ...gridRegionOf(m.image, image.width, image.height),
      },
      settings,
      steps: latent.steps,
      stoppedAt: latent.steps.length,
      stopReason: latent.stopReason,
      answer: { text: tok.decode(answer.tokenIds), tokenIds: answer.tokenIds, tokenProbs: answer.tokenProbs, ...tokenTextsOf(tok.decode, answer.tokenIds) },
      tokens: { prompt: layout.length, latent: latent.steps.length, answer: answer.tokenIds.length },
      firstAnswerAttention,
      timingsMs: timings,
      createdAt: new Date().toISOString(),
    };
    const warnings = questionWarnings(tok, tok.idOf(m.tokenizer.special.unk), request.question, m.prompt.questionTemplates);
    if (warnings.length > 0) trace.input.warnings = warnings;
    if (request.groundTruth) {
      trace.input.groundTruth = applyGroundTruth(request.groundTruth, trace.answer.text, trace.steps, {
        width: image.width, height: image.height, grid: image.grid, region: trace.input.gridRegion,
      });
    }
    if (request.headAttention || request.lens) {
      const endEmbedding = m.method === 'direct' ? new Float32Array(0) : await parts.embed([tok.idOf(m.tokenizer.special.latentEnd!)]);
      const fed = answer.stoppedByEos ? answer.tokenIds.length : Math.max(0, answer.tokenIds.length - 1);
      const answerEmbeddings = fed > 0 ? await parts.embed(answer.tokenIds.slice(0, fed)) : new Float32Array(0);
      const after = new Float32Array((latent.steps.length + endEmbedding.length / D + fed) * D);
      latent.steps.forEach((st, i) => after.set(st.latentToken, i * D));
      after.set(endEmbedding, latent.steps.length * D);
      after.set(answerEmbeddings, latent.steps.length * D + endEmbedding.length);
      const x: ReplayInput = {
        decoder: parts.decoder, layers: m.model.layers, heads: m.model.heads, dim: D, prefill, prefillPositions: positions,
        promptLength: layout.length, after, latentSteps: latent.steps.length, latentEnd: m.method !== 'direct',
        answerTokens: answer.tokenIds.length, fedAnswerTokens: fed,
      };
      await this.addReplay(trace, request, x, layout, visualTokens, N);
      lap('replay');
      timings.total = performance.now() - started;
    }
    if (request.keepVisualTokens) trace.visualTokens = Float32Array.from(visualTokens);
    if (reconstructions) trace.reconstructions = reconstructions;
    return { trace, windowScores: latent.windowScores ?? [], inputIds: layout.inputIds, questionIds: layout.questionIds, prefillAttention: need(first.step, 'attention'), pixels: image.pixels.data, visualTokens, localFeatures, grid: image.grid, forcedProbs,
      prefillLogits: first.step.logits, prefillHiddenStates: first.step.hiddenStates, positionIds: positions?.positionIds };
  }

  /** trace.headAttention and steps[].lens from a replay of the run (head-replay.ts) */
  private async addReplay(trace: Trace, request: TraceRequest, x: ReplayInput, layout: PromptLayout, visualTokens: Float32Array, N: number): Promise<void> {
    const m = this.manifest;
    const tok = this.bundle.tokenizer;
    if (request.headAttention && !this.bundle.decoderHeads) {
      throw new InputError(`${this.bundle.graphPaths.decoder}: the decoder graph has no "attention_heads" output, so per-head attention cannot be recorded (version 1 bundles: training/add_extras.py adds it)`);
    }
    if (request.lens && !this.bundle.graphPaths.lens) {
      throw new InputError(`bundle "${m.name}" has no lens graph (graphs.lens), so the latent lens cannot be computed (version 1 bundles: training/add_extras.py adds it)`);
    }
    const asked = request.headAttention ? (request.headAttention === true ? defaultSources(x.latentSteps, x.answerTokens) : request.headAttention.sources) : [];
    const sources: AttentionSource[] = asked.map((r) => ({ kind: r.kind, index: r.kind === 'prompt-last' ? 0 : r.index, position: sourcePosition(r, x) }));
    const lensPositions = request.lens ? trace.steps.map((s) => x.promptLength + s.index - 1) : [];
    const out = await replay(x, sources.map((s) => s.position), lensPositions, request.signal);
    if (request.headAttention) trace.headAttention = headAttentionOf(x, sources, out.heads, positionLayout(layout, x, tok.decode));
    if (request.lens) {
      const k = request.lens === true ? 5 : request.lens.k;
      if (!Number.isInteger(k) || k < 1) throw new RangeError(`lens k must be a positive integer, got ${k}`);
      const lens = await this.session('lens');
      const L = m.model.layers;
      const V = m.model.vocabSize;
      const D = m.model.hiddenSize;
      for (const [i, step] of trace.steps.entries()) {
        const hidden = out.hidden.get(lensPositions[i])!;
        const res = await lens.run({ hidden: floatTensor(hidden, [1, L + 1, D]) });
        const logits = Float32Array.from(expectOutput(res, 'logits', [1, L + 1, V], lens.file));
        // the last layer's lens is the model's own output; version 2's last hidden state is already after
        // the final norm, which the lens graph would apply twice
        logits.set(out.logits.get(lensPositions[i])!, L * V);
        // a special token decodes to nothing: show its vocabulary string instead
        step.lens = lensEntries(hidden, logits, L, V, visualTokens, N, k, (id) => tok.decode([id]) || tok.tokenString(id));
      }
      trace.lensKind = 'logit-lens';
    }
  }

  /**
   * Reconstructions of the given latent tokens: one batched U-Net call per sampler timestep.
   * `noise` (steps*C*h*w) replaces the seeded initial noise, for parity with a reference run.
   */
  async reconstruct(latentTokens: Float32Array[], req: ReconstructionRequest & { noise?: Float32Array } = {}, signal?: AbortSignal): Promise<Reconstructions> {
    const m = this.manifest;
    const rec = m.reconstruction;
    if (!rec) throw new InputError(`bundle "${m.name}" has no reconstruction U-Net`);
    const sampler = req.sampler ?? rec.sampler;
    const samplerSteps = sampler === 'ddpm' ? rec.schedule.steps : req.samplerSteps ?? rec.samplerSteps;
    const seed = req.seed ?? 0;
    const B = latentTokens.length;
    const D = m.model.hiddenSize;
    const { channels: C, size } = rec;
    const condition = new Float32Array(B * D);
    latentTokens.forEach((t, i) => condition.set(t, i * D));
    const rng = createRandom(seed >>> 0);
    const noise = req.noise ?? rng.normals(B * C * size * size);
    if (noise.length !== B * C * size * size) {
      throw new RangeError(`initial noise has ${noise.length} values, expected ${B}x${C}x${size}x${size}`);
    }
    const unet = await this.session('unet');
    const denoise = async (sample: Float32Array, t: number) => {
      const out = await unet.run({
        sample: floatTensor(sample, [B, C, size, size]),
        timestep: floatTensor(new Float32Array(B).fill(t), [B]),
        condition: floatTensor(condition, [B, 1, D]),
      });
      signal?.throwIfAborted();
      return expectOutput(out, 'noise_pred', [B, C, size, size], unet.file);
    };
    const schedule = linearSchedule(rec.schedule.betaStart, rec.schedule.betaEnd, rec.schedule.steps);
    const options = { clipSample: rec.clipSample ?? false, signal };
    const pixels = sampler === 'ddpm'
      ? await sampleDdpm(denoise, noise, schedule, rng, options)
      : await sampleDdim(denoise, noise, schedule, samplerSteps, options);
    return { sampler, samplerSteps, seed, channels: C, size, pixels };
  }

  private async runLatent(parts: LoopParts, start: LoopStart, s: TraceSettings, progress: (p: TraceProgress) => void): Promise<LatentResult & { windowScores?: Float32Array[] }> {
    const m = this.manifest;
    const stepParts: LoopParts = { ...parts, onStep: (i, n) => progress({ stage: 'latent', step: i, total: n }) };
    if (m.method === 'direct') return { steps: [], state: start.state, last: start.last, stopReason: 'none' };
    progress({ stage: 'latent', step: 0, total: latentBudget(m, s) });
    if (m.method === 'lare') return runLareSteps(stepParts, start, s);
    return runLvrSteps(stepParts, start, this.lvrSettings(s));
  }

  private lvrSettings(s: TraceSettings): LvrSettings {
    const m = this.manifest;
    const out: LvrSettings = {
      ...s,
      lvrStop: s.lvrStop ?? 'fixed',
      endDistance: m.defaults.lvrEndDistance ?? 0,
      endTokenId: this.bundle.tokenizer.idOf(m.tokenizer.special.latentEnd!),
    };
    const lvr = m.formatVersion === 2 ? m.lvr : undefined;
    if (lvr && this.bundle.latentEnd) out.latentEnd = { embedding: this.bundle.latentEnd, criterion: lvr.criterion, threshold: lvr.threshold };
    return out;
  }

  private get mrope(): boolean {
    return this.manifest.formatVersion === 2 && this.manifest.model.positions === 'mrope';
  }

  /** what the first step after the prompt reads from the prefill's newest position */
  private fetchAfterPrompt(parts: LoopParts, s: TraceSettings): DecoderOutput[] {
    const m = this.manifest;
    if (m.method === 'lare') return fetchForLare(parts);
    if (m.method === 'lvr') return fetchForLvr({ lvrStop: s.lvrStop ?? 'fixed' });
    return ['logits'];
  }

  /** built once per engine; null for a large vocabulary or an embed graph that is not token-wise */
  private embeddingTable(graphEmbed: (ids: number[]) => Promise<Float32Array>): Promise<EmbeddingTable | null> {
    const V = this.manifest.model.vocabSize;
    this.table ??= (async () => {
      const table = await EmbeddingTable.build(V, this.manifest.model.hiddenSize, graphEmbed);
      if (!table) return null;
      // the same id at different positions, and a few neighbours: a token-wise graph gives the table rows
      const probe = [V - 1, 0, Math.min(1, V - 1), V - 1];
      if (table.matches(probe, await graphEmbed(probe))) return table;
      this.options.log?.('debug', `${this.bundle.graphPaths.embed}: embeddings depend on context; using the graph for every token`);
      return null;
    })();
    this.table.catch(() => {
      this.table = undefined;
    });
    return this.table;
  }

  private session(role: GraphRole): Promise<GraphSession> {
    const path = this.bundle.graphPaths[role];
    if (!path) throw new Error(`bundle "${this.manifest.name}" has no ${role} graph`);
    return this.sessions.get(path, { weightsOnDisk: this.bundle.externalDataGraphs.includes(role) });
  }

  private async parts(signal?: AbortSignal): Promise<LoopParts> {
    const m = this.manifest;
    const D = m.model.hiddenSize;
    const [embedSession, decoderSession] = await Promise.all([this.session('embed'), this.session('decoder')]);
    const extractorSession = m.method === 'lare' && m.extractor ? await this.session('extractor') : undefined;
    const graphEmbed = async (ids: number[]) => {
      const out = await embedSession.run({ input_ids: int64Tensor(ids) });
      return expectOutput(out, 'embeddings', [1, ids.length, D], embedSession.file);
    };
    const table = await this.embeddingTable(graphEmbed);
    const embed = (ids: number[]) => (table && ids.length === 1 ? Promise.resolve(table.lookup(ids)) : graphEmbed(ids));
    const parts: LoopParts = { manifest: m, decoder: new Decoder(decoderSession, m), embed, signal };
    if (m.method === 'lvr' && m.graphs.lvrHead) {
      const head = await this.session('lvrHead');
      parts.lvrHead = async (hidden) => {
        const out = await head.run({ hidden: floatTensor(hidden, [1, 1, D]) });
        return Float32Array.from(expectOutput(out, 'projected', [1, 1, D], head.file));
      };
    }
    if (extractorSession && m.window && m.extractor) {
      const W2 = m.window.size ** 2;
      const K = m.extractor.stateLayers.length;
      const Lx = m.extractor.layers;
      parts.extract = async (latentState, windowFeatures) => {
        const out = await extractorSession.run({
          latent_state: floatTensor(latentState, [1, K, D]),
          window_features: floatTensor(windowFeatures, [1, W2, windowFeatures.length / W2]),
        });
        return {
          latentToken: Float32Array.from(expectOutput(out, 'latent_token', [1, D], extractorSession.file)),
          crossAttention: Float32Array.from(expectOutput(out, 'cross_attention', [1, Lx, W2], extractorSession.file)),
        };
      };
    }
    return parts;
  }
}

/** The newest position's attention over the visual tokens, per layer and mean over layers (Table 5). */
function visualAttention(last: DecoderStep, m: BundleManifest, imageOffset: number, N: number): Trace['firstAnswerAttention'] {
  const L = m.model.layers;
  const K = last.positions;
  const attention = need(last, 'attention');
  const perLayer = new Float32Array(L * N);
  const mean = new Float32Array(N);
  for (let l = 0; l < L; l++) {
    for (let i = 0; i < N; i++) {
      const a = attention[l * K + imageOffset + i];
      perLayer[l * N + i] = a;
      mean[i] += a / L;
    }
  }
  let total = 0;
  for (let i = 0; i < N; i++) total += mean[i];
  return { perLayer, mean, total };
}

/** N when the manifest fixes it (version 1, fixed version 2 images); null when each image has its own */
function fixedVisualTokens(m: BundleManifest): number | null {
  if (m.formatVersion === 1) return m.model.visualTokens;
  return m.image.kind === 'fixed' ? m.image.grid.rows * m.image.grid.cols : null;
}

/** CLIP's centre crop covers only the middle of a non-square image: the panel draws the grid there. */
function gridRegionOf(spec: BundleManifest['image'], width: number, height: number): { gridRegion?: GridRegion } {
  if (!('kind' in spec) || spec.kind !== 'fixed' || spec.resize !== 'shortest-edge-center-crop') return {};
  return { gridRegion: centreCropRegion(width, height, spec.shortestEdge ?? Math.min(spec.width, spec.height), spec.width, spec.height) };
}

/** What each answer token adds to the text, so byte-level BPE pieces never show in the panel. */
function tokenTextsOf(decode: (ids: readonly number[]) => string, ids: readonly number[]): { tokenTexts?: string[] } {
  const tokenTexts = answerTokenTexts(decode, ids);
  return tokenTexts ? { tokenTexts } : {};
}

/** where each part of the sequence sits; the question is found as its token run inside the prompt */
function positionLayout(layout: PromptLayout, x: ReplayInput, decode: (ids: number[]) => string): PositionLayout {
  const q = layout.questionIds;
  let offset = -1;
  for (let i = 0; i + q.length <= layout.inputIds.length && offset < 0; i++) {
    if (q.every((id, k) => layout.inputIds[i + k] === id)) offset = i;
  }
  const answerOffset = x.promptLength + x.latentSteps + (x.latentEnd ? 1 : 0);
  return {
    image: { offset: layout.imageOffset, count: layout.inputIds.filter((id) => id === -1).length },
    question: { offset, count: q.length, tokens: q.map((id) => decode([id])) },
    latents: { offset: x.promptLength, count: x.latentSteps },
    answer: { offset: answerOffset, count: x.fedAnswerTokens },
  };
}
