import * as vscode from 'vscode';
import type { Logger } from '../runtime/api';

/** The one output channel of the extension; every component tags its lines with `[component]`. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Latent Trace', { log: true });
}

/** Runs `work` and logs how long it took (or how long until it failed) under `label`. */
export async function timed<T>(log: vscode.LogOutputChannel, label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    const result = await work();
    log.info(`${label}: ${(performance.now() - start).toFixed(0)} ms`);
    return result;
  } catch (err) {
    log.warn(`${label}: stopped after ${(performance.now() - start).toFixed(0)} ms`);
    throw err;
  }
}

/** Adapts the runtime's logger callback to the output channel. */
export function runtimeLogger(log: vscode.LogOutputChannel, component: string): Logger {
  return (level, message) => log[level](`[${component}] ${message}`);
}
