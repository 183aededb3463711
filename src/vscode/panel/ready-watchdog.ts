/**
 * Loads a webview's app again when it has not said `ready` in time. In VS Code for the Web a webview created
 * while another one registers the resource service worker can fetch its script from the network instead,
 * which fails offline, and the panel stays blank (seen in code-server when the walkthrough's markdown step and
 * the panel open together); loading the app again finds the worker in place. A hidden webview loads only when
 * shown, so time spent hidden does not count against the reloads.
 */
export interface ReadyWatchdogHooks {
  /** sets the app's HTML again (with a new nonce, so that VS Code reloads the frame) */
  reload(): void;
  visible(): boolean;
  warn(message: string): void;
  error(message: string): void;
}

export class ReadyWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reloads = 0;
  private ready = false;

  constructor(
    private readonly hooks: ReadyWatchdogHooks,
    private readonly timeoutMs = 15_000,
    private readonly maxReloads = 2,
  ) {}

  /** the app's HTML was just set: wait for its `ready` */
  loading(): void {
    this.ready = false;
    this.arm();
  }

  /** the app said `ready` */
  started(): void {
    this.ready = true;
    clearTimeout(this.timer);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire(), this.timeoutMs);
  }

  private expire(): void {
    if (this.ready) return;
    if (!this.hooks.visible()) return this.arm();
    if (this.reloads >= this.maxReloads) {
      this.hooks.error(`the panel app did not start after ${this.maxReloads} reloads; close the tab and open it again`);
      return;
    }
    this.reloads++;
    this.hooks.warn(`the panel app did not start within ${this.timeoutMs / 1000} s (its script may not have loaded); loading it again (${this.reloads} of ${this.maxReloads})`);
    this.hooks.reload();
    this.loading();
  }
}
