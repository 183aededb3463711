/**
 * Two traces side by side (two models on one image, or one model with different T or an
 * intervention), aligned on the step number: one scrubber drives both; a trace that stopped
 * earlier keeps showing its last step, marked as such.
 */
import type { Trace } from '../../src/shared/trace';
import { HeatmapStage, decodeTraceImage } from '../heatmap-stage';
import { answerLayerCount } from '../heatmap-layers';
import { Legend, legendCanvas } from '../legend';
import { GridOverlay } from '../overlay';
import { differenceGrid, sharedRange } from '../compare';
import type { ValueRange } from '../normalise';
import { h, renderTable, themeColor } from '../dom';
import { formatNumber, fileStem } from '../format';
import { compareStepTable } from '../tables';
import { toCsv } from '../../src/present/csv';
import { canvasesToPng, textBytes } from '../exporting';
import { availableLayers, heatmapControls, layerCaption, settingsOf } from './trace-view';
import type { View, ViewContext } from './view';

interface Pane {
  trace: Trace;
  canvas: HTMLCanvasElement;
  /** the element whose width the canvas fills */
  box: HTMLElement;
  note: HTMLElement;
  stage?: HeatmapStage;
}

function describe(t: Trace): string {
  const iv = t.settings.intervention;
  const intervention = iv ? ` · intervention ${iv.kind} at step ${iv.step}` : '';
  return `${t.model.name} · T=${t.settings.latentSteps} · stop ${t.settings.stop}${intervention}`;
}

