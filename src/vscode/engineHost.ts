import * as vscode from 'vscode';
import type { EngineOptions } from '../runtime/api';
import type { TraceEngine } from '../runtime/engine';
import { runtimeLogger, timed } from './log';
import { RunQueue, type RunSlot } from './runQueue';

interface Loaded {
  key: string;
  dir: string;
  engine: Promise<TraceEngine>;
}

/**
 * Keeps at most one open engine (the active model) so repeated runs reuse the ONNX sessions.
 * onnxruntime is loaded by the dynamic import on the first run, never at activation.
 * Runs take turns (`use`), so switching models never disposes sessions another run is using, and
 * only a few may wait (runQueue.ts): a run takes its place with `reserve` before it asks the user anything.
 */
export class EngineHost implements vscode.Disposable {
  private loaded: Loaded | undefined;
  private readonly queue = new RunQueue();
  private readonly changed = new vscode.EventEmitter<void>();
  /** fires when an engine finished loading or was released */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The folder of the engine whose sessions are open, if any. */
  loadedDir(): string | undefined {
    return this.loaded?.dir;
  }

  /** A place in the run queue; throws QueueFullError when too many runs are running or waiting. */
  reserve(): RunSlot {
    return this.queue.reserve();
  }

  /** Runs `work` with the engine for `dir` in the slot's turn, once every earlier run has finished. */
  use<T>(slot: RunSlot, dir: string, options: Omit<EngineOptions, 'log'>, work: (engine: TraceEngine) => Promise<T>): Promise<T> {
    return slot.run(async () => work(await this.get(dir, options)));
  }

  private async get(dir: string, options: Omit<EngineOptions, 'log'>): Promise<TraceEngine> {
    const key = JSON.stringify([dir, options.executionProvider ?? 'cpu', options.threads ?? 1]);
    if (this.loaded?.key !== key) {
      await this.releaseNow();
      const threads = options.threads ?? 1;
      const engine = timed(this.log, `[engine] load ${dir} (${options.executionProvider ?? 'cpu'}, ${threads} thread${threads === 1 ? '' : 's'})`, async () => {
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

  /** Releases the sessions after the runs already queued (settings changed, or the extension stops). */
  release(): Promise<void> {
    return this.queue.enqueue(() => this.releaseNow());
  }

  private async releaseNow(): Promise<void> {
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
