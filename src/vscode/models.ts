import * as vscode from 'vscode';
import * as path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import type { BundleManifest } from '../shared/bundle';
import { UserError, errorMessage } from './errors';
import { compareDefaultNames } from '../runtime/default-order';
import { classifyModel, resolveModelSetting, trustRefusal, type ModelLocation } from './modelLocation';

export interface ModelEntry extends ModelLocation {
  manifest: BundleManifest;
}

/** A bundle that was found but does not validate; listed in the picker with its error. */
export interface BrokenModel extends ModelLocation {
  error: string;
}

const MANIFEST = 'latent-trace.json';

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** Finds, validates and trust-checks model bundles: the bundled ones first, then the workspace's. */
export class ModelCatalog {
  readonly bundledRoot: string;

  constructor(extensionPath: string, private readonly log: vscode.LogOutputChannel) {
    this.bundledRoot = path.join(extensionPath, 'models');
  }

  workspaceRoots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /**
   * Folder names of the bundled models, the default first: LaRe with an Extractor in the CLI's default order
   * (compareDefaultNames), then the rest by the same order.
   */
  async bundledNames(): Promise<string[]> {
    const entries = await readdir(this.bundledRoot, { withFileTypes: true }).catch(() => []);
    const ranked: Array<{ name: string; rank: number }> = [];
    for (const e of entries) {
      if (!e.isDirectory() || !(await exists(path.join(this.bundledRoot, e.name, MANIFEST)))) continue;
      const { readManifest } = await import('../runtime/bundle');
      const manifest = await readManifest(path.join(this.bundledRoot, e.name)).catch(() => undefined);
      const isLare = manifest?.method === 'lare' && Boolean(manifest.extractor);
      ranked.push({ name: e.name, rank: isLare ? 0 : 1 });
    }
    return ranked.sort((a, b) => a.rank - b.rank || compareDefaultNames(a.name, b.name)).map((r) => r.name);
  }

  /** Reads and validates a bundle; a folder without a manifest or with an invalid one is a UserError naming it. */
  async load(location: ModelLocation): Promise<ModelEntry> {
    if (!(await exists(location.dir))) {
      throw new UserError(`model folder "${location.dir}" does not exist (setting latentTrace.modelPath)`);
    }
    if (!(await exists(path.join(location.dir, MANIFEST)))) {
      throw new UserError(`"${location.dir}" has no ${MANIFEST}: it is not a Latent Trace model bundle (see docs/bundle-format.md)`);
    }
    try {
      // imported here: the validator pulls in the tokenizer library, which activation does not need
      const { validateBundle } = await import('../runtime/bundle');
      return { ...location, manifest: (await validateBundle(location.dir)).manifest };
    } catch (err) {
      throw new UserError(`invalid model bundle: ${errorMessage(err)}`);
    }
  }

  async bundled(): Promise<Array<ModelEntry | BrokenModel>> {
    const names = await this.bundledNames();
    return Promise.all(names.map((name) => this.tryLoad({ dir: path.join(this.bundledRoot, name), source: 'bundled' })));
  }

  /** Bundles anywhere in the workspace (outside node_modules), excluding copies of the bundled ones. */
  async workspace(): Promise<Array<ModelEntry | BrokenModel>> {
    const files = await vscode.workspace.findFiles(`**/${MANIFEST}`, '{**/node_modules/**,**/.e2e/**}', 200);
    const roots = this.workspaceRoots();
    const dirs = [...new Set(files.map((f) => path.dirname(f.fsPath)))].sort();
    const found = dirs
      .map((dir): ModelLocation => ({ dir, source: classifyModel(dir, this.bundledRoot, roots) }))
      .filter((l) => l.source !== 'bundled');
    return Promise.all(found.map((l) => this.tryLoad(l)));
  }

  private async tryLoad(location: ModelLocation): Promise<ModelEntry | BrokenModel> {
    try {
      return await this.load(location);
    } catch (err) {
      this.log.warn(`[models] ${location.dir}: ${errorMessage(err)}`);
      return { ...location, error: errorMessage(err) };
    }
  }

  /** The model the setting points at (or the default bundled one), refused in Restricted Mode unless bundled. */
  async resolve(setting: string): Promise<ModelLocation> {
    const location = resolveModelSetting(setting, this.bundledRoot, await this.bundledNames(), this.workspaceRoots());
    if (!location) throw new UserError('no model bundle is configured and none is bundled: run "Latent Trace: Select Model…"');
    this.assertTrusted(location);
    return location;
  }

  assertTrusted(location: ModelLocation): void {
    const refusal = trustRefusal(location, vscode.workspace.isTrusted);
    if (refusal) throw new UserError(refusal);
  }
}

export function isBroken(model: ModelEntry | BrokenModel): model is BrokenModel {
  return 'error' in model;
}
