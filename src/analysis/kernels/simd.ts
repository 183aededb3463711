/**
 * The float64 SIMD kernels of simd.wat with the memory they work in. An Arena is one WebAssembly
 * memory holding named float64 arrays: each has a Float64Array view for ordinary reads and writes
 * and a byte pointer for the kernels. The memory is sized once and never grows, so views stay valid.
 */
import { SIMD_MODULE_BASE64 } from './simd-module';

interface KernelExports {
  dot(p: number, q: number, n: number): number;
  axpy(a: number, x: number, y: number, n: number): void;
  axpy4(a0: number, a1: number, a2: number, a3: number, x0: number, x1: number, x2: number, x3: number, y: number, n: number): void;
  dots2x4(xa: number, xb: number, w: number, dim: number, out: number): void;
}

export interface Block {
  view: Float64Array;
  /** byte offset of view[0] in the arena's memory */
  ptr: number;
}

export interface Arena<K extends string> extends KernelExports {
  blocks: Record<K, Block>;
}

let compiled: WebAssembly.Module | undefined;

function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    const bytes = Uint8Array.from(atob(SIMD_MODULE_BASE64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) throw new Error('this JavaScript engine lacks WebAssembly SIMD, which the probes need (Node.js 16.4 or later)');
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const PAGE = 65536;

/** An arena with one zeroed float64 array per entry of `lengths` (16-byte aligned for the vector loads) */
export function createArena<K extends string>(lengths: Record<K, number>): Arena<K> {
  const names = Object.keys(lengths) as K[];
  const offsets = {} as Record<K, number>;
  let bytes = 0;
  for (const name of names) {
    offsets[name] = bytes;
    bytes += Math.ceil((lengths[name] * 8) / 16) * 16;
  }
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const exports = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as KernelExports;
  const blocks = {} as Record<K, Block>;
  for (const name of names) blocks[name] = { view: new Float64Array(memory.buffer, offsets[name], lengths[name]), ptr: offsets[name] };
  return { blocks, dot: exports.dot, axpy: exports.axpy, axpy4: exports.axpy4, dots2x4: exports.dots2x4 };
}
