"""Weight-only int8/4-bit copy of a format 2 bundle: onnxruntime's MatMulNBits on every constant-weight MatMul.

  training/.venv/bin/python training/quantize_bundle.py <bundle> --out <bundle-q4> [--bits 4|8] [--block-size 32]
         [--graphs decoder,vision]

The graphs named by --graphs (the manifest's graph keys) get their MatMul weights quantized blockwise along K
(symmetric, `block_size` values per scale) by onnxruntime.quantization's MatMulNBitsQuantizer; activations,
the KV cache and every graph input and output stay float32, so the runtime runs the copy unchanged. The
embedding table (a Gather) and the other graphs are copied as they are. The manifest records the quantization
in `description` and `provenance.metrics` (`weightBits`, `weightBlockSize`), the content hash is recomputed,
and the copy is written into a temporary folder beside --out and renamed into place.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import onnx
from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_hf import content_hash, replace_folder  # noqa: E402

# ONNX's single-file limit; larger quantized graphs keep their weights as external data
SINGLE_FILE_LIMIT = 2_000_000_000


class QuantizeError(Exception):
    pass


def graph_files(folder, name):
    """(graph file, its external data files) of one graph."""
    model = onnx.load(os.path.join(folder, name), load_external_data=False)
    data = {kv.value for t in model.graph.initializer for kv in t.external_data if kv.key == "location"}
    return [name, *sorted(data)]


def quantize_graph(src, dst_folder, name, bits, block_size):
    model = onnx.load(os.path.join(src, name))
    config = DefaultWeightOnlyQuantConfig(block_size=block_size, is_symmetric=True, bits=bits)
    # accuracy_level 4: int8 activations inside the kernel, the CPU's fast path for MatMulNBits
    q = MatMulNBitsQuantizer(model, bits=bits, block_size=block_size, is_symmetric=True, accuracy_level=4,
                             algo_config=config)
    q.process()
    out = q.model.model
    quantized = sum(1 for n in out.graph.node if n.op_type == "MatMulNBits")
    if quantized == 0:
        raise QuantizeError(f"{os.path.join(src, name)}: no MatMul with a constant weight to quantize")
    path = os.path.join(dst_folder, name)
    external = out.ByteSize() > SINGLE_FILE_LIMIT
    onnx.save_model(out, path, save_as_external_data=external, all_tensors_to_one_file=True,
                    location=name + ".data" if external else None)
    return quantized, [name] + ([name + ".data"] if external else [])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bundle")
    p.add_argument("--out", required=True)
    p.add_argument("--bits", type=int, default=4, choices=(4, 8))
    p.add_argument("--block-size", type=int, default=32)
    p.add_argument("--graphs", default="decoder,vision", help="manifest graph keys to quantize")
    a = p.parse_args(argv)
    t0 = time.time()
    manifest_path = os.path.join(a.bundle, "latent-trace.json")
    try:
        with open(manifest_path, encoding="utf-8") as f:
            man = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"quantize_bundle: {manifest_path}: {e}", file=sys.stderr)
        return 1
    if man.get("formatVersion") != 2:
        print(f"quantize_bundle: {manifest_path}: formatVersion {man.get('formatVersion')}, expected 2", file=sys.stderr)
        return 1
    wanted = [g for g in a.graphs.split(",") if g]
    missing = [g for g in wanted if g not in man["graphs"]]
    if missing:
        print(f"quantize_bundle: {manifest_path}: no graph {missing[0]!r} (has {', '.join(man['graphs'])})",
              file=sys.stderr)
        return 1
    out = os.path.abspath(a.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="." + os.path.basename(out) + ".tmp-", dir=os.path.dirname(out))
    os.chmod(tmp, 0o755)
    try:
        hashed, counts = [], {}
        for key, name in man["graphs"].items():
            if key in wanted:
                counts[key], files = quantize_graph(a.bundle, tmp, name, a.bits, a.block_size)
            else:
                files = graph_files(a.bundle, name)
                for f in files:
                    shutil.copyfile(os.path.join(a.bundle, f), os.path.join(tmp, f))
            hashed += files
        extras = [man["tokenizer"]["file"]]
        if (man.get("lvr") or {}).get("latentEndEmbedding"):
            extras.append(man["lvr"]["latentEndEmbedding"])
        for f in extras:
            shutil.copyfile(os.path.join(a.bundle, f), os.path.join(tmp, f))
        hashed += extras
        man["name"] = os.path.basename(out)
        man["description"] += (f"; weight-only int{a.bits} (MatMulNBits, block {a.block_size}, symmetric) in "
                               + ", ".join(f"{k} ({counts[k]} MatMuls)" for k in wanted))
        man["provenance"]["metrics"].update(weightBits=a.bits, weightBlockSize=a.block_size,
                                            quantizeSeconds=round(time.time() - t0, 2))
        man["hash"] = content_hash(tmp, hashed)
        with open(os.path.join(tmp, "latent-trace.json"), "w", encoding="utf-8") as f:
            json.dump(man, f, indent=2)
        replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"wrote {a.out} (int{a.bits}, block {a.block_size}: " +
          ", ".join(f"{k} {n} MatMuls" for k, n in counts.items()) + f", {time.time() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
