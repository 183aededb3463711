/**
 * The host <-> panel message protocol. Both sides import this file (no vscode, no node:*).
 * Every incoming message is checked by a guard before use; the receiver logs and drops what fails.
 * Tensors travel as typed arrays (VS Code recreates them through postMessage), never as base64.
 */
import type { InterventionResult, Trace, TraceStep, WindowBox } from './trace';
import { tokenTextsFit } from './trace-tokens';
import type { Report } from './reports';

export const PROTOCOL_VERSION = 1;

/** What the panel shows; the host replays it on every `ready`. */
export type PanelContent =
  | { kind: 'empty' }
  | { kind: 'trace'; trace: Trace; file?: string }
  | { kind: 'report'; report: Report; file?: string }
  | { kind: 'compare'; a: Trace; b: Trace; fileA?: string; fileB?: string };

export type ExportFormat = 'png' | 'svg' | 'csv';
export type PerfMetric = 'first-paint' | 'scrub' | 'view-render';
export type WebviewLogLevel = 'info' | 'warn' | 'error';

// ---- host -> webview -------------------------------------------------------

/** Replaces what the panel shows (sent after `ready` and whenever the host opens a result). */
export interface ShowMessage { type: 'show'; content: PanelContent }
/** A long run began; the panel shows a progress bar with a cancel button. */
export interface RunStartedMessage { type: 'runStarted'; runId: number; label: string }
/** A study running as a Slurm array job: one row per shard (its task's state, items done of its total) and the merge job. */
export interface SlurmRows {
  shards: { shard: number; state: string; done: number; of: number }[];
  merge: { job: string; state: string };
}
/** Progress of a run; fraction in [0, 1] when known; `slurm`: the shards of a study on Slurm. */
export interface ProgressMessage { type: 'progress'; runId: number; message: string; fraction?: number; slurm?: SlurmRows }
/**
 * A run finished, failed or was cancelled; the panel hides its progress bar. `outcome` (a Slurm
 * study's "cancelled", "failed", "report written") stays under its shard rows until the next run.
 */
export interface RunEndedMessage { type: 'runEnded'; runId: number; outcome?: string }
/** The answer to a request the webview made (`export`, `openFile`). */
export interface ReplyMessage { type: 'reply'; requestId: number; ok: boolean; message: string }
/** The host dropped a message it could not validate; shown in the panel's status line. */
export interface ProtocolErrorMessage { type: 'protocolError'; message: string }
/** The outcome of an `intervene` request (sent before its `reply`): both answers, the log-prob change, the new trace. */
export interface InterventionMessage { type: 'intervention'; requestId: number; result: InterventionResult }
/** whether the panel's Back and Forward have somewhere to go */
export interface HistoryMessage { type: 'history'; canBack: boolean; canForward: boolean }

export type ToWebviewMessage =
  | ShowMessage
  | RunStartedMessage
  | ProgressMessage
  | RunEndedMessage
  | ReplyMessage
  | ProtocolErrorMessage
  | InterventionMessage
  | HistoryMessage;

// ---- webview -> host -------------------------------------------------------

/** The app has loaded and listens; the host answers with `show` and any running progress. */
export interface ReadyMessage { type: 'ready'; protocol: number }
/** Save bytes the webview rendered (PNG/SVG/CSV) to a location the user picks. */
export interface ExportRequestMessage {
  type: 'export';
  requestId: number;
  format: ExportFormat;
  suggestedName: string;
  bytes: Uint8Array;
}
/** Ask the host for an open dialog: `show` replaces the content, `compare` puts the chosen trace beside the shown one. */
export interface OpenFileRequestMessage { type: 'openFile'; requestId: number; purpose: 'show' | 'compare' }
/**
 * An intervention on latent step `step` (1-based) of the shown trace. For `replace-from-trace` the host
 * asks which saved trace to take step `sourceStep` from; for `add-direction` it asks for two traces A and B
 * and adds alpha x (A's step `stepA` - B's step `stepB`).
 */
