/**
 * The graph I/O contract of docs/bundle-format.md as data, and the check of a graph's declared
 * inputs/outputs against it. Pure: the caller supplies the parsed GraphIO.
 */
import { kvHeadsOf, type BundleManifest, type GraphFiles } from '../shared/bundle';
import { elemTypeName, type GraphIO, type GraphValue } from './onnx-graph-io';
import { BundleError } from './manifest-schema';

export type GraphRole = keyof GraphFiles;

interface Expected {
  name: string;
  elemType: number;
  /** expected size per axis; null = free (batch, sequence, past length) */
  dims: (number | null)[];
}

const F32 = 1;
const I64 = 7;
const F16 = 10;

export function expectedIO(role: GraphRole, m: BundleManifest): { inputs: Expected[]; outputs: Expected[] } {
  const { hiddenSize: D, layers: L, headDim: Dh, vocabSize: V } = m.model;
  const Hkv = kvHeadsOf(m);
  const v2 = m.formatVersion === 2;
  const w = m.window?.size ?? null;
  const rec = m.reconstruction;
  switch (role) {
    case 'vision':
      return visionIO(m);
    case 'embed':
      return {
        inputs: [{ name: 'input_ids', elemType: I64, dims: [null, null] }],
        outputs: [{ name: 'embeddings', elemType: F32, dims: [null, null, D] }],
      };
    case 'decoder': {
      const kv = v2 && m.model.kvDtype === 'float16' ? F16 : F32;
      const inputs: Expected[] = [
        { name: 'inputs_embeds', elemType: F32, dims: [1, null, D] },
        { name: 'past_keys', elemType: kv, dims: [L, 1, Hkv, null, Dh] },
        { name: 'past_values', elemType: kv, dims: [L, 1, Hkv, null, Dh] },
      ];
      if (v2 && m.model.positions === 'mrope') inputs.push({ name: 'position_ids', elemType: I64, dims: [3, 1, null] });
      return {
        inputs,
        outputs: [
          // version 2 returns the newest position only: a 150k vocabulary over a long prefill would not fit
          { name: 'logits', elemType: F32, dims: v2 ? [1, V] : [1, null, V] },
          { name: 'last_hidden', elemType: F32, dims: [1, null, D] },
          { name: 'hidden_states', elemType: F32, dims: v2 ? [L + 1, 1, D] : [L + 1, 1, null, D] },
          { name: 'attention', elemType: F32, dims: [L, 1, null] },
          { name: 'present_keys', elemType: kv, dims: [L, 1, Hkv, null, Dh] },
          { name: 'present_values', elemType: kv, dims: [L, 1, Hkv, null, Dh] },
        ],
      };
    }
    case 'extractor':
      return {
        inputs: [
          { name: 'latent_state', elemType: F32, dims: [1, m.extractor?.stateLayers.length ?? null, D] },
          // version 2 windows read local_features of the vision tower's own width Dl
          { name: 'window_features', elemType: F32, dims: [1, w === null ? null : w * w, v2 ? null : D] },
        ],
        outputs: [
          { name: 'latent_token', elemType: F32, dims: [1, D] },
          { name: 'cross_attention', elemType: F32, dims: [1, m.extractor?.layers ?? null, w === null ? null : w * w] },
        ],
      };
    case 'unet': {
      const c = rec?.channels ?? null;
      const s = rec?.size ?? null;
      return {
        inputs: [
          { name: 'sample', elemType: F32, dims: [null, c, s, s] },
          { name: 'timestep', elemType: F32, dims: [null] },
          { name: 'condition', elemType: F32, dims: [null, 1, D] },
        ],
        outputs: [{ name: 'noise_pred', elemType: F32, dims: [null, c, s, s] }],
      };
    }
    case 'lvrHead':
      return {
        inputs: [{ name: 'hidden', elemType: F32, dims: [1, null, D] }],
        outputs: [{ name: 'projected', elemType: F32, dims: [1, null, D] }],
      };
  }
}

function visionIO(m: BundleManifest): { inputs: Expected[]; outputs: Expected[] } {
  const D = m.model.hiddenSize;
  if (m.formatVersion === 1) {
    const { size } = m.image;
    const N = m.model.visualTokens;
    return {
      inputs: [{ name: 'pixels', elemType: F32, dims: [null, 3, size, size] }],
      outputs: [
        { name: 'visual_tokens', elemType: F32, dims: [null, N, D] },
        { name: 'local_features', elemType: F32, dims: [null, N, D] },
      ],
    };
  }
  const image = m.image;
  if (image.kind === 'fixed') {
    const N = image.grid.rows * image.grid.cols;
    return {
      inputs: [{ name: 'pixels', elemType: F32, dims: [1, 3, image.height, image.width] }],
      outputs: [
        { name: 'visual_tokens', elemType: F32, dims: [1, N, D] },
        { name: 'local_features', elemType: F32, dims: [1, N, null] },
      ],
    };
  }
  const patchDim = 3 * image.temporalPatchSize * image.patchSize * image.patchSize;
  return {
    inputs: [
      { name: 'pixel_values', elemType: F32, dims: [null, patchDim] },
      { name: 'rotary_pos_ids', elemType: I64, dims: [null, 2] },
      { name: 'window_index', elemType: I64, dims: [null] },
      { name: 'window_seq_ids', elemType: I64, dims: [null] },
    ],
    outputs: [
      { name: 'visual_tokens', elemType: F32, dims: [1, null, D] },
      { name: 'local_features', elemType: F32, dims: [1, null, null] },
    ],
  };
}

/** Throws a BundleError naming the graph file and the first mismatch. */
export function checkGraphIO(role: GraphRole, file: string, io: GraphIO, m: BundleManifest): void {
  const want = expectedIO(role, m);
  const inputNames = io.inputs.map((v) => v.name).sort();
  const wantNames = want.inputs.map((v) => v.name).sort();
  if (inputNames.join(',') !== wantNames.join(',')) {
    throw new BundleError(`${file}: ${role} graph inputs must be [${wantNames.join(', ')}], found [${inputNames.join(', ')}]`);
  }
  for (const e of want.inputs) compare(role, file, 'input', io.inputs.find((v) => v.name === e.name)!, e);
  for (const e of want.outputs) {
    const got = io.outputs.find((v) => v.name === e.name);
    if (!got) {
      throw new BundleError(`${file}: ${role} graph has no output "${e.name}" (outputs: ${io.outputs.map((v) => v.name).join(', ')})`);
    }
    compare(role, file, 'output', got, e);
  }
}

function compare(role: string, file: string, kind: string, got: GraphValue, e: Expected): void {
  if (got.elemType !== 0 && got.elemType !== e.elemType) {
    throw new BundleError(`${file}: ${role} ${kind} "${e.name}" must be ${elemTypeName(e.elemType)}, found ${elemTypeName(got.elemType)}`);
  }
  if (got.dims.length === 0) return; // shape not declared in the graph
  if (got.dims.length !== e.dims.length) {
    throw new BundleError(`${file}: ${role} ${kind} "${e.name}" must have rank ${e.dims.length}, found rank ${got.dims.length} [${got.dims.join(',')}]`);
  }
  e.dims.forEach((want, i) => {
    const d = got.dims[i];
    if (want !== null && typeof d === 'number' && d !== want) {
      throw new BundleError(`${file}: ${role} ${kind} "${e.name}" axis ${i} must be ${want} (from the manifest), found ${d}`);
    }
  });
}
