/**
 * The scenario API of the end-to-end suite (test/e2e/README.md documents it).
 * A scenario file `scenarios/<name>.scenario.ts` default-exports a `Scenario`.
 */
import type { FrameLocator, Page } from 'playwright-core';

export interface Scenario {
  /** shown in the summary; also names the screenshots */
  name: string;
  /** false: runs in a second code-server with workspace trust on, the workspace in Restricted Mode */
  trusted?: boolean;
  /** default 180 s */
  timeoutMs?: number;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface ScenarioContext {
  page: Page;
  /** the newest Latent Trace webview's content (the panel, or a trace opened in the custom editor) */
  panel(): FrameLocator;
  /** runs a command from the palette by its full label, e.g. "Latent Trace: Open Panel" (retried until registered) */
  runCommand(label: string): Promise<void>;
  /** right-clicks a file at the top of the Explorer and chooses the context menu item `menuLabel` */
  rightClick(fileName: string, menuLabel: string): Promise<void>;
  /** waits for the open quick input (picker or question box), types `text` and presses Enter */
  answerQuickInput(text: string): Promise<void>;
  /** waits for the open quick pick to show an item whose label contains `label`, and picks it */
  pickQuickItem(label: string): Promise<void>;
  /** presses Escape on the open quick input (a cancelled picker) */
  dismissQuickInput(): Promise<void>;
  /** waits for a notification toast whose text matches, returns its text */
  waitForNotification(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** clicks a button (e.g. "Cancel") on the notification whose text matches */
  clickNotificationButton(text: string | RegExp, button: string): Promise<void>;
  /** closes every notification toast */
  clearNotifications(): Promise<void>;
  /** saves test-results/e2e/<scenario>-<name>.png and returns its path */
  screenshot(name: string): Promise<string>;
  /** Developer: Reload Window, then waits for the workbench and the Explorer */
  reloadWindow(): Promise<void>;
  /** the opened folder (a fresh copy per server: media/samples, a workspace model, malformed inputs) */
  workspace: string;
  /** the repository root (the extension under test) */
  repo: string;
  /** the Latent Trace output channel so far (read from code-server's log folder) */
  extensionLog(): Promise<string>;
  /** files written under the workspace's results folder (.latent-trace), relative paths */
  results(): Promise<string[]>;
  log(...args: unknown[]): void;
  /** console errors and page errors of the workbench page, collected since the scenario started */
  consoleErrors: string[];
}

export function defineScenario(s: Scenario): Scenario {
  return s;
}
