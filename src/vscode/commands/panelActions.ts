/**
 * What the panel asks the extension to run: interventions on the shown trace (the runtime's
 * runIntervention on the active model) and opening a report item's trace (a saved one, or a re-run).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { access } from 'node:fs/promises';
import type { AttentionSourceRequest, PanelIntervention } from '../../shared/protocol';
import type { Intervention, Trace } from '../../shared/trace';
import type { Report } from '../../shared/reports';
import { reportItems } from '../../present/report-items';
import type { TraceRequest } from '../../runtime/api';
import { directionBetween, replaceFromTrace, runIntervention } from '../../runtime/interventions';
import { writeTraceFile } from '../../runtime/trace-file';
import type { PanelActions } from '../panel';
import { readTrace } from '../panel/result-files';
import { Dismissed, UserError } from '../errors';
import { timed } from '../log';
import { withRunProgress } from '../progress';
import { readSettings } from '../settings';
import { resultFileName, resultsFolder } from '../results';
import type { CommandContext } from './context';
import { runOnImage } from './runOnImage';

/** Width and height from a PNG's IHDR chunk (bytes 16..23). */
function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || bytes[0] !== 0x89 || bytes[1] !== 0x50) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/**
 * The request that re-runs a trace: its question and settings on the image the trace carries. The trace
 * holds the original downscaled to at most 1024 px; `note` says so when that copy is smaller.
 */
export function rerunRequest(trace: Trace, keepIntervention = false): { request: TraceRequest; note: string } {
  const image = Uint8Array.from(Buffer.from(trace.input.imagePng, 'base64'));
  const size = pngSize(image);
  const scaled = size !== null && (size.width < trace.input.imageWidth || size.height < trace.input.imageHeight);
  const { intervention, ...rest } = trace.settings;
  // an intervention is applied by runIntervention; a plain re-run of an intervened trace keeps it
  const settings = keepIntervention && intervention ? { ...rest, intervention } : rest;
  const gt = trace.input.groundTruth;
  return {
    request: {
      image, imageName: trace.input.imageName, question: trace.input.question, settings, reconstruct: false,
      ...(gt ? { groundTruth: { source: gt.source, ...(gt.bbox ? { bbox: gt.bbox } : {}), ...(gt.expected !== undefined ? { expected: gt.expected } : {}) } } : {}),
    },
    note: scaled ? ` (re-run on the trace's ${size!.width}x${size!.height} copy of the ${trace.input.imageWidth}x${trace.input.imageHeight} image)` : '',
  };
}

async function pickTrace(ctx: CommandContext, title: string): Promise<{ trace: Trace; label: string }> {
  const settings = readSettings();
  const folder = resultsFolder(settings.resultsFolder, ctx.catalog.workspaceRoots(), ctx.extension.globalStorageUri.fsPath);
  const picked = await vscode.window.showOpenDialog({
    title, canSelectMany: false, defaultUri: vscode.Uri.file(path.join(folder, 'traces')), filters: { 'Latent Trace traces': ['json'] },
  });
  if (!picked?.[0]) throw new Dismissed('no trace chosen, nothing was run');
  return { trace: await readTrace(picked[0]), label: path.basename(picked[0].fsPath).replace(/\.ltrace\.json$/, '') };
}

/** The runtime's intervention for the panel's request; traces it needs are picked by the user. */
async function runtimeIntervention(ctx: CommandContext, r: PanelIntervention): Promise<Intervention> {
  switch (r.kind) {
    case 'zero': return { kind: 'zero', step: r.step };
    case 'replace-with-step': return { kind: 'replace-with-step', step: r.step, source: r.source };
    case 'replace-from-trace': {
      const other = await pickTrace(ctx, `Latent Trace: the trace whose step ${r.sourceStep} replaces step ${r.step}`);
      return replaceFromTrace(other.trace, r.step, r.sourceStep, other.label);
    }
    case 'add-direction': {
      const a = await pickTrace(ctx, `Latent Trace: trace A of the direction alpha x (A - B) added at step ${r.step}`);
      const b = await pickTrace(ctx, `Latent Trace: trace B of the direction alpha x (${a.label} - B)`);
      return directionBetween({ trace: a.trace, step: r.stepA, label: a.label }, { trace: b.trace, step: r.stepB, label: b.label }, r.step, r.alpha);
    }
  }
}

async function activeModel(ctx: CommandContext, trace: Trace) {
  const settings = readSettings();
  const model = await ctx.catalog.load(await ctx.catalog.resolve(settings.modelPath));
  if (model.manifest.hash !== trace.model.hash) {
    throw new UserError(`this trace was made by ${trace.model.name} (${trace.model.hash}); the selected model is ${model.manifest.name} (${model.manifest.hash}). Select the trace's model to intervene on it`);
  }
  return { model, runtime: { executionProvider: settings.executionProvider, threads: settings.threads } };
}

