/**
 * The runtime's own tensor: a typed array plus a shape. Everything outside onnx.ts sees only this,
 * so nothing else depends on onnxruntime's types.
 */

/** float32, int64, or float16 as its raw bits */
export type TensorData = Float32Array | BigInt64Array | Uint16Array;

export interface Tensor<D extends TensorData = TensorData> {
  readonly shape: readonly number[];
  readonly data: D;
}

/**
 * An output kept in onnxruntime's own form and fed back unchanged (the KV cache): nothing outside
 * onnx.ts looks inside, so its element type (float32 or float16) needs no conversion.
 */
export interface NativeTensor {
  readonly shape: readonly number[];
  readonly native: unknown;
}

export type GraphValueIn = Tensor | NativeTensor;

export function isNative(t: GraphValueIn): t is NativeTensor {
  return 'native' in t;
}

export type FloatTensor = Tensor<Float32Array>;
export type IntTensor = Tensor<BigInt64Array>;

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function floatTensor(data: Float32Array, shape: readonly number[]): FloatTensor {
  if (data.length !== sizeOf(shape)) {
    throw new RangeError(`tensor data has ${data.length} values but shape [${shape.join(',')}] needs ${sizeOf(shape)}`);
  }
  return { data, shape: [...shape] };
}

export function int64Tensor(ids: readonly number[], shape: readonly number[] = [1, ids.length]): IntTensor {
  if (ids.length !== sizeOf(shape)) {
    throw new RangeError(`tensor data has ${ids.length} values but shape [${shape.join(',')}] needs ${sizeOf(shape)}`);
  }
  return { data: BigInt64Array.from(ids, (v) => BigInt(v)), shape: [...shape] };
}

export function asFloat(t: Tensor, name: string): FloatTensor {
  if (!(t.data instanceof Float32Array)) throw new TypeError(`output "${name}" is not float32`);
  return t as FloatTensor;
}
