import * as vscode from 'vscode';
import * as path from 'node:path';
import { readEvalDataset } from '../../runtime/evaluate';
import { UserError, errorMessage } from '../errors';
import type { CommandContext } from './context';
import { runOnImage } from './runOnImage';

/** The walkthrough's first step: the default bundled model on the first item of the bundled sample dataset. */
export async function runSample(ctx: CommandContext): Promise<void> {
  const dataset = path.join(ctx.extension.extensionPath, 'media', 'samples', 'samples.jsonl');
  let items;
  try {
    items = await readEvalDataset(dataset);
  } catch (err) {
    throw new UserError(`the bundled sample dataset is unreadable: ${errorMessage(err)}`);
  }
  const [first] = items;
  if (typeof first.image !== 'string') throw new UserError(`the bundled sample dataset ${dataset} holds no image paths`);
  await runOnImage(ctx, vscode.Uri.file(first.image), {
    question: first.question,
    groundTruth: { source: 'dataset', expected: first.answer, ...(first.bbox ? { bbox: first.bbox } : {}) },
  });
}
