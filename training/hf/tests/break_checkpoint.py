"""Copies a checkpoint folder with one defect, for the converter's refusal tests (training/hf_smoke.sh).

  python training/hf/tests/break_checkpoint.py <src> <dst> missing|shape|model-type <tensor key>

missing: the tensor is removed; shape: its first axis loses one row; model-type: config.json says another model.
"""
import json
import os
import shutil
import sys

from safetensors.torch import load_file, save_file


def main(src, dst, defect, key):
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    if defect == "model-type":
        path = os.path.join(dst, "config.json")
        with open(path) as f:
            cfg = json.load(f)
        cfg["model_type"] = key
        with open(path, "w") as f:
            json.dump(cfg, f, indent=2)
        return
    index = os.path.join(dst, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            name = json.load(f)["weight_map"][key]
    else:
        name = "model.safetensors"
    path = os.path.join(dst, name)
    tensors = load_file(path)
    if key not in tensors:
        raise SystemExit(f"{path}: no tensor {key}")
    if defect == "missing":
        del tensors[key]
    elif defect == "shape":
        tensors[key] = tensors[key][:-1].contiguous()
    else:
        raise SystemExit(f"unknown defect {defect}")
    save_file(tensors, path, metadata={"format": "pt"})


if __name__ == "__main__":
    main(*sys.argv[1:5])
