import * as vscode from 'vscode';
import { Dismissed } from '../errors';
import { settingValueFor } from '../modelLocation';
import { pickModel } from '../pickers';
import { readSettings } from '../settings';
import type { CommandContext } from './context';

/** Picks a bundle, validates and trust-checks it, and makes it the active model (`latentTrace.modelPath`). */
export async function selectModel(ctx: CommandContext): Promise<void> {
  let activeDir: string | undefined;
  try {
    activeDir = (await ctx.catalog.resolve(readSettings().modelPath)).dir;
  } catch {
    activeDir = undefined; // the current setting is unusable; the picker is how the user fixes it
  }
  const location = await pickModel(ctx.catalog, 'Latent Trace: select the model', { activeDir });
  if (!location || location === 'none') throw new Dismissed('no model chosen; the active model is unchanged');
  ctx.catalog.assertTrusted(location);
  const model = await ctx.catalog.load(location);
  const roots = ctx.catalog.workspaceRoots();
  // modelPath is a restricted setting: in Restricted Mode VS Code ignores its workspace value, so the
  // choice (only a bundled model can pass assertTrusted there) goes to the user settings instead
  const inWorkspace = roots.length > 0 && vscode.workspace.isTrusted;
  const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('latentTrace').update('modelPath', settingValueFor(location, ctx.catalog.bundledRoot, inWorkspace ? roots : []), target);
  ctx.log.info(`[models] active model: ${model.manifest.name} (${model.manifest.method}) at ${model.dir}, saved in the ${inWorkspace ? 'workspace' : 'user'} settings`);
  await ctx.refreshStatus();
  void vscode.window.setStatusBarMessage(`Latent Trace: ${model.manifest.name} selected`, 4000);
}