export type PanelIntervention =
  | { kind: 'zero'; step: number }
  | { kind: 'replace-with-step'; step: number; source: number }
  | { kind: 'replace-from-trace'; step: number; sourceStep: number }
  | { kind: 'add-direction'; step: number; alpha: number; stepA: number; stepB: number };
export const PANEL_INTERVENTIONS = ['zero', 'replace-with-step', 'replace-from-trace', 'add-direction'] as const;
/** A position whose per-head attention row a re-run should record (latent steps from 1, answer tokens from 0). */
export type AttentionSourceRequest = { kind: 'prompt-last' } | { kind: 'latent' | 'answer'; index: number };
/**
 * Re-run the shown trace from its settings recording per-head attention for these sources as well as the
 * ones it has; the host shows the new trace.
 */
export interface RecordAttentionRequestMessage { type: 'recordAttention'; requestId: number; sources: AttentionSourceRequest[] }
/** Open the trace of the shown report's item `itemId` (its `items[].id`), re-running it if no saved trace is found. */
export interface OpenItemRequestMessage { type: 'openItem'; requestId: number; itemId: string }
/** Run an intervention on the shown trace (host: the runtime's runIntervention); answered by `intervention` then `reply`. */
export interface InterveneRequestMessage { type: 'intervene'; requestId: number; intervention: PanelIntervention }
/** Cancel the run with this id. */
export interface CancelRunMessage { type: 'cancelRun'; runId: number }
/** A timing measured in the webview, in milliseconds, written to the host log. */
export interface PerfMessage { type: 'perf'; metric: PerfMetric; ms: number; detail: string }
/** A message for the host log (errors caught in the webview). */
export interface LogMessage { type: 'log'; level: WebviewLogLevel; message: string }
/** Back or Forward through what the panel showed */
export interface NavigateMessage { type: 'navigate'; direction: 'back' | 'forward' }

export type FromWebviewMessage =
  | ReadyMessage
  | ExportRequestMessage
  | OpenFileRequestMessage
  | CancelRunMessage
  | InterveneRequestMessage
  | OpenItemRequestMessage
  | RecordAttentionRequestMessage
  | PerfMessage
  | LogMessage
  | NavigateMessage;

// ---- guards ----------------------------------------------------------------

/** Why a value failed a guard: the path of the first bad field and what was wrong. */
export class ProtocolError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'ProtocolError';
  }
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(path, 'expected an object');
  return v as Obj;
}
function str(v: unknown, path: string, maxLength = 1 << 20): string {
  if (typeof v !== 'string') throw new ProtocolError(path, 'expected a string');
  if (v.length > maxLength) throw new ProtocolError(path, `string longer than ${maxLength}`);
  return v;
}
function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolError(path, 'expected a finite number');
  return v;
}
function int(v: unknown, path: string, min = 0): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new ProtocolError(path, `expected an integer >= ${min}`);
  return v as number;
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
  if (!allowed.includes(v as T)) throw new ProtocolError(path, `expected one of ${allowed.join(', ')}`);
  return v as T;
}
function optional<T>(v: unknown, path: string, check: (v: unknown, path: string) => T): T | undefined {
  return v === undefined ? undefined : check(v, path);
}
function f32(v: unknown, path: string, length?: number): Float32Array {
  if (!(v instanceof Float32Array)) throw new ProtocolError(path, 'expected a Float32Array');
  if (length !== undefined && v.length !== length) {
    throw new ProtocolError(path, `expected ${length} values, got ${v.length}`);
  }
  return v;
}
function numArray(v: unknown, path: string): number[] {
  if (!Array.isArray(v)) throw new ProtocolError(path, 'expected an array');
  v.forEach((x, i) => {
    if (typeof x !== 'number') throw new ProtocolError(`${path}[${i}]`, 'expected a number');
  });
  return v;
}

function checkRegion(v: unknown, path: string): void {
  const r = obj(v, path);
  const [x, y, width, height] = ['x', 'y', 'width', 'height'].map((k) => finite(r[k], `${path}.${k}`));
  // fractions of the image; a little slack for the rounding of x + width
  if (x < 0 || y < 0 || !(width > 0) || !(height > 0) || x + width > 1 + 1e-6 || y + height > 1 + 1e-6) {
    throw new ProtocolError(path, 'expected fractions of the image: x, y >= 0, width, height > 0, x + width <= 1, y + height <= 1');
  }
}

