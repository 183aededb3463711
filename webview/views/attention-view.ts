/**
 * The attention explorer: one recorded source position's attention for a decoder layer and a head (or
 * the head mean), onto the image (heatmap), the question's words (BertViz-style highlighting) or the
 * earlier latent steps, beside a grid of small multiples of every head of that layer on one shared scale.
 */
import type { HeadAttention, Trace } from '../../src/shared/trace';
import { ATTENTION_TARGETS, attentionRow, orderedSources, requestLabel, sourceLabel, splitRow, tokenAlphas, unrecordedSources, type AttentionTarget, type HeadChoice } from '../head-attention';
import { decodeTraceImage } from '../heatmap-stage';
import { GridOverlay, strokeGroundTruth } from '../overlay';
import { fitSize, renderScale } from '../grid-geometry';
import { rangeOf, type ValueRange } from '../normalise';
import { Legend } from '../legend';
import { cssColor } from '../colormap';
import { formatNumber, fileStem } from '../format';
import { toCsv } from '../../src/present/csv';
import { button, h, select } from '../dom';
import { textBytes } from '../exporting';
import type { View, ViewContext } from './view';

const SMALL = 120;
/** the explorer's overlays fade with the value, so they can be nearly opaque at the top without hiding the image */
const OVERLAY_OPACITY = 0.85;
const TARGET_LABELS: Record<AttentionTarget, string> = { image: 'image (heatmap)', text: 'question words', latents: 'earlier latent steps' };

function headName(head: HeadChoice, heads: number): string {
  return head === 'mean' ? `mean of ${heads} heads` : `head ${head + 1}`;
}

