import * as vscode from 'vscode';

const RECENT_KEY = 'latentTrace.recentQuestions';
const MAX_RECENT = 20;

/**
 * Asks for a question about `imageName` in a quick pick that offers the recent questions; typing
 * a new one makes it the first entry. Resolves undefined when the user dismisses it.
 */
export async function askQuestion(state: vscode.Memento, imageName: string): Promise<string | undefined> {
  const recent = state.get<string[]>(RECENT_KEY, []);
  const recentItems = recent.map((q): vscode.QuickPickItem => ({ label: q, description: 'recent' }));
  const pick = vscode.window.createQuickPick();
  pick.title = `Latent Trace: ask about ${imageName}`;
  pick.placeholder = recent.length ? 'Type a question or pick a recent one' : 'Type a question, e.g. "What color is the circle?"';
  pick.items = recentItems;
  pick.matchOnDescription = false;
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    pick.items = typed && !recent.includes(typed) ? [{ label: typed, description: 'new question', alwaysShow: true }, ...recentItems] : recentItems;
  });
  const question = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve((pick.selectedItems[0]?.label ?? pick.value).trim() || undefined);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (question) await state.update(RECENT_KEY, [question, ...recent.filter((q) => q !== question)].slice(0, MAX_RECENT));
  return question;
}