function checkTokenTexts(answer: Record<string, unknown>, path: string): void {
  const texts = answer.tokenTexts;
  if (!Array.isArray(texts) || texts.some((x) => typeof x !== 'string')) throw new ProtocolError(`${path}.tokenTexts`, 'expected an array of strings');
  const ids = numArray(answer.tokenIds, `${path}.tokenIds`);
  if (!tokenTextsFit({ text: answer.text as string, tokenIds: ids, tokenTexts: texts as string[] })) {
    throw new ProtocolError(`${path}.tokenTexts`, `expected ${ids.length} texts that join to the answer text`);
  }
}

function checkWindow(v: unknown, path: string, rows: number, cols: number): WindowBox | null {
  if (v === null) return null;
  const w = obj(v, path);
  const size = int(w.size, `${path}.size`, 1);
  const row = int(w.row, `${path}.row`);
  const col = int(w.col, `${path}.col`);
  if (row + size > rows || col + size > cols) throw new ProtocolError(path, `window exceeds the ${rows}x${cols} grid`);
  return { row, col, size };
}

function checkStep(v: unknown, path: string, cells: number, rows: number, cols: number): TraceStep {
  const s = obj(v, path);
  int(s.index, `${path}.index`);
  f32(s.saliency, `${path}.saliency`, cells);
  f32(s.visualSimilarity, `${path}.visualSimilarity`, cells);
  f32(s.latentToken, `${path}.latentToken`);
  const window = checkWindow(s.window, `${path}.window`, rows, cols);
  if (s.extractorAttention !== null) {
    const att = f32(s.extractorAttention, `${path}.extractorAttention`);
    if (!window) throw new ProtocolError(`${path}.extractorAttention`, 'present without a window');
    const per = window.size * window.size;
    if (att.length === 0 || att.length % per !== 0) {
      throw new ProtocolError(`${path}.extractorAttention`, `length ${att.length} is not a multiple of ${per}`);
    }
  }
  if (s.distance !== null) {
    const d = obj(s.distance, `${path}.distance`);
    for (const k of ['cosine', 'l1', 'l2']) finite(d[k], `${path}.distance.${k}`);
  }
  if (s.lens !== undefined) checkLens(s.lens, `${path}.lens`, cells);
  if (s.windowHitsBox !== undefined && typeof s.windowHitsBox !== 'boolean') throw new ProtocolError(`${path}.windowHitsBox`, 'expected a boolean');
  return v as TraceStep;
}

function checkSpan(v: unknown, path: string, positions: number): { offset: number; count: number } {
  const span = obj(v, path);
  const offset = int(span.offset, `${path}.offset`);
  const count = int(span.count, `${path}.count`);
  if (offset + count > positions) throw new ProtocolError(path, `positions ${offset}..${offset + count - 1} exceed the ${positions} recorded`);
  return { offset, count };
}

function checkHeadAttention(v: unknown, path: string, cells: number): void {
  const ha = obj(v, path);
  const layers = int(ha.layers, `${path}.layers`, 1);
  const heads = int(ha.heads, `${path}.heads`, 1);
  const positions = int(ha.positions, `${path}.positions`, 1);
  const layout = obj(ha.layout, `${path}.layout`);
  const image = checkSpan(layout.image, `${path}.layout.image`, positions);
  if (image.count !== cells) throw new ProtocolError(`${path}.layout.image.count`, `expected the grid's ${cells} visual tokens, got ${image.count}`);
  const question = checkSpan(layout.question, `${path}.layout.question`, positions);
  const tokens = (layout.question as Obj).tokens;
  if (!Array.isArray(tokens) || tokens.length !== question.count || tokens.some((x) => typeof x !== 'string')) {
    throw new ProtocolError(`${path}.layout.question.tokens`, `expected ${question.count} strings`);
  }
  checkSpan(layout.latents, `${path}.layout.latents`, positions);
  checkSpan(layout.answer, `${path}.layout.answer`, positions);
  if (!Array.isArray(ha.sources)) throw new ProtocolError(`${path}.sources`, 'expected an array');
  ha.sources.forEach((s, i) => {
    const src = obj(s, `${path}.sources[${i}]`);
    oneOf(src.kind, ['prompt-last', 'latent', 'answer'] as const, `${path}.sources[${i}].kind`);
    int(src.index, `${path}.sources[${i}].index`);
    const at = int(src.position, `${path}.sources[${i}].position`);
    if (at >= positions) throw new ProtocolError(`${path}.sources[${i}].position`, `expected < ${positions}`);
  });
  f32(ha.rows, `${path}.rows`, ha.sources.length * layers * heads * positions);
}

