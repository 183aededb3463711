import * as vscode from 'vscode';
import type { EngineOptions, LatentTraceEngine } from '../runtime/api';
import { runtimeLogger, timed } from './log';

interface Loaded {
  key: string;
  dir: string;
  engine: Promise<LatentTraceEngine>;
}

/**
 * Keeps at most one open engine (the active model) so repeated runs reuse the ONNX sessions.
 * onnxruntime is loaded by the dynamic import on the first run, never at activation.
 */
export class EngineHost implements vscode.Disposable {
  private loaded: Loaded | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** fires when an engine finished loading or was released */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The folder of the engine whose sessions are open, if any. */
  loadedDir(): string | undefined {
    return this.loaded?.dir;
  }

  async get(dir: string, options: Omit<EngineOptions, 'log'>): Promise<LatentTraceEngine> {
    const key = JSON.stringify([dir, options.executionProvider ?? 'cpu', options.threads ?? 1]);
    if (this.loaded?.key !== key) {
      await this.release();
      const engine = timed(this.log, `[engine] load ${dir} (${options.executionProvider ?? 'cpu'})`, async () => {
        const { openEngine } = await import('../runtime/engine');
        return openEngine(dir, { ...options, log: runtimeLogger(this.log, 'runtime') });
      });
      this.loaded = { key, dir, engine };
      engine.then(() => this.changed.fire(), () => {
        if (this.loaded?.engine === engine) this.loaded = undefined;
      });
    }
    return this.loaded.engine;
  }

  /** Opens a second model next to the active one (e.g. the baseline of an attention study); the caller disposes it. */
  async open(dir: string, options: Omit<EngineOptions, 'log'>): Promise<LatentTraceEngine> {
    return timed(this.log, `[engine] load ${dir}`, async () => {
      const { openEngine } = await import('../runtime/engine');
      return openEngine(dir, { ...options, log: runtimeLogger(this.log, 'runtime') });
    });
  }

  async release(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    try {
      await (await loaded.engine).dispose();
    } catch {
      // an engine that failed to load has nothing to release; its error was reported by the run that loaded it
    }
    this.changed.fire();
  }

  dispose(): void {
    void this.release();
    this.changed.dispose();
  }
}
