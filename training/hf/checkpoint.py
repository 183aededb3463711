"""Reading a Hugging Face checkpoint folder by parameter name, without `transformers`.

config.json, and model.safetensors or a sharded model.safetensors.index.json, in bf16, fp16 or fp32. Keys are
mapped from either layout (the Hub's legacy `vision_tower.*`/`visual.*`/`language_model.model.*`/`model.layers.*`
or the current `model.vision_tower.*`/`model.visual.*`/`model.language_model.*`) onto one canonical set:
`vision.*`, `projector.*`, `text.*`, `lm_head.*`, and LVR's `lvr_head.*` and `lvr_latent_end_emb`.
Every tensor is taken with the shape the architecture expects, so a wrong checkpoint fails on the first
tensor that does not fit, with its name, instead of somewhere inside a matmul.
"""
import json
import os

from safetensors import safe_open


class CheckpointError(ValueError):
    """The checkpoint does not fit the architecture; the message names the file and the tensor."""


# (prefix in the checkpoint, canonical prefix); the first match wins, so longer prefixes come first.
KEY_LAYOUTS = {
    "llava": [
        ("model.vision_tower.vision_model.", "vision."), ("vision_tower.vision_model.", "vision."),
        ("model.multi_modal_projector.", "projector."), ("multi_modal_projector.", "projector."),
        ("model.language_model.", "text."), ("language_model.model.", "text."),
        ("language_model.lm_head.", "lm_head."), ("lm_head.", "lm_head."),
    ],
    "qwen2_5_vl": [
        ("model.visual.", "vision."), ("visual.", "vision."),
        ("model.language_model.", "text."), ("model.", "text."),
        ("lm_head.", "lm_head."), ("lvr_head.", "lvr_head."), ("lvr_latent_end_emb", "lvr_latent_end_emb"),
    ],
}


def canonical_name(family, key):
    for prefix, canon in KEY_LAYOUTS[family]:
        if key.startswith(prefix):
            return canon + key[len(prefix):]
    return None


def read_config(folder):
    path = os.path.join(folder, "config.json")
    if not os.path.isfile(path):
        raise CheckpointError(f"{folder}: no config.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}: not valid JSON ({e})") from None


def weight_files(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.isfile(index):
        with open(index, encoding="utf-8") as f:
            weight_map = json.load(f).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise CheckpointError(f"{index}: no weight_map")
        return sorted(set(weight_map.values()))
    if os.path.isfile(os.path.join(folder, "model.safetensors")):
        return ["model.safetensors"]
    raise CheckpointError(f"{folder}: neither model.safetensors nor model.safetensors.index.json")


class Checkpoint:
    """The tensors of one checkpoint under canonical names, read lazily and returned as float32."""

    def __init__(self, folder, family):
        self.folder = folder
        self.family = family
        self.config = read_config(folder)
        self._where = {}
        for name in weight_files(folder):
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                raise CheckpointError(f"{path}: listed in the shard index but missing")
            with safe_open(path, framework="pt") as f:
                for key in f.keys():
                    canon = canonical_name(family, key)
                    if canon is not None:
                        self._where[canon] = (path, key)
        self.used = set()

    def has(self, name):
        return name in self._where

    def take(self, name, shape):
        """The tensor `name` (canonical) as float32, which must have exactly `shape`."""
        if name not in self._where:
            raise CheckpointError(f"{self.folder}: missing tensor {self._display(name)} "
                                  f"(expected shape {list(shape)})")
        path, key = self._where[name]
        with safe_open(path, framework="pt") as f:
            t = f.get_tensor(key)
        if tuple(t.shape) != tuple(shape):
            raise CheckpointError(f"{path}: tensor {key} has shape {list(t.shape)}, expected {list(shape)}")
        if not t.is_floating_point():
            raise CheckpointError(f"{path}: tensor {key} has dtype {t.dtype}, expected a float type")
        self.used.add(name)
        return t.float()

    def _display(self, name):
        """The name in the checkpoint's own layout where known (a missing tensor has no key to show)."""
        for prefix, canon in KEY_LAYOUTS[self.family]:
            if name.startswith(canon):
                for other in self._where.values():
                    if other[1].startswith(prefix):
                        return prefix + name[len(canon):]
        return name

    def unused(self):
        return sorted(self._where[n][1] for n in self._where if n not in self.used)
