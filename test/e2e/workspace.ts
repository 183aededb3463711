/**
 * The folder code-server opens: a fresh copy per server of the sample images and datasets, a model
 * bundle inside the workspace (for the trust scenario) and malformed inputs (for the error scenarios).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const hasManifest = (dir: string) => existsSync(join(dir, 'latent-trace.json'));

function bundlesIn(base: string): string[] {
  return existsSync(base) ? readdirSync(base).sort().map((d) => join(base, d)).filter(hasManifest) : [];
}

/** The model copied into the workspace: the tiny golden LaRe bundle, else any test or bundled one. */
export function workspaceModelSource(repo: string): string | undefined {
  return [
    join(repo, 'test/fixtures/golden/bundles/lare-tiny'),
    ...bundlesIn(join(repo, 'test/fixtures/golden/bundles')),
    join(repo, 'test/fixtures/runtime/contract-bundle'),
    ...bundlesIn(join(repo, 'models')),
  ].find(hasManifest);
}

export function prepareWorkspace(repo: string, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const samples = join(repo, 'media/samples');
  if (existsSync(samples)) {
    for (const f of readdirSync(samples)) cpSync(join(samples, f), join(dir, f), { recursive: true });
  }
  const first = join(samples, 'images/0000.png');
  if (existsSync(first)) cpSync(first, join(dir, 'sample.png')); // at the top of the Explorer, for right-clicks
  const model = workspaceModelSource(repo);
  if (model) cpSync(model, join(dir, 'workspace-models/lare-tiny'), { recursive: true });
  // the other tiny golden bundles: a baseline for the attention statistics, an LVR model
  for (const other of bundlesIn(join(repo, 'test/fixtures/golden/bundles'))) {
    const target = join(dir, 'workspace-models', basename(other));
    if (!existsSync(target)) cpSync(other, target, { recursive: true });
  }
  const samplesFile = join(samples, 'samples.jsonl');
  if (existsSync(samplesFile)) {
    // a small dataset keeps the dataset scenarios within the suite's time budget
    writeFileSync(join(dir, 'small.jsonl'), readFileSync(samplesFile, 'utf8').split('\n').slice(0, 40).join('\n') + '\n');
  }
  const settings: Record<string, unknown> = { 'latentTrace.probing.pairs': 200, 'latentTrace.probing.bootstrap': 200 };
  // until models/ holds bundled models, the trusted workspace runs its own copy
  if (model && bundlesIn(join(repo, 'models')).length === 0) settings['latentTrace.modelPath'] = 'workspace-models/lare-tiny';
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, '.vscode/settings.json'), JSON.stringify(settings, null, 2));
  // malformed inputs: an image that does not decode, a dataset with broken lines, a model folder without a manifest
  writeFileSync(join(dir, 'corrupt.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png'));
  writeFileSync(join(dir, 'broken.jsonl'), '{"image": "missing.png", "question": \n not json at all\n');
  mkdirSync(join(dir, 'not-a-model'), { recursive: true });
  writeFileSync(join(dir, 'not-a-model/README.txt'), 'a folder without latent-trace.json\n');
}