export function panelActions(ctx: CommandContext): PanelActions {
  return {
    async intervene(trace, _file, r) {
      const { model, runtime } = await activeModel(ctx, trace);
      const intervention = await runtimeIntervention(ctx, r);
      const { request, note } = rerunRequest(trace);
      const slot = ctx.engines.reserve();
      try {
        const panelRun = ctx.panel.beginRun(`intervention on step ${r.step} · ${trace.input.imageName}`);
        const out = await withRunProgress(`intervention on step ${r.step} of ${trace.input.imageName}`, panelRun, async ({ report, signal }) => {
          report('waiting for the model', 0.05);
          return ctx.engines.use(slot, model.dir, runtime, (engine) => timed(ctx.log, `[intervene] ${r.kind} at step ${r.step}${note}`, () =>
            runIntervention(engine, { ...request, signal }, intervention, trace)));
        });
        const saved = await saveTrace(ctx, out.result.trace, `${trace.input.imageName}-intervened`);
        ctx.log.info(`[intervene] "${out.result.baseline.text}" -> "${out.result.answer.text}", log p change ${out.result.logProbChange}${note}; the intervened trace is ${saved}`);
        return out.result;
      } finally {
        slot.release();
      }
    },

    async recordAttention(trace, _file, sources) {
      const { model, runtime } = await activeModel(ctx, trace);
      const { request, note } = rerunRequest(trace, true);
      const had: AttentionSourceRequest[] = (trace.headAttention?.sources ?? []).map((s) => (s.kind === 'prompt-last' ? { kind: 'prompt-last' } : { kind: s.kind, index: s.index }));
      const key = (s: AttentionSourceRequest) => (s.kind === 'prompt-last' ? s.kind : `${s.kind}:${s.index}`);
      const wanted = [...new Map([...had, ...sources].map((s) => [key(s), s])).values()];
      const slot = ctx.engines.reserve();
      try {
        const panelRun = ctx.panel.beginRun(`per-head attention · ${trace.input.imageName}`);
        const next = await withRunProgress(`recording per-head attention of ${trace.input.imageName}`, panelRun, async ({ report, signal }) => {
          report('waiting for the model', 0.05);
          return ctx.engines.use(slot, model.dir, runtime, (engine) => timed(ctx.log, `[attention] re-run recording ${wanted.length} sources${note}`, () =>
            // the lens comes along where the bundle has its graph: the re-run then has every view
            engine.trace({ ...request, headAttention: { sources: wanted }, lens: model.manifest.graphs.lens !== undefined || undefined, signal })));
        });
        const saved = await saveTrace(ctx, next, `${trace.input.imageName}-heads`);
        await ctx.panel.showTrace(next, vscode.Uri.file(saved));
        return `re-ran ${trace.input.imageName} recording per-head attention for ${wanted.map(key).join(', ')}${note}`;
      } finally {
        slot.release();
      }
    },

    async openItem(report: Report, file, itemId) {
      const item = reportItems(report).find((it) => it.id === itemId);
      if (!item) throw new UserError(`the report has no item "${itemId}"`);
      // a trace saved beside the report for this item opens as is; otherwise the item is run again
      if (file) {
        const saved = path.join(path.dirname(vscode.Uri.parse(file).fsPath), 'traces', `${itemId.replace(/[^\w.-]+/g, '-')}.ltrace.json`);
        if (await access(saved).then(() => true, () => false)) {
          const trace = await readTrace(vscode.Uri.file(saved));
          await ctx.panel.showTrace(trace, vscode.Uri.file(saved));
          return `opened the saved trace of item ${itemId}`;
        }
      }
      if (!(await access(item.image).then(() => true, () => false))) throw new UserError(`item ${itemId}: its image ${item.image} is not there any more`);
      await runOnImage(ctx, vscode.Uri.file(item.image), {
        question: item.question,
        ...(item.expected !== undefined ? { groundTruth: { source: 'dataset' as const, expected: item.expected } } : {}),
      });
      return `re-ran item ${itemId} (${path.basename(item.image)}: "${item.question}")`;
    },
  };
}

/** Writes a trace the panel asked for (an intervened run, a re-run) next to the other traces; returns its path. */
async function saveTrace(ctx: CommandContext, trace: Trace, label: string): Promise<string> {
  const settings = readSettings();
  const folder = resultsFolder(settings.resultsFolder, ctx.catalog.workspaceRoots(), ctx.extension.globalStorageUri.fsPath);
  const file = path.join(folder, 'traces', resultFileName(label, '.ltrace.json'));
  await writeTraceFile(file, trace);
  return file;
}