function checkLens(v: unknown, path: string, cells: number): void {
  if (!Array.isArray(v)) throw new ProtocolError(path, 'expected an array');
  v.forEach((e, i) => {
    const entry = obj(e, `${path}[${i}]`);
    int(entry.layer, `${path}[${i}].layer`);
    if (!Array.isArray(entry.tokens)) throw new ProtocolError(`${path}[${i}].tokens`, 'expected an array');
    entry.tokens.forEach((t, j) => {
      const tok = obj(t, `${path}[${i}].tokens[${j}]`);
      str(tok.text, `${path}[${i}].tokens[${j}].text`, 1024);
      finite(tok.prob, `${path}[${i}].tokens[${j}].prob`);
    });
    if (!Array.isArray(entry.patches)) throw new ProtocolError(`${path}[${i}].patches`, 'expected an array');
    entry.patches.forEach((p, j) => {
      const patch = obj(p, `${path}[${i}].patches[${j}]`);
      const index = int(patch.index, `${path}[${i}].patches[${j}].index`);
      if (index >= cells) throw new ProtocolError(`${path}[${i}].patches[${j}].index`, `expected < ${cells} visual tokens`);
      finite(patch.cosine, `${path}[${i}].patches[${j}].cosine`);
    });
  });
}

function checkGroundTruth(v: unknown, path: string): void {
  const gt = obj(v, path);
  oneOf(gt.source, ['dataset', 'sidecar', 'cli'] as const, `${path}.source`);
  if (gt.bbox !== undefined) {
    const b = numArray(gt.bbox, `${path}.bbox`);
    if (b.length !== 4 || !b.every(Number.isFinite) || b[2] < b[0] || b[3] < b[1]) {
      throw new ProtocolError(`${path}.bbox`, 'expected [x0, y0, x1, y1] with x0 <= x1 and y0 <= y1');
    }
  }
  optional(gt.expected, `${path}.expected`, (x, p) => str(x, p, 4096));
  if (gt.correct !== undefined && typeof gt.correct !== 'boolean') throw new ProtocolError(`${path}.correct`, 'expected a boolean');
}

