"""Checkpoint reading: both key layouts, shards, dtypes, and the errors that name the tensor."""
import json
import os
import tempfile
import unittest

import torch
from safetensors.torch import save_file

from hf.checkpoint import Checkpoint, CheckpointError, canonical_name


class CanonicalNameTest(unittest.TestCase):
    def test_both_layouts_map_to_one_name(self):
        pairs = {
            "llava": [("vision_tower.vision_model.pre_layrnorm.weight", "model.vision_tower.vision_model.pre_layrnorm.weight",
                       "vision.pre_layrnorm.weight"),
                      ("multi_modal_projector.linear_1.bias", "model.multi_modal_projector.linear_1.bias",
                       "projector.linear_1.bias"),
                      ("language_model.model.layers.3.mlp.up_proj.weight", "model.language_model.layers.3.mlp.up_proj.weight",
                       "text.layers.3.mlp.up_proj.weight"),
                      ("language_model.lm_head.weight", "lm_head.weight", "lm_head.weight")],
            "qwen2_5_vl": [("visual.merger.mlp.0.weight", "model.visual.merger.mlp.0.weight", "vision.merger.mlp.0.weight"),
                           ("model.layers.0.self_attn.q_proj.bias", "model.language_model.layers.0.self_attn.q_proj.bias",
                            "text.layers.0.self_attn.q_proj.bias"),
                           ("model.embed_tokens.weight", "model.language_model.embed_tokens.weight",
                            "text.embed_tokens.weight"),
                           ("lvr_latent_end_emb", "lvr_latent_end_emb", "lvr_latent_end_emb")],
        }
        for family, rows in pairs.items():
            for legacy, current, canon in rows:
                self.assertEqual(canonical_name(family, legacy), canon)
                self.assertEqual(canonical_name(family, current), canon)
        self.assertIsNone(canonical_name("llava", "something.else"))


class CheckpointTest(unittest.TestCase):
    def folder(self, shards, config=None):
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: __import__("shutil").rmtree(d))
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config or {"model_type": "qwen2_5_vl"}, f)
        if len(shards) == 1:
            save_file(shards[0], os.path.join(d, "model.safetensors"))
        else:
            weight_map = {}
            for i, tensors in enumerate(shards):
                name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
                save_file(tensors, os.path.join(d, name))
                weight_map.update({k: name for k in tensors})
            with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
                json.dump({"metadata": {}, "weight_map": weight_map}, f)
        return d

    def test_shards_and_dtypes_read_as_float32(self):
        a = torch.arange(6, dtype=torch.float32).view(2, 3) / 7
        d = self.folder([{"model.norm.weight": a.to(torch.bfloat16)},
                         {"visual.patch_embed.proj.weight": a.to(torch.float16)}])
        ck = Checkpoint(d, "qwen2_5_vl")
        got = ck.take("text.norm.weight", (2, 3))
        self.assertEqual(got.dtype, torch.float32)
        torch.testing.assert_close(got, a.to(torch.bfloat16).float(), atol=0, rtol=0)
        torch.testing.assert_close(ck.take("vision.patch_embed.proj.weight", (2, 3)), a.half().float(), atol=0, rtol=0)
        self.assertEqual(ck.unused(), [])

    def test_missing_and_misshaped_tensors_are_named(self):
        d = self.folder([{"model.language_model.norm.weight": torch.ones(4)}])
        ck = Checkpoint(d, "qwen2_5_vl")
        with self.assertRaisesRegex(CheckpointError, r"tensor model.language_model.norm.weight has shape \[4\], "
                                                     r"expected \[5\]"):
            ck.take("text.norm.weight", (5,))
        with self.assertRaisesRegex(CheckpointError, r"missing tensor model.language_model.layers.0.mlp.up_proj.weight "
                                                     r"\(expected shape \[8, 4\]\)"):
            ck.take("text.layers.0.mlp.up_proj.weight", (8, 4))

    def test_missing_files_are_named(self):
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: __import__("shutil").rmtree(d))
        with self.assertRaisesRegex(CheckpointError, "no config.json"):
            Checkpoint(d, "llava")
        with open(os.path.join(d, "config.json"), "w") as f:
            f.write("{}")
        with self.assertRaisesRegex(CheckpointError, "neither model.safetensors nor model.safetensors.index.json"):
            Checkpoint(d, "llava")


if __name__ == "__main__":
    unittest.main()
