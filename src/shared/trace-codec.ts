/**
 * Trace <-> JSON text (docs/trace-format.md). Every Float32Array becomes
 * `{ "dtype": "float32", "shape": [...], "data": "<base64 of little-endian float32>" }`, so a trace
 * round-trips bit for bit. Pure (no node:*): the webview decodes traces with it too.
 */
import type { Trace } from './trace';

export interface EncodedTensor {
  dtype: 'float32';
  shape: number[];
  data: string;
}

export class TraceFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFormatError';
  }
}

/**
 * The largest trace file read (256 MiB): a trace of real size is a few MB, and the text of a bigger
 * file is near what one JavaScript string can hold, so it is refused by size before it is read.
 */
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;

/** Nesting a trace never comes near; deeper JSON is refused instead of overflowing the call stack. */
export const MAX_TRACE_DEPTH = 64;

/** The message for a trace file of `bytes` bytes that is too large to read, or undefined. */
export function traceSizeProblem(bytes: number): string | undefined {
  if (bytes <= MAX_TRACE_BYTES) return undefined;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
  return `the file is ${mb(bytes)}, more than the ${mb(MAX_TRACE_BYTES)} a trace may be`;
}

export function encodeTrace(trace: Trace): string {
  return JSON.stringify(encodeValue(trace, '', shapeHints(trace)));
}

export function decodeTrace(text: string): Trace {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TraceFormatError(`not valid JSON (${(err as Error).message})`);
  }
  const value = decodeValue(raw, '', 0);
  checkTrace(value);
  return value as Trace;
}

export function encodeTensor(data: Float32Array, shape: number[] = [data.length]): EncodedTensor {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) shape = [data.length];
  return { dtype: 'float32', shape, data: float32ToBase64(data) };
}

export function decodeTensor(t: EncodedTensor, path = 'tensor'): Float32Array {
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TraceFormatError(`${path}: shape must be an array of non-negative integers`);
  }
  if (typeof t.data !== 'string') throw new TraceFormatError(`${path}: data must be a base64 string`);
  const out = base64ToFloat32(t.data, path);
  const want = t.shape.reduce((a, b) => a * b, 1);
  if (out.length !== want) throw new TraceFormatError(`${path}: shape [${t.shape.join(',')}] needs ${want} values, data has ${out.length}`);
  return out;
}

function isEncodedTensor(v: unknown): v is EncodedTensor {
  return typeof v === 'object' && v !== null && (v as EncodedTensor).dtype === 'float32' && 'shape' in v && 'data' in v;
}

/** Shapes for the tensors whose layout the trace knows, keyed by JSON path; others are written flat. */
function shapeHints(t: Trace): Map<string, number[]> {
  const hints = new Map<string, number[]>();
  const { rows, cols } = t.input.grid;
  const N = rows * cols;
  const D = t.model.hiddenSize;
  t.steps.forEach((s, i) => {
    hints.set(`steps.${i}.saliency`, [rows, cols]);
    hints.set(`steps.${i}.visualSimilarity`, [rows, cols]);
    hints.set(`steps.${i}.latentToken`, [D]);
    if (s.extractorAttention && s.window) {
      const w2 = s.window.size * s.window.size;
      hints.set(`steps.${i}.extractorAttention`, [s.extractorAttention.length / w2, s.window.size, s.window.size]);
    }
  });
  hints.set('firstAnswerAttention.perLayer', [t.model.layers, rows, cols]);
  hints.set('firstAnswerAttention.mean', [rows, cols]);
  hints.set('visualTokens', [N, D]);
  const ha = t.headAttention;
  if (ha) hints.set('headAttention.rows', [ha.sources.length, ha.layers, ha.heads, ha.positions]);
  const r = t.reconstructions;
  if (r) hints.set('reconstructions.pixels', [r.pixels.length / (r.channels * r.size * r.size), r.channels, r.size, r.size]);
  return hints;
}

function encodeValue(v: unknown, path: string, hints: Map<string, number[]>): unknown {
  if (v instanceof Float32Array) return encodeTensor(v, hints.get(path));
  if (ArrayBuffer.isView(v)) throw new TraceFormatError(`${path}: only Float32Array tensors can be stored`);
  if (Array.isArray(v)) return v.map((x, i) => encodeValue(x, join(path, String(i)), hints));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(x, join(path, k), hints);
    return out;
  }
  return v;
}

function decodeValue(v: unknown, path: string, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (depth >= MAX_TRACE_DEPTH) throw new TraceFormatError(`field "${path.split('.')[0]}" is nested deeper than ${MAX_TRACE_DEPTH} levels`);
  if (isEncodedTensor(v)) return decodeTensor(v, path || 'tensor');
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, join(path, String(i)), depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = decodeValue(x, join(path, k), depth + 1);
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function checkTrace(v: unknown): void {
  const t = v as Record<string, unknown>;
  if (typeof t !== 'object' || t === null) throw new TraceFormatError('the file does not hold an object');
  if (t.format !== 'latent-trace/trace') throw new TraceFormatError(`field "format" must be "latent-trace/trace", got ${JSON.stringify(t.format)}`);
  if (t.version !== 1) throw new TraceFormatError(`field "version" must be 1, got ${JSON.stringify(t.version)}`);
  for (const k of ['model', 'input', 'settings', 'answer', 'tokens', 'firstAnswerAttention', 'timingsMs']) {
    if (typeof t[k] !== 'object' || t[k] === null) throw new TraceFormatError(`field "${k}" must be an object`);
  }
  if (!Array.isArray(t.steps)) throw new TraceFormatError('field "steps" must be an array');
  t.steps.forEach((s: Record<string, unknown>, i: number) => {
    for (const k of ['saliency', 'latentToken', 'visualSimilarity']) {
      if (!(s?.[k] instanceof Float32Array)) throw new TraceFormatError(`field "steps.${i}.${k}" must be a float32 tensor`);
    }
  });
  const faa = t.firstAnswerAttention as Record<string, unknown>;
  if (!(faa.perLayer instanceof Float32Array) || !(faa.mean instanceof Float32Array)) {
    throw new TraceFormatError('field "firstAnswerAttention" must hold float32 tensors "perLayer" and "mean"');
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function float32ToBase64(data: Float32Array): string {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return bytesToBase64(bytes);
}

export function base64ToFloat32(text: string, path = 'tensor'): Float32Array {
  const bytes = base64ToBytes(text, path);
  if (bytes.length % 4 !== 0) throw new TraceFormatError(`${path}: ${bytes.length} bytes is not a whole number of float32 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    chunk += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  parts.push(chunk);
  return parts.join('');
}

export function base64ToBytes(text: string, path = 'tensor'): Uint8Array {
  if (text.length % 4 !== 0) throw new TraceFormatError(`${path}: base64 length ${text.length} is not a multiple of 4`);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const ch = text.charCodeAt(i + k);
      const isPad = ch === 61 && i + k >= text.length - pad;
      const d = isPad ? 0 : ch < 128 ? LOOKUP[ch] : -1;
      if (d < 0) throw new TraceFormatError(`${path}: invalid base64 character at ${i + k}`);
      n = (n << 6) | d;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