/** Checks the parts of a Trace the panel reads; throws ProtocolError naming the first bad field. */
export function assertTrace(v: unknown, path = 'trace'): Trace {
  const t = obj(v, path);
  if (t.format !== 'latent-trace/trace') throw new ProtocolError(`${path}.format`, 'expected "latent-trace/trace"');
  const model = obj(t.model, `${path}.model`);
  str(model.name, `${path}.model.name`);
  const input = obj(t.input, `${path}.input`);
  str(input.question, `${path}.input.question`);
  str(input.imageName, `${path}.input.imageName`);
  str(input.imagePng, `${path}.input.imagePng`, 64 << 20);
  const grid = obj(input.grid, `${path}.input.grid`);
  const rows = int(grid.rows, `${path}.input.grid.rows`, 1);
  const cols = int(grid.cols, `${path}.input.grid.cols`, 1);
  if (input.gridRegion !== undefined) checkRegion(input.gridRegion, `${path}.input.gridRegion`);
  if (input.groundTruth !== undefined) checkGroundTruth(input.groundTruth, `${path}.input.groundTruth`);
  if (input.warnings !== undefined && (!Array.isArray(input.warnings) || input.warnings.some((w) => typeof w !== 'string'))) {
    throw new ProtocolError(`${path}.input.warnings`, 'expected an array of strings');
  }
  if (t.headAttention !== undefined) checkHeadAttention(t.headAttention, `${path}.headAttention`, rows * cols);
  if (!Array.isArray(t.steps)) throw new ProtocolError(`${path}.steps`, 'expected an array');
  t.steps.forEach((s, i) => checkStep(s, `${path}.steps[${i}]`, rows * cols, rows, cols));
  int(t.stoppedAt, `${path}.stoppedAt`);
  const settings = obj(t.settings, `${path}.settings`);
  finite(settings.threshold, `${path}.settings.threshold`);
  str(settings.stop, `${path}.settings.stop`);
  const answer = obj(t.answer, `${path}.answer`);
  str(answer.text, `${path}.answer.text`);
  numArray(answer.tokenProbs, `${path}.answer.tokenProbs`);
  if (answer.tokenTexts !== undefined) checkTokenTexts(answer, `${path}.answer`);
  const tokens = obj(t.tokens, `${path}.tokens`);
  for (const k of ['prompt', 'latent', 'answer']) int(tokens[k], `${path}.tokens.${k}`);
  const faa = obj(t.firstAnswerAttention, `${path}.firstAnswerAttention`);
  f32(faa.mean, `${path}.firstAnswerAttention.mean`, rows * cols);
  const perLayer = f32(faa.perLayer, `${path}.firstAnswerAttention.perLayer`);
  if (perLayer.length % (rows * cols) !== 0) {
    throw new ProtocolError(`${path}.firstAnswerAttention.perLayer`, `length ${perLayer.length} is not a whole number of ${rows}x${cols} layers`);
  }
  if (t.reconstructions !== undefined) {
    const r = obj(t.reconstructions, `${path}.reconstructions`);
    const channels = int(r.channels, `${path}.reconstructions.channels`, 1);
    const size = int(r.size, `${path}.reconstructions.size`, 1);
    const pixels = f32(r.pixels, `${path}.reconstructions.pixels`);
    if (pixels.length !== t.steps.length * channels * size * size) {
      throw new ProtocolError(`${path}.reconstructions.pixels`,
        `expected ${t.steps.length}x${channels}x${size}x${size} values, got ${pixels.length}`);
    }
  }
  const timings = obj(t.timingsMs, `${path}.timingsMs`);
  for (const [k, ms] of Object.entries(timings)) finite(ms, `${path}.timingsMs.${k}`);
  return v as Trace;
}

function checkInterval(v: unknown, path: string): void {
  const i = obj(v, path);
  for (const k of ['value', 'low', 'high']) finite(i[k], `${path}.${k}`);
}

function checkDescriptive(v: unknown, path: string): void {
  const d = obj(v, path);
  for (const k of ['n', 'mean', 'std', 'min', 'max']) finite(d[k], `${path}.${k}`);
  const p = obj(d.percentiles, `${path}.percentiles`);
  for (const k of ['25', '50', '75', '95']) finite(p[k], `${path}.percentiles.${k}`);
}

function checkPValue(v: unknown, path: string): void {
  const p = finite(v, path);
  if (p < 0 || p > 1) throw new ProtocolError(path, 'a p-value must lie in [0, 1]');
}

/** Checks a report by its `kind`; throws ProtocolError naming the first bad field. */
function checkItems(v: unknown, path: string): void {
  if (!Array.isArray(v)) throw new ProtocolError(path, 'expected an array');
  v.forEach((x, i) => {
    const it = obj(x, `${path}[${i}]`);
    for (const k of ['id', 'image', 'question', 'answer']) str(it[k], `${path}[${i}].${k}`, 10_000);
    for (const k of ['expected', 'model']) optional(it[k], `${path}[${i}].${k}`, (y, p) => str(y, p, 10_000));
    if (it.correct !== undefined && typeof it.correct !== 'boolean') throw new ProtocolError(`${path}[${i}].correct`, 'expected a boolean');
    if (it.statistic !== undefined && typeof it.statistic !== 'number') throw new ProtocolError(`${path}[${i}].statistic`, 'expected a number');
  });
}

