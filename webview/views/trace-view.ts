/**
 * The trace view (LaRe Fig. 3 and 4, interactive): the image with one step's heatmap and window,
 * a step strip and scrubber with play, the window crop beside its reconstruction, the answer,
 * token counts and timings. Heatmaps are drawn from the raw grids, so settings apply instantly.
 */
import type { Trace } from '../../src/shared/trace';
import { COLOR_MAPS } from '../colormap';
import { HEATMAP_LAYERS, LAYER_LABELS, answerLayerCount, hasLayer, type HeatmapLayer } from '../heatmap-layers';
import { HeatmapStage, decodeTraceImage, type HeatmapSettings } from '../heatmap-stage';
import { answerTokens } from '../answer-tokens';
import { fitSize } from '../grid-geometry';
import { Legend, legendCanvas } from '../legend';
import { reconstructionRgba } from '../raster';
import { formatMs, formatNumber, fileStem } from '../format';
import { heatmapSvg } from '../svg';
import { toCsv } from '../../src/present/csv';
import { tracePatchTable } from '../tables';
import { button, h, select, themeColor } from '../dom';
import { canvasesToPng, textBytes } from '../exporting';
import type { View, ViewContext } from './view';
import { createInterventionPanel } from './intervention-panel';

const THUMB = 88;
const CROP = 128;
const PLAY_INTERVAL_MS = 700;

/**
 * The settings controls shared by the trace and comparison views. `answerLayers` decoder layers can be
 * picked one by one for the first-answer attention (the picker shows only while that layer is shown).
 */
export function heatmapControls(ctx: ViewContext, layers: readonly HeatmapLayer[], answerLayers: number, onChange: () => void): HTMLElement {
  const set = (patch: Partial<HeatmapSettings>) => {
    ctx.setUi(patch);
    showDecoderLayer();
    onChange();
  };
  const decoderLayer = answerLayerSelect(ctx, answerLayers, (answerLayer) => set({ answerLayer }));
  const showDecoderLayer = () => (decoderLayer.hidden = settingsOf(ctx, layers, answerLayers).layer !== 'firstAnswerAttention');
  showDecoderLayer();
  const opacity = h('input', { type: 'range', min: 0, max: 1, step: 0.05, value: ctx.ui.opacity, 'aria-label': 'Heatmap opacity' });
  opacity.addEventListener('input', () => set({ opacity: Number(opacity.value) }));
  const smooth = h('input', { type: 'checkbox', checked: ctx.ui.smooth });
  smooth.addEventListener('change', () => set({ smooth: smooth.checked }));
  const fade = h('input', { type: 'checkbox', checked: ctx.ui.fade, 'data-testid': 'fade' });
  fade.addEventListener('change', () => set({ fade: fade.checked }));
  const plain = h('input', { type: 'checkbox', checked: ctx.ui.plain, 'data-testid': 'plain-image' });
  plain.addEventListener('change', () => set({ plain: plain.checked }));
  return h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Heatmap settings' },
    select('Layer', layers, layers.includes(ctx.ui.layer) ? ctx.ui.layer : layers[0], (layer) => set({ layer }), LAYER_LABELS),
    decoderLayer,
    select('Colour map', COLOR_MAPS, ctx.ui.colorMap, (colorMap) => set({ colorMap })),
    h('label', { class: 'control' }, 'Opacity ', opacity),
    select('Normalise', ['step', 'global'] as const, ctx.ui.normalisation, (normalisation) => set({ normalisation }),
      { step: 'per step', global: 'over all steps' }),
    h('label', { class: 'control' }, smooth, ' Smooth'),
    h('label', { class: 'control', title: 'Heatmap alpha grows with the value, so low values leave the image untinted' }, fade, ' Fade low values'),
    h('label', { class: 'control', title: 'The image without the heatmap' }, plain, ' Plain image'),
  );
}

function answerLayerSelect(ctx: ViewContext, count: number, onChange: (layer: number | null) => void): HTMLLabelElement {
  const values = ['mean', ...Array.from({ length: count }, (_, l) => String(l + 1))];
  const labels = Object.fromEntries(values.map((v) => [v, v === 'mean' ? `mean of ${count}` : `layer ${v}`]));
  const current = ctx.ui.answerLayer !== null && ctx.ui.answerLayer < count ? String(ctx.ui.answerLayer + 1) : 'mean';
  const el = select('Decoder layer', values, current, (v) => onChange(v === 'mean' ? null : Number(v) - 1), labels);
  el.dataset.testid = 'decoder-layer';
  return el;
}

