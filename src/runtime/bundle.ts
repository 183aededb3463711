/**
 * Loads and validates a model bundle folder (docs/bundle-format.md) without onnxruntime:
 * manifest fields, graph files and their declared inputs/outputs, the content hash, the tokenizer.
 * The extension uses `validateBundle` for pickers and workspace-trust checks.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import type { BundleManifest } from '../shared/bundle';
import { checkGraphIO, type GraphRole } from './graph-contract';
import { BundleError, validateManifest } from './manifest-schema';
import { readGraphIO } from './onnx-graph-io';
import { createTokenizer, type BundleTokenizer } from './tokenizer';

export { BundleError } from './manifest-schema';

export const MANIFEST_FILE = 'latent-trace.json';

export interface ValidatedBundle {
  dir: string;
  manifest: BundleManifest;
  /** absolute paths of the graphs named in the manifest */
  graphPaths: Partial<Record<GraphRole, string>>;
  tokenizerPath: string;
}

export interface LoadedBundle extends ValidatedBundle {
  tokenizer: BundleTokenizer;
}

export interface ValidateOptions {
  /** recompute the content hash (reads every graph; default true) */
  verifyHash?: boolean;
}

export async function readManifest(dir: string): Promise<BundleManifest> {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BundleError(`${file}: cannot read the bundle manifest (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BundleError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateManifest(raw, file);
}

/** Full validation of a bundle folder; throws BundleError naming the file and the problem. */
export async function validateBundle(dir: string, options: ValidateOptions = {}): Promise<ValidatedBundle> {
  const manifest = await readManifest(dir);
  const manifestFile = join(dir, MANIFEST_FILE);
  const graphPaths: Partial<Record<GraphRole, string>> = {};
  const fileDigests: { name: string; digest: string }[] = [];
  for (const [role, name] of Object.entries(manifest.graphs) as [GraphRole, string][]) {
    const path = insideBundle(dir, name, `graphs.${role}`, manifestFile);
    const bytes = await readBundleFile(path, `graphs.${role}`, manifestFile);
    let io;
    try {
      io = readGraphIO(bytes);
    } catch (err) {
      throw new BundleError(`${path}: not a readable ONNX model (${(err as Error).message})`);
    }
    checkGraphIO(role, path, io, manifest);
    graphPaths[role] = path;
    fileDigests.push({ name, digest: sha256(bytes) });
  }
  const tokenizerPath = insideBundle(dir, manifest.tokenizer.file, 'tokenizer.file', manifestFile);
  const tokBytes = await readBundleFile(tokenizerPath, 'tokenizer.file', manifestFile);
  fileDigests.push({ name: manifest.tokenizer.file, digest: sha256(tokBytes) });
  if (options.verifyHash ?? true) {
    const actual = contentHash(fileDigests);
    if (actual !== manifest.hash) {
      throw new BundleError(`${manifestFile}: content hash mismatch: manifest says ${manifest.hash}, files give ${actual} (a graph or the tokenizer changed after export)`);
    }
  }
  return { dir, manifest, graphPaths, tokenizerPath };
}

/** validateBundle plus the tokenizer. */
export async function loadBundle(dir: string, options: ValidateOptions = {}): Promise<LoadedBundle> {
  const bundle = await validateBundle(dir, options);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(bundle.tokenizerPath, 'utf8'));
  } catch (err) {
    throw new BundleError(`${bundle.tokenizerPath}: not valid JSON (${(err as Error).message})`);
  }
  const tokenizer = createTokenizer(json, bundle.tokenizerPath, bundle.manifest.tokenizer.special);
  return { ...bundle, tokenizer };
}

/** "sha256:" + sha256 over `<name>\n<hex digest>\n` for each file, sorted by name (docs/bundle-format.md). */
export function contentHash(files: { name: string; digest: string }[]): string {
  const text = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.name}\n${f.digest}\n`).join('');
  return `sha256:${sha256(Buffer.from(text, 'utf8'))}`;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function insideBundle(dir: string, name: string, field: string, manifestFile: string): string {
  const path = join(dir, name);
  const rel = relative(dir, path);
  if (isAbsolute(name) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new BundleError(`${manifestFile}: field "${field}" must name a file inside the bundle folder, got ${JSON.stringify(name)}`);
  }
  return path;
}

async function readBundleFile(path: string, field: string, manifestFile: string): Promise<Buffer> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new BundleError(`${path}: named by "${field}" in ${manifestFile} but it is not a file`);
    return await readFile(path);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(`${path}: named by "${field}" in ${manifestFile} but missing (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
