import * as path from 'node:path';
import * as vscode from 'vscode';
import { isTraceFile, readReport, readTrace } from '../panel/result-files';
import { Dismissed, UserError } from '../errors';
import { pickFiles } from '../pickers';
import type { CommandContext } from './context';

/** Explorer or palette: opens a `*.ltrace.json` trace or a `*.report.json` report in the panel. */
export async function openTrace(ctx: CommandContext, arg: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : (await pickFiles('Latent Trace: open a trace or report', { 'Traces and reports': ['json'] }, false))?.[0];
  if (!uri) throw new Dismissed('no trace file chosen');
  if (isTraceFile(uri)) await ctx.panel.showTrace(await readTrace(uri), uri);
  else await ctx.panel.showReport(await readReport(uri), uri);
  ctx.log.info(`[files] opened ${uri.fsPath}`);
}

/**
 * Explorer (two traces selected, or one: the other is asked for) or palette: shows two traces side
 * by side. From the palette the traces are asked for one at a time, since not every host's file
 * dialog can select two files (code-server's cannot); choosing two in the first dialog also works.
 */
export async function compareTraces(ctx: CommandContext, arg: unknown, selection: unknown): Promise<void> {
  let uris = Array.isArray(selection) ? selection.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (uris.length !== 2) {
    uris = arg instanceof vscode.Uri ? [arg] : (await pickFiles('Latent Trace: first trace to compare', { Traces: ['json'] }, true)) ?? [];
    if (uris.length === 0) throw new Dismissed('no traces chosen');
    if (uris.length === 1) {
      const second = await pickFiles(`Latent Trace: trace to compare with ${path.basename(uris[0].fsPath)}`, { Traces: ['json'] }, false);
      if (!second?.length) throw new Dismissed('no second trace chosen');
      uris.push(second[0]);
    }
  }
  if (uris.length !== 2) throw new UserError(`choose exactly two traces to compare (got ${uris.length})`);
  const [a, b] = await Promise.all(uris.map((u) => readTrace(u)));
  await ctx.panel.compareTraces(a, b, uris[0], uris[1]);
  ctx.log.info(`[files] comparing ${uris[0].fsPath} and ${uris[1].fsPath}`);
}
