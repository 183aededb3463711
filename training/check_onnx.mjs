// Runs every graph of a bundle in onnxruntime-node on the inputs training/export.py recorded and
// compares with PyTorch's outputs (shape first, then max abs <= tolerance); also checks that tokenizer.json
// tokenizes like training/data.py. Usage: node training/check_onnx.mjs <bundle folder> <cases.json>
// Prints one JSON line {"ok", "maxAbs": {graph: value}, "failures": [...]}; exits 1 on any failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { Tokenizer } = require('@huggingface/tokenizers');

const [folder, casesPath] = process.argv.slice(2);
if (!folder || !casesPath) {
  console.error('usage: node training/check_onnx.mjs <bundle folder> <cases.json>');
  process.exit(2);
}
const payload = JSON.parse(readFileSync(casesPath, 'utf8'));
const failures = [];
const maxAbs = {};
const sessions = new Map();

function toTensor(t) {
  if (t.dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.shape);
  return new ort.Tensor('float32', Float32Array.from(t.data), t.shape);
}

for (const c of payload.cases) {
  if (!sessions.has(c.graph)) {
    sessions.set(c.graph, await ort.InferenceSession.create(join(folder, c.graph), {
      intraOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } },
    }));
  }
  const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, toTensor(v)]));
  const got = await sessions.get(c.graph).run(feeds);
  for (const [name, want] of Object.entries(c.outputs)) {
    const out = got[name];
    if (!out) { failures.push(`${c.graph}: missing output ${name}`); continue; }
    if (JSON.stringify(out.dims) !== JSON.stringify(want.shape)) {
      failures.push(`${c.graph}: ${name} shape ${JSON.stringify(out.dims)} != ${JSON.stringify(want.shape)}`);
      continue;
    }
    let m = 0;
    for (let i = 0; i < want.data.length; i++) m = Math.max(m, Math.abs(out.data[i] - want.data[i]));
    const key = `${c.graph}:${name}`;
    maxAbs[key] = Math.max(maxAbs[key] ?? 0, m);
    if (!(m <= payload.tolerance)) failures.push(`${key}: max abs ${m} > ${payload.tolerance}`);
  }
}
for (const s of sessions.values()) await s.release();

if (payload.tokenizer) {
  const tok = new Tokenizer(JSON.parse(readFileSync(join(folder, 'tokenizer.json'), 'utf8')), {});
  const ids = tok.encode(payload.tokenizer.text, { add_special_tokens: false }).ids;
  if (JSON.stringify(ids) !== JSON.stringify(payload.tokenizer.ids)) {
    failures.push(`tokenizer: ${JSON.stringify(ids)} != ${JSON.stringify(payload.tokenizer.ids)}`);
  }
}
console.log(JSON.stringify({ ok: failures.length === 0, maxAbs, failures }));
process.exit(failures.length === 0 ? 0 : 1);
