/** Where the bundled models and sample images live, and which bundle is the default LaRe model. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readManifest } from './bundle';
import { compareDefaultNames } from './default-order';

/** The folder holding package.json: found upward from this file (dist/ when bundled, src/runtime/ under tsx). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the latent-trace package folder above ${__dirname}`);
    dir = up;
  }
}

/**
 * The bundled LaRe model: $LATENT_TRACE_MODEL if set, else the first bundle under models/ with method "lare"
 * and an Extractor in the order of compareDefaultNames ("lare", then "lare-shapes", then the shortest name).
 */
export async function defaultModelDir(
  env: Record<string, string | undefined> = process.env, models = join(packageRoot(), 'models'),
): Promise<string> {
  if (env.LATENT_TRACE_MODEL) return env.LATENT_TRACE_MODEL;
  const candidates: string[] = [];
  for (const name of readdirSync(models).sort()) {
    const dir = join(models, name);
    if (!existsSync(join(dir, 'latent-trace.json'))) continue;
    try {
      const m = await readManifest(dir);
      if (m.method === 'lare' && m.extractor) candidates.push(name);
    } catch {
      // a broken bundle is not a default candidate; `latent-trace run --model` reports its error
    }
  }
  if (candidates.length === 0) throw new Error(`no LaRe bundle with an Extractor under ${models}; pass --model <bundle dir>`);
  candidates.sort(compareDefaultNames);
  return join(models, candidates[0]);
}

/** media/samples: the sample dataset written by training/data.py */
export function samplesDir(): string {
  return join(packageRoot(), 'media', 'samples');
}