export function createCompareView(a: Trace, b: Trace, ctx: ViewContext): View {
  const steps = Math.max(a.steps.length, b.steps.length);
  const detachers: (() => void)[] = [];
  const layers = availableLayers(a).filter((l) => availableLayers(b).includes(l));
  // a decoder layer is offered when both traces have it (two checkpoints can differ in depth)
  const answerLayers = Math.min(answerLayerCount(a), answerLayerCount(b));
  let step = Math.min(ctx.ui.step, steps - 1);
  const panes: Pane[] = [a, b].map((trace, k) => ({
    trace,
    canvas: h('canvas', { class: 'stage', 'data-testid': `compare-heatmap-${k === 0 ? 'a' : 'b'}`, role: 'img' }),
    box: h('div', { class: 'stage-wrap' }),
    note: h('p', { class: 'muted' }),
  }));
  panes.forEach((p) => p.box.append(p.canvas));
  // one colour scale for both traces, so one colour means one value; the difference has its own, centred on 0
  const legend = new Legend();
  const diffLegend = new Legend();
  const diffCanvas = h('canvas', { class: 'stage pixelated', 'data-testid': 'compare-difference', role: 'img', 'aria-label': 'Difference A − B' });
  const diffBox = h('div', { class: 'stage-wrap' }, diffCanvas);
  const diffNote = h('p', { class: 'muted', 'data-testid': 'compare-difference-note' });
  const sameGrid = a.input.grid.rows === b.input.grid.rows && a.input.grid.cols === b.input.grid.cols;
  let diffOverlay: GridOverlay | undefined;
  let shown: ValueRange | null = null;

  const scrubber = h('input', { type: 'range', min: 1, max: steps, step: 1, value: step + 1, 'aria-label': 'Latent step (both traces)', 'data-testid': 'compare-scrubber' });
  const label = h('output', { class: 'step-label' });
  const draw = () => {
    const s = settingsOf(ctx, layers, answerLayers);
    const own = (p: Pane) => Math.max(0, Math.min(step, p.trace.steps.length - 1));
    if (panes.some((p) => !p.stage)) return;
    shown = sharedRange(panes.map((p) => p.stage!.range(own(p), s)));
    for (const p of panes) {
      p.stage!.paint(p.canvas.getContext('2d')!, p.canvas.width, p.canvas.height, own(p), s, shown);
      p.note.textContent = own(p) < step ? `stopped after step ${p.trace.steps.length}; showing its last step` : `step ${own(p) + 1} of ${p.trace.steps.length}`;
    }
    legend.update(s.colorMap, shown, `${layerCaption(s, answerLayers)} · A and B on one scale`);
    element.dataset.sharedRange = shown ? `${shown.min},${shown.max}` : '';
    if (sameGrid && diffOverlay) {
      const [ga, gb] = panes.map((p) => p.stage!.cache.grid(own(p), s.layer, s.answerLayer));
      const diff = differenceGrid(ga, gb);
      const m = Math.max(Math.abs(diff.range?.min ?? 0), Math.abs(diff.range?.max ?? 0));
      const range = m > 0 ? { min: -m, max: m } : null;
      diffOverlay.paint(diffCanvas.getContext('2d')!, diffCanvas.width, diffCanvas.height, diff.values, range, 'turbo', 0.85, false);
      diffLegend.update('turbo', range, `A − B, ${layerCaption(s, answerLayers)} (0 at the centre)`);
      diffNote.textContent = `largest |A − B| ${formatNumber(m)} · the image is A's`;
      element.dataset.diffRange = range ? `${range.min},${range.max}` : '';
    }
    label.textContent = `Step ${step + 1} / ${steps}`;
    scrubber.value = String(step + 1);
    element.dataset.step = String(step);
  };
  scrubber.addEventListener('input', () => {
    step = Number(scrubber.value) - 1;
    ctx.setUi({ step });
    draw();
  });

  const table = compareStepTable(a, b);
  const element = h('div', { class: 'compare-view' },
    heatmapControls(ctx, layers, answerLayers, draw),
    h('div', { class: 'scrub' }, scrubber, label),
    legend.element,
    h('div', { class: 'compare-panes three' }, ...panes.map((p, k) => h('section', { class: 'pane', 'aria-label': `Trace ${k === 0 ? 'A' : 'B'}` },
      h('h3', {}, `${k === 0 ? 'A' : 'B'}: ${p.trace.input.imageName}`),
      h('p', { class: 'muted' }, describe(p.trace)),
      h('p', { class: 'question', 'data-testid': `compare-question-${k === 0 ? 'a' : 'b'}` }, h('strong', {}, 'Q: '), p.trace.input.question),
      h('p', { class: 'muted', 'data-testid': `compare-grid-${k === 0 ? 'a' : 'b'}` },
        `${p.trace.input.grid.rows} rows × ${p.trace.input.grid.cols} cols · image ${p.trace.input.imageWidth}×${p.trace.input.imageHeight} px`),
      p.box, p.note,
      h('p', {}, h('strong', {}, 'Answer: '), p.trace.answer.text || '(empty)', ` (${p.trace.tokens.answer} tokens)`),
    )),
    h('section', { class: 'pane', 'aria-label': 'Difference A − B' },
      h('h3', {}, 'A − B'),
      ...(sameGrid
        ? [h('p', { class: 'muted' }, 'Where A puts more (warm) or less (cool) than B'), diffBox, diffLegend.element, diffNote]
        : [h('p', { class: 'muted', 'data-testid': 'compare-difference-note' }, `No difference map: the grids differ (${a.input.grid.rows}×${a.input.grid.cols} and ${b.input.grid.rows}×${b.input.grid.cols})`)]),
    )),
    renderTable(table, 'Steps aligned', (v) => (typeof v === 'number' ? formatNumber(v) : String(v ?? '—'))),
  );

  void Promise.all(panes.map(async (p) => {
    const image = await decodeTraceImage(p.trace);
    p.stage = new HeatmapStage(p.trace, image);
    detachers.push(p.stage.attach(p.canvas, p.box, 330));
    if (p === panes[0] && sameGrid) {
      diffOverlay = new GridOverlay(p.trace, image);
      detachers.push(p.stage.attach(diffCanvas, diffBox, 330));
    }
  })).then(() => {
    draw();
    requestAnimationFrame(() => {
      const ms = performance.now() - ctx.receivedAt;
      element.dataset.firstPaintMs = ms.toFixed(2);
      ctx.bridge.perf('first-paint', ms, `comparison of ${a.model.name} and ${b.model.name}`);
    });
  }, (err: unknown) => ctx.status(`cannot decode a trace image: ${(err as Error).message}`, true));

  return {
    element,
    exports: {
      name: fileStem('compare', a.model.name, b.model.name, `step${step + 1}`),
      png: () => {
        const s = settingsOf(ctx, layers, answerLayers);
        const fg = themeColor('--vscode-foreground', '#333333');
        const parts = panes.flatMap((p, k) => {
          const own = Math.min(step, p.trace.steps.length - 1);
          const caption = `${k === 0 ? 'A' : 'B'}: ${describe(p.trace)} · ${layerCaption(s, answerLayers)} · step ${own + 1}`;
          return [p.canvas, legendCanvas(s.colorMap, shown, `${caption} (A and B on one scale)`, p.canvas.width, fg)];
        });
        return canvasesToPng(parts, themeColor('--vscode-editor-background', '#ffffff'));
      },
      csv: () => textBytes(toCsv(table.header, table.rows)),
    },
    dispose() {
      detachers.forEach((d) => d());
      panes.forEach((p) => p.stage?.image.close());
    },
  };
}