export function availableLayers(trace: Trace): HeatmapLayer[] {
  return HEATMAP_LAYERS.filter((l) => hasLayer(trace, l));
}

export function settingsOf(ctx: ViewContext, layers: readonly HeatmapLayer[], answerLayers: number): HeatmapSettings {
  const { colorMap, opacity, normalisation, smooth, fade, plain } = ctx.ui;
  const answerLayer = ctx.ui.answerLayer !== null && ctx.ui.answerLayer < answerLayers ? ctx.ui.answerLayer : null;
  return { layer: layers.includes(ctx.ui.layer) ? ctx.ui.layer : layers[0], colorMap, opacity, normalisation, smooth, answerLayer, fade, plain };
}

/** The name of what a heatmap shows, with the decoder layer for the first-answer attention. */
export function layerCaption(s: HeatmapSettings, answerLayers: number): string {
  if (s.layer !== 'firstAnswerAttention') return LAYER_LABELS[s.layer];
  return `${LAYER_LABELS[s.layer]}, ${s.answerLayer === null ? `mean of ${answerLayers} layers` : `layer ${s.answerLayer + 1} of ${answerLayers}`}`;
}

/** The answer token by token: decoded text (whitespace visible) and probability; ids where the trace has no texts. */
function answerTokenList(trace: Trace): HTMLElement {
  return h('ol', { class: 'answer-tokens', 'data-testid': 'answer-tokens', 'aria-label': 'Answer tokens' },
    ...answerTokens(trace.answer).map((t) => h('li', {
      class: t.partial ? 'token partial' : 'token',
      title: `token id ${t.id}${t.p === undefined ? '' : ` · p ${t.p.toFixed(3)}`}${t.partial ? ' · ends inside a character the next token completes' : ''}`,
    },
    h('span', { class: t.text === null ? 'token-text muted' : 'token-text' }, t.text ?? `#${t.id}`),
    h('span', { class: 'token-p' }, t.p === undefined ? '' : t.p.toFixed(2)))));
}

/** A visible note for what the runtime warned about the input (words outside the vocabulary, an unknown template). */
export function warningNote(trace: Trace): HTMLElement[] {
  const w = trace.input.warnings;
  if (!w?.length) return [];
  return [h('div', { class: 'warnings', role: 'note', 'data-testid': 'input-warnings' },
    h('strong', {}, '⚠ The model may not understand this question'), h('ul', {}, ...w.map((x) => h('li', {}, x))))];
}

/** The expected answer and whether the model got it, where the input came with ground truth. */
function groundTruthFacts(trace: Trace): HTMLElement[] {
  const gt = trace.input.groundTruth;
  if (!gt || (gt.expected === undefined && gt.correct === undefined)) return [];
  const verdict = gt.correct === undefined ? '' : h('span', { class: gt.correct ? 'verdict correct' : 'verdict wrong', 'data-testid': 'verdict' }, gt.correct ? ' ✓ correct' : ' ✗ wrong');
  return [h('p', { class: 'expected', 'data-testid': 'expected' }, h('span', { class: 'muted' }, `Expected (${gt.source}): `), gt.expected ?? '—', verdict)];
}

