"""The LaRe extra file: the Extractor and U-Net of a LLaVA-style LaRe model, as one safetensors file.

No LaRe checkpoint is public, so these modules travel beside the Hugging Face checkpoint (contract in
training/README.md, "The LaRe extra file"): tensors `extractor.*` and `unet.*` named exactly as the
state_dict of training/model.py's `Extractor` and `UNet`, and a JSON object under the safetensors
`__metadata__` key `latent_trace_lare` with the sizes and the loop's defaults (LARE_FIELDS).
"""
import json

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from model import Config, Extractor, UNet

METADATA_KEY = "latent_trace_lare"
LARE_FIELDS = ("dim", "extractor_layers", "extractor_heads", "unet_channels", "window", "stride", "state_layers",
               "saliency_layers", "latent_steps", "max_latent_steps", "diffusion_steps", "beta_start", "beta_end",
               "sampler_steps", "clip_sample")


def lare_config(meta, patch):
    """model.Config for the Extractor/U-Net from the file's metadata; `patch` is the vision tower's patch side."""
    missing = [k for k in LARE_FIELDS if k not in meta]
    if missing:
        raise ValueError(f"metadata '{METADATA_KEY}' lacks {', '.join(missing)}")
    fields = {k: tuple(meta[k]) if isinstance(meta[k], list) else meta[k] for k in LARE_FIELDS}
    return Config(patch=patch, **fields)


def default_meta(d, layers):
    return {"dim": d, "extractor_layers": 2, "extractor_heads": 4, "unet_channels": [32, 64, 64], "window": 2,
            "stride": 1, "state_layers": list(range(1, layers + 1)), "saliency_layers": list(range(1, layers)),
            "latent_steps": 3, "max_latent_steps": 6, "diffusion_steps": 1000, "beta_start": 1e-4, "beta_end": 0.02,
            "sampler_steps": 20, "clip_sample": True}


def write_lare_extra(path, d, seed, dtype=torch.float32, layers=3, patch=14):
    """A seeded random extra file for a decoder of width d (for tests and the scale ladder)."""
    meta = default_meta(d, layers)
    cfg = lare_config(meta, patch)
    torch.manual_seed(seed + 2)
    extractor, unet = Extractor(cfg), UNet(cfg)
    tensors = {f"extractor.{k}": v.to(dtype).contiguous() for k, v in extractor.state_dict().items()}
    tensors.update({f"unet.{k}": v.to(dtype).contiguous() for k, v in unet.state_dict().items()})
    save_file(tensors, path, metadata={METADATA_KEY: json.dumps(meta)})


def load_lare_extra(path, d, patch):
    """(config, Extractor, UNet) in float32, or ValueError naming the file and the tensor that is wrong."""
    with safe_open(path, framework="pt") as f:
        meta_text = (f.metadata() or {}).get(METADATA_KEY)
        if meta_text is None:
            raise ValueError(f"{path}: no '{METADATA_KEY}' entry in the safetensors metadata")
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    try:
        cfg = lare_config(json.loads(meta_text), patch)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    if cfg.dim != d:
        raise ValueError(f"{path}: metadata dim {cfg.dim} but the decoder's hidden size is {d}")
    modules = {"extractor": Extractor(cfg), "unet": UNet(cfg)}
    for prefix, module in modules.items():
        expected = module.state_dict()
        for k, v in expected.items():
            name = f"{prefix}.{k}"
            if name not in tensors:
                raise ValueError(f"{path}: missing tensor {name} (expected shape {list(v.shape)})")
            if tuple(tensors[name].shape) != tuple(v.shape):
                raise ValueError(f"{path}: tensor {name} has shape {list(tensors[name].shape)}, "
                                 f"expected {list(v.shape)}")
        module.load_state_dict({k: tensors[f"{prefix}.{k}"].float() for k in expected})
        module.eval()
    unknown = sorted(k for k in tensors if not any(k.startswith(p + ".") for p in modules))
    if unknown:
        raise ValueError(f"{path}: unexpected tensor {unknown[0]}")
    return cfg, modules["extractor"], modules["unet"]