export function assertReport(v: unknown, path = 'report'): Report {
  const r = obj(v, path);
  const kind = oneOf(r.kind, ['stats', 'probing', 'steps'] as const, `${path}.kind`);
  if (kind === 'steps' ? r.itemTable !== undefined : r.items !== undefined) checkItems(kind === 'steps' ? r.itemTable : r.items, `${path}.${kind === 'steps' ? 'itemTable' : 'items'}`);
  if (kind === 'stats') {
    const labels = obj(r.labels, `${path}.labels`);
    str(labels.a, `${path}.labels.a`);
    str(labels.b, `${path}.labels.b`);
    checkDescriptive(r.a, `${path}.a`);
    checkDescriptive(r.b, `${path}.b`);
    for (const test of ['student', 'welch'] as const) {
      const t = obj(r[test], `${path}.${test}`);
      finite(t.t, `${path}.${test}.t`);
      finite(t.df, `${path}.${test}.df`);
      checkPValue(t.p, `${path}.${test}.p`);
    }
    const mw = obj(r.mannWhitney, `${path}.mannWhitney`);
    finite(mw.U, `${path}.mannWhitney.U`);
    checkPValue(mw.p, `${path}.mannWhitney.p`);
    const e = obj(r.effectSize, `${path}.effectSize`);
    finite(e.cohensD, `${path}.effectSize.cohensD`);
    finite(e.rankBiserial, `${path}.effectSize.rankBiserial`);
    const samples = obj(r.samples, `${path}.samples`);
    numArray(samples.a, `${path}.samples.a`);
    numArray(samples.b, `${path}.samples.b`);
    str(r.measure, `${path}.measure`);
  } else if (kind === 'probing') {
    const models = obj(r.models, `${path}.models`);
    str(models.model, `${path}.models.model`);
    if (models.ablation !== undefined) str(models.ablation, `${path}.models.ablation`);
    if (models.pairing !== undefined) oneOf(models.pairing, ['ablation', 'peer'] as const, `${path}.models.pairing`);
    obj(r.settings, `${path}.settings`);
    const pairs = obj(r.pairs, `${path}.pairs`);
    int(pairs.total, `${path}.pairs.total`);
    if (!Array.isArray(r.cells)) throw new ProtocolError(`${path}.cells`, 'expected an array');
    r.cells.forEach((c, i) => {
      const cell = obj(c, `${path}.cells[${i}]`);
      oneOf(cell.target, ['vision', 'text'] as const, `${path}.cells[${i}].target`);
      oneOf(cell.classifier, ['svm', 'mlp'] as const, `${path}.cells[${i}].classifier`);
      oneOf(cell.source, ['model', 'ablation', 'random'] as const, `${path}.cells[${i}].source`);
      checkInterval(cell.accuracy, `${path}.cells[${i}].accuracy`);
      checkInterval(cell.control, `${path}.cells[${i}].control`);
      finite(cell.selectivity, `${path}.cells[${i}].selectivity`);
      obj(cell.perNegativeType, `${path}.cells[${i}].perNegativeType`);
    });
  } else {
    str(r.model, `${path}.model`);
    if (!Array.isArray(r.rows)) throw new ProtocolError(`${path}.rows`, 'expected an array');
    r.rows.forEach((row, i) => {
      const o = obj(row, `${path}.rows[${i}]`);
      str(o.rule, `${path}.rows[${i}].rule`);
      for (const k of ['meanSteps', 'accuracy', 'meanAnswerTokens']) finite(o[k], `${path}.rows[${i}].${k}`);
    });
    const conv = obj(r.convergence, `${path}.convergence`);
    const steps = numArray(conv.step, `${path}.convergence.step`);
    for (const metric of ['cosine', 'l1', 'l2']) {
      const series = conv[metric];
      if (!Array.isArray(series) || series.length !== steps.length) {
        throw new ProtocolError(`${path}.convergence.${metric}`, `expected ${steps.length} intervals`);
      }
      series.forEach((iv, i) => checkInterval(iv, `${path}.convergence.${metric}[${i}]`));
    }
    const th = obj(r.thresholds, `${path}.thresholds`);
    for (const k of ['cosine', 'l1', 'l2']) finite(th[k], `${path}.thresholds.${k}`);
  }
  return v as Report;
}

