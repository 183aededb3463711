/**
 * Validates a parsed `latent-trace.json` against src/shared/bundle.ts. Pure: the caller reads the file.
 * Every error names the file and the field, e.g.
 *   models/x/latent-trace.json: field "image.grid.rows" must be a positive integer, got "8"
 */
import type { BundleManifest } from '../shared/bundle';

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
  c.oneOf(m.formatVersion, 'formatVersion', [1]);
  c.string(m.name, 'name');
  c.string(m.version, 'version');
  const method = c.oneOf(m.method, 'method', ['lare', 'lvr', 'direct'] as const);
  if (typeof m.description !== 'undefined' && typeof m.description !== 'string') c.fail('description', 'must be a string', m.description);
  const hash = c.string(m.hash, 'hash');
  if (!/^sha256:[0-9a-f]{64}$/.test(hash)) c.fail('hash', 'must be "sha256:" followed by 64 lowercase hex digits', hash);

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

  const image = c.object(m.image, 'image');
  const size = c.int(image.size, 'image.size', 1);
  c.triple(image.mean, 'image.mean', false);
  c.triple(image.std, 'image.std', true);
  const patch = c.int(image.patchSize, 'image.patchSize', 1);
  const grid = c.object(image.grid, 'image.grid');
  const rows = c.int(grid.rows, 'image.grid.rows', 1);
  const cols = c.int(grid.cols, 'image.grid.cols', 1);
  if (rows * patch !== size || cols * patch !== size) {
    c.fail('image.grid', `must tile image.size ${size} with image.patchSize ${patch}`, grid);
  }

  const tok = c.object(m.tokenizer, 'tokenizer');
  c.string(tok.file, 'tokenizer.file');
  const special = c.object(tok.special, 'tokenizer.special');
  for (const k of ['bos', 'eos', 'pad', 'unk']) c.string(special[k], `tokenizer.special.${k}`);
  if (method !== 'direct') {
    c.string(special.latentStart, 'tokenizer.special.latentStart');
    c.string(special.latentEnd, 'tokenizer.special.latentEnd');
  }

  const prompt = c.object(m.prompt, 'prompt');
  if (!Array.isArray(prompt.template) || prompt.template.length === 0) c.fail('prompt.template', 'must be a non-empty array of strings', prompt.template);
  const template = prompt.template as unknown[];
  template.forEach((t: unknown, i: number) => c.string(t, `prompt.template[${i}]`));
  for (const placeholder of ['{image}', '{question}']) {
    if (template.filter((t: unknown) => t === placeholder).length !== 1) {
      c.fail('prompt.template', `must contain "${placeholder}" exactly once`, template);
    }
  }
  if (method !== 'direct' && template[template.length - 1] !== special.latentStart) {
    c.fail('prompt.template', `must end with tokenizer.special.latentStart (${show(special.latentStart)})`, template);
  }

  const model = c.object(m.model, 'model');
  c.int(model.hiddenSize, 'model.hiddenSize', 1);
  const layers = c.int(model.layers, 'model.layers', 1);
  c.int(model.heads, 'model.heads', 1);
  c.int(model.headDim, 'model.headDim', 1);
  c.int(model.vocabSize, 'model.vocabSize', 2);
  c.int(model.maxPositions, 'model.maxPositions', 1);
  const n = c.int(model.visualTokens, 'model.visualTokens', 1);
  if (n !== rows * cols) c.fail('model.visualTokens', `must equal image.grid.rows*cols = ${rows * cols}`, n);

  const graphs = c.object(m.graphs, 'graphs');
  c.string(graphs.vision, 'graphs.vision');
  c.string(graphs.embed, 'graphs.embed');
  c.string(graphs.decoder, 'graphs.decoder');
  if (graphs.extractor !== undefined) c.string(graphs.extractor, 'graphs.extractor');
  if (graphs.unet !== undefined) c.string(graphs.unet, 'graphs.unet');

  if (method === 'lare') {
    const sal = c.object(m.saliency, 'saliency');
    c.intArray(sal.layers, 'saliency.layers', 0, layers - 1);
    const win = c.object(m.window, 'window');
    const w = c.int(win.size, 'window.size', 1);
    c.int(win.stride, 'window.stride', 1);
    if (w > rows || w > cols) c.fail('window.size', `must fit the ${rows}x${cols} grid`, w);
    if (m.extractor === undefined) c.fail('extractor', 'must be an object or null for a lare bundle', m.extractor);
    if (m.extractor !== null) {
      const ex = c.object(m.extractor, 'extractor');
      c.int(ex.layers, 'extractor.layers', 1);
      c.intArray(ex.stateLayers, 'extractor.stateLayers', 0, layers);
      if (graphs.extractor === undefined) c.fail('graphs.extractor', 'must name the Extractor graph when "extractor" is set', graphs.extractor);
    }
  }

  if (m.reconstruction !== undefined) {
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

  const d = c.object(m.defaults, 'defaults');
  const latentSteps = c.int(d.latentSteps, 'defaults.latentSteps', method === 'direct' ? 0 : 1);
  const maxSteps = c.int(d.maxLatentSteps, 'defaults.maxLatentSteps', method === 'direct' ? 0 : 1);
  if (maxSteps < latentSteps) c.fail('defaults.maxLatentSteps', `must be >= defaults.latentSteps (${latentSteps})`, maxSteps);
  c.oneOf(d.stop, 'defaults.stop', ['fixed', 'cosine', 'l1', 'l2'] as const);
  const th = c.object(d.thresholds, 'defaults.thresholds');
  for (const k of ['cosine', 'l1', 'l2']) c.number(th[k], `defaults.thresholds.${k}`);
  c.int(d.maxAnswerTokens, 'defaults.maxAnswerTokens', 1);
  if (method === 'lvr') {
    c.oneOf(d.lvrStop, 'defaults.lvrStop', ['fixed', 'end-token', 'end-distance'] as const);
    if (d.lvrStop === 'end-distance' || d.lvrEndDistance !== undefined) c.positive(d.lvrEndDistance, 'defaults.lvrEndDistance');
  }
  return m as unknown as BundleManifest;
}
