/**
 * What every view gives the app: its element, what it can export, and how to tear it down.
 */
import type { HostBridge } from '../bridge';
import type { UiState } from '../ui-state';

export interface ViewExports {
  /** file name stem for every export of this view */
  name: string;
  png?: () => Promise<Uint8Array>;
  svg?: () => Uint8Array;
  csv: () => Uint8Array;
}

export interface View {
  element: HTMLElement;
  exports: ViewExports;
  dispose(): void;
}

export interface ViewContext {
  bridge: HostBridge;
  ui: UiState;
  /** merges a change into the UI state and persists it */
  setUi(patch: Partial<UiState>): void;
  /** shows a line under the tabs; `error` colours it as a problem */
  status(text: string, error?: boolean): void;
  /** performance.now() when the content arrived (or the view was asked for): the first-paint measurement starts here */
  receivedAt: number;
}
