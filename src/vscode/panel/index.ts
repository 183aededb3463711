/**
 * The panel's surface for the rest of the extension: `registerPanel` wires the singleton panel, its
 * reload serializer and the read-only custom editor, and returns the PanelHost the commands call.
 */
import * as vscode from 'vscode';
import type { PanelContent, SlurmRows } from '../../shared/protocol';
import type { Trace } from '../../shared/trace';
import type { Report } from '../../shared/reports';
import { LatentTracePanel, PANEL_VIEW_TYPE } from './panel';
import { TraceEditorProvider, TRACE_EDITOR_VIEW_TYPE } from './trace-editor';
import { readResult, readTrace } from './result-files';
import type { ActiveRun, PanelActions, SessionHooks } from './webview-session';

export type { PanelActions } from './webview-session';

export interface PanelRunHandle {
  progress(message: string, fraction?: number): void;
  /** a Slurm study's shard rows, shown with the next progress messages */
  slurm(rows: SlurmRows): void;
  signal: AbortSignal;
  /** `outcome` stays in the panel under the shard rows (e.g. "cancelled") */
  end(outcome?: string): void;
}

export interface PanelHost {
  showTrace(trace: Trace, file?: vscode.Uri | string): Promise<void>;
  showReport(report: Report, file?: vscode.Uri | string): Promise<void>;
  compareTraces(a: Trace, b: Trace, fileA?: vscode.Uri | string, fileB?: vscode.Uri | string): Promise<void>;
  beginRun(label: string): PanelRunHandle;
  /** opens (or focuses) the panel without changing what it shows */
  reveal(): void;
  /** connects the panel's requests (interventions, drill-down) to the commands that run them */
  bindActions(actions: PanelActions): void;
}

/** What the webview keeps with vscode.setState; the serializer reads `files` to restore the content. */
interface SavedWebviewState {
  files?: string[];
}

function uriString(file: vscode.Uri | string | undefined): string | undefined {
  if (file === undefined) return undefined;
  return typeof file === 'string' ? vscode.Uri.file(file).toString() : file.toString();
}

async function restoredContent(state: unknown, log: vscode.LogOutputChannel): Promise<PanelContent> {
  const files = (state as SavedWebviewState | undefined)?.files;
  // the state comes from the webview: read back only result files, never an arbitrary path it names
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && /\.(ltrace|report)\.json$/.test(vscode.Uri.parse(f).path))) {
    return { kind: 'empty' };
  }
  try {
    if (files.length === 1) return await readResult(vscode.Uri.parse(files[0]));
    if (files.length === 2) {
      const [a, b] = await Promise.all(files.map((f) => readTrace(vscode.Uri.parse(f))));
      return { kind: 'compare', a, b, fileA: files[0], fileB: files[1] };
    }
  } catch (err) {
    log.warn(`[panel] could not restore the panel: ${(err as Error).message}`);
  }
  return { kind: 'empty' };
}

export function registerPanel(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): PanelHost {
  let run: ActiveRun | undefined;
  let nextRunId = 1;
  let actions: PanelActions | undefined;
  const hooks: SessionHooks = { activeRun: () => run, actions: () => actions };
  const open = () => LatentTracePanel.createOrShow(context.extensionUri, log, hooks);
  const show = async (content: PanelContent) => {
    open().show(content);
  };

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        const revived = LatentTracePanel.revive(panel, context.extensionUri, log, hooks);
        const content = await restoredContent(state, log);
        revived.show(content);
        log.info(`[panel] restored after reload (${content.kind})`);
      },
    }),
    vscode.window.registerCustomEditorProvider(TRACE_EDITOR_VIEW_TYPE, new TraceEditorProvider(context.extensionUri, log, hooks), {
      supportsMultipleEditorsPerDocument: true,
    }),
    { dispose: () => LatentTracePanel.instance?.dispose() },
  );

  return {
    showTrace: (trace, file) => show({ kind: 'trace', trace, file: uriString(file) }),
    showReport: (report, file) => show({ kind: 'report', report, file: uriString(file) }),
    compareTraces: (a, b, fileA, fileB) => show({ kind: 'compare', a, b, fileA: uriString(fileA), fileB: uriString(fileB) }),
    reveal: () => void open(),
    bindActions: (a) => {
      actions = a;
    },
    beginRun(label) {
      const controller = new AbortController();
      const mine: ActiveRun = { runId: nextRunId++, label, message: 'starting…', controller };
      run = mine;
      const session = () => LatentTracePanel.instance?.webviewSession;
      open();
      session()?.post({ type: 'runStarted', runId: mine.runId, label });
      return {
        signal: controller.signal,
        progress(message, fraction) {
          mine.message = message;
          mine.fraction = fraction === undefined ? undefined : Math.min(1, Math.max(0, fraction));
          session()?.post({ type: 'progress', runId: mine.runId, message, fraction: mine.fraction, ...(mine.slurm ? { slurm: mine.slurm } : {}) });
        },
        slurm(rows) {
          mine.slurm = rows;
          session()?.post({ type: 'progress', runId: mine.runId, message: mine.message, fraction: mine.fraction, slurm: rows });
        },
        end(outcome) {
          if (run === mine) run = undefined;
          session()?.post({ type: 'runEnded', runId: mine.runId, ...(outcome !== undefined ? { outcome } : {}) });
        },
      };
    },
  };
}