function checkContent(v: unknown, path: string): PanelContent {
  const c = obj(v, path);
  const kind = oneOf(c.kind, ['empty', 'trace', 'report', 'compare'] as const, `${path}.kind`);
  if (kind === 'trace') assertTrace(c.trace, `${path}.trace`);
  if (kind === 'report') assertReport(c.report, `${path}.report`);
  if (kind === 'compare') {
    assertTrace(c.a, `${path}.a`);
    assertTrace(c.b, `${path}.b`);
  }
  for (const k of ['file', 'fileA', 'fileB']) optional(c[k], `${path}.${k}`, str);
  return v as PanelContent;
}

const MAX_EXPORT_BYTES = 256 << 20;

/** Validates a message from the webview; throws ProtocolError naming the first bad field. */
export function assertFromWebviewMessage(v: unknown): FromWebviewMessage {
  const m = obj(v, 'message');
  const type = oneOf(m.type, ['ready', 'export', 'openFile', 'cancelRun', 'intervene', 'openItem', 'recordAttention', 'perf', 'log', 'navigate'] as const, 'message.type');
  switch (type) {
    case 'ready':
      if (m.protocol !== PROTOCOL_VERSION) throw new ProtocolError('message.protocol', `expected ${PROTOCOL_VERSION}`);
      break;
    case 'export': {
      int(m.requestId, 'message.requestId');
      oneOf(m.format, ['png', 'svg', 'csv'] as const, 'message.format');
      const name = str(m.suggestedName, 'message.suggestedName', 200);
      if (!/^[\w.\- ]+$/.test(name)) throw new ProtocolError('message.suggestedName', 'must be a plain file name');
      if (!(m.bytes instanceof Uint8Array)) throw new ProtocolError('message.bytes', 'expected a Uint8Array');
      if (m.bytes.length > MAX_EXPORT_BYTES) throw new ProtocolError('message.bytes', 'export larger than 256 MiB');
      break;
    }
    case 'openFile':
      int(m.requestId, 'message.requestId');
      oneOf(m.purpose, ['show', 'compare'] as const, 'message.purpose');
      break;
    case 'cancelRun':
      int(m.runId, 'message.runId');
      break;
    case 'intervene':
      int(m.requestId, 'message.requestId');
      checkPanelIntervention(m.intervention, 'message.intervention');
      break;
    case 'openItem':
      int(m.requestId, 'message.requestId');
      str(m.itemId, 'message.itemId', 1000);
      break;
    case 'recordAttention': {
      int(m.requestId, 'message.requestId');
      if (!Array.isArray(m.sources) || m.sources.length === 0 || m.sources.length > 256) throw new ProtocolError('message.sources', 'expected 1 to 256 sources');
      m.sources.forEach((x, i) => {
        const src = obj(x, `message.sources[${i}]`);
        const kind = oneOf(src.kind, ['prompt-last', 'latent', 'answer'] as const, `message.sources[${i}].kind`);
        if (kind !== 'prompt-last') int(src.index, `message.sources[${i}].index`, kind === 'latent' ? 1 : 0);
      });
      break;
    }
    case 'perf':
      oneOf(m.metric, ['first-paint', 'scrub', 'view-render'] as const, 'message.metric');
      if (finite(m.ms, 'message.ms') < 0) throw new ProtocolError('message.ms', 'must not be negative');
      str(m.detail, 'message.detail', 500);
      break;
    case 'log':
      oneOf(m.level, ['info', 'warn', 'error'] as const, 'message.level');
      str(m.message, 'message.message', 10_000);
      break;
    case 'navigate':
      oneOf(m.direction, ['back', 'forward'] as const, 'message.direction');
      break;
  }
  return v as FromWebviewMessage;
}