export function createTraceView(trace: Trace, ctx: ViewContext): View {
  // the image decodes off the main thread while the view is built: it is most of the first paint
  const decoding = decodeTraceImage(trace);
  const steps = trace.steps.length;
  const layers = availableLayers(trace);
  const answerLayers = answerLayerCount(trace);
  const { rows, cols } = trace.input.grid;
  let step = Math.min(ctx.ui.step, Math.max(0, steps - 1));
  let stage: HeatmapStage | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const scrubTimes: number[] = [];

  const canvas = h('canvas', { class: 'stage', 'data-testid': 'heatmap', tabindex: 0, role: 'img' });
  const tooltip = h('div', { class: 'tooltip', role: 'status', hidden: true });
  const stageWrap = h('div', { class: 'stage-wrap' }, canvas, tooltip);
  let detach: () => void = () => undefined;
  const legend = new Legend();
  const stepInfo = h('dl', { class: 'facts', 'data-testid': 'step-info' });
  const crop = h('canvas', { width: CROP, height: CROP, class: 'crop', 'data-testid': 'window-crop', role: 'img', 'aria-label': 'Window crop' });
  const recon = h('canvas', { class: 'crop pixelated', 'data-testid': 'reconstruction', role: 'img', 'aria-label': 'U-Net reconstruction' });
  const r = trace.reconstructions;
  if (r) {
    recon.width = r.size;
    recon.height = r.size;
  }
  const strip = h('div', { class: 'strip', role: 'tablist', 'aria-label': 'Latent steps' });
  const thumbs: HTMLCanvasElement[] = [];
  const thumbButtons: HTMLButtonElement[] = [];
  const scrubber = h('input', { type: 'range', min: 1, max: Math.max(1, steps), step: 1, value: step + 1, 'aria-label': 'Latent step', 'data-testid': 'scrubber' });
  const stepLabel = h('output', { class: 'step-label', 'data-testid': 'step-label' });
  const play = button('▶ Play', () => togglePlay(), { 'aria-pressed': 'false', 'data-testid': 'play' });

  for (let i = 0; i < steps; i++) {
    const t = h('canvas', { width: THUMB, height: THUMB });
    const hit = trace.steps[i].windowHitsBox;
    const mark = hit === undefined ? '' : h('span', { class: hit ? 'hit yes' : 'hit no', title: hit ? 'the window overlaps the ground-truth box' : 'the window misses the ground-truth box' }, hit ? '✓ box' : '✗ box');
    const b = h('button', { type: 'button', role: 'tab', class: 'thumb', 'aria-label': `Step ${i + 1}${hit === undefined ? '' : hit ? ', window hits the box' : ', window misses the box'}`, 'data-step': i, 'data-hit': hit === undefined ? undefined : String(hit) },
      t, h('span', {}, String(i + 1)), mark);
    b.addEventListener('click', () => setStep(i));
    thumbs.push(t);
    thumbButtons.push(b);
    strip.append(b);
  }

  const controls = heatmapControls(ctx, layers, answerLayers, () => redrawAll());
  if (!trace.headAttention && steps > 0) {
    controls.append(button('Record per-head attention', () => {
      ctx.status('re-running the trace to record per-head attention…');
      void ctx.bridge.recordAttention([{ kind: 'prompt-last' }, ...trace.steps.map((_, t) => ({ kind: 'latent' as const, index: t + 1 })), { kind: 'answer', index: 0 }])
        .then((r) => ctx.status(r.message, !r.ok && r.message !== 'cancelled'));
    }, { 'data-testid': 'record-heads', title: 'Re-run this trace from its settings with per-head attention rows (the model\'s decoder must export them)' }));
  }
  controls.append(button('Compare with…', () => void ctx.bridge.openFile('compare').then((r) => ctx.status(r.message, !r.ok && r.message !== 'cancelled')), { 'data-testid': 'compare-with', title: 'Show another trace beside this one, steps aligned' }));
  const gt = trace.input.groundTruth;
  const answer = h('section', { class: 'answer', 'data-testid': 'answer' },
    h('h3', {}, 'Question'), h('p', {}, trace.input.question),
    ...warningNote(trace),
    h('h3', {}, 'Answer'), h('p', { class: 'answer-text' }, trace.answer.text || '(empty)'),
    ...groundTruthFacts(trace),
    h('dl', { class: 'facts' },
      ...fact('Model', `${trace.model.name} (${trace.model.method})`),
      ...fact('Tokens', `prompt ${trace.tokens.prompt} · latent ${trace.tokens.latent} · answer ${trace.tokens.answer}`),
      ...fact('Stopped', `after step ${trace.stoppedAt} (${trace.stopReason})`),
      ...Object.entries(trace.timingsMs).flatMap(([k, ms]) => fact(`Time ${k}`, formatMs(ms))),
    ),
    h('h3', {}, 'Answer tokens'),
    answerTokenList(trace),
  );
  const gridCaption = h('p', { class: 'muted grid-caption', 'data-testid': 'grid-caption' },
    `${rows} rows × ${cols} cols · ${(rows * cols).toLocaleString('en')} visual tokens · image ${trace.input.imageWidth}×${trace.input.imageHeight} px · rows, cols and patches count from 0`,
    gt?.bbox ? ` · dashed green: the ground-truth box (${gt.source})` : '');
  const windowed = trace.steps.some((s) => s.window);
  const intervention = steps > 0 ? createInterventionPanel(trace, ctx, () => settingsOf(ctx, layers, answerLayers)) : undefined;

  const element = h('div', { class: 'trace-view' },
    controls,
    h('div', { class: 'trace-main' },
      h('div', {}, stageWrap, gridCaption),
      h('aside', { class: 'side' },
        legend.element,
        stepInfo,
        // only what the trace has: a baseline or LVR trace gets no empty crop or reconstruction frame
        ...(windowed || r ? [h('div', { class: 'crops' },
          ...(windowed ? [h('figure', {}, crop, h('figcaption', {}, 'Window crop'))] : []),
          ...(r ? [h('figure', {}, recon, h('figcaption', {}, 'Reconstruction'))] : []),
        )] : []),
        answer,
        ...(intervention ? [intervention.element] : []),
      ),
    ),
    ...(steps > 1 ? [h('div', { class: 'scrub' }, play, scrubber, stepLabel)] : []),
    ...(steps > 0 ? [strip] : [h('p', { class: 'muted', 'data-testid': 'no-steps' }, `This trace has no latent steps (${trace.model.method}): the heatmap shows the first answer token's attention.`)]),
  );
  element.dataset.steps = String(steps);
  element.dataset.grid = `${rows}x${cols}`;

  function fact(k: string, v: string): HTMLElement[] {
    return [h('dt', {}, k), h('dd', {}, v)];
  }

  function drawStep(): void {
    if (!stage) return;
    const s = settingsOf(ctx, layers, answerLayers);
    const range = stage.paint(canvas.getContext('2d')!, canvas.width, canvas.height, step, s);
    const over = s.layer === 'firstAnswerAttention' ? 'after the last step' : s.normalisation === 'step' ? `step ${step + 1}` : 'all steps';
    legend.update(s.colorMap, range, `${layerCaption(s, answerLayers)} · ${over}`);
    stage.paintWindowCrop(crop.getContext('2d')!, CROP, step);
    if (r) recon.getContext('2d')!.putImageData(new ImageData(reconstructionRgba(r.pixels, step, r.channels, r.size), r.size, r.size), 0, 0);
    const st = trace.steps[step];
    const w = st?.window;
    stepInfo.replaceChildren(
      ...(steps ? [
        ...fact('Step', `${step + 1} of ${steps}`),
        ...(windowed ? fact('Window', w ? `rows ${w.row}–${w.row + w.size - 1}, cols ${w.col}–${w.col + w.size - 1} (from 0)` : 'none') : []),
        ...(st?.windowHitsBox === undefined ? [] : fact('Box', st.windowHitsBox ? '✓ the window hits the ground-truth box' : '✗ the window misses the ground-truth box')),
        ...fact('Distance', st?.distance ? `cos ${formatNumber(st.distance.cosine)} · L1 ${formatNumber(st.distance.l1)} · L2 ${formatNumber(st.distance.l2)}` : '— (first step)'),
      ] : fact('Steps', `none (${trace.model.method})`)),
    );
    thumbButtons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === step));
      b.tabIndex = i === step ? 0 : -1;
    });
    scrubber.value = String(step + 1);
    intervention?.setStep(step);
    stepLabel.textContent = steps ? `Step ${step + 1} / ${steps}` : 'No latent steps';
    canvas.setAttribute('aria-label', `${layerCaption(s, answerLayers)} heatmap, step ${step + 1} of ${steps}`);
    element.dataset.step = String(step);
  }

  function redrawAll(): void {
    if (!stage) return;
    const s = settingsOf(ctx, layers, answerLayers);
    thumbs.forEach((t, i) => stage!.paint(t.getContext('2d')!, t.width, t.height, i, s));
    drawStep();
  }

  function setStep(next: number): void {
    if (steps === 0) return;
    const t0 = performance.now();
    step = ((next % steps) + steps) % steps;
    ctx.setUi({ step });
    drawStep();
    const ms = performance.now() - t0;
    // the last 200 redraw times, for the e2e's percentile and for anyone inspecting the panel
    scrubTimes.push(ms);
    if (scrubTimes.length > 200) scrubTimes.shift();
    element.dataset.scrubMs = scrubTimes.map((t) => t.toFixed(2)).join(' ');
    ctx.bridge.perf('scrub', ms, `step ${step + 1} of ${steps}, ${trace.input.grid.rows}x${trace.input.grid.cols} grid over ${canvas.width}x${canvas.height} px`);
  }

  function togglePlay(): void {
    if (timer) {
      clearInterval(timer);
      timer = undefined;
    } else {
      timer = setInterval(() => setStep(step + 1), PLAY_INTERVAL_MS);
    }
    play.textContent = timer ? '⏸ Pause' : '▶ Play';
    play.setAttribute('aria-pressed', String(timer !== undefined));
  }

  scrubber.addEventListener('input', () => setStep(Number(scrubber.value) - 1));
  const keys = (ev: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowLeft: step - 1, ArrowRight: step + 1, Home: 0, End: steps - 1 };
    if (ev.key in moves) {
      setStep(moves[ev.key]);
      (ev.currentTarget === strip ? thumbButtons[step] : null)?.focus();
      ev.preventDefault();
    } else if (ev.key === ' ' && ev.currentTarget === canvas) {
      togglePlay();
      ev.preventDefault();
    }
  };
  canvas.addEventListener('keydown', keys);
  strip.addEventListener('keydown', keys);
  canvas.addEventListener('mousemove', (ev) => {
    if (!stage) return;
    const p = stage.patchAtEvent(ev, canvas);
    if (!p) return void (tooltip.hidden = true);
    const s = settingsOf(ctx, layers, answerLayers);
    const v = stage.cache.grid(step, s.layer, s.answerLayer)[p.index];
    tooltip.textContent = `patch ${p.index} (row ${p.row}, col ${p.col}) · ${layerCaption(s, answerLayers)} ${Number.isFinite(v) ? formatNumber(v) : 'outside the window'}`;
    tooltip.hidden = false;
    const rect = canvas.getBoundingClientRect();
    tooltip.style.left = `${Math.min(ev.clientX - rect.left + 14, rect.width - 220)}px`;
    tooltip.style.top = `${ev.clientY - rect.top + 14}px`;
    element.dataset.hoverPatch = String(p.index);
  });
  canvas.addEventListener('mouseleave', () => (tooltip.hidden = true));

  void decoding.then((image) => {
    stage = new HeatmapStage(trace, image);
    detach = stage.attach(canvas, stageWrap, 260);
    // thumbnails keep the image's aspect, so a 46x26 grid is not squeezed into a square
    const thumb = fitSize(image.width, image.height, THUMB, THUMB);
    for (const t of thumbs) {
      t.width = Math.max(1, thumb.width);
      t.height = Math.max(1, thumb.height);
    }
    drawStep();
    // the first step is on screen once the next frame is presented
    requestAnimationFrame(() => {
      const ms = performance.now() - ctx.receivedAt;
      element.dataset.firstPaintMs = ms.toFixed(2);
      ctx.bridge.perf('first-paint', ms, `trace ${trace.input.imageName}, ${image.width}x${image.height} px image on a ${canvas.width} px canvas, ${steps} steps`);
      redrawAll();
    });
  }, (err: unknown) => {
    ctx.status(`cannot decode the trace image: ${(err as Error).message}`, true);
    ctx.bridge.log('error', `cannot decode the image of ${trace.input.imageName}: ${(err as Error).message}`);
  });

  return {
    element,
    exports: {
      get name() {
        return fileStem(trace.input.imageName, `step${step + 1}`);
      },
      png: () => {
        const s = settingsOf(ctx, layers, answerLayers);
        const caption = `${layerCaption(s, answerLayers)} · step ${step + 1} of ${steps} · ${trace.input.question}`;
        const key = legendCanvas(s.colorMap, stage?.range(step, s) ?? null, caption, canvas.width, themeColor('--vscode-foreground', '#333333'));
        return canvasesToPng([canvas, key], themeColor('--vscode-editor-background', '#ffffff'));
      },
      svg: () => {
        const s = settingsOf(ctx, layers, answerLayers);
        if (!stage) throw new Error('the image is not decoded yet');
        return textBytes(heatmapSvg({
          imagePngBase64: trace.input.imagePng, width: canvas.width, height: canvas.height, grid: trace.input.grid, region: trace.input.gridRegion,
          values: stage.cache.grid(step, s.layer, s.answerLayer), range: stage.range(step, s), colorMap: s.colorMap, opacity: s.opacity,
          window: trace.steps[step]?.window ?? null, title: `${layerCaption(s, answerLayers)}, step ${step + 1}: ${trace.input.question}`,
        }));
      },
      csv: () => {
        const t = tracePatchTable(trace);
        return textBytes(toCsv(t.header, t.rows));
      },
    },
    dispose() {
      intervention?.dispose();
      if (timer) clearInterval(timer);
      detach();
      stage?.image.close();
    },
  };
}
