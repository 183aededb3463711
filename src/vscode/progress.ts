import * as vscode from 'vscode';
import { errorMessage, isAbort } from './errors';

export interface PanelRun {
  progress(message: string, fraction?: number): void;
  signal: AbortSignal;
  end(outcome?: string): void;
}

export interface RunReporter {
  /** `fraction` in [0,1] of the whole run */
  report(message: string, fraction?: number): void;
  signal: AbortSignal;
}

/**
 * Runs `work` under a cancellable progress notification and mirrors its progress into the panel.
 * Cancelling either (the notification's Cancel button or the panel's) aborts the one signal the runtime sees.
 * With `outcomeOf`, the panel keeps a line saying how the run ended: the value's words, "cancelled" or the failure.
 */
export async function withRunProgress<T>(title: string, panelRun: PanelRun, work: (run: RunReporter) => Promise<T>, outcomeOf?: (value: T) => string): Promise<T> {
  let outcome: string | undefined;
  try {
    const value = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Latent Trace: ${title}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        const signal = AbortSignal.any([controller.signal, panelRun.signal]);
        let last = 0;
        const report = (message: string, fraction?: number) => {
          panelRun.progress(message, fraction);
          if (fraction === undefined) return progress.report({ message });
          const next = Math.max(last, Math.min(1, fraction));
          progress.report({ message, increment: (next - last) * 100 });
          last = next;
        };
        try {
          return await work({ report, signal });
        } catch (err) {
          // whatever the runtime threw on the way out, a run the user cancelled reports as cancelled
          if (signal.aborted && !isAbort(err)) throw new DOMException(errorMessage(signal.reason), 'AbortError');
          throw err;
        } finally {
          cancel.dispose();
        }
      },
    );
    outcome = outcomeOf?.(value);
    return value;
  } catch (err) {
    if (outcomeOf) outcome = isAbort(err) ? 'cancelled' : `failed: ${errorMessage(err)}`;
    throw err;
  } finally {
    panelRun.end(outcome);
  }
}