function checkPanelIntervention(v: unknown, path: string): PanelIntervention {
  const i = obj(v, path);
  const kind = oneOf(i.kind, PANEL_INTERVENTIONS, `${path}.kind`);
  int(i.step, `${path}.step`, 1);
  if (kind === 'replace-with-step') int(i.source, `${path}.source`, 1);
  if (kind === 'replace-from-trace') int(i.sourceStep, `${path}.sourceStep`, 1);
  if (kind === 'add-direction') {
    finite(i.alpha, `${path}.alpha`);
    int(i.stepA, `${path}.stepA`, 1);
    int(i.stepB, `${path}.stepB`, 1);
  }
  return v as PanelIntervention;
}

const MAX_SHARDS = 10_000;

function checkSlurmRows(v: unknown, path: string): void {
  const rows = obj(v, path);
  if (!Array.isArray(rows.shards) || rows.shards.length > MAX_SHARDS) throw new ProtocolError(`${path}.shards`, `expected an array of at most ${MAX_SHARDS} shards`);
  rows.shards.forEach((x, i) => {
    const row = obj(x, `${path}.shards[${i}]`);
    int(row.shard, `${path}.shards[${i}].shard`);
    str(row.state, `${path}.shards[${i}].state`, 40);
    int(row.done, `${path}.shards[${i}].done`);
    int(row.of, `${path}.shards[${i}].of`);
  });
  const merge = obj(rows.merge, `${path}.merge`);
  str(merge.job, `${path}.merge.job`, 100);
  str(merge.state, `${path}.merge.state`, 40);
}

/** Validates a message from the host; throws ProtocolError naming the first bad field. */
export function assertToWebviewMessage(v: unknown): ToWebviewMessage {
  const m = obj(v, 'message');
  const type = oneOf(m.type, ['show', 'runStarted', 'progress', 'runEnded', 'reply', 'protocolError', 'intervention', 'history'] as const,
    'message.type');
  switch (type) {
    case 'show':
      checkContent(m.content, 'message.content');
      break;
    case 'runStarted':
      int(m.runId, 'message.runId');
      str(m.label, 'message.label', 500);
      break;
    case 'progress': {
      int(m.runId, 'message.runId');
      str(m.message, 'message.message', 2000);
      const f = optional(m.fraction, 'message.fraction', finite);
      if (f !== undefined && (f < 0 || f > 1)) throw new ProtocolError('message.fraction', 'must lie in [0, 1]');
      if (m.slurm !== undefined) checkSlurmRows(m.slurm, 'message.slurm');
      break;
    }
    case 'runEnded':
      int(m.runId, 'message.runId');
      if (m.outcome !== undefined) str(m.outcome, 'message.outcome', 500);
      break;
    case 'reply':
      int(m.requestId, 'message.requestId');
      if (typeof m.ok !== 'boolean') throw new ProtocolError('message.ok', 'expected a boolean');
      str(m.message, 'message.message', 2000);
      break;
    case 'protocolError':
      str(m.message, 'message.message', 2000);
      break;
    case 'history':
      for (const k of ['canBack', 'canForward'] as const) if (typeof m[k] !== 'boolean') throw new ProtocolError(`message.${k}`, 'expected a boolean');
      break;
    case 'intervention': {
      int(m.requestId, 'message.requestId');
      const r = obj(m.result, 'message.result');
      for (const k of ['answer', 'baseline'] as const) {
        const a = obj(r[k], `message.result.${k}`);
        str(a.text, `message.result.${k}.text`);
        numArray(a.tokenIds, `message.result.${k}.tokenIds`);
      }
      if (typeof r.logProbChange !== 'number' || Number.isNaN(r.logProbChange)) throw new ProtocolError('message.result.logProbChange', 'expected a number (may be infinite)');
      assertTrace(r.trace, 'message.result.trace');
      break;
    }
  }
  return v as ToWebviewMessage;
}

function guard<T>(assert: (v: unknown) => T): (v: unknown) => v is T {
  return (v: unknown): v is T => {
    try {
      assert(v);
      return true;
    } catch (e) {
      if (e instanceof ProtocolError) return false;
      throw e;
    }
  };
}

export const isFromWebviewMessage = guard(assertFromWebviewMessage);
export const isToWebviewMessage = guard(assertToWebviewMessage);
