/**
 * Reads trace (`*.ltrace.json`) and report (`*.report.json`) files into panel content,
 * with errors that name the file and the problem.
 */
import * as vscode from 'vscode';
import { assertReport, assertTrace, type PanelContent } from '../../shared/protocol';
import { decodeTrace, traceSizeProblem } from '../../shared/trace-codec';
import type { Trace } from '../../shared/trace';
import type { Report } from '../../shared/reports';

export class ResultFileError extends Error {
  override name = 'ResultFileError';
}

function label(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/** Sized before it is read: a multi-GB file would otherwise be pulled whole into the extension host. */
async function readText(uri: vscode.Uri): Promise<string> {
  let size: number;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch (err) {
    throw new ResultFileError(`${label(uri)}: cannot read it (${(err as Error).message})`);
  }
  const tooLarge = traceSizeProblem(size);
  if (tooLarge) throw new ResultFileError(`${label(uri)}: ${tooLarge}`);
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    throw new ResultFileError(`${label(uri)}: cannot read it (${(err as Error).message})`);
  }
}

export function isTraceFile(uri: vscode.Uri): boolean {
  return uri.path.endsWith('.ltrace.json');
}

export async function readTrace(uri: vscode.Uri): Promise<Trace> {
  const text = await readText(uri);
  try {
    return assertTrace(decodeTrace(text));
  } catch (err) {
    throw new ResultFileError(`${label(uri)}: not a readable Latent Trace trace (${(err as Error).message})`);
  }
}

export async function readReport(uri: vscode.Uri): Promise<Report> {
  const text = await readText(uri);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(`${label(uri)}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return assertReport(value);
  } catch (err) {
    throw new ResultFileError(`${label(uri)}: not a Latent Trace report (${(err as Error).message})`);
  }
}

/** A trace or report file as what the panel shows; `file` is kept so a reload can read it again. */
export async function readResult(uri: vscode.Uri): Promise<PanelContent> {
  const file = uri.toString();
  return isTraceFile(uri) ? { kind: 'trace', trace: await readTrace(uri), file } : { kind: 'report', report: await readReport(uri), file };
}
