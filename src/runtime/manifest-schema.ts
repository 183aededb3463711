/**
 * Validates a parsed `latent-trace.json` against src/shared/bundle.ts. Pure: the caller reads the file.
 * Both format versions (docs/bundle-format.md); every error names the file and the field, e.g.
 *   models/x/latent-trace.json: field "image.grid.rows" must be a positive integer, got "8"
 */
import type { BundleManifest, BundleMethod } from '../shared/bundle';

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

type Json = Record<string, unknown>;

class Checker {
  constructor(private readonly file: string) {}

  fail(path: string, what: string, value: unknown): never {
    throw new BundleError(`${this.file}: field "${path}" ${what}, got ${show(value)}`);
  }
  object(v: unknown, path: string): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be an object', v);
    return v as Json;
  }
  string(v: unknown, path: string): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(path, 'must be a non-empty string', v);
    return v;
  }
  number(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'must be a finite number', v);
    return v;
  }
  positive(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(path, 'must be a positive number', v);
    return v;
  }
  int(v: unknown, path: string, min: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.fail(path, min === 1 ? 'must be a positive integer' : `must be an integer >= ${min}`, v);
    }
    return v;
  }
  oneOf<T extends string | number>(v: unknown, path: string, allowed: readonly T[]): T {
    if (!allowed.includes(v as T)) this.fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v);
    return v as T;
  }
  triple(v: unknown, path: string, positive: boolean): [number, number, number] {
    if (!Array.isArray(v) || v.length !== 3) this.fail(path, 'must be an array of 3 numbers', v);
    return v.map((x, i) => (positive ? this.positive(x, `${path}[${i}]`) : this.number(x, `${path}[${i}]`))) as [number, number, number];
  }
  optionalString(v: unknown, path: string): string | undefined {
    return v === undefined ? undefined : this.string(v, path);
  }
  stringArray(v: unknown, path: string, minLength: number): string[] {
    if (!Array.isArray(v) || v.length < minLength) this.fail(path, `must be an array of at least ${minLength} strings`, v);
    return v.map((x, i) => this.string(x, `${path}[${i}]`));
  }
  intArray(v: unknown, path: string, min: number, max: number): number[] {
    if (!Array.isArray(v) || v.length === 0) this.fail(path, 'must be a non-empty array of integers', v);
    return v.map((x, i) => {
      const n = this.int(x, `${path}[${i}]`, min);
      if (n > max) this.fail(`${path}[${i}]`, `must be <= ${max}`, x);
      return n;
    });
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Checks every field the runtime relies on and returns the manifest typed. */
export function validateManifest(raw: unknown, file: string): BundleManifest {
  const c = new Checker(file);
  const m = c.object(raw, '(root)');
  c.oneOf(m.format, 'format', ['latent-trace-bundle']);
  const version = c.oneOf(m.formatVersion, 'formatVersion', [1, 2] as const);
  c.string(m.name, 'name');
  c.string(m.version, 'version');
  const method = c.oneOf(m.method, 'method', ['lare', 'lvr', 'direct'] as const);
  if (typeof m.description !== 'undefined' && typeof m.description !== 'string') c.fail('description', 'must be a string', m.description);
  if (m.ablationOf !== undefined) c.string(m.ablationOf, 'ablationOf');
  if (m.baselineFor !== undefined) c.stringArray(m.baselineFor, 'baselineFor', 1);
  const hash = c.string(m.hash, 'hash');
  if (!/^sha256:[0-9a-f]{64}$/.test(hash)) c.fail('hash', 'must be "sha256:" followed by 64 lowercase hex digits', hash);
  checkProvenance(c, m);

  const { grid } = version === 1 ? checkImageV1(c, m) : checkImageV2(c, m);
  if (version === 2) c.oneOf(m.family, 'family', ['llava', 'qwen2_5_vl']);

  const tok = c.object(m.tokenizer, 'tokenizer');
  c.string(tok.file, 'tokenizer.file');
  const special = c.object(tok.special, 'tokenizer.special');
  for (const k of ['bos', 'eos', 'pad', 'unk']) c.string(special[k], `tokenizer.special.${k}`);
  if (method !== 'direct') {
    c.string(special.latentStart, 'tokenizer.special.latentStart');
    c.string(special.latentEnd, 'tokenizer.special.latentEnd');
  }
  if (version === 2) c.optionalString(tok.chatTemplate, 'tokenizer.chatTemplate');
  checkPrompt(c, m, version, method);

  const model = c.object(m.model, 'model');
  c.int(model.hiddenSize, 'model.hiddenSize', 1);
  const layers = c.int(model.layers, 'model.layers', 1);
  const heads = c.int(model.heads, 'model.heads', 1);
  const headDim = c.int(model.headDim, 'model.headDim', 1);
  c.int(model.vocabSize, 'model.vocabSize', 2);
  c.int(model.maxPositions, 'model.maxPositions', 1);
  if (model.coarsePool !== undefined) c.int(model.coarsePool, 'model.coarsePool', 2);
  if (version === 1 || grid !== null) {
    const n = c.int(model.visualTokens, 'model.visualTokens', 1);
    if (grid && n !== grid.rows * grid.cols) c.fail('model.visualTokens', `must equal image.grid.rows*cols = ${grid.rows * grid.cols}`, n);
  } else if (model.visualTokens !== null) {
    c.fail('model.visualTokens', 'must be null for a dynamic image (N follows each image\'s grid)', model.visualTokens);
  }
  if (version === 2) checkModelV2(c, model, heads, headDim);

  const graphs = c.object(m.graphs, 'graphs');
  c.string(graphs.vision, 'graphs.vision');
  c.string(graphs.embed, 'graphs.embed');
  c.string(graphs.decoder, 'graphs.decoder');
  c.optionalString(graphs.extractor, 'graphs.extractor');
  c.optionalString(graphs.unet, 'graphs.unet');
  if (version === 1 && graphs.lvrHead !== undefined) c.fail('graphs.lvrHead', 'is a format version 2 field', graphs.lvrHead);
  c.optionalString(graphs.lvrHead, 'graphs.lvrHead');
  c.optionalString(graphs.lens, 'graphs.lens');

  if (method === 'lare') checkLare(c, m, graphs, layers, grid);
  if (m.reconstruction !== undefined) checkReconstruction(c, m, graphs);
  checkDefaults(c, m, version, method);
  return m as unknown as BundleManifest;
}

function checkProvenance(c: Checker, m: Json): void {
  const prov = c.object(m.provenance, 'provenance');
  c.string(prov.command, 'provenance.command');
  c.int(prov.seed, 'provenance.seed', 0);
  c.string(prov.gitRevision, 'provenance.gitRevision');
  c.string(prov.trainedAt, 'provenance.trainedAt');
  if (prov.wallTimeSeconds !== undefined) c.number(prov.wallTimeSeconds, 'provenance.wallTimeSeconds');
  if (prov.parameters !== undefined) c.int(prov.parameters, 'provenance.parameters', 0);
  if (prov.metrics !== undefined) {
    const metrics = c.object(prov.metrics, 'provenance.metrics');
    for (const [k, v] of Object.entries(metrics)) c.number(v, `provenance.metrics.${k}`);
  }
}

type Grid = { rows: number; cols: number };

function checkImageV1(c: Checker, m: Json): { grid: Grid } {
  const image = c.object(m.image, 'image');
  const size = c.int(image.size, 'image.size', 1);
  c.triple(image.mean, 'image.mean', false);
  c.triple(image.std, 'image.std', true);
  const patch = c.int(image.patchSize, 'image.patchSize', 1);
  const grid = checkGrid(c, image);
  if (grid.rows * patch !== size || grid.cols * patch !== size) {
    c.fail('image.grid', `must tile image.size ${size} with image.patchSize ${patch}`, image.grid);
  }
  return { grid };
}

function checkGrid(c: Checker, image: Json): Grid {
  const grid = c.object(image.grid, 'image.grid');
  return { rows: c.int(grid.rows, 'image.grid.rows', 1), cols: c.int(grid.cols, 'image.grid.cols', 1) };
}

/** grid is null for a dynamic image: each image has its own */
function checkImageV2(c: Checker, m: Json): { grid: Grid | null } {
  const image = c.object(m.image, 'image');
  const kind = c.oneOf(image.kind, 'image.kind', ['fixed', 'dynamic'] as const);
  c.oneOf(image.resample, 'image.resample', ['bicubic', 'bilinear']);
  c.triple(image.mean, 'image.mean', false);
  c.triple(image.std, 'image.std', true);
  const patch = c.int(image.patchSize, 'image.patchSize', 1);
  if (kind === 'fixed') {
    const height = c.int(image.height, 'image.height', 1);
    const width = c.int(image.width, 'image.width', 1);
    const resize = c.oneOf(image.resize, 'image.resize', ['shortest-edge-center-crop', 'stretch'] as const);
    if (resize === 'shortest-edge-center-crop') {
      const edge = c.int(image.shortestEdge, 'image.shortestEdge', 1);
      if (edge < Math.min(height, width)) c.fail('image.shortestEdge', `must be at least the crop's shorter side ${Math.min(height, width)}`, edge);
    } else if (image.shortestEdge !== undefined) {
      c.fail('image.shortestEdge', 'only applies to resize "shortest-edge-center-crop"', image.shortestEdge);
    }
    const grid = checkGrid(c, image);
    if (grid.rows * patch !== height || grid.cols * patch !== width) {
      c.fail('image.grid', `must tile image.height ${height} x image.width ${width} with image.patchSize ${patch}`, image.grid);
    }
    return { grid };
  }
  c.int(image.temporalPatchSize, 'image.temporalPatchSize', 1);
  const merge = c.int(image.mergeSize, 'image.mergeSize', 1);
  const factor = patch * merge;
  const minPixels = c.int(image.minPixels, 'image.minPixels', 1);
  const maxPixels = c.int(image.maxPixels, 'image.maxPixels', 1);
  if (maxPixels < minPixels) c.fail('image.maxPixels', `must be >= image.minPixels (${minPixels})`, maxPixels);
  if (maxPixels < factor * factor) c.fail('image.maxPixels', `must hold at least one merged patch (${factor}x${factor} = ${factor * factor} pixels)`, maxPixels);
  const windowSize = c.int(image.windowSize, 'image.windowSize', 1);
  if (windowSize % factor !== 0) c.fail('image.windowSize', `must be a multiple of image.patchSize*image.mergeSize = ${factor}`, windowSize);
  return { grid: null };
}

function checkPrompt(c: Checker, m: Json, version: 1 | 2, method: BundleMethod): void {
  const prompt = c.object(m.prompt, 'prompt');
  const special = (m.tokenizer as Json).special as Json;
  const latentStart = special.latentStart;
  if (prompt.questionTemplates !== undefined) c.stringArray(prompt.questionTemplates, 'prompt.questionTemplates', 1);
  if (version === 2 && prompt.chat !== undefined) {
    if (prompt.template !== undefined) c.fail('prompt', 'must have "template" or "chat", not both', Object.keys(prompt));
    const chat = c.object(prompt.chat, 'prompt.chat');
    if (chat.system !== null) c.string(chat.system, 'prompt.chat.system');
    c.string(chat.imageToken, 'prompt.chat.imageToken');
    const suffix = c.stringArray(chat.suffix, 'prompt.chat.suffix', method === 'direct' ? 0 : 1);
    if (method !== 'direct' && suffix[suffix.length - 1] !== latentStart) {
      c.fail('prompt.chat.suffix', `must end with tokenizer.special.latentStart (${show(latentStart)})`, suffix);
    }
    if (typeof (m.tokenizer as Json).chatTemplate !== 'string') {
      c.fail('tokenizer.chatTemplate', 'must hold the chat template when "prompt.chat" is used', (m.tokenizer as Json).chatTemplate);
    }
    return;
  }
  if (!Array.isArray(prompt.template) || prompt.template.length === 0) {
    c.fail('prompt.template', version === 2 ? 'must be a non-empty array of strings (or give "prompt.chat")' : 'must be a non-empty array of strings', prompt.template);
  }
  const template = prompt.template as unknown[];
  template.forEach((t: unknown, i: number) => c.string(t, `prompt.template[${i}]`));
  for (const placeholder of ['{image}', '{question}']) {
    if (template.filter((t: unknown) => t === placeholder).length !== 1) {
      c.fail('prompt.template', `must contain "${placeholder}" exactly once`, template);
    }
  }
  if (method !== 'direct' && template[template.length - 1] !== latentStart) {
    c.fail('prompt.template', `must end with tokenizer.special.latentStart (${show(latentStart)})`, template);
  }
}

function checkModelV2(c: Checker, model: Json, heads: number, headDim: number): void {
  const kvHeads = c.int(model.kvHeads, 'model.kvHeads', 1);
  if (heads % kvHeads !== 0) c.fail('model.kvHeads', `must divide model.heads (${heads})`, kvHeads);
  const positions = c.oneOf(model.positions, 'model.positions', ['implied', 'mrope'] as const);
  if (model.mropeSection !== undefined) {
    if (positions !== 'mrope') c.fail('model.mropeSection', 'only applies to model.positions "mrope"', model.mropeSection);
    const section = c.triple(model.mropeSection, 'model.mropeSection', true);
    section.forEach((s, i) => c.int(s, `model.mropeSection[${i}]`, 1));
    if (section[0] + section[1] + section[2] !== headDim / 2) c.fail('model.mropeSection', `must sum to model.headDim/2 = ${headDim / 2}`, section);
  }
  c.oneOf(model.dtype, 'model.dtype', ['float32', 'float16']);
  c.oneOf(model.kvDtype, 'model.kvDtype', ['float32', 'float16']);
}

function checkLare(c: Checker, m: Json, graphs: Json, layers: number, grid: Grid | null): void {
  const sal = c.object(m.saliency, 'saliency');
  c.intArray(sal.layers, 'saliency.layers', 0, layers - 1);
  const win = c.object(m.window, 'window');
  const w = c.int(win.size, 'window.size', 1);
  c.int(win.stride, 'window.stride', 1);
  // a dynamic grid is checked per image, when the run knows it
  if (grid && (w > grid.rows || w > grid.cols)) c.fail('window.size', `must fit the ${grid.rows}x${grid.cols} grid`, w);
  if (m.extractor === undefined) c.fail('extractor', 'must be an object or null for a lare bundle', m.extractor);
  if (m.extractor !== null) {
    const ex = c.object(m.extractor, 'extractor');
    c.int(ex.layers, 'extractor.layers', 1);
    c.intArray(ex.stateLayers, 'extractor.stateLayers', 0, layers);
    if (graphs.extractor === undefined) c.fail('graphs.extractor', 'must name the Extractor graph when "extractor" is set', graphs.extractor);
  }
}

function checkReconstruction(c: Checker, m: Json, graphs: Json): void {
  const rec = c.object(m.reconstruction, 'reconstruction');
  c.int(rec.channels, 'reconstruction.channels', 1);
  c.int(rec.size, 'reconstruction.size', 1);
  const sch = c.object(rec.schedule, 'reconstruction.schedule');
  c.oneOf(sch.type, 'reconstruction.schedule.type', ['linear']);
  const b0 = c.positive(sch.betaStart, 'reconstruction.schedule.betaStart');
  const b1 = c.positive(sch.betaEnd, 'reconstruction.schedule.betaEnd');
  if (b1 >= 1 || b0 > b1) c.fail('reconstruction.schedule.betaEnd', 'must be >= betaStart and < 1', b1);
  const steps = c.int(sch.steps, 'reconstruction.schedule.steps', 1);
  c.oneOf(rec.sampler, 'reconstruction.sampler', ['ddim', 'ddpm']);
  const ss = c.int(rec.samplerSteps, 'reconstruction.samplerSteps', 1);
  if (ss > steps) c.fail('reconstruction.samplerSteps', `must be <= reconstruction.schedule.steps (${steps})`, ss);
  if (rec.clipSample !== undefined && typeof rec.clipSample !== 'boolean') c.fail('reconstruction.clipSample', 'must be true or false', rec.clipSample);
  if (graphs.unet === undefined) c.fail('graphs.unet', 'must name the U-Net graph when "reconstruction" is set', graphs.unet);
}

function checkDefaults(c: Checker, m: Json, version: 1 | 2, method: BundleMethod): void {
  const d = c.object(m.defaults, 'defaults');
  const latentSteps = c.int(d.latentSteps, 'defaults.latentSteps', method === 'direct' ? 0 : 1);
  const maxSteps = c.int(d.maxLatentSteps, 'defaults.maxLatentSteps', method === 'direct' ? 0 : 1);
  if (maxSteps < latentSteps) c.fail('defaults.maxLatentSteps', `must be >= defaults.latentSteps (${latentSteps})`, maxSteps);
  c.oneOf(d.stop, 'defaults.stop', ['fixed', 'cosine', 'l1', 'l2'] as const);
  const th = c.object(d.thresholds, 'defaults.thresholds');
  for (const k of ['cosine', 'l1', 'l2']) c.number(th[k], `defaults.thresholds.${k}`);
  c.int(d.maxAnswerTokens, 'defaults.maxAnswerTokens', 1);
  if (m.lvr !== undefined) {
    if (version === 1) c.fail('lvr', 'is a format version 2 field', m.lvr);
    if (method !== 'lvr') c.fail('lvr', 'only applies to method "lvr"', m.lvr);
    const lvr = c.object(m.lvr, 'lvr');
    if (lvr.latentEndEmbedding !== null) c.string(lvr.latentEndEmbedding, 'lvr.latentEndEmbedding');
    c.oneOf(lvr.criterion, 'lvr.criterion', ['mse', 'mae', 'cosine']);
    const threshold = c.number(lvr.threshold, 'lvr.threshold');
    if (threshold < 0) c.fail('lvr.threshold', 'must be >= 0', threshold);
    c.int(lvr.maxSteps, 'lvr.maxSteps', 1);
  }
  if (method === 'lvr') {
    const rules = version === 1 ? ['fixed', 'end-token', 'end-distance'] as const : ['fixed', 'end-token', 'end-distance', 'latent'] as const;
    c.oneOf(d.lvrStop, 'defaults.lvrStop', rules);
    if (d.lvrStop === 'end-distance' || d.lvrEndDistance !== undefined) c.positive(d.lvrEndDistance, 'defaults.lvrEndDistance');
    if (d.lvrStop === 'latent') {
      const lvr = m.lvr as Json | undefined;
      if (!lvr || typeof lvr.latentEndEmbedding !== 'string') {
        c.fail('lvr.latentEndEmbedding', 'must name the latent-end embedding file when defaults.lvrStop is "latent"', lvr?.latentEndEmbedding);
      }
    }
  }
}
