/** Reliable interactions with the VS Code workbench (selectors and retries proven in code-server 4.100.3). */
import type { FrameLocator, Page } from 'playwright-core';

export const EXTENSION_ID = 'latent-trace.latent-trace';

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
}

/** The palette's list is computed when typed and not refreshed when the extension host registers commands later: retry. */
export async function runCommand(page: Page, label: string, attempts = 15): Promise<void> {
  for (let i = 1; i <= attempts; i++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
    } catch {
      // a webview that was just created can take the focus and swallow F1: give the workbench the focus back
      await page.keyboard.press('Escape');
      await page.locator('.explorer-folders-view .monaco-list').first().focus().catch(() => undefined);
      await page.waitForTimeout(500);
      continue;
    }
    try {
      await input.fill('>' + label, { timeout: 3000 });
    } catch {
      // the palette opened, then closed again when a report tab that was still opening took the focus
      await page.keyboard.press('Escape');
      await page.locator('.explorer-folders-view .monaco-list').first().focus().catch(() => undefined);
      await page.waitForTimeout(500);
      continue;
    }
    const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
    try {
      await row.waitFor({ timeout: 2000 });
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
      continue;
    }
    // the palette matches substrings: insist on the exact label
    const rows = page.locator('.quick-input-list .monaco-list-row');
    const count = await rows.count();
    for (let r = 0; r < count; r++) {
      const name = (await rows.nth(r).locator('.label-name').innerText().catch(() => '')).trim();
      if (name === label) {
        await rows.nth(r).click();
        return;
      }
    }
    await row.click();
    return;
  }
  throw new Error(`not in the command palette after ${attempts} attempts: ${label}`);
}

export async function rightClick(page: Page, fileName: string, menuLabel: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: fileName }) }).first();
  await row.waitFor({ timeout: 30_000 });
  for (let attempt = 1; attempt <= 3; attempt++) {
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: menuLabel }).first();
    try {
      await item.waitFor({ timeout: 5000 });
    } catch {
      await page.keyboard.press('Escape');
      continue; // the menu was computed before the extension contributed its items
    }
    await page.waitForTimeout(300); // menu items ignore mouseup for the first 100 ms after rendering
    await item.click();
    return;
  }
  throw new Error(`context menu of ${fileName} has no "${menuLabel}"`);
}

export async function answerQuickInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(text);
  await page.waitForTimeout(200); // let the quick pick re-filter before Enter
  await input.press('Enter');
}

export async function pickQuickItem(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  try {
    await row.waitFor({ timeout: 10_000 });
    await row.click({ timeout: 5000 });
  } catch {
    // A list taller than the widget is virtualised and scrolled to its active item: a row above it sits under
    // the input (which takes the click) and a row far below is not rendered. Typing the label leaves only
    // the matching rows, at the top.
    await page.locator('.quick-input-widget input').fill(label);
    await row.waitFor({ timeout: 30_000 });
    await row.click();
  }
}

export async function dismissQuickInput(page: Page): Promise<void> {
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Escape');
}

function toast(page: Page, text: string | RegExp) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = 60_000): Promise<string> {
  const t = toast(page, text);
  await t.waitFor({ timeout: timeoutMs });
  await page.waitForTimeout(300); // toasts fade in: let a following screenshot show them
  return (await t.innerText()).replace(/\s+/g, ' ').trim();
}

export async function clickNotificationButton(page: Page, text: string | RegExp, button: string): Promise<void> {
  const t = toast(page, text);
  await t.waitFor({ timeout: 60_000 });
  await t.hover();
  await t.locator('.monaco-button', { hasText: button }).first().click();
}

export async function clearNotifications(page: Page): Promise<void> {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  for (let i = await toasts.count(); i > 0; i--) {
    await toasts.first().hover().catch(() => undefined);
    const clear = toasts.first().locator('.codicon-notifications-clear');
    if (await clear.count()) await clear.first().click().catch(() => undefined);
    else await page.keyboard.press('Escape');
  }
}

/**
 * webview = <iframe class="webview ready"> (host page) > <iframe id="active-frame"> (the extension's HTML).
 * Only visible ones: VS Code keeps the iframes of hidden editors (a walkthrough's markdown step, an older
 * panel) in the page, and the last one in the DOM is not always the one on screen.
 */
export function webviewFrame(page: Page, extensionWebviews: boolean, index: 'last' | 'first' = 'last'): FrameLocator {
  const outer = page.locator(extensionWebviews ? `iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"]` : 'iframe.webview.ready').filter({ visible: true });
  return (index === 'last' ? outer.last() : outer.first()).contentFrame().frameLocator('iframe#active-frame');
}
