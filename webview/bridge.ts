/**
 * The webview's side of the protocol: posts typed messages, matches replies to requests,
 * and keeps the webview state VS Code persists across reloads.
 */
import type { AttentionSourceRequest, ExportFormat, FromWebviewMessage, InterventionMessage, PanelIntervention, PerfMetric, ReplyMessage } from '../src/shared/protocol';
import type { InterventionResult } from '../src/shared/trace';
import type { UiState } from './ui-state';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What the webview persists: the files shown (the host re-reads them after a reload) and the view settings. */
export interface PersistedState {
  files: string[];
  ui: UiState;
  /** identifies the content the saved step belongs to */
  key: string;
}

export class HostBridge {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private nextRequestId = 1;
  private readonly pending = new Map<number, (reply: ReplyMessage) => void>();
  private readonly results = new Map<number, InterventionResult>();

  post(message: FromWebviewMessage): void {
    this.api.postMessage(message);
  }

  perf(metric: PerfMetric, ms: number, detail: string): void {
    this.post({ type: 'perf', metric, ms, detail });
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.post({ type: 'log', level, message });
  }

  exportBytes(format: ExportFormat, suggestedName: string, bytes: Uint8Array): Promise<ReplyMessage> {
    const requestId = this.nextRequestId++;
    this.post({ type: 'export', requestId, format, suggestedName, bytes });
    return new Promise((resolve) => this.pending.set(requestId, resolve));
  }

  openFile(purpose: 'show' | 'compare'): Promise<ReplyMessage> {
    const requestId = this.nextRequestId++;
    this.post({ type: 'openFile', requestId, purpose });
    return new Promise((resolve) => this.pending.set(requestId, resolve));
  }

  /** Runs an intervention on the shown trace: the reply, with the result when it succeeded. */
  async intervene(intervention: PanelIntervention): Promise<{ reply: ReplyMessage; result?: InterventionResult }> {
    const requestId = this.nextRequestId++;
    this.post({ type: 'intervene', requestId, intervention });
    const reply = await new Promise<ReplyMessage>((resolve) => this.pending.set(requestId, resolve));
    const result = this.results.get(requestId);
    this.results.delete(requestId);
    return { reply, result: reply.ok ? result : undefined };
  }

  /** Asks the host to re-run the shown trace recording per-head attention for more sources. */
  recordAttention(sources: AttentionSourceRequest[]): Promise<ReplyMessage> {
    const requestId = this.nextRequestId++;
    this.post({ type: 'recordAttention', requestId, sources });
    return new Promise((resolve) => this.pending.set(requestId, resolve));
  }

  /** Asks the host to open (or re-run) the trace of a report item. */
  openItem(itemId: string): Promise<ReplyMessage> {
    const requestId = this.nextRequestId++;
    this.post({ type: 'openItem', requestId, itemId });
    return new Promise((resolve) => this.pending.set(requestId, resolve));
  }

  /** Keeps an intervention's result until the reply that ends its request; false when nothing waits for it. */
  acceptIntervention(message: InterventionMessage): boolean {
    if (!this.pending.has(message.requestId)) return false;
    this.results.set(message.requestId, message.result);
    return true;
  }

  /** Settles the request a reply answers; false when no request is waiting for it. */
  settle(reply: ReplyMessage): boolean {
    const resolve = this.pending.get(reply.requestId);
    if (!resolve) return false;
    this.pending.delete(reply.requestId);
    resolve(reply);
    return true;
  }

  saved(): Partial<PersistedState> {
    const s = this.api.getState();
    return typeof s === 'object' && s !== null ? (s as Partial<PersistedState>) : {};
  }

  save(state: PersistedState): void {
    this.api.setState(state);
  }
}
