import * as vscode from 'vscode';
import * as path from 'node:path';
import type { TraceProgress } from '../../runtime/api';
import { readSidecar, type GroundTruthInput } from '../../runtime/ground-truth';
import { writeTraceFile } from '../../runtime/trace-file';
import { Dismissed, UserError } from '../errors';
import { timed } from '../log';
import { withRunProgress } from '../progress';
import { askQuestion } from '../questions';
import { resultFileName, resultsFolder } from '../results';
import { readSettings } from '../settings';
import { reconstructionFrom, traceSettingsFrom } from '../settingsModel';
import { isImageFile, pickImage, IMAGE_EXTENSIONS } from '../pickers';
import type { RunSlot } from '../runQueue';
import type { CommandContext } from './context';

const IMAGE_PREVIEW = 'imagePreview.previewEditor';

/** The image the command was invoked on: Explorer / editor title give a Uri; the image preview's context menu does not. */
function imageFromInvocation(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === IMAGE_PREVIEW) return input.uri;
  return undefined;
}

function describeProgress(p: TraceProgress): { message: string; fraction?: number } {
  const of = p.step !== undefined && p.total ? ` ${p.step}/${p.total}` : '';
  const base: Record<TraceProgress['stage'], [string, number]> = {
    load: ['loading the model', 0.02],
    image: ['reading the image', 0.05],
    prefill: ['prefill', 0.1],
    latent: ['latent step', 0.15],
    answer: ['answer', 0.6],
    reconstruct: ['reconstructing', 0.7],
  };
  const [label, start] = base[p.stage];
  const span = p.stage === 'latent' ? 0.45 : p.stage === 'reconstruct' ? 0.28 : 0;
  const within = p.step !== undefined && p.total ? Math.min(1, p.step / p.total) : 0;
  return { message: `${label}${of}`, fraction: start + span * within };
}

export interface ImageRunOptions {
  /** skip the question box (the walkthrough's sample run) */
  question?: string;
  /** what the image's dataset item knows (box, expected answer); without it a sidecar `<image>.json` is read */
  groundTruth?: GroundTruthInput;
}

/** Explorer / image editor / palette: "Run LaRe on Image" → question → trace → panel, saved under the results folder. */
export async function runOnImage(ctx: CommandContext, arg: unknown, options: ImageRunOptions = {}): Promise<void> {
  const slot = ctx.engines.reserve();
  try {
    await traceImage(ctx, slot, arg, options);
  } finally {
    slot.release();
  }
}

async function traceImage(ctx: CommandContext, slot: RunSlot, arg: unknown, options: ImageRunOptions): Promise<void> {
  const image = imageFromInvocation(arg) ?? (await pickImage());
  if (!image) throw new Dismissed('no image chosen: run it from an image in the Explorer or pick an image file');
  if (image.scheme !== 'file') throw new UserError(`${image.toString()}: only images on the local file system can be traced`);
  const imagePath = image.fsPath;
  const imageName = path.basename(imagePath);
  if (!isImageFile(imagePath)) {
    throw new UserError(`${imageName}: not a supported image type (${IMAGE_EXTENSIONS.join(', ')})`);
  }
  const settings = readSettings();
  const location = await ctx.catalog.resolve(settings.modelPath);
  const model = await ctx.catalog.load(location);
  const question = options.question ?? (await askQuestion(ctx.extension.globalState, imageName));
  if (!question) throw new Dismissed(`no question asked about ${imageName}, nothing was run`);
  const groundTruth = options.groundTruth ?? (await readSidecar(imagePath)) ?? undefined;
  if (groundTruth) ctx.log.info(`[run] ground truth from the ${groundTruth.source}: ${JSON.stringify({ bbox: groundTruth.bbox, expected: groundTruth.expected })}`);
  ctx.log.info(`[run] ${model.manifest.name} on ${imagePath}: "${question}"`);
  const panelRun = ctx.panel.beginRun(`${model.manifest.name} · ${imageName}`);
  const runtime = { executionProvider: settings.executionProvider, threads: settings.threads };
  const trace = await withRunProgress(`${model.manifest.name} on ${imageName}`, panelRun, async ({ report, signal }) => {
    report('waiting for the model', 0.01);
    return ctx.engines.use(slot, model.dir, runtime, (engine) => timed(ctx.log, `[run] trace ${imageName}`, () => engine.trace({
      image: imagePath,
      imageName,
      question,
      groundTruth,
      settings: traceSettingsFrom(settings, model.manifest),
      reconstruct: reconstructionFrom(settings, model.manifest),
      signal,
      onProgress: (p) => {
        const { message, fraction } = describeProgress(p);
        report(message, fraction);
      },
    })));
  });
  const folder = resultsFolder(settings.resultsFolder, ctx.catalog.workspaceRoots(), ctx.extension.globalStorageUri.fsPath);
  const file = path.join(folder, 'traces', resultFileName(imageName, '.ltrace.json'));
  await timed(ctx.log, `[run] write ${file}`, () => writeTraceFile(file, trace));
  const timings = Object.entries(trace.timingsMs).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ');
  ctx.log.info(`[run] answer "${trace.answer.text}" after ${trace.stoppedAt} latent steps (${trace.stopReason}); ${timings}`);
  await ctx.panel.showTrace(trace, vscode.Uri.file(file));
}
