/**
 * The latent lens: what each latent step's token reads as, layer by layer. A table of steps by layers
 * holds the top token of each; for the chosen layer every step lists its top-k tokens with probabilities
 * and draws its nearest visual patches on the image.
 */
import type { LensEntry, Trace } from '../../src/shared/trace';
import { decodeTraceImage } from '../heatmap-stage';
import { fitSize, patchRect, regionRect } from '../grid-geometry';
import { lensCaption, lensLayers } from '../lens';
import { formatNumber, fileStem } from '../format';
import { toCsv } from '../../src/present/csv';
import { h, select } from '../dom';
import { textBytes } from '../exporting';
import type { View, ViewContext } from './view';

const THUMB = 150;

function layerName(layer: number): string {
  return layer === 0 ? 'embeddings' : `layer ${layer}`;
}

export function createLensView(trace: Trace, ctx: ViewContext): View {
  const layers = lensLayers(trace);
  const chosen = () => (ctx.ui.lensLayer !== null && layers.includes(ctx.ui.lensLayer) ? ctx.ui.lensLayer : layers[layers.length - 1]);
  let image: ImageBitmap | undefined;

  const layerSelect = select('Layer', layers.map(String), String(chosen()), (v) => {
    ctx.setUi({ lensLayer: Number(v) });
    draw();
  }, Object.fromEntries(layers.map((l) => [String(l), layerName(l)])));
  layerSelect.dataset.testid = 'lens-layer';
  const kind = h('p', { class: 'lens-kind', 'data-testid': 'lens-kind' }, lensCaption(trace.lensKind));
  const matrix = h('div', { class: 'lens-matrix-wrap' });
  const list = h('ol', { class: 'lens-steps', 'data-testid': 'lens-steps', 'aria-label': 'Latent steps through the lens' });
  const element = h('div', { class: 'lens-view' },
    h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Lens settings' }, layerSelect),
    kind,
    h('h3', {}, 'Top token of every step and layer'),
    matrix,
    h('h3', {}, 'Top tokens and nearest patches at the chosen layer'),
    list,
  );

  const entryAt = (step: number, layer: number): LensEntry | undefined => trace.steps[step]?.lens?.find((e) => e.layer === layer);

  function patchesCanvas(entry: LensEntry | undefined, step: number): HTMLCanvasElement {
    const c = h('canvas', { class: 'lens-thumb', role: 'img', 'aria-label': `Nearest patches of step ${step + 1}` });
    if (!image) return c;
    const size = fitSize(image.width, image.height, THUMB, THUMB);
    c.width = Math.max(1, Math.round(size.width));
    c.height = Math.max(1, Math.round(size.height));
    const g = c.getContext('2d')!;
    g.drawImage(image, 0, 0, c.width, c.height);
    const area = regionRect(trace.input.gridRegion, c.width, c.height);
    (entry?.patches ?? []).forEach((p, rank) => {
      const r = patchRect(p.index, trace.input.grid, area);
      g.lineWidth = rank === 0 ? 2.5 : 1.5;
      g.strokeStyle = '#000';
      g.strokeRect(r.x - 1, r.y - 1, r.w + 2, r.h + 2);
      g.strokeStyle = rank === 0 ? '#ffeb3b' : '#ffffff';
      g.strokeRect(r.x, r.y, r.w, r.h);
    });
    return c;
  }

  function drawMatrix(layer: number): void {
    const table = h('table', { class: 'data lens-matrix', 'data-testid': 'lens-matrix' },
      h('caption', {}, 'Rows: latent steps (from 1). Columns: layers (0 = embeddings). Cell: top token and its probability.'));
    table.append(h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'step'), ...layers.map((l) => h('th', { scope: 'col', class: l === layer ? 'current' : undefined }, String(l))))));
    const body = h('tbody');
    trace.steps.forEach((_, s) => {
      body.append(h('tr', {}, h('th', { scope: 'row' }, String(s + 1)), ...layers.map((l) => {
        const top = entryAt(s, l)?.tokens[0];
        const cell = h('td', { class: l === layer ? 'current' : undefined, title: top ? `${top.text} ${formatNumber(top.prob, 3)}` : 'not recorded' },
          top ? h('span', { class: 'lens-token' }, top.text) : '—', top ? h('span', { class: 'muted lens-p' }, ` ${top.prob.toFixed(2)}`) : '');
        cell.addEventListener('click', () => {
          ctx.setUi({ lensLayer: l });
          (layerSelect.querySelector('select') as HTMLSelectElement).value = String(l);
          draw();
        });
        return cell;
      })));
    });
    table.append(body);
    matrix.replaceChildren(table);
  }

  function draw(): void {
    const layer = chosen();
    drawMatrix(layer);
    list.replaceChildren(...trace.steps.map((_, s) => {
      const entry = entryAt(s, layer);
      return h('li', { class: 'lens-step', 'data-step': s },
        h('h4', {}, `Step ${s + 1}`),
        patchesCanvas(entry, s),
        entry
          ? h('ol', { class: 'lens-tokens', 'aria-label': `Top tokens of step ${s + 1}` }, ...entry.tokens.map((t) => h('li', { title: `token id ${t.id}` },
            h('span', { class: 'lens-token' }, t.text), h('span', { class: 'muted lens-p' }, formatNumber(t.prob, 3)))))
          : h('p', { class: 'muted' }, `${layerName(layer)} not recorded for this step`),
        entry?.patches.length
          ? h('p', { class: 'muted lens-patches' }, `nearest patches (row, col from 0): ${entry.patches.map((p) => `(${Math.floor(p.index / trace.input.grid.cols)}, ${p.index % trace.input.grid.cols}) cos ${p.cosine.toFixed(2)}`).join(' · ')}`)
          : '',
      );
    }));
    element.dataset.layer = String(layer);
  }

  draw();
  void decodeTraceImage(trace).then((bitmap) => {
    image = bitmap;
    draw();
    element.dataset.ready = 'true';
  }, (err: unknown) => ctx.status(`cannot decode the trace image: ${(err as Error).message}`, true));

  return {
    element,
    exports: {
      get name() {
        return fileStem(trace.input.imageName, 'lens');
      },
      csv: () => {
        const rows = trace.steps.flatMap((st, s) => (st.lens ?? []).flatMap((e) => e.tokens.map((t, rank) => [s + 1, e.layer, rank + 1, t.id, t.text, t.prob])));
        return textBytes(toCsv(['step (1-based)', 'layer (0 = embeddings)', 'rank', 'token id', 'token', 'probability'], rows));
      },
    },
    dispose() {
      image?.close();
    },
  };
}
