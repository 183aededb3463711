"""Hugging Face's own forward pass on one image and question, written as a fixture for the TypeScript parity test.

  python training/hf_oracle.py <hf-dir> --image <png> --question "…" --out <fixture.json>
         [--method lare|lvr|direct] [--pixel-values]

Runs `…ForConditionalGeneration` (eager attention, float32) on the checkpoint's own processor output, with the
prompt the bundle's runtime builds (docs/bundle-format.md, "Prompt, chat form": system message, user content
[image, text], generation prompt, then the method's suffix: `<|latent_start|>` for lare, `<|lvr_start|>` for lvr).

Fixture format (JSON, one object):
  format        "latent-trace-hf-oracle", version 1
  family        "llava" | "qwen2_5_vl";   method; question; image {file, width, height}; transformers (version)
  inputIds      int[S]: the prefill token ids, image placeholder expanded to the N visual positions
  imageTokenId  int;  visualPositions [first, count]: where the N visual tokens sit in inputIds
  grid          {rows, cols}: the visual-token grid (LLaVA: patches; Qwen2.5-VL: merged 2×2 units)
  imageGridThw  int[3] (Qwen2.5-VL only): the processor's (t, h, w) in patches
  positionIds   tensor int64 [3,S] (Qwen2.5-VL only): get_rope_index
  pixelValues   tensor float32 (only with --pixel-values): the processor's pixel_values
  logits        tensor float32 [S,V]: logits of every prefill position
  hiddenStates  tensor float32 [L+1,S,D]: output_hidden_states (0 = embeddings, last = after the final norm)
  attention     tensor float32 [L,S,S]: row i = position i's attention over positions 0..i, mean over heads
                (entries j > i are 0: causal)
A tensor is {"dtype": "float32"|"int64", "shape": [...], "data": "<base64 of the little-endian values, row-major>"}.
"""
import argparse
import base64
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf.families import image_token_id  # noqa: E402
from hf.hf_check import hf_forward, hf_inputs  # noqa: E402

SUFFIX = {"lare": ["<|latent_start|>"], "lvr": ["<|lvr_start|>"], "direct": []}


def tensor(a, dtype):
    a = np.ascontiguousarray(np.asarray(a), dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode("ascii")}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("--image", required=True)
    p.add_argument("--question", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--method", default="direct", choices=tuple(SUFFIX))
    p.add_argument("--pixel-values", action="store_true", help="also store the processor's pixel_values")
    a = p.parse_args(argv)
    import transformers
    from PIL import Image
    with open(os.path.join(a.checkpoint, "config.json")) as f:
        cfg = json.load(f)
    family = cfg.get("model_type")
    if family not in ("llava", "qwen2_5_vl"):
        raise SystemExit(f"{a.checkpoint}/config.json: model_type {family!r} is neither llava nor qwen2_5_vl")
    image = Image.open(a.image)
    image.load()
    inputs = hf_inputs(a.checkpoint, family, image, a.question, SUFFIX[a.method])
    logits, hidden, attn, pos = hf_forward(a.checkpoint, family, inputs)
    ids = inputs["input_ids"][0].tolist()
    image_id = image_token_id(cfg, family)
    where = [i for i, t in enumerate(ids) if t == image_id]
    out = {"format": "latent-trace-hf-oracle", "version": 1, "family": family, "method": a.method,
           "question": a.question, "transformers": transformers.__version__,
           "image": {"file": os.path.basename(a.image), "width": image.width, "height": image.height},
           "inputIds": ids, "imageTokenId": image_id, "visualPositions": [where[0], len(where)]}
    if family == "llava":
        vc = cfg.get("vision_config") or {}
        g = int(vc.get("image_size", 224)) // int(vc.get("patch_size", 14))
        out["grid"] = {"rows": g, "cols": g}
    else:
        t, gh, gw = (int(x) for x in inputs["image_grid_thw"][0])
        merge = int((cfg.get("vision_config") or {}).get("spatial_merge_size", 2))
        out["grid"] = {"rows": gh // merge, "cols": gw // merge}
        out["imageGridThw"] = [t, gh, gw]
        out["positionIds"] = tensor(pos[:, 0].numpy(), "int64")
    if out["grid"]["rows"] * out["grid"]["cols"] != len(where):
        raise SystemExit(f"{len(where)} visual positions but a {out['grid']['rows']}x{out['grid']['cols']} grid")
    if a.pixel_values:
        out["pixelValues"] = tensor(inputs["pixel_values"].numpy(), "float32")
    out["logits"] = tensor(logits.numpy(), "float32")
    out["hiddenStates"] = tensor(torch.stack(hidden).numpy(), "float32")
    out["attention"] = tensor(torch.stack([x.mean(0) for x in attn]).numpy(), "float32")
    tmp = a.out + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(tmp, "w") as f:
        json.dump(out, f)
    os.replace(tmp, a.out)
    print(f"{a.out}: {family}, {len(ids)} prefill tokens, grid {out['grid']['rows']}x{out['grid']['cols']}")


if __name__ == "__main__":
    main()
