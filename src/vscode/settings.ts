import * as vscode from 'vscode';
import { integerSetting, type ExtensionSettings, type StopRuleSetting } from './settingsModel';
import type { ExecutionProvider } from '../runtime/api';

const STOP_RULES: readonly StopRuleSetting[] = ['bundle', 'fixed', 'cosine', 'l1', 'l2'];
const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

function nullableNumber(config: vscode.WorkspaceConfiguration, key: string): number | null {
  const value = config.get<unknown>(key);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Reads `latentTrace.*`; values of the wrong type fall back to the defaults declared in package.json. */
export function readSettings(): ExtensionSettings {
  const config = vscode.workspace.getConfiguration('latentTrace');
  return {
    modelPath: config.get<string>('modelPath', '').trim(),
    latentSteps: nullableNumber(config, 'latentSteps'),
    stopRule: oneOf(config.get('stopRule'), STOP_RULES, 'bundle'),
    thresholds: {
      cosine: nullableNumber(config, 'thresholds.cosine'),
      l1: nullableNumber(config, 'thresholds.l1'),
      l2: nullableNumber(config, 'thresholds.l2'),
    },
    reconstruction: {
      enabled: config.get<boolean>('reconstruction.enabled', true) !== false,
      samplerSteps: nullableNumber(config, 'reconstruction.samplerSteps'),
    },
    executionProvider: oneOf(config.get('executionProvider'), PROVIDERS, 'cpu'),
    threads: integerSetting('threads', config.get('threads')),
    resultsFolder: config.get<string>('resultsFolder', '.latent-trace').trim() || '.latent-trace',
    probing: {
      pairs: integerSetting('probing.pairs', config.get('probing.pairs')),
      bootstrap: integerSetting('probing.bootstrap', config.get('probing.bootstrap')),
    },
  };
}
