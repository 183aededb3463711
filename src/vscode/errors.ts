import * as vscode from 'vscode';

/** A failure the user can fix (wrong input, refused model); shown without a stack trace. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** The user dismissed a picker or input box: worth a short notice, not an error. */
export class Dismissed extends Error {
  override readonly name = 'Dismissed';
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const SHOW_LOG = 'Show Log';

/** Errors about the user's input (named by their modules): the message says it all, a stack adds nothing. */
const INPUT_ERRORS = new Set(['UserError', 'QueueFullError', 'ImageError', 'InputError', 'BundleError', 'DatasetError', 'ResultFileError', 'ResultsError', 'UsageError', 'TraceFormatError']);

/** Logs the error (with its stack unless it is about the input) and shows it as a notification with "Show Log". */
export function reportError(log: vscode.LogOutputChannel, what: string, err: unknown): void {
  const message = `${what}: ${errorMessage(err)}`;
  if (err instanceof Error && !INPUT_ERRORS.has(err.name) && err.stack) log.error(`${message}\n${err.stack}`);
  else log.error(message);
  void vscode.window.showErrorMessage(`Latent Trace — ${message}`, SHOW_LOG).then((choice) => {
    if (choice === SHOW_LOG) log.show(true);
  });
}

/**
 * Wraps a command handler so that every failure becomes a notification and a log entry: command
 * handlers must never leave an unhandled rejection behind.
 */
export function guarded<A extends unknown[]>(
  log: vscode.LogOutputChannel,
  what: string,
  handler: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (err) {
      if (err instanceof Dismissed) {
        log.info(`${what}: ${err.message}`);
        void vscode.window.showInformationMessage(`Latent Trace — ${what}: ${err.message}.`);
      } else if (err instanceof Error && err.name === 'QueueFullError' && !(err as Error & { first: boolean }).first) {
        // one notification per burst of refused runs; the rest only in the log
        log.warn(`${what}: ${err.message}`);
      } else if (isAbort(err)) {
        log.info(`${what}: cancelled`);
        void vscode.window.showInformationMessage(`Latent Trace — ${what} cancelled.`);
      } else {
        reportError(log, what, err);
      }
    }
  };
}