export function createAttentionView(trace: Trace, ctx: ViewContext): View {
  const ha = trace.headAttention as HeadAttention;
  const order = orderedSources(ha);
  const clamp = () => {
    const u = ctx.ui;
    const source = order.includes(u.attnSource) ? u.attnSource : order[0];
    const layer = Math.min(u.attnLayer, ha.layers - 1);
    const head: HeadChoice = u.attnHead === 'mean' || u.attnHead < ha.heads ? u.attnHead : 'mean';
    return { source, layer, head, target: u.attnTarget };
  };
  let image: ImageBitmap | undefined;
  let overlay: GridOverlay | undefined;

  const sourceValues = order.map(String);
  const sourceLabels = Object.fromEntries(order.map((i) => [String(i), sourceLabel(ha.sources[i])]));
  const layerValues = Array.from({ length: ha.layers }, (_, l) => String(l));
  const layerLabels = Object.fromEntries(layerValues.map((l) => [l, `layer ${Number(l) + 1} of ${ha.layers}`]));
  const headValues = ['mean', ...Array.from({ length: ha.heads }, (_, k) => String(k))];
  const headLabels = Object.fromEntries(headValues.map((k) => [k, k === 'mean' ? `mean of ${ha.heads}` : `head ${Number(k) + 1}`]));
  const targets = ATTENTION_TARGETS.filter((t) => t !== 'latents' || ha.layout.latents.count > 0);

  const set = (patch: Parameters<ViewContext['setUi']>[0]) => {
    ctx.setUi(patch);
    draw();
  };
  const s0 = clamp();
  const headSelect = select('Head', headValues, String(s0.head), (v) => set({ attnHead: v === 'mean' ? 'mean' : Number(v) }), headLabels);
  const controls = h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Attention settings' },
    Object.assign(select('Source', sourceValues, String(s0.source), (v) => set({ attnSource: Number(v) }), sourceLabels), { title: 'The position whose attention row is shown' }),
    select('Decoder layer', layerValues, String(s0.layer), (v) => set({ attnLayer: Number(v) }), layerLabels),
    headSelect,
    select('Target', targets, targets.includes(s0.target) ? s0.target : 'image', (v) => set({ attnTarget: v }), TARGET_LABELS),
  );
  controls.querySelectorAll('select').forEach((el, i) => (el.dataset.testid = ['attn-source', 'attn-layer', 'attn-head', 'attn-target'][i]));
  const missing = unrecordedSources(trace);
  if (missing.length) {
    // a position the trace has no rows for: the host re-runs the trace from its settings and records it
    const values = missing.map((_, i) => String(i));
    const pick = select('Record another source', values, '0', () => undefined, Object.fromEntries(missing.map((m, i) => [String(i), requestLabel(m)])));
    pick.querySelector('select')!.dataset.testid = 'attn-record-source';
    controls.append(pick, button('Re-run to record it', () => {
      const chosen = missing[Number(pick.querySelector('select')!.value)];
      ctx.status(`re-running the trace to record ${requestLabel(chosen)}…`);
      void ctx.bridge.recordAttention([chosen]).then((r) => ctx.status(r.message, !r.ok && r.message !== 'cancelled'));
    }, { 'data-testid': 'attn-record', title: 'Re-run this trace from its settings, recording per-head attention for this position too' }));
  }

  const main = h('div', { class: 'attn-main', 'data-testid': 'attn-main' });
  const legend = new Legend();
  const caption = h('p', { class: 'muted attn-caption', 'data-testid': 'attn-caption' });
  const grid = h('div', { class: 'head-grid', 'data-testid': 'head-grid', role: 'list', 'aria-label': 'All heads of the layer' });
  const element = h('div', { class: 'attention-view' },
    controls,
    h('div', { class: 'attn-layout' },
      h('div', {}, main, caption),
      h('aside', { class: 'side' }, legend.element,
        h('h3', {}, 'All heads of this layer'),
        grid,
        h('p', { class: 'muted' }, 'Layers and heads are numbered from 1. Every small multiple shares the legend\'s scale; click one to show it large.'))),
  );

  /** every head's part of the row for the chosen target: the grid's cells share one colour scale */
  function parts(source: number, layer: number, target: AttentionTarget): { heads: Float32Array[]; mean: Float32Array } {
    const src = ha.sources[source];
    const pick = (head: HeadChoice) => {
      const p = splitRow(attentionRow(ha, source, layer, head), ha, src);
      return target === 'image' ? p.image : target === 'text' ? p.question : p.latents;
    };
    return { heads: Array.from({ length: ha.heads }, (_, k) => pick(k)), mean: pick('mean') };
  }

  function imageCanvas(values: Float32Array, range: ValueRange | null, maxSide: number, label: string): HTMLCanvasElement {
    const c = h('canvas', { class: 'pixelated', role: 'img', 'aria-label': label });
    if (!image || !overlay) return c;
    const k = maxSide > SMALL ? renderScale(image.width, image.height) : 1;
    const size = fitSize(image.width * k, image.height * k, Math.max(maxSide, SMALL), Math.max(maxSide, SMALL));
    c.width = Math.max(1, Math.round(size.width));
    c.height = Math.max(1, Math.round(size.height));
    const g = c.getContext('2d')!;
    overlay.paint(g, c.width, c.height, values, range, ctx.ui.colorMap, OVERLAY_OPACITY);
    strokeGroundTruth(g, trace, c.width, c.height);
    return c;
  }

  function textRow(values: Float32Array, range: ValueRange | null, small: boolean): HTMLElement {
    const alphas = tokenAlphas(values);
    return h('p', { class: small ? 'attn-text small' : 'attn-text', 'data-testid': small ? undefined : 'attn-text' },
      ...ha.layout.question.tokens.map((tok, i) => {
        const span = h('span', {
          class: 'attn-token', title: `${tok}: ${formatNumber(values[i])}`, 'data-weight': values[i].toFixed(6),
        }, tok);
        const t = range && range.max > 0 ? alphas[i] : 0;
        span.style.background = `color-mix(in srgb, ${cssColor(ctx.ui.colorMap, t)} ${Math.round(t * 100)}%, transparent)`;
        if (t > 0.6) span.style.color = '#000';
        return span;
      }));
  }

  function latentBars(values: Float32Array, range: ValueRange | null, small: boolean): HTMLElement {
    if (values.length === 0) return h('p', { class: 'muted' }, 'No latent step comes before this source.');
    const max = range?.max ?? 0;
    return h('ol', { class: small ? 'attn-bars small' : 'attn-bars', 'data-testid': small ? undefined : 'attn-latents' },
      ...Array.from(values, (v, i) => {
        const bar = h('span', { class: 'attn-bar' });
        bar.style.width = `${max > 0 ? (100 * v) / max : 0}%`;
        bar.style.background = cssColor(ctx.ui.colorMap, max > 0 ? v / max : 0);
        return h('li', { title: `step ${i + 1}: ${formatNumber(v)}` }, h('span', { class: 'attn-bar-label' }, `step ${i + 1}`), bar, small ? '' : h('span', {}, formatNumber(v, 3)));
      }));
  }

  function render(values: Float32Array, range: ValueRange | null, target: AttentionTarget, small: boolean, label: string): HTMLElement {
    if (target === 'image') return imageCanvas(values, range, small ? SMALL : 480, label);
    if (target === 'text') return textRow(values, range, small);
    return latentBars(values, range, small);
  }

  function draw(): void {
    const { source, layer, head, target } = clamp();
    const t = targets.includes(target) ? target : 'image';
    const { heads, mean } = parts(source, layer, t);
    const shown = head === 'mean' ? mean : heads[head];
    const range = rangeOf([...heads, mean]);
    const what = `${sourceLabel(ha.sources[source])} → ${TARGET_LABELS[t]}, layer ${layer + 1}, ${headName(head, ha.heads)}`;
    main.replaceChildren(render(shown, range, t, false, `Attention of ${what}`));
    const total = shown.reduce((a, b) => a + b, 0);
    caption.textContent = `${what} · weight on the target ${formatNumber(total, 3)} of the row`;
    legend.update(ctx.ui.colorMap, range, `attention weight, layer ${layer + 1}, all heads`);
    grid.replaceChildren(...heads.map((values, k) => {
      const cell = h('button', { type: 'button', class: 'head-cell', role: 'listitem', 'aria-pressed': String(head === k), 'data-head': k, title: `Show head ${k + 1}` },
        render(values, range, t, true, `head ${k + 1}`), h('span', { class: 'head-label' }, `head ${k + 1}`));
      cell.addEventListener('click', () => {
        (headSelect.querySelector('select') as HTMLSelectElement).value = String(k);
        set({ attnHead: k });
      });
      return cell;
    }));
    element.dataset.source = String(source);
    element.dataset.layer = String(layer);
    element.dataset.head = String(head);
    element.dataset.target = t;
  }

  draw();
  void decodeTraceImage(trace).then((bitmap) => {
    image = bitmap;
    overlay = new GridOverlay(trace, bitmap);
    draw();
    element.dataset.ready = 'true';
  }, (err: unknown) => ctx.status(`cannot decode the trace image: ${(err as Error).message}`, true));

  return {
    element,
    exports: {
      get name() {
        const { source, layer } = clamp();
        return fileStem(trace.input.imageName, 'attention', sourceLabel(ha.sources[source]), `layer${layer + 1}`);
      },
      csv: () => {
        // every recorded row, one line per (source, layer, head): a long table any tool can pivot
        const header = ['source', 'layer (1-based)', 'head (1-based)', ...Array.from({ length: ha.positions }, (_, p) => `position ${p}`)];
        const rows = ha.sources.flatMap((src, s) => Array.from({ length: ha.layers * ha.heads }, (_, lk) => {
          const l = Math.floor(lk / ha.heads);
          const k = lk % ha.heads;
          return [sourceLabel(src), l + 1, k + 1, ...attentionRow(ha, s, l, k)];
        }));
        return textBytes(toCsv(header, rows));
      },
    },
    dispose() {
      image?.close();
    },
  };
}
