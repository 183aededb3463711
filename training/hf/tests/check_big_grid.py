"""The dynamic vision graph at the issue's size: a 92×52-patch image (46×26 = 1,196 visual tokens, many windows,
padded at the edges), in onnxruntime, against the reference and against Hugging Face's own vision tower.

  python training/hf/tests/check_big_grid.py <qwen2_5_vl checkpoint>     (exit 1 when over 1e-4)
"""
import os
import sys
import tempfile

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from hf.export_graphs import export_graph, graph_specs  # noqa: E402
from hf.families import load_model  # noqa: E402
from hf.qwen_vision import vision_indices  # noqa: E402

GRID = (92, 52)
TOL = 1e-4


def main(folder):
    m = load_model(folder, "qwen2_5_vl", "direct")
    spec = next(s for s in graph_specs(m, "fp32") if s.file == "vision.onnx")
    gh, gw = GRID
    pv = torch.randn(gh * gw, m.vision.c.patch_values, generator=torch.Generator().manual_seed(0))
    rot, wi, ws = vision_indices(m.vision.c, gh, gw)
    with tempfile.TemporaryDirectory() as d:
        export_graph(spec, d)
        sess = ort.InferenceSession(os.path.join(d, "vision.onnx"), providers=["CPUExecutionProvider"])
        got = sess.run(["visual_tokens"], {"pixel_values": pv.numpy(), "rotary_pos_ids": rot.numpy(),
                                           "window_index": wi.numpy(), "window_seq_ids": ws.numpy()})[0]
    with torch.no_grad():
        ref = m.vision(pv, rot, wi, ws).numpy()
        from transformers import Qwen2_5_VLForConditionalGeneration
        hf = Qwen2_5_VLForConditionalGeneration.from_pretrained(folder, attn_implementation="eager",
                                                                dtype=torch.float32).eval()
        want = hf.model.visual(pv, grid_thw=torch.tensor([[1, gh, gw]])).numpy()[None]
    n = gh * gw // 4
    errors = {"onnx vs reference": float(np.abs(got - ref).max()), "reference vs HF": float(np.abs(ref - want).max())}
    print(f"{gh}x{gw} patches, {n} visual tokens, shape {list(got.shape)}: "
          + ", ".join(f"{k} {v:.2e}" for k, v in errors.items()))
    if got.shape != (1, n, want.shape[-1]) or want.shape != got.shape or max(errors.values()) > TOL:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
