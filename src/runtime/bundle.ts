/**
 * Loads and validates a model bundle folder (docs/bundle-format.md) without onnxruntime:
 * manifest fields, graph files and their declared inputs/outputs, the content hash, the tokenizer.
 * The extension uses `validateBundle` for pickers and workspace-trust checks.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
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
  /** graphs whose weights live in ONNX external data files */
  externalDataGraphs: GraphRole[];
  tokenizerPath: string;
  /** version 2 LVR: the latent-end embedding file */
  latentEndPath?: string;
  /** the decoder has the optional attention_heads output */
  decoderHeads: boolean;
}

export interface LoadedBundle extends ValidatedBundle {
  tokenizer: BundleTokenizer;
  /** [hiddenSize], when the manifest names one */
  latentEnd?: Float32Array;
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
  const root = await realBundleRoot(dir, manifestFile);
  const verify = options.verifyHash ?? true;
  const graphPaths: Partial<Record<GraphRole, string>> = {};
  const externalDataGraphs: GraphRole[] = [];
  const digests = new Map<string, string>();
  let decoderHeads = false;
  for (const [role, name] of Object.entries(manifest.graphs) as [GraphRole, string][]) {
    const field = `graphs.${role}`;
    const path = await insideBundle(root, dir, name, field, manifestFile);
    const bytes = await readBundleFile(path, field, manifestFile);
    let io;
    try {
      io = readGraphIO(bytes);
    } catch (err) {
      throw new BundleError(`${path}: not a readable ONNX model (${(err as Error).message})`);
    }
    checkGraphIO(role, path, io, manifest);
    if (role === 'decoder') decoderHeads = io.outputs.some((v) => v.name === 'attention_heads');
    graphPaths[role] = path;
    digests.set(bundleName(dir, path), sha256(bytes));
    if (io.externalData.length > 0) externalDataGraphs.push(role);
    // onnxruntime resolves external data next to the graph file
    for (const location of io.externalData) {
      const what = `external data "${location}" of ${field}`;
      if (isAbsolute(location)) throw new BundleError(`${path}: ${what} must be a path relative to the graph, inside the bundle folder`);
      const dataPath = await insideBundle(root, dir, join(dirname(name), location), what, path);
      const key = bundleName(dir, dataPath);
      if (!verify) await requireFile(dataPath, what, path);
      else if (!digests.has(key)) digests.set(key, await sha256File(dataPath, what, path));
    }
  }
  const tokenizerPath = await insideBundle(root, dir, manifest.tokenizer.file, 'tokenizer.file', manifestFile);
  digests.set(bundleName(dir, tokenizerPath), sha256(await readBundleFile(tokenizerPath, 'tokenizer.file', manifestFile)));
  let latentEndPath: string | undefined;
  const endFile = manifest.formatVersion === 2 ? manifest.lvr?.latentEndEmbedding : null;
  if (endFile) {
    latentEndPath = await insideBundle(root, dir, endFile, 'lvr.latentEndEmbedding', manifestFile);
    const bytes = await readBundleFile(latentEndPath, 'lvr.latentEndEmbedding', manifestFile);
    const D = manifest.model.hiddenSize;
    if (bytes.length !== 4 * D) {
      throw new BundleError(`${latentEndPath}: the latent-end embedding must hold model.hiddenSize = ${D} float32 values (${4 * D} bytes), found ${bytes.length} bytes`);
    }
    digests.set(bundleName(dir, latentEndPath), sha256(bytes));
  }
  if (verify) {
    const actual = contentHash([...digests].map(([name, digest]) => ({ name, digest })));
    if (actual !== manifest.hash) {
      throw new BundleError(`${manifestFile}: content hash mismatch: manifest says ${manifest.hash}, files give ${actual} (a graph, its external data, the tokenizer or the latent-end embedding changed after export)`);
    }
  }
  return { dir, manifest, graphPaths, externalDataGraphs, tokenizerPath, latentEndPath, decoderHeads };
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
  if (!bundle.latentEndPath) return { ...bundle, tokenizer };
  const bytes = await readFile(bundle.latentEndPath);
  const latentEnd = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < latentEnd.length; i++) latentEnd[i] = view.getFloat32(4 * i, true);
  if (latentEnd.some((v) => !Number.isFinite(v))) throw new BundleError(`${bundle.latentEndPath}: the latent-end embedding holds a non-finite value`);
  return { ...bundle, tokenizer, latentEnd };
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

/** The bundle folder's real path: file targets are checked against it, not against the lexical path. */
async function realBundleRoot(dir: string, manifestFile: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (err) {
    throw new BundleError(`${manifestFile}: cannot resolve the bundle folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/**
 * The path of `name` inside the bundle, refused when it leaves the folder lexically or, through a
 * symbolic link, really: a bundle must not make the runtime read files from elsewhere.
 */
async function insideBundle(root: string, dir: string, name: string, field: string, namedIn: string): Promise<string> {
  const path = join(dir, name);
  const rel = relative(dir, path);
  if (isAbsolute(name) || rel.startsWith('..') || isAbsolute(rel)) {
    const label = field.startsWith('external data') ? field : `field "${field}"`;
    throw new BundleError(`${namedIn}: ${label} must name a file inside the bundle folder, got ${JSON.stringify(name)}`);
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw new BundleError(`${path}: named by ${fieldLabel(field)} in ${namedIn} but missing (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const realRel = relative(root, real);
  if (realRel.startsWith('..') || isAbsolute(realRel)) {
    throw new BundleError(`${path}: named by ${fieldLabel(field)} in ${namedIn} is a link to ${real}, outside the bundle folder ${root}`);
  }
  return path;
}

function fieldLabel(field: string): string {
  return field.startsWith('external data') ? field : `"${field}"`;
}

/** the hash's file name: relative to the bundle folder, '/'-separated */
function bundleName(dir: string, path: string): string {
  return relative(dir, path).split(sep).join('/');
}

async function requireFile(path: string, what: string, namedIn: string): Promise<void> {
  const s = await stat(path).catch(() => undefined);
  if (!s?.isFile()) throw new BundleError(`${path}: ${what} in ${namedIn} is not a file`);
}

/** streamed: external data can be larger than one Buffer */
async function sha256File(path: string, what: string, namedIn: string): Promise<string> {
  await requireFile(path, what, namedIn);
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new BundleError(`${path}: cannot read ${what} in ${namedIn} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return hash.digest('hex');
}

async function readBundleFile(path: string, field: string, manifestFile: string): Promise<Buffer> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new BundleError(`${path}: named by ${fieldLabel(field)} in ${manifestFile} but it is not a file`);
    return await readFile(path);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(`${path}: named by ${fieldLabel(field)} in ${manifestFile} but missing (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
