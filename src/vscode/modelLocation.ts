/**
 * Where a model bundle lives and whether it may run. No vscode import: unit-tested in plain Node.
 * `latentTrace.modelPath` holds either the folder name of a bundled model or a path
 * (absolute, or relative to the first workspace folder); empty means the default bundled model.
 */
import * as path from 'node:path';

export type ModelSource = 'bundled' | 'workspace' | 'external';

export interface ModelLocation {
  dir: string;
  source: ModelSource;
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Classifies a bundle folder: shipped with the extension, inside an open workspace folder, or elsewhere. */
export function classifyModel(dir: string, bundledRoot: string, workspaceRoots: readonly string[]): ModelSource {
  if (isInside(dir, bundledRoot)) return 'bundled';
  return workspaceRoots.some((root) => isInside(dir, root)) ? 'workspace' : 'external';
}

/**
 * Resolves the setting to a folder. `bundledNames` are the folder names under `bundledRoot`, the
 * default model first. Returns undefined when the setting is empty and nothing is bundled.
 */
export function resolveModelSetting(
  setting: string,
  bundledRoot: string,
  bundledNames: readonly string[],
  workspaceRoots: readonly string[],
): ModelLocation | undefined {
  const value = setting.trim();
  if (value === '') {
    return bundledNames.length ? { dir: path.join(bundledRoot, bundledNames[0]), source: 'bundled' } : undefined;
  }
  if (bundledNames.includes(value)) return { dir: path.join(bundledRoot, value), source: 'bundled' };
  const dir = path.isAbsolute(value) || workspaceRoots.length === 0 ? path.resolve(value) : path.resolve(workspaceRoots[0], value);
  return { dir, source: classifyModel(dir, bundledRoot, workspaceRoots) };
}

/**
 * Workspace trust (package.json `capabilities.untrustedWorkspaces`): in Restricted Mode only bundled
 * models run, because an ONNX graph from the workspace is code the user has not vetted.
 * Returns the refusal message, or undefined when the model may run.
 */
export function trustRefusal(location: ModelLocation, trusted: boolean): string | undefined {
  if (trusted || location.source === 'bundled') return undefined;
  return `Restricted Mode: the workspace is not trusted, so only the models bundled with Latent Trace run. `
    + `"${location.dir}" is not a bundled model. Trust the workspace (Workspaces: Manage Workspace Trust) to run it.`;
}

/** The value written to `latentTrace.modelPath` for a chosen folder: bundled name, workspace-relative or absolute path. */
export function settingValueFor(location: ModelLocation, bundledRoot: string, workspaceRoots: readonly string[]): string {
  if (location.source === 'bundled') return path.relative(bundledRoot, location.dir).split(path.sep)[0];
  if (location.source === 'workspace' && workspaceRoots.length && isInside(location.dir, workspaceRoots[0])) {
    return path.relative(workspaceRoots[0], location.dir).split(path.sep).join('/') || '.';
  }
  return location.dir;
}
